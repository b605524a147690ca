/** A JobSpec's result file on disk: written atomically next to the JobSpec, under a name never taken. */

import { join } from "../platform/path.ts";
import { exists, writeFileAtomic } from "../platform/files.ts";
import { VERSION } from "../version.ts";
import type { JobSpecResult } from "./result.ts";

export const now = (): string => new Date().toISOString();

/** A name in `dir` that no file has yet: `x.json`, else `x-<time>.json` (never overwrite). */
export function freeName(dir: string, file: string): string {
  if (!exists(join(dir, file))) return file;
  const stem = file.replace(/\.json$/, "");
  for (let i = 1;; i++) {
    const candidate = `${stem}-${now().replace(/[:.]/g, "-")}${i > 1 ? `-${i}` : ""}.json`;
    if (!exists(join(dir, candidate))) return candidate;
  }
}

export function resultPath(jobspecPath: string): string {
  return jobspecPath.replace(/\.json$/, ".result.json");
}

export function writeResult(jobspecPath: string, r: Omit<JobSpecResult, "_metadata">): void {
  const full: JobSpecResult = {
    ...r,
    _metadata: { jobspec_path: jobspecPath, result_written_at: now(), runner: `barn ${VERSION}` },
  };
  writeFileAtomic(resultPath(jobspecPath), JSON.stringify(full, null, 2) + "\n");
}
