import { assertEquals } from "../../helpers/assert.ts";
import { jobOutputs } from "../../../src/archive/job_outputs.ts";

Deno.test("jobOutputs: ffmpeg's file outputs, resolved against the cwd; pipes and null are none", () => {
  const o = jobOutputs(
    [
      "ffmpeg",
      "-i",
      "in.mp4",
      "-c",
      "copy",
      "out.mp4",
      "-f",
      "null",
      "-",
      "file:/tmp/barn/o/b.mkv",
    ],
    "/tmp/barn/h",
  );
  assertEquals(o.files.map((f) => f.path), ["/tmp/barn/h/out.mp4", "/tmp/barn/o/b.mkv"]);
  assertEquals(o.unknown, []);
  const seg = jobOutputs(["ffmpeg", "-i", "a", "/tmp/barn/o/f%03d.png"], "/");
  assertEquals(seg.files, []);
  assertEquals(seg.unknown.length, 1);
});

Deno.test("jobOutputs: curl -o per group under its --output-dir; -O and #1 are unknown", () => {
  const o = jobOutputs(
    [
      "curl",
      "-K",
      "/tmp/barn/h/jobs/x/secrets/curl-1.conf",
      "-sSfo",
      "a.bin",
      "https://h/a",
      "--next",
      "--output-dir",
      "/tmp/barn/d",
      "--output=b.bin",
      "https://h/b",
      "-o",
      "/tmp/barn/abs.bin",
      "https://h/c",
      "-o",
      "-",
      "https://h/d",
      "-O",
      "https://h/e",
      "-o",
      "f#1.bin",
      "https://h/[1-2]",
    ],
    "/tmp/barn/h",
  );
  assertEquals(o.files.map((f) => [f.path, f.from]), [
    ["/tmp/barn/h/a.bin", "curl -o"],
    ["/tmp/barn/d/b.bin", "curl -o"],
    ["/tmp/barn/abs.bin", "curl -o"],
  ]);
  assertEquals(o.unknown.map((u) => u.what), ["curl --remote-name", "f#1.bin"]);
});

Deno.test("jobOutputs: barn get's local path; put, ffprobe and unreadable argv write nothing known", () => {
  assertEquals(
    jobOutputs(["barn", "get", "--overwrite", "https://dav/a.mp4", "in/a.mp4"], "/tmp/barn")
      .files.map((f) => f.path),
    ["/tmp/barn/in/a.mp4"],
  );
  assertEquals(jobOutputs(["barn", "put", "/tmp/barn/a", "https://dav/a"], "/").files, []);
  assertEquals(jobOutputs(["ffprobe", "-i", "a.mp4"], "/").files, []);
  const bad = jobOutputs(["curl", "--no-such-option"], "/");
  assertEquals([bad.files, bad.unknown.length], [[], 1]);
});
