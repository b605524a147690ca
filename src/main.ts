/** barn's entry point: the only place that exits the process. */

import { runCli } from "./cli/cli.ts";

Deno.exit(await runCli(Deno.args));
