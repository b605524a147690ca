/** retry: a new job with the original's command, tag, cwd and timeout; never held, no key. */

import type { RequestOf, ResponseData } from "../../protocol/messages.ts";
import type { HandlerContext } from "../context.ts";
import { BarnError } from "../../errors.ts";
import type { JobSpec } from "../../jobs/job.ts";
import { readSecret, secretPath } from "../../store/job_dir.ts";
import { handleSubmit } from "./submit.ts";

/** A stored curl command points at its job's secrets file; a retry gets its own copy. */
function ownSecrets(
  command: string[],
  jobDir: string,
): { command: string[]; secrets: NonNullable<JobSpec["secrets"]> | null } {
  const dav = readSecret(jobDir, "dav.json");
  if (command[0] === "barn" && dav !== null) {
    return { command, secrets: { dav_auth: JSON.parse(dav) } };
  }
  const path = secretPath(jobDir, "curl.conf");
  const i = command.indexOf("-K");
  if (command[0] !== "curl" || i < 0 || command[i + 1] !== path) return { command, secrets: null };
  const text = readSecret(jobDir, "curl.conf");
  if (text === null) {
    throw new BarnError(
      "E_STATE",
      `cannot retry: the credentials of the original job (${path}) are gone`,
    );
  }
  return {
    command: [...command.slice(0, i), ...command.slice(i + 2)],
    secrets: { curl_config: text },
  };
}

export function handleRetry(ctx: HandlerContext, req: RequestOf<"retry">): ResponseData["retry"] {
  const orig = ctx.store.resolve(req.id);
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
      retry_of: orig.job_id,
      secrets,
    }],
  });
  return { job: jobs[0]!.job };
}
