/**
 * Resources: hundreds of idle connections while a real client is served; running out of file
 * descriptors in the service and in the keeper; a job writing gigabytes to stdout; and the
 * service's memory before, during and after many connections that declare near-cap frames
 * (issue 12, case 10).
 */

import { barn, cleanupHome, tempHome } from "../helpers/barn.ts";
import {
  barnProcs,
  ensureService,
  Findings,
  HELLO,
  memory,
  pidAlive,
  type Row,
  secondsSince,
  serviceLogTail,
  servicePid,
  waitFor,
  withDb,
} from "./lib.ts";

export interface ResourceOptions {
  /** Idle connections to hold open. */
  conns: number;
  /** Gigabytes the big job writes to stdout. */
  gb: number;
  log?: (m: string) => void;
}

export interface ResourceScenario {
  name: string;
  run(opts: ResourceOptions): Promise<Findings>;
}

async function submitId(home: string, args: string[]): Promise<string | null> {
  const r = await barn(home, ["run", "--output=json", ...args]);
  return r.code === 0 ? r.json().job_id : null;
}

function jobRow(home: string, id: string): Row | undefined {
  return withDb(
    `${home}/barn.db`,
    (db) => db.prepare("SELECT * FROM jobs WHERE job_id = ?").get(id) as Row | undefined,
  );
}

async function finished(home: string, id: string, timeoutMs = 60_000): Promise<Row | undefined> {
  try {
    return await waitFor(() => {
      const r = jobRow(home, id);
      return r && !["queued", "running"].includes(r.state as string) ? r : null;
    }, { timeoutMs, what: `job ${id} to finish` });
  } catch {
    return jobRow(home, id);
  }
}

function crashLines(home: string): string[] {
  try {
    return Deno.readTextFileSync(`${home}/logs/service.log`).split("\n").filter((l) =>
      /uncaught|panick|unhandled/i.test(l)
    );
  } catch {
    return [];
  }
}

async function prlimit(pid: number, nofile: number): Promise<boolean> {
  const r = await new Deno.Command("prlimit", {
    args: ["--pid", String(pid), `--nofile=${nofile}:`],
  }).output();
  return r.success;
}

function openFds(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

const idleConnections: ResourceScenario = {
  name: "hundreds of idle connections while a real client is served",
  async run({ conns }) {
    const f = new Findings();
    const home = tempHome("chaos-idle");
    const t0 = Date.now();
    const held: Deno.Conn[] = [];
    try {
      await ensureService(home);
      const pid = await servicePid(home);
      const sock = `${home}/barn.sock`;
      let refused = 0;
      for (let i = 0; i < conns; i++) {
        try {
          const c = await Deno.connect({ transport: "unix", path: sock });
          // A third say nothing, a third send the handshake only, a third stop inside a frame.
          if (i % 3 === 1) await c.write(HELLO);
          if (i % 3 === 2) await c.write(new Uint8Array([0, 0, 0, 90, 0x7b]));
          held.push(c);
        } catch {
          refused++;
        }
      }
      const before = memory(pid);
      const st = await barn(home, ["status", "--output=json"]);
      const id = await submitId(home, ["ffprobe", "-version"]);
      const w = id ? await barn(home, ["wait", id]) : null;
      f.set("idle_connections", held.length);
      f.set("service_rss_mib_with_them", Math.round(before.rss));
      f.expectNone("idle connections refused", refused);
      f.expect(
        st.code === 0,
        `status was not served among ${held.length} idle connections: ${st.stderr}`,
      );
      f.expect(
        id !== null && w?.code === 0,
        `a job was not run among ${held.length} idle connections (${w?.code})`,
      );
      for (const c of held.splice(0)) c.close();
      f.expect(await servicePid(home) === pid, "the service restarted");
      f.expectNone("crash lines in the service log", crashLines(home).length, crashLines(home));
      f.set("seconds", secondsSince(t0));
      return f;
    } finally {
      for (const c of held) c.close();
      await cleanupHome(home);
    }
  },
};

const emfileService: ResourceScenario = {
  name: "EMFILE in the service (prlimit on the live process)",
  async run() {
    const f = new Findings();
    const home = tempHome("chaos-emfile");
    const t0 = Date.now();
    const conns: Deno.Conn[] = [];
    try {
      await ensureService(home);
      const pid = await servicePid(home);
      f.expect(await prlimit(pid, 48), "prlimit failed");
      for (let i = 0; i < 100; i++) {
        conns.push(await Deno.connect({ transport: "unix", path: `${home}/barn.sock` }));
      }
      await waitFor(() => /Too many open files/.test(serviceLogTail(home, 200)), {
        what: "the service to run out of descriptors",
      });
      for (const c of conns.splice(0)) c.close();
      f.expect(await prlimit(pid, 1024), "prlimit back failed");
      const id = await submitId(home, ["ffprobe", "-version"]);
      const j = id ? await finished(home, id) : undefined;
      f.expect(
        j?.state === "succeeded",
        `a job after EMFILE did not succeed: ${j?.state} ${j?.exit_code} ${j?.error}`,
      );
      f.expect(await servicePid(home).catch(() => null) === pid, "the service restarted or died");
      f.expectNone("crash lines in the service log", crashLines(home).length, crashLines(home));
      f.set("seconds", secondsSince(t0));
      return f;
    } finally {
      for (const c of conns) c.close();
      await cleanupHome(home);
    }
  },
};

const emfileKeeper: ResourceScenario = {
  name: "EMFILE in the keeper when a timeout must stop a job",
  async run() {
    const f = new Findings();
    const home = tempHome("chaos-kemfile");
    const t0 = Date.now();
    try {
      await ensureService(home);
      const id = await submitId(home, [
        "--timeout=3s",
        "ffmpeg",
        "-v",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "sine=duration=20",
        "-f",
        "null",
        "-",
      ]);
      if (!id) return (f.failures.push("the job was not accepted"), f);
      const running = await waitFor(() => {
        const r = jobRow(home, id);
        return r?.state === "running" && r.pid ? r : null;
      }, { what: "the job to run" });
      const keeper = barnProcs(home).keeper[0];
      if (keeper === undefined) return (f.failures.push("no keeper runs the job"), f);
      // Not one descriptor left: the timeout's `kill` cannot be spawned.
      f.expect(await prlimit(keeper, openFds(keeper)), "prlimit failed");
      const deadline = new Date(running.started_at as string).getTime() + 3000 + 3000;
      await waitFor(() => !pidAlive(keeper) || Date.now() > deadline, {
        what: "the timeout to fire",
      });
      const aliveAfter = pidAlive(keeper);
      if (aliveAfter) await prlimit(keeper, 1024);
      const j = await finished(home, id, 40_000);
      f.set("keeper_survived", String(aliveAfter));
      f.set("outcome", `${j?.state} ${j?.exit_code}`);
      let keeperLog = "";
      try {
        keeperLog = Deno.readTextFileSync(`${home}/logs/keeper.log`).trimEnd().split("\n").slice(-3)
          .join(" | ");
      } catch { /* none */ }
      f.expect(
        aliveAfter,
        `the keeper died once it could not spawn \`kill\` (EMFILE); its log ends: ${keeperLog}`,
      );
      f.expect(
        j?.exit_code !== "E_INTERRUPTED",
        `the job lost its supervisor: ${j?.exit_code} ${j?.error}`,
      );
      f.expect(j !== undefined && j.state !== "running", `the job is still ${j?.state}`);
      f.set("seconds", secondsSince(t0));
      return f;
    } finally {
      await cleanupHome(home);
    }
  },
};

const bigWriter: ResourceScenario = {
  name: "a job writing gigabytes to stdout",
  async run({ gb, log }) {
    const f = new Findings();
    const home = tempHome("chaos-big");
    const t0 = Date.now();
    const CAP = 8 * 1024 * 1024;
    try {
      Deno.writeTextFileSync(`${home}/config.json`, JSON.stringify({ max_log_bytes: CAP }));
      await ensureService(home);
      const pid = await servicePid(home);
      await barn(home, ["status"]);
      const before = memory(pid);
      const frameBytes = 1280 * 720 * 3;
      const frames = Math.ceil((gb * 1e9) / frameBytes);
      const id = await submitId(home, [
        "ffmpeg",
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "color=size=1280x720:rate=50",
        "-frames:v",
        String(frames),
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
      ]);
      if (!id) return (f.failures.push("the job was not accepted"), f);
      let served = 0;
      let refused = 0;
      let maxLog = 0;
      let maxDisk = 0;
      let keeperRss = 0;
      for (;;) {
        const r = jobRow(home, id);
        const st = await barn(home, ["status", "--output=json"]);
        st.code === 0 ? served++ : refused++;
        const sizes = [...Deno.readDirSync(`${home}/jobs/${id}`)].map((e) => {
          try {
            return Deno.statSync(`${home}/jobs/${id}/${e.name}`).size;
          } catch {
            return 0;
          }
        });
        maxLog = Math.max(maxLog, ...sizes);
        maxDisk = Math.max(maxDisk, sizes.reduce((a, b) => a + b, 0));
        for (const k of barnProcs(home).keeper) keeperRss = Math.max(keeperRss, memory(k).rss);
        if (r && !["queued", "running"].includes(r.state as string)) break;
      }
      const j = jobRow(home, id)!;
      const after = memory(pid);
      log?.(`big writer: ${served} status answers while it ran`);
      f.set("gigabytes", gb);
      f.set("outcome", `${j.state} ${j.exit_code}`);
      f.set("status_served_while_writing", served);
      f.set("largest_log_bytes", maxLog);
      f.set("job_dir_bytes_max", maxDisk);
      f.set("keeper_rss_mib_max", Math.round(keeperRss));
      f.set("service_rss_mib", `${Math.round(before.rss)} → ${Math.round(after.rss)}`);
      f.expect(
        j.state === "succeeded" && j.log_truncated === 1,
        `the job ended ${j.state} ${j.exit_code}, log_truncated ${j.log_truncated}`,
      );
      f.expectNone("status requests not served while the job wrote", refused);
      f.expect(served >= 2, `only ${served} status answers while ${gb} GB went by`);
      // The cap, plus its marker line and a write in flight.
      f.expect(maxLog <= CAP + 64 * 1024, `a log reached ${maxLog} bytes over its ${CAP}-byte cap`);
      f.expect(maxDisk <= 2 * CAP + 256 * 1024, `the job dir reached ${maxDisk} bytes`);
      f.expect(keeperRss < 200, `the keeper reached ${Math.round(keeperRss)} MiB`);
      f.expect(
        after.rss - before.rss < 32,
        `the service grew from ${before.rss.toFixed(0)} to ${after.rss.toFixed(0)} MiB`,
      );
      f.set("seconds", secondsSince(t0));
      return f;
    } finally {
      await cleanupHome(home);
    }
  },
};

/**
 * Margins against the idle baseline of the same run, in MiB. While held: the 32 MiB frame
 * budget plus 200 connections' own state (measured +33 to +50): 64, in each of three waves, so
 * nothing accumulates. After the close glibc keeps freed buffers for reuse (its dynamic mmap
 * threshold), so RSS falls back only part of the way once collected (measured +16 to +49; +8
 * with MALLOC_MMAP_THRESHOLD_=65536): 64, still a tenth of what the bug held. The service
 * before the fix took +1.6 GiB of allocated memory, and +616 MiB of RSS by the third wave.
 */
const DURING_MARGIN = 64;
const AFTER_MARGIN = 64;

/** Case 10's numbers: 200 connections, each a handshake, an 8 MiB header and 70 KiB of body. */
const NEAR_CAP = { conns: 200, body: 70 * 1024, declared: 8 * 1024 * 1024 };

async function nearCapWave(sock: string): Promise<Deno.Conn[]> {
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, NEAR_CAP.declared);
  const body = new Uint8Array(NEAR_CAP.body).fill(0x20);
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < NEAR_CAP.conns; i++) {
    const c = await Deno.connect({ transport: "unix", path: sock });
    await c.write(HELLO);
    await c.write(head);
    let o = 0;
    while (o < body.length) o += await c.write(body.subarray(o));
    conns.push(c);
  }
  return conns;
}

/** Bytes queued to `pid`'s unix sockets and not yet read (ss's Recv-Q). */
async function unreadBytes(pid: number): Promise<number> {
  const out = await new Deno.Command("ss", { args: ["-x", "-p", "-n"], stdout: "piped" }).output();
  let n = 0;
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    if (!line.includes(`pid=${pid},`)) continue;
    const m = /^\S+\s+\S+\s+(\d+)\s+/.exec(line);
    if (m) n += Number(m[1]);
  }
  return n;
}

const nearCapFrames: ResourceScenario = {
  name: "200 connections holding near-cap frames: memory before, during, after (case 10)",
  async run() {
    const f = new Findings();
    const home = tempHome("chaos-mem");
    const t0 = Date.now();
    const held: Deno.Conn[] = [];
    try {
      await ensureService(home);
      const pid = await servicePid(home);
      await barn(home, ["status"]);
      const idle = memory(pid);
      const fmt = (m: { rss: number; data: number }) => `${m.rss.toFixed(0)}/${m.data.toFixed(0)}`;
      f.set("rss/data MiB idle", fmt(idle));
      const afters: number[] = [];
      for (let wave = 1; wave <= 3; wave++) {
        held.push(...await nearCapWave(`${home}/barn.sock`));
        // Measure once the service has read everything sent to it.
        await waitFor(async () => (await unreadBytes(pid)) === 0, {
          what: `the service to read wave ${wave}`,
        });
        const during = memory(pid);
        const st = await barn(home, ["status", "--output=json"]);
        f.expect(st.code === 0, `a real client was not served among the held frames: ${st.stderr}`);
        for (const c of held.splice(0)) c.close();
        // Memory coming back (below the idle margin, and below what was held: collected) is the
        // event waited for; the collection runs 2 s after the last large request ends. If it
        // never comes within 10 s, what is left is the finding.
        const after = await waitFor(() => {
          const m = memory(pid);
          return m.rss - idle.rss <= AFTER_MARGIN && m.rss <= during.rss - 5 ? m : null;
        }, { timeoutMs: 10_000, what: "memory to come back" }).catch(() => memory(pid));
        afters.push(after.rss);
        f.set(`wave ${wave}: during`, fmt(during));
        f.set(`wave ${wave}: after`, fmt(after));
        f.expect(
          during.rss - idle.rss <= DURING_MARGIN,
          `wave ${wave}: RSS grew ${
            (during.rss - idle.rss).toFixed(0)
          } MiB with 200 near-cap frames held (margin ${DURING_MARGIN})`,
        );
        f.expect(
          during.data - idle.data <= 96,
          `wave ${wave}: allocated memory grew ${
            (during.data - idle.data).toFixed(0)
          } MiB (margin 96): buffers sized by the header's claim`,
        );
        f.expect(
          after.rss - idle.rss <= AFTER_MARGIN,
          `wave ${wave}: after the close RSS is still ${
            (after.rss - idle.rss).toFixed(0)
          } MiB above idle (margin ${AFTER_MARGIN})`,
        );
      }
      f.expect(await servicePid(home) === pid, "the service restarted");
      f.set("seconds", secondsSince(t0));
      return f;
    } finally {
      for (const c of held) c.close();
      await cleanupHome(home);
    }
  },
};

export const RESOURCES: ResourceScenario[] = [
  idleConnections,
  emfileService,
  emfileKeeper,
  bigWriter,
  nearCapFrames,
];
