/**
 * WebDAV credentials: from the job's own 0600 secrets file (URL userinfo or BARN_DAV_USER /
 * BARN_DAV_PASSWORD at submission), else from BARN_HOME/credentials.json, one entry per host.
 */

import { HomePaths } from "../../platform/home_layout.ts";
import { excerpt } from "../../escape.ts";
import { parseCredentialsJson } from "../../config/credentials_file.ts";
import { BarnError } from "../../errors.ts";
import { readPrivateText } from "../../platform/files.ts";
import { readSecret } from "../../store/job_dir.ts";

export interface DavAuth {
  user: string;
  password: string;
}

/** Parses credentials.json: `{"hosts": {"dav.example.com": {"user": "…", "password": "…"}}}`. */
export function parseCredentials(text: string, path: string): Record<string, DavAuth> {
  const raw = parseCredentialsJson(text, path);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new BarnError(
      "E_CONFIG",
      `${path} must hold {"hosts": {"<host[:port]>": {"user": …, "password": …}}} ` +
        'and/or {"notify_secret": "…"}',
    );
  }
  // A file with only the webhook secret (notify/secret.ts) has no hosts: no WebDAV logins.
  const hosts = (raw as { hosts?: unknown }).hosts ?? {};
  if (typeof hosts !== "object" || hosts === null || Array.isArray(hosts)) {
    throw new BarnError(
      "E_CONFIG",
      `${path} must hold {"hosts": {"<host[:port]>": {"user": …, "password": …}}}`,
    );
  }
  const out: Record<string, DavAuth> = {};
  for (const [host, v] of Object.entries(hosts)) {
    const e = v as Partial<DavAuth>;
    if (typeof e?.user !== "string" || typeof e?.password !== "string") {
      throw new BarnError(
        "E_CONFIG",
        `${path}: host '${excerpt(host)}' needs a string "user" and "password"`,
      );
    }
    out[host.toLowerCase()] = { user: e.user, password: e.password };
  }
  return out;
}

/** The credentials for `url`: the job's own first, then credentials.json (host:port, then host). */
export function davAuthFor(url: URL, jobDir: string, home: string): DavAuth | null {
  const own = readSecret(jobDir, "dav.json");
  if (own !== null) return JSON.parse(own) as DavAuth;
  const path = new HomePaths(home).credentials;
  const text = readPrivateText(path, "credentials.json");
  if (text === null) return null;
  const hosts = parseCredentials(text, path);
  return hosts[url.host.toLowerCase()] ?? hosts[url.hostname.toLowerCase()] ?? null;
}
