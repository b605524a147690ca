/** --offline: the service's own handlers and store, run in the client process. */

import type { Config } from "../config/config.ts";
import type { Job } from "../jobs/job.ts";
import type { HandlerContext, JobControl } from "../service/context.ts";
import { inProcessBackend } from "../service/in_process.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { Store } from "../store/store.ts";
import { requestStopByFile, waitFinished } from "../supervisor/stop_request.ts";
import { keeperStop } from "../supervisor/keeper_client.ts";
import type { Backend } from "../client/backend.ts";
import { Changes } from "../service/changes.ts";

/** Job control without a service: jobs run in the client that submitted them. */
class OfflineControl implements JobControl {
  constructor(private store: Store, private paths: HomePaths, private config: Config) {}
  dispatch(): void {
    // The `run --offline` command supervises its job itself once it is stored.
  }
  async stopRunning(job: Job): Promise<Job> {
    const reason = { code: "E_CANCELED" as const, error: "canceled by `barn kill`" };
    if (job.supervisor === "keeper") await keeperStop(this.paths, job.job_id, reason);
    else requestStopByFile(job, reason);
    return await waitFinished(this.store, job.job_id, (this.config.kill_grace_seconds + 10) * 1000);
  }
}

export interface OfflineBackend extends Backend {
  store: Store;
}

export function openOffline(paths: HomePaths, config: Config): OfflineBackend {
  const store = Store.open(paths);
  const ctx: HandlerContext = {
    store,
    paths,
    config: () => config,
    jobs: new OfflineControl(store, paths, config),
    service: null,
    changes: new Changes(),
  };
  return { ...inProcessBackend(ctx, () => store.close()), store };
}
