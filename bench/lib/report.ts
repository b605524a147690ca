/** What a bench run reports: each row's measurements, the ratios against their targets, notes. */

import type { Params } from "./params.ts";
import type { Peers } from "./peers.ts";

export interface Ratio {
  value: number | null;
  target: string;
  holds: boolean | null;
}

export class Report {
  readonly results: Record<string, unknown> = {};
  readonly ratios: Record<string, Ratio> = {};
  readonly notes: string[] = [];

  ratio(name: string, value: number | null, target: string, holds: (v: number) => boolean): void {
    this.ratios[name] = {
      value: value === null ? null : Math.round(value * 1000) / 1000,
      target,
      holds: value === null ? null : holds(value),
    };
  }

  note(text: string): void {
    this.notes.push(text);
  }
}

/** What every row gets: the sizes, which peers are installed, the report, and the time cap. */
export interface Bench {
  p: Params;
  smoke: boolean;
  peers: Peers;
  report: Report;
  overTime(): boolean;
}

/** One measured row: it writes `report.results[name]` and its ratios. */
export type Row = (b: Bench) => Promise<void>;
