/** The command table: names and summaries up front, each command's module loaded only when it runs. */

import { lazyExport } from "../../lazy.ts";
import type { Command, CommandEntryOf } from "../command.ts";

export type CommandEntry = CommandEntryOf<Command>;

// Each loader reads its module only when called (src/lazy.ts); its literal specifier is what
// the bundle step (install/bundle_plan.ts) follows.
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "run",
    summary: "submit a job (ffmpeg, ffprobe or curl); prints its id",
    load: lazyExport<Command>(import.meta.url, "./run.ts", "run"),
  },
  {
    name: "get",
    summary: "download a file from WebDAV as a job",
    load: lazyExport<Command>(import.meta.url, "./transfer.ts", "get"),
  },
  {
    name: "put",
    summary: "upload a file to WebDAV as a job",
    load: lazyExport<Command>(import.meta.url, "./transfer.ts", "put"),
  },
  {
    name: "status",
    summary: "list jobs, newest first",
    load: lazyExport<Command>(import.meta.url, "./status.ts", "status"),
  },
  {
    name: "describe",
    summary: "one job: record, files, last lines of its logs",
    load: lazyExport<Command>(import.meta.url, "./describe.ts", "describe"),
  },
  {
    name: "logs",
    summary: "a job's output; -f follows it until the job ends",
    load: lazyExport<Command>(import.meta.url, "./logs.ts", "logs"),
  },
  {
    name: "wait",
    summary: "wait for jobs to finish; exits with the job's code",
    load: lazyExport<Command>(import.meta.url, "./wait.ts", "wait"),
  },
  {
    name: "kill",
    summary: "cancel a job (its whole process tree)",
    load: lazyExport<Command>(import.meta.url, "./kill.ts", "kill"),
  },
  {
    name: "retry",
    summary: "run a job's command again as a new job",
    load: lazyExport<Command>(import.meta.url, "./retry.ts", "retry"),
  },
  {
    name: "listen",
    summary: "stream job state changes as they happen",
    load: lazyExport<Command>(import.meta.url, "./listen.ts", "listen"),
  },
  {
    name: "release",
    summary: "start every job held on a latch",
    load: lazyExport<Command>(import.meta.url, "./release.ts", "release"),
  },
  {
    name: "export",
    summary: "write a finished job's record, logs and outputs as a tar stream to stdout",
    load: lazyExport<Command>(import.meta.url, "./export.ts", "exportCommand"),
  },
  {
    name: "import",
    summary: "read a file (or a tar stream) from stdin into BARN_HOME/input/",
    load: lazyExport<Command>(import.meta.url, "./import.ts", "importCommand"),
  },
  {
    name: "clean",
    summary: "remove finished jobs",
    load: lazyExport<Command>(import.meta.url, "./clean.ts", "clean"),
  },
  {
    name: "watch",
    summary: "run JobSpec files dropped into a watch folder",
    load: lazyExport<Command>(import.meta.url, "./watch.ts", "watch"),
  },
  {
    name: "service",
    summary: "manage the barn service (start, stop, status, logs, install …)",
    load: lazyExport<Command>(import.meta.url, "./service.ts", "service"),
  },
  {
    name: "config",
    summary: "show the settings in force, or config.json's path",
    load: lazyExport<Command>(import.meta.url, "./config.ts", "config"),
  },
  {
    name: "hostinfo",
    summary: "host, OS, barn and tool versions, free disk",
    load: lazyExport<Command>(import.meta.url, "./hostinfo.ts", "hostinfo"),
  },
  {
    name: "dial-stdio",
    summary: "join stdin/stdout to the local service (what barn-fleet runs over ssh)",
    load: lazyExport<Command>(import.meta.url, "./dial_stdio.ts", "dialStdio"),
  },
  {
    name: "top",
    summary: "a live full-screen view of the jobs (keys: j/k l d K r / q)",
    load: lazyExport<Command>(import.meta.url, "./top.ts", "top"),
  },
  {
    name: "mcp",
    summary: "serve barn's tools to an AI agent over MCP (stdio)",
    load: lazyExport<Command>(import.meta.url, "./mcp.ts", "mcp"),
  },
  {
    name: "completions",
    summary: "print a shell completion script",
    load: lazyExport<Command>(import.meta.url, "./completions.ts", "completions"),
  },
  {
    name: "skills",
    summary: "print an agent skill file for driving barn",
    load: lazyExport<Command>(import.meta.url, "./skills.ts", "skills"),
  },
];

export async function loadAll(): Promise<Command[]> {
  return await Promise.all(COMMANDS.map((c) => c.load()));
}
