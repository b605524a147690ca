/** The submission options barn run and barn-fleet run share, read into a JobSpec's fields. */

import { BarnError } from "../errors.ts";
import { parseDuration } from "../config/duration.ts";
import type { JobSpec } from "./job.ts";

/** Option values by name: the CLI's and barn-fleet's contexts both read them so. */
export interface OptionValues {
  str(name: string): string | undefined;
}

/**
 * --tag, --key, the timeout (barn run's --timeout, barn-fleet's --job-timeout: `timeout` names
 * it), --stall-timeout and --pending.
 */
export function applySpecOptions(
  o: OptionValues,
  spec: Omit<JobSpec, "cwd">,
  timeout: "timeout" | "job-timeout",
): void {
  const tag = o.str("tag");
  if (tag !== undefined) spec.tag = tag;
  const key = o.str("key");
  if (key !== undefined) {
    if (key === "") throw new BarnError("E_USAGE", "--key must not be empty");
    spec.key = key;
  }
  const limit = o.str(timeout);
  if (limit !== undefined) {
    const s = parseDuration(limit, `--${timeout}`);
    if (s <= 0) {
      throw new BarnError("E_USAGE", `--${timeout} must be above zero, e.g. --${timeout}=30m`);
    }
    spec.timeout_seconds = s;
  }
  const stall = o.str("stall-timeout");
  if (stall !== undefined) spec.stall_timeout_seconds = parseDuration(stall, "--stall-timeout");
  const pending = o.str("pending");
  if (pending !== undefined) {
    if (pending === "") {
      throw new BarnError("E_USAGE", "--pending needs a latch name, e.g. --pending=nightly");
    }
    spec.latch = pending;
  }
}

/** --verify compares an ffmpeg job's output durations, so it takes ffmpeg jobs only. */
export function applyVerify(spec: Omit<JobSpec, "cwd">): void {
  if (spec.command[0] !== "ffmpeg") {
    throw new BarnError(
      "E_USAGE",
      "--verify checks ffmpeg outputs; it applies to ffmpeg jobs only",
    );
  }
  spec.verify = true;
}
