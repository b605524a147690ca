/** The shape of one barn-fleet subcommand: barn's, run in barn-fleet's context. */

import type { CommandOf } from "../cli/command.ts";
import type { FleetContext } from "./context.ts";

export type FleetCommand = CommandOf<FleetContext>;
