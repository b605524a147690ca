/** Media jobs against real ffmpeg/ffprobe and a real WebDAV server (rclone). */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, makeClip, startService, tempHome, waitFor } from "./helpers/barn.ts";
import { startHttp } from "./helpers/http.ts";
import { sha256, startDav, startProxy } from "./helpers/dav.ts";

// deno-lint-ignore no-explicit-any
type Rec = any;

async function submit(
  home: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const r = await barn(home, ["--output=json", ...args], { env });
  assertEquals(r.code, 0, r.stdout + r.stderr);
  return r.json().job_id;
}

async function rec(home: string, id: string): Promise<Rec> {
  return (await barn(home, ["describe", id, "--output=json"])).json();
}

async function done(home: string, id: string): Promise<Rec> {
  await barn(home, ["wait", id, "--timeout=120s"]);
  return await rec(home, id);
}

function isThere(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Samples a job's progress every 200 ms while it runs (a failed look fails, never ends the sampling). */
async function sampleProgress(home: string, id: string): Promise<Rec[]> {
  const seen: Rec[] = [];
  for (;;) {
    const r = await barn(home, ["describe", id, "--output=json"]);
    assertEquals(r.code, 0, `describe failed while sampling: ${r.stdout}${r.stderr}`);
    const j = r.json();
    if (j.state !== "running" && j.state !== "queued") return seen;
    if (j.progress) seen.push(j.progress);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test("ffmpeg progress: numbers, percent grows monotonically, an ETA; audio-only too", async () => {
  const home = tempHome("progress");
  try {
    await startService(home);
    const clip = await makeClip(`${home}/input/clip.mp4`, 4);
    for (
      const [name, extra, out] of [
        ["video", ["-c:v", "libx264", "-preset", "ultrafast"], "o.mp4"],
        ["audio", ["-vn", "-c:a", "aac"], "o.m4a"],
      ] as const
    ) {
      const id = await submit(home, [
        "run",
        "ffmpeg",
        "-y",
        "-re",
        "-i",
        clip,
        ...extra,
        `${home}/output/${out}`,
      ]);
      const seen = (await sampleProgress(home, id)).filter((p) => p.percent !== undefined);
      assert(seen.length >= 3, `${name}: only ${seen.length} progress samples`);
      for (const p of seen) {
        for (
          const k of ["percent", "out_time_seconds", "speed", "total_size", "duration_seconds"]
        ) {
          assertEquals(typeof p[k], "number", `${name}: ${k} is ${typeof p[k]}`);
        }
      }
      const pct = seen.map((p) => p.percent);
      assertEquals(pct, [...pct].sort((a, b) => a - b), `${name}: percent went backwards: ${pct}`);
      assert(pct[pct.length - 1] > pct[0], `${name}: percent never grew`);
      assert(
        seen.some((p) => typeof p.eta_seconds === "number" && p.eta_seconds > 0),
        `${name}: no ETA`,
      );
      assertEquals(seen[0].duration_seconds, 4);
      const j = await done(home, id);
      assertEquals(j.state, "succeeded", JSON.stringify(j.stderr_tail));
      // ffmpeg's progress socket goes with the job.
      assertEquals(isThere(`${j.job_dir}/progress.sock`), false, `${name}: progress.sock left`);
      if (name === "video") {
        assert(seen.some((p) => typeof p.fps === "number" && typeof p.frame === "number"));
      }
    }
    const table = await barn(home, ["status"]);
    assertMatch(table.stdout, /succeeded/);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("the human status shows a progress bar with %, speed and ETA", async () => {
  const home = tempHome("bar");
  try {
    await startService(home);
    const clip = await makeClip(`${home}/input/clip.mp4`, 4);
    const id = await submit(home, ["run", "ffmpeg", "-y", "-re", "-i", clip, "-f", "null", "-"]);
    const line = await waitFor(async () => {
      const s = (await barn(home, ["status"])).stdout.split("\n").find((l) => l.startsWith(id));
      return s && /\d+\.\d%/.test(s) ? s : null;
    }, { what: "a progress bar" });
    assertMatch(line, /\[[#.]{12}\] \d+\.\d% \d+\.\d\dx ETA \d+s/);
    await done(home, id);
  } finally {
    await cleanupHome(home);
  }
});

/** The name of the process on each client port connected to `port` on loopback (from ss). */
async function socketOwners(port: number): Promise<Map<number, string>> {
  const out = await new Deno.Command("ss", {
    args: ["-tnpH", "state", "established", "dport", "=", `:${port}`],
    stdout: "piped",
  }).output();
  const owners = new Map<number, string>();
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const m = /127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:\d+\s+users:\(\("([^"]+)"/.exec(line);
    if (m) owners.set(Number(m[1]), m[2]!);
  }
  return owners;
}

Deno.test("stall watchdog: ffmpeg reading from a server that never sends ends E_STALLED", async () => {
  const home = tempHome("stall");
  // A server that takes connections and never answers, noting the order its clients hang up in.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (silent.addr as Deno.NetAddr).port;
  const conns: Deno.Conn[] = [];
  const hungUp: number[] = [];
  const accepting = (async () => {
    try {
      for await (const c of silent) {
        conns.push(c);
        (async () => {
          const buf = new Uint8Array(4096);
          try {
            while ((await c.read(buf)) !== null);
          } catch { /* reset or closed here */ }
          hungUp.push((c.remoteAddr as Deno.NetAddr).port);
        })();
      }
    } catch { /* closed */ }
  })();
  try {
    await startService(home);
    const id = await submit(home, [
      "run",
      "--stall-timeout=2s",
      "ffmpeg",
      "-y",
      "-i",
      `http://127.0.0.1:${port}/clip.mp4`,
      `${home}/output/x.mp4`,
    ]);
    // The pre-probe (ffprobe, with its own 5 s timeout) and the job (ffmpeg) both hang on it.
    const owners = await waitFor(async () => {
      const o = await socketOwners(port);
      const names = [...o.values()];
      return names.includes("ffmpeg") && names.includes("ffprobe") ? o : null;
    }, { what: "ffprobe's pre-probe and ffmpeg both to connect" });
    const j = await done(home, id);
    assertEquals([j.state, j.exit_code], ["failed", "E_STALLED"]);
    assertMatch(j.error, /no progress for 2s/);
    // The watchdog did not wait for the hanging pre-probe: ffmpeg was stopped while it still hung.
    await waitFor(() => hungUp.length >= owners.size, { what: "both clients to hang up" });
    assertEquals(hungUp.map((p) => owners.get(p)), ["ffmpeg", "ffprobe"]);
  } finally {
    silent.close();
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await accepting;
    await cleanupHome(home);
  }
});

Deno.test("output checks: E_NO_OUTPUT, --verify catches -fs, a -t trim passes", async () => {
  const home = tempHome("verify");
  try {
    await startService(home);
    const clip = await makeClip(`${home}/input/clip.mp4`, 2);
    // ffmpeg exits 0 but writes nothing: zero frames of raw video.
    const none = await done(
      home,
      await submit(home, [
        "run",
        "ffmpeg",
        "-y",
        "-i",
        clip,
        "-frames:v",
        "0",
        "-an",
        "-f",
        "rawvideo",
        `${home}/output/none.raw`,
      ]),
    );
    assertEquals([none.state, none.exit_code, none.process_exit_code], [
      "failed",
      "E_NO_OUTPUT",
      0,
    ]);
    const short = await done(
      home,
      await submit(home, [
        "run",
        "--verify",
        "ffmpeg",
        "-y",
        "-i",
        clip,
        "-c",
        "copy",
        "-fs",
        "8000",
        `${home}/output/short.mp4`,
      ]),
    );
    assertEquals([short.state, short.exit_code, short.process_exit_code], [
      "failed",
      "E_VERIFY",
      0,
    ]);
    assertMatch(short.error, /expected 2\.00s/);
    const trim = await done(
      home,
      await submit(home, [
        "run",
        "--verify",
        "ffmpeg",
        "-y",
        "-i",
        clip,
        "-t",
        "1",
        `${home}/output/trim.mp4`,
      ]),
    );
    assertEquals([trim.state, trim.exit_code], ["succeeded", 0]);
    const full = await done(
      home,
      await submit(home, [
        "run",
        "--verify",
        "ffmpeg",
        "-y",
        "-ss",
        "0.5",
        "-i",
        clip,
        `${home}/output/full.mp4`,
      ]),
    );
    assertEquals([full.state, full.exit_code], ["succeeded", 0]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("ffprobe jobs: their JSON output is reachable from describe", async () => {
  const home = tempHome("probe");
  try {
    await startService(home);
    const clip = await makeClip(`${home}/input/clip.mp4`, 1);
    const j = await done(
      home,
      await submit(home, [
        "run",
        "ffprobe",
        "-v",
        "error",
        "-of",
        "json",
        "-show_format",
        "-show_streams",
        clip,
      ]),
    );
    assertEquals(j.state, "succeeded");
    assertEquals(j.result.format.filename, clip);
    assertEquals(j.result.streams.map((s: Rec) => s.codec_type).sort(), ["audio", "video"]);
    const x = await barn(home, ["describe", j.job_id, "--output=xml"]);
    assertMatch(x.stdout, /<result>\{&quot;streams&quot;|<result>\{"streams"/);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("curl: progress numbers, and -u credentials never in ps or any record", async () => {
  const home = tempHome("curlcred");
  const http = startHttp();
  const SECRET = `pw-${crypto.randomUUID()}`;
  try {
    await startService(home);
    const big = await submit(home, [
      "run",
      "curl",
      "-o",
      `${home}/input/big.bin`,
      "--limit-rate",
      "20M",
      `${http.url}/big/60000000`,
    ]);
    const seen = (await sampleProgress(home, big)).filter((p) => p.bytes_done !== undefined);
    assert(seen.length >= 2, `only ${seen.length} curl progress samples`);
    // curl's meter rounds sizes (57.2M), so the total is known to about 0.1 %; and the record
    // follows the transfer while it runs (it once lagged a whole meter update behind, showing
    // 0 bytes for the first 1.6 s of this 3 s download).
    assert(
      seen.some((p) =>
        Math.abs(p.bytes_total - 60000000) < 100_000 && typeof p.percent === "number" &&
        typeof p.rate_bps === "number" && p.bytes_done > 0 && p.bytes_done < 60000000
      ),
      JSON.stringify(seen),
    );
    const id = await submit(home, [
      "run",
      "curl",
      "-sS",
      "-u",
      `alice:${SECRET}`,
      "-H",
      `Authorization: Bearer ${SECRET}`,
      `${http.url}/delay/2000/200`,
    ]);
    const running = await waitFor(async () => {
      const j = await rec(home, id);
      return j.state === "running" && j.pid ? j : null;
    }, { what: "the curl job to run" });
    const ps = new TextDecoder().decode(
      (await new Deno.Command("ps", { args: ["-eo", "args="], stdout: "piped" }).output()).stdout,
    );
    assert(ps.includes(`-K ${running.job_dir}/secrets/curl-1.conf`), "the curl job is not in ps");
    assert(!ps.includes(SECRET), "the password shows in ps");
    const j = await done(home, id);
    assertEquals(j.state, "succeeded");
    assertEquals(j.command.slice(0, 3), ["curl", "-K", `${j.job_dir}/secrets/curl-1.conf`]);
    assertEquals(
      (Deno.statSync(`${j.job_dir}/secrets/curl-1.conf`).mode! & 0o777).toString(8),
      "600",
    );
    assertEquals(grepHome(home, SECRET), [`${running.job_dir}/secrets/curl-1.conf`]);
    const retried = await done(
      home,
      (await barn(home, ["retry", id, "--output=json"])).json().job_id,
    );
    assertEquals(retried.state, "succeeded");
  } finally {
    await http.close();
    await cleanupHome(home);
  }
});

/** Every file under `home` containing `needle` (DB, WAL, logs, job dirs). */
function grepHome(home: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.isFile) {
        const data = Deno.readFileSync(p);
        if (new TextDecoder("latin1").decode(data).includes(needle)) hits.push(p);
      }
    }
  };
  walk(home);
  return hits.sort();
}

Deno.test("WebDAV get and put: checksums, 401 and 404, MKCOL, no password anywhere", async () => {
  const home = tempHome("dav");
  const PASS = `dav-${crypto.randomUUID()}`;
  const dav = await startDav(`${home}-srv`, "barn", PASS);
  try {
    Deno.writeTextFileSync(
      `${home}/credentials.json`,
      JSON.stringify({ hosts: { [new URL(dav.url).host]: { user: "barn", password: PASS } } }),
    );
    Deno.chmodSync(`${home}/credentials.json`, 0o600);
    await startService(home);
    Deno.writeTextFileSync(`${dav.root}/small.txt`, "hello barn\n");
    const g = await done(
      home,
      await submit(home, ["get", `${dav.url}/small.txt`, `${home}/input/small.txt`]),
    );
    assertEquals(g.state, "succeeded", g.error);
    assertEquals(Deno.readTextFileSync(`${home}/input/small.txt`), "hello barn\n");
    const p = await done(
      home,
      await submit(home, ["put", `${home}/input/small.txt`, `${dav.url}/new/deep/dir/small.txt`]),
    );
    assertEquals(p.state, "succeeded", p.error);
    assertEquals(Deno.readTextFileSync(`${dav.root}/new/deep/dir/small.txt`), "hello barn\n");
    const nf = await done(
      home,
      await submit(home, ["get", `${dav.url}/missing.bin`, `${home}/input/m.bin`]),
    );
    assertEquals([nf.state, nf.exit_code], ["failed", "E_HTTP_404"]);
    const bad = await barn(home, [
      "get",
      "--output=json",
      `http://barn:wrong@${new URL(dav.url).host}/small.txt`,
      `${home}/input/b.txt`,
    ]);
    assertMatch(bad.stderr, /moved to the job's private secrets file/);
    const unauth = await done(home, bad.json().job_id);
    assertEquals([unauth.state, unauth.exit_code], ["failed", "E_HTTP_401"]);
    assertEquals((await barn(home, ["wait", unauth.job_id])).code, 115);
    // refusals before anything runs
    const exists = await barn(home, ["get", `${dav.url}/small.txt`, `${home}/input/small.txt`]);
    assertEquals(exists.code, 109);
    const outside = await barn(home, ["get", `${dav.url}/small.txt`, "/var/tmp/x.txt"]);
    assertEquals(outside.code, 104);
    assertMatch(outside.stderr, /docs\/security\.md/);
    // 100 MB both ways
    const blob = new Uint8Array(100 * 1024 * 1024);
    for (let i = 0; i < blob.length; i += 65536) {
      crypto.getRandomValues(blob.subarray(i, i + 65536));
    }
    Deno.writeFileSync(`${dav.root}/big.bin`, blob);
    const want = await sha256(`${dav.root}/big.bin`);
    const bg = await done(
      home,
      await submit(home, ["get", `${dav.url}/big.bin`, `${home}/input/big.bin`]),
    );
    assertEquals(bg.state, "succeeded", bg.error);
    assertEquals(await sha256(`${home}/input/big.bin`), want);
    const bp = await done(
      home,
      await submit(home, ["put", `${home}/input/big.bin`, `${dav.url}/up/big.bin`]),
    );
    assertEquals(bp.state, "succeeded", bp.error);
    assertEquals(await sha256(`${dav.root}/up/big.bin`), want);
    assertEquals(bp.progress.bytes_done, blob.length);
    // the password: only in credentials.json and the one job's secrets file
    const hits = grepHome(home, PASS).filter((f) => !f.endsWith("/credentials.json"));
    assertEquals(hits, []);
    assert(!Deno.readTextFileSync(dav.log).includes(PASS));
  } finally {
    await dav.stop();
    await cleanupHome(home);
    await cleanupHome(`${home}-srv`);
  }
});

Deno.test("an interrupted download leaves no file under the final name, and a retry resumes with Range", async () => {
  const home = tempHome("resume");
  const PASS = `dav-${crypto.randomUUID()}`;
  const dav = await startDav(`${home}-srv`, "barn", PASS);
  const proxy = startProxy(dav.url, 25 * 1024 * 1024); // 25 MB/s: 100 MB takes 4 s
  try {
    Deno.writeTextFileSync(
      `${home}/credentials.json`,
      JSON.stringify({ hosts: { [new URL(proxy.url).host]: { user: "barn", password: PASS } } }),
    );
    Deno.chmodSync(`${home}/credentials.json`, 0o600);
    await startService(home);
    const size = 100 * 1024 * 1024;
    const blob = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) crypto.getRandomValues(blob.subarray(i, i + 65536));
    Deno.writeFileSync(`${dav.root}/movie.bin`, blob);
    const target = `${home}/input/movie.bin`;
    const id = await submit(home, ["get", `${proxy.url}/movie.bin`, target]);
    // Sample the transfer process's memory while it runs; then kill it midway.
    let pid = 0;
    const rss: number[] = [];
    await waitFor(async () => {
      const j = await rec(home, id);
      pid = j.pid ?? 0;
      if (pid) {
        try {
          const kb = /VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
          if (kb) rss.push(Number(kb[1]) * 1024);
        } catch { /* ended */ }
      }
      return (j.progress?.bytes_done ?? 0) > 40 * 1024 * 1024;
    }, { what: "40 MB to arrive", timeoutMs: 30_000 });
    // Mid-transfer, no live command line shows the password (the transfer reads credentials.json).
    const ps = new TextDecoder().decode(
      (await new Deno.Command("ps", { args: ["-eo", "args="], stdout: "piped" }).output()).stdout,
    );
    assert(ps.includes("transfer get"), "the transfer is not in ps");
    assert(!ps.includes(PASS), "the password shows in ps");
    const k = await barn(home, ["kill", id, "--output=json"]);

    assertEquals(k.json().state, "canceled");
    let exists = true;
    try {
      Deno.statSync(target);
    } catch {
      exists = false;
    }
    assert(!exists, "a partial download sits under the final name");
    const partial = Deno.statSync(`${home}/input/.movie.bin.barn-part`).size;
    assert(partial > 40 * 1024 * 1024 && partial < size, `partial is ${partial} bytes`);
    // Memory stayed flat: far below the file's size.
    const peak = Math.max(...rss);
    assert(
      rss.length >= 3 && peak < 150 * 1024 * 1024,
      `transfer RSS peaked at ${peak} over ${rss.length} samples`,
    );
    proxy.reset();
    const r = await barn(home, ["retry", id, "--output=json"]);
    const j = await done(home, r.json().job_id);
    assertEquals(j.state, "succeeded", j.error);
    assertEquals(await sha256(target), await sha256(`${dav.root}/movie.bin`));
    const fetched = proxy.downBytes();
    assert(
      fetched < size - partial + 1024 * 1024,
      `the retry fetched ${fetched} bytes (file ${size}, had ${partial})`,
    );
    assertMatch(Deno.readTextFileSync(j.stdout_path), /resuming at byte \d+/);
  } finally {
    await proxy.stop();
    await dav.stop();
    await cleanupHome(home);
    await cleanupHome(`${home}-srv`);
  }
});
