/**
 * `barn mcp`: a Model Context Protocol server on stdin/stdout, on the official SDK. Only protocol
 * goes to stdout; notes and diagnostics go to stderr. Loaded only by `barn mcp` (src/lazy.ts).
 */

import process from "node:process";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  type CallToolRequest,
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type ReadResourceRequest,
  ReadResourceRequestSchema,
  type ServerNotification,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import { toErrorBody } from "../errors.ts";
import { VERSION } from "../version.ts";
import { listResources, readResource, RESOURCE_TEMPLATES } from "./resources.ts";
import { checkArgs, inputSchema, TOOLS } from "./tools.ts";

const INSTRUCTIONS = "barn runs ffmpeg, ffprobe and curl jobs (and WebDAV get/put) durably in " +
  "the background on this host. Submit with `run`, then `wait` (it returns within " +
  "50 s; call it again while it says still running), and read results with `describe` or " +
  "`logs`. Jobs run under the barn service, not under this server: they go on when the " +
  "session ends. Errors carry barn's code, e.g. E_NOT_FOUND or E_NOT_ALLOWED.";

/** A failure as an MCP tool error: `{"error": {code, message}}`, as `--output=json` prints it. */
function toolError(e: unknown) {
  const error = toErrorBody(e);
  return {
    isError: true,
    content: [{ type: "text" as const, text: JSON.stringify({ error }) }],
    structuredContent: { error },
  };
}

export function mcpServer(): Server {
  const server = new Server(
    { name: "barn", version: VERSION },
    { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: TOOLS.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: inputSchema(t),
      annotations: {
        readOnlyHint: !t.changes,
        destructiveHint: t.name === "kill",
        idempotentHint: !t.changes,
        openWorldHint: t.name === "run" || t.name === "get" || t.name === "put",
      },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (
    req: CallToolRequest,
    extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
  ) => {
    const tool = TOOLS.find((t) => t.name === req.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `unknown tool '${req.params.name}' (tools: ${TOOLS.map((t) => t.name).join(", ")})`,
      );
    }
    const token = req.params._meta?.progressToken;
    try {
      const args = checkArgs(tool, req.params.arguments);
      const result = await tool.call(args, {
        signal: extra.signal,
        ...(token === undefined ? {} : {
          progress: (u) =>
            extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken: token, ...u },
            }),
        }),
      });
      return {
        content: [{ type: "text" as const, text: JSON.stringify(result, null, 2) }],
        ...(result !== null && typeof result === "object" && !Array.isArray(result)
          ? { structuredContent: result as Record<string, unknown> }
          : {}),
      };
    } catch (e) {
      return toolError(e);
    }
  });
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [...RESOURCE_TEMPLATES],
  }));
  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    try {
      return { resources: await listResources() };
    } catch (e) {
      throw asMcpError(e);
    }
  });
  server.setRequestHandler(ReadResourceRequestSchema, async (req: ReadResourceRequest) => {
    try {
      return await readResource(req.params.uri);
    } catch (e) {
      throw asMcpError(e);
    }
  });
  return server;
}

/** Resource reads have no tool-error form: a JSON-RPC error that keeps barn's code in its data. */
function asMcpError(e: unknown): McpError {
  const error = toErrorBody(e);
  const code = error.code === "E_NOT_FOUND" || error.code === "E_USAGE"
    ? ErrorCode.InvalidParams
    : ErrorCode.InternalError;
  return new McpError(code, `${error.message} [${error.code}]`, { code: error.code });
}

/** The JSON-RPC error for a line that is not JSON (-32700) or not a JSON-RPC message (-32600). */
export function unreadable(e: Error): { code: number; message: string } | null {
  if (e instanceof SyntaxError) {
    return { code: ErrorCode.ParseError, message: `parse error: ${e.message} [E_USAGE]` };
  }
  if (e.name === "ZodError") {
    return {
      code: ErrorCode.InvalidRequest,
      message: "invalid request: not a JSON-RPC 2.0 request, notification or response [E_USAGE]",
    };
  }
  return null;
}

/** Serves on stdin/stdout until the client closes stdin. */
export async function serveMcp(): Promise<number> {
  const server = mcpServer();
  const transport = new StdioServerTransport();
  const ended = new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    transport.onclose = () => resolve();
  });
  server.onerror = (e: Error) => console.error(`barn mcp: ${e.message}`);
  await server.connect(transport);
  // The SDK only logs a line it cannot read; JSON-RPC 2.0 wants an answer with a null id.
  const sdkOnError = transport.onerror;
  transport.onerror = (e: Error) => {
    sdkOnError?.(e);
    const error = unreadable(e);
    if (!error) return;
    const message = { jsonrpc: "2.0", id: null, error: { ...error, data: { code: "E_USAGE" } } };
    void transport.send(message as never).catch(() => {});
  };
  await ended;
  await server.close().catch(() => {});
  return 0;
}
