/** What the store's unit tests share: a spec, a start and an exit to apply, and losing barn.db. */

import type { JobSpec } from "../../src/jobs/job.ts";
import { blobParts, RecordText } from "../../src/store/record_text.ts";
import type { StoredRecord } from "../../src/store/listing.ts";
import type { Store } from "../../src/store/store.ts";

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

/**
 * Checks every listing text a store keeps (migration 7) against the record as barn reads it
 * now: the element of `JSON.stringify(jobs, null, 2)` that its row lists as. Returns how many
 * rows have a text and how many have none.
 */
export function checkListingTexts(store: Store): { texts: number; none: number } {
  let texts = 0;
  let none = 0;
  const rows = store.db.raw.prepare("SELECT job_id, listing FROM jobs").all();
  const paths = new RecordText((id) => store.paths.jobDir(id), "indented");
  for (const r of rows) {
    const parts = blobParts(r.listing, r.job_id as string);
    if (r.listing === null) {
      none++;
      continue;
    }
    if (parts === null) throw new Error(`job ${r.job_id}: a listing text of no known layout`);
    const id = r.job_id as string;
    const text = decoder.decode(parts[0]) + paths.paths(id) + decoder.decode(parts[1]);
    const want = JSON.stringify([store.get(id)], null, 2).slice(2, -2);
    if (text !== want) {
      throw new Error(`job ${id}: a stale listing text\n${text}\n-- the record reads --\n${want}`);
    }
    texts++;
  }
  return { texts, none };
}

const decoder = new TextDecoder();

/** One record of `iterateListing` as the text it stands for (a stored one is valid only until the next). */
export function recordText(r: string | StoredRecord): string {
  if (typeof r === "string") return r;
  const [a, b, c, d] = r.paths.map((p) => decoder.decode(p));
  return decoder.decode(r.head) + a + r.id + b + r.id + c + r.id + d + decoder.decode(r.tail);
}
