/** barn config show|path: where config.json is, and the settings in force. */

import { BarnError } from "../../errors.ts";
import { HomePaths } from "../../platform/home_layout.ts";
import { writeOut } from "../context.ts";
import type { Command } from "../command.ts";

export const config: Command = {
  name: "config",
  summary: "show the settings in force (config.json over the defaults), or the file's path",
  usage: "barn config show|path [--output=F]",
  example: 'vim "$(barn config path)"',
  options: {},
  async run(ctx) {
    const action = ctx.positionals[0];
    const path = new HomePaths(ctx.home).config;
    if (action === "path" && ctx.positionals.length === 1) {
      if (ctx.format === "human") await writeOut(Deno.stdout, path + "\n");
      else await ctx.print({ view: "message", message: path, data: { path } });
      return 0;
    }
    if (action === "show" && ctx.positionals.length === 1) {
      const cfg = ctx.config;
      const data = { path, ...cfg } as Record<string, unknown>;
      const text = Object.entries(data).map(([k, v]) =>
        `${k}: ${Array.isArray(v) ? v.join(", ") : v}`
      ).join("\n");
      await ctx.print({ view: "message", message: text, data });
      return 0;
    }
    throw new BarnError("E_USAGE", "use `barn config show` or `barn config path`");
  },
};
