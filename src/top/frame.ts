/** The bytes that turn one screen into the next (pure): only changed lines are rewritten. */

const CLEAR = "\x1b[H\x1b[2J";

/**
 * Escape codes that draw `next` over `prev`: every line when there is no previous frame or the
 * size changed (a resize), else only the lines that differ; each line is cleared to its end.
 */
export function frameDiff(prev: readonly string[] | null, next: readonly string[]): string {
  const full = prev === null || prev.length !== next.length;
  let out = full ? CLEAR : "";
  next.forEach((l, i) => {
    if (!full && prev![i] === l) return;
    out += `\x1b[${i + 1};1H${l}\x1b[0m\x1b[K`;
  });
  return out;
}

/** Entering the full-screen view: the alternate screen, no cursor, no line wrap. */
export const ENTER = "\x1b[?1049h\x1b[?25l\x1b[?7l";
/** Leaving it: wrap, cursor and the main screen back, attributes reset. */
export const LEAVE = "\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l";
