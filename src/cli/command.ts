/** The shape of one subcommand, barn's or (with its own context) barn-fleet's. */

import type { OptionSpecs } from "./args.ts";
import type { CliContext } from "./context.ts";

export interface CommandOf<Ctx> {
  name: string;
  summary: string;
  usage: string;
  example: string;
  options: OptionSpecs;
  /** `run` hands everything from the job's command name on to the job. */
  stopAtPositional?: boolean;
  /** Returns the process exit code. */
  run(ctx: Ctx): Promise<number>;
}

export type Command = CommandOf<CliContext>;

/** A command table's entry: what help lists, and the loader of the command's module. */
export interface CommandEntryOf<C> {
  name: string;
  summary: string;
  load: () => Promise<C>;
}
