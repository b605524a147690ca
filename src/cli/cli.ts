/** argv → subcommand; parses global options on both sides of the subcommand and maps errors to exit codes. */

import { escapeLines, escapeText } from "../escape.ts";
import { lazy } from "../lazy.ts";
import { toErrorBody } from "../errors.ts";
import { BUILD_COMMIT, VERSION } from "../version.ts";
import { commandNamed, leadingGlobals, outputFormat, parseArgs } from "./args.ts";
import { CliContext, OUTPUT_CLOSED_EXIT, OutputClosed, writeOut } from "./context.ts";
import { COMMANDS } from "./commands/mod.ts";

/** The exit code for an error code; the table is loaded only when a command fails. */
async function exitForError(code: string): Promise<number> {
  const m = await lazy<typeof import("../jobs/exit_codes.ts")>(
    import.meta.url,
    "../jobs/exit_codes.ts",
  );
  return m.exitForError(code);
}

export async function runCli(argv: readonly string[]): Promise<number> {
  if (argv[0] === "--version" || argv[0] === "-V") {
    await writeOut(Deno.stdout, `barn ${VERSION} (${BUILD_COMMIT})\n`);
    return 0;
  }
  const { globals, rest } = leadingGlobals(argv);
  let format = "human";
  try {
    const g = parseArgs(globals, {}, { subcommand: "" });
    format = outputFormat(g.options.output);
    const name = rest[0];
    if (name === undefined || g.options.help || name === "help") {
      const { helpText } = await lazy<typeof import("./help.ts")>(import.meta.url, "./help.ts");
      const topic = COMMANDS.find((c) => c.name === rest[name === "help" ? 1 : -1]);
      await writeOut(
        Deno.stdout,
        helpText(COMMANDS, topic ? await topic.load() : undefined) + "\n",
      );
      return name === undefined && !g.options.help ? 2 : 0;
    }
    if (name === "transfer") {
      // Internal: one WebDAV transfer, run as a job by a supervisor.
      const { runTransfer } = await lazy<typeof import("./commands/transfer.ts")>(
        import.meta.url,
        "./commands/transfer.ts",
      );
      return await runTransfer(rest.slice(1));
    }
    if (name === "keeper") {
      // Internal: the long-lived job supervisor that the service starts.
      const { runKeeper } = await lazy<typeof import("../supervisor/keeper.ts")>(
        import.meta.url,
        "../supervisor/keeper.ts",
      );
      return await runKeeper();
    }
    const cmd = await commandNamed(COMMANDS, name, "barn").load();
    const p = parseArgs(rest.slice(1), cmd.options, {
      subcommand: cmd.name,
      stopAtPositional: cmd.stopAtPositional ?? false,
    });
    const options = { ...g.options, ...p.options };
    format = outputFormat(options.output);
    if (options.help) {
      const { commandHelp } = await lazy<typeof import("./help.ts")>(import.meta.url, "./help.ts");
      await writeOut(Deno.stdout, commandHelp(cmd) + "\n");
      return 0;
    }
    const ctx = new CliContext(
      outputFormat(options.output),
      options.offline === true,
      options,
      p.positionals,
      p.rest,
    );
    try {
      return await cmd.run(ctx);
    } catch (e) {
      if (e instanceof OutputClosed) return OUTPUT_CLOSED_EXIT;
      const body = toErrorBody(e);
      try {
        await ctx.printError(body);
      } catch (e) {
        if (e instanceof OutputClosed) return OUTPUT_CLOSED_EXIT;
        throw e;
      }
      return await exitForError(body.code);
    } finally {
      ctx.close();
    }
  } catch (e) {
    const body = toErrorBody(e);
    const text = format === "json"
      ? JSON.stringify({ error: body })
      : format === "xml"
      ? (await lazy<typeof import("../render/xml.ts")>(import.meta.url, "../render/xml.ts"))
        .renderXml({ view: "error", error: body })
      : `barn: error: ${escapeLines(body.message)} [${escapeText(body.code)}]`;
    try {
      await writeOut(format === "human" ? Deno.stderr : Deno.stdout, text + "\n");
    } catch (e) {
      if (e instanceof OutputClosed) return OUTPUT_CLOSED_EXIT;
      throw e;
    }
    return await exitForError(body.code);
  }
}
