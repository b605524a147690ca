/** A completion webhook's URL, checked (pure): http(s) only, never with credentials in it. */

import { BarnError } from "../errors.ts";
import { httpUrl, shownUrl, splitUserinfo } from "../media/userinfo.ts";

/** The longest URL barn keeps for a webhook. */
export const MAX_NOTIFY_URL = 2048;

/** At most this many webhooks per job (the protocol's limit too). */
export const MAX_NOTIFY_URLS = 8;

/**
 * Returns the URL in its normal form (`new URL().href`), or throws E_USAGE: not a URL, not
 * http(s), userinfo (a secret would sit in the record, the DB and `describe`), or too long.
 */
export function checkNotifyUrl(text: string, what: string): string {
  const u = httpUrl(
    text,
    (shown) => `${what}: '${shown}' is not a URL; give e.g. https://hooks.example.com/barn`,
    (shown) => `${what}: '${shown}' is not an http(s) URL; webhooks go over http or https only`,
  );
  if (u.username !== "" || u.password !== "" || splitUserinfo(text) !== null) {
    throw new BarnError(
      "E_USAGE",
      `${what}: '${shownUrl(text)}' carries a user name or password, which would be stored and ` +
        "shown with the job; drop it and let the receiver check X-Barn-Signature instead " +
        "(notify_secret in credentials.json, see docs/webhooks.md)",
    );
  }
  if (u.href.length > MAX_NOTIFY_URL) {
    throw new BarnError(
      "E_USAGE",
      `${what}: the URL is longer than ${MAX_NOTIFY_URL} characters`,
    );
  }
  return u.href;
}

/** A job's webhooks: each checked, repeats dropped, at most MAX_NOTIFY_URLS (E_USAGE beyond). */
export function checkNotifyUrls(texts: readonly string[], what: string): string[] {
  const urls = [...new Set(texts.map((t) => checkNotifyUrl(t, what)))];
  if (urls.length > MAX_NOTIFY_URLS) {
    throw new BarnError(
      "E_USAGE",
      `${what}: ${urls.length} URLs, but a job takes at most ${MAX_NOTIFY_URLS}; send one ` +
        "webhook to a receiver that fans out",
    );
  }
  return urls;
}
