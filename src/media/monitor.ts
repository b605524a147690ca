/**
 * Watches one media job while it runs: ffmpeg progress over a private socket (with the
 * input's duration from ffprobe, for percent and ETA), curl's progress meter, the stall
 * watchdog's clock, and the output checks after ffmpeg exits 0.
 */

import { excerpt } from "../escape.ts";
import { isAbsolute, join } from "../platform/path.ts";
import { BarnError } from "../errors.ts";
import type { Config } from "../config/config.ts";
import type { Job, Progress } from "../jobs/job.ts";
import type { OutcomeCode } from "../jobs/exit_codes.ts";
import { insideSandbox } from "../platform/home_layout.ts";
import { sandboxPath } from "../platform/sandbox_path.ts";
import { CurlMeterParser, FfmpegProgressParser } from "./progress.ts";
import {
  expectedDuration,
  type FfmpegInput,
  type FfmpegOutput,
  isFileOutput,
  isProbeableInput,
  parseFfmpegArgs,
} from "./ffmpeg_args.ts";
import { probe } from "./probe.ts";
import { curlRunArgv } from "./curl_policy.ts";
import { ffmpegRunArgs } from "./ffmpeg_policy.ts";
import { selfCommand } from "../platform/self.ts";
import { tailLines } from "../platform/files.ts";
import { jobFile } from "../store/job_dir.ts";

/** Only a socket is ever removed where the progress socket goes; anything else stops the start. */
function removeStaleProgressSocket(path: string): void {
  let st: Deno.FileInfo;
  try {
    st = Deno.lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket) {
    throw new BarnError(
      "E_START_FAILED",
      `${path} is in the way of the job's progress socket and is not a socket; it was left alone`,
    );
  }
  Deno.removeSync(path);
}

/** A failed transfer ends its stderr with barn's own `barn: error: … [E_CODE]` line. */
export function transferVerdict(stderrPath: string): Verdict | null {
  for (const line of tailLines(stderrPath, 5, 64 * 1024).reverse()) {
    const m = /^barn: error: (.*) \[(E_[A-Z0-9_]+)\]$/.exec(line);
    if (m) return { code: m[2] as OutcomeCode, error: m[1]! };
  }
  return null;
}

export interface Verdict {
  code: OutcomeCode;
  error: string;
}

/** How far a verified output's duration may stray from the expected one. */
export function verifyTolerance(expected: number): number {
  return Math.max(0.5, expected * 0.05);
}

export class MediaMonitor {
  readonly argv: string[];
  /** Seconds without progress before the job counts as stalled; 0 = no watchdog. */
  readonly stallSeconds: number;
  #lastAdvance = Date.now();
  #lastOutTime = -1;
  #lastSize = -1;
  #lastBytes = -1;
  #latest: Progress | null = null;
  #listener: Deno.Listener | null = null;
  #ffmpeg: FfmpegProgressParser | null = null;
  #curl: CurlMeterParser | null = null;
  #inputDuration: Promise<number | null> = Promise.resolve(null);
  #parsed: { inputs: FfmpegInput[]; outputs: FfmpegOutput[] } | null = null;
  #decoder = new TextDecoder();
  #transfer = false;
  #stdoutBuf = "";
  #protocols: readonly string[];

  private constructor(
    readonly job: Job,
    config: Config,
    private onProgress: (p: Progress) => void,
  ) {
    const [cmd, ...args] = job.command;
    const explicit = job.stall_timeout_seconds;
    this.#protocols = config.ffmpeg_protocols;
    if (cmd === "ffmpeg") {
      this.#parsed = parseFfmpegArgs(args);
      this.#ffmpeg = new FfmpegProgressParser(null);
      this.stallSeconds = explicit ?? config.stall_timeout_seconds;
      const sock = jobFile(job.job_dir, "progress");
      // Progress goes to barn's own socket, so the user's stdout and stderr stay theirs.
      this.argv = [
        cmd,
        "-nostdin",
        "-nostats",
        "-stats_period",
        "0.5",
        "-progress",
        `unix:${sock}`,
        ...ffmpegRunArgs(cmd, args, config.ffmpeg_protocols),
      ];
    } else if (cmd === "barn") {
      // get/put run as `barn transfer`, a child like any job, so kills and crashes work the same.
      this.#transfer = true;
      this.stallSeconds = explicit ?? config.stall_timeout_seconds;
      const self = selfCommand(["transfer", ...args, `--job-dir=${job.job_dir}`]);
      this.argv = [self.cmd, ...self.args];
    } else if (cmd === "curl") {
      this.#curl = new CurlMeterParser();
      this.stallSeconds = explicit ?? 0;
      this.argv = curlRunArgv(job.command, config.curl_protocols);
    } else if (cmd === "ffprobe") {
      this.stallSeconds = explicit ?? 0;
      this.argv = [cmd, ...ffmpegRunArgs(cmd, args, config.ffmpeg_protocols)];
    } else {
      this.stallSeconds = explicit ?? 0;
      this.argv = [...job.command];
    }
  }

  /** Sets up the job's progress channel before it is spawned. */
  static start(job: Job, config: Config, onProgress: (p: Progress) => void): MediaMonitor {
    const m = new MediaMonitor(job, config, onProgress);
    if (m.#ffmpeg) {
      const sock = jobFile(job.job_dir, "progress");
      removeStaleProgressSocket(sock);
      m.#listener = Deno.listen({ transport: "unix", path: sock });
      m.#accept();
      m.#inputDuration = m.#probeInput();
      m.#inputDuration.then((d) => m.#ffmpeg?.setDuration(d));
    }
    return m;
  }

  async #probeInput(): Promise<number | null> {
    const input = this.#parsed?.inputs.find(isProbeableInput);
    if (!input) return null;
    const r = await probe(input.url, {
      format: input.format,
      cwd: this.job.cwd,
      protocols: this.#protocols,
    });
    return r.duration;
  }

  async #accept(): Promise<void> {
    const l = this.#listener!;
    try {
      for await (const conn of l) {
        (async () => {
          try {
            for await (const chunk of conn.readable) {
              this.#feedFfmpeg(this.#decoder.decode(chunk, { stream: true }));
            }
          } catch { /* ffmpeg went away */ }
        })();
      }
    } catch { /* closed */ }
  }

  #feedFfmpeg(text: string): void {
    for (const p of this.#ffmpeg!.push(text)) {
      const t = p.out_time_seconds ?? -1;
      const s = p.total_size ?? -1;
      if (t > this.#lastOutTime || s > this.#lastSize) this.#lastAdvance = Date.now();
      this.#lastOutTime = Math.max(this.#lastOutTime, t);
      this.#lastSize = Math.max(this.#lastSize, s);
      this.#emit(p);
    }
  }

  /** barn's transfers report `barn-progress {json}` lines on stdout. */
  observeStdout(chunk: Uint8Array): void {
    if (!this.#transfer) return;
    this.#stdoutBuf += new TextDecoder().decode(chunk);
    const lines = this.#stdoutBuf.split("\n");
    this.#stdoutBuf = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("barn-progress ")) continue;
      try {
        const p = JSON.parse(line.slice(14)) as Progress;
        if ((p.bytes_done ?? -1) > this.#lastBytes) this.#lastAdvance = Date.now();
        this.#lastBytes = Math.max(this.#lastBytes, p.bytes_done ?? -1);
        this.#emit(p);
      } catch { /* not ours */ }
    }
  }

  /** curl writes its meter to stderr. */
  observeStderr(chunk: Uint8Array): void {
    if (!this.#curl) return;
    for (const p of this.#curl.push(new TextDecoder().decode(chunk))) {
      if ((p.bytes_done ?? -1) > this.#lastBytes) this.#lastAdvance = Date.now();
      this.#lastBytes = Math.max(this.#lastBytes, p.bytes_done ?? -1);
      this.#emit(p);
    }
  }

  #emit(p: Progress): void {
    p.updated_at = new Date().toISOString();
    this.#latest = p;
    this.onProgress(p);
  }

  get latest(): Progress | null {
    return this.#latest;
  }

  /** Seconds since the job last made progress (out_time or size for ffmpeg, bytes for curl). */
  stalledFor(now = Date.now()): number {
    return (now - this.#lastAdvance) / 1000;
  }

  close(): void {
    // Only an ffmpeg job has a progress socket (a failed remove per other job costs an exception).
    if (!this.#listener) return;
    try {
      this.#listener.close();
    } catch { /* closed */ }
    try {
      Deno.removeSync(jobFile(this.job.job_dir, "progress"));
    } catch { /* gone */ }
  }

  /** barn's verdict once the process has ended, or null to let its exit code speak. */
  async afterExit(code: number | null, signaled: boolean): Promise<Verdict | null> {
    if (this.#transfer && code !== 0 && !signaled) return transferVerdict(this.job.stderr_path);
    if (code === 0 && !signaled) return await this.checkOutputs();
    return null;
  }

  /** After ffmpeg exits 0: each file output must exist with bytes, and match with --verify. */
  async checkOutputs(): Promise<Verdict | null> {
    if (!this.#parsed) return null;
    const outputs = this.#parsed.outputs.filter(isFileOutput);
    for (const o of outputs) {
      const path = isAbsolute(o.url) ? o.url : join(this.job.cwd, o.url.replace(/^file:/, ""));
      const local = insideSandbox(path) ? whereInside(path) : null;
      if (local !== null) {
        let size = 0;
        try {
          size = Deno.statSync(local).size;
        } catch { /* missing */ }
        if (size === 0) {
          return {
            code: "E_NO_OUTPUT",
            error: `ffmpeg exited 0 but its output ${excerpt(path)} does not exist or is empty`,
          };
        }
      }
      // Outside the sandbox (or through a link out of it) barn can't stat; ffprobe checks instead.
      const needProbe = this.job.verify || local === null;
      if (!needProbe) continue;
      const r = await probe(path, {
        cwd: this.job.cwd,
        timeoutMs: 30_000,
        protocols: this.#protocols,
      });
      if (r.error !== null || (r.size !== null && r.size === 0)) {
        return {
          code: "E_NO_OUTPUT",
          error: `ffmpeg exited 0 but ffprobe cannot read its output ${excerpt(path)}: ${
            r.error ?? "empty"
          }`,
        };
      }
      if (!this.job.verify) continue;
      const input = this.#parsed.inputs.find(isProbeableInput);
      const inDur = await this.#inputDuration;
      if (!input || inDur === null) {
        return {
          code: "E_VERIFY",
          error: `cannot verify ${
            excerpt(path)
          }: the input's duration is unknown (ffprobe could not read it)`,
        };
      }
      const want = expectedDuration(input, inDur, o);
      if (r.duration === null || Math.abs(r.duration - want) > verifyTolerance(want)) {
        return {
          code: "E_VERIFY",
          error:
            `output ${excerpt(path)} lasts ${r.duration?.toFixed(2) ?? "unknown"}s, expected ${
              want.toFixed(2)
            }s ` +
            `(±${verifyTolerance(want).toFixed(2)}s) from the input and its -ss/-t/-to`,
        };
      }
    }
    return null;
  }
}

/** Where an output inside the sandbox really is, or null when a link leads it out. */
function whereInside(path: string): string | null {
  try {
    return sandboxPath(path, "ffmpeg output");
  } catch (e) {
    if (e instanceof BarnError && e.code === "E_SANDBOX") return null;
    throw e;
  }
}
