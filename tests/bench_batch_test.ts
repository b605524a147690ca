/** Batch submission (run --batch) and the benchmark suite's smoke run. */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, ROOT, startService, tempHome } from "./helpers/barn.ts";
import { parseBatch } from "../src/cli/batch.ts";
import { BarnError } from "../src/errors.ts";

Deno.test("batch lines: every bad line names its number and the reason; nothing is parsed past it", () => {
  const allowed = ["ffmpeg", "ffprobe", "curl"];
  const bad: [string, RegExp][] = [
    ['{"command": ["curl"]}\nnot json', /batch line 2: not JSON/],
    ['{"command": []}', /batch line 1: "command" must be a non-empty array/],
    ['{"command": ["sh", "-c", "x"]}', /batch line 1: 'sh' is not an allowed command/],
    ['{"command": ["curl"], "priority": 1}', /batch line 1: unknown field priority/],
    ['\n\n{"command": ["curl"], "timeout": "soon"}', /batch line 3: .*timeout/],
    ['{"command": ["curl"], "tag": 5}', /batch line 1: "tag" must be a non-empty string/],
    ["[1, 2]", /batch line 1: must be a JSON object/],
    ["", /the batch is empty/],
  ];
  for (const [text, re] of bad) {
    try {
      parseBatch(text, "/tmp", allowed);
      throw new Error(`accepted: ${text}`);
    } catch (e) {
      assert(e instanceof BarnError, String(e));
      assertEquals(e.code, "E_USAGE");
      assertMatch(e.message, re);
    }
  }
  const ok = parseBatch(
    '{"command": ["curl", "--version"], "tag": "t", "key": "k", "timeout": "5m", "stall_timeout": 30, "pending": "L"}\n',
    "/w",
    allowed,
  );
  assertEquals(ok, [{
    command: ["curl", "--version"],
    cwd: "/w",
    tag: "t",
    key: "k",
    latch: "L",
    timeout_seconds: 300,
    stall_timeout_seconds: 30,
  }]);
  const big = Array.from({ length: 10_001 }, () => '{"command": ["curl"]}').join("\n");
  try {
    parseBatch(big, "/", allowed);
    throw new Error("a batch over the limit was accepted");
  } catch (e) {
    assertMatch((e as Error).message, /at most 10000 jobs/);
  }
});

Deno.test("run --batch submits in one request; a bad line submits nothing", async () => {
  const home = tempHome("batch");
  try {
    await startService(home);
    const lines = Array.from(
      { length: 50 },
      (_, i) => JSON.stringify({ command: ["curl", "--version"], tag: "b", key: `k${i}` }),
    ).join("\n");
    const r = await barn(home, ["run", "--batch=-", "--output=json"], { stdin: lines });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.json().length, 50);
    const ids = await barn(home, ["run", "--batch=-"], { stdin: lines });
    assertMatch(ids.stdout, /existing job with key 'k0'/);
    const bad = await barn(home, ["run", "--batch=-"], {
      stdin: '{"command": ["curl", "--version"], "tag": "z"}\n{"command": ["sh"]}\n',
    });
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /batch line 2: 'sh' is not an allowed command.*nothing was submitted/);
    assertEquals((await barn(home, ["status", "--tag=z", "--output=json"])).json(), []);
    Deno.writeTextFileSync(
      `${home}/jobs.jsonl`,
      '{"command": ["curl", "--version"], "tag": "f"}\n',
    );
    assertEquals((await barn(home, ["run", `--batch=${home}/jobs.jsonl`])).code, 0);
    const outside = await barn(home, ["run", "--batch=/etc/hostname"]);
    assertEquals(outside.code, 104);
    assertEquals((await barn(home, ["wait", "--tag=b", "--timeout=60s"])).code, 0);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("the benchmark smoke run reports every metric in valid JSON (no timing asserted)", async () => {
  const home = tempHome("bsmoke");
  try {
    const out = `${home}/results.json`;
    const r = await new Deno.Command(DENO, {
      args: ["run", "-A", `${ROOT}bench/run.ts`, "--smoke", `--out=${out}`],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
    const rep = JSON.parse(Deno.readTextFileSync(out));
    for (
      const m of [
        "submit_latency",
        "thousand_jobs",
        "history_growth",
        "full_listing",
        "memory",
        "media",
        "webdav",
        "sync_full",
        "export_import",
        "fleet",
      ]
    ) {
      assert(m in rep.metrics, `metric ${m} missing`);
      assert(
        !("error" in rep.metrics[m]) && !("skipped" in rep.metrics[m]),
        `${m}: ${JSON.stringify(rep.metrics[m])}`,
      );
    }
    for (
      const k of [
        "submit_latency_barn_over_deno_floor",
        "submit_latency_standin_over_deno_floor",
        "thousand_jobs_batch_overhead_over_tsp_overhead",
        "thousand_jobs_cpu_per_job_barn_over_tsp",
        "full_listing_barn_over_tsp",
        "history_submit_full_over_empty",
        "history_status_running_full_over_empty",
        "memory_idle_over_bare_deno",
        "memory_last_rounds_over_first_rounds",
        "media_through_barn_over_direct",
        "webdav_get_throughput_barn_over_curl",
        "webdav_put_throughput_barn_over_curl",
        "sync_full_store_insert_full_over_normal",
        "sync_full_submit_full_over_normal",
        "export_import_export_over_tar_floor",
        "export_import_import_over_tar_floor",
        "fleet_status_warm_over_ssh_floor",
      ]
    ) {
      assertEquals(
        typeof rep.ratios[k]?.value,
        "number",
        `ratio ${k}: ${JSON.stringify(rep.ratios[k])}`,
      );
    }
    assertEquals(typeof rep.metrics.memory.per_running_job_bytes, "number");
    // Both peers ran the same jobs: each side's record of the jobs' own CPU is there.
    for (
      const k of ["barn_total", "tsp_total", "jobs_own_barn", "jobs_own_tsp", "jobs_own_floor"]
    ) {
      assertEquals(typeof rep.metrics.thousand_jobs.cpu_per_job_ms[k]?.median, "number", k);
    }
    for (const side of ["barn", "tsp"]) {
      assert(rep.metrics.full_listing.memory[side].client_peak_rss > 0, side);
      assert(rep.metrics.full_listing.memory[side].server_peak_rss > 0, side);
    }
    assertEquals(rep.params.smoke, true);
    assertEquals(rep.params.jobs, 20);
  } finally {
    await cleanupHome(home);
  }
});
