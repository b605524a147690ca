/** --offline: the service's own handlers and store, run in the client process. */

import type { Config } from "../config/config.ts";
import type { Job } from "../jobs/job.ts";
import type { HandlerContext, JobControl } from "../service/context.ts";
import { inProcessBackend } from "../service/in_process.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { Store } from "../store/store.ts";
import { stopRunning } from "../supervisor/stop_request.ts";
import type { Backend } from "../client/backend.ts";
import type { Request } from "../protocol/messages.ts";
import { Changes } from "../service/changes.ts";
import { OFFLINE_LATCH } from "../jobs/transitions.ts";

/** Job control without a service: jobs run in the client that submitted them. */
class OfflineControl implements JobControl {
  constructor(private store: Store, private config: Config) {}
  dispatch(): void {
    // The `run --offline` command supervises its job itself once it is stored.
  }
  stopRunning(job: Job): Promise<Job> {
    return stopRunning(this.store, job, this.config.kill_grace_seconds);
  }
}

export interface OfflineBackend extends Backend {
  store: Store;
}

export function openOffline(paths: HomePaths, config: Config): OfflineBackend {
  const store = Store.open(paths, config.busy_timeout_seconds * 1000);
  const ctx: HandlerContext = {
    store,
    paths,
    config: () => config,
    jobs: new OfflineControl(store, config),
    service: null,
    changes: new Changes(),
  };
  const backend = inProcessBackend(ctx, () => store.close());
  // Each job is held until this client starts it: a service running meanwhile never takes it.
  const request: Backend["request"] = (req) => {
    if (req.kind !== "submit") return backend.request(req);
    const submit = req as Extract<Request, { kind: "submit" }>;
    const held = { ...submit, jobs: submit.jobs.map((j) => ({ ...j, latch: OFFLINE_LATCH })) };
    return backend.request(held as typeof req);
  };
  return { ...backend, request, store };
}
