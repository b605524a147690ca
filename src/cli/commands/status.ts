/** barn status: all jobs, newest first. */

import { excerpt } from "../../escape.ts";
import { BarnError } from "../../errors.ts";
import { JOB_STATES, type JobState } from "../../jobs/job.ts";
import { parseDuration } from "../../config/duration.ts";
import type { StatusFilter } from "../../protocol/messages.ts";
import { parseMetaFilter } from "../../jobs/meta.ts";
import type { OptionSpecs } from "../args.ts";
import type { Command } from "../command.ts";

const DEFAULT_LIMIT = 100;

/** --since takes a duration back from now (`2h`) or a time (`2026-11-23T10:00:00Z`). */
export function sinceTime(text: string | undefined, now = Date.now()): string | undefined {
  if (text === undefined) return undefined;
  if (/^\d{4}-\d\d-\d\d/.test(text)) {
    const t = Date.parse(text);
    if (Number.isNaN(t)) {
      throw new BarnError("E_USAGE", `--since '${excerpt(text)}' is not a valid time`);
    }
    return new Date(t).toISOString();
  }
  return new Date(now - parseDuration(text, "--since") * 1000).toISOString();
}

/** The options `statusFilter` reads (barn's status and barn-fleet's). */
export const STATUS_OPTIONS: OptionSpecs = {
  tag: { type: "string" },
  state: { type: "string" },
  since: { type: "string" },
  meta: { type: "string" },
  limit: { type: "string" },
  all: { type: "boolean" },
};

/** The filter of `status` from its options (barn's and barn-fleet's). */
export function statusFilter(
  opts: { str(name: string): string | undefined; flag(name: string): boolean },
): StatusFilter {
  const state = opts.str("state");
  if (state !== undefined && !(JOB_STATES as readonly string[]).includes(state)) {
    throw new BarnError(
      "E_USAGE",
      `--state must be one of ${JOB_STATES.join(", ")} (got '${excerpt(state)}')`,
    );
  }
  const limitText = opts.str("limit");
  if (limitText !== undefined && opts.flag("all")) {
    throw new BarnError("E_USAGE", "--limit and --all don't combine");
  }
  const limit = opts.flag("all")
    ? undefined
    : limitText === undefined
    ? DEFAULT_LIMIT
    : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new BarnError(
      "E_USAGE",
      `--limit must be a positive whole number (got '${excerpt(limitText)}')`,
    );
  }
  const meta = opts.str("meta");
  return {
    state: state as JobState | undefined,
    tag: opts.str("tag"),
    since: sinceTime(opts.str("since")),
    limit,
    ...(meta === undefined ? {} : { meta: [parseMetaFilter(meta)] }),
  };
}

export const status: Command = {
  name: "status",
  summary: "list jobs, newest first",
  usage:
    "barn status [--tag=T] [--state=S] [--since=DUR|TIME] [--meta KEY=VALUE] [--limit=N | --all] " +
    "[--output=F]",
  example: "barn status --state=running --since=1h --output=json",
  options: STATUS_OPTIONS,
  async run(ctx) {
    if (ctx.positionals.length > 0) {
      throw new BarnError(
        "E_USAGE",
        `barn status takes no arguments (got '${
          excerpt(ctx.positionals[0]!)
        }'); use \`barn describe <id>\` for one job`,
      );
    }
    const filter = statusFilter(ctx);
    const backend = await ctx.readBackend();
    if (ctx.printsJsonText()) {
      // The service prints the JSON listing itself: its text goes to stdout as it arrives, unparsed.
      let texts = 0;
      await backend.stream({ kind: "status", filter, text: "json" }, async (frame) => {
        if (frame.stream !== "text") return;
        texts++;
        await ctx.write(frame.text);
      });
      if (texts === 0) {
        throw new BarnError("E_PROTOCOL", "the service answered the listing without its text");
      }
      return 0;
    }
    const listing = await ctx.listing();
    let shown = 0;
    // Records arrive in chunks and are printed as they come: no side holds the whole listing.
    const { total } = await backend.stream({ kind: "status", filter }, async (frame) => {
      if (frame.stream !== "jobs") return;
      shown += frame.jobs.length;
      await ctx.write(listing.rows(frame.jobs));
    });
    await ctx.write(listing.end());
    if (ctx.format === "human" && total > shown) {
      console.error(`(showing the newest ${shown} of ${total} jobs; --all shows every one)`);
    }
    return 0;
  },
};
