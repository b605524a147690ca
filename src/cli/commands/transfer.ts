/** barn get / barn put: WebDAV transfers as jobs, and the internal `barn transfer` that runs one. */

import { excerpt } from "../../escape.ts";
import { lazy } from "../../lazy.ts";
import { exists } from "../../platform/files.ts";
import { BarnError } from "../../errors.ts";
import type { JobSpec } from "../../jobs/job.ts";
import { resolveHome } from "../../platform/home_layout.ts";
import { sandboxPath } from "../../platform/sandbox_path.ts";
import { httpUrl, stripUserinfo } from "../../media/userinfo.ts";
import type { Command } from "../command.ts";
import { writeOut } from "../context.ts";
import type { CliContext } from "../context.ts";
import { applyJobOptions, JOB_OPTIONS, submitAndReport } from "./run.ts";

/** A WebDAV URL without its login, and the login (from the URL as barn connects to it). */
export function davUrl(
  text: string,
): { url: string; auth: { user: string; password: string } | null } {
  const u = httpUrl(
    text,
    (shown) => `'${shown}' is not a URL: give e.g. https://dav.example.com/media/clip.mp4`,
    (shown) => `'${shown}' is not an http(s) WebDAV URL`,
  );
  const { url, userinfo } = stripUserinfo(text);
  if (u.username === "" && u.password === "") {
    if (userinfo === null) return { url, auth: null };
    const i = userinfo.indexOf(":");
    return {
      url,
      auth: {
        user: i < 0 ? userinfo : userinfo.slice(0, i),
        password: i < 0 ? "" : userinfo.slice(i + 1),
      },
    };
  }
  // The URL parser that connects finds the login (also in `http:user:pw@h`, `http:\\user:pw@h`).
  const auth = { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  u.username = "";
  u.password = "";
  let same = false;
  try {
    const s = new URL(url);
    same = s.username === "" && s.password === "" && s.href === u.href;
  } catch { /* not a URL without its login: the parsed one is stored */ }
  return { url: same ? url : u.href, auth };
}

/** The local file, where it really leads (through links): inside /tmp/barn, else E_SANDBOX. */
function localPath(text: string, verb: string): string {
  return sandboxPath(
    text,
    `barn ${verb} works on files inside /tmp/barn (e.g. /tmp/barn/input/); its local path`,
  );
}

async function submitTransfer(ctx: CliContext, verb: "get" | "put"): Promise<number> {
  if (ctx.positionals.length !== 2) {
    throw new BarnError(
      "E_USAGE",
      verb === "get"
        ? "usage: barn get <dav-url> <local-path>"
        : "usage: barn put <local-path> <dav-url>",
    );
  }
  const [a, b] = ctx.positionals as [string, string];
  const dav = davUrl(verb === "get" ? a : b);
  const path = localPath(verb === "get" ? b : a, verb);
  const overwrite = ctx.flag("overwrite");
  if (verb === "get" && !overwrite && exists(path)) {
    throw new BarnError(
      "E_EXISTS",
      `${excerpt(path)} already exists; remove it or pass --overwrite`,
    );
  }
  if (verb === "put" && !exists(path)) {
    throw new BarnError("E_NOT_FOUND", `${excerpt(path)} does not exist`);
  }
  let auth = dav.auth;
  if (auth) {
    console.error(
      "barn: warning: the credentials in the URL were moved to the job's private secrets file; " +
        "prefer BARN_HOME/credentials.json (see docs/security.md)",
    );
  } else {
    const user = Deno.env.get("BARN_DAV_USER");
    const password = Deno.env.get("BARN_DAV_PASSWORD");
    if (user !== undefined && password !== undefined) auth = { user, password };
  }
  const command = [
    "barn",
    verb,
    ...(overwrite ? ["--overwrite"] : []),
    ...(verb === "get" ? [dav.url, path] : [path, dav.url]),
  ];
  const spec: JobSpec = await applyJobOptions(ctx, { command, cwd: Deno.cwd() });
  if (auth) spec.secrets = { dav_auth: auth };
  return await submitAndReport(ctx, spec);
}

const OPTIONS = { ...JOB_OPTIONS, overwrite: { type: "boolean" as const } };

export const get: Command = {
  name: "get",
  summary: "download a file from WebDAV as a job (resumable, checked, atomic)",
  usage:
    "barn get [--overwrite] [job options: --tag --key --timeout --stall-timeout --pending --after --group --name --meta --notify] <dav-url> <local-path>",
  example: "barn get https://dav.example.com/media/clip.mp4 /tmp/barn/input/clip.mp4",
  options: OPTIONS,
  run: (ctx) => submitTransfer(ctx, "get"),
};

export const put: Command = {
  name: "put",
  summary: "upload a file to WebDAV as a job (creates folders, checked with PROPFIND)",
  usage: "barn put [--overwrite] [job options, as for get] <local-path> <dav-url>",
  example: "barn put /tmp/barn/output/clip-proxy.mp4 https://dav.example.com/proxies/clip.mp4",
  options: OPTIONS,
  run: (ctx) => submitTransfer(ctx, "put"),
};

/** Internal: `barn transfer get|put [--overwrite] <from> <to> --job-dir=DIR`, run by a supervisor. */
export async function runTransfer(argv: readonly string[]): Promise<number> {
  const jobDirArg = argv.find((a) => a.startsWith("--job-dir="));
  const overwrite = argv.includes("--overwrite");
  const [verb, from, to] = argv.filter((a) => !a.startsWith("--"));
  if ((verb !== "get" && verb !== "put") || !from || !to || !jobDirArg) {
    throw new BarnError(
      "E_USAGE",
      "usage: barn transfer get|put <from> <to> --job-dir=DIR (internal)",
    );
  }
  const { davAuthFor } = await lazy<typeof import("../../media/webdav/credentials.ts")>(
    import.meta.url,
    "../../media/webdav/credentials.ts",
  );
  const { download, upload } = await lazy<typeof import("../../media/webdav/transfer.ts")>(
    import.meta.url,
    "../../media/webdav/transfer.ts",
  );
  const jobDir = jobDirArg.slice("--job-dir=".length);
  const home = resolveHome();
  const url = new URL(verb === "get" ? from : to);
  const auth = davAuthFor(url, jobDir, home);
  const log = (line: string) => {
    writeOut(Deno.stdout, line + "\n");
  };
  if (verb === "get") await download(url, to, { auth, overwrite, log });
  else await upload(from, url, { auth, overwrite, log });
  return 0;
}
