/** What the store's unit tests share: a spec, a start and an exit to apply. */

import type { JobSpec } from "../../src/jobs/job.ts";

export function spec(over: Partial<JobSpec> = {}): JobSpec {
  return { command: ["ffprobe", "-version"], cwd: "/tmp/barn", ...over };
}

export const RUN = { type: "start", pid: null, supervisor: "keeper", supervisor_pid: 1 } as const;

export function exitWith(code: number) {
  return { type: "exit", info: { process_exit_code: code, signal: null } } as const;
}
