import { assertEquals } from "../../helpers/assert.ts";
import { jobPidsIn, pidsOfJob } from "../../../src/platform/process_posix.ts";

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

Deno.test({
  name: "pidsOfJob: a marker in the arguments is no match, and long arguments don't hide the env's",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const id = `t${crypto.randomUUID().replaceAll("-", "").slice(0, 11)}`;
    const spawn = (args: string[], env: Record<string, string>) =>
      new Deno.Command("sh", {
        // `read`, a builtin, waits on the pipe without a child that would inherit the env.
        args: ["-c", "read x", "sh", ...args],
        env,
        stdin: "piped",
        stdout: "null",
        stderr: "null",
      }).spawn();
    // Over procps's 128 KiB line limit, the way a long ffmpeg filter graph can be.
    const long = Array.from({ length: 200 }, () => "x".repeat(1000));
    const inArgs = spawn([`BARN_JOB_ID=${id}`], {});
    const inEnv = spawn(long, { BARN_JOB_ID: id });
    try {
      assertEquals(await pidsOfJob(id), [inEnv.pid]);
    } finally {
      for (const c of [inArgs, inEnv]) {
        c.kill("SIGKILL");
        await c.status;
      }
    }
  },
});
