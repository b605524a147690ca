/**
 * A submission's dependencies (pure): each job's `after` entries become lines of the same
 * submission (by their `label`) or references to stored jobs, and a cycle among the lines is
 * refused before anything is stored.
 */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import { checkJobRef, checkName } from "./ids.ts";
import type { JobSpec } from "./job.ts";

/** At most this many dependencies per job. */
export const MAX_AFTER = 1000;

/** One `after` entry: another line of the submission (its index), or a stored job (id, prefix or @NAME). */
export type DependencyRef = { line: number } | { ref: string };

/** Where each job of a batch is, for messages: "job 3: " (lines count from 1), nothing for one job. */
function place(specs: readonly JobSpec[], i: number): string {
  return specs.length > 1 ? `job ${i + 1}: ` : "";
}

/** Resolves labels and checks the references' syntax; a cycle among the lines is E_USAGE. */
export function planDependencies(specs: readonly JobSpec[]): DependencyRef[][] {
  const labels = new Map<string, number>();
  specs.forEach((s, i) => {
    if (s.label === undefined || s.label === null) return;
    checkName(s.label, `${place(specs, i)}label`);
    if (labels.has(s.label)) {
      throw new BarnError(
        "E_USAGE",
        `${place(specs, i)}label '${excerpt(s.label)}' is already the label of job ${
          labels.get(s.label)! + 1
        }; labels must differ within a submission`,
      );
    }
    labels.set(s.label, i);
  });
  const plan = specs.map((s, i) => {
    const after = s.after ?? [];
    if (after.length > MAX_AFTER) {
      throw new BarnError(
        "E_USAGE",
        `${place(specs, i)}at most ${MAX_AFTER} dependencies per job (got ${after.length})`,
      );
    }
    const out: DependencyRef[] = [];
    const seen = new Set<string>();
    for (const a of after) {
      if (seen.has(a)) continue;
      seen.add(a);
      const line = labels.get(a);
      if (line !== undefined) out.push({ line });
      else {
        try {
          out.push({ ref: checkJobRef(a) });
        } catch (e) {
          if (!(e instanceof BarnError)) throw e;
          throw new BarnError(
            "E_USAGE",
            `${place(specs, i)}after '${excerpt(a)}' is neither a label of this submission ` +
              "nor a job id (4+ characters) or @NAME",
          );
        }
      }
    }
    return out;
  });
  refuseCycles(specs, plan);
  return plan;
}

/** Depth-first search over the lines; the first cycle found is named by its labels. */
function refuseCycles(specs: readonly JobSpec[], plan: readonly DependencyRef[][]): void {
  const state = new Uint8Array(specs.length); // 0 new, 1 on the path, 2 done
  const path: number[] = [];
  const visit = (start: number) => {
    // An explicit stack: a chain of 10 000 lines must not exhaust the call stack.
    const stack: { node: number; next: number }[] = [{ node: start, next: 0 }];
    state[start] = 1;
    path.push(start);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const deps = plan[top.node]!;
      if (top.next >= deps.length) {
        state[top.node] = 2;
        path.pop();
        stack.pop();
        continue;
      }
      const d = deps[top.next++]!;
      if (!("line" in d)) continue;
      if (state[d.line] === 1) {
        const cycle = [...path.slice(path.indexOf(d.line)), d.line];
        throw new BarnError(
          "E_USAGE",
          `the jobs' dependencies form a cycle (${
            cycle.map((n) => excerpt(specs[n]!.label ?? `job ${n + 1}`)).join(" → ")
          }), so none of them could ever start; nothing was submitted`,
        );
      }
      if (state[d.line] === 0) {
        state[d.line] = 1;
        path.push(d.line);
        stack.push({ node: d.line, next: 0 });
      }
    }
  };
  for (let i = 0; i < specs.length; i++) if (state[i] === 0) visit(i);
}
