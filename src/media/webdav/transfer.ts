/**
 * barn get / barn put, as run by `barn transfer` under a supervisor. The data moves through
 * Deno's fetch, streamed both ways; the webdav client does PROPFIND and MKCOL.
 * Progress goes to stdout as `barn-progress {json}` lines for the supervisor to read.
 */

import { exists, fileSize, openPrivateFile, openRead } from "../../platform/files.ts";
import { excerpt } from "../../escape.ts";
import { basename, dirname, join } from "../../platform/path.ts";
import { BarnError } from "../../errors.ts";
import { sandboxPath } from "../../platform/sandbox_path.ts";
import { isSecretPath } from "../../platform/sandbox_path.ts";
import type { Progress } from "../../jobs/job.ts";
import type { DavAuth } from "./credentials.ts";

export interface TransferOptions {
  auth: DavAuth | null;
  overwrite: boolean;
  log: (line: string) => void;
}

const PROGRESS_EVERY_MS = 500;

/** `E_HTTP_404` and friends, with a message that says what to do. */
export function httpError(status: number, what: string): BarnError {
  const hint = status === 401 || status === 403
    ? "check the credentials (BARN_HOME/credentials.json, see docs/security.md)"
    : status === 404
    ? "check the path on the server"
    : "see the server's log";
  return new BarnError(`E_HTTP_${status}`, `${what}: the server answered HTTP ${status}; ${hint}`);
}

function networkError(e: unknown, what: string): BarnError {
  if (e instanceof BarnError) return e;
  return new BarnError("E_NETWORK", `${what}: ${(e as Error).message}`);
}

function authHeader(auth: DavAuth | null): Record<string, string> {
  if (!auth) return {};
  const bytes = new TextEncoder().encode(`${auth.user}:${auth.password}`);
  return { authorization: "Basic " + btoa(String.fromCharCode(...bytes)) };
}

/** Where a download collects its bytes until they are complete: same dir, fixed name, so a retry resumes. */
export function partialPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.barn-part`);
}

class Meter {
  #last = 0;
  #start = Date.now();
  #startBytes: number;
  constructor(private total: number | null, startBytes: number, private log: (l: string) => void) {
    this.#startBytes = startBytes;
  }
  report(done: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.#last < PROGRESS_EVERY_MS) return;
    this.#last = now;
    const secs = Math.max(0.001, (now - this.#start) / 1000);
    const rate = (done - this.#startBytes) / secs;
    const p: Progress = { bytes_done: done, rate_bps: Math.round(rate) };
    if (this.total !== null && this.total > 0) {
      p.bytes_total = this.total;
      p.percent = Math.round((done / this.total) * 10000) / 100;
      if (rate > 0) p.eta_seconds = Math.round(((this.total - done) / rate) * 10) / 10;
    }
    this.log(`barn-progress ${JSON.stringify(p)}`);
  }
}

async function davClient(base: URL, auth: DavAuth | null) {
  const { createClient } = await import("webdav");
  const origin = `${base.protocol}//${base.host}`;
  return createClient(origin, auth ? { username: auth.user, password: auth.password } : {});
}

/** PROPFIND: the remote size, or an HTTP error code. */
async function remoteSize(url: URL, auth: DavAuth | null): Promise<number | null> {
  const client = await davClient(url, auth);
  try {
    const st = await client.stat(decodeURIComponent(url.pathname)) as {
      size: number;
      type: string;
    };
    if (st.type !== "file") {
      throw new BarnError("E_USAGE", `${url.href} is a directory, not a file`);
    }
    return st.size;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (typeof status === "number") throw httpError(status, `PROPFIND ${url.href}`);
    throw networkError(e, `PROPFIND ${url.href}`);
  }
}

export async function download(url: URL, given: string, opts: TransferOptions): Promise<number> {
  // Resolved again here: links may have changed since the job was submitted.
  const target = sandboxPath(given, "the download target");
  if (!opts.overwrite && exists(target)) {
    throw new BarnError(
      "E_EXISTS",
      `${excerpt(target)} already exists; remove it or pass --overwrite`,
    );
  }
  const size = await remoteSize(url, opts.auth);
  const part = partialPath(target);
  let have = 0;
  try {
    have = Deno.statSync(part).size;
  } catch { /* a fresh start */ }
  if (size !== null && have > size) have = 0;
  const headers: Record<string, string> = { ...authHeader(opts.auth) };
  if (have > 0 && size !== null && have < size) headers.range = `bytes=${have}-`;
  let res: Response;
  try {
    res = await fetch(url, { headers });
  } catch (e) {
    throw networkError(e, `GET ${url.href}`);
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw httpError(res.status, `GET ${url.href}`);
  }
  const resuming = res.status === 206 && have > 0;
  if (resuming) opts.log(`resuming at byte ${have} of ${size} (Range request)`);
  else have = 0;
  // Truncated only once it is known to be barn's own file, reached through no link.
  const file = openPrivateFile(part, { append: resuming });
  if (!resuming) file.truncateSync(0);
  const meter = new Meter(size, have, opts.log);
  // pipeTo keeps the bytes in Deno's native stream path (faster than curl here, measured);
  // progress comes from the file's size, read on a timer, not from a per-chunk callback.
  const ticker = setInterval(() => meter.report(fileSize(part)), PROGRESS_EVERY_MS);
  try {
    await res.body!.pipeTo(file.writable);
  } catch (e) {
    throw networkError(e, `GET ${url.href} broke off after ${fileSize(part)} bytes`);
  } finally {
    clearInterval(ticker);
    try {
      file.close();
    } catch { /* pipeTo closed it */ }
  }
  const done = fileSize(part);
  meter.report(done, true);
  if (size !== null && done !== size) {
    throw new BarnError(
      "E_VERIFY",
      `got ${done} bytes of ${url.href} but the server lists ${size}; run \`barn retry\` to resume`,
    );
  }
  if (!opts.overwrite && exists(target)) {
    throw new BarnError(
      "E_EXISTS",
      `${excerpt(target)} appeared while downloading; the data stays in ${part}`,
    );
  }
  Deno.renameSync(part, target);
  opts.log(`downloaded ${done} bytes to ${excerpt(target)}`);
  return done;
}

export async function upload(given: string, url: URL, opts: TransferOptions): Promise<number> {
  const source = sandboxPath(given, "the upload source");
  if (isSecretPath(source)) {
    throw new BarnError(
      "E_SANDBOX",
      `the upload source ${excerpt(given)} is one of barn's secrets, which barn sends nowhere ` +
        "(see docs/security.md)",
    );
  }
  // Opened (and checked) before anything is asked of the server; its size is the open file's.
  const file = openRead(source, "the upload source");
  const size = file.statSync().size;
  const client = await davClient(url, opts.auth);
  const path = decodeURIComponent(url.pathname);
  try {
    if (!opts.overwrite && await client.exists(path)) {
      throw new BarnError(
        "E_EXISTS",
        `${url.href} already exists on the server; pass --overwrite to replace it`,
      );
    }
    const parent = dirname(path);
    if (parent !== "/" && !(await client.exists(parent))) {
      await client.createDirectory(parent, { recursive: true });
      opts.log(`created ${parent} on the server (MKCOL)`);
    }
  } catch (e) {
    file.close();
    const status = (e as { status?: number }).status;
    if (typeof status === "number") throw httpError(status, `preparing ${url.href}`);
    throw networkError(e, `preparing ${url.href}`);
  }
  const meter = new Meter(size, 0, opts.log);
  // The file streams straight into fetch; progress is how far its reader has got.
  let sent = 0;
  const ticker = setInterval(() => {
    try {
      sent = file.seekSync(0, Deno.SeekMode.Current);
      meter.report(sent);
    } catch { /* closed */ }
  }, PROGRESS_EVERY_MS);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "PUT",
      headers: {
        ...authHeader(opts.auth),
        "content-length": String(size),
        "content-type": "application/octet-stream",
      },
      body: file.readable,
    });
  } catch (e) {
    throw networkError(e, `PUT ${url.href}`);
  } finally {
    clearInterval(ticker);
  }
  await res.body?.cancel();
  if (res.status < 200 || res.status > 299) throw httpError(res.status, `PUT ${url.href}`);
  sent = size;
  meter.report(sent, true);
  const there = await remoteSize(url, opts.auth);
  if (there !== size) {
    throw new BarnError(
      "E_VERIFY",
      `uploaded ${size} bytes but the server lists ${there} for ${url.href}`,
    );
  }
  opts.log(`uploaded ${size} bytes to ${url.href} (checked with PROPFIND)`);
  return size;
}
