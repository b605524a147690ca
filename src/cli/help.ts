/** Help text, imported only when asked for. */

import type { OptionSpecs } from "./args.ts";
import type { Command } from "./command.ts";
import type { CommandEntry } from "./commands/mod.ts";

/** A command's options, one line each (barn's and barn-fleet's help). */
export function optionLines(options: OptionSpecs): string[] {
  return Object.entries(options).map(([n, s]) =>
    `  --${n}${s.type === "string" ? "=VALUE" : ""}${s.short ? `, -${s.short}` : ""}`
  );
}

/** The command list: names aligned, then summaries (barn's and barn-fleet's help). */
export function commandLines(commands: readonly { name: string; summary: string }[]): string[] {
  const w = Math.max(...commands.map((x) => x.name.length));
  return commands.map((x) => `  ${x.name.padEnd(w)}  ${x.summary}`);
}

export function commandHelp(c: Command): string {
  const opts = optionLines(c.options);
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
  return [
    "barn: a durable job daemon for ffmpeg, ffprobe, curl and WebDAV transfers",
    "",
    "usage: barn [--output=human|json|xml] [--offline] <command> [options] [args]",
    "",
    "commands:",
    ...commandLines(commands),
    "",
    "BARN_HOME (default /tmp/barn) holds the jobs, the database and the service socket.",
    "Run `barn <command> --help` for a command's options and an example.",
  ].join("\n");
}
