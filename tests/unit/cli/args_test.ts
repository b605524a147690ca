import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import {
  commandNamed,
  leadingGlobals,
  nearest,
  outputFormat,
  parseArgs,
} from "../../../src/cli/args.ts";
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

Deno.test("commandNamed: the entry, or E_USAGE with the program's nearest command", () => {
  const entries = [{ name: "run" }, { name: "status" }];
  assertEquals(commandNamed(entries, "status", "barn"), entries[1]);
  const e = assertThrows(() => commandNamed(entries, "stauts", "barn-fleet"), BarnError);
  assertEquals(
    [e.code, e.message],
    [
      "E_USAGE",
      "unknown command 'stauts' (did you mean `barn-fleet status`?); see `barn-fleet --help`",
    ],
  );
  assertMatch(
    assertThrows(() => commandNamed(entries, "\x1b[2J", "barn"), BarnError).message,
    /^unknown command '\\u001b\[2J'; see `barn --help`$/,
  );
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
