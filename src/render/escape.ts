/** Makes untrusted text safe for a terminal: control, bidi and line-separator characters become visible escapes. */

// C0 and C1 controls, DEL, bidi marks, embeddings, overrides and isolates, and the Unicode line
// and paragraph separators: each can move the cursor, recolour, or reorder what a reader sees.
const UNSAFE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Escapes every unsafe character of `text`, except those in `keep` (e.g. "\n\t" for log text). */
export function escapeTerminal(text: string, keep = ""): string {
  return text.replace(UNSAFE, (c) => {
    if (keep.includes(c)) return c;
    const named = NAMED[c];
    if (named) return named;
    const n = c.charCodeAt(0);
    return n <= 0xff
      ? `\\x${n.toString(16).padStart(2, "0")}`
      : `\\u${n.toString(16).padStart(4, "0")}`;
  });
}

/** A copy of a JSON-like value with every string escaped: host-supplied records before human rendering. */
export function escapeStrings<T>(value: T): T {
  if (typeof value === "string") return escapeTerminal(value) as T;
  if (Array.isArray(value)) return value.map(escapeStrings) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [escapeTerminal(k), escapeStrings(v)]),
    ) as T;
  }
  return value;
}
