/** A small typed argv parser: global options anywhere before a job's command, `--opt=v` or `--opt v`. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import type { OutputFormat } from "../render/view.ts";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** May be given more than once: the values are kept, joined by NUL (which no argv word holds). */
  repeat?: boolean;
}

/** The values of a repeatable option (see OptionSpec.repeat). */
export function repeated(value: string | boolean | undefined): string[] {
  return typeof value === "string" ? value.split("\0") : [];
}

export type OptionSpecs = Record<string, OptionSpec>;

export const GLOBAL_OPTIONS: OptionSpecs = {
  output: { type: "string", short: "o" },
  offline: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

export interface Parsed {
  options: Record<string, string | boolean>;
  positionals: string[];
  /** For `run`: everything from the command name on, untouched. */
  rest: string[];
}

/**
 * Parses options for one subcommand. With `stopAtPositional`, the first
 * positional and everything after it go to `rest` unparsed (ffmpeg's -f, -t, -n
 * belong to ffmpeg); a `--` does the same.
 */
export function parseArgs(
  argv: readonly string[],
  specs: OptionSpecs,
  opts: {
    stopAtPositional?: boolean;
    subcommand: string;
    /** The global options (barn's by default; barn-fleet has its own). */
    globals?: OptionSpecs;
    /** The program named in messages. */
    program?: string;
  },
): Parsed {
  const all: OptionSpecs = { ...(opts.globals ?? GLOBAL_OPTIONS), ...specs };
  const program = opts.program ?? "barn";
  const byShort = new Map(
    Object.entries(all).filter(([, s]) => s.short).map(([n, s]) => [s.short!, n]),
  );
  const out: Parsed = { options: {}, positionals: [], rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.rest = argv.slice(i + 1);
      break;
    }
    if (a.startsWith("-") && a !== "-") {
      let name: string;
      let value: string | undefined;
      if (a.startsWith("--")) {
        const eq = a.indexOf("=");
        name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
        value = eq >= 0 ? a.slice(eq + 1) : undefined;
      } else {
        const mapped = byShort.get(a.slice(1, 2));
        if (!mapped || (a.length > 2 && all[mapped]!.type === "boolean")) {
          throw unknownOption(a, program, opts.subcommand, all);
        }
        name = mapped;
        value = a.length > 2 ? a.slice(2).replace(/^=/, "") : undefined;
      }
      const spec = all[name];
      if (!spec) throw unknownOption(a, program, opts.subcommand, all);
      if (spec.type === "boolean") {
        if (value !== undefined) {
          throw new BarnError(
            "E_USAGE",
            `option --${excerpt(name)} takes no value (got '${excerpt(a)}')`,
          );
        }
        out.options[name] = true;
      } else {
        if (value === undefined) {
          const next = argv[i + 1];
          if (next === undefined) {
            throw new BarnError("E_USAGE", `option --${name} needs a value, e.g. --${name}=VALUE`);
          }
          value = next;
          i++;
        }
        const before = out.options[name];
        out.options[name] = spec.repeat && typeof before === "string"
          ? `${before}\0${value}`
          : value;
      }
      continue;
    }
    if (opts.stopAtPositional) {
      out.rest = argv.slice(i);
      break;
    }
    out.positionals.push(a);
  }
  return out;
}

function unknownOption(a: string, program: string, sub: string, specs: OptionSpecs): BarnError {
  const names = Object.keys(specs).map((n) => `--${n}`).join(", ");
  const cmd = sub ? `${program} ${sub}` : program;
  return new BarnError(
    "E_USAGE",
    `unknown option '${excerpt(a)}' for \`${cmd}\` (options: ${names}); see \`${cmd} --help\``,
  );
}

/** Splits leading global options (before the subcommand) from the rest. */
export function leadingGlobals(
  argv: readonly string[],
  globals: OptionSpecs = GLOBAL_OPTIONS,
): { globals: string[]; rest: string[] } {
  const out: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("-")) break;
    out.push(a);
    const name = a.startsWith("--") ? a.slice(2).split("=")[0]! : a.slice(1, 2);
    const spec = globals[name] ?? Object.values(globals).find((s) => s.short === name);
    if (
      spec?.type === "string" && !a.includes("=") &&
      a.length <= 2 + (a.startsWith("--") ? name.length : 0)
    ) {
      if (argv[i + 1] !== undefined) out.push(argv[++i]!);
    }
  }
  return { globals: out, rest: argv.slice(i) };
}

export function outputFormat(value: string | boolean | undefined): OutputFormat {
  if (value === undefined) return "human";
  if (value === "human" || value === "json" || value === "xml") return value;
  throw new BarnError(
    "E_USAGE",
    `--output must be human, json or xml (got '${excerpt(String(value))}')`,
  );
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
  }
  return d[a.length]![b.length]!;
}

/** The command named `name`, or E_USAGE naming the nearest one (barn's and barn-fleet's). */
export function commandNamed<E extends { name: string }>(
  entries: readonly E[],
  name: string,
  program: string,
): E {
  const entry = entries.find((c) => c.name === name);
  if (entry) return entry;
  const hint = nearest(name, entries.map((c) => c.name));
  throw new BarnError(
    "E_USAGE",
    `unknown command '${excerpt(name)}'${
      hint ? ` (did you mean \`${program} ${hint}\`?)` : ""
    }; see \`${program} --help\``,
  );
}

export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}
