/** What a command shows, as data; renderers turn it into human, JSON or XML text. */

import type { ErrorBody } from "../errors.ts";
import type { Job } from "../jobs/job.ts";
import type { DescribedJob, ServiceStatus } from "../protocol/messages.ts";

export type OutputFormat = "human" | "json" | "xml";

export type View =
  | { view: "job"; job: Job | DescribedJob; duplicate?: boolean; note?: string }
  | { view: "jobs"; jobs: Job[] }
  | { view: "submitted"; jobs: { job: Job; duplicate: boolean }[] }
  | { view: "clean"; removed: Job[]; dry_run?: boolean }
  | { view: "service_status"; status: ServiceStatus }
  | { view: "message"; message: string; data: Record<string, unknown> }
  | { view: "error"; error: ErrorBody };

/**
 * A listing rendered as its records arrive (`status` streams them): `rows` for each chunk and
 * `end` once, each returning the text to print next. The pieces add up to the text the `jobs`
 * view renders to, plus its final newline.
 */
export interface ListingRenderer {
  rows(jobs: readonly Job[]): string;
  end(): string;
}
