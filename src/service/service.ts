/** The service: one per BARN_HOME, serving clients over the local transport while the keeper runs jobs. */

import { BarnError, toErrorBody } from "../errors.ts";
import { type Config, loadConfig } from "../config/config.ts";
import { type HomePaths, prepareHome } from "../platform/home_layout.ts";
import { openPrivateFile, writeFileAtomic } from "../platform/files.ts";
import { checkToken, connect, listen, type Listener } from "../platform/transport.ts";
import { spawnSelfDetached } from "../platform/self.ts";
import { acceptLoop } from "../protocol/accept.ts";
import {
  FRAME_BUDGET_BYTES,
  FrameBudget,
  FrameReader,
  MAX_HELLO_BYTES,
  writeBytes,
  writeFrame,
} from "../protocol/framing.ts";
import { PROTOCOL_VERSION, type Request, type ServiceStatus } from "../protocol/messages.ts";
import { parseRequest } from "../protocol/validate.ts";
import { openChecked } from "../store/recovery.ts";
import type { GroupCounts } from "../store/queue.ts";
import type { Store } from "../store/store.ts";
import { VERSION } from "../version.ts";
import type { HandlerContext, ServiceOps } from "./context.ts";
import { dispatch } from "./dispatch.ts";
import { KeeperLink } from "./keeper_link.ts";
import { Reconciler } from "./reconcile.ts";
import { HomeWatch } from "../platform/home_watch.ts";
import { exitForError } from "../jobs/exit_codes.ts";
import { groupLimit, Scheduler } from "./scheduler.ts";
import { setupLogging } from "./logger.ts";
import { Changes } from "./changes.ts";
import { Watchers } from "./watchers.ts";
import { IdleCollector } from "./idle_gc.ts";
import { inProcessBackend } from "./in_process.ts";
import { Notifier } from "./notifier.ts";

export interface ServiceOptions {
  home: string;
}

/** Takes the one-service-per-home lock (released by the OS if we die), waiting briefly for a predecessor. */
async function takeLock(paths: HomePaths, socketName: string): Promise<Deno.FsFile | null> {
  const f = openPrivateFile(paths.serviceLock, { read: true });
  for (let i = 0; i < 50; i++) {
    if (f.tryLockSync(true)) return f;
    // A holder that answers is a live service, not a predecessor handing over: give up at once.
    if (i > 0 && await answers(paths.home, socketName)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  f.close();
  return null;
}

async function answers(home: string, socketName: string): Promise<boolean> {
  try {
    const { conn } = await connect(home, socketName);
    conn.close();
    return true;
  } catch {
    return false;
  }
}

export async function runService(opts: ServiceOptions, signal: AbortSignal): Promise<number> {
  const paths = prepareHome(opts.home);
  const logger = await setupLogging(paths.serviceLog);
  const log = (m: string) => logger.info(m);
  let config: Config;
  try {
    config = loadConfig(paths.config);
  } catch (e) {
    logger.error(`cannot start: ${(e as Error).message} [E_CONFIG]`);
    return 105;
  }
  const lock = await takeLock(paths, config.socket_name);
  if (!lock) {
    logger.info(`another barn service already runs for ${paths.home}; exiting`);
    return 0;
  }
  let opened: ReturnType<typeof openChecked>;
  try {
    opened = openChecked(paths, config.busy_timeout_seconds * 1000);
  } catch (e) {
    const body = toErrorBody(e);
    logger.error(`cannot start: ${body.message} [${body.code}]`);
    lock.close();
    return exitForError(body.code);
  }
  const store: Store = opened.store;
  if (opened.fresh) {
    logger.warn(
      `no barn.db in ${paths.home}: a first start, or the home was emptied (a reboot clears /tmp); starting with no jobs`,
    );
  }
  if (opened.rebuilt) {
    const { reason, movedTo, report: r } = opened.rebuilt;
    logger.error(
      `${reason}: ${movedTo ? `moved it to ${movedTo}; ` : ""}rebuilt ${r.restored} jobs from ` +
        `the job dirs (${r.finished} finished, ${r.running} still running, ${r.interrupted} ` +
        `interrupted, ${r.held} held on the 'rebuild' latch); ` +
        (r.conflicts.length
          ? `${r.conflicts.length} not restored: ${r.conflicts.slice(0, 20).join("; ")}`
          : "no conflicts"),
    );
  }
  if (opened.dependencies > 0) {
    logger.warn(
      `settled ${opened.dependencies} dependencies whose jobs had ended (or were gone) unseen`,
    );
  }
  const { committed, dropped } = opened.settled;
  if (committed + dropped > 0) {
    logger.warn(
      `settled submissions a crash interrupted: ${committed} committed, ${dropped} never ` +
        "committed (their dirs removed)",
    );
  }
  const startedAt = new Date();
  const stopping = new AbortController();
  signal.addEventListener("abort", () => stopping.abort());
  let restartAfterStop = false;
  let killedJobs = false;

  const changes = new Changes();
  const reconciler = new Reconciler(store, log);
  const settle = () =>
    reconciler.run().then(
      (r) => {
        if (r.collected.length + r.interrupted.length > 0) changes.notify();
        scheduler.pump();
      },
      (e) => logger.error(`reconcile failed: ${(e as Error).message}`),
    );
  const keeper = new KeeperLink(
    paths,
    () => {
      changes.notify();
      scheduler.pump();
    },
    () => {
      if (stopping.signal.aborted) return;
      log("the job keeper exited (idle) or died; settling any jobs it left");
      settle();
    },
    log,
  );
  const collector = new IdleCollector();
  const scheduler = new Scheduler(
    store,
    keeper,
    () => config,
    log,
    () => changes.notify(),
    (idle) => idle ? collector.idle() : collector.busy(),
  );

  // Re-adopt: attach to a live keeper, then settle jobs whose supervisor is gone.
  const attached = await keeper.attachIfAlive();
  let r: Awaited<ReturnType<Reconciler["run"]>>;
  try {
    r = await reconciler.run();
  } catch (e) {
    const body = toErrorBody(e);
    logger.error(`cannot start: settling running jobs failed: ${body.message} [${body.code}]`);
    keeper.close();
    store.close();
    lock.close();
    return exitForError(body.code);
  }
  log(
    `started (pid ${Deno.pid}, version ${VERSION}); keeper ${
      attached ? `re-adopted, pid ${keeper.pid}` : "not running"
    }; ` +
      `${r.alive.length} running jobs re-adopted, ${r.collected.length} exits collected, ${r.interrupted.length} interrupted`,
  );

  let listener: Listener;
  try {
    listener = listen(paths.home, config.socket_name);
  } catch (e) {
    const body = toErrorBody(e);
    logger.error(`cannot listen: ${body.message} [${body.code}]`);
    keeper.close();
    store.close();
    lock.close();
    return exitForError(body.code);
  }
  const endpoint = listener.endpoint;
  writeFileAtomic(
    paths.serviceInfo,
    JSON.stringify({
      pid: Deno.pid,
      started_at: startedAt.toISOString(),
      version: VERSION,
      endpoint,
      socket_name: config.socket_name,
    }) + "\n",
  );

  const ops: ServiceOps = {
    status(): ServiceStatus {
      return {
        state: "up",
        pid: Deno.pid,
        uptime_seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        version: VERSION,
        home: paths.home,
        endpoint,
        started_at: startedAt.toISOString(),
        max_parallel: config.max_parallel,
        groups: groupStatus(config, store.groupCounts()),
        jobs: store.counts(),
        store: store.settings(),
        keeper: {
          state: keeper.connected ? "up" : "down",
          pid: keeper.pid,
          jobs: store.runningCount(),
        },
        watchers: watchers.status(),
      };
    },
    async reload() {
      const next = loadConfig(paths.config); // throws E_CONFIG; the old config stays
      const changed = (Object.keys(next) as (keyof Config)[]).filter((k) =>
        JSON.stringify(next[k]) !== JSON.stringify(config[k])
      );
      const restart = next.socket_name !== config.socket_name;
      config = next;
      log(`config reloaded; changed: ${changed.join(", ") || "nothing"}`);
      if (keeper.connected) await keeper.request({ kind: "reload" }).catch(() => {});
      await watchers.apply(config);
      if (restart) {
        log("the socket changed: soft restart (a new service takes over, jobs keep running)");
        restartAfterStop = true;
        setTimeout(() => stopping.abort(), 50);
      } else scheduler.pump();
      return { restarted: restart, changed };
    },
    shutdown(killJobs: boolean) {
      log(`stop requested${killJobs ? " with --kill-jobs" : ""}`);
      killedJobs = killJobs;
      if (!killJobs) {
        setTimeout(() => stopping.abort(), 50);
        return;
      }
      (async () => {
        for (const job of store.list({ state: "queued" })) {
          try {
            store.apply(job.job_id, {
              type: "cancel",
              reason: "canceled by `barn service stop --kill-jobs`",
            });
          } catch { /* started meanwhile */ }
        }
        await Promise.allSettled(
          store.list({ state: "running" }).map((j) => scheduler.stopRunning(j)),
        );
      })().finally(() => stopping.abort());
    },
  };
  const ctx: HandlerContext = {
    store,
    paths,
    config: () => config,
    jobs: scheduler,
    service: ops,
    changes,
  };
  const watchers = new Watchers(inProcessBackend(ctx), log);
  await watchers.apply(config);

  // Webhooks: the outbox is drained at start, after every change this process hears of, and
  // every heartbeat (jobs that end under --offline clients are written by other processes).
  const notifier = new Notifier(store, paths, () => config, log);
  const notifying = (async () => {
    while (!stopping.signal.aborted) {
      notifier.wake();
      await changes.wait(config.heartbeat_seconds * 1000, stopping.signal);
    }
  })();

  const onHup = () =>
    ops.reload().catch((e) => logger.error(`reload refused: ${(e as Error).message}`));
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGHUP", onHup);
  const onTerm = () => stopping.abort();
  const termSignals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGTERM", "SIGINT"];
  for (const s of termSignals) Deno.addSignalListener(s, onTerm);

  const conns = new Set<Deno.Conn>();
  const serve = (conn: Deno.Conn) => {
    conns.add(conn);
    serveConnection(conn, ctx, paths, config.idle_timeout_seconds, logger.warn)
      .finally(() => conns.delete(conn));
  };
  // Whether or not the keeper link is up: an --offline supervisor that died holds a slot too.
  // A pass also starts jobs whose dependency an --offline client ended while this service ran.
  const periodic = setInterval(() => {
    if (store.runningCount() > 0) settle();
    else scheduler.pump();
  }, config.heartbeat_seconds * 1000);
  let exitCode = 0;
  const home = new HomeWatch([paths.home, paths.db, endpoint], (what) => {
    logger.error(
      `${what}: this service no longer serves the home it started for, and exits [E_HOME_CHANGED]`,
    );
    exitCode = exitForError("E_HOME_CHANGED");
    stopping.abort();
  });
  scheduler.pump();

  stopping.signal.addEventListener("abort", () => listener.close());
  await acceptLoop(listener, serve, (m) => logger.warn(m));

  clearInterval(periodic);
  await notifier.stop();
  await notifying;
  home.stop();
  scheduler.stop();
  watchers.stopAll();
  collector.stop();
  for (const c of conns) {
    try {
      c.close();
    } catch { /* closed */ }
  }
  if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGHUP", onHup);
  for (const s of termSignals) Deno.removeSignalListener(s, onTerm);
  keeper.close();
  if (exitCode === 0) {
    try {
      Deno.removeSync(endpoint);
    } catch { /* TCP endpoint, or gone */ }
  }
  store.close();
  lock.close();
  log(
    restartAfterStop
      ? "handing over to a new service"
      : killedJobs
      ? "stopped; its jobs were canceled"
      : "stopped; running jobs keep running under the keeper",
  );
  if (restartAfterStop) spawnSelfDetached(["service", "run"]);
  return exitCode;
}

/** Each group's limit and jobs: the configured groups first, then any other that has jobs. */
function groupStatus(
  config: Config,
  counts: Map<string, GroupCounts>,
): NonNullable<ServiceStatus["groups"]> {
  const names = [...new Set([...Object.keys(config.groups), ...counts.keys()])];
  return names.map((name) => ({
    name,
    limit: groupLimit(config, name),
    running: counts.get(name)?.running ?? 0,
    queued: counts.get(name)?.queued ?? 0,
  }));
}

/** What partly received requests may hold across every connection of this service. */
const frameBudget = new FrameBudget(FRAME_BUDGET_BYTES);
/** A collection after large request buffers are dropped, so their memory goes back to the OS. */
const frameCollector = new IdleCollector();

/** One client connection: handshake, then requests until it closes or idles out. */
async function serveConnection(
  conn: Deno.Conn,
  ctx: HandlerContext,
  paths: HomePaths,
  idleSeconds: number,
  warn: (m: string) => void,
): Promise<void> {
  const reader = new FrameReader(conn, frameBudget);
  let idle: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      try {
        conn.close();
      } catch { /* closed */ }
    }, idleSeconds * 1000);
  };
  const fail = async (e: unknown) => {
    try {
      await writeFrame(conn, { ok: false, error: toErrorBody(e) });
    } catch { /* peer gone */ }
  };
  try {
    arm();
    const hello = await reader.next(MAX_HELLO_BYTES);
    if (hello === null) return;
    const h = parseRequest(hello);
    if (h.kind !== "hello") {
      throw new BarnError(
        "E_PROTOCOL",
        "the first message must be a hello with the protocol version",
      );
    }
    if (h.protocol !== PROTOCOL_VERSION) {
      throw new BarnError(
        "E_PROTOCOL",
        `protocol mismatch: client speaks ${h.protocol}, service speaks ${PROTOCOL_VERSION}; ` +
          "run the same barn version for both (restart the service after an upgrade)",
      );
    }
    if (!checkToken(paths.home, h.token ?? null)) {
      throw new BarnError("E_PROTOCOL", "bad or missing service token");
    }
    await writeFrame(conn, { ok: true, protocol: PROTOCOL_VERSION, server_version: VERSION });
    for (;;) {
      arm();
      const raw = await reader.next();
      if (raw === null) return;
      clearTimeout(idle);
      const req: Request = parseRequest(raw);
      await writeFrame(
        conn,
        await dispatch(
          ctx,
          req,
          (f) => "frame" in f ? writeBytes(conn, f.frame) : writeFrame(conn, f),
        ),
      );
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.BadResource) && !(e instanceof Deno.errors.ConnectionReset)) {
      if (e instanceof BarnError) warn(`closing a connection: ${e.code}: ${e.message}`);
      await fail(e);
    }
  } finally {
    clearTimeout(idle);
    reader.release();
    if (reader.peak > 0) {
      frameCollector.busy();
      frameCollector.idle();
    }
    try {
      conn.close();
    } catch { /* closed */ }
  }
}
