/** Row 6: one ffmpeg transcode through barn against the same transcode run directly. */

import { barnCmd, tempHome, withService } from "../lib/barn.ts";
import type { Bench } from "../lib/report.ts";
import { sh } from "../lib/sh.ts";
import { type Stat, stat } from "../lib/stats.ts";
import { timeIt } from "../lib/timing.ts";

export async function media({ p, smoke, report }: Bench): Promise<void> {
  const home = tempHome("media");
  const clip = `${home}/input.mp4`;
  const s = p.mediaSeconds;
  // The transcode must be long enough that fixed costs are measured fairly (≥ 20 s in full runs).
  const size = smoke ? "320x240" : "1920x1080";
  const src = [`testsrc2=size=${size}:rate=25:duration=${s}`, `sine=duration=${s}`];
  await sh([
    "ffmpeg",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    src[0]!,
    "-f",
    "lavfi",
    "-i",
    src[1]!,
    "-shortest",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-c:a",
    "aac",
    clip,
  ]);
  const preset = smoke ? "ultrafast" : "medium";
  const transcode = (
    out: string,
  ) => ["-y", "-i", clip, "-c:v", "libx264", "-preset", preset, "-c:a", "aac", out];
  const r: Record<string, Stat> = {};
  await withService(home, { max_parallel: 2 }, async () => {
    // Direct and through-barn runs alternate, so a drift in the machine's speed over these
    // minutes (a shared VM) lands on both sides alike.
    const times: Record<"direct" | "through_barn", number[]> = { direct: [], through_barn: [] };
    const ops = {
      direct: async () => {
        await sh(["ffmpeg", "-v", "error", ...transcode(`${home}/direct.mp4`)]);
      },
      through_barn: async () => {
        const id =
          (await barnCmd(home, "run", "ffmpeg", "-v", "error", ...transcode(`${home}/barn.mp4`)))
            .out.trim();
        await barnCmd(home, "wait", id, "--timeout=3600s");
      },
    };
    for (let rep = 0; rep < p.reps; rep++) {
      for (const name of ["direct", "through_barn"] as const) {
        const t0 = performance.now();
        await ops[name]();
        times[name].push((performance.now() - t0) / 1000);
      }
    }
    r.direct = stat(times.direct);
    r.through_barn = stat(times.through_barn);
    r.fixed_probe = await timeIt(Math.max(p.reps, 3), async () => {
      await sh(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", clip]);
    }, 1);
  });
  report.results.media = { seconds_of_input: s, ...r };
  if (!smoke && r.direct!.median < 20) {
    report.note(
      `media: the direct transcode took only ${r.direct!.median.toFixed(1)}s (< 20 s)`,
    );
  }
  report.ratio(
    "media_through_barn_over_direct",
    r.through_barn!.median / r.direct!.median,
    "<= 1.02",
    (v) => v <= 1.02,
  );
}
