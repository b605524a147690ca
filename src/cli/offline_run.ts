/** Supervises a stored job in this very process: the client is the supervisor under --offline. */

import { BarnError } from "../errors.ts";
import type { Config } from "../config/config.ts";
import type { Job } from "../jobs/job.ts";
import { JobRun } from "../supervisor/job_run.ts";
import type { Backend } from "../client/backend.ts";
import type { OfflineBackend } from "./offline.ts";

export async function superviseHere(backend: Backend, config: Config, id: string): Promise<Job> {
  const { store } = backend as OfflineBackend;
  const run = new JobRun(id, { store, config, kind: "offline" });
  // The job has its own session, so Ctrl-C reaches only us: pass it on as a cancel.
  const onSignal = () =>
    run.stop({ code: "E_CANCELED", error: "canceled: the --offline client was interrupted" });
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    const hb = setInterval(() => {
      try {
        store.heartbeat([id]);
      } catch { /* a diagnostic only: a busy or full DB must not stop the run */ }
    }, config.heartbeat_seconds * 1000);
    try {
      return await run.done;
    } catch (e) {
      // Nothing was started (its files could not be made, say): the job ends here, not queued.
      if (!(e instanceof BarnError) || e.code === "E_STATE" || e.code === "E_NOT_FOUND") throw e;
      return store.apply(id, {
        type: "spawn_failed",
        code: "E_START_FAILED",
        error: `barn could not start it: ${e.message}`,
      });
    } finally {
      clearInterval(hb);
    }
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}
