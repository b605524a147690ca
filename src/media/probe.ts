/** ffprobe as barn's measuring tape: input durations before a transcode, outputs after it. */

import { runTool } from "../platform/process.ts";
import { parseJson } from "../json.ts";

/** The pre-probe must never hold up a job or its watchdog (an HTTP input can hang forever). */
export const PROBE_TIMEOUT_MS = 5000;

export interface ProbeResult {
  duration: number | null;
  size: number | null;
  error: string | null;
}

/** ffprobe's view of a file or URL: its duration and size, or why it could not say. */
export async function probe(
  url: string,
  opts: { format?: string | null; cwd: string; timeoutMs?: number; protocols: readonly string[] },
): Promise<ProbeResult> {
  const args = ["-v", "error", "-show_entries", "format=duration,size", "-of", "json"];
  // The same protocols as the job itself: the probe reads what the job names.
  args.push("-protocol_whitelist", opts.protocols.join(","));
  if (opts.format) args.push("-f", opts.format);
  args.push("-i", url);
  const r = await runTool("ffprobe", args, {
    timeoutMs: opts.timeoutMs ?? PROBE_TIMEOUT_MS,
    cwd: opts.cwd,
  });
  if (r.error) return { duration: null, size: null, error: `ffprobe could not run: ${r.error}` };
  if (r.timedOut) {
    return {
      duration: null,
      size: null,
      error: `ffprobe timed out after ${(opts.timeoutMs ?? PROBE_TIMEOUT_MS) / 1000}s`,
    };
  }
  if (r.code !== 0) {
    return {
      duration: null,
      size: null,
      error: r.stderr.trim().split("\n").pop() || `ffprobe exited ${r.code}`,
    };
  }
  try {
    const f = (parseJson(r.stdout) as { format?: Record<string, unknown> }).format ?? {};
    const d = Number(f.duration);
    const s = Number(f.size);
    return {
      duration: Number.isFinite(d) ? d : null,
      size: Number.isFinite(s) ? s : null,
      error: null,
    };
  } catch {
    return { duration: null, size: null, error: "ffprobe printed no JSON" };
  }
}
