/** `barn top`'s state and what each key does to it (pure); the loop in top.ts carries out the effects. */

import { isFinished, type Job, type JobCounts } from "../jobs/job.ts";
import type { DescribedJob, ServiceStatus } from "../protocol/messages.ts";
import type { Key } from "./keys.ts";

/** How many finished jobs the view keeps, newest first. */
export const FINISHED_SHOWN = 20;

export type Mode =
  | { kind: "list" }
  | { kind: "log"; id: string; job: DescribedJob | null; scroll: number }
  | { kind: "describe"; id: string; job: DescribedJob | null; scroll: number }
  | { kind: "confirm-kill"; id: string }
  | { kind: "filter"; text: string };

export interface TopState {
  jobs: ReadonlyMap<string, Job>;
  service: ServiceStatus | null;
  /** Free bytes on BARN_HOME's disk; null when unknown. */
  diskFree: number | null;
  /** False while the service is unreachable: the view shows the last state it had. */
  connected: boolean;
  selected: string | null;
  /** Only jobs with this tag (the `/` key); null: every job. */
  tag: string | null;
  mode: Mode;
  /** One line for the footer: what the last action did, or why it failed. */
  message: string | null;
}

/** What the loop must do after a key. */
export type Effect =
  | { kind: "none" }
  | { kind: "quit"; code: number }
  | { kind: "kill"; id: string }
  | { kind: "retry"; id: string }
  | { kind: "load"; id: string; what: "log" | "describe" };

export function initialState(tag: string | null = null): TopState {
  return {
    jobs: new Map(),
    service: null,
    diskFree: null,
    connected: false,
    selected: null,
    tag,
    mode: { kind: "list" },
    message: null,
  };
}

export interface Sections {
  running: Job[];
  queued: Job[];
  finished: Job[];
}

/** The jobs in view, by section: running (oldest start first), queued (FIFO), finished (newest first). */
export function sections(s: TopState): Sections {
  const all = [...s.jobs.values()].filter((j) => s.tag === null || j.tag === s.tag);
  const by = (k: (j: Job) => string, desc = false) => (a: Job, b: Job) =>
    (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0) * (desc ? -1 : 1);
  return {
    running: all.filter((j) => j.state === "running").sort(by((j) => j.started_at ?? "")),
    queued: all.filter((j) => j.state === "queued").sort(by((j) => j.created_at)),
    finished: all.filter((j) => isFinished(j.state))
      .sort(by((j) => j.finished_at ?? j.created_at, true))
      .slice(0, FINISHED_SHOWN),
  };
}

/** Every selectable job, top to bottom. */
export function order(s: TopState): Job[] {
  const { running, queued, finished } = sections(s);
  return [...running, ...queued, ...finished];
}

/** The selection kept on a job in view (the first one when it left the view). */
export function settle(s: TopState): TopState {
  const ids = order(s).map((j) => j.job_id);
  if (s.selected !== null && ids.includes(s.selected)) return s;
  return { ...s, selected: ids[0] ?? null };
}

/** Replaces or adds records; finished jobs beyond the kept number drop out. */
export function withJobs(s: TopState, jobs: readonly Job[]): TopState {
  const next = new Map(s.jobs);
  for (const j of jobs) next.set(j.job_id, j);
  const finished = [...next.values()].filter((j) => isFinished(j.state))
    .sort((a, b) => (b.finished_at ?? "").localeCompare(a.finished_at ?? ""));
  // Keep a margin beyond what is shown, so a tag filter still finds recent ones.
  for (const j of finished.slice(FINISHED_SHOWN * 5)) next.delete(j.job_id);
  return settle({ ...s, jobs: next });
}

/** Live progress for a running job (listen --progress); unknown jobs wait for their record. */
export function withProgress(s: TopState, id: string, progress: Job["progress"]): TopState {
  const j = s.jobs.get(id);
  if (!j || j.state !== "running") return s;
  const next = new Map(s.jobs);
  next.set(id, { ...j, progress });
  return { ...s, jobs: next };
}

/** The job counts the header shows: the service's, or those in view while it has none. */
export function counts(s: TopState): JobCounts {
  if (s.service?.jobs) return s.service.jobs;
  const c: JobCounts = { queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 };
  for (const j of s.jobs.values()) c[j.state]++;
  return c;
}

const NONE: Effect = { kind: "none" };

function move(s: TopState, delta: number): TopState {
  const ids = order(s).map((j) => j.job_id);
  if (ids.length === 0) return s;
  const at = s.selected === null ? 0 : Math.max(0, ids.indexOf(s.selected));
  const to = Math.max(0, Math.min(ids.length - 1, at + delta));
  return { ...s, selected: ids[to]! };
}

const PAGE = 10;

/** What a key does, in the current mode. */
export function onKey(s: TopState, key: Key): { state: TopState; effect: Effect } {
  const m = s.mode;
  if (key === "ctrl-c") return { state: s, effect: { kind: "quit", code: 130 } };
  const ch = typeof key === "object" ? key.char : null;
  switch (m.kind) {
    case "filter": {
      if (key === "escape") return { state: { ...s, mode: { kind: "list" } }, effect: NONE };
      if (key === "enter") {
        const tag = m.text === "" ? null : m.text;
        return {
          state: settle({
            ...s,
            tag,
            mode: { kind: "list" },
            message: tag === null ? "showing every tag" : null,
          }),
          effect: NONE,
        };
      }
      if (key === "backspace") {
        return {
          state: { ...s, mode: { kind: "filter", text: [...m.text].slice(0, -1).join("") } },
          effect: NONE,
        };
      }
      if (ch !== null) {
        return { state: { ...s, mode: { kind: "filter", text: m.text + ch } }, effect: NONE };
      }
      return { state: s, effect: NONE };
    }
    case "confirm-kill": {
      const list = { ...s, mode: { kind: "list" } as Mode };
      if (ch === "y" || ch === "Y") {
        return { state: { ...list, message: null }, effect: { kind: "kill", id: m.id } };
      }
      return { state: { ...list, message: "not canceled" }, effect: NONE };
    }
    case "log":
    case "describe": {
      if (ch === "q") return { state: s, effect: { kind: "quit", code: 0 } };
      if (key === "escape" || key === "backspace" || ch === m.kind[0]) {
        return { state: { ...s, mode: { kind: "list" } }, effect: NONE };
      }
      // A log is read from its end (scroll = lines back), a record from its top (lines down).
      const back = m.kind === "log" ? 1 : -1;
      const step = key === "up" || ch === "k"
        ? 1
        : key === "down" || ch === "j"
        ? -1
        : key === "pageup"
        ? PAGE
        : key === "pagedown"
        ? -PAGE
        : 0;
      const scroll = m.scroll + back * step;
      return { state: { ...s, mode: { ...m, scroll: Math.max(0, scroll) } }, effect: NONE };
    }
    case "list": {
      const sel = s.selected;
      if (ch === "q") return { state: s, effect: { kind: "quit", code: 0 } };
      if (key === "up" || ch === "k") return { state: move(s, -1), effect: NONE };
      if (key === "down" || ch === "j") return { state: move(s, 1), effect: NONE };
      if (key === "pageup") return { state: move(s, -PAGE), effect: NONE };
      if (key === "pagedown") return { state: move(s, PAGE), effect: NONE };
      if (key === "home" || ch === "g") return { state: move(s, -Infinity), effect: NONE };
      if (key === "end" || ch === "G") return { state: move(s, Infinity), effect: NONE };
      if (ch === "/") {
        return { state: { ...s, mode: { kind: "filter", text: s.tag ?? "" } }, effect: NONE };
      }
      if (key === "escape") return { state: { ...s, message: null }, effect: NONE };
      if (sel === null) return { state: s, effect: NONE };
      if (ch === "l" || ch === "d") {
        const kind = ch === "l" ? "log" : "describe";
        return {
          state: { ...s, mode: { kind, id: sel, job: null, scroll: 0 } },
          effect: { kind: "load", id: sel, what: kind },
        };
      }
      if (ch === "K") {
        const j = s.jobs.get(sel);
        if (j && isFinished(j.state)) {
          return { state: { ...s, message: `${sel} has already ${j.state}` }, effect: NONE };
        }
        return { state: { ...s, mode: { kind: "confirm-kill", id: sel } }, effect: NONE };
      }
      if (ch === "r") return { state: s, effect: { kind: "retry", id: sel } };
      return { state: s, effect: NONE };
    }
  }
}
