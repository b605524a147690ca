/** Test helpers: a private BARN_HOME below /tmp/barn, the real CLI under the shipped permission set, waitFor. */

import { fileURLToPath as fromFileUrl } from "node:url";
import { DatabaseSync } from "node:sqlite";

export const ROOT = fromFileUrl(new URL("../../", import.meta.url));
export const DENO = `${ROOT}.deno/bin/deno`;
export const MAIN = `${ROOT}src/main.ts`;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
  // deno-lint-ignore no-explicit-any
  json(): any;
}

export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  permissionSet?: string;
  cwd?: string;
}

/** Runs `barn <args>` as a subprocess: `deno run -P=barn src/main.ts`, exactly as shipped. */
export async function barn(home: string, args: string[], opts: RunOptions = {}): Promise<Result> {
  return await barnChild(home, args, opts).result;
}

/** Starts `barn <args>` in the background: its pid now, its outcome later. */
export function barnChild(
  home: string,
  args: string[],
  opts: RunOptions = {},
): { pid: number; result: Promise<Result> } {
  const cmd = new Deno.Command(DENO, {
    args: ["run", "-q", `-P=${opts.permissionSet ?? "barn"}`, MAIN, ...args],
    cwd: opts.cwd ?? ROOT,
    env: { BARN_HOME: home, NO_COLOR: "1", ...opts.env },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  const result = (async () => {
    if (opts.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(opts.stdin));
      await w.close();
    }
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    return {
      code: out.code,
      stdout,
      stderr,
      json() {
        try {
          return JSON.parse(stdout);
        } catch {
          throw new Error(`not JSON (exit ${out.code}):\n${stdout}\n--- stderr:\n${stderr}`);
        }
      },
    };
  })();
  return { pid: child.pid, result };
}

/** True once process `pid` holds a connection to the Unix socket at `path` (read from ss). */
export async function connectedTo(pid: number, path: string): Promise<boolean> {
  const out = await new Deno.Command("ss", { args: ["-x", "-p", "-n"], stdout: "piped" }).output();
  const rows = new TextDecoder().decode(out.stdout).split("\n").map((l) => l.trim().split(/\s+/));
  // u_str ESTAB recvq sendq <local> <inode> <peer> <peer-inode> users:(...)
  const server = new Set(rows.filter((r) => r[4] === path).map((r) => r[5]));
  return rows.some((r) => r.slice(8).join(" ").includes(`pid=${pid},`) && server.has(r[7]));
}

/** Polls `pred` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  pred: () => T | Promise<T>,
  { timeoutMs = 15_000, what = "condition" }: { timeoutMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Makes /tmp/barn (0700) and a fresh home below it; returns its path. */
export function tempHome(name = "t"): string {
  try {
    Deno.mkdirSync("/tmp/barn", { mode: 0o700 });
  } catch { /* exists */ }
  Deno.chmodSync("/tmp/barn", 0o700);
  const home = `/tmp/barn/${name}-${crypto.randomUUID().slice(0, 8)}`;
  Deno.mkdirSync(home, { mode: 0o700 });
  return home;
}

/** The barn processes (main.ts from source, main.js from a bundle) whose BARN_HOME is `home` or below it. */
async function homeProcesses(home: string): Promise<number[]> {
  const ps = await new Deno.Command("ps", { args: ["-eo", "pid=,args="], stdout: "piped" })
    .output();
  // Our children carry BARN_HOME only in their env, so read it from /proc.
  const pids: number[] = [];
  for (const line of new TextDecoder().decode(ps.stdout).split("\n")) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m || !/\bmain\.[jt]s\b/.test(m[2]!)) continue;
    try {
      const env = Deno.readTextFileSync(`/proc/${m[1]}/environ`);
      const h = env.split("\0").find((v) => v.startsWith("BARN_HOME="))?.slice(10);
      if (h === home || h?.startsWith(home + "/")) pids.push(Number(m[1]));
    } catch { /* gone */ }
  }
  return pids;
}

/** Kills every barn process serving `home` (service and keeper) and removes the home. */
export async function cleanupHome(home: string): Promise<void> {
  // Rounds until none is left: a service killed a moment after its keeper can start a new one.
  const killed = new Set<number>();
  for (let round = 0; round < 5; round++) {
    const pids = await homeProcesses(home);
    for (const pid of pids) killed.add(pid);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
    // A killed process may still write until it is gone: wait for the ones killed.
    await waitFor(() => pids.every((pid) => !pidAlive(pid)), {
      what: `the processes of ${home} to exit`,
      timeoutMs: 5000,
    }).catch(() => {});
  }
  // A running job left behind: a detached one leads its own session (kill its group), a plain
  // one was the killed keeper's child (now reparented: kill it alone). Any other process that
  // holds a recorded pid is someone else's and is left alone.
  for (const db of [`${home}/barn.db`, `${home}/h/barn.db`]) {
    for (const pid of runningPids(db)) {
      const ids = procIds(pid);
      if (!ids) continue;
      try {
        if (ids.session === pid) Deno.kill(-pid, "SIGKILL");
        else if (ids.parent === 1 || killed.has(ids.parent)) Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
  }
  try {
    Deno.removeSync(home, { recursive: true });
  } catch { /* gone */ }
}

/** A process's parent and session from /proc (null when it is gone). */
function procIds(pid: number): { parent: number; session: number } | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const [, ppid, , sid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { parent: Number(ppid), session: Number(sid) };
  } catch {
    return null;
  }
}

/** The pids of a home's running jobs, read from its barn.db (none when there is no DB). */
function runningPids(dbPath: string): number[] {
  try {
    Deno.statSync(dbPath);
  } catch {
    return [];
  }
  try {
    const db = new DatabaseSync(dbPath, { readOnly: true });
    try {
      // Only real job pids: a test's hand-written row may hold 0 or 1, and kill(-1) is everything.
      return (db.prepare("SELECT pid FROM jobs WHERE state = 'running' AND pid IS NOT NULL")
        .all() as { pid: number }[]).map((r) => r.pid).filter((p) => Number.isInteger(p) && p > 1);
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

/** Generates a test clip with ffmpeg's lavfi sources (video + audio). */
export async function makeClip(
  path: string,
  seconds = 2,
  opts: { audioOnly?: boolean } = {},
): Promise<string> {
  Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
  const args = opts.audioOnly
    ? [
      "-v",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=440:duration=${seconds}`,
      "-c:a",
      "aac",
      path,
    ]
    : [
      "-v",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `testsrc=size=320x240:rate=25:duration=${seconds}`,
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=440:duration=${seconds}`,
      "-shortest",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-c:a",
      "aac",
      path,
    ];
  const out = await new Deno.Command("ffmpeg", { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`ffmpeg could not make ${path}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return path;
}

/** Starts the service for `home` and waits until it answers. */
export async function startService(home: string, env: Record<string, string> = {}): Promise<void> {
  const r = await barn(home, ["service", "start"], { env });
  if (r.code !== 0) throw new Error(`service start failed (${r.code}): ${r.stdout}${r.stderr}`);
}

/** True for a live process; a zombie (PID 1 here may not reap) counts as dead. */
export function pidAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(path));
}

/** argv of an ffmpeg job that takes `seconds` of real time (a lavfi sine, read with -re). */
export function sineJob(seconds: number, level = "error"): string[] {
  return [
    "ffmpeg",
    "-v",
    level,
    "-re",
    "-f",
    "lavfi",
    "-i",
    `sine=duration=${seconds}`,
    "-f",
    "null",
    "-",
  ];
}

/** A streaming barn command (e.g. listen --output=json) whose JSON Lines collect into `lines`. */
export function streamBarn(
  home: string,
  args: string[],
): { lines: Record<string, unknown>[]; stop(): Promise<void> } {
  const child = new Deno.Command(DENO, {
    args: ["run", "-q", "-P=barn", MAIN, ...args],
    env: { BARN_HOME: home },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  const reading = (async () => {
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    }
  })();
  return {
    lines,
    async stop() {
      child.kill("SIGKILL");
      await child.status;
      await reading.catch(() => {});
    },
  };
}
