/**
 * Crash loop: random SIGKILLs of the service, the keeper or both, while clients submit single
 * jobs, keyed jobs and batches, and jobs run. After every restart the invariants of issue 12
 * are checked and counted; now and then (and at the end) barn.db is moved aside and the
 * service must rebuild every job from the job dirs, without losing, adding or re-running one.
 */

import { barn, cleanupHome, tempHome } from "../helpers/barn.ts";
import { exitVerdict } from "../../src/jobs/transitions.ts";
import {
  barnProcs,
  ensureService,
  Findings,
  flockHolders,
  integrity,
  jobRows,
  killAll,
  lockHolder,
  pause,
  pidAlive,
  readExit,
  readSnapshot,
  Rng,
  type Row,
  saveEvidence,
  secondsSince,
  serviceLogTail,
  startWitness,
  waitFor,
  withDb,
} from "./lib.ts";

export interface CrashLoopOptions {
  kills: number;
  seed: number;
  /** Move barn.db aside and rebuild every this many kills (and once at the end). */
  rebuildEvery: number;
  log?: (m: string) => void;
}

/** Job kinds with a known outcome; the witnessed ones hit the witness server once per run. */
const KINDS = {
  ok: { exit: 0, witnessed: true, weight: 25 },
  miss: { exit: 22, witnessed: true, weight: 15 },
  refused: { exit: 7, witnessed: false, weight: 10 },
  probe: { exit: 0, witnessed: false, weight: 20 },
  slow: { exit: 0, witnessed: true, weight: 10 },
  transcode: { exit: 0, witnessed: false, weight: 10 },
} as const;
type Kind = keyof typeof KINDS;

interface Submission {
  kind: Kind;
  /** Unique per submission; it is the job's tag, so the DB row can be told apart. */
  token: string;
  key: string | null;
}

/**
 * How long settling may take after a kill: reconcile passes run every heartbeat (1 s here) and
 * settle orphans one at a time, up to ~2 s each (TERM, then KILL), for up to max_parallel (8) jobs.
 */
const SETTLE_MS = 20_000;
/** Queued jobs past which submitters wait: enough to keep 8 slots busy, short to drain. */
const BACKLOG = 40;
const CONFIG = { max_parallel: 8, heartbeat: "1s", keeper_idle: "1s" };

export async function crashLoop(opts: CrashLoopOptions): Promise<Findings> {
  const f = new Findings();
  const log = opts.log ?? (() => {});
  const rng = new Rng(opts.seed);
  const home = tempHome("chaos-crash");
  const db = `${home}/barn.db`;
  const w = startWitness();
  const t0 = Date.now();

  const byToken = new Map<string, Submission>();
  const acked = new Map<string, Submission>();
  const keyToId = new Map<string, string>();
  // Cumulative failures, as sets so that each offender counts once.
  const lost = new Set<string>();
  const snapshotMissing = new Set<string>();
  const unrebuildable = new Set<string>();
  const stuck = new Set<string>();
  const exitMismatch = new Set<string>();
  const wrongOutcome = new Set<string>();
  const keyConflicts = new Set<string>();
  const integrityBad: string[] = [];
  const snapshotOk = new Set<string>();
  const exitChecked = new Set<string>();
  let tokenSeq = 0;
  const slowRestarts: string[] = [];
  const background: Promise<unknown>[] = [];

  const command = (kind: Kind, token: string): string[] => {
    switch (kind) {
      case "ok":
        return ["curl", "-sS", `${w.url}/hit/${token}`];
      case "miss":
        return ["curl", "-sSf", `${w.url}/miss/${token}`];
      case "refused":
        return ["curl", "-sS", `http://127.0.0.1:${w.closedPort}/${token}`];
      case "probe":
        return ["ffprobe", "-version"];
      case "slow":
        return ["curl", "-sS", `${w.url}/slow/${token}/${rng.int(200, 1500)}`];
      case "transcode":
        return [
          "ffmpeg",
          "-v",
          "error",
          "-y",
          "-f",
          "lavfi",
          "-i",
          "sine=duration=1",
          "-c:a",
          "pcm_s16le",
          `${home}/output/${token}.wav`,
        ];
    }
  };
  const weighted = Object.entries(KINDS).flatMap(([k, v]) => Array(v.weight).fill(k as Kind));
  const newSubmission = (key: string | null): Submission => {
    const s = { kind: rng.pick(weighted), token: `t${++tokenSeq}`, key };
    byToken.set(s.token, s);
    return s;
  };
  /** Records one acknowledged record; a duplicate must name the job its key already has. */
  const ack = (rec: Row, sent: Submission) => {
    const id = rec.job_id as string;
    const sub = byToken.get(rec.tag as string);
    if (!sub) {
      f.failures.push(`an acknowledged job ${id} carries an unknown tag ${rec.tag}`);
      return;
    }
    if (rec.duplicate !== true && sub !== sent) {
      f.failures.push(`job ${id} answered for ${sent.token} but carries ${sub.token}`);
    }
    acked.set(id, sub);
    if (sent.key !== null) {
      const before = keyToId.get(sent.key);
      if (before !== undefined && before !== id) keyConflicts.add(sent.key);
      keyToId.set(sent.key, id);
      f.add(rec.duplicate === true ? "acked_key_duplicates" : "acked_keyed");
    }
  };

  // Submitters run until `stop`; `paused` holds them between submissions.
  let stop = false;
  let paused = false;
  let inFlight = 0;
  const keyFor = () => {
    const known = [...keyToId.keys()];
    return known.length > 0 && rng.chance(0.3) ? rng.pick(known) : `k${++tokenSeq}`;
  };
  const submitOne = async (mode: "single" | "keyed" | "batch") => {
    inFlight++;
    try {
      if (mode === "batch") {
        const subs = Array.from(
          { length: rng.int(2, 10) },
          () => newSubmission(rng.chance(0.3) ? keyFor() : null),
        );
        const text = subs.map((s) =>
          JSON.stringify({
            command: command(s.kind, s.token),
            tag: s.token,
            ...(s.key ? { key: s.key } : {}),
          })
        ).join("\n");
        const r = await barn(home, ["run", "--batch=-", "--output=json"], { stdin: text + "\n" });
        if (r.code !== 0) return void f.add("submissions_refused");
        const recs = r.json() as Row[];
        recs.forEach((rec, i) => ack(rec, subs[i]!));
        f.add("acked_batches");
      } else {
        const s = newSubmission(mode === "keyed" ? keyFor() : null);
        const args = ["run", "--output=json", `--tag=${s.token}`];
        if (s.key) args.push(`--key=${s.key}`);
        const r = await barn(home, [...args, ...command(s.kind, s.token)]);
        if (r.code !== 0) return void f.add("submissions_refused");
        ack(r.json(), s);
      }
    } finally {
      inFlight--;
    }
  };
  /** Jobs waiting to run: submitters hold back past a backlog, so the queue keeps draining. */
  const backlog = () => {
    try {
      return withDb(
        db,
        (d) =>
          (d.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued'").get() as Row)
            .n as number,
      );
    } catch {
      return 0; // no DB at this moment (a rebuild): nothing to hold back for
    }
  };
  const submitter = async (mode: "single" | "keyed" | "batch") => {
    while (!stop) {
      if (paused || backlog() > BACKLOG) {
        await pause(50);
        continue;
      }
      await submitOne(mode);
    }
  };
  const holdSubmitters = async () => {
    paused = true;
    await waitFor(() => inFlight === 0, { what: "submissions in flight to end" });
  };

  /** Running jobs must have a live supervisor holding their lock; exit.json must be collected. */
  const unsettled = (rows: Map<string, Row>): string[] => {
    const holders = flockHolders();
    return [...rows.values()].filter((r) => {
      if (r.state !== "running") return false;
      const dir = `${home}/jobs/${r.job_id}`;
      return lockHolder(dir, holders) === null || readExit(home, r.job_id as string) !== null;
    }).map((r) => r.job_id as string);
  };

  /** The service this loop started last; it may only go away by our SIGKILL. */
  let serviceNow: number | null = null;
  const serviceExits: string[] = [];
  const noteServiceExit = (alive: number[], when: string) => {
    if (serviceNow === null || alive.includes(serviceNow)) return;
    const path = saveEvidence(home, "service-exit");
    serviceExits.push(
      `pid ${serviceNow}, seen gone ${when}; log ends: ${
        serviceLogTail(home, 2).replaceAll("\n", " | ")
      }${path ? `; evidence ${path}` : ""}`,
    );
    serviceNow = null;
  };

  const check = async (final: boolean) => {
    const ok = await integrity(db);
    if (ok !== "ok") integrityBad.push(ok);
    let rows = jobRows(db);
    for (const id of acked.keys()) if (!rows.has(id)) lost.add(id);
    for (const [id] of rows) {
      if (snapshotOk.has(id)) continue;
      if (readSnapshot(home, id)?.job_id === id) snapshotOk.add(id);
      // Between its commit and the rename to job.json, a new job's snapshot is job.pending.json:
      // rebuildable (held), not lost. With neither, the job could not be rebuilt.
      else if (readSnapshot(home, id, "job.pending.json")?.job_id !== id) unrebuildable.add(id);
    }
    // Give reconcile its chance; whatever is still unsettled after that is stuck.
    let pending = unsettled(rows);
    if (pending.length > 0) {
      const deadline = Date.now() + SETTLE_MS;
      while (pending.length > 0 && Date.now() < deadline) {
        await pause(200);
        noteServiceExit(barnProcs(home).service, "while jobs settled");
        if (serviceNow === null) break; // no service left to settle them: counted as its exit
        rows = jobRows(db);
        pending = unsettled(rows);
      }
      if (serviceNow === null) pending = []; // the next service settles them; its exit counts
      if (pending.length) saveEvidence(home, "stuck");
      for (const id of pending) {
        const r = rows.get(id)!;
        stuck.add(
          `${id} (${
            byToken.get(r.tag as string)?.kind
          }, supervisor ${r.supervisor}, pid ${r.pid}, ` +
            `exit.json ${readExit(home, id) ? "present" : "absent"}, started ${r.started_at}; ` +
            `lock: ${lockLine(`${home}/jobs/${id}`)}; ` +
            `log: ${logLines(home, id).join(" | ") || "nothing"})`,
        );
      }
    }
    for (const [id, r] of rows) {
      if (r.state === "queued" || r.state === "running" || exitChecked.has(id)) continue;
      exitChecked.add(id);
      const ex = readExit(home, id);
      if (ex) {
        // The end as exit.json says it: its `final` when the store wrote it, else the process's.
        const want = (ex.final as { exit_code: unknown } | undefined) ?? exitVerdict(ex as never);
        const got = [r.process_exit_code, r.signal, r.exit_code];
        const exp = [ex.process_exit_code, ex.signal, String(want.exit_code)];
        if (JSON.stringify(got) !== JSON.stringify(exp)) {
          exitMismatch.add(`${id}: db ${got} exit.json ${exp}`);
        }
      }
      const sub = byToken.get(r.tag as string);
      if (sub && r.exit_code !== String(KINDS[sub.kind].exit) && r.exit_code !== "E_INTERRUPTED") {
        wrongOutcome.add(`${id} (${sub.kind}): ${r.exit_code} ${r.error ?? ""}`);
      }
    }
    if (final) {
      for (const [id] of rows) if (readSnapshot(home, id)?.job_id !== id) snapshotMissing.add(id);
    }
    return rows;
  };

  /** Jobs still running, or queued with nothing holding them (held jobs may wait). */
  const busy = (rows: Map<string, Row>) =>
    [...rows.values()].filter((r) =>
      r.state === "running" || (r.state === "queued" && r.latch === null)
    ).map((r) => `${r.job_id} ${r.state}`);
  const quiet = (rows: Map<string, Row>) => busy(rows).length === 0;
  /** Jobs a drain left running or runnable-but-queued: a queue that stalled. */
  const undrained = new Set<string>();

  let rebuilds = 0;
  const rebuildLost = new Set<string>();
  const rebuildExtra = new Set<string>();
  const rebuildChanged = new Set<string>();
  const rebuild = async () => {
    rebuilds++;
    await holdSubmitters();
    const p = barnProcs(home);
    await killAll([...p.service, ...p.keeper]);
    const moved = `${home}/moved-${rebuilds}`;
    Deno.mkdirSync(moved);
    for (const ext of ["", "-wal", "-shm"]) {
      try {
        Deno.renameSync(db + ext, `${moved}/barn.db${ext}`);
      } catch { /* absent */ }
    }
    const before = jobRows(`${moved}/barn.db`);
    await ensureService(home);
    serviceNow = barnProcs(home).service[0] ?? null;
    let after = jobRows(db);
    try {
      await waitFor(() => quiet(after = jobRows(db)), {
        timeoutMs: 120_000,
        what: "the rebuilt queue to run out",
      });
    } catch {
      for (const j of busy(after)) undrained.add(`after rebuild ${rebuilds}: ${j}`);
    }
    for (const id of before.keys()) if (!after.has(id)) rebuildLost.add(id);
    for (const id of after.keys()) if (!before.has(id)) rebuildExtra.add(id);
    for (const [id, b] of before) {
      const a = after.get(id);
      if (!a || b.state === "queued" || b.state === "running") continue;
      const fields = ["state", "exit_code", "process_exit_code", "signal", "key", "tag"];
      const diff = fields.filter((k) => a[k] !== b[k]);
      if (diff.length) {
        rebuildChanged.add(`${id}: ${diff.map((k) => `${k} ${b[k]}→${a[k]}`).join(", ")}`);
      }
    }
    f.add("rebuilt_jobs", before.size);
    f.add(
      "rebuild_held",
      [...after.values()].filter((r) => r.state === "queued" && r.latch !== null).length,
    );
    log(`rebuild ${rebuilds}: ${before.size} jobs before, ${after.size} after`);
    paused = false;
  };

  try {
    Deno.writeTextFileSync(`${home}/config.json`, JSON.stringify(CONFIG));
    await ensureService(home);
    serviceNow = barnProcs(home).service[0] ?? null;
    const submitters = [submitter("single"), submitter("keyed"), submitter("batch")];
    for (let k = 1; k <= opts.kills; k++) {
      const tk = Date.now();
      await pause(rng.int(30, 300)); // the fault lands at a random moment
      let victim = rng.pick(["service", "service", "keeper", "both"] as const);
      const p = barnProcs(home);
      noteServiceExit(p.service, `before kill ${k}`);
      if (victim === "keeper" && p.keeper.length === 0) victim = "service";
      await killAll(
        victim === "service"
          ? p.service
          : victim === "keeper"
          ? p.keeper
          : [...p.service, ...p.keeper],
      );
      f.add(`kills_${victim}`);
      if (victim !== "keeper") {
        if (rng.chance(0.15)) {
          // Kill the next service again while it starts up and reconciles.
          // Its `service start` client waits for a service to answer; the next start gives it one.
          background.push(barn(home, ["service", "start"]));
          await pause(rng.int(30, 400));
          await killAll(barnProcs(home).service);
          f.add("kills_during_start");
        }
        try {
          await ensureService(home);
        } catch (e) {
          f.failures.push(
            `the service did not come back after kill ${k}: ${(e as Error).message.slice(0, 600)}`,
          );
          break;
        }
      }
      serviceNow = barnProcs(home).service[0] ?? null;
      const tc = Date.now();
      const restartMs = tc - tk;
      if (restartMs > 10_000) {
        slowRestarts.push(
          `kill ${k} (${victim}): ${restartMs} ms; log: ${
            serviceLogTail(home, 3).replaceAll("\n", " | ")
          }`,
        );
      }
      await check(false);
      log(
        `kill ${k} (${victim}) restart ${restartMs} ms, checked in ${
          Date.now() - tc
        } ms; ${acked.size} acked; refused ${f.figures.submissions_refused}`,
      );
      if (opts.rebuildEvery > 0 && k % opts.rebuildEvery === 0 && k < opts.kills) await rebuild();
      if (k % 10 === 0) {
        log(`kill ${k}/${opts.kills}: ${acked.size} acknowledged, ${lost.size} lost`);
      }
    }
    stop = true;
    await Promise.all([...submitters, ...background]);
    let rows = jobRows(db);
    const td = Date.now();
    try {
      await waitFor(() => quiet(rows = jobRows(db)), {
        timeoutMs: 180_000,
        what: "the queue to run out",
      });
    } catch {
      for (const j of busy(rows)) undrained.add(`at the end: ${j}`);
    }
    log(`drained ${rows.size} jobs in ${Date.now() - td} ms`);
    rows = await check(true);
    await rebuild();
    rows = jobRows(db);
    const ranTwice = [...w.hits].filter(([, n]) => n > 1);
    // A witnessed job that ended with its command's own code ran: the witness must have seen it.
    const unseen = [...rows.values()].filter((r) => {
      const sub = byToken.get(r.tag as string);
      return sub && KINDS[sub.kind].witnessed && r.exit_code === String(KINDS[sub.kind].exit) &&
        !w.hits.has(sub.token);
    }).map((r) => `${r.job_id} (${r.tag})`);
    const states: Record<string, number> = {};
    for (const r of rows.values()) states[r.state as string] = (states[r.state as string] ?? 0) + 1;
    f.set("kills", opts.kills);
    f.set("seed", opts.seed);
    f.set("acked", acked.size);
    f.set("jobs_in_db", rows.size);
    for (const [s, n] of Object.entries(states)) f.set(`jobs_${s}`, n);
    f.set("interrupted", [...rows.values()].filter((r) => r.exit_code === "E_INTERRUPTED").length);
    f.set("rebuilds", rebuilds);
    f.set("restarts_over_10s", slowRestarts.join("; ") || 0);
    f.set("seconds", secondsSince(t0));
    f.expectNone("integrity_check not ok after a restart", integrityBad.length, integrityBad);
    f.expectNone("acknowledged jobs lost", lost.size, [...lost]);
    f.expectNone(
      "jobs in the DB seen with no readable snapshot (job.json or job.pending.json) at some check",
      unrebuildable.size,
      [...unrebuildable],
    );
    f.expectNone("jobs in the DB without a readable job.json at the end", snapshotMissing.size, [
      ...snapshotMissing,
    ]);
    f.expectNone("service exits that were not our SIGKILL", serviceExits.length, serviceExits);
    f.expectNone("jobs stuck running without a live supervisor holding their lock", stuck.size, [
      ...stuck,
    ]);
    f.expectNone("exits recorded differently from exit.json", exitMismatch.size, [...exitMismatch]);
    f.expectNone("jobs ending with a code their command cannot give", wrongOutcome.size, [
      ...wrongOutcome,
    ]);
    f.expectNone("keys answered with two different jobs", keyConflicts.size, [...keyConflicts]);
    f.expectNone(
      "submissions stored twice (one tag, two jobs)",
      duplicatedTags(rows).length,
      duplicatedTags(rows),
    );
    f.expectNone("keys held by two jobs", duplicatedKeys(rows).length, duplicatedKeys(rows));
    f.expectNone(
      "job runs counted twice by the witness",
      ranTwice.length,
      ranTwice.map(([t, n]) => `${t}×${n}`),
    );
    f.expectNone("exits recorded for runs the witness never saw", unseen.length, unseen);
    f.expectNone("rebuild: jobs of the old DB missing after the rebuild", rebuildLost.size, [
      ...rebuildLost,
    ]);
    f.expectNone("rebuild: jobs that were never in the DB came back", rebuildExtra.size, [
      ...rebuildExtra,
    ]);
    f.expectNone("rebuild: finished jobs whose record changed", rebuildChanged.size, [
      ...rebuildChanged,
    ]);
    f.expectNone("jobs a drain left running or runnable in the queue", undrained.size, [
      ...undrained,
    ]);
    f.expect(acked.size > 0, "no submission was ever acknowledged");
    return f;
  } finally {
    stop = true;
    await w.close();
    await cleanupHome(home);
  }
}

/** The /proc/locks line of a job's supervisor.lock, and whether the pid it names lives. */
function lockLine(jobDir: string): string {
  try {
    const ino = Deno.lstatSync(`${jobDir}/supervisor.lock`).ino;
    const line = Deno.readTextFileSync("/proc/locks").split("\n").find((l) =>
      l.includes(`:${ino} `)
    );
    if (!line) return "not held";
    const pid = Number(line.trim().split(/\s+/)[4]);
    return `${line.trim()} (pid ${pid} ${pidAlive(pid) ? "alive" : "gone"})`;
  } catch (e) {
    return `unreadable (${(e as Error).message})`;
  }
}

/** The service log's last lines about one job, and the last line overall (evidence). */
function logLines(home: string, id: string): string[] {
  try {
    const lines = Deno.readTextFileSync(`${home}/logs/service.log`).trimEnd().split("\n");
    return [
      ...lines.filter((l) => l.includes(id)).slice(-2),
      ...lines.filter((l) => /keeper|settl|reconcile/.test(l)).slice(-3),
    ];
  } catch {
    return [];
  }
}

function duplicatedTags(rows: Map<string, Row>): string[] {
  return duplicated(rows, "tag");
}

function duplicatedKeys(rows: Map<string, Row>): string[] {
  return duplicated(rows, "key");
}

function duplicated(rows: Map<string, Row>, field: string): string[] {
  const seen = new Map<unknown, number>();
  for (const r of rows.values()) {
    if (r[field] !== null) seen.set(r[field], (seen.get(r[field]) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([v, n]) => `${v}×${n}`);
}
