/** submit: validate every job, then store them all in one transaction (or none). */

import { isAbsolute } from "../../platform/path.ts";
import { BarnError } from "../../errors.ts";
import { excerpt } from "../../escape.ts";
import { checkAllowed } from "../../jobs/policy.ts";
import { allowedCommands } from "../../config/config.ts";
import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";
import { admitMediaJob } from "../../media/admit.ts";
import { refuseSecretInputs } from "../../media/secret_inputs.ts";
import { checkName } from "../../jobs/ids.ts";
import { groupOf } from "../../jobs/groups.ts";
import { checkMeta } from "../../jobs/meta.ts";
import type { Config } from "../../config/config.ts";
import { isFinished, type JobSpec } from "../../jobs/job.ts";

/** Checks name, group and meta, and gives the job its group (by its command, unless named). */
function placeInQueue(spec: JobSpec, config: Config): void {
  if (spec.name !== undefined && spec.name !== null) checkName(spec.name);
  if (spec.meta !== undefined && spec.meta !== null) checkMeta(spec.meta);
  if (spec.group === undefined || spec.group === null) {
    spec.group = groupOf(spec.command, config.group_of);
    return;
  }
  if (!Object.hasOwn(config.groups, spec.group)) {
    throw new BarnError(
      "E_USAGE",
      `there is no group '${excerpt(spec.group)}' (groups: ${
        Object.keys(config.groups).join(", ")
      }); add it to config.json's "groups" and run \`barn service reload\``,
    );
  }
}

import { checkNotifyUrls } from "../../notify/notify_url.ts";

/** Runs a check, naming the job of a batch it failed on. */
function withPlace(where: string, check: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof BarnError) throw new BarnError(e.code, where + e.message);
    throw e;
  }
}

export function handleSubmit(
  ctx: HandlerContext,
  req: RequestOf<"submit">,
): ResponseData["submit"] {
  if (req.jobs.length === 0) throw new BarnError("E_USAGE", "nothing to submit: give a command");
  const seen = new Map<string, string | null>();
  req.jobs.forEach((spec, i) => {
    const where = req.jobs.length > 1 ? `job ${i + 1}: ` : "";
    if (spec.command.length === 0 || spec.command[0] === "") {
      throw new BarnError(
        "E_USAGE",
        `${where}missing command: e.g. \`barn run ffprobe -i clip.mp4\``,
      );
    }
    withPlace(where, () => checkAllowed(spec.command, allowedCommands(ctx.config())));
    if (!isAbsolute(spec.cwd)) {
      throw new BarnError(
        "E_USAGE",
        `${where}working directory '${excerpt(spec.cwd)}' must be an absolute path`,
      );
    }
    withPlace(where, () => {
      // A secret named as a file is the sandbox's refusal, whatever else is wrong with the argv.
      refuseSecretInputs(spec.command, spec.cwd, seen);
      // Credentials never reach the DB, the record or `ps`: curl reads them from 0600 files.
      admitMediaJob(spec, ctx.config());
      placeInQueue(spec, ctx.config());
      // The job's own webhooks, then config's: fixed at submission, so every end knows them.
      const own = checkNotifyUrls(spec.notify_urls ?? [], "--notify");
      const all = ctx.config().notify_url;
      spec.notify_urls = [...new Set(all === null ? own : [...own, all])];
    });
  });
  const jobs = ctx.store.insert(req.jobs);
  ctx.jobs.dispatch();
  // Only a job after one that already failed ends at once (canceled, E_DEPENDENCY).
  const ended = jobs.filter((r) => !r.duplicate && isFinished(r.job.state)).map((r) =>
    r.job.job_id
  );
  ctx.changes.notify({ ends: ended.length > 0, ended });
  return { jobs };
}
