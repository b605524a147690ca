/** The proxy presets a JobSpec may name, and the ffmpeg arguments each one means (pure). */

interface Preset {
  ext: "mp4" | "mov";
  video: readonly string[];
  height: number;
  audio: readonly string[];
}

/** H.264 in MP4 with AAC: the presets differ in height, quality (CRF) and audio bitrate. */
function h264(height: number, crf: number, audioKbps: number): Preset {
  return {
    ext: "mp4",
    video: ["-c:v", "libx264", "-preset", "veryfast", "-crf", `${crf}`, "-pix_fmt", "yuv420p"],
    height,
    audio: ["-c:a", "aac", "-b:a", `${audioKbps}k`],
  };
}

/** ProRes in MOV with PCM audio; profile 0 is Proxy, 1 is LT. */
function prores(profile: 0 | 1, height: number): Preset {
  return {
    ext: "mov",
    video: ["-c:v", "prores_ks", "-profile:v", `${profile}`, "-pix_fmt", "yuv422p10le"],
    height,
    audio: ["-c:a", "pcm_s16le"],
  };
}

export const PRESETS = {
  h264_360p: h264(360, 23, 128),
  h264_540p: h264(540, 23, 128),
  h264_720p: h264(720, 22, 160),
  h264_1080p: h264(1080, 21, 192),
  prores_proxy_540p: prores(0, 540),
  prores_proxy_1080p: prores(0, 1080),
  prores_lt_1080p: prores(1, 1080),
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** The full ffmpeg argv for one clip: never overwrites (-n), scales to the preset's height. */
export function ffmpegArgv(source: string, output: string, preset: PresetName): string[] {
  const p = PRESETS[preset];
  return [
    "ffmpeg",
    "-hide_banner",
    "-n",
    "-i",
    source,
    "-map",
    "0:v:0",
    "-map",
    "0:a?",
    "-vf",
    `scale=-2:${p.height}`,
    ...p.video,
    ...p.audio,
    output,
  ];
}
