/** barn mcp: a Model Context Protocol server on stdin/stdout, for AI agents (docs/agents.md). */

import { lazy } from "../../lazy.ts";
import { BarnError } from "../../errors.ts";
import type { Command } from "../command.ts";

export const mcp: Command = {
  name: "mcp",
  summary: "serve barn's tools to an AI agent over MCP (stdio); see docs/agents.md",
  usage: "barn mcp",
  example: 'claude mcp add barn -- barn mcp   # or {"command": "barn", "args": ["mcp"]}',
  options: {},
  async run(ctx) {
    if (ctx.positionals.length > 0 || ctx.offline || ctx.format !== "human") {
      throw new BarnError(
        "E_USAGE",
        "barn mcp takes no arguments: it speaks MCP on stdin/stdout (see docs/agents.md)",
      );
    }
    // The SDK is loaded here only, never on another command's start-up path.
    const { serveMcp } = await lazy<typeof import("../../mcp/server.ts")>(
      import.meta.url,
      "../../mcp/server.ts",
    );
    return await serveMcp();
  },
};
