/**
 * barn's benchmark suite: barn against task-spooler (tsp) and nq, side by side, in one run,
 * on this machine. Prints a table and writes bench/results.json (ratios, medians, spreads).
 *
 *   deno task bench            full sizes (by hand: takes minutes)
 *   deno task bench --smoke    CI: 1 repetition, 20 jobs, 5 MB, capped at 90 s
 */

import { startDav } from "../tests/helpers/dav.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const DENO = `${ROOT}.deno/bin/deno`;
const MAIN = `${ROOT}src/main.ts`;

const args = new Set(Deno.args);
const opt = (name: string, dflt: number) => {
  const a = Deno.args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split("=")[1]) : dflt;
};
const smoke = args.has("--smoke");
const P = {
  reps: opt("reps", smoke ? 1 : 5),
  jobs: opt("jobs", smoke ? 20 : 1000),
  history: opt("history", smoke ? 2000 : 100_000),
  listing: opt("listing", smoke ? 200 : 10_000),
  running: opt("running", smoke ? 20 : 200),
  mediaSeconds: opt("media-seconds", smoke ? 2 : 45),
  mb: opt("mb", smoke ? 5 : 1024),
  capSeconds: opt("cap", smoke ? 90 : 3600),
};
const outPath = Deno.args.find((x) => x.startsWith("--out="))?.slice(6) ??
  `${ROOT}bench/results.json`;
const started = Date.now();
const deadline = started + P.capSeconds * 1000;
const notes: string[] = [];

function overTime(): boolean {
  return Date.now() > deadline;
}

// ---------------------------------------------------------------- helpers

async function sh(
  cmd: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<{ code: number; out: string; err: string }> {
  const c = new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    env,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = c.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const o = await c.output();
  return {
    code: o.code,
    out: new TextDecoder().decode(o.stdout),
    err: new TextDecoder().decode(o.stderr),
  };
}

async function have(tool: string): Promise<boolean> {
  return (await sh(["sh", "-c", `command -v ${tool}`])).code === 0;
}

/** Installs the peers if they are missing (Debian), or notes that their columns are skipped. */
async function ensurePeers(): Promise<Record<string, boolean>> {
  const want: Record<string, string> = { tsp: "task-spooler", nq: "nq", hyperfine: "hyperfine" };
  const missing = [];
  for (const [t, pkg] of Object.entries(want)) if (!(await have(t))) missing.push(pkg);
  if (missing.length && (await have("apt-get")) && Deno.uid() === 0) {
    await sh(["apt-get", "install", "-y", "-qq", ...missing], {
      DEBIAN_FRONTEND: "noninteractive",
    });
  }
  const out: Record<string, boolean> = {};
  for (const t of Object.keys(want)) {
    out[t] = await have(t);
    if (!out[t]) notes.push(`${t} is not installed: its columns are skipped`);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

function stat(xs: number[]): Stat {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/** Times `f` `reps` times after one warm-up; seconds. */
async function timeIt(reps: number, f: () => Promise<void>, warmup = 1): Promise<Stat> {
  for (let i = 0; i < warmup; i++) await f();
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    xs.push((performance.now() - t0) / 1000);
  }
  return stat(xs);
}

/** hyperfine's mean and spread for single commands, in seconds. */
async function hyperfine(
  cmds: Record<string, string>,
  runs: number,
  env: Record<string, string>,
): Promise<Record<string, Stat>> {
  const json = `/tmp/barn/bench-hf-${crypto.randomUUID()}.json`;
  const names = Object.keys(cmds);
  const argv = ["hyperfine", "-N", "--warmup", "3", "--runs", String(runs), "--export-json", json];
  for (const n of names) argv.push("-n", n, cmds[n]!);
  const r = await sh(argv, env);
  if (r.code !== 0) throw new Error(`hyperfine failed: ${r.err}`);
  const res = JSON.parse(Deno.readTextFileSync(json)).results as {
    command: string;
    median: number;
    min: number;
    max: number;
    times: number[];
  }[];
  Deno.removeSync(json);
  return Object.fromEntries(
    res.map((x) => [x.command, { median: x.median, min: x.min, max: x.max, runs: x.times.length }]),
  );
}

/**
 * Times single commands round-robin: each round runs every command once, in turn, so a drift
 * in the machine's speed (this shared VM moves between a fast and a slow state over seconds)
 * lands on every command alike; hyperfine runs each command's repetitions back to back.
 * `prepare` runs untimed before every timed run. Medians, in seconds.
 */
async function interleaved(
  cmds: Record<string, string[]>,
  runs: number,
  env: Record<string, string>,
  prepare: () => Promise<void> = () => Promise.resolve(),
): Promise<Record<string, Stat>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cmds).map((n) => [n, []]));
  const exec = async (argv: string[]) => {
    const { code } = await new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return code;
  };
  for (let round = -3; round < runs; round++) { // 3 warm-up rounds
    for (const [name, argv] of Object.entries(cmds)) {
      await prepare();
      const t0 = performance.now();
      const code = await exec(argv);
      const dt = (performance.now() - t0) / 1000;
      if (code !== 0) throw new Error(`${name}: ${argv.join(" ")} exited ${code}`);
      if (round >= 0) times[name]!.push(dt);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([n, xs]) => [n, stat(xs)]));
}

function tempHome(name: string): string {
  try {
    Deno.mkdirSync("/tmp/barn", { mode: 0o700 });
  } catch { /* exists */ }
  const h = `/tmp/barn/bench-${name}-${crypto.randomUUID().slice(0, 6)}`;
  Deno.mkdirSync(h, { mode: 0o700 });
  return h;
}

const barnCmd = (home: string, ...a: string[]) =>
  sh([DENO, "run", "-q", "-P=barn", MAIN, ...a], { BARN_HOME: home });
const barnLine = `${DENO} run -q -P=barn ${MAIN}`;

async function withService<T>(home: string, config: object, f: () => Promise<T>): Promise<T> {
  Deno.writeTextFileSync(`${home}/config.json`, JSON.stringify(config));
  const s = await barnCmd(home, "service", "start");
  if (s.code !== 0) throw new Error(`barn service start failed: ${s.out}${s.err}`);
  try {
    return await f();
  } finally {
    await barnCmd(home, "service", "stop", "--kill-jobs");
    await killHome(home);
  }
}

/** Kills every barn process of a home (the keeper lingers a few seconds after the service). */
function killHome(home: string): void {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`);
      if (env.split("\0").includes(`BARN_HOME=${home}`)) Deno.kill(Number(e.name), "SIGKILL");
    } catch { /* gone or not ours */ }
  }
}

function smaps(pid: number, field: "Pss" | "Rss"): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
      Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`),
    );
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
const pss = (pid: number) => smaps(pid, "Pss");
/** A lone process's PSS if nothing else mapped its pages; this script maps the same binary. */
const rss = (pid: number) => smaps(pid, "Rss");

/** PIDs of barn's own processes for a home: the service, the keeper, transfers. */
function barnPids(home: string): number[] {
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

async function waitUntil(pred: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Seeds finished jobs straight into a home's store (the service's own schema), for history sizes. */
async function seedHistory(home: string, n: number): Promise<void> {
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
  db.exec("COMMIT");
  db.close();
}

const results: Record<string, unknown> = {};
const ratios: Record<string, { value: number | null; target: string; holds: boolean | null }> = {};
function ratio(name: string, value: number | null, target: string, holds: (v: number) => boolean) {
  ratios[name] = {
    value: value === null ? null : Math.round(value * 1000) / 1000,
    target,
    holds: value === null ? null : holds(value),
  };
}

// ---------------------------------------------------------------- the metrics

async function submitLatency(peers: Record<string, boolean>) {
  const home = tempHome("submit");
  Deno.writeTextFileSync(`${home}/hello.ts`, 'console.log("hello");\n');
  await withService(home, { max_parallel: 4 }, async () => {
    const cmds: Record<string, string[]> = {
      deno_floor: [DENO, "run", "-q", `${home}/hello.ts`],
      barn_run: [DENO, "run", "-q", "-P=barn", MAIN, "run", "--tag=lat", "curl", "--version"],
    };
    const env: Record<string, string> = { BARN_HOME: home };
    if (peers.tsp) cmds.tsp = ["tsp", "curl", "--version"];
    if (peers.nq) cmds.nq = ["nq", "-q", "curl", "--version"];
    const tmp = `${home}/peers`;
    Deno.mkdirSync(tmp);
    env.TS_SOCKET = `${tmp}/tsp.sock`;
    env.NQDIR = `${tmp}/nq`;
    await barnCmd(home, "run", "--tag=lat", "curl", "--version"); // so the first wait has a job
    // Before each timed run (untimed), every queue's last job is waited for: on 2 cores a
    // job still starting would otherwise overlap the next measurement. Every job still runs.
    const quiet = async () => {
      await barnCmd(home, "wait", "--tag=lat", "--timeout=60s");
      if (peers.tsp) await sh(["tsp", "-w"], env);
      if (peers.nq) await sh(["nq", "-w"], env);
    };
    const r = await interleaved(cmds, Math.max(P.reps * 4, 10), env, quiet);
    results.submit_latency = r;
    ratio(
      "submit_latency_barn_over_deno_floor",
      r.barn_run && r.deno_floor ? r.barn_run.median / r.deno_floor.median : null,
      "<= 1.3",
      (v) => v <= 1.3,
    );
    await sh(["tsp", "-K"], env);
  });
}

async function thousandJobs(peers: Record<string, boolean>) {
  const n = P.jobs;
  const home = tempHome("jobs");
  const env = { TS_SOCKET: `${home}/tsp.sock`, TS_MAXFINISHED: String(n * 4 + 10) };
  const out: Record<string, Stat> = {};
  out.floor_xargs_p4 = await timeIt(P.reps, async () => {
    await sh(["sh", "-c", `seq ${n} | xargs -P4 -I{} curl --version > /dev/null`]);
  });
  let k = 0;
  await withService(home, { max_parallel: 4 }, async () => {
    out.barn_batch = await timeIt(P.reps, async () => {
      const tag = `batch${k++}`;
      const lines = Array.from(
        { length: n },
        () => JSON.stringify({ command: ["curl", "--version"], tag }),
      ).join("\n");
      const s = await sh([DENO, "run", "-q", "-P=barn", MAIN, "run", "--batch=-"], {
        BARN_HOME: home,
      }, lines);
      if (s.code !== 0) throw new Error(s.err);
      await barnCmd(home, "wait", `--tag=${tag}`, "--timeout=600s");
    });
    if (!overTime()) {
      out.barn_single_runs = await timeIt(1, async () => {
        const tag = `single${k++}`;
        for (let i = 0; i < n; i++) await barnCmd(home, "run", `--tag=${tag}`, "curl", "--version");
        await barnCmd(home, "wait", `--tag=${tag}`, "--timeout=600s");
      }, 0);
    } else notes.push("thousand_jobs: the single-run row was skipped (time cap)");
  });
  if (peers.tsp) {
    await sh(["tsp", "-K"], env);
    out.tsp_S4 = await timeIt(P.reps, async () => {
      await sh(["tsp", "-S", "4"], env);
      let last = "";
      for (let i = 0; i < n; i++) last = (await sh(["tsp", "curl", "--version"], env)).out.trim();
      await waitUntil(
        async () => !/running|queued/.test((await sh(["tsp", "-l"], env)).out),
        600_000,
      );
      void last;
      await sh(["tsp", "-C"], env);
    });
    await sh(["tsp", "-K"], env);
  }
  if (peers.nq) {
    // nq runs one queue serially; four queue dirs give it four slots.
    out.nq_4_queues = await timeIt(P.reps, async () => {
      const dirs = [0, 1, 2, 3].map((i) => `${home}/nq${k}-${i}`);
      k++;
      for (const d of dirs) Deno.mkdirSync(d, { recursive: true });
      for (let i = 0; i < n; i++) {
        await sh(["nq", "-q", "curl", "--version"], { NQDIR: dirs[i % 4]! });
      }
      for (const d of dirs) await sh(["nq", "-w"], { NQDIR: d });
    });
  }
  results.thousand_jobs = { jobs: n, ...out };
  const floor = out.floor_xargs_p4!.median;
  const tspOver = out.tsp_S4 ? out.tsp_S4.median - floor : null;
  const barnOver = out.barn_batch!.median - floor;
  ratio(
    "thousand_jobs_batch_overhead_over_tsp_overhead",
    tspOver ? barnOver / tspOver : null,
    "<= 0.5",
    (v) => v <= 0.5,
  );
  if (out.barn_single_runs && tspOver) {
    ratio(
      "thousand_jobs_single_runs_overhead_over_tsp_overhead",
      (out.barn_single_runs.median - floor) / tspOver,
      "(reported)",
      () => true,
    );
  }
  await killHome(home);
}

async function historyGrowth() {
  const empty = tempHome("hist0");
  const full = tempHome("histN");
  await seedHistory(full, P.history);
  // Both services run at once, and the commands alternate round by round: only the home
  // differs, and the machine's drift hits both sides alike.
  const barnIn = (home: string, ...a: string[]) => [
    "env",
    `BARN_HOME=${home}`,
    DENO,
    "run",
    "-q",
    "-P=barn",
    MAIN,
    ...a,
  ];
  const r = await withService(
    empty,
    { max_parallel: 4 },
    () =>
      withService(full, { max_parallel: 4 }, () =>
        interleaved(
          {
            submit_empty: barnIn(empty, "run", "--pending=bench", "curl", "--version"),
            submit_full: barnIn(full, "run", "--pending=bench", "curl", "--version"),
            status_running_empty: barnIn(empty, "status", "--state=running"),
            status_running_full: barnIn(full, "status", "--state=running"),
          },
          Math.max(P.reps * 6, 15),
          {},
        )),
  );
  results.history_growth = { history_jobs: P.history, ...r };
  if (r.submit_empty && r.submit_full) {
    ratio(
      "history_submit_full_over_empty",
      r.submit_full.median / r.submit_empty.median,
      "<= 1.10",
      (v) => v <= 1.1,
    );
    ratio(
      "history_status_running_full_over_empty",
      r.status_running_full!.median / r.status_running_empty!.median,
      "<= 1.20",
      (v) => v <= 1.2,
    );
  }
}

async function fullListing(peers: Record<string, boolean>) {
  const n = P.listing;
  const home = tempHome("list");
  await seedHistory(home, n);
  const r: Record<string, Stat> = {};
  await withService(home, { max_parallel: 4 }, async () => {
    if (peers.hyperfine) {
      Object.assign(
        r,
        await hyperfine(
          { barn_status_json_all: `${barnLine} status --output=json --all` },
          Math.max(P.reps * 2, 5),
          { BARN_HOME: home },
        ),
      );
    }
  });
  if (peers.tsp && peers.hyperfine) {
    const env = { TS_SOCKET: `${home}/tsp.sock`, TS_MAXFINISHED: String(n + 10), TS_SLOTS: "4" };
    await sh(["tsp", "-K"], env);
    await sh(["tsp", "-S", "4"], env);
    for (let i = 0; i < n; i++) await sh(["tsp", "true"], env);
    await waitUntil(
      async () => !/running|queued/.test((await sh(["tsp", "-l"], env)).out),
      300_000,
    );
    Object.assign(r, await hyperfine({ tsp_l: "tsp -l" }, Math.max(P.reps * 2, 5), env));
    await sh(["tsp", "-K"], env);
  }
  results.full_listing = { jobs: n, ...r };
  ratio(
    "full_listing_barn_over_tsp",
    r.tsp_l && r.barn_status_json_all ? r.barn_status_json_all.median / r.tsp_l.median : null,
    "(reported)",
    () => true,
  );
}

const memRounds = smoke ? 2 : 10;

/** PSS moves by a few MB between identical Deno processes (shared pages): take the median of 5. */
async function pssSamples(f: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) xs.push(await f());
  return median(xs);
}

/** This process and its ancestors (`deno task`, a test runner): always there, never "other". */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = Deno.pid; pid > 1 && !out.has(pid);) {
    out.add(pid);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }
  return out;
}

/** Deno processes (the same deno binary) other than this script and its ancestors. */
function otherDenos(): number[] {
  const exe = Deno.realPathSync(DENO);
  const mine = selfAndAncestors();
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name) || mine.has(Number(e.name))) continue;
    try {
      if (Deno.readLinkSync(`/proc/${e.name}/exe`) === exe) out.push(Number(e.name));
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

async function memory() {
  // PSS splits shared pages (the deno binary) among the processes that map them, and this
  // script maps them too; the bare process and the idle service, one process each, are set
  // side by side by RSS (their PSS if alone), with no other Deno process running.
  await waitUntil(() => otherDenos().length === 0, 30_000);
  const bare = new Deno.Command(DENO, {
    args: ["eval", "setTimeout(() => {}, 600000)"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await new Promise((r) => setTimeout(r, 1500));
  const bareBytes = await pssSamples(async () => {
    await new Promise((r) => setTimeout(r, 300));
    return rss(bare.pid);
  });
  bare.kill("SIGKILL");
  await bare.status;
  const home = tempHome("mem");
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    try {
      for await (const c of silent) held.push(c);
    } catch { /* closed */ }
  })();
  const out: Record<string, number> = { bare_deno_rss: bareBytes };
  await withService(home, { max_parallel: P.running + 10, keeper_idle: "2s" }, async () => {
    await waitUntil(() => barnPids(home).length === 1, 10_000);
    const sample = () =>
      pssSamples(async () => {
        await new Promise((r) => setTimeout(r, 300));
        return barnPids(home).reduce((a, p) => a + pss(p), 0);
      });
    await waitUntil(() => otherDenos().length === 1, 15_000); // the service alone
    // Idle, the service is one process: its RSS is its PSS as if this script (another deno
    // process, sharing the binary's pages) were not running.
    const [svc] = barnPids(home);
    out.idle_rss = await pssSamples(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return rss(svc!);
    });
    out.idle_pss = await sample();
    // Rounds of jobs up to 10x: after the first the heap has warmed up; "flat" means the last
    // rounds (up to 10k jobs in a full run) hold no more than the first ones.
    for (const round of Array.from({ length: memRounds }, (_, i) => i + 1)) {
      const lines = Array.from(
        { length: P.jobs },
        () => JSON.stringify({ command: ["curl", "--version"], tag: `m${round}` }),
      ).join("\n");
      await sh(
        [DENO, "run", "-q", "-P=barn", MAIN, "run", "--batch=-"],
        { BARN_HOME: home },
        lines,
      );
      await barnCmd(home, "wait", `--tag=m${round}`, "--timeout=600s");
      await waitUntil(() => barnPids(home).length === 1, 15_000); // the keeper idles out
      out[`after_${round * P.jobs}_jobs_pss`] = await sample();
    }
    out.after_jobs_count = memRounds * P.jobs;
    const port = (silent.addr as Deno.NetAddr).port;
    const run = Array.from(
      { length: P.running },
      () =>
        JSON.stringify({
          command: ["curl", "-s", "--max-time", "120", `http://127.0.0.1:${port}/`],
          tag: "r",
        }),
    ).join("\n");
    await sh([DENO, "run", "-q", "-P=barn", MAIN, "run", "--batch=-"], { BARN_HOME: home }, run);
    await waitUntil(
      async () =>
        JSON.parse((await barnCmd(home, "service", "status", "--output=json")).out).jobs.running ===
          P.running,
      60_000,
    );
    out.running_jobs = P.running;
    out.running_pss = barnPids(home).reduce((a, p) => a + pss(p), 0);
    out.per_running_job_bytes = Math.round((out.running_pss - out.idle_pss) / P.running);
  });
  silent.close();
  for (const c of held) {
    try {
      c.close();
    } catch { /* closed */ }
  }
  results.memory = out;
  ratio(
    "memory_idle_over_bare_deno",
    out.idle_rss! / bareBytes,
    "<= 1.5",
    (v) => v <= 1.5,
  );
  // Each round's PSS is itself a median of 5 samples; a single round still moves by a few MB,
  // so the last third of the rounds is set against the first third.
  const rounds = Array.from(
    { length: memRounds },
    (_, i) => out[`after_${(i + 1) * P.jobs}_jobs_pss`]!,
  );
  const third = Math.max(1, Math.floor(memRounds / 3));
  ratio(
    "memory_last_rounds_over_first_rounds",
    median(rounds.slice(-third)) / median(rounds.slice(0, third)),
    "flat (<= 1.1)",
    (v) => v <= 1.1,
  );
}

async function media() {
  const home = tempHome("media");
  const clip = `${home}/input.mp4`;
  const s = P.mediaSeconds;
  // The transcode must be long enough that fixed costs are measured fairly (≥ 20 s in full runs).
  const size = smoke ? "320x240" : "1920x1080";
  const src = [`testsrc2=size=${size}:rate=25:duration=${s}`, `sine=duration=${s}`];
  await sh([
    "ffmpeg",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    src[0]!,
    "-f",
    "lavfi",
    "-i",
    src[1]!,
    "-shortest",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-c:a",
    "aac",
    clip,
  ]);
  const preset = smoke ? "ultrafast" : "medium";
  const transcode = (
    out: string,
  ) => ["-y", "-i", clip, "-c:v", "libx264", "-preset", preset, "-c:a", "aac", out];
  const r: Record<string, Stat> = {};
  await withService(home, { max_parallel: 2 }, async () => {
    // Direct and through-barn runs alternate, so a drift in the machine's speed over these
    // minutes (a shared VM) lands on both sides alike.
    const times: Record<"direct" | "through_barn", number[]> = { direct: [], through_barn: [] };
    const ops = {
      direct: async () => {
        await sh(["ffmpeg", "-v", "error", ...transcode(`${home}/direct.mp4`)]);
      },
      through_barn: async () => {
        const id =
          (await barnCmd(home, "run", "ffmpeg", "-v", "error", ...transcode(`${home}/barn.mp4`)))
            .out.trim();
        await barnCmd(home, "wait", id, "--timeout=3600s");
      },
    };
    for (let rep = 0; rep < P.reps; rep++) {
      for (const name of ["direct", "through_barn"] as const) {
        const t0 = performance.now();
        await ops[name]();
        times[name].push((performance.now() - t0) / 1000);
      }
    }
    r.direct = stat(times.direct);
    r.through_barn = stat(times.through_barn);
    r.fixed_probe = await timeIt(Math.max(P.reps, 3), async () => {
      await sh(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", clip]);
    }, 1);
  });
  results.media = { seconds_of_input: s, ...r };
  if (!smoke && r.direct!.median < 20) {
    notes.push(`media: the direct transcode took only ${r.direct!.median.toFixed(1)}s (< 20 s)`);
  }
  ratio(
    "media_through_barn_over_direct",
    r.through_barn!.median / r.direct!.median,
    "<= 1.02",
    (v) => v <= 1.02,
  );
}

async function webdav() {
  const home = tempHome("dav");
  const root = `${home}/srv`;
  Deno.mkdirSync(root);
  const dav = await startDav(root, "bench", "bench-pass");
  const url = dav.url;
  const size = P.mb * 1024 * 1024;
  const f = await Deno.open(`${root}/blob.bin`, { write: true, create: true });
  const chunk = new Uint8Array(1024 * 1024);
  for (let i = 0; i < P.mb; i++) {
    crypto.getRandomValues(chunk.subarray(0, 65536));
    await f.write(chunk);
  }
  f.close();
  Deno.writeTextFileSync(
    `${home}/credentials.json`,
    JSON.stringify({ hosts: { [new URL(url).host]: { user: "bench", password: "bench-pass" } } }),
  );
  Deno.chmodSync(`${home}/credentials.json`, 0o600);
  Deno.writeTextFileSync(`${home}/curl.conf`, 'user = "bench:bench-pass"\n');
  const r: Record<string, Stat> = {};
  let k = 0;
  // Each timed transfer starts from the same state: the previous outputs removed and the page
  // cache flushed (sync), untimed. curl -o truncates its old file in place, while barn writes
  // aside and renames over it (atomic); left in place, the old gigabyte made barn take fresh
  // pages that this VM backs slowly on first touch, and curl not (docs/performance.md).
  // curl and barn alternate within every repetition.
  const flush = async () => {
    for (const f of [`${home}/curl-get.bin`, `${home}/barn-get.bin`]) {
      try {
        Deno.removeSync(f);
      } catch { /* not there */ }
    }
    for (const e of Deno.readDirSync(root)) {
      if (e.name.startsWith("up-")) Deno.removeSync(`${root}/${e.name}`);
    }
    await sh(["sync"]);
  };
  const ops: Record<string, () => Promise<void>> = {
    curl_get: async () => {
      await sh([
        "curl",
        "-sS",
        "-K",
        `${home}/curl.conf`,
        "-o",
        `${home}/curl-get.bin`,
        `${url}/blob.bin`,
      ]);
    },
    barn_get: async () => {
      const id =
        (await barnCmd(home, "get", "--overwrite", `${url}/blob.bin`, `${home}/barn-get.bin`)).out
          .trim();
      await barnCmd(home, "wait", id, "--timeout=3600s");
    },
    curl_put: async () => {
      await sh([
        "curl",
        "-sS",
        "-K",
        `${home}/curl.conf`,
        "-T",
        `${root}/blob.bin`,
        `${url}/up-curl-${k++}.bin`,
      ]);
    },
    barn_put: async () => {
      const id = (await barnCmd(home, "put", `${root}/blob.bin`, `${url}/up-barn-${k++}.bin`)).out
        .trim();
      await barnCmd(home, "wait", id, "--timeout=3600s");
    },
  };
  const times: Record<string, number[]> = {
    curl_get: [],
    barn_get: [],
    curl_put: [],
    barn_put: [],
  };
  await withService(home, { max_parallel: 2 }, async () => {
    for (let rep = 0; rep <= P.reps; rep++) {
      for (const [name, op] of Object.entries(ops)) {
        await flush();
        const t0 = performance.now();
        await op();
        if (rep > 0) times[name]!.push((performance.now() - t0) / 1000); // rep 0 warms up
      }
    }
  });
  for (const [name, xs] of Object.entries(times)) r[name] = stat(xs);
  await dav.stop();
  results.webdav = { bytes: size, ...r };
  // Throughput ratios: curl's time over barn's (≥ 0.9 means barn reaches 90 % of curl's speed).
  ratio(
    "webdav_get_throughput_barn_over_curl",
    r.curl_get!.median / r.barn_get!.median,
    ">= 0.9",
    (v) => v >= 0.9,
  );
  ratio(
    "webdav_put_throughput_barn_over_curl",
    r.curl_put!.median / r.barn_put!.median,
    ">= 0.9",
    (v) => v >= 0.9,
  );
}

// ---------------------------------------------------------------- main

const peers = await ensurePeers();
const steps: [string, () => Promise<void>][] = [
  ["submit_latency", () => submitLatency(peers)],
  ["thousand_jobs", () => thousandJobs(peers)],
  ["history_growth", historyGrowth],
  ["full_listing", () => fullListing(peers)],
  ["memory", memory],
  ["media", media],
  ["webdav", webdav],
];
const only = Deno.args.find((x) => x.startsWith("--only="))?.slice(7).split(",");
for (const [name, f] of steps) {
  if (only && !only.includes(name)) continue;
  if (overTime()) {
    notes.push(`${name}: skipped, the ${P.capSeconds}s cap was reached`);
    results[name] = { skipped: true };
    continue;
  }
  const t0 = Date.now();
  try {
    await f();
  } catch (e) {
    notes.push(`${name}: failed: ${(e as Error).message}`);
    results[name] = { error: (e as Error).message };
  }
  console.error(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
for (const e of Deno.readDirSync("/tmp/barn")) {
  if (e.name.startsWith("bench-")) {
    await killHome(`/tmp/barn/${e.name}`);
    try {
      Deno.removeSync(`/tmp/barn/${e.name}`, { recursive: true });
    } catch { /* busy */ }
  }
}

const machine = {
  cpus: navigator.hardwareConcurrency,
  os: `${Deno.build.os} ${Deno.osRelease()}`,
  deno: Deno.version.deno,
  hostname: Deno.hostname(),
};
const report = {
  date: new Date().toISOString(),
  machine,
  params: { ...P, smoke },
  seconds: (Date.now() - started) / 1000,
  metrics: results,
  ratios,
  notes,
};
Deno.writeTextFileSync(outPath, JSON.stringify(report, null, 2) + "\n");

const pad = (s: string, n: number) => s.padEnd(n);
console.log(pad("ratio", 56) + pad("value", 10) + pad("target", 14) + "holds");
for (const [k, v] of Object.entries(ratios)) {
  console.log(
    pad(k, 56) + pad(v.value === null ? "-" : String(v.value), 10) + pad(v.target, 14) +
      (v.holds === null ? "-" : v.holds ? "yes" : "NO"),
  );
}
for (const n of notes) console.log(`note: ${n}`);
console.log(`wrote ${outPath} in ${report.seconds.toFixed(0)}s`);
