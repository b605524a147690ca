/**
 * Reading a curl argv the way curl reads it (pure): which words are options, which are their
 * values, which are URLs, and where each `--next` group begins. It follows curl's own parser
 * (`getparameter()` and `parse_args()` in src/tool_getparam.c) over the table in
 * curl_options.ts:
 *
 * - a short-option cluster (`-sSfu`) ends at the first letter that takes a value; the rest of the
 *   word, or else the next word, is that value (`-uX`, `-su X`);
 * - a long option takes its value from the next word or, as curl 8.15 and later do, after `=`
 *   (`--user=X`); `--no-X` only for switches, `--expand-X` only for options with a value;
 * - `--` ends the options: every later word is a URL, `--next` included;
 * - every other word is a URL, exactly as if given with `--url`;
 * - `--next` (`-:`) starts a new group of options and URLs; curl reads no letter after `-:`,
 *   `-h`, `-V` or `-M` in a cluster, so barn refuses letters there.
 *
 * Anything curl would refuse (an unknown option, a missing value) is refused here too, so barn
 * never guesses which word holds what. curl 7.x also took abbreviated and upper-case long names
 * (`--us`, `--USER`); curl 8 does not, and neither does barn.
 */

import { BarnError } from "../errors.ts";
import { excerpt } from "../escape.ts";
import { CURL_OPTIONS, CURL_SHORT_OPTIONS, type CurlOptionKind } from "./curl_options.ts";

/**
 * Short options after which curl reads no more letters of their cluster (it returns from the
 * cluster at once): `-:o -u user:pw` would hide `-u` behind an `-o` curl never reads.
 */
const CLUSTER_ENDS = new Set(["next", "help", "version", "manual"]);

/** The longest long-option name curl looks for before an `=` (MAX_OPTION_LEN). */
const MAX_OPTION_LEN = 26;

/** One option or URL as curl reads it, and the words it came from. */
export interface CurlToken {
  /** The long option name; "url" for a bare URL, which curl reads as `--url`. */
  name: string;
  kind: CurlOptionKind;
  /** The value, for options that take one (and for URLs); null for switches. */
  value: string | null;
  /** `--no-<name>`. */
  negated: boolean;
  /** `--expand-<name>`: curl expands `{{variables}}` in the value. */
  expand: boolean;
  /** True for a bare word read as a URL. */
  positional: boolean;
  /** The word the option stands in (argv[0] is word 0). */
  word: number;
  /** Where the option starts in its word: the letter's offset in a cluster, else 0. */
  at: number;
  /** The word that holds the value, and the value's offset in it (-1 without a value). */
  valueWord: number;
  valueAt: number;
  /** The index just past the last word this token used. */
  end: number;
  /** The `--next` group it belongs to, from 0. */
  group: number;
}

export interface CurlArgs {
  tokens: CurlToken[];
  /** Per group, the word index where its options begin (see groupStarts below). */
  groupStarts: number[];
  /** The index of the `--` word, or -1. */
  endOfOptions: number;
}

function usage(message: string): BarnError {
  return new BarnError("E_USAGE", message);
}

/** A long option as it may be shown: never what follows its `=`, which may be a password. */
function optionName(word: string): string {
  const eq = word.indexOf("=");
  return excerpt(eq < 0 ? word : `${word.slice(0, eq)}=…`);
}

function unknown(word: string): BarnError {
  return usage(
    `curl option '${
      optionName(word)
    }' is unknown to barn: barn reads curl's options as curl 8 does ` +
      "(full long names, no abbreviations; see `curl --help all`)",
  );
}

function needsValue(spelling: string): BarnError {
  return usage(`curl option ${excerpt(spelling)} needs a value`);
}

/** Parses `command` (argv[0] = "curl"); throws E_USAGE where curl itself would refuse. */
export function parseCurlArgs(command: readonly string[]): CurlArgs {
  const tokens: CurlToken[] = [];
  let group = 0;
  let endOfOptions = -1;
  const nextStarts: number[] = [];
  for (let i = 1; i < command.length; i++) {
    const w = command[i]!;
    const base = { negated: false, expand: false, positional: false, word: i, at: 0, group };
    if (endOfOptions >= 0 || !w.startsWith("-")) {
      tokens.push({
        ...base,
        name: "url",
        kind: "arg",
        value: w,
        positional: true,
        valueWord: i,
        valueAt: 0,
        end: i + 1,
      });
      continue;
    }
    if (w === "--") {
      endOfOptions = i;
      continue;
    }
    const first = tokens.length;
    if (w.startsWith("--")) {
      let word = w.slice(2);
      let negated = false;
      let expand = false;
      if (word.startsWith("no-")) {
        word = word.slice(3);
        negated = true;
      } else if (word.startsWith("expand-")) {
        word = word.slice(7);
        expand = true;
      }
      const eq = word.indexOf("=");
      const inline = eq >= 1 && eq <= MAX_OPTION_LEN;
      const name = inline ? word.slice(0, eq) : word;
      const kind = Object.hasOwn(CURL_OPTIONS, name) ? CURL_OPTIONS[name]! : null;
      if (kind === null) throw unknown(w);
      if (negated && kind !== "bool") {
        throw usage(`curl option ${optionName(w)}: --no- goes only with on/off options`);
      }
      if (expand && kind !== "arg") {
        throw usage(
          `curl option ${optionName(w)}: --expand- goes only with options that take a value`,
        );
      }
      const token: CurlToken = {
        ...base,
        name,
        kind,
        value: null,
        negated,
        expand,
        valueWord: -1,
        valueAt: -1,
        end: i + 1,
      };
      if (kind === "arg") {
        if (inline) {
          token.value = w.slice(w.length - (word.length - eq - 1));
          token.valueWord = i;
          token.valueAt = w.length - token.value.length;
        } else {
          if (i + 1 >= command.length) throw needsValue(w);
          token.value = command[i + 1]!;
          token.valueWord = i + 1;
          token.valueAt = 0;
          token.end = i + 2;
        }
      }
      tokens.push(token);
    } else {
      // A cluster of short options: it ends at the first letter that takes a value.
      for (let j = 1; j < w.length || j === 1; j++) {
        const letter = w[j] ?? "";
        const name = Object.hasOwn(CURL_SHORT_OPTIONS, letter) ? CURL_SHORT_OPTIONS[letter]! : null;
        if (name === null) throw unknown(letter === "" ? w : `-${letter}`);
        const kind = CURL_OPTIONS[name]!;
        const token: CurlToken = {
          ...base,
          name,
          kind,
          value: null,
          at: j,
          valueWord: -1,
          valueAt: -1,
          end: i + 1,
        };
        tokens.push(token);
        if (CLUSTER_ENDS.has(name) && j + 1 < w.length) {
          throw usage(
            `curl option -${letter} ends its cluster: curl ignores the letters after it, so ` +
              `barn can't tell what they hide; give -${letter} in a word of its own`,
          );
        }
        if (kind !== "arg") continue;
        if (j + 1 < w.length) {
          token.value = w.slice(j + 1);
          token.valueWord = i;
          token.valueAt = j + 1;
        } else {
          if (i + 1 >= command.length) throw needsValue(`-${letter}`);
          token.value = command[i + 1]!;
          token.valueWord = i + 1;
          token.valueAt = 0;
          token.end = i + 2;
        }
        break;
      }
    }
    const unit = tokens.slice(first);
    const end = Math.max(...unit.map((t) => t.end));
    for (const t of unit) {
      if (t.name === "next") {
        group++;
        nextStarts.push(end);
      }
    }
    // The words of the cluster are used up; group numbers apply from the next letter on.
    let g = unit[0]!.group;
    for (const t of unit) {
      t.group = g;
      if (t.name === "next") g++;
    }
    i = end - 1;
  }
  return { tokens, groupStarts: [firstGroupStart(command, tokens), ...nextStarts], endOfOptions };
}

/** Whether curl skips ~/.curlrc: only when its very first argument starts with -q or is --disable. */
export function skipsCurlrc(command: readonly string[]): boolean {
  const w = command[1];
  return w !== undefined && (w.startsWith("-q") || w === "--disable");
}

/** Where the first group's options begin: word 1, or after a first `-q`, which must stay first. */
function firstGroupStart(command: readonly string[], tokens: readonly CurlToken[]): number {
  if (!skipsCurlrc(command)) return 1;
  return Math.max(2, ...tokens.filter((t) => t.word === 1).map((t) => t.end));
}

/**
 * The argv without the `drop`ped tokens (an option and its value; a cluster keeps its other
 * letters) and with `replace`d values; `newIndex` maps an old word index to the new argv.
 */
export function rewriteCurlArgs(
  command: readonly string[],
  drop: ReadonlySet<CurlToken>,
  replace: ReadonlyMap<CurlToken, string> = new Map(),
): { words: string[]; newIndex: (old: number) => number } {
  const out: (string | null)[] = [...command];
  for (const t of drop) {
    // A value-taking option ends its cluster, so cutting the word at its letter drops both.
    const kept = t.at > 0 ? command[t.word]!.slice(0, t.at) : "";
    out[t.word] = kept === "-" || kept === "" ? null : kept;
    if (t.valueWord >= 0 && t.valueWord !== t.word) out[t.valueWord] = null;
  }
  for (const [t, value] of replace) {
    out[t.valueWord] = command[t.valueWord]!.slice(0, t.valueAt) + value;
  }
  const before: number[] = [];
  let n = 0;
  for (let i = 0; i <= command.length; i++) {
    before.push(n);
    if (i < command.length && out[i] !== null) n++;
  }
  return {
    words: out.filter((w): w is string => w !== null),
    newIndex: (old) => before[old]!,
  };
}
