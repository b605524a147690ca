/**
 * A job record's JSON text straight from its row (pure): what `JSON.stringify(fromRow(row))`
 * prints (`compact`), or that record as an element of `JSON.stringify(jobs, null, 2)`
 * (`indented`), byte for byte, without building the record: a listing sends thousands. A row
 * it can't be sure of (an id outside barn's alphabet, a value of an unexpected type, stored JSON
 * that JSON.stringify did not write) gives null, and the caller takes the JSON.stringify path.
 */

import { JOB_FIELDS } from "../jobs/job.ts";
import { jobDirFields } from "./job_dir.ts";
import { COLUMNS, keptAsIs } from "./rows.ts";

/** `compact`: one record as JSON.stringify writes it; `indented`: an element of the indented array. */
export type RecordLayout = "compact" | "indented";

/** How a stored column turns into its field's JSON text. */
type Kind = "str" | "bool" | "exit" | "json" | "list" | "object";

/** Columns that are not plain values (str: strings and numbers, printed as JSON.stringify does). */
const KINDS: Record<string, Kind> = {
  command: "json",
  exit_code: "exit",
  log_truncated: "bool",
  verify: "bool",
  after: "list",
  waiting_for: "list",
  notify_urls: "list",
  meta: "object",
  progress: "object",
};

/** The derived path fields, in JOB_FIELDS order: each the id between two fixed texts. */
const PATHS = ["job_dir", "stdout_path", "stderr_path"];
/** Where the paths start among JOB_FIELDS (they are consecutive). */
const FIRST_PATH = JOB_FIELDS.indexOf("job_dir");
const SAFE_ID = /^[0-9a-z]+$/;
const INTEGER = /^-?\d+$/;
/** A string JSON.stringify leaves as it is between its quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A value's JSON text as JSON.stringify prints it, for null, strings and numbers; else undefined. */
function quote(v: unknown): string | undefined {
  if (v === null) return "null";
  if (typeof v === "string") return PLAIN.test(v) ? `"${v}"` : JSON.stringify(v);
  if (typeof v === "number") return JSON.stringify(v);
  return undefined;
}

/** What the scanner expects next: a value, an object's key, the colon after it, or what follows a value. */
const VALUE = 0;
const KEY = 1;
const COLON = 2;
const AFTER = 3;
/** The escapes JSON.stringify writes as a backslash and one character. */
const SHORT_ESCAPES = '"\\bfnrt';
const HEX4 = /^[0-9a-f]{4}$/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** A key JavaScript keeps as an array index (0 to 2^32 - 2, no leading zero): listed first, in order. */
const INDEX_KEY = /^"(?:0|[1-9]\d{0,9})"$/;

/** An open object's keys so far, and where its array-index keys stand. */
interface ObjectKeys {
  keys: Set<string>;
  /** The last array-index key, -1 before one. */
  index: number;
  /** Whether a key that is no index came yet: an index after it would be read back first. */
  named: boolean;
}

/** Whether JSON.parse keeps `key` (quoted, as written) where it stands after `o`'s keys, and notes it. */
function keptInPlace(o: ObjectKeys, key: string): boolean {
  if (o.keys.has(key)) return false; // JSON.parse keeps the last of a key twice
  o.keys.add(key);
  const n = INDEX_KEY.test(key) ? Number(key.slice(1, -1)) : Infinity;
  if (n > 4294967294) {
    o.named = true;
    return true;
  }
  if (o.named || n < o.index) return false;
  o.index = n;
  return true;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The index of the quote that closes the string opened at `at`, or -1 when JSON.stringify would
 * not have written it so (a raw control character, an escape it does not use, a surrogate pair
 * escaped or cut): JSON.parse reads those as a string JSON.stringify spells otherwise.
 */
function stringEnd(json: string, at: number): number {
  const n = json.length;
  for (let i = at + 1; i < n; i++) {
    const d = json.charCodeAt(i);
    if (d === 0x22) return i;
    if (d < 0x20) return -1;
    if (d === 0x5c) {
      const e = json[++i];
      if (e === "u") {
        const hex = json.slice(i + 1, i + 5);
        if (!HEX4.test(hex)) return -1;
        const v = parseInt(hex, 16);
        if (isHigh(v)) {
          // Escaped only when alone: not with a low half after it, escaped or raw.
          const next = json.charCodeAt(i + 5);
          if (isLow(next)) return -1;
          if (
            next === 0x5c && json[i + 6] === "u" && isLow(parseInt(json.slice(i + 7, i + 11), 16))
          ) {
            return -1;
          }
        } else if (
          !isLow(v) && (v >= 0x20 || v === 8 || v === 9 || v === 10 || v === 12 || v === 13)
        ) {
          return -1;
        }
        i += 4;
      } else if (e === undefined || !SHORT_ESCAPES.includes(e)) return -1;
    } else if (isHigh(d)) {
      if (!isLow(json.charCodeAt(i + 1))) return -1; // a lone half: JSON.stringify escapes it
      i++;
    } else if (isLow(d)) return -1;
  }
  return -1;
}

/** Where the literal or number at `at` ends, if JSON.stringify spells it so (not 1.0, 1E2, -0, 01, 1e400); else -1. */
function scalarEnd(json: string, at: number): number {
  const c = json[at];
  const word = c === "t" ? "true" : c === "f" ? "false" : c === "n" ? "null" : "";
  if (word) return json.startsWith(word, at) ? at + word.length : -1;
  NUMBER.lastIndex = at;
  const m = NUMBER.exec(json);
  if (m === null || String(Number(m[0])) !== m[0]) return -1;
  return at + m[0].length;
}

/**
 * JSON text as JSON.stringify wrote it, laid out as JSON.stringify(JSON.parse(json), null, 2)
 * does, each line after the first `indent` further in; null for text JSON.stringify did not
 * write, which JSON.parse would read as something printed otherwise (a row edited by hand:
 * whitespace between tokens, unbalanced brackets, an unclosed string, a key twice, an
 * array-index key after another key that JavaScript would list first, a number or an escape
 * spelled otherwise) or not at all.
 */
export function indentJson(json: string, indent: string): string | null {
  let out = "";
  let from = 0;
  const n = json.length;
  // Per open bracket: an object's keys so far, null for an array.
  const open: (ObjectKeys | null)[] = [];
  let want = VALUE;
  const newline = () => "\n" + indent + "  ".repeat(open.length);
  for (let i = 0; i < n; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) { // a string: copied as it is
      if (want !== VALUE && want !== KEY) return null;
      const end = stringEnd(json, i);
      if (end < 0) return null;
      if (want === KEY) {
        if (!keptInPlace(open[open.length - 1]!, json.slice(i, end + 1))) return null;
        want = COLON;
      } else want = AFTER;
      i = end;
    } else if (c === 0x5b || c === 0x7b) { // [ {
      if (want !== VALUE) return null;
      const next = json.charCodeAt(i + 1);
      if (next === (c === 0x5b ? 0x5d : 0x7d)) { // empty: [] {}
        i++;
        want = AFTER;
        continue;
      }
      open.push(c === 0x7b ? { keys: new Set(), index: -1, named: false } : null);
      want = c === 0x7b ? KEY : VALUE;
      out += json.slice(from, i + 1) + newline();
      from = i + 1;
    } else if (c === 0x5d || c === 0x7d) { // ] }
      const top = open.pop();
      if (want !== AFTER || top === undefined || (top === null) !== (c === 0x5d)) return null;
      out += json.slice(from, i) + newline();
      from = i;
    } else if (c === 0x2c) { // ,
      if (want !== AFTER || open.length === 0) return null;
      want = open[open.length - 1] ? KEY : VALUE;
      out += json.slice(from, i + 1) + newline();
      from = i + 1;
    } else if (c === 0x3a) { // :
      if (want !== COLON) return null;
      want = VALUE;
      out += json.slice(from, i + 1) + " ";
      from = i + 1;
    } else {
      if (want !== VALUE) return null;
      const end = scalarEnd(json, i);
      if (end < 0) return null;
      i = end - 1;
      want = AFTER;
    }
  }
  return open.length === 0 && want === AFTER ? out + json.slice(from) : null;
}

/** Turns rows (COLUMNS order) into record text for one home and layout. */
export class RecordText {
  /** Per field: its JSON name with what goes before it (`,"tag":` or `,\n    "tag": `). */
  readonly #names: string[];
  /** Per field: its column's index in the row, or -1 - the index of its path. */
  readonly #cols: number[];
  readonly #kinds: (Kind | undefined)[];
  /** The JSON text of each path around its id. */
  readonly #paths: [string, string][];
  readonly #indented: boolean;
  readonly #end: string;

  constructor(jobDir: (id: string) => string, layout: RecordLayout) {
    this.#indented = layout === "indented";
    this.#names = JOB_FIELDS.map((f, i) =>
      this.#indented ? `${i === 0 ? "  {\n" : ",\n"}    "${f}": ` : `${i === 0 ? "{" : ","}"${f}":`
    );
    this.#cols = JOB_FIELDS.map((f) =>
      PATHS.includes(f) ? -1 - PATHS.indexOf(f) : COLUMNS.indexOf(f)
    );
    this.#kinds = JOB_FIELDS.map((f) => KINDS[f]);
    this.#end = this.#indented ? "\n  }" : "}";
    const mark = "0id0";
    const t = jobDirFields(jobDir(mark));
    this.#paths = [t.job_dir, t.stdout_path, t.stderr_path].map((path) => {
      // The text around the id, escaped as JSON once: a plain id needs no escaping.
      const json = JSON.stringify(path);
      const at = json.lastIndexOf(mark);
      return [json.slice(0, at), json.slice(at + mark.length)];
    });
  }

  /** The record's text from its row's values in COLUMNS order; null: use JSON.stringify. */
  of(row: readonly unknown[]): string | null {
    const id = row[0];
    if (typeof id !== "string" || !SAFE_ID.test(id)) return null;
    return this.#fields(row, id, 0, this.#names.length);
  }

  /**
   * The record's text without its three paths (which depend on the home the listing runs in):
   * the text before them and the text after, so that `head + paths(id) + tail` is `of(row)`.
   * Null when `of` would be.
   */
  split(row: readonly unknown[]): [string, string] | null {
    const id = row[0];
    if (typeof id !== "string" || !SAFE_ID.test(id)) return null;
    const head = this.#fields(row, id, 0, FIRST_PATH);
    if (head === null) return null;
    const tail = this.#fields(row, id, FIRST_PATH + PATHS.length, this.#names.length);
    return tail === null ? null : [head, tail];
  }

  /** The three path fields of job `id` (a SAFE_ID) as they go between `split`'s head and tail. */
  paths(id: string): string {
    const [a, b, c, d] = this.pathTexts();
    return a + id + b + id + c + id + d;
  }

  /** The texts around the id's three places in `paths(id)`: `a id b id c id d`. */
  pathTexts(): [string, string, string, string] {
    const out = ["", "", "", ""] as [string, string, string, string];
    for (let k = 0; k < PATHS.length; k++) {
      const i = FIRST_PATH + k;
      const [before, after] = this.#paths[-1 - this.#cols[i]!]!;
      out[k] += this.#names[i] + before;
      out[k + 1] += after;
    }
    return out;
  }

  /** Fields `from` to `to` (JOB_FIELDS indices) of the record, with its end after the last. */
  #fields(row: readonly unknown[], id: string, from: number, to: number): string | null {
    let out = "";
    for (let i = from; i < to; i++) {
      const col = this.#cols[i]!;
      let text: string | null | undefined;
      if (col < 0) {
        const [before, after] = this.#paths[-1 - col]!;
        text = before + id + after;
      } else {
        const v = row[col];
        switch (this.#kinds[i]) {
          case undefined:
            text = quote(v);
            break;
          case "bool":
            text = v === 1 ? "true" : "false";
            break;
          case "exit":
            // fromRow's reading: digits are the number they spell, other text a code.
            text = typeof v === "string" && INTEGER.test(v) ? JSON.stringify(Number(v)) : quote(v);
            break;
          case "json":
            text = typeof v === "string" ? this.#json(v) : undefined;
            break;
          case "list":
            text = !v ? "[]" : typeof v === "string" ? this.#json(v) : undefined;
            break;
          case "object":
            text = !v ? "null" : typeof v === "string" ? this.#json(v) : undefined;
            break;
        }
      }
      if (text === null || text === undefined) return null;
      out += this.#names[i] + text;
    }
    return to === this.#names.length ? out + this.#end : out;
  }

  /** Stored JSON (as JSON.stringify wrote it: toColumn is its one writer) in this layout. */
  #json(text: string): string | null {
    return this.#indented ? indentJson(text, "    ") : text;
  }
}

const encoder = new TextEncoder();
/** What builds the stored texts: the layout alone matters, as the paths are left out. */
let stored: RecordText | null = null;

/**
 * Bump when RecordText's indented text changes in any way JOB_FIELDS does not show (an escape,
 * the layout): a stored text of another layout is never listed, its record is built instead.
 */
const LAYOUT_VERSION = 1;

/** FNV-1a, 32 bits: a fingerprint of the layout, not a checksum against tampering. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The layout a stored text is in: the fields, in order, and LAYOUT_VERSION. */
export const LISTING_LAYOUT: number = fnv1a(`${LAYOUT_VERSION}:${JOB_FIELDS.join(",")}`);

/**
 * The listing text a finished job's row keeps (`jobs.listing`, migration 7), from the values it
 * is written with (COLUMNS order): its `indented` record's UTF-8 without the three paths, which
 * depend on the home it is listed in, as `[LISTING_LAYOUT: u32][head's byte length: u32][head]
 * [tail]` (big-endian). Null when SQLite would not give the values back as they are, or
 * RecordText leaves the row.
 */
export function listingBlob(params: readonly unknown[]): Uint8Array | null {
  if (!keptAsIs(params)) return null;
  stored ??= new RecordText((id) => id, "indented");
  const parts = stored.split(params);
  if (parts === null) return null;
  const head = encoder.encode(parts[0]);
  const tail = encoder.encode(parts[1]);
  const blob = new Uint8Array(8 + head.length + tail.length);
  const view = new DataView(blob.buffer);
  view.setUint32(0, LISTING_LAYOUT);
  view.setUint32(4, head.length);
  blob.set(head, 8);
  blob.set(tail, 8 + head.length);
  return blob;
}

/** Where the id starts in a stored text's head: after the record's first name. */
const ID_AT = '  {\n    "job_id": "'.length;

/**
 * A stored listing text's head and tail (`listingBlob`'s layout), if it is job `id`'s (barn's
 * alphabet, ASCII: the paths go in around it as bytes); null for anything else, a text of another
 * layout (written by another barn) or of another job among it.
 */
export function blobParts(blob: unknown, id: string): [Uint8Array, Uint8Array] | null {
  if (!(blob instanceof Uint8Array) || blob.length < 8) return null;
  const layout = ((blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!) >>> 0;
  if (layout !== LISTING_LAYOUT) return null;
  const n = ((blob[4]! << 24) | (blob[5]! << 16) | (blob[6]! << 8) | blob[7]!) >>> 0;
  if (n > blob.length - 8 || n < ID_AT + id.length + 1) return null;
  const at = 8 + ID_AT;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c >= 0x80 || blob[at + i] !== c) return null;
  }
  if (blob[at + id.length] !== 0x22) return null; // the id's closing quote
  return [blob.subarray(8, 8 + n), blob.subarray(8 + n)];
}
