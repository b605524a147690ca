/** The shape of one barn-fleet subcommand. */

import type { OptionSpecs } from "../cli/args.ts";
import type { FleetContext } from "./context.ts";

export interface FleetCommand {
  name: string;
  summary: string;
  usage: string;
  example: string;
  options: OptionSpecs;
  /** `run` hands everything from the job's command name on to the job. */
  stopAtPositional?: boolean;
  /** Returns the process exit code. */
  run(ctx: FleetContext): Promise<number>;
}
