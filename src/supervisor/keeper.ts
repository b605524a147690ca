/**
 * The keeper (`barn keeper`, internal): one long-lived supervisor process per BARN_HOME that
 * parents every job the service starts. It is called the keeper because it keeps jobs alive
 * while the service comes and goes: it outlives the service, so service restarts and crashes
 * never touch running jobs, and it exits on its own once it has had no job for `keeper_idle`.
 * Each job inside it is a `JobRun` (job_run.ts); `--offline` clients run a `JobRun` themselves.
 */

import { logCrashes } from "../crash_log.ts";
import { toErrorBody } from "../errors.ts";
import { type Config, loadConfig } from "../config/config.ts";
import { join } from "../platform/path.ts";
import { prepareHome, resolveHome } from "../platform/home_layout.ts";
import { openPrivateAppend, openPrivateFile } from "../platform/files.ts";
import { removeStaleSocket } from "../platform/transport_unix.ts";
import { checkedFrames, FrameWriter, MalformedFrame } from "../protocol/framing.ts";
import { Store } from "../store/store.ts";
import { acceptLoop } from "../protocol/accept.ts";
import { JobRun } from "./job_run.ts";
import {
  KEEPER_PROTOCOL,
  type KeeperAnswer,
  type KeeperEvent,
  keeperFiles,
  type KeeperRequest,
  parseKeeperRequest,
} from "./keeper_protocol.ts";
import { HomeWatch } from "../platform/home_watch.ts";

/** The exit code when the home was deleted or replaced under the keeper (E_HOME_CHANGED). */
const HOME_CHANGED_EXIT = 118;

export async function runKeeper(): Promise<number> {
  const paths = prepareHome(resolveHome());
  const files = keeperFiles();
  const socketPath = join(paths.home, files.socket);
  const lockFile = openPrivateFile(join(paths.home, files.lock), { read: true });
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
  logCrashes(log);
  let config: Config = loadConfig(paths.config);
  const store = Store.open(paths, config.busy_timeout_seconds * 1000);
  const runs = new Map<string, JobRun>();
  /** Starts answered but not yet running or failed: the idle exit waits for them. */
  let starting = 0;
  /** Set once the keeper has decided to leave: no start is taken after that. */
  let closing = false;
  let exitCode = 0;
  const subscribers = new Set<FrameWriter>();
  removeStaleSocket(socketPath); // we hold the keeper lock: any socket there is stale
  const listener = Deno.listen({ transport: "unix", path: socketPath });
  Deno.chmodSync(socketPath, 0o600);
  log(`started, home ${paths.home}, protocol ${KEEPER_PROTOCOL}`);

  const leave = (why: string) => {
    if (closing) return;
    closing = true;
    log(why);
    listener.close();
  };

  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (runs.size === 0 && starting === 0 && !closing) {
      idleTimer = setTimeout(() => {
        if (runs.size === 0 && starting === 0) leave("idle, exiting");
      }, config.keeper_idle_seconds * 1000);
    }
  };
  armIdle();
  const heartbeat = setInterval(() => {
    try {
      store.heartbeat([...runs.keys()]);
    } catch (e) {
      log(`heartbeat failed (a diagnostic only): ${(e as Error).message}`);
    }
  }, config.heartbeat_seconds * 1000);
  // A deleted or replaced home: the jobs' records are gone with it, so stop them and leave.
  const home = new HomeWatch([paths.home, socketPath], (what) => {
    exitCode = HOME_CHANGED_EXIT;
    leave(`${what}: stopping ${runs.size} job(s) and exiting`);
    for (const run of runs.values()) {
      run.stop({ code: "E_CANCELED", error: `canceled: ${what}` });
    }
  });

  const notify = (ev: KeeperEvent) => {
    for (const w of subscribers) w.write(ev).catch(() => subscribers.delete(w));
  };

  const start = (id: string): Promise<KeeperAnswer> => {
    if (runs.has(id)) return Promise.resolve({ ok: true, already: true });
    if (closing) {
      return Promise.resolve({
        ok: false,
        error: { code: "E_BUSY", message: "the job keeper is closing; start the job on a new one" },
      });
    }
    clearTimeout(idleTimer);
    starting++;
    return new Promise((resolve) => {
      let answered = false;
      const answer = (r: KeeperAnswer) => {
        if (answered) return;
        answered = true;
        starting--;
        resolve(r);
      };
      const run = new JobRun(id, {
        store,
        config,
        kind: "keeper",
        log,
        onStarted: () => answer({ ok: true }),
      });
      runs.set(id, run);
      run.done.then(
        (job) => {
          log(`job ${id} ended ${job.state} (${job.exit_code})`);
          notify({ event: "exited", job_id: id, state: job.state });
        },
        (e) => {
          log(`job ${id} could not be started: ${(e as Error).message}`);
          answer({ ok: false, error: toErrorBody(e) });
        },
      ).finally(() => {
        answer({ ok: true });
        runs.delete(id);
        armIdle();
      });
    });
  };

  const handle = async (req: KeeperRequest): Promise<KeeperAnswer> => {
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
      case "reload":
        try {
          config = loadConfig(paths.config);
          return { ok: true };
        } catch (e) {
          return { ok: false, error: toErrorBody(e) };
        }
      case "subscribe":
        return { ok: true };
      default: {
        const never: never = req;
        throw new Error(`unhandled keeper request ${JSON.stringify(never)}`);
      }
    }
  };

  const serve = async (conn: Deno.Conn) => {
    const writer = new FrameWriter(conn);
    try {
      for await (const req of checkedFrames(conn, parseKeeperRequest)) {
        if (req.kind === "subscribe") subscribers.add(writer);
        // Requests are answered as they finish (a start waits for its spawn), each by its id.
        handle(req).then(
          (r) => writer.write({ ...r, reply_to: req.id }),
          (e) => writer.write({ ok: false, error: toErrorBody(e), reply_to: req.id }),
        ).catch(() => {/* the peer went away */});
      }
    } catch (e) {
      log(
        e instanceof MalformedFrame
          ? `closing a connection that sent a malformed request (${e.message})`
          : `a connection broke: ${(e as Error).message}`,
      );
    } finally {
      subscribers.delete(writer);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };

  await acceptLoop(listener, serve, log);
  // Leaving: no start is taken any more; wait for what still runs (only a replaced home has any).
  home.stop();
  await Promise.allSettled([...runs.values()].map((r) => r.done));
  clearInterval(heartbeat);
  if (exitCode === 0) {
    try {
      Deno.removeSync(socketPath);
    } catch { /* gone */ }
  }
  store.close();
  lockFile.close();
  log(`exited (${exitCode})`);
  return exitCode;
}
