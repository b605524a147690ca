/** How many terminal columns text takes, and text cut to a number of columns (pure). */

// East Asian wide and fullwidth blocks, and the emoji planes: two columns each.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
// Combining marks and variation selectors take no column of their own.
const ZERO = /[\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff\ufe00-\ufe0f]/u;

function charWidth(c: string): number {
  return ZERO.test(c) ? 0 : WIDE.test(c) ? 2 : 1;
}

/** Columns of already escaped text (no control characters left in it). */
export function textWidth(text: string): number {
  let w = 0;
  for (const c of text) w += charWidth(c);
  return w;
}

/** At most `columns` columns of `text`, ending in `…` when something was cut. */
export function clip(text: string, columns: number): string {
  if (columns <= 0) return "";
  if (textWidth(text) <= columns) return text;
  let out = "";
  let w = 0;
  for (const c of text) {
    const cw = charWidth(c);
    if (w + cw > columns - 1) break;
    out += c;
    w += cw;
  }
  return out + "…";
}

/** `text` padded with spaces to `columns` columns (never cut). */
export function padTo(text: string, columns: number): string {
  const w = textWidth(text);
  return w >= columns ? text : text + " ".repeat(columns - w);
}
