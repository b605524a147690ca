/** barn-fleet's XML: `<fleet>` holding one `<result>` per host; loaded only for --output=xml. */

import { builder, flat, HEADER, jobNode, type Node } from "../render/xml.ts";
import type { FleetView } from "./view.ts";

export function renderFleetXml(v: FleetView): string {
  const results: Node[] = v.results.map((r) => {
    const node: Node = { host: r.host, ok: String(r.ok) };
    if (!r.ok) {
      node.error = { code: r.error.code, message: r.error.message };
      return node;
    }
    switch (v.view) {
      case "jobs": {
        const x = r as unknown as { jobs: []; total?: number; timed_out?: boolean };
        node.jobs = { job: x.jobs.map(jobNode) };
        if (x.total !== undefined) node.total = String(x.total);
        if (x.timed_out !== undefined) node.timed_out = String(x.timed_out);
        break;
      }
      case "job":
        node.job = jobNode((r as unknown as { job: never }).job);
        break;
      case "submitted": {
        const x = r as unknown as { job: never; duplicate: boolean };
        node.job = jobNode(x.job);
        node.duplicate = String(x.duplicate);
        break;
      }
      case "hostinfo":
        node.hostinfo = flat((r as unknown as { hostinfo: Record<string, unknown> }).hostinfo);
        break;
      case "service_status":
        node.service = flat((r as unknown as { status: Record<string, unknown> }).status);
        break;
      case "deploy": {
        const d = (r as unknown as { deployed: Record<string, unknown> }).deployed;
        // A rendered install plan has arbitrary keys: kept as JSON text, like ffprobe's result.
        node.deployed = flat({
          ...d,
          service_install: d.service_install === null ? null : JSON.stringify(d.service_install),
        });
        break;
      }
    }
    return node;
  });
  return HEADER + (builder.build({ fleet: { result: results } }) as string).trimEnd();
}
