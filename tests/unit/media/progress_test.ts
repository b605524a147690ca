import { assertEquals } from "../../helpers/assert.ts";
import {
  CurlMeterParser,
  FfmpegProgressParser,
  parseCurlSize,
} from "../../../src/media/progress.ts";

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

Deno.test("curl meter: each update counts as it arrives, though curl ends it only with the next one's \\r", () => {
  // The chunks curl 7.88 writes to a pipe (captured): the \r comes before each update.
  const m = new CurlMeterParser();
  const head = " % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n" +
    "                                 Dload  Upload   Total   Spent    Left  Speed\n" +
    "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0";
  assertEquals(m.push(head).map((p) => p.bytes_done), [0]);
  const at500ms = m.push(
    "\r 17 57.2M   17  9.9M    0     0  19.9M      0  0:00:02 --:--:--  0:00:02 19.9M",
  );
  assertEquals(at500ms.map((p) => p.bytes_done), [parseCurlSize("9.9M")!]);
  assertEquals(at500ms[0]!.bytes_total, parseCurlSize("57.2M"));
  const at1600ms = m.push(
    "\r 55 57.2M   55 31.7M    0     0  19.9M      0  0:00:02  0:00:01  0:00:01 19.9M",
  );
  assertEquals(at1600ms.map((p) => p.bytes_done), [parseCurlSize("31.7M")!]);
  // The last update, then curl's final newline: each counted once.
  const end = m.push(
    "\r100 57.2M  100 57.2M    0     0  20.0M      0  0:00:02  0:00:02 --:--:-- 20.0M\n",
  );
  assertEquals(end.map((p) => p.bytes_done), [parseCurlSize("57.2M")!]);
  assertEquals(m.push(""), []);
});

Deno.test("curl meter: an update that arrives in pieces counts once, whole", () => {
  const m = new CurlMeterParser();
  m.push("\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0");
  m.push("\r 17 57.2M   17  9.9M    0     0  19.9M      0  0:00:02 --:--:--  0:00:02 19.9M");
  const line = "\r 55 57.2M   55 31.7M    0     0  19.9M      0  0:00:02  0:00:01  0:00:01 19.9M";
  // Cut inside its last field, the line has all 12 fields but a wrong speed: wait for the rest.
  const cut = line.length - 3;
  assertEquals(m.push(line.slice(0, cut)), []);
  const [p] = m.push(line.slice(cut));
  assertEquals([p!.bytes_done, p!.rate_bps], [parseCurlSize("31.7M"), parseCurlSize("19.9M")]);
  assertEquals(m.push("\n"), []);
});
