/** The webhook signing secret: `notify_secret` in BARN_HOME/credentials.json (0600), never shown. */

import { BarnError } from "../errors.ts";
import { parseCredentialsJson } from "../config/credentials_file.ts";
import { readPrivateText } from "../platform/files.ts";
import type { HomePaths } from "../platform/home_layout.ts";

/** Shorter secrets are refused: an HMAC key is only as strong as the guessing it takes. */
export const MIN_SECRET_LENGTH = 16;

/** `notify_secret` of credentials.json's text, or null when it has none (pure; never quotes the file). */
export function parseNotifySecret(text: string, path: string): string | null {
  const raw = parseCredentialsJson(text, path);
  const v = (raw as { notify_secret?: unknown } | null)?.notify_secret;
  if (v === undefined) return null;
  if (typeof v !== "string" || v.length < MIN_SECRET_LENGTH) {
    throw new BarnError(
      "E_CONFIG",
      `${path}: "notify_secret" must be a string of at least ${MIN_SECRET_LENGTH} characters ` +
        "(e.g. the output of `openssl rand -hex 32`)",
    );
  }
  return v;
}

/** Reads the secret now (so a changed file applies to the next delivery); null without one. */
export function readNotifySecret(paths: HomePaths): string | null {
  const text = readPrivateText(paths.credentials, "credentials.json");
  return text === null ? null : parseNotifySecret(text, paths.credentials);
}
