/** barn-fleet's entry point: the fleet controller, its own artifact under its own permission set (docs/fleet.md). */

import { runFleet } from "./fleet/cli.ts";

Deno.exit(await runFleet(Deno.args));
