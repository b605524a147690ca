import { assertEquals } from "../../helpers/assert.ts";
import { recoveredResult } from "../../../src/watch/result.ts";

Deno.test("recoveredResult: no clips, no time, and a _recovery block that says why", () => {
  const at = "2026-01-01T00:00:00.000Z";
  const barnJobs = [{
    barn_job_id: "k3f9",
    state: "canceled",
    exit_code: "E_CANCELED",
    action: "x",
  }];
  assertEquals(
    recoveredResult({
      jobId: "spec-1",
      status: "FAILED",
      reason: "runner interrupted",
      errors: ["runner interrupted"],
      originalPath: "/tmp/barn/w/running/a.json",
      barnJobs,
    }, at),
    {
      job_id: "spec-1",
      final_status: "FAILED",
      failure_reason: "runner interrupted",
      errors: ["runner interrupted"],
      clips: [],
      partial_outputs: [],
      started_at: at,
      completed_at: at,
      duration_seconds: 0,
      _recovery: {
        reason: "runner interrupted",
        recovered_at: at,
        original_path: "/tmp/barn/w/running/a.json",
        barn_jobs: barnJobs,
      },
    },
  );
});
