/** What the store's unit tests share: a spec, a start and an exit to apply, and losing barn.db. */

import type { JobSpec } from "../../src/jobs/job.ts";

export function spec(over: Partial<JobSpec> = {}): JobSpec {
  return { command: ["ffprobe", "-version"], cwd: "/tmp/barn", ...over };
}

export const RUN = { type: "start", pid: null, supervisor: "keeper", supervisor_pid: 1 } as const;

export function exitWith(code: number) {
  return { type: "exit", info: { process_exit_code: code, signal: null } } as const;
}

/** Deletes barn.db with its WAL and shared-memory files, as a lost DB leaves a home. */
export function removeDb(db: string): void {
  for (const ext of ["", "-wal", "-shm"]) {
    try {
      Deno.removeSync(db + ext);
    } catch { /* absent */ }
  }
}
