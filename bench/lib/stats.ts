/** Median and spread of repeated measurements. */

export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function stat(xs: number[]): Stat {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/** The same, each figure rounded to `digits` decimals (rows that report seconds to the millisecond). */
export function roundedStat(xs: number[], digits = 3): Stat {
  const f = 10 ** digits;
  const r = (x: number) => Math.round(x * f) / f;
  const s = stat(xs);
  return { median: r(s.median), min: r(s.min), max: r(s.max), runs: s.runs };
}
