/**
 * What barn checks and changes in a media job at submission (pure): curl's credentials move
 * into config files, and curl's and ffmpeg's arguments must keep within the protocol policy and
 * carry no credentials barn can't move.
 */

import { BarnError } from "../errors.ts";
import type { Config } from "../config/config.ts";
import type { JobSpec } from "../jobs/job.ts";
import { splitCurlSecrets } from "./curl_secrets.ts";
import { checkCurlProtocols } from "./curl_policy.ts";
import { checkFfmpegArgs } from "./ffmpeg_policy.ts";

/** Checks `spec` and moves its curl credentials into `spec.secrets`; throws E_USAGE. */
export function admitMediaJob(spec: JobSpec, config: Config): void {
  const tool = spec.command[0];
  if (tool === "ffmpeg" || tool === "ffprobe") {
    checkFfmpegArgs(spec.command, config.ffmpeg_protocols);
    return;
  }
  if (tool !== "curl") return;
  const split = splitCurlSecrets(spec.command);
  if (split.configs.length > 0) {
    // A retry brings its own config files, and its command is already free of credentials.
    if (spec.secrets?.curl_configs?.length) {
      throw new BarnError(
        "E_USAGE",
        "this job carries curl config files already, so its command must hold no credentials",
      );
    }
    spec.command = split.command;
    spec.secrets = { ...spec.secrets, curl_configs: split.configs };
  }
  checkCurlProtocols(spec.command, config.curl_protocols);
}
