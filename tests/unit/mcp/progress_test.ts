import { assertEquals } from "../../helpers/assert.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { progressUpdate } from "../../../src/mcp/progress.ts";

const running = (percent: number) =>
  sampleJob({
    job_id: "k3f9x2a0b1c2",
    state: "running",
    progress: { percent, speed: 0.97, eta_seconds: 240 },
  });

Deno.test("progressUpdate: one running job gives its percent, speed and ETA", () => {
  assertEquals(progressUpdate([running(34.14)], null), {
    progress: 34.1,
    total: 100,
    message: "k3f9x2a0b1c2 running: 34.1%, 0.97x, ETA 4m",
  });
});

Deno.test("progressUpdate: only a rising figure is sent", () => {
  assertEquals(progressUpdate([running(34.1)], 34.1), null);
  assertEquals(progressUpdate([running(30)], 34.1), null);
  assertEquals(progressUpdate([running(40)], 34.1)?.progress, 40);
  assertEquals(progressUpdate([], null), null);
});

Deno.test("progressUpdate: several jobs average, finished ones count as done", () => {
  const done = sampleJob({ job_id: "aaaa00000000", state: "succeeded", exit_code: 0 });
  const queued = sampleJob({ job_id: "bbbb00000000", state: "queued" });
  const u = progressUpdate([running(50), done, queued], null)!;
  assertEquals(u.progress, 50);
  assertEquals(u.message, "k3f9x2a0b1c2 running: 50.0%, 0.97x, ETA 4m (1/3 done)");
});
