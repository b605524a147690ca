/** The watch-folder runner with real ffmpeg: contract failures, clips, fail-fast, recovery, watchFs. */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  barn,
  cleanupHome,
  DENO,
  MAIN,
  makeClip,
  startService,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";
import { jobSpecJsonSchema } from "../src/watch/jobspec.ts";

// deno-lint-ignore no-explicit-any
type Rec = any;

function drop(watch: string, name: string, body: unknown): void {
  Deno.mkdirSync(`${watch}/pending`, { recursive: true });
  Deno.writeTextFileSync(
    `${watch}/pending/${name}`,
    typeof body === "string" ? body : JSON.stringify(body),
  );
}

function result(watch: string, folder: "completed" | "failed", stem: string): Rec {
  return JSON.parse(Deno.readTextFileSync(`${watch}/${folder}/${stem}.result.json`));
}

function ls(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => !n.startsWith(".")).sort();
  } catch {
    return [];
  }
}

Deno.test("docs/jobspec.schema.json is the schema the runner enforces", () => {
  const committed = JSON.parse(
    Deno.readTextFileSync(new URL("../docs/jobspec.schema.json", import.meta.url)),
  );
  assertEquals(committed, JSON.parse(JSON.stringify(jobSpecJsonSchema())));
});

Deno.test("every contract failure lands in failed/ with its reason; --once exits 0", async () => {
  const home = tempHome("wfail");
  const watch = `${home}/watch`;
  try {
    const clip = await makeClip(`${home}/media/a.mp4`, 1);
    Deno.writeTextFileSync(`${home}/output-taken.mp4`, "x");
    const good = { source: clip, preset: "h264_360p", output: `${home}/out/a.mp4` };
    const cases: [string, unknown, RegExp][] = [
      ["no-version", { job_id: "x", clips: [good] }, /missing jobspec_version/],
      [
        "old-version",
        { jobspec_version: 1, job_id: "x", clips: [good] },
        /jobspec_version 1 does not match this runner's version 2/,
      ],
      [
        "unknown-top",
        { jobspec_version: 2, job_id: "x", clips: [good], priority: 9 },
        /unknown field at \(top level\): priority/,
      ],
      [
        "unknown-clip",
        { jobspec_version: 2, job_id: "x", clips: [{ ...good, gain: 3 }] },
        /unknown field at clips\.0: gain/,
      ],
      [
        "bad-preset",
        { jobspec_version: 2, job_id: "x", clips: [{ ...good, preset: "h265_8k" }] },
        /invalid preset at clips\.0\.preset: use one of h264_360p/,
      ],
      ["missing-src", {
        jobspec_version: 2,
        job_id: "x",
        clips: [{ ...good, source: `${home}/media/nope1.mov` }, {
          ...good,
          source: `${home}/media/nope2.mov`,
          output: `${home}/out/b.mp4`,
        }],
      }, new RegExp(`Missing source files: ${home}/media/nope1.mov, ${home}/media/nope2.mov`)],
      ["bad-json", '{"jobspec_version": 2,', /invalid JSON: /],
      ["exists", {
        jobspec_version: 2,
        job_id: "x",
        clips: [{ ...good, output: `${home}/output-taken.mp4` }],
      }, /outputs already exist \(barn never overwrites\)/],
      [
        "collide",
        { jobspec_version: 2, job_id: "x", clips: [good, { ...good }] },
        /output name collision: clips 1 and 2 both write/,
      ],
      ["outside", {
        jobspec_version: 2,
        job_id: "x",
        clips: [{ ...good, source: "/etc/hostname" }],
      }, /outside barn's sandbox.*docs\/security\.md/],
      ["both-outputs", {
        jobspec_version: 2,
        job_id: "x",
        clips: [{ ...good, output_dir: `${home}/out` }],
      }, /exactly one of output or output_dir/],
    ];
    for (const [name, body] of cases) drop(watch, `${name}.json`, body);
    drop(watch, "ignored.result.json", "{}");
    const r = await barn(home, ["watch", watch, "--once", "--offline"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(ls(`${watch}/pending`), ["ignored.result.json"]);
    assertEquals(ls(`${watch}/completed`), []);
    for (const [name, , re] of cases) {
      const res = result(watch, "failed", name);
      assertEquals(res.final_status, "PARTIAL", name);
      assertMatch(res.failure_reason, re);
      assertEquals(res._metadata.jobspec_path, `${watch}/failed/${name}.json`);
      for (const k of ["started_at", "completed_at", "duration_seconds", "clips"]) {
        assert(k in res, `${name}: no ${k}`);
      }
    }
    assertEquals(Deno.readTextFileSync(`${home}/output-taken.mp4`), "x");
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a multi-clip JobSpec completes; a failing middle clip skips the rest", async () => {
  const home = tempHome("wok");
  const watch = `${home}/watch`;
  try {
    const a = await makeClip(`${home}/media/a.mp4`, 2);
    const b = await makeClip(`${home}/media/b.mp4`, 1);
    Deno.writeTextFileSync(`${home}/media/broken.mp4`, "this is not a video");
    await startService(home);
    drop(watch, "proxies.json", {
      jobspec_version: 2,
      job_id: "proxies-1",
      clips: [
        { source: a, preset: "h264_360p", output_dir: `${home}/out` },
        {
          source: b,
          preset: "prores_proxy_540p",
          output_dir: `${home}/out`,
          naming: "{index}-{stem}.{ext}",
        },
      ],
    });
    drop(watch, "zz-middle.json", {
      jobspec_version: 2,
      job_id: "middle",
      clips: [
        { source: b, preset: "h264_360p", output: `${home}/out2/first.mp4` },
        {
          source: `${home}/media/broken.mp4`,
          preset: "h264_360p",
          output: `${home}/out2/second.mp4`,
        },
        { source: a, preset: "h264_360p", output: `${home}/out2/third.mp4` },
      ],
    });
    const r = await barn(home, ["watch", watch, "--once"]);
    assertEquals(r.code, 0, r.stderr);
    const ok = result(watch, "completed", "proxies");
    assertEquals([ok.job_id, ok.final_status], ["proxies-1", "COMPLETED"]);
    assertEquals(ok.clips.map((c: Rec) => c.resolved_output_path), [
      `${home}/out/a_h264_360p.mp4`,
      `${home}/out/2-b.mov`,
    ]);
    for (const c of ok.clips) {
      assertEquals([c.status, c.exit_code, c.output_exists], ["COMPLETED", 0, true]);
      assert(
        c.output_size_bytes > 0 && c.duration_seconds >= 0 && c.ffmpeg_command[0] === "ffmpeg",
      );
      const job = (await barn(home, ["describe", c.barn_job_id, "--output=json"])).json();
      assertEquals(job.tag, "watch:proxies");
    }
    const probe = await new Deno.Command("ffprobe", {
      args: [
        "-v",
        "error",
        "-show_entries",
        "stream=codec_name,height",
        "-of",
        "csv=p=0",
        `${home}/out/2-b.mov`,
      ],
      stdout: "piped",
    }).output();
    assertMatch(new TextDecoder().decode(probe.stdout), /prores,540/);
    const mid = result(watch, "failed", "zz-middle");
    assertEquals(mid.final_status, "FAILED");
    assertEquals(mid.clips.map((c: Rec) => c.status), ["COMPLETED", "FAILED", "SKIPPED"]);
    assertMatch(
      mid.clips[1].failure_reason,
      /FFmpeg exited with code \d+\nstderr \(last lines\):\n.*Invalid data/s,
    );
    assertEquals(mid.clips[2].barn_job_id, null);
    assertEquals(
      (await barn(home, ["status", "--tag=watch:zz-middle", "--output=json"])).json().length,
      2,
    );
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("a half-written file is left alone until it is complete", async () => {
  const home = tempHome("whalf");
  const watch = `${home}/watch`;
  try {
    Deno.mkdirSync(`${watch}/pending`, { recursive: true });
    const f = await Deno.open(`${watch}/pending/slow.json`, { write: true, create: true });
    await f.write(new TextEncoder().encode('{"jobspec_version": 2, '));
    let writing = true;
    const writer = (async () => {
      // Pacing, not synchronisation: a write every 20 ms keeps the file changing between the
      // watcher's two looks (500 ms apart) even on a loaded machine.
      while (writing) {
        await f.write(new TextEncoder().encode(" "));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const r = await barn(home, ["watch", watch, "--once", "--offline"]);
    assertEquals(r.code, 0);
    assertMatch(r.stderr, /slow\.json: still being written/);
    assertEquals(ls(`${watch}/pending`), ["slow.json"]);
    writing = false;
    await writer;
    await f.write(new TextEncoder().encode('"job_id": "s", "clips": []}'));
    f.close();
    await barn(home, ["watch", watch, "--once", "--offline"]);
    assertEquals(ls(`${watch}/pending`), []);
    assertMatch(result(watch, "failed", "slow").failure_reason, /clips/);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("name collisions in the folders never overwrite", async () => {
  const home = tempHome("wname");
  const watch = `${home}/watch`;
  try {
    for (let i = 0; i < 2; i++) {
      drop(watch, "same.json", "{broken");
      await barn(home, ["watch", watch, "--once", "--offline"]);
    }
    const failed = ls(`${watch}/failed`);
    assertEquals(failed.length, 4, failed.join(", "));
    assert(failed.includes("same.json") && failed.includes("same.result.json"));
    const second = failed.find((n) => n.startsWith("same-") && !n.endsWith(".result.json"))!;
    assert(failed.includes(second.replace(/\.json$/, ".result.json")));
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("crash recovery: SIGKILL mid-clip, restart, JobSpec failed with _recovery and its job canceled", async () => {
  const home = tempHome("wcrash");
  const watch = `${home}/watch`;
  try {
    const src = await makeClip(`${home}/media/long.mp4`, 20);
    await startService(home);
    drop(watch, "long.json", {
      jobspec_version: 2,
      job_id: "long",
      clips: [{ source: src, preset: "h264_1080p", output: `${home}/out/long.mp4` }],
    });
    const runner = new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", MAIN, "watch", watch, "--poll-seconds=1"],
      env: { BARN_HOME: home },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const job = await waitFor(async () => {
      const jobs = (await barn(home, ["status", "--tag=watch:long", "--output=json"])).json();
      return jobs[0]?.state === "running" ? jobs[0] : null;
    }, { what: "the clip to run" });
    runner.kill("SIGKILL");
    await runner.status;
    assertEquals(ls(`${watch}/running`), ["long.json"]);
    const again = await barn(home, ["watch", watch, "--once"]);
    assertEquals(again.code, 0, again.stderr);
    const res = result(watch, "failed", "long");
    assertEquals([res.final_status, res._recovery.reason, res._recovery.original_path], [
      "FAILED",
      "runner interrupted",
      `${watch}/running/long.json`,
    ]);
    assert(!Number.isNaN(Date.parse(res._recovery.recovered_at)));
    assertEquals(res._recovery.barn_jobs, [{
      barn_job_id: job.job_id,
      state: "canceled",
      exit_code: "E_CANCELED",
      action: "canceled by the recovery",
    }]);
    assertEquals(
      (await barn(home, ["describe", job.job_id, "--output=json"])).json().state,
      "canceled",
    );
    assertEquals(ls(`${watch}/running`), []);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("the service hosts a watcher: watchFs picks up a drop long before the 600 s poll; one runner per folder", async () => {
  const home = tempHome("wsvc");
  const watch = `${home}/watch`;
  try {
    const clip = await makeClip(`${home}/media/a.mp4`, 1);
    Deno.writeTextFileSync(
      `${home}/config.json`,
      JSON.stringify({ watch_folders: [{ path: watch, poll_seconds: 600 }] }),
    );
    await startService(home);
    const s = await waitFor(async () => {
      const st = (await barn(home, ["service", "status", "--output=json"])).json();
      return st.watchers?.[0]?.state === "watching" ? st : null;
    }, { what: "the watcher" });
    assertEquals(s.watchers[0].folder, watch);
    // The watcher arms watchFs on pending/, then scans it in the same turn of its event loop and
    // sleeps. Once the inotify watch exists and the service's main thread is back waiting in
    // epoll, that scan is over: from here only watchFs can notice a drop within 30 s.
    const pendingIno = Deno.statSync(`${watch}/pending`).ino!;
    await waitFor(() => inotifyWatches(s.pid).has(pendingIno), {
      what: "the watcher's inotify watch on pending/",
    });
    await waitFor(() => Deno.readTextFileSync(`/proc/${s.pid}/wchan`) === "do_epoll_wait", {
      what: "the service's event loop to go idle after its first scan",
    });
    // Dropped whole (written aside, renamed in), as a producer should: one event, complete file.
    const body = {
      jobspec_version: 2,
      job_id: "d",
      clips: [{ source: clip, preset: "h264_360p", output: `${home}/out/d.mp4` }],
    };
    Deno.writeTextFileSync(`${watch}/.drop.json.part`, JSON.stringify(body));
    Deno.renameSync(`${watch}/.drop.json.part`, `${watch}/pending/drop.json`);
    await waitFor(() => ls(`${watch}/completed`).includes("drop.result.json"), {
      timeoutMs: 30_000,
      what: "the dropped JobSpec to complete",
    });
    assertEquals(result(watch, "completed", "drop").final_status, "COMPLETED");
    const second = await barn(home, ["watch", watch, "--once"]);
    assertEquals(second.code, 108);
    assertMatch(second.stderr, /another barn watch runner already serves/);
    // reload removes it
    Deno.writeTextFileSync(`${home}/config.json`, "{}");
    await barn(home, ["service", "reload"]);
    assertEquals((await barn(home, ["service", "status", "--output=json"])).json().watchers, []);
  } finally {
    await cleanupHome(home);
  }
});

/** Inodes that process `pid` watches with inotify (from /proc/<pid>/fdinfo). */
function inotifyWatches(pid: number): Set<number> {
  const out = new Set<number>();
  for (const e of Deno.readDirSync(`/proc/${pid}/fdinfo`)) {
    try {
      for (
        const m of Deno.readTextFileSync(`/proc/${pid}/fdinfo/${e.name}`).matchAll(
          /^inotify wd:\S+ ino:([0-9a-f]+)/gm,
        )
      ) {
        out.add(parseInt(m[1]!, 16));
      }
    } catch { /* closed meanwhile */ }
  }
  return out;
}
