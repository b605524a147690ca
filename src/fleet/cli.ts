/** barn-fleet's argv → subcommand: its own global options, then the command; errors map to exit codes. */

import { lazy } from "../lazy.ts";
import { toErrorBody } from "../errors.ts";
import { exitForError } from "../jobs/exit_codes.ts";
import { BUILD_COMMIT, VERSION } from "../version.ts";
import {
  commandNamed,
  leadingGlobals,
  type OptionSpecs,
  outputFormat,
  parseArgs,
} from "../cli/args.ts";
import { FleetContext, writeOut } from "./context.ts";
import { FLEET_COMMANDS } from "./commands/mod.ts";

export const FLEET_GLOBALS: OptionSpecs = {
  hosts: { type: "string" },
  barn: { type: "string" },
  output: { type: "string", short: "o" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  "connect-timeout": { type: "string" },
  "control-persist": { type: "string" },
  "ssh-config": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
};

const PROGRAM = "barn-fleet";

export async function runFleet(argv: readonly string[]): Promise<number> {
  const { globals, rest } = leadingGlobals(argv, FLEET_GLOBALS);
  let ctx: FleetContext | null = null;
  let format: "human" | "json" | "xml" = "human";
  try {
    const g = parseArgs(globals, {}, { subcommand: "", globals: FLEET_GLOBALS, program: PROGRAM });
    if (g.options.version) {
      await writeOut(Deno.stdout, `barn-fleet ${VERSION} (${BUILD_COMMIT})\n`);
      return 0;
    }
    format = outputFormat(g.options.output);
    const name = rest[0];
    if (name === undefined || g.options.help || name === "help") {
      const { fleetHelp } = await lazy<typeof import("./help.ts")>(import.meta.url, "./help.ts");
      const topic = FLEET_COMMANDS.find((c) => c.name === rest[name === "help" ? 1 : -1]);
      await writeOut(
        Deno.stdout,
        fleetHelp(FLEET_COMMANDS, topic ? await topic.load() : undefined) + "\n",
      );
      return name === undefined && !g.options.help ? 2 : 0;
    }
    const cmd = await commandNamed(FLEET_COMMANDS, name, PROGRAM).load();
    const p = parseArgs(rest.slice(1), cmd.options, {
      subcommand: cmd.name,
      stopAtPositional: cmd.stopAtPositional ?? false,
      globals: FLEET_GLOBALS,
      program: PROGRAM,
    });
    const options = { ...g.options, ...p.options };
    format = outputFormat(options.output);
    if (options.help) {
      const { fleetCommandHelp } = await lazy<typeof import("./help.ts")>(
        import.meta.url,
        "./help.ts",
      );
      await writeOut(Deno.stdout, fleetCommandHelp(cmd) + "\n");
      return 0;
    }
    ctx = new FleetContext(format, options, p.positionals, p.rest);
    return await cmd.run(ctx);
  } catch (e) {
    const body = toErrorBody(e);
    await (ctx ?? new FleetContext(format, {}, [], [])).printError(body);
    return exitForError(body.code);
  }
}
