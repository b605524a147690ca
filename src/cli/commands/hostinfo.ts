/** barn hostinfo: this host, barn, and the media tools it drives. */

import { BUILD_COMMIT, VERSION } from "../../version.ts";
import type { Command } from "../command.ts";

async function toolVersion(name: string, flag: string): Promise<string | null> {
  try {
    const out = await new Deno.Command(name, {
      args: [flag],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).split("\n")[0]?.trim() || null;
  } catch {
    return null;
  }
}

export const hostinfo: Command = {
  name: "hostinfo",
  summary: "host name, OS, barn version, ffmpeg/ffprobe/curl versions, BARN_HOME and its free disk",
  usage: "barn hostinfo [--output=F]",
  example: "barn hostinfo --output=json",
  options: {},
  async run(ctx) {
    const [ffmpeg, ffprobe, curl] = await Promise.all([
      toolVersion("ffmpeg", "-version"),
      toolVersion("ffprobe", "-version"),
      toolVersion("curl", "--version"),
    ]);
    const { statfsSync } = await import("node:fs"); // ~16 ms of start-up: only here
    const fs = statfsSync(ctx.paths.home);

    const data = {
      hostname: Deno.hostname(),
      os: Deno.build.os,
      arch: Deno.build.arch,
      os_release: Deno.osRelease(),
      barn_version: VERSION,
      barn_commit: BUILD_COMMIT,
      deno_version: Deno.version.deno,
      ffmpeg,
      ffprobe,
      curl,
      barn_home: ctx.paths.home,
      free_bytes: Number(fs.bavail) * Number(fs.bsize),
    };
    const text = Object.entries(data).map(([k, v]) => `${(k + ":").padEnd(14)}${v ?? "not found"}`)
      .join("\n");
    await ctx.print({ view: "message", message: text, data });
    return 0;
  },
};
