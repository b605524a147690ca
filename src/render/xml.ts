/** XML output through fast-xml-parser's builder; imported only when --output=xml asks for it. */

import { XMLBuilder } from "fast-xml-parser";
import type { Job } from "../jobs/job.ts";
import { JOB_FIELDS } from "../jobs/job.ts";
import type { ListingRenderer, View } from "./view.ts";

const builder = new XMLBuilder({
  format: true,
  indentBy: "  ",
  suppressEmptyNode: true,
  processEntities: true,
});

type Node = Record<string, unknown>;

/** Scalars as text; unfinished exit codes as "-", nulls as empty elements. */
function scalar(v: unknown): unknown {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  return v;
}

function jobNode(job: Job): Node {
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
    } else if (key === "result") {
      node.result = value === null || value === undefined ? "" : JSON.stringify(value); // arbitrary keys: kept as JSON text
    } else if (key === "progress") {
      node.progress = value === null ? "" : Object.fromEntries(
        Object.entries(value as object).map(([k, x]) => [k, scalar(x)]),
      );
    } else node[key] = scalar(value);
  }
  return node;
}

function flat(obj: Record<string, unknown>): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] = v !== null && typeof v === "object" && !Array.isArray(v)
      ? flat(v as Record<string, unknown>)
      : scalar(v);
  }
  return out;
}

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';

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
      doc = { removed: { job: v.removed.map(jobNode) } };
      break;
    case "service_status":
      doc = { service: flat(v.status as unknown as Record<string, unknown>) };
      break;
    case "message":
      doc = { result: flat(v.data) };
      break;
    case "error":
      doc = { error: { code: v.error.code, message: v.error.message } };
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
