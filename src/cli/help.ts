/** Help text, imported only when asked for. */

import type { Command } from "./command.ts";
import type { CommandEntry } from "./commands/mod.ts";

export function commandHelp(c: Command): string {
  const opts = Object.entries(c.options).map(([n, s]) =>
    `  --${n}${s.type === "string" ? "=VALUE" : ""}${s.short ? `, -${s.short}` : ""}`
  );
  return [
    `barn ${c.name}: ${c.summary}`,
    "",
    `usage: ${c.usage}`,
    "",
    ...(opts.length ? ["options:", ...opts] : []),
    "global options: --output=human|json|xml, --offline, --help",
    "",
    `example:\n  ${c.example}`,
  ].join("\n");
}

export function helpText(commands: readonly CommandEntry[], topic?: Command): string {
  if (topic) return commandHelp(topic);
  const w = Math.max(...commands.map((x) => x.name.length));
  return [
    "barn: a durable job daemon for ffmpeg, ffprobe, curl and WebDAV transfers",
    "",
    "usage: barn [--output=human|json|xml] [--offline] <command> [options] [args]",
    "",
    "commands:",
    ...commands.map((x) => `  ${x.name.padEnd(w)}  ${x.summary}`),
    "",
    "BARN_HOME (default /tmp/barn) holds the jobs, the database and the service socket.",
    "Run `barn <command> --help` for a command's options and an example.",
  ].join("\n");
}
