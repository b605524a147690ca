/**
 * Filesystem faults, each with what issue 12 expects of barn: symlinks planted in a job dir
 * (cases 6, 7), a DB locked by another process for less and for more than the busy timeout
 * (case 1), a 0-byte and a truncated barn.db with job dirs present (cases 2, 3), a home deleted
 * under a running service (case 4) and a full disk (case 8).
 */

import { barn, cleanupHome, DENO, MAIN, ROOT, tempHome } from "../helpers/barn.ts";
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
  type Row,
  secondsSince,
  serviceLogTail,
  servicePid,
  startWitness,
  waitFor,
  withDb,
} from "./lib.ts";

export interface FaultScenario {
  name: string;
  run(opts: { log?: (m: string) => void }): Promise<Findings>;
}

/** The codes docs/exit-codes.md publishes: barn's own and the job outcomes, with their exits. */
export function documentedCodes(): { own: Map<string, number>; outcome: Map<string, number> } {
  const text = Deno.readTextFileSync(`${ROOT}docs/exit-codes.md`);
  const [own = "", outcome = ""] = text.split("## Job outcomes");
  const table = (t: string) =>
    new Map(
      [...t.matchAll(/^\|\s*`(E_[A-Z0-9_]+)`\s*\|\s*(\d+)\s*\|/gm)].map((
        m,
      ) => [m[1]!, Number(m[2])]),
    );
  return { own: table(own), outcome: table(outcome) };
}

async function submit(
  home: string,
  args: string[],
): Promise<{ id: string | null; r: Row; code: number }> {
  const r = await barn(home, ["run", "--output=json", ...args]);
  let out: Row = {};
  try {
    out = r.json();
  } catch { /* not JSON: kept as text below */ }
  if (r.code !== 0 && out.error === undefined) {
    out = { error: { code: "(none)", message: r.stdout + r.stderr } };
  }
  return { id: r.code === 0 ? (out.job_id as string) : null, r: out, code: r.code };
}

function row(home: string, id: string): Row | undefined {
  return withDb(
    `${home}/barn.db`,
    (db) => db.prepare("SELECT * FROM jobs WHERE job_id = ?").get(id) as Row | undefined,
  );
}

const finished = (r: Row | undefined) =>
  r !== undefined && ["succeeded", "failed", "canceled"].includes(r.state as string);

async function waitFinished(home: string, id: string, timeoutMs: number): Promise<Row | undefined> {
  try {
    return await waitFor(() => {
      const r = row(home, id);
      return finished(r) ? r : null;
    }, { timeoutMs, what: `job ${id} to finish` });
  } catch {
    return row(home, id);
  }
}

function count(home: string, re: RegExp): number {
  try {
    return Deno.readTextFileSync(`${home}/logs/service.log`).split("\n").filter((l) => re.test(l))
      .length;
  } catch {
    return 0;
  }
}

function corruptCopies(home: string): string[] {
  return [...Deno.readDirSync(home)].map((e) => e.name).filter((n) =>
    n.startsWith("barn.db.corrupt")
  );
}

/** Cases 6 and 7: a link planted in the job dir of a held job, then the latch released. */
function plantedLink(file: "supervisor.lock" | "stdout.log" | "stderr.log"): FaultScenario {
  return {
    name: `a dangling symlink at jobs/<id>/${file}`,
    async run() {
      const f = new Findings();
      const home = tempHome("chaos-link");
      const w = startWitness();
      const t0 = Date.now();
      try {
        await ensureService(home);
        const pid = await servicePid(home);
        const held = await submit(home, ["--pending=x", "curl", "-sS", `${w.url}/hit/held`]);
        f.expect(held.id !== null, `the held job was not accepted: ${JSON.stringify(held.r)}`);
        if (held.id === null) return f;
        const target = `${home}/planted-target`;
        Deno.symlinkSync(target, `${home}/jobs/${held.id}/${file}`);
        const rel = await barn(home, ["release", "x"]);
        f.expect(rel.code === 0, `release failed: ${rel.stderr}`);
        const next = await submit(home, ["curl", "-sS", `${w.url}/hit/next`]);
        const j = await waitFinished(home, held.id, 30_000);
        const n = next.id ? await waitFinished(home, next.id, 30_000) : undefined;
        const { outcome } = documentedCodes();
        const code = j?.exit_code as string | undefined;
        f.set("final_state", `${j?.state} ${code}`);
        f.set("seconds", secondsSince(t0));
        f.expect(
          finished(j),
          `the job is still ${j?.state} 30 s after its release (${j?.error ?? ""})`,
        );
        f.expect(
          j?.state === "failed" && code !== undefined && outcome.has(code) &&
            code !== "E_INTERRUPTED",
          `it must end failed with a documented code (not E_INTERRUPTED); it is ${j?.state} ${code}: ${j?.error}`,
        );
        f.expect(
          n?.state === "succeeded",
          `the next job in the queue did not run: ${n?.state} ${n?.exit_code}`,
        );
        f.expectNone("runs of the job's process (it must not start)", w.hits.get("held") ?? 0);
        const tries = count(home, /could not start|keeper could not start/);
        f.set("start_failures_logged", tries);
        f.expect(
          tries <= 10,
          `${tries} failed starts logged: a hot loop, not a retry with backoff`,
        );
        let exists = false;
        try {
          Deno.statSync(target);
          exists = true;
        } catch { /* not created: good */ }
        f.expect(!exists, `the link was followed: ${target} was created`);
        for (const cmd of [["describe", held.id], ["logs", held.id]]) {
          const r = await barn(home, cmd);
          f.expect(
            r.code === 0,
            `barn ${cmd[0]} of the job failed (${r.code}): ${r.stdout}${r.stderr}`.slice(0, 400),
          );
        }
        f.expect(pidAlive(pid), "the service died");
        return f;
      } finally {
        await w.close();
        await cleanupHome(home);
      }
    },
  };
}

/** Another process holding barn.db: writers only (BEGIN EXCLUSIVE in WAL), or readers too. */
async function lockDb(path: string, blockReaders: boolean): Promise<{ release(): Promise<void> }> {
  // -bail: if BEGIN EXCLUSIVE fails, sqlite3 stops before saying 'held' (never a false lock);
  // .timeout: it waits for a process still letting go of the DB.
  const child = new Deno.Command("sqlite3", {
    args: ["-bail", "-cmd", ".timeout 10000", path],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  const enc = new TextEncoder();
  const reader = child.stdout.getReader();
  await w.write(enc.encode(
    `${blockReaders ? "PRAGMA locking_mode=EXCLUSIVE;\n" : ""}BEGIN EXCLUSIVE;\nSELECT 'held';\n`,
  ));
  let seen = "";
  while (!seen.includes("held")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`sqlite3 could not lock ${path}`);
    seen += new TextDecoder().decode(value);
  }
  return {
    async release() {
      await w.write(enc.encode("COMMIT;\n"));
      await w.close();
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
      await child.status;
    },
  };
}

const lockedShort: FaultScenario = {
  name: "barn.db locked for less than busy_timeout",
  async run() {
    const f = new Findings();
    const home = tempHome("chaos-lockshort");
    const t0 = Date.now();
    try {
      Deno.writeTextFileSync(`${home}/config.json`, JSON.stringify({ busy_timeout: "4s" }));
      await ensureService(home);
      const first = await submit(home, ["ffprobe", "-version"]);
      f.expect(first.id !== null, `a first submission failed: ${JSON.stringify(first.r)}`);
      // A submission while a writer holds the lock for ~1 s waits, then succeeds.
      const lock = await lockDb(`${home}/barn.db`, false);
      const during = submit(home, ["ffprobe", "-version"]);
      await pause(1000); // the lock is held for this long: shorter than busy_timeout
      await lock.release();
      const d = await during;
      f.expect(d.id !== null, `a submission during a short lock failed: ${JSON.stringify(d.r)}`);
      // The service starting while another process holds the DB (readers too) waits, then starts.
      const p = barnProcs(home);
      await killAll([...p.service, ...p.keeper]);
      const lock2 = await lockDb(`${home}/barn.db`, true);
      const start = barn(home, ["service", "start"]);
      await pause(1000);
      await lock2.release();
      const s = await start;
      f.expect(
        s.code === 0,
        `service start during a short lock failed (${s.code}): ${s.stdout}${s.stderr}`,
      );
      f.expectNone("barn.db moved aside", corruptCopies(home).length, corruptCopies(home));
      const rows = jobRows(`${home}/barn.db`);
      for (const id of [first.id, d.id]) {
        f.expect(id === null || rows.has(id), `job ${id} is gone after the locked start`);
      }
      f.set("seconds", secondsSince(t0));
      return f;
    } finally {
      await cleanupHome(home);
    }
  },
};

const lockedLong: FaultScenario = {
  name: "barn.db locked for longer than busy_timeout",
  async run() {
    const f = new Findings();
    const home = tempHome("chaos-locklong");
    const t0 = Date.now();
    try {
      Deno.writeTextFileSync(`${home}/config.json`, JSON.stringify({ busy_timeout: "1s" }));
      await ensureService(home);
      const pid = await servicePid(home);
      const before = await submit(home, ["ffprobe", "-version"]);
      await waitFinished(home, before.id ?? "", 20_000);
      const events = withDb(
        `${home}/barn.db`,
        (db) => (db.prepare("SELECT COUNT(*) AS n FROM events").get() as Row).n as number,
      );
      const { own } = documentedCodes();
      // A running service: a submission fails with the documented code, naming the DB.
      const lock = await lockDb(`${home}/barn.db`, false);
      const during = await submit(home, ["ffprobe", "-version"]);
      const err = during.r.error as Row | undefined;
      f.set("submit_while_locked", `${during.code} ${err?.code}`);
      f.expect(
        during.id === null && err?.code === "E_STORE_BUSY" &&
          own.get("E_STORE_BUSY") === during.code,
        `a submission while barn.db is locked past busy_timeout must fail E_STORE_BUSY with its documented exit; got exit ${during.code}, ${
          JSON.stringify(err)
        }`,
      );
      f.expect(
        typeof err?.message === "string" && (err.message as string).includes(`${home}/barn.db`),
        `the error must name the DB path: ${err?.message}`,
      );
      await lock.release();
      const after = await submit(home, ["ffprobe", "-version"]);
      f.expect(
        after.id !== null,
        `a submission after the lock was released failed: ${JSON.stringify(after.r)}`,
      );
      f.expect(
        await servicePid(home).catch(() => null) === pid,
        "the service restarted or died under the lock",
      );
      // A service starting under the lock: refuses with the code, never moves the DB aside.
      const p = barnProcs(home);
      await killAll([...p.service, ...p.keeper]);
      const lock2 = await lockDb(`${home}/barn.db`, true);
      const s = await barn(home, ["service", "start"]);
      const startText = s.stdout + s.stderr;
      f.set("service_start_while_locked", `${s.code}`);
      f.expect(
        s.code !== 0 && /E_STORE_BUSY/.test(startText),
        `service start under a long lock must fail with E_STORE_BUSY: exit ${s.code}, ${
          startText.slice(0, 400)
        }`,
      );
      f.expect(
        startText.includes(`${home}/barn.db`),
        "service start's error must name the DB path",
      );
      await lock2.release();
      f.expectNone("barn.db moved aside", corruptCopies(home).length, corruptCopies(home));
      f.expect(await integrity(`${home}/barn.db`) === "ok", "integrity_check is not ok");
      await ensureService(home);
      const rows = jobRows(`${home}/barn.db`);
      for (const id of [before.id, after.id]) {
        f.expect(id === null || rows.has(id), `job ${id} is gone`);
      }
      const eventsNow = withDb(
        `${home}/barn.db`,
        (db) => (db.prepare("SELECT COUNT(*) AS n FROM events").get() as Row).n as number,
      );
      f.expect(eventsNow >= events, `the event history shrank from ${events} to ${eventsNow}`);
      f.set("seconds", secondsSince(t0));
      return f;
    } finally {
      await cleanupHome(home);
    }
  },
};

/** A home with finished jobs, the service stopped; returns the jobs as the DB had them. */
async function homeWithJobs(
  home: string,
  n: number,
  w: { url: string },
): Promise<Map<string, Row>> {
  Deno.writeTextFileSync(`${home}/config.json`, JSON.stringify({ max_parallel: 8 }));
  await ensureService(home);
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      command: i % 3 === 0
        ? ["curl", "-sSf", `${w.url}/miss/j${i}`]
        : ["curl", "-sS", `${w.url}/hit/j${i}`],
      tag: `j${i}`,
    })).join("\n");
  const r = await barn(home, ["run", "--batch=-", "--output=json"], { stdin: lines + "\n" });
  if (r.code !== 0) throw new Error(`batch failed: ${r.stdout}${r.stderr}`);
  await waitFor(() => [...jobRows(`${home}/barn.db`).values()].every(finished), {
    timeoutMs: 120_000,
    what: "the batch to finish",
  });
  const rows = jobRows(`${home}/barn.db`);
  await barn(home, ["service", "stop"]);
  await waitFor(() => barnProcs(home).service.length === 0 && barnProcs(home).keeper.length === 0, {
    timeoutMs: 30_000,
    what: "the service and keeper to exit",
  });
  return rows;
}

/** Every job of `before` back with the same outcome, nothing extra, nothing run again. */
function sameJobs(
  f: Findings,
  before: Map<string, Row>,
  after: Map<string, Row>,
  hits: Map<string, number>,
) {
  const lost = [...before.keys()].filter((id) => !after.has(id));
  const extra = [...after.keys()].filter((id) => !before.has(id));
  const changed = [...before].filter(([id, b]) => {
    const a = after.get(id);
    return a && ["state", "exit_code", "process_exit_code", "tag"].some((k) => a[k] !== b[k]);
  }).map(([id]) => id);
  f.set("jobs_before", before.size);
  f.set("jobs_after", after.size);
  f.expectNone("jobs lost", lost.length, lost);
  f.expectNone("jobs that were not there before", extra.length, extra);
  f.expectNone("jobs whose outcome changed", changed.length, changed);
  const twice = [...hits].filter(([, n]) => n > 1);
  f.expectNone("jobs run twice (witness)", twice.length, twice.map(([t, n]) => `${t}×${n}`));
}

function damagedDb(kind: "0-byte" | "truncated"): FaultScenario {
  return {
    name: `a ${kind} barn.db with job dirs present`,
    async run() {
      const f = new Findings();
      const home = tempHome(`chaos-${kind === "0-byte" ? "empty" : "trunc"}db`);
      const w = startWitness();
      const t0 = Date.now();
      try {
        const before = await homeWithJobs(home, kind === "0-byte" ? 20 : 120, w);
        const db = `${home}/barn.db`;
        const size = Deno.statSync(db).size;
        Deno.truncateSync(db, kind === "0-byte" ? 0 : Math.floor(size / 2));
        for (const ext of ["-wal", "-shm"]) {
          try {
            Deno.removeSync(db + ext);
          } catch { /* absent */ }
        }
        f.set("db_bytes_before", size);
        await ensureService(home);
        // Let anything the rebuild wrongly queued run, so a second run would show.
        await waitFor(
          () =>
            [...jobRows(db).values()].every((r) =>
              r.state !== "running" && !(r.state === "queued" && r.latch === null)
            ),
          {
            timeoutMs: 60_000,
            what: "the rebuilt queue to settle",
          },
        ).catch(() => {});
        const after = jobRows(db);
        sameJobs(f, before, after, w.hits);
        const rebuiltLogged = count(home, /rebuil/i);
        f.expect(
          rebuiltLogged > 0,
          `the rebuild is not in the service log: ${serviceLogTail(home, 5)}`,
        );
        f.expect(await integrity(db) === "ok", "integrity_check is not ok after the rebuild");
        f.set("seconds", secondsSince(t0));
        return f;
      } finally {
        await w.close();
        await cleanupHome(home);
      }
    },
  };
}

const deletedHome: FaultScenario = {
  name: "the home deleted under a running service",
  async run() {
    const f = new Findings();
    const home = tempHome("chaos-gone");
    const t0 = Date.now();
    // The service in the foreground, as systemd runs it, so its exit code is ours to see.
    const child = new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", MAIN, "service", "run"],
      cwd: ROOT,
      env: { BARN_HOME: home, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    try {
      await waitFor(async () => (await barn(home, ["service", "status"])).code === 0, {
        what: "the foreground service to answer",
      });
      const id = (await submit(home, ["ffprobe", "-version"])).id;
      f.expect(id !== null, "a submission failed before the fault");
      Deno.removeSync(home, { recursive: true });
      const deadline = Date.now() + 15_000;
      const exited = await Promise.race([
        output.then((o) => o),
        new Promise<null>((r) => setTimeout(() => r(null), Math.max(0, deadline - Date.now()))),
      ]);
      const { own } = documentedCodes();
      const want = own.get("E_HOME_CHANGED");
      f.set("service_exit", exited === null ? "still running after 15 s" : exited.code);
      f.expect(exited !== null, "the service did not notice within 15 s that its home is gone");
      f.expect(
        want !== undefined,
        "docs/exit-codes.md documents no code for a deleted home (E_HOME_CHANGED)",
      );
      if (exited !== null) {
        f.expect(
          exited.code === want,
          `the service exited ${exited.code}, not the documented ${want}`,
        );
        const said = new TextDecoder().decode(exited.stderr) +
          new TextDecoder().decode(exited.stdout);
        f.set("service_said", said.trim().slice(0, 300));
      }
      // A new start makes a new home; exactly one service may serve it.
      const s = await barn(home, ["service", "start"]);
      f.expect(s.code === 0, `a new service start failed: ${s.stdout}${s.stderr}`);
      const services = barnProcs(home).service;
      f.expectNone("services for this home beyond one", Math.max(0, services.length - 1), services);
      f.set("seconds", secondsSince(t0));
      return f;
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await output.catch(() => {});
      await cleanupHome(home);
    }
  },
};

const fullDisk: FaultScenario = {
  name: "a full disk (the home on a 600 KiB tmpfs)",
  async run({ log }) {
    const f = new Findings();
    const home = tempHome("chaos-full");
    const t0 = Date.now();
    const m = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=600k,mode=700", "tmpfs", home],
      stderr: "piped",
    }).output();
    if (!m.success) {
      const why = new TextDecoder().decode(m.stderr).trim();
      if (Deno.env.get("CI") === "true") {
        f.failures.push(`cannot mount a tmpfs (needs root; CI must run as root): ${why}`);
      } else {
        log?.(`SKIPPED the full-disk scenario: cannot mount a tmpfs (${why}); run as root`);
        f.set("skipped", `cannot mount a tmpfs: ${why}`);
      }
      await cleanupHome(home);
      return f;
    }
    // Space to give back later: files barn holds open would keep theirs.
    const ballast = `${home}/ballast`;
    try {
      Deno.writeFileSync(ballast, new Uint8Array(200 * 1024).fill(1));
      await ensureService(home);
      const pid = await servicePid(home);
      const { own } = documentedCodes();
      // A job writing far more than the disk holds, and small jobs behind it.
      const big = await submit(home, [
        "ffmpeg",
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=48000:cl=mono",
        "-t",
        "30",
        "-f",
        "s16le",
        "-",
      ]);
      const codes = new Map<string, number>();
      let refused: Row | null = null;
      let refusedExit = 0;
      const ids: string[] = big.id ? [big.id] : [];
      for (let i = 0; i < 300 && refused === null; i++) {
        const r = await submit(home, ["ffprobe", "-version"]);
        if (r.id) ids.push(r.id);
        else {
          const code = String((r.r.error as Row | undefined)?.code);
          codes.set(code, (codes.get(code) ?? 0) + 1);
          refused = r.r.error as Row;
          refusedExit = r.code;
        }
      }
      f.set("submissions_accepted", ids.length);
      f.set("refusals", JSON.stringify(Object.fromEntries(codes)));
      f.expect(refused !== null, "300 submissions on a full 600 KiB disk were all accepted");
      f.expectNone("submissions refused with E_INTERNAL", codes.get("E_INTERNAL") ?? 0, [
        refused?.message,
      ]);
      if (refused) {
        f.expect(
          refused.code === "E_DISK_FULL" && own.get("E_DISK_FULL") === refusedExit,
          `a full disk must refuse with E_DISK_FULL and its documented exit; got ${refused.code} exit ${refusedExit}: ${refused.message}`,
        );
      }
      // While the disk is full: a running job has a live supervisor holding its lock (one that
      // cannot record an end keeps its lock and retries).
      const rowsNow = () => jobRows(`${home}/barn.db`);
      const orphaned = () => {
        const holders = flockHolders();
        return [...rowsNow().values()].filter((r) =>
          r.state === "running" && lockHolder(`${home}/jobs/${r.job_id}`, holders) === null
        );
      };
      await waitFor(() => orphaned().length === 0, {
        timeoutMs: 15_000,
        what: "running jobs on the full disk to have a supervisor or end",
      }).catch(() => {});
      const left = orphaned();
      f.expectNone(
        "jobs running on the full disk without a live supervisor holding their lock",
        left.length,
        left.map((r) =>
          `${r.job_id} pid ${r.pid} (${pidAlive(r.pid as number) ? "alive" : "gone"})`
        ),
      );
      f.set(
        "running_while_full",
        [...rowsNow().values()].filter((r) => r.state === "running").length,
      );
      f.expect(pidAlive(pid), `the service died on the full disk: ${serviceLogTail(home, 5)}`);
      // Space comes back, as an operator gives it (files removed, the disk grown): every job
      // ends, the queue runs out, the service takes work again.
      Deno.removeSync(ballast);
      const grown = await new Deno.Command("mount", {
        args: ["-o", "remount,size=16m", home],
        stderr: "piped",
      }).output();
      f.expect(
        grown.success,
        `growing the tmpfs failed: ${new TextDecoder().decode(grown.stderr)}`,
      );
      const again = await submit(home, ["ffprobe", "-version"]);
      f.expect(
        again.id !== null,
        `no submission succeeds once space is freed: ${JSON.stringify(again.r)}`,
      );
      const unfinished = () =>
        [...rowsNow().values()].filter((r) => r.state === "running" || r.state === "queued");
      await waitFor(() => unfinished().length === 0, {
        timeoutMs: 30_000,
        what: "every job to end once space is back",
      }).catch(() => {});
      const sizes = ["barn.db", "barn.db-wal"].map((n) => {
        try {
          return `${n} ${Deno.statSync(`${home}/${n}`).size} bytes`;
        } catch {
          return `${n} absent`;
        }
      });
      f.expectNone(
        `jobs not ended 30 s after space came back (${
          sizes.join(", ")
        } on the disk grown to 16 MiB)`,
        unfinished().length,
        unfinished().map((r) => `${r.job_id} ${r.state}`),
      );
      const wrong = [...rowsNow().values()].filter((r) =>
        r.exit_code === "E_INTERNAL" || r.exit_code === "E_INTERRUPTED"
      );
      f.expectNone(
        "jobs ended E_INTERNAL or E_INTERRUPTED by the full disk",
        wrong.length,
        wrong.map((r) => `${r.job_id} ${r.exit_code} ${r.error}`),
      );
      await barn(home, ["service", "stop"]);
      await waitFor(() => barnProcs(home).service.length === 0, { what: "the service to stop" })
        .catch(() => {});
      const afterStop = orphaned();
      f.expectNone(
        "jobs left running without a supervisor after the service stopped",
        afterStop.length,
        afterStop.map((r) => r.job_id),
      );
      f.set("seconds", secondsSince(t0));
      return f;
    } finally {
      for (const pid of [...barnProcs(home).service, ...barnProcs(home).keeper]) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone */ }
      }
      await waitFor(() => barnProcs(home).service.length + barnProcs(home).keeper.length === 0)
        .catch(() => {});
      await new Deno.Command("umount", { args: ["-l", home] }).output();
      await cleanupHome(home);
    }
  },
};

export const FS_FAULTS: FaultScenario[] = [
  plantedLink("supervisor.lock"),
  plantedLink("stdout.log"),
  plantedLink("stderr.log"),
  lockedShort,
  lockedLong,
  damagedDb("0-byte"),
  damagedDb("truncated"),
  deletedHome,
  fullDisk,
];
