/**
 * retry: a new job with a finished job's command, tag, cwd, timeouts, group and meta; never held,
 * no key, no name, no dependencies (it runs now). An unfinished job is refused (E_STATE).
 */

import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";
import { BarnError } from "../../errors.ts";
import { isFinished, type JobSpec } from "../../jobs/job.ts";
import { readSecret, type SecretName, secretPath } from "../../store/job_dir.ts";
import { handleSubmit } from "./submit.ts";

/** A stored curl command points at its job's secrets files (`-K <file>`); a retry gets its own copies. */
function ownSecrets(
  command: string[],
  jobDir: string,
): { command: string[]; secrets: NonNullable<JobSpec["secrets"]> | null } {
  const dav = readSecret(jobDir, "dav.json");
  if (command[0] === "barn" && dav !== null) {
    return { command, secrets: { dav_auth: JSON.parse(dav) } };
  }
  if (command[0] !== "curl") return { command, secrets: null };
  const dir = secretPath(jobDir, "curl.conf").slice(0, -"curl.conf".length);
  const out: string[] = [];
  const configs: { at: number; text: string }[] = [];
  for (let i = 0; i < command.length; i++) {
    const name = command[i + 1]?.startsWith(dir) ? command[i + 1]!.slice(dir.length) : "";
    if (command[i] !== "-K" || !/^curl(-\d+)?\.conf$/.test(name)) {
      out.push(command[i]!);
      continue;
    }
    const text = readSecret(jobDir, name as SecretName);
    if (text === null) {
      throw new BarnError(
        "E_STATE",
        `cannot retry: the credentials of the original job (${command[i + 1]}) are gone`,
      );
    }
    configs.push({ at: out.length, text });
    i++;
  }
  return { command: out, secrets: configs.length ? { curl_configs: configs } : null };
}

export function handleRetry(ctx: HandlerContext, req: RequestOf<"retry">): ResponseData["retry"] {
  const orig = ctx.store.resolve(req.id);
  if (!isFinished(orig.state)) {
    // A copy of a job that may still run would run it twice (two writers of one output).
    throw new BarnError(
      "E_STATE",
      `job ${orig.job_id} is ${orig.state}, and a retry of it would run the command twice: ` +
        `wait for it (\`barn wait ${orig.job_id}\`) or cancel it first (\`barn kill ${orig.job_id}\`)`,
    );
  }
  const { command, secrets } = ownSecrets(orig.command, orig.job_dir);
  const { jobs } = handleSubmit(ctx, {
    kind: "submit",
    jobs: [{
      command,
      cwd: orig.cwd,
      tag: orig.tag,
      timeout_seconds: orig.timeout_seconds,
      stall_timeout_seconds: orig.stall_timeout_seconds,
      verify: orig.verify,
      // Its group, while config still has it; else the group of its command.
      group: Object.hasOwn(ctx.config().groups, orig.group) ? orig.group : null,
      meta: orig.meta,
      retry_of: orig.job_id,
      notify_urls: orig.notify_urls,
      secrets,
    }],
  });
  return { job: jobs[0]!.job };
}
