/** JSON output: the authoritative record, for jq. */

import type { View } from "./view.ts";

export function renderJson(v: View): string {
  switch (v.view) {
    case "job":
      return JSON.stringify(v.duplicate ? { ...v.job, duplicate: true } : v.job, null, 2);
    case "jobs":
      return JSON.stringify(v.jobs, null, 2);
    case "submitted":
      return JSON.stringify(
        v.jobs.map((s) => (s.duplicate ? { ...s.job, duplicate: true } : s.job)),
        null,
        2,
      );
    case "clean":
      return JSON.stringify({ removed: v.removed, dry_run: v.dry_run === true }, null, 2);
    case "service_status":
      return JSON.stringify(v.status, null, 2);
    case "message":
      return JSON.stringify(v.data, null, 2);
    case "error":
      return JSON.stringify({ error: v.error });
  }
}
