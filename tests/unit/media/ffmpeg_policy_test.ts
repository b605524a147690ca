import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { checkFfmpegArgs, ffmpegRunArgs } from "../../../src/media/ffmpeg_policy.ts";
import { DEFAULT_FFMPEG_PROTOCOLS } from "../../../src/media/protocol_names.ts";

const ALLOWED = DEFAULT_FFMPEG_PROTOCOLS;

function refused(argv: string[]): string {
  const e = assertThrows(() => checkFfmpegArgs(argv, ALLOWED), BarnError);
  assertEquals(e.code, "E_USAGE", argv.join(" "));
  return e.message;
}

Deno.test("URLs with userinfo are refused anywhere in ffmpeg and ffprobe argv", () => {
  for (
    const argv of [
      ["ffmpeg", "-i", "https://u:pw@h/x.mp4", "-f", "null", "-"],
      ["ffmpeg", "-i", "in.mp4", "ftp://u:pw@h/out.mp4"],
      ["ffmpeg", "-i", "in.mp4", "-f", "flv", "rtmp://u:pw@h/live"],
      ["ffprobe", "-i", "http://u:pw@h/x.mp4"],
      ["ffprobe", "https://tok@h/x.mp4"],
      ["ffmpeg", "-http_proxy", "http://u:pw@proxy:3128", "-i", "http://h/x", "o.mp4"],
      ["ffmpeg", "-i", "concat:http://u:pw@h/a.ts|b.ts", "o.mp4"],
      // ffmpeg's URL splitter skips up to two slashes after the scheme, none needed.
      ["ffprobe", "http:u:pw@h/x.mp4"],
      ["ffmpeg", "-i", "http:/u:pw@h/x.mp4", "o.mp4"],
      ["ffmpeg", "-i", "HTTPS:u:pw@h/x.mp4", "o.mp4"],
      ["ffmpeg", "-i", "crypto:http:u:pw@h/x.ts", "o.mp4"],
      ["ffmpeg", "-i", "in.mp4", "-f", "flv", "rtmp:/u:pw@h/live"],
    ]
  ) {
    const msg = refused(argv);
    assert(!msg.includes("pw"), msg);
    assert(msg.includes("barn get"), msg);
  }
  refused(["ffmpeg", "-headers", "Authorization: Bearer x\r\n", "-i", "http://h/x", "o.mp4"]);
  refused(["ffmpeg", "-cookies", "sid=1; path=/", "-i", "http://h/x", "o.mp4"]);
  checkFfmpegArgs(
    ["ffmpeg", "-headers", "Accept: */*", "-i", "http://h/x@2x.png", "o.png"],
    ALLOWED,
  );
  // Local names and text with '@' are not logins.
  checkFfmpegArgs(
    ["ffmpeg", "-i", "file:clip@2x.mp4", "-metadata", "comment=mail:me@example.com", "o.mp4"],
    ALLOWED,
  );
});

Deno.test("arguments naming a protocol outside the allowed set are refused", () => {
  for (
    const argv of [
      ["ffmpeg", "-i", "concat:a.mp4|b.mp4", "o.mp4"],
      ["ffmpeg", "-i", "subfile,,start,0,end,9,,:a.mp4", "o.mp4"],
      ["ffmpeg", "-i", "in.mp4", "-f", "mpegts", "udp://239.0.0.1:1234"],
      ["ffprobe", "ftp://h/x.mp4"],
      ["ffmpeg", "-i", "hls+http://h/x.m3u8", "o.mp4"],
    ]
  ) {
    refused(argv);
  }
  checkFfmpegArgs(["ffmpeg", "-i", "ftp://h/x.mp4", "o.mp4"], [...ALLOWED, "ftp"]);
  // Filters, stream specifiers and time stamps are not protocols.
  checkFfmpegArgs([
    "ffmpeg",
    "-ss",
    "00:00:01",
    "-i",
    "file:in.mp4",
    "-vf",
    "scale=640:-1,subtitles=a.srt:force_style='Fontsize=20'",
    "-map",
    "0:a:0",
    "-c:v",
    "libx264",
    "https://h/upload/o.mp4",
  ], ALLOWED);
  refused(["ffmpeg", "-protocol_whitelist", "ftp,udp", "-i", "in.mp4", "o.mp4"]);
});

Deno.test("each input and output runs with the whitelist, narrowed by the user's own", () => {
  assertEquals(
    ffmpegRunArgs("ffmpeg", [
      "-y",
      "-ss",
      "1",
      "-i",
      "a.mp4",
      "-protocol_whitelist",
      "file,udp",
      "-i",
      "b.mp4",
      "-c",
      "copy",
      "o.mp4",
      "-f",
      "null",
      "-",
    ], ["file", "http"]),
    [
      "-y",
      "-ss",
      "1",
      "-protocol_whitelist",
      "file,http",
      "-i",
      "a.mp4",
      "-protocol_whitelist",
      "file,udp",
      "-protocol_whitelist",
      "file",
      "-i",
      "b.mp4",
      "-c",
      "copy",
      "-protocol_whitelist",
      "file,http",
      "o.mp4",
      "-f",
      "null",
      "-protocol_whitelist",
      "file,http",
      "-",
    ],
  );
  assertEquals(ffmpegRunArgs("ffprobe", ["-v", "error", "x.mp4"], ["file"]), [
    "-v",
    "error",
    "x.mp4",
    "-protocol_whitelist",
    "file",
  ]);
  assertEquals(
    ffmpegRunArgs("ffprobe", ["-protocol_whitelist", "udp", "x.mp4"], ["file"]).slice(-1),
    ["none"],
  );
});
