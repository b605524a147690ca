/** barn's entry point: the only place that exits the process. */

import { runCli } from "./cli/cli.ts";
import { clearWorldWrite } from "./platform/umask.ts";

// Every barn process (client, service, keeper, transfer) passes it on to the jobs it starts.
clearWorldWrite();
Deno.exit(await runCli(Deno.args));
