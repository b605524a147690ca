/**
 * barn's MCP tools: each input is a zod schema (published as JSON Schema), and each call runs the
 * CLI command of the same name, so a tool has the command's validation, allowlist and sandbox.
 */

import { z } from "zod";
import { BarnError } from "../errors.ts";
import { checkIdPrefix } from "../jobs/ids.ts";
import type { Job } from "../jobs/job.ts";
import type { Command } from "../cli/command.ts";
import { describe } from "../cli/commands/describe.ts";
import { hostinfo } from "../cli/commands/hostinfo.ts";
import { kill } from "../cli/commands/kill.ts";
import { retry } from "../cli/commands/retry.ts";
import { run } from "../cli/commands/run.ts";
import { ensureService } from "../cli/commands/service.ts";
import { status } from "../cli/commands/status.ts";
import { get, put } from "../cli/commands/transfer.ts";
import type { LogWhich, ResponseData } from "../protocol/messages.ts";
import { lostService } from "../cli/reconnect.ts";
import { type ProgressUpdate, progressUpdate } from "./progress.ts";
import { ToolContext } from "./tool_context.ts";

/** What a tool call may use besides its arguments. */
export interface ToolCall {
  signal: AbortSignal;
  /** Sends a progress notification; absent when the request carried no progressToken. */
  progress?: (update: ProgressUpdate) => Promise<void>;
}

export interface Tool {
  name: string;
  description: string;
  input: z.ZodObject;
  /** Starts or changes jobs: needs the service, which is started when it is down. */
  changes: boolean;
  call(args: Record<string, unknown>, call: ToolCall): Promise<unknown>;
}

/** The longest a `wait` call blocks: under the ~60 s most MCP clients give a request. */
export const WAIT_LIMIT_SECONDS = 50;
const LOG_LINES_MAX = 1000;
/** Per log: what a `logs` call returns at most (its tail). */
const LOG_CHARS_MAX = 256 * 1024;

const id = z.string().describe("a job id, or an unambiguous prefix of 4+ characters");
const jobOptions = {
  tag: z.string().optional().describe("a label to find the job by"),
  key: z.string().optional().describe(
    "idempotency key: a second submission with the same key returns the existing job",
  ),
  timeout: z.string().optional().describe("wall-clock limit, e.g. 30s, 10m, 2h (E_TIMEOUT)"),
  stall_timeout: z.string().optional().describe(
    "stop the job when its progress stands still this long (ffmpeg, transfers); 0 = off",
  ),
  pending: z.string().optional().describe("hold the job queued until this latch is released"),
};

/** The CLI's options from a tool's arguments (snake_case names become the CLI's kebab-case). */
function options(args: Record<string, unknown>, names: readonly string[]) {
  const out: Record<string, string | boolean> = {};
  for (const n of names) {
    const v = args[n];
    if (v === undefined) continue;
    out[n.replaceAll("_", "-")] = typeof v === "boolean" ? v : String(v);
  }
  return out;
}

const JOB_OPTION_NAMES = Object.keys(jobOptions);

/** Runs a CLI command in a ToolContext; a command that changes jobs gets a running service first. */
async function viaCommand(
  cmd: Command,
  changes: boolean,
  opts: Record<string, string | boolean>,
  positionals: string[] = [],
  rest: string[] = [],
): Promise<unknown> {
  const ctx = new ToolContext(opts, positionals, rest);
  try {
    // Jobs run under the service's keeper, never under this process: an agent's session ending
    // must not end its transcodes.
    if (changes) await ensureService(ctx);
    await cmd.run(ctx);
    return ctx.result();
  } finally {
    ctx.close();
  }
}

export const TOOLS: readonly Tool[] = [
  {
    name: "run",
    description:
      "Submit a job (ffmpeg, ffprobe or curl) to the barn service; returns its record. " +
      "No shell: `command` is the argv. Starts the service if it is down.",
    input: z.object({
      command: z.array(z.string()).min(1).describe(
        'the argv, e.g. ["ffprobe", "-v", "error", "-of", "json", "-show_format", "/tmp/barn/input/a.mp4"]',
      ),
      ...jobOptions,
      verify: z.boolean().optional().describe(
        "ffmpeg only: ffprobe the output and compare durations (E_VERIFY)",
      ),
    }).strict(),
    changes: true,
    call: (a) =>
      viaCommand(
        run,
        true,
        options(a, [...JOB_OPTION_NAMES, "verify"]),
        [],
        a.command as string[],
      ),
  },
  {
    name: "get",
    description: "Download a file from WebDAV as a job (atomic, resumable with retry).",
    input: z.object({
      url: z.string().describe("the WebDAV URL (http or https)"),
      path: z.string().describe("the local file, inside /tmp/barn"),
      overwrite: z.boolean().optional(),
      ...jobOptions,
    }).strict(),
    changes: true,
    call: (a) =>
      viaCommand(get, true, options(a, [...JOB_OPTION_NAMES, "overwrite"]), [
        a.url as string,
        a.path as string,
      ]),
  },
  {
    name: "put",
    description: "Upload a local file to WebDAV as a job (creates folders, checked with PROPFIND).",
    input: z.object({
      path: z.string().describe("the local file, inside /tmp/barn"),
      url: z.string().describe("the WebDAV URL to upload to"),
      overwrite: z.boolean().optional(),
      ...jobOptions,
    }).strict(),
    changes: true,
    call: (a) =>
      viaCommand(put, true, options(a, [...JOB_OPTION_NAMES, "overwrite"]), [
        a.path as string,
        a.url as string,
      ]),
  },
  {
    name: "status",
    description: "List jobs, newest first. Works without a service (reads the stored state).",
    input: z.object({
      state: z.enum(["queued", "running", "succeeded", "failed", "canceled"]).optional(),
      tag: z.string().optional(),
      since: z.string().optional().describe("a duration back from now (2h) or a time"),
      limit: z.number().int().min(1).max(1000).optional().describe("default 100"),
    }).strict(),
    changes: false,
    call: async (a) => ({
      jobs: await viaCommand(status, false, options(a, ["state", "tag", "since", "limit"])),
    }),
  },
  {
    name: "describe",
    description: "One job's record, with the last lines of its logs and, for ffprobe -of json, " +
      "the parsed result. Works without a service.",
    input: z.object({
      id,
      lines: z.number().int().min(0).max(200).optional().describe("log lines (default 10)"),
    }).strict(),
    changes: false,
    call: (a) => viaCommand(describe, false, options(a, ["lines"]), [a.id as string]),
  },
  {
    name: "logs",
    description: "The last lines of a job's stdout and stderr (bounded). Works without a service.",
    input: z.object({
      id,
      tail: z.number().int().min(1).max(LOG_LINES_MAX).optional().describe("default 100"),
      stream: z.enum(["stdout", "stderr", "both"]).optional().describe("default both"),
    }).strict(),
    changes: false,
    call: (a) =>
      logTail(
        a.id as string,
        (a.tail as number | undefined) ?? 100,
        (a.stream as LogWhich) ?? "both",
      ),
  },
  {
    name: "wait",
    description:
      `Wait for jobs to finish, for at most timeout_seconds (≤ ${WAIT_LIMIT_SECONDS}). ` +
      "Sends progress notifications (percent, speed, ETA) when the request has a progressToken. " +
      'Returns "still running" with the latest records if they have not finished: call it again.',
    input: z.object({
      ids: z.array(id).optional(),
      tag: z.string().optional().describe("wait for every job with this tag"),
      timeout_seconds: z.number().positive().max(WAIT_LIMIT_SECONDS).optional().describe(
        `default ${WAIT_LIMIT_SECONDS}`,
      ),
    }).strict(),
    changes: false,
    call: (a, call) => waitFor(a, call),
  },
  {
    name: "kill",
    description: "Cancel a queued job, or stop a running one (SIGTERM, then SIGKILL after the " +
      "grace period).",
    input: z.object({ id }).strict(),
    changes: true,
    call: (a) => viaCommand(kill, true, {}, [a.id as string]),
  },
  {
    name: "retry",
    description: "Submit a job's command again as a new job (retry_of points back).",
    input: z.object({ id }).strict(),
    changes: true,
    call: (a) => viaCommand(retry, true, {}, [a.id as string]),
  },
  {
    name: "hostinfo",
    description: "Host, OS, barn and ffmpeg/ffprobe/curl versions, BARN_HOME and its free disk.",
    input: z.object({}).strict(),
    changes: false,
    call: () => viaCommand(hostinfo, false, {}),
  },
];

/** A tool's arguments checked against its schema; a mismatch is barn's usage error. */
export function checkArgs(tool: Tool, args: unknown): Record<string, unknown> {
  const r = tool.input.safeParse(args ?? {});
  if (r.success) return r.data as Record<string, unknown>;
  const why = r.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`);
  throw new BarnError("E_USAGE", `invalid arguments for '${tool.name}': ${why.join("; ")}`);
}

/** The JSON Schema MCP clients see for a tool's input. */
export function inputSchema(tool: Tool): { type: "object"; [k: string]: unknown } {
  const { $schema: _, ...schema } = z.toJSONSchema(tool.input) as Record<string, unknown>;
  return { ...schema, type: "object" };
}

function keepTail(text: string): string {
  return text.length <= LOG_CHARS_MAX ? text : text.slice(-LOG_CHARS_MAX);
}

/** The last `tail` lines of a job's logs, read as `barn logs -n` does (stored state without a service). */
export async function logTail(prefix: string, tail: number, which: LogWhich) {
  const ctx = new ToolContext({});
  try {
    const backend = await ctx.readBackend();
    const text = { stdout: "", stderr: "" };
    const { job } = await backend.stream(
      { kind: "logs", id: checkIdPrefix(prefix), which, tail, follow: false },
      (f) => {
        if (f.stream === "log") text[f.which] = keepTail(text[f.which] + f.text);
      },
    );
    return {
      job_id: job.job_id,
      state: job.state,
      exit_code: job.exit_code,
      ...(which !== "stderr" ? { stdout: text.stdout } : {}),
      ...(which !== "stdout" ? { stderr: text.stderr } : {}),
    };
  } finally {
    ctx.close();
  }
}

/**
 * Waits in steps of a second, so that progress goes out between them and the call returns
 * before the client's timeout; the jobs go on either way.
 */
async function waitFor(a: Record<string, unknown>, call: ToolCall) {
  const ids = ((a.ids as string[] | undefined) ?? []).map(checkIdPrefix);
  const tag = a.tag as string | undefined;
  if (ids.length === 0 && tag === undefined) {
    throw new BarnError("E_USAGE", "give ids or a tag to wait for");
  }
  const seconds = (a.timeout_seconds as number | undefined) ?? WAIT_LIMIT_SECONDS;
  const deadline = Date.now() + seconds * 1000;
  const ctx = new ToolContext({});
  try {
    let last: number | null = null;
    let jobs: Job[] = [];
    for (;;) {
      const left = (deadline - Date.now()) / 1000;
      let res: ResponseData["wait"];
      try {
        // The service, or the stored state while none runs: a restart mid-wait is ridden out.
        res = await (await ctx.readBackend()).stream({
          kind: "wait",
          ids,
          tag,
          timeout_seconds: Math.max(0.001, Math.min(1, left)),
        }, () => {});
      } catch (e) {
        if (!lostService(e) || Date.now() >= deadline || call.signal.aborted) throw e;
        ctx.reconnect();
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      jobs = res.jobs;
      const update = progressUpdate(jobs, last);
      if (update && call.progress) {
        await call.progress(update);
        last = update.progress;
      }
      if (!res.timed_out) {
        return { finished: true, message: "every job has finished", jobs };
      }
      if (Date.now() >= deadline || call.signal.aborted) {
        return {
          finished: false,
          message: "still running: call wait again to keep waiting (the jobs go on meanwhile)",
          jobs,
        };
      }
    }
  } finally {
    ctx.close();
  }
}
