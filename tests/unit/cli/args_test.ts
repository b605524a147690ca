import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { leadingGlobals, nearest, outputFormat, parseArgs } from "../../../src/cli/args.ts";
import { BarnError } from "../../../src/errors.ts";

const RUN = { tag: { type: "string" as const }, timeout: { type: "string" as const } };

Deno.test("run: barn's options end at the command name; ffmpeg keeps -f, -t, -n", () => {
  const p = parseArgs(
    ["--tag=x", "-o", "json", "ffmpeg", "-i", "a.mp4", "-t", "3", "-f", "null", "-n", "--tag=y"],
    RUN,
    { subcommand: "run", stopAtPositional: true },
  );
  assertEquals(p.options, { tag: "x", output: "json" });
  assertEquals(p.rest, ["ffmpeg", "-i", "a.mp4", "-t", "3", "-f", "null", "-n", "--tag=y"]);
});

Deno.test("run: -- also ends barn's options", () => {
  const p = parseArgs(["--tag", "t", "--", "curl", "--version"], RUN, {
    subcommand: "run",
    stopAtPositional: true,
  });
  assertEquals([p.options.tag, p.rest], ["t", ["curl", "--version"]]);
});

Deno.test("unknown options and missing values are usage errors", () => {
  assertEquals(
    assertThrows(() => parseArgs(["--bogus"], RUN, { subcommand: "run" }), BarnError).code,
    "E_USAGE",
  );
  assertEquals(
    assertThrows(() => parseArgs(["--tag"], RUN, { subcommand: "run" }), BarnError).code,
    "E_USAGE",
  );
  assertEquals(
    assertThrows(() => parseArgs(["--offline=yes"], RUN, { subcommand: "run" }), BarnError).code,
    "E_USAGE",
  );
});

Deno.test("--output accepts human, json, xml only", () => {
  assertEquals(outputFormat(undefined), "human");
  assertEquals(outputFormat("xml"), "xml");
  assertEquals(assertThrows(() => outputFormat("yaml"), BarnError).code, "E_USAGE");
});

Deno.test("a mistyped command gets the nearest one", () => {
  assertEquals(nearest("stauts", ["run", "status", "describe"]), "status");
  assertEquals(nearest("zzzzzzzz", ["run", "status"]), null);
});

Deno.test("another program's globals: leading ones split off, and messages name that program", () => {
  const globals = { hosts: { type: "string" as const }, help: { type: "boolean" as const } };
  assertEquals(leadingGlobals(["--hosts", "-", "status", "--all"], globals), {
    globals: ["--hosts", "-"],
    rest: ["status", "--all"],
  });
  const p = parseArgs(["--hosts=a,b", "x"], {}, {
    subcommand: "status",
    globals,
    program: "barn-fleet",
  });
  assertEquals([p.options.hosts, p.positionals], ["a,b", ["x"]]);
  const e = assertThrows(
    () => parseArgs(["--offline"], {}, { subcommand: "status", globals, program: "barn-fleet" }),
    BarnError,
  );
  assertMatch(e.message, /unknown option '--offline' for `barn-fleet status`/);
});
