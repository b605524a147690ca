/** barn-fleet logs: a job's output from its host by HOST:ID, streamed as the job writes it with -f. */

import { BarnError } from "../../errors.ts";
import { LOGS_OPTIONS, tailOption } from "../../cli/job_args.ts";
import { exitCodeFor } from "../../jobs/exit_codes.ts";
import type { LogWhich } from "../../protocol/messages.ts";
import { escapeLog } from "../../escape.ts";
import type { FleetCommand } from "../command.ts";
import { resultsExit, writeOut } from "../context.ts";
import { fanOut } from "../fan_out.ts";
import { qualifiedIds } from "../sessions.ts";
import { withRemote } from "../remote.ts";
import { errorLines } from "../render_human.ts";

export const logs: FleetCommand = {
  name: "logs",
  summary: "a job's output by HOST:ID; -f follows it until the job ends",
  usage: "barn-fleet logs HOST:ID [-f] [-n N | --tail=N] [--stdout | --stderr] [--raw]",
  example: "barn-fleet logs -f --stderr media-1:k3f9",
  options: LOGS_OPTIONS,
  async run(ctx) {
    const targets = await qualifiedIds(ctx, "logs");
    if (targets.length !== 1) {
      throw new BarnError("E_USAGE", "barn-fleet logs takes one HOST:ID");
    }
    if (ctx.format === "xml") {
      throw new BarnError(
        "E_USAGE",
        "logs streams text, or JSON Lines with --output=json; not XML",
      );
    }
    const tail = tailOption(ctx);
    const which: LogWhich = ctx.flag("stdout") === ctx.flag("stderr")
      ? "both"
      : ctx.flag("stdout")
      ? "stdout"
      : "stderr";
    const follow = ctx.flag("follow");
    const t = targets[0]!;
    const settings = ctx.settings;
    const json = ctx.format === "json";
    const raw = ctx.flag("raw");
    const results = await fanOut(
      [t],
      (x) => x.host.name,
      ctx.fanOptions(follow ? null : undefined),
      (x, signal) =>
        withRemote(x.host, settings, signal, async (r) => {
          const res = await r.stream(
            { kind: "logs", id: x.id, which, tail, follow },
            async (f) => {
              if (f.stream !== "log") return;
              if (json) {
                const line = { host: x.host.name, id: x.id, which: f.which, text: f.text };
                await writeOut(Deno.stdout, JSON.stringify(line) + "\n");
                return;
              }
              // As barn logs: with both, each log to its own stream; one alone goes to stdout.
              const out = which === "both" && f.which === "stderr" ? Deno.stderr : Deno.stdout;
              await writeOut(out, raw ? f.text : escapeLog(f.text));
            },
          );
          return { job: res.job };
        }),
    );
    const r = results[0]!;
    if (json) await writeOut(Deno.stdout, JSON.stringify(r) + "\n");
    else if (!r.ok) await writeOut(Deno.stderr, errorLines(results).join("\n") + "\n");
    if (!r.ok) return resultsExit(results);
    return follow ? exitCodeFor(r.job.exit_code) : 0;
  },
};
