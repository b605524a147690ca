/**
 * The keeper (`barn keeper`, internal): one long-lived supervisor process per BARN_HOME that
 * parents every job the service starts. It is called the keeper because it keeps jobs alive
 * while the service comes and goes: it outlives the service, so service restarts and crashes
 * never touch running jobs, and it exits on its own once it has had no job for `keeper_idle`.
 * Each job inside it is a `JobRun` (job_run.ts); `--offline` clients run a `JobRun` themselves.
 */

import { toErrorBody } from "../errors.ts";
import { type Config, loadConfig } from "../config/config.ts";
import { prepareHome, resolveHome } from "../platform/home_layout.ts";
import { openPrivateAppend } from "../platform/files.ts";
import { FrameReader, writeFrame } from "../protocol/framing.ts";
import { Store } from "../store/store.ts";
import { acceptLoop } from "../protocol/accept.ts";
import { JobRun } from "./job_run.ts";
import { KEEPER_PROTOCOL, type KeeperEvent, type KeeperRequest } from "./keeper_protocol.ts";

export async function runKeeper(): Promise<number> {
  const paths = prepareHome(resolveHome());
  const lockFile = Deno.openSync(paths.keeperLock, {
    read: true,
    write: true,
    create: true,
    mode: 0o600,
  });
  // A keeper that is just exiting for idleness still holds the lock for a moment.
  let locked = lockFile.tryLockSync(true);
  for (let i = 0; !locked && i < 30; i++) {
    await new Promise((r) => setTimeout(r, 100));
    locked = lockFile.tryLockSync(true);
  }
  if (!locked) return 0; // another keeper serves this home
  const logFile = openPrivateAppend(`${paths.logDir}/keeper.log`);
  const log = (msg: string) => {
    try {
      logFile.writeSync(
        new TextEncoder().encode(`${new Date().toISOString()} keeper[${Deno.pid}] ${msg}\n`),
      );
    } catch { /* a full disk must not stop the keeper */ }
  };
  let config: Config = loadConfig(paths.config);
  const store = Store.open(paths);
  const runs = new Map<string, JobRun>();
  const subscribers = new Set<Deno.Conn>();
  try {
    Deno.removeSync(paths.keeperSocket); // stale: we hold the keeper lock
  } catch { /* none */ }
  const listener = Deno.listen({ transport: "unix", path: paths.keeperSocket });
  Deno.chmodSync(paths.keeperSocket, 0o600);
  log(`started, home ${paths.home}`);

  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (runs.size === 0) {
      idleTimer = setTimeout(() => {
        if (runs.size === 0) listener.close();
      }, config.keeper_idle_seconds * 1000);
    }
  };
  armIdle();
  const heartbeat = setInterval(() => {
    try {
      store.heartbeat([...runs.keys()]);
    } catch (e) {
      log(`heartbeat failed: ${(e as Error).message}`);
    }
  }, config.heartbeat_seconds * 1000);

  const notify = (ev: KeeperEvent) => {
    for (const c of subscribers) writeFrame(c, ev).catch(() => subscribers.delete(c));
  };

  const start = (id: string): Promise<unknown> => {
    const existing = runs.get(id);
    if (existing) return Promise.resolve({ ok: true, already: true });
    clearTimeout(idleTimer);
    return new Promise((resolve) => {
      const run = new JobRun(id, {
        store,
        config,
        kind: "keeper",
        onStarted: (job) =>
          resolve({ ok: true, job_id: job.job_id, pid: job.pid, state: job.state }),
      });
      runs.set(id, run);
      run.done.then(
        (job) => {
          log(`job ${id} ended ${job.state} (${job.exit_code})`);
          notify({ event: "exited", job_id: id, state: job.state });
        },
        (e) => {
          log(`job ${id} could not be supervised: ${(e as Error).message}`);
          resolve({ ok: false, error: toErrorBody(e) });
          notify({ event: "exited", job_id: id, state: "failed" });
        },
      ).finally(() => {
        runs.delete(id);
        armIdle();
      });
    });
  };

  const handle = async (req: KeeperRequest): Promise<unknown> => {
    switch (req.kind) {
      case "hello":
        return { ok: true, protocol: KEEPER_PROTOCOL, pid: Deno.pid };
      case "start":
        return await start(req.job_id);
      case "stop": {
        const run = runs.get(req.job_id);
        if (!run) {
          return {
            ok: false,
            error: { code: "E_NOT_FOUND", message: `the keeper is not running job ${req.job_id}` },
          };
        }
        await run.stop(req.reason);
        return { ok: true };
      }
      case "list":
        return { ok: true, jobs: [...runs.keys()], pid: Deno.pid };
      case "reload":
        try {
          config = loadConfig(paths.config);
          return { ok: true };
        } catch (e) {
          return { ok: false, error: toErrorBody(e) };
        }
      case "subscribe":
        return { ok: true };
      default:
        return { ok: false, error: { code: "E_BAD_REQUEST", message: "unknown keeper request" } };
    }
  };

  const serve = async (conn: Deno.Conn) => {
    const reader = new FrameReader(conn);
    try {
      for (;;) {
        const req = (await reader.next()) as KeeperRequest | null;
        if (req === null) break;
        if (req.kind === "subscribe") subscribers.add(conn);
        await writeFrame(conn, await handle(req));
      }
    } catch {
      // a broken peer only ends its own connection
    } finally {
      subscribers.delete(conn);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };

  await acceptLoop(listener, serve, log);
  // Idle: no jobs. Stop accepting first, so no start can slip in, then leave.
  clearInterval(heartbeat);
  try {
    Deno.removeSync(paths.keeperSocket);
  } catch { /* gone */ }
  log("idle, exiting");
  store.close();
  lockFile.close();
  return 0;
}
