import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { linesOption, oneId, tailOption } from "../../../src/cli/job_args.ts";

const opts = (o: Record<string, string>) => ({ str: (n: string) => o[n] });

function usage(fn: () => unknown): string {
  const e = assertThrows(fn, BarnError);
  assertEquals(e.code, "E_USAGE");
  return e.message;
}

Deno.test("oneId: exactly one id or @NAME", () => {
  assertEquals(oneId({ positionals: ["@render"] }, "logs"), "@render");
  assertMatch(usage(() => oneId({ positionals: [] }, "kill")), /^missing job id: `barn kill <id>`/);
  assertMatch(
    usage(() => oneId({ positionals: ["a", "b"] }, "kill")),
    /takes one job id \(got 2\)/,
  );
});

Deno.test("describe's --lines: 10 by default, a whole number from 0 to 10000", () => {
  assertEquals(linesOption(opts({})), 10);
  assertEquals(linesOption(opts({ lines: "0" })), 0);
  assertEquals(linesOption(opts({ lines: "10000" })), 10000);
  for (const bad of ["10001", "-1", "1.5", "x"]) {
    assertMatch(usage(() => linesOption(opts({ lines: bad }))), /^--lines must be a whole number/);
  }
});

Deno.test("logs' --tail and -n: the whole log by default, else a whole number; --tail wins", () => {
  assertEquals(tailOption(opts({})), undefined);
  assertEquals(tailOption(opts({ lines: "5" })), 5);
  assertEquals(tailOption(opts({ tail: "2", lines: "5" })), 2);
  assertMatch(
    usage(() => tailOption(opts({ tail: "\x1b[2J" }))),
    /^--tail must be a whole number of lines \(got '\\u001b\[2J'\)$/,
  );
});
