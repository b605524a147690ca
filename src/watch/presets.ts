/** The proxy presets a JobSpec may name, and the ffmpeg arguments each one means (pure). */

export const PRESETS = {
  h264_360p: {
    ext: "mp4",
    video: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"],
    height: 360,
    audio: ["-c:a", "aac", "-b:a", "128k"],
  },
  h264_540p: {
    ext: "mp4",
    video: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"],
    height: 540,
    audio: ["-c:a", "aac", "-b:a", "128k"],
  },
  h264_720p: {
    ext: "mp4",
    video: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "22", "-pix_fmt", "yuv420p"],
    height: 720,
    audio: ["-c:a", "aac", "-b:a", "160k"],
  },
  h264_1080p: {
    ext: "mp4",
    video: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p"],
    height: 1080,
    audio: ["-c:a", "aac", "-b:a", "192k"],
  },
  prores_proxy_540p: {
    ext: "mov",
    video: ["-c:v", "prores_ks", "-profile:v", "0", "-pix_fmt", "yuv422p10le"],
    height: 540,
    audio: ["-c:a", "pcm_s16le"],
  },
  prores_proxy_1080p: {
    ext: "mov",
    video: ["-c:v", "prores_ks", "-profile:v", "0", "-pix_fmt", "yuv422p10le"],
    height: 1080,
    audio: ["-c:a", "pcm_s16le"],
  },
  prores_lt_1080p: {
    ext: "mov",
    video: ["-c:v", "prores_ks", "-profile:v", "1", "-pix_fmt", "yuv422p10le"],
    height: 1080,
    audio: ["-c:a", "pcm_s16le"],
  },
} as const;

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
