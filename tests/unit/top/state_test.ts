import { assertEquals } from "../../helpers/assert.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import type { Job } from "../../../src/jobs/job.ts";
import {
  initialState,
  onKey,
  order,
  type TopState,
  withJobs,
  withProgress,
} from "../../../src/top/state.ts";

const run = sampleJob({
  job_id: "run000000001",
  state: "running",
  tag: "tc",
  started_at: "2026-01-01T00:00:01Z",
});
const queued = sampleJob({ job_id: "que000000001", state: "queued", tag: "x" });
const done = sampleJob({
  job_id: "don000000001",
  state: "succeeded",
  exit_code: 0,
  finished_at: "2026-01-01T00:00:05Z",
});

function state(jobs: Job[] = [run, queued, done]): TopState {
  return withJobs(initialState(), jobs);
}

Deno.test("order: running, then queued, then finished; the first is selected", () => {
  const s = state([done, queued, run]);
  assertEquals(order(s).map((j) => j.job_id), ["run000000001", "que000000001", "don000000001"]);
  assertEquals(s.selected, "run000000001");
});

Deno.test("keys move the selection within bounds", () => {
  let s = state();
  s = onKey(s, "down").state;
  s = onKey(s, { char: "j" }).state;
  s = onKey(s, { char: "j" }).state;
  assertEquals(s.selected, "don000000001");
  s = onKey(s, "up").state;
  assertEquals(s.selected, "que000000001");
  s = onKey(s, { char: "g" }).state;
  assertEquals(s.selected, "run000000001");
});

Deno.test("K asks first: y cancels, anything else does not; a finished job is not offered", () => {
  const s = state();
  const ask = onKey(s, { char: "K" });
  assertEquals([ask.state.mode.kind, ask.effect.kind], ["confirm-kill", "none"]);
  assertEquals(onKey(ask.state, { char: "y" }).effect, { kind: "kill", id: "run000000001" });
  const no = onKey(ask.state, { char: "n" });
  assertEquals([no.effect.kind, no.state.mode.kind, no.state.message], [
    "none",
    "list",
    "not canceled",
  ]);
  const atDone = { ...s, selected: "don000000001" };
  const k = onKey(atDone, { char: "K" });
  assertEquals([k.effect.kind, k.state.message], ["none", "don000000001 has already succeeded"]);
});

Deno.test("r retries, l and d open views that load, q and Ctrl-C quit", () => {
  const s = state();
  assertEquals(onKey(s, { char: "r" }).effect, { kind: "retry", id: "run000000001" });
  const l = onKey(s, { char: "l" });
  assertEquals([l.state.mode.kind, l.effect], ["log", {
    kind: "load",
    id: "run000000001",
    what: "log",
  }]);
  assertEquals(onKey(l.state, "escape").state.mode.kind, "list");
  assertEquals(onKey(l.state, { char: "q" }).effect, { kind: "quit", code: 0 });
  assertEquals(onKey(s, "ctrl-c").effect, { kind: "quit", code: 130 });
});

Deno.test("/ filters by tag; an empty filter shows every tag again", () => {
  let s = state();
  for (const k of [{ char: "/" }, { char: "x" }, "enter"] as const) s = onKey(s, k).state;
  assertEquals([s.tag, order(s).map((j) => j.job_id), s.selected], [
    "x",
    ["que000000001"],
    "que000000001",
  ]);
  for (const k of [{ char: "/" }, "backspace", "enter"] as const) s = onKey(s, k).state;
  assertEquals([s.tag, order(s).length], [null, 3]);
});

Deno.test("progress updates a running job only", () => {
  const s = withProgress(state(), "run000000001", { percent: 42 });
  assertEquals(s.jobs.get("run000000001")!.progress, { percent: 42 });
  assertEquals(
    withProgress(s, "don000000001", { percent: 1 }).jobs.get("don000000001")!.progress,
    null,
  );
});
