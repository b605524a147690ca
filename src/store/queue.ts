/** The queue's queries: ready jobs by group (one index probe per group), running and queued counts. */

import type { JobCounts, JobState } from "../jobs/job.ts";
import type { Row } from "./db.ts";
import type { StoreBase } from "./job_rows.ts";

/** Running and queued jobs of one queue group. */
export interface GroupCounts {
  running: number;
  queued: number;
}

/** A queued job ready to start (held by no latch, waiting for no job): the queue's view of it. */
export interface ReadyJob {
  job_id: string;
  created_at: string;
  /** Insertion order, which breaks ties of created_at (a batch shares one). */
  seq: number;
}

/** The oldest ready jobs of one group (held by no latch, waiting for no job), FIFO. */
export function nextQueued(s: StoreBase, group: string, limit: number): ReadyJob[] {
  return (s.db.stmt(
    `SELECT job_id, created_at, rowid AS seq FROM jobs WHERE state = 'queued' AND "group" = ? ` +
      "AND latch IS NULL AND waiting_for IS NULL ORDER BY created_at, rowid LIMIT ?",
  ).all(group, limit) as Row[]).map((r) => ({
    job_id: r.job_id as string,
    created_at: r.created_at as string,
    seq: r.seq as number,
  }));
}

/** The groups that have a ready job: one index probe per group, however long the queue. */
export function readyGroups(s: StoreBase): string[] {
  const next = s.db.stmt(
    // The planner would scan every queued row through the state index without the hint.
    `SELECT "group" AS g FROM jobs INDEXED BY jobs_ready WHERE state = 'queued' AND latch IS NULL ` +
      `AND waiting_for IS NULL AND "group" > ? ORDER BY "group" LIMIT 1`,
  );
  const out: string[] = [];
  for (let after = "";;) {
    const r = next.get(after) as Row | undefined;
    if (!r) return out;
    after = r.g as string;
    out.push(after);
  }
}

/** Running jobs by group. */
export function runningByGroup(s: StoreBase): Map<string, number> {
  return new Map(
    (s.db.stmt(
      `SELECT "group" AS g, COUNT(*) AS n FROM jobs WHERE state = 'running' GROUP BY "group"`,
    ).all() as Row[]).map((r) => [r.g as string, r.n as number]),
  );
}

/** Running and queued jobs by group (groups with neither are absent). */
export function groupCounts(s: StoreBase): Map<string, GroupCounts> {
  const out = new Map<string, GroupCounts>();
  for (
    const r of s.db.stmt(
      `SELECT "group" AS g, state, COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') ` +
        `GROUP BY "group", state`,
    ).all() as Row[]
  ) {
    const c = out.get(r.g as string) ?? { running: 0, queued: 0 };
    c[r.state as "queued" | "running"] = r.n as number;
    out.set(r.g as string, c);
  }
  return out;
}

/**
 * Which of `ids` are still queued or running: one query per 500 ids, always with 500
 * placeholders (padded with "", which no job has), so one prepared statement serves every
 * call instead of one cached statement per list length.
 */
export function unfinishedOf(s: StoreBase, ids: Iterable<string>): string[] {
  const CHUNK = 500;
  const stmt = s.db.stmt(
    `SELECT job_id FROM jobs WHERE state IN ('queued', 'running') AND job_id IN (${
      Array(CHUNK).fill("?").join(",")
    })`,
  );
  const all = [...ids];
  const out: string[] = [];
  for (let i = 0; i < all.length; i += CHUNK) {
    const part = all.slice(i, i + CHUNK);
    while (part.length < CHUNK) part.push("");
    for (const r of stmt.all(...part) as Row[]) out.push(r.job_id as string);
  }
  return out;
}

export function runningCount(s: StoreBase): number {
  return (s.db.stmt("SELECT COUNT(*) AS n FROM jobs WHERE state = 'running'").get() as Row)
    .n as number;
}

/** Jobs by state. */
export function counts(s: StoreBase): JobCounts {
  const c: JobCounts = { queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 };
  for (
    const r of s.db.stmt("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as Row[]
  ) {
    c[r.state as JobState] = r.n as number;
  }
  return c;
}
