/** Driving barn from the bench: private homes below /tmp/barn, the CLI from source, a service per home. */

import { buildBundle } from "../../install/bundle.ts";
import { permissionFlags, type PermissionSet } from "../../install/compile_plan.ts";
import { V8_FLAGS } from "../../src/platform/self.ts";
import { listingBlob } from "../../src/store/record_text.ts";
import { COLUMNS, ROW_COLUMNS } from "../../src/store/rows.ts";
import { DENO, MAIN, ROOT } from "./paths.ts";
import { type ProcCpu, procCpu } from "./procs.ts";
import { sh } from "./sh.ts";

export { DENO, MAIN, ROOT } from "./paths.ts";

/** The homes this run made: only these are cleaned up (other bench runs may be going on). */
const made: string[] = [];

export function tempHome(name: string): string {
  try {
    Deno.mkdirSync("/tmp/barn", { mode: 0o700 });
  } catch { /* exists */ }
  const h = `/tmp/barn/bench_${name}-${crypto.randomUUID().slice(0, 6)}`;
  Deno.mkdirSync(h, { mode: 0o700 });
  made.push(h);
  return h;
}

export const barnCmd = (home: string, ...a: string[]) =>
  sh([DENO, "run", "-q", "-P=barn", MAIN, ...a], { BARN_HOME: home });
export const barnLine = `${DENO} run -q -P=barn ${MAIN}`;

/**
 * barn's JavaScript as the compiled binary embeds it: the compile task's own bundle step
 * (install/bundle.ts), built into `dir`. `deno compile` embeds JavaScript, never TypeScript, so the
 * binary skips what `deno run` does per TypeScript module (read the source, hash it, look up and
 * read its cached emit), and the bundle puts the client's ~30 modules into one chunk. Returns the
 * entry point. The transpiler comes from the npm registry on first use: a failure throws.
 */
export function standinBundle(dir: string): Promise<string> {
  return buildBundle({ binary: "barn", out: dir });
}

/**
 * argv of the closest stand-in for the compiled binary that runs here (it cannot be built:
 * denort cannot be downloaded): the bundle the binary embeds (`entry`, from standinBundle), no
 * deno.json, no lock file, cached modules only, the permission set spelled out as the compile task
 * spells it, and the compiled V8 flags. Unlike the binary it still reads its chunks from disk (and
 * so reads the bundle's dir too).
 */
export function standinArgv(entry: string, ...args: string[]): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const set = config.permissions.barn as PermissionSet;
  const tree = entry.replace(/\/main\.js$/, "");
  const flags = permissionFlags(set, "x86_64-unknown-linux-gnu").map((f) =>
    f.startsWith("--allow-read=") ? `${f},${tree}` : f
  );
  if (!flags.some((f) => f.startsWith("--allow-read="))) flags.push(`--allow-read=${tree}`);
  return [
    DENO,
    "run",
    "-q",
    "--cached-only",
    "--no-lock",
    "--no-config",
    ...flags,
    `--v8-flags=${V8_FLAGS}`,
    entry,
    ...args,
  ];
}

/** `barn run --batch=-` with the given JSON lines on stdin. */
export const barnBatch = (home: string, lines: string) =>
  sh([DENO, "run", "-q", "-P=barn", MAIN, "run", "--batch=-"], { BARN_HOME: home }, lines);

export async function withService<T>(
  home: string,
  config: object,
  f: () => Promise<T>,
): Promise<T> {
  Deno.writeTextFileSync(`${home}/config.json`, JSON.stringify(config));
  const s = await barnCmd(home, "service", "start");
  if (s.code !== 0) throw new Error(`barn service start failed: ${s.out}${s.err}`);
  try {
    return await f();
  } finally {
    await barnCmd(home, "service", "stop", "--kill-jobs");
    killHome(home);
  }
}

/** Kills every barn process of a home (the keeper lingers a few seconds after the service). */
export function killHome(home: string): void {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`);
      if (env.split("\0").includes(`BARN_HOME=${home}`)) Deno.kill(Number(e.name), "SIGKILL");
    } catch { /* gone or not ours */ }
  }
}

/** PIDs of barn's own processes for a home: the service, the keeper, transfers. */
export function barnPids(home: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`);
      if (cmd.includes("main.ts") && env.split("\0").includes(`BARN_HOME=${home}`)) {
        out.push(Number(e.name));
      }
    } catch { /* gone */ }
  }
  return out;
}

/** barn's long-lived processes for a home (the service and its keeper), sampled from /proc. */
export function barnDaemons(home: string): { service: ProcCpu[]; keeper: ProcCpu[] } {
  const out = { service: [] as ProcCpu[], keeper: [] as ProcCpu[] };
  for (const pid of barnPids(home)) {
    let argv: string[];
    try {
      argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    } catch {
      continue;
    }
    const c = procCpu(pid);
    if (!c) continue;
    if (argv.includes("keeper")) out.keeper.push(c);
    else if (argv.includes("service")) out.service.push(c);
  }
  return out;
}

/**
 * Seeds finished jobs straight into a home's store (the service's own schema), for history sizes,
 * each with the listing text barn keeps for a job that ended under it (migration 7).
 */
export async function seedHistory(home: string, n: number): Promise<void> {
  await barnCmd(home, "--offline", "status"); // creates and migrates barn.db
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(`${home}/barn.db`);
  db.exec("BEGIN");
  const ins = db.prepare(
    "INSERT INTO jobs (job_id, state, tag, command, cwd, created_at, started_at, finished_at, exit_code, process_exit_code, log_truncated, verify) VALUES (?, 'succeeded', 'hist', '[\"curl\",\"--version\"]', '/', ?, ?, ?, '0', 0, 0, 0)",
  );
  const t0 = Date.now() - n * 1000;
  for (let i = 0; i < n; i++) {
    const at = new Date(t0 + i * 1000).toISOString();
    ins.run(`h${String(i).padStart(11, "0")}`, at, at, at);
  }
  const text = db.prepare("UPDATE jobs SET listing = ? WHERE rowid = ?");
  const read = db.prepare(`SELECT ${ROW_COLUMNS}, rowid FROM jobs`);
  (read as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
  for (const row of read.all() as unknown as unknown[][]) {
    text.run(listingBlob(row), row[COLUMNS.length] as number);
  }
  db.exec("COMMIT");
  db.close();
}

/** Stops the processes of every home this run made, and removes the homes. */
export function removeBenchHomes(): void {
  for (const h of made) {
    killHome(h);
    try {
      Deno.removeSync(h, { recursive: true });
    } catch { /* busy */ }
  }
}
