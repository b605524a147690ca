/** barn-fleet's help text, imported only when asked for. */

import { commandLines, optionLines } from "../cli/help.ts";
import type { FleetCommand } from "./command.ts";
import type { FleetCommandEntry } from "./commands/mod.ts";

const GLOBALS = [
  "  --hosts=a,b,c | --hosts=-   the inventory: ssh destinations, or one per line on stdin",
  "                              (`DEST [TAG…] [barn=PATH]`, # comments)",
  "  --barn=PATH                 the remote barn for hosts that name none (default: barn on PATH)",
  "  --output=human|json|xml     per-host results; JSON is an array of {host, ok, …}",
  "  --concurrency=N             hosts at once (default 32)",
  "  --timeout=DUR               per host (default 30s; none for wait, logs -f, listen)",
  "  --connect-timeout=DUR       ssh's ConnectTimeout (default 10s)",
  "  --control-persist=DUR       how long an idle ssh master stays up (default 2m; 0 = no multiplexing)",
  "  --ssh-config=FILE           ssh -F FILE instead of ~/.ssh/config",
  "  --version, -V               barn-fleet's version and build commit",
];

export function fleetCommandHelp(c: FleetCommand): string {
  const opts = optionLines(c.options);
  return [
    `barn-fleet ${c.name}: ${c.summary}`,
    "",
    `usage: ${c.usage}`,
    "",
    ...(opts.length ? ["options:", ...opts, ""] : []),
    "global options:",
    ...GLOBALS,
    "",
    `example:\n  ${c.example}`,
  ].join("\n");
}

export function fleetHelp(commands: readonly FleetCommandEntry[], topic?: FleetCommand): string {
  if (topic) return fleetCommandHelp(topic);
  return [
    "barn-fleet: drive barn on many media hosts over OpenSSH",
    "",
    "usage: barn-fleet --hosts=a,b,c|- [global options] <command> [options] [args]",
    "",
    "commands:",
    ...commandLines(commands),
    "",
    "global options:",
    ...GLOBALS,
    "",
    "Each host runs `ssh -T HOST barn dial-stdio`; answers are per host (docs/fleet.md).",
    "Run `barn-fleet <command> --help` for a command's options and an example.",
  ].join("\n");
}
