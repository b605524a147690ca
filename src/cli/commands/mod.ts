/** The command table: names and summaries up front, each command's module loaded only when it runs. */

import { lazyExport } from "../../lazy.ts";
import type { Command, CommandEntryOf } from "../command.ts";

export type CommandEntry = CommandEntryOf<Command>;

/** A command's loader: its module is read only when that command runs (see src/lazy.ts). */
function fromModule(file: string, name: string): () => Promise<Command> {
  return lazyExport<Command>(import.meta.url, file, name);
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "run",
    summary: "submit a job (ffmpeg, ffprobe or curl); prints its id",
    load: fromModule("./run.ts", "run"),
  },
  {
    name: "get",
    summary: "download a file from WebDAV as a job",
    load: fromModule("./transfer.ts", "get"),
  },
  {
    name: "put",
    summary: "upload a file to WebDAV as a job",
    load: fromModule("./transfer.ts", "put"),
  },
  {
    name: "status",
    summary: "list jobs, newest first",
    load: fromModule("./status.ts", "status"),
  },
  {
    name: "describe",
    summary: "one job: record, files, last lines of its logs",
    load: fromModule("./describe.ts", "describe"),
  },
  {
    name: "logs",
    summary: "a job's output; -f follows it until the job ends",
    load: fromModule("./logs.ts", "logs"),
  },
  {
    name: "wait",
    summary: "wait for jobs to finish; exits with the job's code",
    load: fromModule("./wait.ts", "wait"),
  },
  {
    name: "kill",
    summary: "cancel a job (its whole process tree)",
    load: fromModule("./kill.ts", "kill"),
  },
  {
    name: "retry",
    summary: "run a job's command again as a new job",
    load: fromModule("./retry.ts", "retry"),
  },
  {
    name: "listen",
    summary: "stream job state changes as they happen",
    load: fromModule("./listen.ts", "listen"),
  },
  {
    name: "release",
    summary: "start every job held on a latch",
    load: fromModule("./release.ts", "release"),
  },
  {
    name: "export",
    summary: "write a finished job's record, logs and outputs as a tar stream to stdout",
    load: fromModule("./export.ts", "exportCommand"),
  },
  {
    name: "import",
    summary: "read a file (or a tar stream) from stdin into BARN_HOME/input/",
    load: fromModule("./import.ts", "importCommand"),
  },
  {
    name: "clean",
    summary: "remove finished jobs",
    load: fromModule("./clean.ts", "clean"),
  },
  {
    name: "watch",
    summary: "run JobSpec files dropped into a watch folder",
    load: fromModule("./watch.ts", "watch"),
  },
  {
    name: "service",
    summary: "manage the barn service (start, stop, status, logs, install …)",
    load: fromModule("./service.ts", "service"),
  },
  {
    name: "config",
    summary: "show the settings in force, or config.json's path",
    load: fromModule("./config.ts", "config"),
  },
  {
    name: "hostinfo",
    summary: "host, OS, barn and tool versions, free disk",
    load: fromModule("./hostinfo.ts", "hostinfo"),
  },
  {
    name: "dial-stdio",
    summary: "join stdin/stdout to the local service (what barn-fleet runs over ssh)",
    load: fromModule("./dial_stdio.ts", "dialStdio"),
  },
  {
    name: "top",
    summary: "a live full-screen view of the jobs (keys: j/k l d K r / q)",
    load: fromModule("./top.ts", "top"),
  },
  {
    name: "mcp",
    summary: "serve barn's tools to an AI agent over MCP (stdio)",
    load: fromModule("./mcp.ts", "mcp"),
  },
  {
    name: "completions",
    summary: "print a shell completion script",
    load: fromModule("./completions.ts", "completions"),
  },
  {
    name: "skills",
    summary: "print an agent skill file for driving barn",
    load: fromModule("./skills.ts", "skills"),
  },
];

export async function loadAll(): Promise<Command[]> {
  return await Promise.all(COMMANDS.map((c) => c.load()));
}
