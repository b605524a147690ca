/** The running service's own operations (ServiceOps): its status, a config reload, a stop. */

import { type Config, loadConfig } from "../config/config.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import type { ServiceStatus } from "../protocol/messages.ts";
import type { GroupCounts } from "../store/queue.ts";
import type { Store } from "../store/store.ts";
import { VERSION } from "../version.ts";
import type { ServiceOps } from "./context.ts";
import type { KeeperLink } from "./keeper_link.ts";
import { groupLimit, type Scheduler } from "./scheduler.ts";
import type { Watchers } from "./watchers.ts";

/** What the ops change: the config in force, and how the service ends. */
export interface ServiceState {
  config: Config;
  /** A reload moved the socket: a new service takes over once this one has stopped. */
  restartAfterStop: boolean;
  /** `service stop --kill-jobs` canceled the queue and stopped the running jobs. */
  killedJobs: boolean;
}

/** What the ops read and drive; `watchers` is a getter, since the watchers are built on the ops. */
export interface ServiceParts {
  paths: HomePaths;
  endpoint: string;
  startedAt: Date;
  store: Store;
  keeper: KeeperLink;
  scheduler: Scheduler;
  watchers: () => Watchers;
  log: (m: string) => void;
  /** Ends the accept loop, and with it the service. */
  stop: () => void;
}

export function serviceOps(state: ServiceState, p: ServiceParts): ServiceOps {
  const { paths, store, keeper, scheduler, log } = p;
  return {
    status(): ServiceStatus {
      return {
        state: "up",
        pid: Deno.pid,
        uptime_seconds: Math.round((Date.now() - p.startedAt.getTime()) / 1000),
        version: VERSION,
        home: paths.home,
        endpoint: p.endpoint,
        started_at: p.startedAt.toISOString(),
        max_parallel: state.config.max_parallel,
        groups: groupStatus(state.config, store.groupCounts()),
        jobs: store.counts(),
        store: store.settings(),
        keeper: {
          state: keeper.connected ? "up" : "down",
          pid: keeper.pid,
          jobs: store.runningCount(),
        },
        watchers: p.watchers().status(),
      };
    },
    async reload() {
      const next = loadConfig(paths.config); // throws E_CONFIG; the old config stays
      const changed = (Object.keys(next) as (keyof Config)[]).filter((k) =>
        JSON.stringify(next[k]) !== JSON.stringify(state.config[k])
      );
      const restart = next.socket_name !== state.config.socket_name;
      state.config = next;
      log(`config reloaded; changed: ${changed.join(", ") || "nothing"}`);
      if (keeper.connected) await keeper.request({ kind: "reload" }).catch(() => {});
      await p.watchers().apply(state.config);
      if (restart) {
        log("the socket changed: soft restart (a new service takes over, jobs keep running)");
        state.restartAfterStop = true;
        setTimeout(p.stop, 50);
      } else scheduler.pump();
      return { restarted: restart, changed };
    },
    shutdown(killJobs: boolean) {
      log(`stop requested${killJobs ? " with --kill-jobs" : ""}`);
      state.killedJobs = killJobs;
      if (!killJobs) {
        setTimeout(p.stop, 50);
        return;
      }
      // Nothing starts from here on, so a job submitted while the running ones stop is canceled too.
      scheduler.hold();
      const cancelQueued = () => {
        for (const job of store.list({ state: "queued" })) {
          try {
            store.apply(job.job_id, {
              type: "cancel",
              reason: "canceled by `barn service stop --kill-jobs`",
            });
          } catch { /* started meanwhile */ }
        }
      };
      (async () => {
        cancelQueued();
        await Promise.allSettled(
          store.list({ state: "running" }).map((j) => scheduler.stopRunning(j)),
        );
        cancelQueued();
      })().finally(p.stop);
    },
  };
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
