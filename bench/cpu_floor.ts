/**
 * The floor under row 2's CPU per job: one Deno process that does per job only what barn's
 * guarantees require (docs/reliability.md) and spawns `curl --version` 4 at a time with
 * Deno.Command, its own CPU read from /proc. Not a row: run by hand, numbers in
 * docs/performance.md ("Third pass (issue 14): CPU per job").
 *
 *   deno run -A bench/cpu_floor.ts                  # every variant, alternating rounds
 *   deno run -A bench/cpu_floor.ts rounds=8 only=14,15 other=/tmp/old   # barn's path, two trees
 *
 * Options: rounds=, jobs= (per measured batch), only= (variant indexes, in the table's order
 * without tsp), root= (where the homes go, below /tmp/barn for barn's permissions; a tmpfs takes
 * ext4's inode allocation out: `mount -t tmpfs -o mode=0700 tmpfs /tmp/barn/x`, as Deno refuses
 * /dev/shm without -A), other= (a second barn checkout for the paired barn variant).
 *
 * A run's knobs: drain (how the two pipes are read: stream = `for await`, reader = default reader,
 * byob = BYOB reader into one reused buffer per pipe, pipeto = pipeTo a file's writable, null =
 * stdout/stderr "null", output = child.output()), db (0 = none; 3 = a durable batch submit,
 * then per job a start before the spawn, the pid after it, the end after exit.json; 2 = the
 * pid folded into the end; b = ends of one tick in one transaction), files (0 = none; 1 = a job dir
 * per job made at submit, a batch journal, then per job the lock, two logs, exit.json linked from
 * the lock before the DB; d = only the journal and the job dirs), perms (all = -A; barn = barn's
 * flags, so Deno checks each path), v8 (barn = barn's V8 flags; default), impl (floor; barn =
 * barn's own Store.insert and JobRun).
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { startTsp, tspEnv } from "./lib/peers.ts";
import { procCpu } from "./lib/procs.ts";
import { reap, reapedMs } from "./lib/reaper.ts";
import { sh } from "./lib/sh.ts";
import { ROOT } from "./lib/paths.ts";
import { V8_FLAGS } from "../src/platform/self.ts";

const DENO = Deno.execPath();
const SELF = new URL(import.meta.url).pathname;
const TICK_MS = 10;

interface Knobs {
  drain: "stream" | "reader" | "byob" | "pipeto" | "null" | "output";
  db: "0" | "3" | "2" | "b";
  files: "0" | "d" | "1";
  perms: "all" | "barn";
  /** floor = this file's minimum; barn = barn's own submit (Store.insert) and JobRun, in one process. */
  impl: "floor" | "barn";
  /** barn = the V8 flags barn's service and keeper run with (a 1 MiB young generation). */
  v8: "barn" | "default";
  /** The barn checkout whose src/ impl=barn runs (another tree: a paired comparison). */
  tree?: string;
  jobs: number;
}

function cpuMs(pid: number): number {
  const s = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

/** The measured run says where it is and waits: its parent reads its CPU (Deno's sandbox keeps /proc from a run without -A). */
async function mark(what: string): Promise<void> {
  await Deno.stdout.write(new TextEncoder().encode(what + "\n"));
  await Deno.stdin.read(new Uint8Array(1));
}

async function drainStream(s: ReadableStream<Uint8Array>, sink: Deno.FsFile | null) {
  for await (const chunk of s) sink?.writeSync(chunk);
}

async function drainReader(s: ReadableStream<Uint8Array>, sink: Deno.FsFile | null) {
  const r = s.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    sink?.writeSync(value);
  }
}

async function drainByob(s: ReadableStream<Uint8Array>, sink: Deno.FsFile | null) {
  const r = s.getReader({ mode: "byob" });
  let buf = new Uint8Array(16 * 1024);
  for (;;) {
    const { done, value } = await r.read(buf);
    if (done || !value) break;
    sink?.writeSync(value);
    buf = new Uint8Array(value.buffer); // the same memory, handed back by the read
  }
}

async function drainPipeTo(s: ReadableStream<Uint8Array>, sink: Deno.FsFile | null) {
  if (sink) await s.pipeTo(sink.writable, { preventClose: true });
  else await s.pipeTo(new WritableStream());
}

class Db {
  db: DatabaseSync;
  start: StatementSync;
  pid: StatementSync;
  end: StatementSync;
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec("PRAGMA busy_timeout = 5000");
    this.db.exec("PRAGMA journal_mode = WAL");
    this.db.exec("PRAGMA synchronous = NORMAL");
    this.db.exec("PRAGMA foreign_keys = ON");
    this.db.exec(`CREATE TABLE IF NOT EXISTS jobs (
      id TEXT PRIMARY KEY, state TEXT NOT NULL, command TEXT NOT NULL, created_at TEXT NOT NULL,
      started_at TEXT, pid INTEGER, ended_at TEXT, exit_code INTEGER)`);
    this.db.exec("CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (state, created_at)");
    this.start = this.db.prepare(
      "UPDATE jobs SET state = 'running', started_at = ? WHERE id = ? AND state = 'queued'",
    );
    this.pid = this.db.prepare("UPDATE jobs SET pid = ? WHERE id = ? AND state = 'running'");
    this.end = this.db.prepare(
      "UPDATE jobs SET state = ?, ended_at = ?, exit_code = ?, pid = ? WHERE id = ? AND state = 'running'",
    );
  }
  submit(ids: string[], command: string): void {
    // A submission is durable when acknowledged: FULL for its one transaction.
    this.db.exec("PRAGMA synchronous = FULL");
    this.db.exec("BEGIN IMMEDIATE");
    const ins = this.db.prepare(
      "INSERT INTO jobs (id, state, command, created_at) VALUES (?, 'queued', ?, ?)",
    );
    const now = new Date().toISOString();
    for (const id of ids) ins.run(id, command, now);
    this.db.exec("COMMIT");
    this.db.exec("PRAGMA synchronous = NORMAL");
  }
}

interface Ended {
  id: string;
  code: number;
  pid: number;
}

/** barn's own path in one process: the service's submit (Store.insert) and the keeper's JobRun per job. */
async function runBarn(k: Knobs, home: string): Promise<void> {
  const src = `${k.tree ?? ROOT}src/`;
  const { prepareHome } = await import(`${src}platform/home_layout.ts`);
  const { loadConfig } = await import(`${src}config/config.ts`);
  const { Store } = await import(`${src}store/store.ts`);
  const { JobRun } = await import(`${src}supervisor/job_run.ts`);
  const paths = prepareHome(home);
  const config = loadConfig(paths.config);
  const store = Store.open(paths);
  const submit = (n: number) =>
    store.insert(Array.from({ length: n }, () => ({ command: ["curl", "--version"], cwd: home })))
      .map((r: { job: { job_id: string } }) => r.job.job_id);
  const pool = async (ids: string[]) => {
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        await new JobRun(ids[next++]!, { store, config, kind: "keeper" }).done;
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  };
  await pool(submit(20));
  await mark("warm");
  await pool(submit(k.jobs));
  await mark("end");
  store.close();
}

async function runOnce(k: Knobs, home: string): Promise<void> {
  if (k.impl === "barn") return await runBarn(k, home);
  Deno.mkdirSync(`${home}/jobs`, { recursive: true, mode: 0o700 });
  const db = k.db === "0" ? null : new Db(`${home}/barn.db`);
  const cmd = ["curl", "--version"];
  const enc = new TextEncoder();
  const warm = 20;
  const total = k.jobs + warm;
  const ids = Array.from({ length: total }, (_, i) => `j${String(i).padStart(6, "0")}`);

  // The submit: a batch journal and every job dir before the one durable commit.
  const submitted = (from: number, to: number) => {
    const batch = ids.slice(from, to);
    if (k.files !== "0") {
      const journal = `${home}/jobs/${batch[0]}.batch.pending.json`;
      Deno.writeTextFileSync(
        journal,
        batch.map((id) => JSON.stringify({ id, command: cmd })).join("\n") + "\n",
        { createNew: true, mode: 0o600 },
      );
      for (const id of batch) Deno.mkdirSync(`${home}/jobs/${id}`, { mode: 0o700 });
      db?.submit(batch, JSON.stringify(cmd));
      Deno.renameSync(journal, journal.replace(".pending", ""));
    } else db?.submit(batch, JSON.stringify(cmd));
  };

  let pendingEnds: Ended[] = [];
  let flushQueued = false;
  const flushEnds = () => {
    flushQueued = false;
    if (pendingEnds.length === 0) return;
    const ends = pendingEnds;
    pendingEnds = [];
    db!.db.exec("BEGIN IMMEDIATE");
    const now = new Date().toISOString();
    for (const e of ends) db!.end.run(e.code === 0 ? "done" : "failed", now, e.code, e.pid, e.id);
    db!.db.exec("COMMIT");
  };

  const job = async (id: string) => {
    const dir = `${home}/jobs/${id}`;
    let lock: Deno.FsFile | null = null;
    let out: Deno.FsFile | null = null;
    let err: Deno.FsFile | null = null;
    if (k.files === "1") {
      lock = Deno.openSync(`${dir}/supervisor.lock`, {
        read: true,
        write: true,
        createNew: true,
        mode: 0o600,
      });
      if (!lock.tryLockSync(true)) throw new Error("lock taken");
      out = Deno.openSync(`${dir}/stdout.log`, { write: true, createNew: true, mode: 0o600 });
      err = Deno.openSync(`${dir}/stderr.log`, { write: true, createNew: true, mode: 0o600 });
    }
    const started = new Date().toISOString();
    db?.start.run(started, id); // the start, before the spawn
    const nulled = k.drain === "null";
    const child = new Deno.Command(cmd[0]!, {
      args: cmd.slice(1),
      stdin: "null",
      stdout: nulled ? "null" : "piped",
      stderr: nulled ? "null" : "piped",
    }).spawn();
    if (db && k.db !== "2") db.pid.run(child.pid, id);
    let code: number;
    if (k.drain === "output") {
      const o = await child.output();
      out?.writeSync(o.stdout);
      err?.writeSync(o.stderr);
      code = o.code;
    } else {
      const drain = {
        stream: drainStream,
        reader: drainReader,
        byob: drainByob,
        pipeto: drainPipeTo,
        null: null,
      }[k.drain];
      const pumps = drain
        ? Promise.all([drain(child.stdout, out), drain(child.stderr, err)])
        : null;
      code = (await child.status).code;
      await pumps;
    }
    out?.close();
    err?.close();
    if (lock) {
      // exit.json before the DB: the record into the held lock file, linked as exit.json.
      const rec = { job_id: id, finished_at: new Date().toISOString(), started_at: started, code };
      lock.writeSync(enc.encode(JSON.stringify(rec) + "\n"));
      Deno.linkSync(`${dir}/supervisor.lock`, `${dir}/exit.json`);
      lock.close();
    }
    if (db) {
      if (k.db === "b") {
        pendingEnds.push({ id, code, pid: child.pid });
        if (!flushQueued) {
          flushQueued = true;
          setTimeout(flushEnds, 0);
        }
      } else {db.end.run(
          code === 0 ? "done" : "failed",
          new Date().toISOString(),
          code,
          child.pid,
          id,
        );}
    }
  };

  const pool = async (from: number, to: number) => {
    let next = from;
    const worker = async () => {
      while (next < to) await job(ids[next++]!);
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  };

  // A warm-up batch (JIT, first-use costs) outside the measurement, then the measured one.
  submitted(0, warm);
  await pool(0, warm);
  if (pendingEnds.length) flushEnds();
  await mark("warm");
  submitted(warm, total);
  await pool(warm, total);
  if (pendingEnds.length) flushEnds();
  await mark("end");
  db?.db.close();
}

function parseKnobs(args: string[]): Knobs {
  const k: Knobs = {
    drain: "stream",
    db: "0",
    files: "0",
    perms: "all",
    impl: "floor",
    v8: "barn",
    jobs: 500,
  };
  for (const a of args) {
    const [key, v] = a.split("=");
    if (key === "jobs") k.jobs = Number(v);
    else (k as unknown as Record<string, string>)[key!] = v!;
  }
  return k;
}

const BARN_FLAGS = (home: string) => [
  `--allow-read=${home}`,
  `--allow-write=${home}`,
  "--allow-run=curl",
];

async function child(k: Knobs, home: string): Promise<number> {
  // barn's own code runs under barn's own permission set (deno.json), as its keeper does.
  const perms = k.impl === "barn"
    ? ["-P=barn", `--config=${k.tree ?? ROOT}deno.json`]
    : k.perms === "all"
    ? ["-A"]
    : BARN_FLAGS(home);
  if (k.v8 === "barn") perms.push(`--v8-flags=${V8_FLAGS}`);
  const knobArgs = Object.entries(k).map(([a, b]) => `${a}=${b}`);
  const p = new Deno.Command(DENO, {
    args: ["run", "-q", ...perms, SELF, "--one", `home=${home}`, ...knobArgs],
    env: { BARN_HOME: home },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const w = p.stdin.getWriter();
  const at: number[] = [];
  let buf = "";
  while (at.length < 2) {
    const { done, value } = await lines.read();
    if (done) break;
    buf += value;
    while (buf.includes("\n") && at.length < 2) {
      buf = buf.slice(buf.indexOf("\n") + 1);
      at.push(cpuMs(p.pid));
      await w.write(new Uint8Array([1]));
    }
  }
  await w.close();
  const status = await p.status;
  await lines.cancel();
  if (!status.success || at.length < 2) throw new Error(`floor run ${knobArgs.join(" ")} failed`);
  return (at[1]! - at[0]!) / k.jobs;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

if (Deno.args[0] === "--one") {
  const rest = Deno.args.slice(1);
  const home = rest.find((a) => a.startsWith("home="))!.slice(5);
  const k = parseKnobs(rest.filter((a) => !a.startsWith("home=")));
  await runOnce(k, home);
} else {
  // Every variant once per round, rounds alternating, each run in a fresh home.
  const rounds = Number(Deno.args.find((a) => a.startsWith("rounds="))?.slice(7) ?? 3);
  const jobs = Number(Deno.args.find((a) => a.startsWith("jobs="))?.slice(5) ?? 500);
  const only = Deno.args.find((a) => a.startsWith("only="))?.slice(5).split(",");
  const root = Deno.args.find((a) => a.startsWith("root="))?.slice(5) ?? "/tmp/barn";
  const other = Deno.args.find((a) => a.startsWith("other="))?.slice(6).replace(/\/?$/, "/");
  const base = { jobs, perms: "barn", impl: "floor", v8: "barn" } as const;
  const variants: Record<string, Knobs> = {
    "spawn, stdout/stderr null": { ...base, drain: "null", db: "0", files: "0" },
    "spawn + drain: for await": { ...base, drain: "stream", db: "0", files: "0" },
    "spawn + drain: default reader": { ...base, drain: "reader", db: "0", files: "0" },
    "spawn + drain: BYOB, reused buffer": { ...base, drain: "byob", db: "0", files: "0" },
    "spawn + drain: pipeTo": { ...base, drain: "pipeto", db: "0", files: "0" },
    "spawn + drain: output()": { ...base, drain: "output", db: "0", files: "0" },
    "for await + a job dir per job (and the batch journal)": {
      ...base,
      drain: "stream",
      db: "0",
      files: "d",
    },
    "for await + files": { ...base, drain: "stream", db: "0", files: "1" },
    "for await + SQLite (3 writes)": { ...base, drain: "stream", db: "3", files: "0" },
    "for await + files + SQLite (3 writes): the floor": {
      ...base,
      drain: "stream",
      db: "3",
      files: "1",
    },
    "BYOB + files + SQLite (3 writes)": { ...base, drain: "byob", db: "3", files: "1" },
    "BYOB + files + SQLite (pid in the end: 2)": { ...base, drain: "byob", db: "2", files: "1" },
    "BYOB + files + SQLite (ends batched per tick)": {
      ...base,
      drain: "byob",
      db: "b",
      files: "1",
    },
    "the floor, V8's default young generation": {
      ...base,
      drain: "stream",
      db: "3",
      files: "1",
      v8: "default",
    },
    "barn's own submit and JobRun, one process (keeper without its link)": {
      ...base,
      drain: "stream",
      db: "3",
      files: "1",
      impl: "barn",
    },
    ...(other
      ? {
        "barn's own, one process: the other tree": {
          ...base,
          drain: "stream",
          db: "3",
          files: "1",
          impl: "barn",
          tree: other,
        } as Knobs,
      }
      : {}),
    "the floor under -A (no permission checks)": {
      ...base,
      drain: "stream",
      db: "3",
      files: "1",
      perms: "all",
    },
  };
  const names = Object.keys(variants).filter((_n, i) => !only || only.includes(String(i)));
  const TSP = "tsp -S 4 (server + clients): the reference";
  const got = new Map<string, number[]>([TSP, ...names].map((n) => [n, []]));
  // tsp in the same session, as row 2 measures it: the target is half of this.
  const tspHome = `${root}/cpu-floor-tsp`;
  Deno.mkdirSync(tspHome, { recursive: true, mode: 0o700 });
  const tsp = { ...tspEnv(tspHome, jobs * 2 + 10), TS_SLOTS: "4" };
  const tspServer = await startTsp(tsp);
  const tspRound = async (keep: boolean) => {
    const before = procCpu(tspServer)!;
    const r = await reap(jobs, ["tsp", "curl", "--version"], { env: tsp });
    const after = procCpu(tspServer)!;
    if (keep) {
      got.get(TSP)!.push((after.mainThread - before.mainThread + reapedMs(r, "tsp", "own")) / jobs);
    }
    await sh(["tsp", "-C"], tsp);
  };
  await tspRound(false);
  for (let r = 0; r < rounds; r++) {
    await tspRound(true);
    for (const n of r % 2 ? [...names].reverse() : names) {
      // Homes are removed only at the end: ext4 scans inodes freed in the last minutes at a create.
      const home = `${root}/cpu-floor-${r}-${names.indexOf(n)}`;
      Deno.mkdirSync(home, { recursive: true, mode: 0o700 });
      got.get(n)!.push(await child(variants[n]!, home));
    }
  }
  await sh(["tsp", "-K"], tsp);
  Deno.removeSync(tspHome, { recursive: true });
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      Deno.removeSync(`${root}/cpu-floor-${r}-${names.indexOf(n)}`, { recursive: true });
    }
  }
  console.log(
    `| variant (${jobs} jobs, 4 at a time, ${rounds} rounds) | CPU per job, median (range) |`,
  );
  console.log("| --- | --- |");
  for (const n of [TSP, ...names]) {
    const xs = got.get(n)!;
    console.log(
      `| ${n} | ${median(xs).toFixed(2)} ms (${Math.min(...xs).toFixed(2)}–${
        Math.max(...xs).toFixed(2)
      }) |`,
    );
  }
  const mine = "barn's own submit and JobRun, one process (keeper without its link)";
  const theirs = "barn's own, one process: the other tree";
  if (got.get(mine)?.length && got.get(theirs)?.length) {
    const r = got.get(mine)!.map((v, i) => v / got.get(theirs)![i]!);
    console.log(
      `\nthis tree / the other, per round: ${median(r).toFixed(3)} (${Math.min(...r).toFixed(3)}–${
        Math.max(...r).toFixed(3)
      })`,
    );
  }
}
