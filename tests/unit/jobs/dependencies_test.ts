import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import type { JobSpec } from "../../../src/jobs/job.ts";
import { planDependencies } from "../../../src/jobs/dependencies.ts";

function spec(over: Partial<JobSpec> = {}): JobSpec {
  return { command: ["ffprobe", "-version"], cwd: "/tmp/barn", ...over };
}

function refused(specs: JobSpec[]): string {
  const e = assertThrows(() => planDependencies(specs), BarnError);
  assertEquals(e.code, "E_USAGE");
  return e.message;
}

Deno.test("dependencies: labels become lines (forward too), the rest stored jobs; repeats fold", () => {
  const plan = planDependencies([
    spec({ label: "dl" }),
    spec({ after: ["dl", "k3f9", "@render", "dl", "up"] }),
    spec({ label: "up", after: ["dl"] }),
    spec(),
  ]);
  assertEquals(plan, [
    [],
    [{ line: 0 }, { ref: "k3f9" }, { ref: "@render" }, { line: 2 }],
    [{ line: 0 }],
    [],
  ]);
  // A label wins over an id prefix of the same spelling, within its submission.
  assertEquals(planDependencies([spec({ label: "abcd" }), spec({ after: ["abcd"] })])[1], [{
    line: 0,
  }]);
});

Deno.test("dependencies: cycles are refused, named by their labels, however long the chain", () => {
  assertMatch(
    refused([
      spec({ label: "a", after: ["c"] }),
      spec({ label: "b", after: ["a"] }),
      spec({ label: "c", after: ["b"] }),
    ]),
    /cycle \(a → c → b → a\).*nothing was submitted/,
  );
  assertMatch(refused([spec({ label: "self", after: ["self"] })]), /cycle \(self → self\)/);
  // 10 000 lines in a chain: no stack overflow, and no cycle.
  const chain = Array.from(
    { length: 10_000 },
    (_, i) => spec({ label: `s${i}`, after: i ? [`s${i - 1}`] : [] }),
  );
  assertEquals(planDependencies(chain)[9999], [{ line: 9998 }]);
  chain[0]!.after = ["s9999"];
  assertMatch(refused(chain), /cycle \(s0 → s9999 → s9998 → /);
});

Deno.test("dependencies: bad labels and references are usage errors naming the job", () => {
  assertMatch(
    refused([spec({ label: "x" }), spec({ label: "x" })]),
    /job 2: label 'x' is already the label of job 1/,
  );
  assertMatch(refused([spec({ label: "a b" })]), /label 'a b' is not a valid name/);
  assertMatch(
    refused([spec(), spec({ after: ["dl"] })]),
    /job 2: after 'dl' is neither a label of this submission nor a job id/,
  );
  assertMatch(refused([spec({ after: ["@a b"] })]), /after '@a b' is neither/);
  assertMatch(
    refused([spec({ after: Array.from({ length: 1001 }, (_, i) => `abcd${i}`) })]),
    /at most 1000 dependencies/,
  );
});
