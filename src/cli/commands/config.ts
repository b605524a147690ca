/** barn config show|path: where config.json is, and the settings in force. */

import { BarnError } from "../../errors.ts";
import { HomePaths } from "../../platform/home_layout.ts";
import { writeOut } from "../context.ts";
import type { Command } from "../command.ts";

/** One setting as a line: lists joined, objects as `key value` pairs (groups, group_of, watch folders). */
function settingText(v: unknown): string {
  if (Array.isArray(v)) return v.map(settingText).join(", ");
  if (v !== null && typeof v === "object") {
    return Object.entries(v).map(([k, x]) => `${k} ${settingText(x)}`).join(", ");
  }
  return String(v);
}

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
      const cfg = await ctx.config();
      const data = { path, ...cfg } as Record<string, unknown>;
      const text = Object.entries(data).map(([k, v]) => `${k}: ${settingText(v)}`).join("\n");
      await ctx.print({ view: "message", message: text, data });
      return 0;
    }
    throw new BarnError("E_USAGE", "use `barn config show` or `barn config path`");
  },
};
