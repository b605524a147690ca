/** barn's MCP resources: `barn://jobs/{id}` (the record) and `barn://jobs/{id}/log` (the log tail). */

import { checkIdPrefix } from "../jobs/ids.ts";
import { BarnError } from "../errors.ts";
import { excerpt } from "../escape.ts";
import { describe } from "../cli/commands/describe.ts";
import { status } from "../cli/commands/status.ts";
import type { Job } from "../jobs/job.ts";
import { logTail } from "./tools.ts";
import { ToolContext } from "./tool_context.ts";

export const RESOURCE_TEMPLATES = [
  {
    uriTemplate: "barn://jobs/{id}",
    name: "job",
    title: "A barn job's record",
    description: "The job's record as `barn describe --output=json` gives it",
    mimeType: "application/json",
  },
  {
    uriTemplate: "barn://jobs/{id}/log",
    name: "job-log",
    title: "A barn job's log tail",
    description: "The last 100 lines of the job's stdout, then its stderr",
    mimeType: "text/plain",
  },
] as const;

const LOG_TAIL_LINES = 100;
/** resources/list names the newest jobs only; any other job is reachable by its URI. */
const LISTED_JOBS = 50;

/** A resource URI taken apart (pure); null when it is not one of barn's. */
export function parseJobUri(uri: string): { id: string; part: "record" | "log" } | null {
  const m = /^barn:\/\/jobs\/([0-9a-z]+)(\/log)?$/.exec(uri);
  if (!m) return null;
  return { id: checkIdPrefix(m[1]!), part: m[2] ? "log" : "record" };
}

export async function listResources() {
  const ctx = new ToolContext({ limit: String(LISTED_JOBS) });
  try {
    await status.run(ctx);
    return (ctx.result() as Job[]).map((j) => ({
      uri: `barn://jobs/${j.job_id}`,
      name: j.job_id,
      title: `${j.state}: ${j.command.join(" ").slice(0, 80)}`,
      mimeType: "application/json",
    }));
  } finally {
    ctx.close();
  }
}

export async function readResource(uri: string) {
  const parsed = parseJobUri(uri);
  if (!parsed) {
    throw new BarnError(
      "E_USAGE",
      `'${excerpt(uri)}' is not a barn resource: use barn://jobs/{id} or barn://jobs/{id}/log`,
    );
  }
  if (parsed.part === "log") {
    const t = await logTail(parsed.id, LOG_TAIL_LINES, "both");
    const text = `--- stdout ---\n${t.stdout ?? ""}\n--- stderr ---\n${t.stderr ?? ""}`;
    return { contents: [{ uri, mimeType: "text/plain", text }] };
  }
  const ctx = new ToolContext({ lines: "0" }, [parsed.id]);
  try {
    await describe.run(ctx);
    const text = JSON.stringify(ctx.result(), null, 2);
    return { contents: [{ uri, mimeType: "application/json", text }] };
  } finally {
    ctx.close();
  }
}
