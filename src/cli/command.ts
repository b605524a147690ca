/** The shape of one subcommand. */

import type { OptionSpecs } from "./args.ts";
import type { CliContext } from "./context.ts";

export interface Command {
  name: string;
  summary: string;
  usage: string;
  example: string;
  options: OptionSpecs;
  /** `run` hands everything from the job's command name on to the job. */
  stopAtPositional?: boolean;
  /** Returns the process exit code. */
  run(ctx: CliContext): Promise<number>;
}
