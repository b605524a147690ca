import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import type { JobSpec } from "../../../src/jobs/job.ts";
import { applySpecOptions, applyVerify } from "../../../src/jobs/spec_options.ts";

const values = (o: Record<string, string>) => ({ str: (n: string) => o[n] });

function usage(fn: () => unknown): string {
  const e = assertThrows(fn, BarnError);
  assertEquals(e.code, "E_USAGE");
  return e.message;
}

Deno.test("spec options: each given option sets its field, under either timeout name", () => {
  for (const name of ["timeout", "job-timeout"] as const) {
    const spec: Omit<JobSpec, "cwd"> = { command: ["ffprobe"] };
    applySpecOptions(
      values({ tag: "t", key: "k", [name]: "1m30s", "stall-timeout": "20s", pending: "L" }),
      spec,
      name,
    );
    assertEquals(spec, {
      command: ["ffprobe"],
      tag: "t",
      key: "k",
      timeout_seconds: 90,
      stall_timeout_seconds: 20,
      latch: "L",
    });
  }
  const bare: Omit<JobSpec, "cwd"> = { command: ["ffprobe"] };
  applySpecOptions(values({ timeout: "5s" }), bare, "job-timeout");
  assertEquals(bare, { command: ["ffprobe"] }, "the other timeout name is not read");
});

Deno.test("spec options: empty and zero values are refused, naming the option", () => {
  const spec = () => ({ command: ["ffprobe"] });
  assertMatch(usage(() => applySpecOptions(values({ key: "" }), spec(), "timeout")), /^--key/);
  assertMatch(
    usage(() => applySpecOptions(values({ "job-timeout": "0s" }), spec(), "job-timeout")),
    /^--job-timeout must be above zero, e\.g\. --job-timeout=30m$/,
  );
  assertMatch(
    usage(() => applySpecOptions(values({ pending: "" }), spec(), "timeout")),
    /^--pending needs a latch name/,
  );
});

Deno.test("--verify: ffmpeg jobs only", () => {
  const ok: Omit<JobSpec, "cwd"> = { command: ["ffmpeg", "-i", "a", "b"] };
  applyVerify(ok);
  assertEquals(ok.verify, true);
  assertMatch(usage(() => applyVerify({ command: ["ffprobe"] })), /ffmpeg jobs only/);
});
