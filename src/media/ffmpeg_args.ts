/** Reading an ffmpeg argv (pure): its inputs, outputs and the trims that set the expected duration. */

/** ffmpeg options that take no value; every other option takes exactly one. */
const FLAGS = new Set([
  "-y",
  "-n",
  "-nostdin",
  "-stdin",
  "-hide_banner",
  "-re",
  "-shortest",
  "-vn",
  "-an",
  "-sn",
  "-dn",
  "-stats",
  "-nostats",
  "-benchmark",
  "-benchmark_all",
  "-copyts",
  "-start_at_zero",
  "-xerror",
  "-ignore_unknown",
  "-copy_unknown",
  "-report",
  "-debug_ts",
  "-accurate_seek",
  "-noaccurate_seek",
  "-autorotate",
  "-noautorotate",
  "-autoscale",
  "-noautoscale",
  "-bitexact",
  "-dump",
  "-hex",
  "-apad",
  "-reinit_filter",
  "-fix_sub_duration",
  "-deinterlace",
  "-intra",
  "-psnr",
  "-vstats",
  "-qphist",
  "-ignore_chapters",
  "-nobuffer",
  "-print_graphs",
]);

/** Where a file stands in the argv: its `-i` (inputs) or its name (outputs), and its options. */
export interface FfmpegPlace {
  /** Index of the `-i` word of an input, or of an output's name. */
  at: number;
  /** Index of each of the file's own options (its value follows it). */
  options: Record<string, number>;
}

export interface FfmpegInput extends FfmpegPlace {
  url: string;
  format: string | null;
  ss: number | null;
  t: number | null;
  to: number | null;
}

export interface FfmpegOutput extends FfmpegPlace {
  url: string;
  format: string | null;
  ss: number | null;
  t: number | null;
  to: number | null;
  /** -fs: ffmpeg stops (and exits 0) when the output reaches this size. */
  fs: boolean;
}

/** ffmpeg time syntax: `90`, `1.5`, `01:02:03.5`, `2:30`, or with a unit (`500ms`, `2s`, `1500000us`). */
export function parseTime(text: string): number | null {
  const t = text.trim();
  let m = /^(-)?(\d+(?:\.\d+)?)(ms|us|s)?$/.exec(t);
  if (m) {
    const n = Number(m[2]) * (m[3] === "ms" ? 1e-3 : m[3] === "us" ? 1e-6 : 1);
    return m[1] ? -n : n;
  }
  m = /^(-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(t);
  if (m) {
    const n = Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
    return m[1] ? -n : n;
  }
  return null;
}

/** Splits an ffmpeg argv (without argv[0]) into inputs and outputs with their per-file options. */
export function parseFfmpegArgs(
  args: readonly string[],
): { inputs: FfmpegInput[]; outputs: FfmpegOutput[] } {
  const inputs: FfmpegInput[] = [];
  const outputs: FfmpegOutput[] = [];
  let pending: Record<string, string> = {};
  let options: Record<string, number> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-i") {
      const at = i;
      const url = args[++i] ?? "";
      inputs.push({
        at,
        options,
        url,
        format: pending["-f"] ?? null,
        ss: time(pending["-ss"]),
        t: time(pending["-t"]),
        to: time(pending["-to"]),
      });
      pending = {};
      options = {};
    } else if (a.startsWith("-") && a !== "-" && !/^-\d/.test(a)) {
      if (FLAGS.has(a)) continue;
      options[a] = i;
      pending[a] = args[++i] ?? "";
    } else {
      outputs.push({
        at: i,
        options,
        url: a,
        format: pending["-f"] ?? null,
        ss: time(pending["-ss"]),
        t: time(pending["-t"]),
        to: time(pending["-to"]),
        fs: "-fs" in pending,
      });
      pending = {};
      options = {};
    }
  }
  return { inputs, outputs };
}

function time(v: string | undefined): number | null {
  return v === undefined ? null : parseTime(v);
}

/** The duration an output should have, from its input's duration and the trims on both sides. */
export function expectedDuration(
  input: FfmpegInput,
  inputDuration: number,
  output: FfmpegOutput,
): number {
  let d = inputDuration;
  const inStart = input.ss ?? 0;
  d -= inStart;
  if (input.t !== null) d = Math.min(d, input.t);
  if (input.to !== null) d = Math.min(d, input.to - inStart);
  const outStart = output.ss ?? 0;
  d -= outStart;
  if (output.to !== null) d = Math.min(d, output.to - outStart);
  if (output.t !== null) d = Math.min(d, output.t);
  return Math.max(0, d);
}

/** Whether an output names a regular file barn (or ffprobe) can check afterwards. */
export function isFileOutput(o: FfmpegOutput): boolean {
  if (o.format === "null" || o.url === "-" || o.url === "/dev/null") return false;
  if (/^[a-z][a-z0-9+.-]*:/i.test(o.url) && !o.url.startsWith("file:")) return false; // pipe:, tcp://, …
  if (/%\d*d/.test(o.url) || o.format === "segment" || o.format === "hls" || o.format === "tee") {
    return false; // many files
  }
  return true;
}

/** Inputs ffprobe can time: files and URLs, not pipes or devices. */
export function isProbeableInput(i: FfmpegInput): boolean {
  return i.url !== "-" && !i.url.startsWith("pipe:") && !i.url.startsWith("fd:");
}

/**
 * Every piece of an ffmpeg or ffprobe argv (without argv[0]) that could name a local file:
 * inputs, outputs and option values alike, and the parts of protocol and filter strings
 * (`file:x`, `concat:a|b`, `movie=x`). Over-approximated on purpose: a piece that names no file
 * costs the secret-input check one failed lookup.
 */
export function ffmpegFileArgs(args: readonly string[]): string[] {
  const out = new Set<string>();
  for (const word of args) {
    if (word.startsWith("-")) continue;
    out.add(word);
    for (const piece of word.split(/[|=;,:'"\s\\[\]]+/)) if (piece !== "") out.add(piece);
  }
  return [...out];
}
