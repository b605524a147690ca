import { assertEquals } from "../../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../../helpers/barn.ts";
import { RUN, spec } from "../../../helpers/store_fixture.ts";
import { defaultConfig } from "../../../../src/config/config.ts";
import type { Job } from "../../../../src/jobs/job.ts";
import { prepareHome } from "../../../../src/platform/home_layout.ts";
import { Changes } from "../../../../src/service/changes.ts";
import type { HandlerContext } from "../../../../src/service/context.ts";
import { handleKill } from "../../../../src/service/handlers/kill.ts";
import { Store } from "../../../../src/store/store.ts";

Deno.test("kill: a job the keeper starts between kill's read and its cancel is stopped as running, not refused with E_STATE", async () => {
  const home = tempHome("killrace");
  const paths = prepareHome(home);
  // Two connections on one DB, as the service and the keeper have.
  const service = Store.open(paths);
  const keeper = Store.open(paths);
  try {
    const id = service.insert([spec()])[0]!.job.job_id;
    // The keeper commits the start right after kill has read the job as queued.
    const racing = new Proxy(service, {
      get(target, key) {
        if (key === "resolve") {
          return (prefix: string): Job => {
            const job = target.resolve(prefix);
            keeper.apply(job.job_id, RUN);
            return job;
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const stopped: string[] = [];
    const ctx: HandlerContext = {
      store: racing,
      paths,
      config: defaultConfig,
      service: null,
      changes: new Changes(),
      jobs: {
        dispatch() {},
        stopRunning(job: Job): Promise<Job> {
          stopped.push(`${job.job_id} ${job.state}`);
          return Promise.resolve(keeper.apply(job.job_id, {
            type: "exit",
            info: {
              process_exit_code: null,
              signal: "SIGTERM",
              outcome: { code: "E_CANCELED", error: "canceled by `barn kill`" },
            },
          }));
        },
      },
    };
    const r = await handleKill(ctx, { kind: "kill", id });
    assertEquals(stopped, [`${id} running`]);
    assertEquals([r.job.state, r.job.exit_code], ["canceled", "E_CANCELED"]);
    assertEquals(service.get(id)!.state, "canceled");
  } finally {
    keeper.close();
    service.close();
    await cleanupHome(home);
  }
});
