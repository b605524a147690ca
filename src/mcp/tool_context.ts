/** A CLI context for one MCP tool call: the command runs as on the command line, and what it would print is kept as data. */

import { CliContext } from "../cli/context.ts";
import { renderJson } from "../render/json.ts";
import type { ListingRenderer, View } from "../render/view.ts";
import type { Job } from "../jobs/job.ts";
import { parseJson } from "../json.ts";

export class ToolContext extends CliContext {
  readonly #views: View[] = [];

  constructor(
    options: Record<string, string | boolean>,
    positionals: string[] = [],
    rest: string[] = [],
  ) {
    super("json", false, options, positionals, rest);
  }

  /** Kept, never written: stdout belongs to the MCP protocol. */
  override print(v: View): Promise<void> {
    this.#views.push(v);
    return Promise.resolve();
  }

  /** A listing is kept as records (below), never taken as printed text. */
  override printsJsonText(): boolean {
    return false;
  }

  /** A streamed listing (status) is gathered into one jobs view, frame by frame. */
  override listing(): Promise<ListingRenderer> {
    const jobs: Job[] = [];
    this.#views.push({ view: "jobs", jobs });
    return Promise.resolve({
      rows: (frame) => {
        jobs.push(...frame);
        return "";
      },
      end: () => "",
    });
  }

  /** Nothing reaches stdout: it belongs to the MCP protocol. */
  override write(_text: string | Uint8Array): Promise<void> {
    return Promise.resolve();
  }

  /** What the command printed last, as its `--output=json` value. */
  result(): unknown {
    const v = this.#views.at(-1);
    return v === undefined ? null : parseJson(renderJson(v));
  }
}
