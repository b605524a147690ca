/** The service: one per BARN_HOME, serving clients over the local transport while the keeper runs jobs. */

import { logCrashes } from "../crash_log.ts";
import { toErrorBody } from "../errors.ts";
import { loadConfig } from "../config/config.ts";
import { prepareHome } from "../platform/home_layout.ts";
import { writeFileAtomic } from "../platform/files.ts";
import { listen, type Listener } from "../platform/transport.ts";
import { spawnSelfDetached } from "../platform/self.ts";
import { HomeWatch } from "../platform/home_watch.ts";
import { acceptLoop } from "../protocol/accept.ts";
import { openChecked } from "../store/recovery.ts";
import type { Store } from "../store/store.ts";
import { exitForError } from "../jobs/exit_codes.ts";
import { VERSION } from "../version.ts";
import type { HandlerContext } from "./context.ts";
import { serveConnection } from "./connection.ts";
import { KeeperLink } from "./keeper_link.ts";
import { logOpenReport } from "./open_report.ts";
import { Reconciler } from "./reconcile.ts";
import { Scheduler } from "./scheduler.ts";
import { serviceOps, type ServiceState } from "./service_ops.ts";
import { takeLock } from "./service_lock.ts";
import { setupLogging } from "./logger.ts";
import { ANY_CHANGE, Changes } from "./changes.ts";
import { Watchers } from "./watchers.ts";
import { IdleCollector } from "./idle_gc.ts";
import { inProcessBackend } from "./in_process.ts";
import { Notifier } from "./notifier.ts";

export interface ServiceOptions {
  home: string;
}

export async function runService(opts: ServiceOptions, signal: AbortSignal): Promise<number> {
  const paths = prepareHome(opts.home);
  const logger = await setupLogging(paths.serviceLog);
  logCrashes((m) => logger.error(m));
  const log = (m: string) => logger.info(m);
  let state: ServiceState;
  try {
    state = { config: loadConfig(paths.config), restartAfterStop: false, killedJobs: false };
  } catch (e) {
    logger.error(`cannot start: ${(e as Error).message} [E_CONFIG]`);
    return 105;
  }
  const lock = await takeLock(paths, state.config.socket_name);
  if (!lock) {
    logger.info(`another barn service already runs for ${paths.home}; exiting`);
    return 0;
  }
  let opened: ReturnType<typeof openChecked>;
  try {
    opened = openChecked(paths, state.config.busy_timeout_seconds * 1000);
  } catch (e) {
    const body = toErrorBody(e);
    logger.error(`cannot start: ${body.message} [${body.code}]`);
    lock.close();
    return exitForError(body.code);
  }
  const store: Store = opened.store;
  logOpenReport(opened, paths.home, logger);
  const startedAt = new Date();
  const stopping = new AbortController();
  signal.addEventListener("abort", () => stopping.abort());

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
    (ev) => {
      // A success ends only its own job; a failure may cancel its dependents too.
      changes.notify(ev.state === "succeeded" ? { ends: true, ended: [ev.job_id] } : ANY_CHANGE);
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
    () => state.config,
    log,
    (c) => changes.notify(c),
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
    listener = listen(paths.home, state.config.socket_name);
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
      socket_name: state.config.socket_name,
    }) + "\n",
  );

  const ops = serviceOps(state, {
    paths,
    endpoint,
    startedAt,
    store,
    keeper,
    scheduler,
    watchers: () => watchers,
    log,
    stop: () => stopping.abort(),
  });
  const ctx: HandlerContext = {
    store,
    paths,
    config: () => state.config,
    jobs: scheduler,
    service: ops,
    changes,
  };
  const watchers = new Watchers(inProcessBackend(ctx), log, (m) => logger.warn(m));
  await watchers.apply(state.config);

  // Webhooks: the outbox is drained at start, after every change this process hears of, and
  // every heartbeat (jobs that end under --offline clients are written by other processes).
  const notifier = new Notifier(store, paths, () => state.config, log);
  const notifying = (async () => {
    while (!stopping.signal.aborted) {
      notifier.wake();
      // Only ends write webhooks: a start or a new job wakes nothing here.
      await changes.wait(state.config.heartbeat_seconds * 1000, stopping.signal, (c) => c.ends);
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
    serveConnection(conn, ctx, paths, state.config.idle_timeout_seconds, logger.warn)
      .finally(() => conns.delete(conn));
  };
  // Whether or not the keeper link is up: an --offline supervisor that died holds a slot too.
  // A pass also starts jobs whose dependency an --offline client ended while this service ran.
  const periodic = setInterval(() => {
    if (store.runningCount() > 0) settle();
    else scheduler.pump();
  }, state.config.heartbeat_seconds * 1000);
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
    state.restartAfterStop
      ? "handing over to a new service"
      : state.killedJobs
      ? "stopped; its jobs were canceled"
      : "stopped; running jobs keep running under the keeper",
  );
  if (state.restartAfterStop) spawnSelfDetached(["service", "run"]);
  return exitCode;
}
