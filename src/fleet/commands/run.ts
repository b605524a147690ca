/** barn-fleet run: submit one job on one host, chosen by name, by tag, or as the least loaded; its argv travels in a frame. */

import { BarnError } from "../../errors.ts";
import type { Job, JobSpec } from "../../jobs/job.ts";
import { applySpecOptions, applyVerify } from "../../jobs/spec_options.ts";
import { isAbsolute } from "../../platform/path.ts";
import { escapeText } from "../../escape.ts";
import type { FleetCommand } from "../command.ts";
import type { FleetContext } from "../context.ts";
import { writeOut } from "../context.ts";
import { fanOut, type HostResult } from "../fan_out.ts";
import { candidates, checkHostName, type Host } from "../inventory.ts";
import { leastLoaded } from "../pick_host.ts";
import { Remote } from "../remote.ts";

function jobSpec(ctx: FleetContext): Omit<JobSpec, "cwd"> {
  if (ctx.rest.length === 0 || ctx.rest[0] === "") {
    throw new BarnError(
      "E_USAGE",
      "missing command: e.g. `barn-fleet run --on=any ffprobe -i /tmp/barn/input/clip.mp4`",
    );
  }
  const spec: Omit<JobSpec, "cwd"> = { command: [...ctx.rest] };
  applySpecOptions(ctx, spec, "job-timeout");
  if (ctx.flag("verify")) applyVerify(spec);
  return spec;
}

function noCounts(
  host: string,
): { host: string; ok: false; error: { code: string; message: string } } {
  return {
    host,
    ok: false,
    error: {
      code: "E_PROTOCOL",
      message: `${host} reported no job counts, so it cannot be chosen`,
    },
  };
}

/** Hosts of --on=any/tag:T that did not answer: said on stderr, since the result is the chosen host's. */
async function reportSkipped(loads: readonly HostResult<object>[]): Promise<void> {
  for (const l of loads) {
    if (l.ok) continue;
    await writeOut(
      Deno.stderr,
      `barn-fleet: ${escapeText(l.host)}: skipped: ${escapeText(l.error.message)} [${
        escapeText(l.error.code)
      }]\n`,
    );
  }
}

/** The hosts `--on` allows: from the inventory, or one named host when there is none. */
async function onHosts(ctx: FleetContext): Promise<Host[]> {
  const on = ctx.str("on");
  const inventory = await ctx.maybeHosts();
  if (inventory === null) {
    if (on === undefined || on === "any" || on.startsWith("tag:")) {
      throw new BarnError(
        "E_USAGE",
        "where? give --on=HOST, or --hosts=… with --on=any or --on=tag:T",
      );
    }
    return [{ name: checkHostName(on, "--on: "), tags: [], barn: ctx.barn }];
  }
  if (on === undefined) {
    if (inventory.length === 1) return inventory;
    throw new BarnError("E_USAGE", "where? give --on=HOST, --on=any or --on=tag:T");
  }
  return candidates(inventory, on);
}

export const run: FleetCommand = {
  name: "run",
  summary: "submit a job on one host: --on=HOST, --on=any (least loaded) or --on=tag:T",
  usage: "barn-fleet [--hosts=…] run --on=HOST|any|tag:T [--tag=T] [--key=K] [--job-timeout=DUR] " +
    "[--stall-timeout=DUR] [--verify] [--pending=LATCH] [--cwd=DIR] [--] <cmd> [args…]",
  example:
    "barn-fleet --hosts=- run --on=tag:gpu ffmpeg -i /tmp/barn/input/a.mp4 /tmp/barn/output/a.webm",
  options: {
    on: { type: "string" },
    tag: { type: "string" },
    key: { type: "string" },
    "job-timeout": { type: "string" },
    "stall-timeout": { type: "string" },
    pending: { type: "string" },
    verify: { type: "boolean" },
    cwd: { type: "string" },
  },
  stopAtPositional: true,
  async run(ctx) {
    const spec = jobSpec(ctx);
    const cwd = ctx.str("cwd");
    if (cwd !== undefined && !isAbsolute(cwd)) {
      throw new BarnError("E_USAGE", `--cwd must be an absolute path on the host (got '${cwd}')`);
    }
    const hosts = await onHosts(ctx);
    const settings = ctx.settings;
    const fan = ctx.fanOptions();
    // Each candidate's session stays open after its load is read: the chosen one submits on it.
    const open = new Map<string, Remote>();
    let results: HostResult<{ job: Job; duplicate: boolean }>[];
    try {
      const loads = await fanOut(hosts, (h) => h.name, fan, async (h, signal) => {
        const r = await Remote.open(h, settings, signal);
        open.set(h.name, r);
        return await r.request({ kind: "service_status" });
      });
      const best = hosts.length === 1 ? { host: hosts[0]!.name } : leastLoaded(loads);
      if (best === null) {
        return await ctx.print({
          view: "submitted",
          results: loads.map((l) => l.ok ? noCounts(l.host) : l),
        });
      }
      const chosen = loads.find((l) => l.host === best.host)!;
      if (ctx.format === "human") await reportSkipped(loads.filter((l) => l !== chosen));
      if (!chosen.ok) {
        results = [chosen];
      } else {
        results = await fanOut([chosen], (c) => c.host, fan, async (c) => {
          // A job runs in a directory of its host: by default, the host's BARN_HOME.
          const dir = cwd ?? c.status.home;
          const r = open.get(c.host)!;
          const { jobs } = await r.request({ kind: "submit", jobs: [{ ...spec, cwd: dir }] });
          const first = jobs[0];
          if (!first) throw new BarnError("E_PROTOCOL", `${c.host} answered a submit with no job`);
          return { job: first.job, duplicate: first.duplicate };
        });
      }
    } finally {
      await Promise.all([...open.values()].map((r) => r.close()));
    }
    return await ctx.print({ view: "submitted", results });
  },
};
