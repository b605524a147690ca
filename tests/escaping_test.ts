/** User text in errors and human output: short, escaped excerpts; no terminal control from a tag or id. */

import { XMLParser } from "fast-xml-parser";
import { assert, assertEquals } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, MAIN, ROOT, tempHome } from "./helpers/barn.ts";
import { Tmux } from "./helpers/tmux.ts";
import { haveTool } from "./helpers/tools.ts";

// deno-lint-ignore no-control-regex -- what must never reach a terminal
const RAW = /[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]/;

Deno.test("a 10 KB or right-to-left job id comes back short and escaped", async () => {
  const home = tempHome("escid");
  try {
    for (const id of ["k".repeat(10_240), "\u202eabcdef", "abcd\x1b]0;owned\x07"]) {
      for (const cmd of [["describe", id], ["kill", id], ["logs", id]]) {
        const r = await barn(home, ["--offline", ...cmd]);
        assertEquals(r.code, 2, r.stderr);
        assert(r.stderr.length < 300, `${cmd[0]}: ${r.stderr.length} bytes`);
        assert(!RAW.test(r.stderr.trimEnd()), JSON.stringify(r.stderr));
        const j = await barn(home, ["--offline", "--output=json", ...cmd]);
        assert(j.json().error.message.length < 300);
      }
    }
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("status and describe escape tags and commands; XML stays well-formed", async () => {
  const home = tempHome("escout");
  const EVIL = "t\x1b[2J\u202eevil";
  try {
    const r = await barn(home, [
      "run",
      "--offline",
      "--output=json",
      `--tag=${EVIL}`,
      "ffprobe",
      "-v",
      "error",
      `/tmp/barn/no-such-${EVIL}.mp4`,
    ]);
    const id = r.json().job_id;
    assertEquals(r.json().tag, EVIL, "JSON keeps the data as it is");
    for (const args of [["status"], ["describe", id], ["status", `--tag=${EVIL}`]]) {
      const out = (await barn(home, ["--offline", ...args])).stdout;
      assert(out.includes("t\\u001b[2J\\u202eevil"), out);
      assert(!RAW.test(out.replaceAll("\n", "")), JSON.stringify(out));
    }
    const xml = (await barn(home, ["--offline", "--output=xml", "describe", id])).stdout;
    // deno-lint-ignore no-control-regex -- XML 1.0 forbids these outright
    assert(!/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(xml), xml);
    assertEquals(new XMLParser().parse(xml).job.tag, "t\\u001b[2J\u202eevil");
  } finally {
    await cleanupHome(home);
  }
});

Deno.test({
  name:
    "barn logs: in a real terminal a job's output is escaped; piped, or with --raw, it is the log byte for byte",
  ignore: !haveTool("tmux"),
  async fn() {
    const home = tempHome("esclogs");
    const tmux = await Tmux.start(100, 24, ROOT, { BARN_HOME: home });
    const EVIL = "t\x1b[2J\x1b]0;owned\x07\u202eevil";
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(`${EVIL}\n`),
    );
    try {
      // A server's answer reaches the job's stdout log as it was sent.
      const r = await barn(home, [
        "run",
        "--offline",
        "--output=json",
        "curl",
        "-s",
        `http://127.0.0.1:${server.addr.port}/`,
      ]);
      const job = r.json();
      assertEquals(job.exit_code, 0, JSON.stringify(job));
      const log = Deno.readFileSync(job.stdout_path);
      assert(new TextDecoder().decode(log).includes(EVIL), "the log holds the raw bytes");
      const piped = await new Deno.Command(DENO, {
        args: ["run", "-q", "-P=barn", MAIN, "logs", "--stdout", job.job_id],
        env: { BARN_HOME: home },
        stdout: "piped",
      }).output();
      assertEquals(piped.stdout, log, "piped: byte for byte");

      const BARN = `${DENO} run -q -P=barn ${MAIN}`;
      await tmux.type(`clear; ${BARN} logs --stdout ${job.job_id}; echo END-1`);
      const shown = await tmux.waitScreen((l) => l.includes("END-1"), "logs on a terminal");
      assert(
        shown.some((l) => l.includes("t\\u001b[2J\\u001b]0;owned\\u0007\\u202eevil")),
        shown.join("\n"),
      );
      assertEquals(await tmux.display("#{pane_title}") === "owned", false, "no title was set");

      await tmux.type(`clear; ${BARN} logs --raw --stdout ${job.job_id}; echo END-2`);
      const raw = await tmux.waitScreen((l) => l.includes("END-2"), "logs --raw");
      assert(!raw.some((l) => l.includes("\\u001b")), raw.join("\n"));
      assertEquals(await tmux.display("#{pane_title}"), "owned", "--raw passed the bytes through");
    } finally {
      await tmux.kill();
      await server.shutdown();
      await cleanupHome(home);
    }
  },
});
