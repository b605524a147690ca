/** User text in errors and human output: short, escaped excerpts; no terminal control from a tag or id. */

import { XMLParser } from "fast-xml-parser";
import { assert, assertEquals } from "./helpers/assert.ts";
import { barn, cleanupHome, tempHome } from "./helpers/barn.ts";

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
