import { assertEquals } from "../../helpers/assert.ts";
import { jobPidsIn } from "../../../src/platform/process_posix.ts";

Deno.test("jobPidsIn: only a whole BARN_JOB_ID=<id> word marks a job's process", () => {
  const ps = [
    "  101 curl -s http://x/ HOME=/root BARN_JOB_ID=abc123 PATH=/bin",
    "  102 ffmpeg -i in.mp4 out.mp4 BARN_JOB_ID=abc123",
    "  103 curl BARN_JOB_ID=abc1234 PATH=/bin", // another job whose id starts the same
    "  104 sleep 9 XBARN_JOB_ID=abc123", // part of another variable's name
    "  105 sleep 9 BARN_JOB_ID=abc123x",
    "  106 curl BARN_JOB_ID=zzz BARN_JOB_ID=abc123",
    "",
    "garbage",
  ].join("\n");
  assertEquals(jobPidsIn(ps, "abc123"), [101, 102, 106]);
  assertEquals(jobPidsIn(ps, "nothing"), []);
});
