/** XML output through fast-xml-parser's builder; imported only when --output=xml asks for it. */

import { XMLBuilder } from "fast-xml-parser";
import type { Job } from "../jobs/job.ts";
import { JOB_FIELDS } from "../jobs/job.ts";
import type { ListingRenderer, View } from "./view.ts";

export const builder = new XMLBuilder({
  format: true,
  indentBy: "  ",
  suppressEmptyNode: true,
  processEntities: true,
});

export type Node = Record<string, unknown>;

/** What XML 1.0 can't hold at all, not even as a character reference. */
const NOT_XML =
  // deno-lint-ignore no-control-regex -- these control characters are what XML 1.0 forbids
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Scalars as text (characters XML forbids as `\uXXXX`); unfinished exit codes as "-", nulls as empty elements. */
function scalar(v: unknown): unknown {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  if (typeof v === "string") {
    return v.replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  return v;
}

export function jobNode(job: Job): Node {
  const node: Node = {};
  const keys = [
    ...JOB_FIELDS,
    ...Object.keys(job).filter((k) => !(JOB_FIELDS as string[]).includes(k)),
  ];
  for (const key of keys) {
    const value = (job as unknown as Record<string, unknown>)[key];
    if (key === "command") node.command = { arg: (value as string[]).map(scalar) };
    else if (key === "exit_code" && value === null) node.exit_code = "-";
    else if (key === "stdout_tail" || key === "stderr_tail") {
      node[key] = { line: (value as string[]).map(scalar) };
    } else if (key === "notify_urls") {
      node.notify_urls = { url: ((value as string[] | undefined) ?? []).map(scalar) };
    } else if (key === "notifications") {
      node.notifications = {
        notification: (value as Record<string, unknown>[]).map((n) => flat(n)),
      };
    } else if (key === "after" || key === "waiting_for") {
      node[key] = { id: ((value ?? []) as string[]).map(scalar) };
    } else if (key === "result" || key === "meta") {
      // Arbitrary keys, which need not be XML names: kept as JSON text.
      node[key] = value === null || value === undefined ? "" : scalar(JSON.stringify(value));
    } else if (key === "progress") {
      node.progress = value === null ? "" : Object.fromEntries(
        Object.entries(value as object).map(([k, x]) => [k, scalar(x)]),
      );
    } else node[key] = scalar(value);
  }
  return node;
}

export function flat(obj: Record<string, unknown>): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] = v !== null && typeof v === "object" && !Array.isArray(v)
      ? flat(v as Record<string, unknown>)
      : scalar(v);
  }
  return out;
}

export const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function renderXml(v: View): string {
  let doc: Node;
  switch (v.view) {
    case "job":
      doc = { job: v.duplicate ? { ...jobNode(v.job), duplicate: "true" } : jobNode(v.job) };
      break;
    case "jobs":
      doc = { jobs: { job: v.jobs.map(jobNode) } };
      break;
    case "submitted":
      doc = {
        jobs: {
          job: v.jobs.map((
            s,
          ) => (s.duplicate ? { ...jobNode(s.job), duplicate: "true" } : jobNode(s.job))),
        },
      };
      break;
    case "clean":
      doc = {
        removed: { ...(v.dry_run ? { dry_run: "true" } : {}), job: v.removed.map(jobNode) },
      };
      break;
    case "service_status": {
      const { groups, ...rest } = v.status;
      doc = {
        service: {
          ...flat(rest as unknown as Record<string, unknown>),
          ...(groups ? { groups: { group: groups.map((g) => flat({ ...g })) } } : {}),
        },
      };
      break;
    }
    case "message":
      doc = { result: flat(v.data) };
      break;
    case "error":
      doc = { error: { code: scalar(v.error.code), message: scalar(v.error.message) } };
      break;
  }
  return HEADER + (builder.build(doc) as string).trimEnd();
}

/** `status` as it streams: the same document as the `jobs` view, a chunk of job elements at a time. */
export function xmlListing(): ListingRenderer {
  let first = true;
  return {
    rows(jobs) {
      if (jobs.length === 0) return "";
      // The builder lays out each element alone: a chunk's <job>s are the whole document's.
      const doc = builder.build({ jobs: { job: jobs.map(jobNode) } }) as string;
      const inner = doc.slice(doc.indexOf("\n") + 1, doc.lastIndexOf("</jobs>"));
      const out = (first ? HEADER + "<jobs>\n" : "") + inner;
      first = false;
      return out;
    },
    end: () => (first ? renderXml({ view: "jobs", jobs: [] }) + "\n" : "</jobs>\n"),
  };
}
