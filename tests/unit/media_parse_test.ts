import { assertEquals } from "../helpers/assert.ts";
import {
  expectedDuration,
  isFileOutput,
  parseFfmpegArgs,
  parseTime,
} from "../../src/media/ffmpeg_args.ts";
import { CurlMeterParser, FfmpegProgressParser, parseCurlSize } from "../../src/media/progress.ts";
import { splitCurlSecrets, stripUserinfo } from "../../src/media/curl_secrets.ts";

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

Deno.test("ffmpeg progress: numbers, N/A while warming up, percent and ETA", () => {
  const parser = new FfmpegProgressParser(10);
  const warm = parser.push(
    "frame=0\nfps=0.00\ntotal_size=N/A\nout_time_us=N/A\nspeed=N/A\nprogress=continue\n",
  );
  assertEquals(warm, [{ frame: 0, fps: 0, duration_seconds: 10 }]);
  const blocks = parser.push("frame=50\nfps=25.0\ntotal_size=4096\nout_time_us=2000000\nspe");
  assertEquals(blocks, []);
  const [p] = parser.push("ed=2.00x\nprogress=continue\n");
  assertEquals(p, {
    out_time_seconds: 2,
    speed: 2,
    fps: 25,
    frame: 50,
    total_size: 4096,
    duration_seconds: 10,
    percent: 20,
    eta_seconds: 4,
  });
  // audio-only: no frame or fps lines at all
  const [a] = new FfmpegProgressParser(4).push(
    "total_size=1000\nout_time_us=1000000\nspeed=1.0x\nprogress=end\n",
  );
  assertEquals([a!.percent, a!.eta_seconds, a!.frame], [25, 3, undefined]);
});

Deno.test("curl meter lines, split by carriage returns", () => {
  const m = new CurlMeterParser();
  const head = "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n" +
    "                                 Dload  Upload   Total   Spent    Left  Speed\n";
  const ps = m.push(
    head +
      "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\r 45  100M   45 45.2M    0     0  89.1M      0  0:00:01 --:--:--  0:00:01 89.1M\r",
  );
  assertEquals(ps.length, 2);
  assertEquals(ps[1], {
    bytes_done: parseCurlSize("45.2M")!,
    bytes_total: 100 * 1024 * 1024,
    percent: 45,
    rate_bps: parseCurlSize("89.1M")!,
    eta_seconds: 1,
  });
  const unknown = m.push(
    "100 15.0M    0 15.0M    0     0  19.9M      0 --:--:-- --:--:-- --:--:-- 19.9M\r",
  )[0]!;
  assertEquals([unknown.bytes_done, unknown.bytes_total, unknown.percent], [
    15 * 1024 * 1024,
    undefined,
    undefined,
  ]);
  const up = m.push(
    " 50 2048k    0     0   50 1024k      0  512k  0:00:04  0:00:02  0:00:02  512k\n",
  )[0]!;
  assertEquals([up.bytes_done, up.percent], [1024 * 1024, 50]);
});

Deno.test("curl credentials move into a config file; the argv keeps none", () => {
  const s = splitCurlSecrets([
    "curl",
    "-u",
    'user:pa ss"word',
    "-o",
    "/tmp/barn/input/v.mp4",
    "-H",
    "Authorization: Bearer tok",
    "-H",
    "Accept: */*",
    "https://alice:s3cr%40t@example.com/dav/f.mp4",
  ]);
  assertEquals(s.command, [
    "curl",
    "-o",
    "/tmp/barn/input/v.mp4",
    "-H",
    "Accept: */*",
    "https://example.com/dav/f.mp4",
  ]);
  assertEquals(
    s.config,
    'user = "user:pa ss\\"word"\nheader = "Authorization: Bearer tok"\nuser = "alice:s3cr@t"\n',
  );
  assertEquals(splitCurlSecrets(["curl", "-uuser:pw", "http://h/"]).command, ["curl", "http://h/"]);
  assertEquals(splitCurlSecrets(["curl", "-s", "http://h/"]).config, "");
  assertEquals(stripUserinfo("http://h/a@b"), { url: "http://h/a@b", userinfo: null });
});
