/** Keys from a raw terminal's bytes (pure): arrows and the few escapes `barn top` knows, else characters. */

export type Key =
  | "up"
  | "down"
  | "pageup"
  | "pagedown"
  | "home"
  | "end"
  | "enter"
  | "escape"
  | "backspace"
  | "ctrl-c"
  | { char: string };

const SEQUENCES: [string, Key][] = [
  ["\x1b[A", "up"],
  ["\x1bOA", "up"],
  ["\x1b[B", "down"],
  ["\x1bOB", "down"],
  ["\x1b[5~", "pageup"],
  ["\x1b[6~", "pagedown"],
  ["\x1b[H", "home"],
  ["\x1b[1~", "home"],
  ["\x1bOH", "home"],
  ["\x1b[F", "end"],
  ["\x1b[4~", "end"],
  ["\x1bOF", "end"],
];

/** Every key in one read; an escape sequence barn does not know is dropped whole. */
export function decodeKeys(text: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const seq = SEQUENCES.find(([s]) => rest.startsWith(s));
    if (seq) {
      keys.push(seq[1]);
      i += seq[0].length;
      continue;
    }
    const c = rest[0]!;
    if (c === "\x1b") {
      // A CSI or SS3 sequence we don't use (F-keys, mouse, …): skip to its final byte.
      // deno-lint-ignore no-control-regex
      const m = /^\x1b(?:\[[0-?]*[ -/]*[@-~]|O.)/.exec(rest);
      if (m) {
        i += m[0].length;
        continue;
      }
      keys.push("escape");
      i++;
      continue;
    }
    i += c.length;
    if (c === "\r" || c === "\n") keys.push("enter");
    else if (c === "\x7f" || c === "\b") keys.push("backspace");
    else if (c === "\x03") keys.push("ctrl-c");
    else if (c >= " ") keys.push({ char: c });
  }
  return keys;
}
