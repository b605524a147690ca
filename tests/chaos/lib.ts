/**
 * What every chaos family shares: a seeded random source, a findings ledger that counts what
 * went wrong, finding barn's processes for a home, their memory, read-only looks at barn.db and
 * at who holds which lock, raw frames, and a loopback HTTP server that witnesses each job's run.
 */

import { DatabaseSync } from "node:sqlite";
import { barn, DENO, MAIN, pidAlive, ROOT, startService, waitFor } from "../helpers/barn.ts";
import { V8_FLAGS } from "../../src/platform/self.ts";
import { PROTOCOL_VERSION } from "../../src/protocol/messages.ts";

export { pidAlive, waitFor };

/** A small seeded generator (mulberry32): the same seed replays the same faults. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

/** A family's outcome: figures (counts, seconds) and failures, each naming a count and examples. */
export class Findings {
  readonly figures: Record<string, number | string> = {};
  readonly failures: string[] = [];

  /** Records a failure when `count` is not 0; `examples` are a few of the offending items. */
  expectNone(what: string, count: number, examples: unknown[] = []): void {
    if (count === 0) return;
    const ex = examples.slice(0, 5).map((e) => typeof e === "string" ? e : JSON.stringify(e));
    this.failures.push(`${what}: ${count}${ex.length ? ` (e.g. ${ex.join("; ")})` : ""}`);
  }

  expect(ok: boolean, what: string): void {
    if (!ok) this.failures.push(what);
  }

  add(key: string, n = 1): void {
    this.figures[key] = ((this.figures[key] as number | undefined) ?? 0) + n;
  }

  set(key: string, v: number | string): void {
    this.figures[key] = v;
  }
}

/** Waits `ms`: only to place a fault at a random moment, never to wait for an outcome. */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface BarnProcs {
  service: number[];
  keeper: number[];
  other: number[];
}

/** barn processes serving `home`, found by their argv and their BARN_HOME. */
export function barnProcs(home: string): BarnProcs {
  const out: BarnProcs = { service: [], keeper: [], other: [] };
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const pid = Number(e.name);
    try {
      const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter((a) => a);
      if (!argv.some((a) => a.endsWith("src/main.ts"))) continue;
      const env = Deno.readTextFileSync(`/proc/${pid}/environ`).split("\0");
      if (!env.includes(`BARN_HOME=${home}`) || !pidAlive(pid)) continue;
      const args = argv.slice(argv.findIndex((a) => a.endsWith("src/main.ts")) + 1);
      if (args[0] === "service" && args[1] === "run") out.service.push(pid);
      else if (args[0] === "keeper") out.keeper.push(pid);
      else out.other.push(pid);
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

/** SIGKILLs `pids` and waits until each is gone. */
export async function killAll(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* gone */ }
  }
  await waitFor(() => pids.every((p) => !pidAlive(p)), { what: `pids ${pids} to die` });
}

/** Resident and data (allocated) memory of a process, in MiB. */
export function memory(pid: number): { rss: number; data: number } {
  const s = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rss: kib("VmRSS") / 1024, data: kib("VmData") / 1024 };
}

/** The live service's pid, from its own status. */
export async function servicePid(home: string): Promise<number> {
  const r = await barn(home, ["service", "status", "--output=json"]);
  if (r.code !== 0) throw new Error(`service status: ${r.code} ${r.stdout}${r.stderr}`);
  return r.json().pid as number;
}

/** Starts the service, retrying while a killed predecessor's lock is still being released. */
export async function ensureService(home: string): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 2; i++) {
    try {
      if (Deno.env.get("CHAOS_SERVICE_STDERR")) await startServiceLogged(home);
      else await startService(home);
      return;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/**
 * With CHAOS_SERVICE_STDERR set to a directory: the service as `barn service start` would run
 * it, but started here (not detached) with its stderr kept there, so a crash leaves its words.
 */
async function startServiceLogged(home: string): Promise<void> {
  if ((await barn(home, ["service", "status"])).code === 0) return;
  const dir = Deno.env.get("CHAOS_SERVICE_STDERR")!;
  Deno.mkdirSync(dir, { recursive: true });
  const child = new Deno.Command(DENO, {
    args: [
      "run",
      "-q",
      "-P=barn",
      `--config=${ROOT}deno.json`,
      `--v8-flags=${V8_FLAGS}`,
      MAIN,
      "service",
      "run",
    ],
    cwd: ROOT,
    env: { BARN_HOME: home },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const file = await Deno.open(`${dir}/service-stderr-${child.pid}.txt`, {
    write: true,
    create: true,
  });
  child.stderr.pipeTo(file.writable).catch(() => {});
  child.status.then((s) => {
    if (s.signal !== "SIGKILL") {
      Deno.writeTextFileSync(`${dir}/service-exit-${child.pid}.txt`, JSON.stringify(s));
    }
  });
  child.unref();
  await waitFor(
    async () => (await barn(home, ["service", "status"])).code === 0 || !pidAlive(child.pid),
    {
      what: "the service to answer",
    },
  );
  if (!pidAlive(child.pid)) throw new Error(`the service exited at start (see ${dir})`);
}

export type Row = Record<string, unknown>;

/** Runs `fn` on a read-only connection to a barn.db (a live service may be writing it). */
export function withDb<T>(path: string, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    return fn(db);
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` through the sqlite3 CLI, read-only: "ok", or what it reports. */
export async function integrity(path: string): Promise<string> {
  const out = await new Deno.Command("sqlite3", {
    args: ["-readonly", "-cmd", ".timeout 5000", path, "PRAGMA integrity_check;"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  return out.success ? text : `sqlite3 failed: ${new TextDecoder().decode(out.stderr).trim()}`;
}

/** Who holds each flock()ed file, by inode (from /proc/locks; looking takes no lock). */
export function flockHolders(): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of Deno.readTextFileSync("/proc/locks").split("\n")) {
    const m = /^\d+:\s+FLOCK\s+\S+\s+WRITE\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/.exec(line);
    if (m) out.set(Number(m[2]), Number(m[1]));
  }
  return out;
}

/** The pid of a live process holding jobs/<id>/supervisor.lock, or null. */
export function lockHolder(jobDir: string, holders = flockHolders()): number | null {
  try {
    const ino = Deno.lstatSync(`${jobDir}/supervisor.lock`).ino;
    const pid = ino === null ? undefined : holders.get(ino);
    return pid !== undefined && pidAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** A frame as barn's protocol sends it: a 4-byte big-endian length, then the body. */
export function frame(body: unknown): Uint8Array {
  const bytes = body instanceof Uint8Array
    ? body
    : new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body));
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const HELLO = frame({ kind: "hello", protocol: PROTOCOL_VERSION, client_version: "chaos" });

/** What a raw exchange saw: the frames the service sent back, and whether it closed. */
export interface Exchange {
  frames: Row[];
  closed: boolean;
  /** Bytes that did not parse as a frame (a broken answer). */
  garbage: number;
}

/**
 * Sends `bytes` on a fresh connection, half-closes it, and reads frames until the service
 * closes it or `timeoutMs` passes.
 */
export async function exchange(
  sock: string,
  bytes: Uint8Array,
  timeoutMs = 5000,
): Promise<Exchange> {
  const conn = await Deno.connect({ transport: "unix", path: sock });
  const chunks: Uint8Array[] = [];
  let closed = false;
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch { /* closed */ }
  }, timeoutMs);
  try {
    const writing = (async () => {
      let off = 0;
      try {
        while (off < bytes.length) off += await conn.write(bytes.subarray(off));
        await conn.closeWrite();
      } catch { /* the service closed first */ }
    })();
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch (e) {
        closed = !(e instanceof Deno.errors.BadResource) || closed;
        break;
      }
      if (n === null) {
        closed = true;
        break;
      }
      chunks.push(buf.slice(0, n));
    }
    await writing;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
  const data = concat(...chunks);
  const frames: Row[] = [];
  let off = 0;
  while (off + 4 <= data.length) {
    const len = new DataView(data.buffer, off, 4).getUint32(0);
    if (off + 4 + len > data.length) break;
    try {
      frames.push(JSON.parse(new TextDecoder().decode(data.subarray(off + 4, off + 4 + len))));
    } catch {
      break;
    }
    off += 4 + len;
  }
  return { frames, closed, garbage: data.length - off };
}

/**
 * A loopback HTTP server that counts every request by its token, so a job's runs are
 * counted outside barn: `/hit/T` answers 200, `/miss/T` 404, `/slow/T/MS` 200 after MS.
 */
export interface Witness {
  url: string;
  /** A port nothing listens on (curl exits 7). */
  closedPort: number;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export function startWitness(): Witness {
  const hits = new Map<string, number>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const [, kind, token, ms] = new URL(req.url).pathname.split("/");
    if (token) hits.set(token, (hits.get(token) ?? 0) + 1);
    if (kind === "slow") await pause(Number(ms));
    return new Response(kind === "miss" ? "missing\n" : "ok\n", {
      status: kind === "miss" ? 404 : 200,
    });
  });
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    closedPort,
    hits,
    close: () => server.shutdown(),
  };
}

/** Every job row of a barn.db, by id. */
export function jobRows(dbPath: string): Map<string, Row> {
  return withDb(dbPath, (db) => {
    const out = new Map<string, Row>();
    for (const r of db.prepare("SELECT * FROM jobs").all() as Row[]) out.set(r.job_id as string, r);
    return out;
  });
}

/**
 * jobs/<id>/job.json (or job.pending.json) parsed, or else the job's line in its batch's journal
 * (jobs/<first id>.batch.json, or .batch.pending.json); null when missing or unreadable.
 */
export function readSnapshot(home: string, id: string, name = "job.json"): Row | null {
  try {
    return JSON.parse(Deno.readTextFileSync(`${home}/jobs/${id}/${name}`));
  } catch { /* a batch's job: in the journal */ }
  const suffix = name === "job.json" ? ".batch.json" : ".batch.pending.json";
  for (const e of Deno.readDirSync(`${home}/jobs`)) {
    if (!e.isFile || !e.name.endsWith(suffix)) continue;
    let text: string;
    try {
      text = Deno.readTextFileSync(`${home}/jobs/${e.name}`);
    } catch {
      continue; // renamed meanwhile
    }
    for (const line of text.split("\n")) {
      try {
        const r = JSON.parse(line);
        if (r?.job_id === id) return r;
      } catch { /* a torn line */ }
    }
  }
  return null;
}

export function readExit(home: string, id: string): Row | null {
  try {
    return JSON.parse(Deno.readTextFileSync(`${home}/jobs/${id}/exit.json`));
  } catch {
    return null;
  }
}

/** The last lines of the service's log (for a failure's evidence). */
export function serviceLogTail(home: string, lines = 20): string {
  try {
    return Deno.readTextFileSync(`${home}/logs/service.log`).trimEnd().split("\n").slice(-lines)
      .join("\n");
  } catch {
    return "(no service log)";
  }
}

/**
 * With CHAOS_EVIDENCE set to a directory, saves what a failure needs to be understood: the
 * service's and keeper's logs, and the live service's children, threads and descriptors.
 */
export function saveEvidence(home: string, what: string): string | null {
  const dir = Deno.env.get("CHAOS_EVIDENCE");
  if (!dir) return null;
  const read = (p: string) => {
    try {
      return Deno.readTextFileSync(p);
    } catch (e) {
      return `(${(e as Error).message})`;
    }
  };
  const sp = barnProcs(home).service[0];
  let live = "(no live service)";
  if (sp !== undefined) {
    const ps = new Deno.Command("ps", {
      args: ["-eo", "pid,ppid,stat,wchan:24,etime,args"],
      stdout: "piped",
    }).outputSync();
    const children = new TextDecoder().decode(ps.stdout).split("\n")
      .filter((l) => l.trim().split(/\s+/)[1] === String(sp));
    const threads = [...Deno.readDirSync(`/proc/${sp}/task`)].map((t) =>
      `${t.name} ${read(`/proc/${sp}/task/${t.name}/wchan`)}`
    );
    const fds = [...Deno.readDirSync(`/proc/${sp}/fd`)].map((e) => {
      try {
        return `${e.name} -> ${Deno.readLinkSync(`/proc/${sp}/fd/${e.name}`)}`;
      } catch {
        return e.name;
      }
    });
    live = [`service ${sp}; children:`, ...children, "threads:", ...threads, "fds:", ...fds]
      .join("\n");
  }
  Deno.mkdirSync(dir, { recursive: true });
  const path = `${dir}/${what}-${Date.now()}.txt`;
  Deno.writeTextFileSync(
    path,
    [
      `home ${home}`,
      live,
      "--- service.log",
      read(`${home}/logs/service.log`),
      "--- keeper.log",
      read(`${home}/logs/keeper.log`),
    ].join("\n"),
  );
  return path;
}

/** Seconds since `t0` (Date.now()), to one decimal. */
export function secondsSince(t0: number): number {
  return Math.round((Date.now() - t0) / 100) / 10;
}
