/**
 * A small declarative checker for untrusted JSON: strict objects, bounded strings and arrays,
 * numbers, literals, enums. It exists instead of zod on the service's hot edge because zod
 * costs the service ~12 MB of resident memory (docs/performance.md); zod still validates
 * JobSpec files, where its JSON Schema export earns its weight.
 *
 * A check returns null when the value fits, else a problem naming where (`jobs.0.command`).
 */

import { excerpt } from "../escape.ts";

export type Check = (v: unknown, path: string) => string | null;

const at = (path: string) => (path ? ` at ${path}` : "");
const kindOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

export function str(opts: { max: number; min?: number }): Check {
  return (v, path) => {
    if (typeof v !== "string") return `expected a string${at(path)}, got ${kindOf(v)}`;
    if (v.length > opts.max) return `too long${at(path)}: at most ${opts.max} characters`;
    if (opts.min !== undefined && v.length < opts.min) {
      return `too short${at(path)}: at least ${opts.min} characters`;
    }
    return null;
  };
}

export function num(
  opts: { int?: boolean; min?: number; max?: number; positive?: boolean } = {},
): Check {
  return (v, path) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      return `expected a number${at(path)}, got ${kindOf(v)}`;
    }
    if (opts.int && !Number.isInteger(v)) return `expected an integer${at(path)}`;
    if (opts.positive && v <= 0) return `expected a number above 0${at(path)}`;
    if (opts.min !== undefined && v < opts.min) return `expected at least ${opts.min}${at(path)}`;
    if (opts.max !== undefined && v > opts.max) return `expected at most ${opts.max}${at(path)}`;
    return null;
  };
}

export const bool: Check = (v, path) =>
  typeof v === "boolean" ? null : `expected true or false${at(path)}, got ${kindOf(v)}`;

export function literal(value: string | boolean): Check {
  return (v, path) => (v === value ? null : `expected ${JSON.stringify(value)}${at(path)}`);
}

export function oneOf(values: readonly string[]): Check {
  return (v, path) =>
    typeof v === "string" && values.includes(v)
      ? null
      : `expected one of ${values.join(", ")}${at(path)}`;
}

export function array(item: Check, opts: { max: number; min?: number }): Check {
  return (v, path) => {
    if (!Array.isArray(v)) return `expected an array${at(path)}, got ${kindOf(v)}`;
    if (v.length > opts.max) return `too many items${at(path)}: at most ${opts.max}`;
    if (opts.min !== undefined && v.length < opts.min) {
      return `too few items${at(path)}: at least ${opts.min}`;
    }
    for (let i = 0; i < v.length; i++) {
      const p = item(v[i], path ? `${path}.${i}` : String(i));
      if (p) return p;
    }
    return null;
  };
}

/** Marks a field that may be left out (undefined); `nullable` also admits null. */
export interface Field {
  check: Check;
  optional: boolean;
  nullable: boolean;
}

export const optional = (check: Check): Field => ({ check, optional: true, nullable: false });
export const maybe = (check: Check): Field => ({ check, optional: true, nullable: true });

/** An object with exactly these keys: unknown keys are refused, like zod's strictObject. */
export function strict(fields: Record<string, Check | Field>): Check {
  const spec = Object.entries(fields).map(([k, f]) =>
    [k, typeof f === "function" ? { check: f, optional: false, nullable: false } : f] as const
  );
  return (v, path) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      return `expected an object${at(path)}, got ${kindOf(v)}`;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!Object.hasOwn(fields, k)) return `unknown key "${excerpt(k)}"${at(path)}`;
    }
    for (const [k, f] of spec) {
      const p = path ? `${path}.${k}` : k;
      const x = o[k];
      if (x === undefined) {
        if (!f.optional) return `missing${at(p)}`;
        continue;
      }
      if (x === null && f.nullable) continue;
      const problem = f.check(x, p);
      if (problem) return problem;
    }
    return null;
  };
}

/**
 * An object whose listed keys are checked and whose other keys are let through unread: for
 * answers from a newer barn that may carry fields this one does not know (project them away
 * with `pick` before use).
 */
export function known(fields: Record<string, Check | Field>): Check {
  const inner = strict(fields);
  return (v, path) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return inner(v, path);
    const o = v as Record<string, unknown>;
    const listed: Record<string, unknown> = {};
    for (const k of Object.keys(fields)) if (Object.hasOwn(o, k)) listed[k] = o[k];
    return inner(listed, path);
  };
}

/** Only the listed keys of an object (own keys, never inherited ones). */
export function pick<T = Record<string, unknown>>(v: unknown, keys: readonly string[]): T {
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (Object.hasOwn(o, k)) out[k] = o[k];
  return out as T;
}

/** The first check that fits wins; the problem reported is the last one's. */
export function anyOf(...checks: Check[]): Check {
  return (v, path) => {
    let problem: string | null = null;
    for (const c of checks) {
      problem = c(v, path);
      if (problem === null) return null;
    }
    return problem;
  };
}

/** Picks the object check by its `kind` field. */
export function byKind(variants: Record<string, Check>): Check {
  return (v, path) => {
    const kind = typeof v === "object" && v !== null ? (v as { kind?: unknown }).kind : undefined;
    if (typeof kind !== "string" || !Object.hasOwn(variants, kind)) {
      return `unknown request kind${at(path ? `${path}.kind` : "kind")}: expected one of ${
        Object.keys(variants).join(", ")
      }`;
    }
    return variants[kind]!(v, path);
  };
}
