/** JSON output: the authoritative record, for jq. */

import type { ListingRenderer, View } from "./view.ts";

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

/** `status` as it streams: the same array as the `jobs` view, a chunk of elements at a time. */
export function jsonListing(): ListingRenderer {
  let first = true;
  return {
    rows(jobs) {
      if (jobs.length === 0) return "";
      // A chunk laid out as a whole array, less its brackets: its elements as the view has them.
      const text = JSON.stringify(jobs, null, 2);
      const out = (first ? "[\n" : ",\n") + text.slice(2, -2);
      first = false;
      return out;
    },
    end: () => (first ? "[]\n" : "\n]\n"),
  };
}
