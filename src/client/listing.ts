/** A whole `status` listing gathered from the frames it streams, for callers that want every record at once. */

import type { Job } from "../jobs/job.ts";
import type { Request, ResponseData, StreamFrame } from "../protocol/messages.ts";

/** Anything that sends a streaming request: a Connection, a Backend, a fleet Remote. */
export interface StatusStreamer {
  stream(
    req: Extract<Request, { kind: "status" }>,
    onFrame: (frame: StreamFrame) => void | Promise<void>,
  ): Promise<ResponseData["status"]>;
}

export async function collectJobs(
  s: StatusStreamer,
  filter: Extract<Request, { kind: "status" }>["filter"],
): Promise<{ jobs: Job[]; total: number }> {
  const jobs: Job[] = [];
  const { total } = await s.stream({ kind: "status", filter }, (frame) => {
    if (frame.stream === "jobs") jobs.push(...frame.jobs);
  });
  return { jobs, total };
}
