import { assertEquals } from "../../helpers/assert.ts";
import {
  expectedDuration,
  isFileOutput,
  parseFfmpegArgs,
  parseTime,
} from "../../../src/media/ffmpeg_args.ts";

Deno.test("ffmpeg time syntax", () => {
  assertEquals([
    parseTime("90"),
    parseTime("1.5"),
    parseTime("01:02:03.5"),
    parseTime("2:30"),
    parseTime("500ms"),
  ], [90, 1.5, 3723.5, 150, 0.5]);
  assertEquals(parseTime("soon"), null);
});

Deno.test("ffmpeg argv: inputs, outputs, and per-file trims", () => {
  const p = parseFfmpegArgs([
    "-y",
    "-ss",
    "2",
    "-i",
    "in.mp4",
    "-f",
    "lavfi",
    "-i",
    "sine",
    "-c:v",
    "libx264",
    "-t",
    "3",
    "-re",
    "out.mp4",
    "-f",
    "null",
    "-",
  ]);
  assertEquals(p.inputs.map((i) => [i.url, i.format, i.ss]), [["in.mp4", null, 2], [
    "sine",
    "lavfi",
    null,
  ]]);
  assertEquals(p.outputs.map((o) => [o.url, o.t, o.format]), [["out.mp4", 3, null], [
    "-",
    null,
    "null",
  ]]);
  assertEquals(p.outputs.map(isFileOutput), [true, false]);
  assertEquals(parseFfmpegArgs(["-i", "a", "-fs", "1000", "b.mp4"]).outputs[0]!.fs, true);
});

Deno.test("expected duration honours -ss/-t/-to on both sides", () => {
  const { inputs, outputs } = parseFfmpegArgs(["-ss", "2", "-i", "a", "-t", "3", "o"]);
  assertEquals(expectedDuration(inputs[0]!, 10, outputs[0]!), 3);
  const b = parseFfmpegArgs(["-i", "a", "-ss", "1", "-to", "4", "o"]);
  assertEquals(expectedDuration(b.inputs[0]!, 10, b.outputs[0]!), 3);
  const c = parseFfmpegArgs(["-i", "a", "o"]);
  assertEquals(expectedDuration(c.inputs[0]!, 10, c.outputs[0]!), 10);
});

Deno.test("ffmpeg file arguments: every word and every piece of a protocol or filter string", async () => {
  const { ffmpegFileArgs } = await import("../../../src/media/ffmpeg_args.ts");
  const got = ffmpegFileArgs([
    "-i",
    "in.mp4",
    "-i",
    "file:/a/b.mp4",
    "-filter_complex",
    "movie=/c.png[x];[0][x]overlay",
    "-f",
    "concat",
    "-i",
    "concat:/d|/e",
    "-",
    "out.mp4",
  ]);
  for (const p of ["in.mp4", "/a/b.mp4", "/c.png", "/d", "/e", "out.mp4"]) {
    assertEquals(got.includes(p), true, p);
  }
  assertEquals(got.some((w) => w.startsWith("-")), false);
});
