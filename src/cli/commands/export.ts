/** barn export ID: a finished job's record, logs and outputs as a tar stream on stdout (`| tar -x`). */

import { lazy } from "../../lazy.ts";
import { BarnError, toErrorBody } from "../../errors.ts";
import { exitForError } from "../../jobs/exit_codes.ts";
import { isFinished } from "../../jobs/job.ts";
import { HomePaths } from "../../platform/home_layout.ts";
import { Store } from "../../store/store.ts";
import type { Command } from "../command.ts";
import { type CliContext, writeOut } from "../context.ts";
import { oneId } from "../job_args.ts";

async function exportJob(ctx: CliContext): Promise<number> {
  const id = oneId(ctx, "export");
  const outputsOnly = ctx.flag("outputs-only");
  const logsOnly = ctx.flag("logs-only");
  const include = ctx.strs("include");
  if (outputsOnly && logsOnly) {
    throw new BarnError("E_USAGE", "--outputs-only and --logs-only exclude each other");
  }
  if (logsOnly && include.length > 0) {
    throw new BarnError("E_USAGE", "--include adds outputs; it does not combine with --logs-only");
  }
  if (Deno.stdout.isTerminal()) {
    throw new BarnError(
      "E_USAGE",
      "barn export writes a tar stream: pipe it (`barn export ID | tar -x`, " +
        "`ssh host barn export ID | tar -x`) or redirect it to a file",
    );
  }
  // Read-only, and never a DB that is not there: export works with or without a service.
  const paths = new HomePaths(ctx.home);
  const store = Store.openReadOnly(paths);
  if (store === null) {
    throw new BarnError("E_NOT_FOUND", `no jobs in ${ctx.home} (it has no barn.db)`);
  }
  try {
    const job = store.resolve(id);
    if (!isFinished(job.state)) {
      throw new BarnError(
        "E_STATE",
        `job ${job.job_id} is ${job.state}: barn exports finished jobs only, since a tar ` +
          `header fixes each file's size (wait with \`barn wait ${job.job_id}\`)`,
      );
    }
    const { planExport, writeExport } = await lazy<typeof import("../../archive/export_job.ts")>(
      import.meta.url,
      "../../archive/export_job.ts",
    );
    const plan = planExport(job, {
      logs: !outputsOnly,
      outputs: !logsOnly,
      include,
      cwd: Deno.cwd(),
    });
    const manifest = await writeExport(job, plan, async (chunk) => {
      let off = 0;
      while (off < chunk.length) off += await Deno.stdout.write(chunk.subarray(off));
    });
    if (manifest.skipped.length > 0 && ctx.format === "human") {
      await writeOut(
        Deno.stderr,
        `barn: note: ${manifest.skipped.length} file(s) not exported; ` +
          `barn-${job.job_id}/manifest.json says which and why\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}

export const exportCommand: Command = {
  name: "export",
  summary: "write a finished job's record, logs and outputs as a tar stream to stdout",
  usage: "barn export <id> [--outputs-only | --logs-only] [--include=PATH]…",
  example: "ssh media-host barn export k3f9 | tar -x",
  options: {
    "outputs-only": { type: "boolean" },
    "logs-only": { type: "boolean" },
    include: { type: "string", repeat: true },
  },
  async run(ctx) {
    try {
      return await exportJob(ctx);
    } catch (e) {
      // stdout carries the tar stream, whatever --output says: errors go to stderr.
      const body = toErrorBody(e);
      await writeOut(Deno.stderr, (await ctx.render({ view: "error", error: body })) + "\n");
      return exitForError(body.code);
    }
  },
};
