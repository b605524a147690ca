/** barn top: a live view of the jobs, fed by the service's listen stream (docs in README). */

import { BarnError } from "../../errors.ts";
import { lazy } from "../../lazy.ts";
import type { Command } from "../command.ts";

export const top: Command = {
  name: "top",
  summary: "a live full-screen view of running, queued and finished jobs (keys: j/k l d K r / q)",
  usage: "barn top [--tag=T] [--once]",
  example: "barn top --tag=nightly",
  options: { tag: { type: "string" }, once: { type: "boolean" } },
  async run(ctx) {
    if (ctx.positionals.length > 0 || ctx.offline || ctx.format !== "human") {
      throw new BarnError(
        "E_USAGE",
        "barn top takes no arguments, and shows the live service only (no --offline, no " +
          "--output): for data use `barn status --output=json` or `barn listen --output=json`",
      );
    }
    const { runTop } = await lazy<typeof import("../../top/top.ts")>(
      import.meta.url,
      "../../top/top.ts",
    );
    return await runTop(ctx, { tag: ctx.str("tag") ?? null, once: ctx.flag("once") });
  },
};
