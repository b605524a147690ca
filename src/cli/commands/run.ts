/** barn run: submit a job (or run it here with --offline). */

import { excerpt } from "../../escape.ts";
import { lazy } from "../../lazy.ts";
import { BarnError } from "../../errors.ts";
import type { JobSpec } from "../../jobs/job.ts";
import type { OptionSpecs } from "../args.ts";
import type { Command } from "../command.ts";
import type { CliContext } from "../context.ts";
import { readText } from "../../platform/files.ts";
import { isSecretPath, sandboxPath } from "../../platform/sandbox_path.ts";
import { applySpecOptions, applyVerify } from "../../jobs/spec_options.ts";

// The checkers of options a plain `barn run` does not give are loaded only when given.
const ids = () => lazy<typeof import("../../jobs/ids.ts")>(import.meta.url, "../../jobs/ids.ts");
const exitCodes = () =>
  lazy<typeof import("../../jobs/exit_codes.ts")>(import.meta.url, "../../jobs/exit_codes.ts");

/** The submission options that run, get and put share. */
export const JOB_OPTIONS: OptionSpecs = {
  tag: { type: "string" },
  key: { type: "string" },
  timeout: { type: "string" },
  "stall-timeout": { type: "string" },
  pending: { type: "string" },
  after: { type: "string" },
  group: { type: "string" },
  name: { type: "string" },
  meta: { type: "string" },
  notify: { type: "string", repeat: true },
};

/** Fills a spec from the shared options. */
export async function applyJobOptions(ctx: CliContext, spec: JobSpec): Promise<JobSpec> {
  applySpecOptions(ctx, spec, "timeout");
  if (ctx.str("pending") !== undefined && ctx.offline) {
    throw new BarnError(
      "E_USAGE",
      "--pending holds a job for the service; it does not combine with --offline",
    );
  }
  const after = ctx.str("after");
  if (after !== undefined) {
    if (ctx.offline) {
      throw new BarnError(
        "E_USAGE",
        "--after makes a job wait for others under the service; it does not combine with --offline",
      );
    }
    const refs = after.split(",").map((a) => a.trim()).filter((a) => a !== "");
    if (refs.length === 0) {
      throw new BarnError("E_USAGE", "--after needs job ids, e.g. --after=k3f9,@download");
    }
    const { checkJobRef } = await ids();
    spec.after = refs.map(checkJobRef);
  }
  const group = ctx.str("group");
  if (group !== undefined) spec.group = (await ids()).checkName(group, "--group");
  const name = ctx.str("name");
  if (name !== undefined) spec.name = (await ids()).checkName(name);
  const meta = ctx.str("meta");
  if (meta !== undefined) {
    const { parseMeta } = await lazy<typeof import("../../jobs/meta.ts")>(
      import.meta.url,
      "../../jobs/meta.ts",
    );
    spec.meta = parseMeta(meta);
  }
  const notify = ctx.strs("notify");
  if (notify.length > 0) {
    const { checkNotifyUrls } = await lazy<typeof import("../../notify/notify_url.ts")>(
      import.meta.url,
      "../../notify/notify_url.ts",
    );
    spec.notify_urls = checkNotifyUrls(notify, "--notify");
  }
  return spec;
}

/** Submits one job and reports it; under --offline, runs it here and exits with its code. */
export async function submitAndReport(ctx: CliContext, spec: JobSpec): Promise<number> {
  const backend = await ctx.backend();
  const { jobs } = await backend.request({ kind: "submit", jobs: [spec] });
  const first = jobs[0]!;
  if (!ctx.offline) {
    if (ctx.format === "human") await ctx.print({ view: "submitted", jobs });
    else await ctx.print({ view: "job", job: first.job, duplicate: first.duplicate });
    return 0;
  }
  const { exitCodeFor } = await exitCodes();
  if (first.duplicate) {
    await ctx.print({ view: "job", job: first.job, duplicate: true });
    return exitCodeFor(first.job.exit_code);
  }
  const { superviseHere } = await lazy<typeof import("../offline_run.ts")>(
    import.meta.url,
    "../offline_run.ts",
  );
  const job = await superviseHere(backend, await ctx.config(), first.job.job_id);
  await ctx.print({ view: "job", job });
  return exitCodeFor(job.exit_code);
}

/** Submits a JSON Lines batch in one request (one transaction); prints the ids or the records. */
async function runBatch(ctx: CliContext, source: string): Promise<number> {
  if (ctx.rest.length > 0) {
    throw new BarnError("E_USAGE", "--batch takes its jobs from the file; give no command");
  }
  for (
    const o of [
      "tag",
      "key",
      "timeout",
      "stall-timeout",
      "pending",
      "verify",
      "after",
      "group",
      "name",
      "meta",
      "notify",
    ]
  ) {
    if (ctx.options[o] !== undefined) {
      throw new BarnError("E_USAGE", `--${o} does not combine with --batch: put it on the lines`);
    }
  }
  if (ctx.offline) {
    throw new BarnError(
      "E_USAGE",
      "--batch submits to the service; it does not combine with --offline",
    );
  }
  let text: string;
  if (source === "-") text = await new Response(Deno.stdin.readable).text();
  else {
    const what = "--batch file (or use --batch=- and stdin)";
    const path = sandboxPath(source, what);
    if (isSecretPath(path)) {
      throw new BarnError(
        "E_SANDBOX",
        `--batch=${excerpt(source)} is one of barn's secrets, which barn reads for no one ` +
          "(see docs/security.md)",
      );
    }
    try {
      text = readText(path, what);
    } catch (e) {
      if (e instanceof BarnError) throw e;
      throw new BarnError(
        "E_NOT_FOUND",
        `--batch=${excerpt(source)}: cannot read it (${excerpt((e as Error).message)})`,
      );
    }
  }
  const { parseBatch } = await lazy<typeof import("../batch.ts")>(import.meta.url, "../batch.ts");
  const { allowedCommands } = await lazy<typeof import("../../config/config.ts")>(
    import.meta.url,
    "../../config/config.ts",
  );
  const specs = parseBatch(text, Deno.cwd(), allowedCommands(await ctx.config()));
  const { jobs } = await (await ctx.backend()).request({ kind: "submit", jobs: specs });
  await ctx.print({ view: "submitted", jobs });
  return 0;
}

export const run: Command = {
  name: "run",
  summary: "submit a job (ffmpeg, ffprobe or curl); prints its id",
  usage:
    "barn run [--tag=T] [--key=K] [--timeout=DUR] [--stall-timeout=DUR] [--verify] [--pending=LATCH] " +
    "[--after=ID[,ID…]] [--group=G] [--name=NAME] [--meta=JSON] [--notify=URL] [--offline] [--output=F] " +
    "[--] <cmd> [args…]",
  example: "barn run --tag=probe ffprobe -v error -show_format /tmp/barn/input/clip.mp4",
  options: { ...JOB_OPTIONS, verify: { type: "boolean" }, batch: { type: "string" } },
  stopAtPositional: true,
  async run(ctx) {
    const batch = ctx.str("batch");
    if (batch !== undefined) return await runBatch(ctx, batch);
    if (ctx.rest.length === 0 || ctx.rest[0] === "") {
      throw new BarnError(
        "E_USAGE",
        "missing command: e.g. `barn run ffprobe -i /tmp/barn/input/clip.mp4`",
      );
    }
    const spec = await applyJobOptions(ctx, { command: [...ctx.rest], cwd: Deno.cwd() });
    if (ctx.flag("verify")) applyVerify(spec);
    return await submitAndReport(ctx, spec);
  },
};
