/** The command table: names and summaries up front, each command's module loaded only when it runs. */

import { lazy } from "../../lazy.ts";
import type { Command } from "../command.ts";

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "run",
    summary: "submit a job (ffmpeg, ffprobe or curl); prints its id",
    load: async () => (await lazy<typeof import("./run.ts")>(import.meta.url, "./run.ts")).run,
  },
  {
    name: "get",
    summary: "download a file from WebDAV as a job",
    load: async () =>
      (await lazy<typeof import("./transfer.ts")>(import.meta.url, "./transfer.ts")).get,
  },
  {
    name: "put",
    summary: "upload a file to WebDAV as a job",
    load: async () =>
      (await lazy<typeof import("./transfer.ts")>(import.meta.url, "./transfer.ts")).put,
  },
  {
    name: "status",
    summary: "list jobs, newest first",
    load: async () =>
      (await lazy<typeof import("./status.ts")>(import.meta.url, "./status.ts")).status,
  },
  {
    name: "describe",
    summary: "one job: record, files, last lines of its logs",
    load: async () =>
      (await lazy<typeof import("./describe.ts")>(import.meta.url, "./describe.ts")).describe,
  },
  {
    name: "logs",
    summary: "a job's output; -f follows it until the job ends",
    load: async () => (await lazy<typeof import("./logs.ts")>(import.meta.url, "./logs.ts")).logs,
  },
  {
    name: "wait",
    summary: "wait for jobs to finish; exits with the job's code",
    load: async () => (await lazy<typeof import("./wait.ts")>(import.meta.url, "./wait.ts")).wait,
  },
  {
    name: "kill",
    summary: "cancel a job (its whole process tree)",
    load: async () => (await lazy<typeof import("./kill.ts")>(import.meta.url, "./kill.ts")).kill,
  },
  {
    name: "retry",
    summary: "run a job's command again as a new job",
    load: async () =>
      (await lazy<typeof import("./retry.ts")>(import.meta.url, "./retry.ts")).retry,
  },
  {
    name: "listen",
    summary: "stream job state changes as they happen",
    load: async () =>
      (await lazy<typeof import("./listen.ts")>(import.meta.url, "./listen.ts")).listen,
  },
  {
    name: "release",
    summary: "start every job held on a latch",
    load: async () =>
      (await lazy<typeof import("./release.ts")>(import.meta.url, "./release.ts")).release,
  },
  {
    name: "clean",
    summary: "remove finished jobs",
    load: async () =>
      (await lazy<typeof import("./clean.ts")>(import.meta.url, "./clean.ts")).clean,
  },
  {
    name: "watch",
    summary: "run JobSpec files dropped into a watch folder",
    load: async () =>
      (await lazy<typeof import("./watch.ts")>(import.meta.url, "./watch.ts")).watch,
  },
  {
    name: "service",
    summary: "manage the barn service (start, stop, status, logs, install …)",
    load: async () =>
      (await lazy<typeof import("./service.ts")>(import.meta.url, "./service.ts")).service,
  },
  {
    name: "config",
    summary: "show the settings in force, or config.json's path",
    load: async () =>
      (await lazy<typeof import("./config.ts")>(import.meta.url, "./config.ts")).config,
  },
  {
    name: "hostinfo",
    summary: "host, OS, barn and tool versions, free disk",
    load: async () =>
      (await lazy<typeof import("./hostinfo.ts")>(import.meta.url, "./hostinfo.ts")).hostinfo,
  },
  {
    name: "completions",
    summary: "print a shell completion script",
    load: async () =>
      (await lazy<typeof import("./completions.ts")>(import.meta.url, "./completions.ts"))
        .completions,
  },
  {
    name: "skills",
    summary: "print an agent skill file for driving barn",
    load: async () =>
      (await lazy<typeof import("./skills.ts")>(import.meta.url, "./skills.ts")).skills,
  },
];

export async function loadAll(): Promise<Command[]> {
  return await Promise.all(COMMANDS.map((c) => c.load()));
}
