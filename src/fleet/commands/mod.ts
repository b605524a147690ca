/** barn-fleet's command table: names and summaries up front, each module loaded only when its command runs. */

import { lazyExport } from "../../lazy.ts";
import type { CommandEntryOf } from "../../cli/command.ts";
import type { FleetCommand } from "../command.ts";

export type FleetCommandEntry = CommandEntryOf<FleetCommand>;

// Each loader reads its module only when called (src/lazy.ts); its literal specifier is what
// the bundle step (install/bundle_plan.ts) follows.
export const FLEET_COMMANDS: readonly FleetCommandEntry[] = [
  {
    name: "status",
    summary: "every host's jobs in one table, newest first, with a HOST column",
    load: lazyExport<FleetCommand>(import.meta.url, "./status.ts", "status"),
  },
  {
    name: "run",
    summary: "submit a job on one host: --on=HOST, --on=any (least loaded) or --on=tag:T",
    load: lazyExport<FleetCommand>(import.meta.url, "./run.ts", "run"),
  },
  {
    name: "describe",
    summary: "one job by HOST:ID: record, files, last lines of its logs",
    load: lazyExport<FleetCommand>(import.meta.url, "./describe.ts", "describe"),
  },
  {
    name: "logs",
    summary: "a job's output by HOST:ID; -f follows it until the job ends",
    load: lazyExport<FleetCommand>(import.meta.url, "./logs.ts", "logs"),
  },
  {
    name: "wait",
    summary: "wait for jobs (HOST:ID …) on their hosts; exits with the job's code",
    load: lazyExport<FleetCommand>(import.meta.url, "./wait.ts", "wait"),
  },
  {
    name: "kill",
    summary: "cancel jobs by HOST:ID",
    load: lazyExport<FleetCommand>(import.meta.url, "./kill.ts", "kill"),
  },
  {
    name: "retry",
    summary: "run a job's command again on its host, by HOST:ID",
    load: lazyExport<FleetCommand>(import.meta.url, "./retry.ts", "retry"),
  },
  {
    name: "listen",
    summary: "every host's state changes merged into one stream (JSON Lines with host)",
    load: lazyExport<FleetCommand>(import.meta.url, "./listen.ts", "listen"),
  },
  {
    name: "hostinfo",
    summary: "each host's barn, OS, tool versions and free disk",
    load: lazyExport<FleetCommand>(import.meta.url, "./hostinfo.ts", "hostinfo"),
  },
  {
    name: "service",
    summary: "service status across the fleet: up/down, version, queued and running jobs",
    load: lazyExport<FleetCommand>(import.meta.url, "./service.ts", "service"),
  },
  {
    name: "deploy",
    summary: "copy a barn binary to the hosts (scp, version check, atomic rename)",
    load: lazyExport<FleetCommand>(import.meta.url, "./deploy.ts", "deploy"),
  },
];
