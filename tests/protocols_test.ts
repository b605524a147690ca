/** The per-tool protocol policy with real curl and ffmpeg: what a job may reach, and how config widens it. */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, makeClip, tempHome } from "./helpers/barn.ts";
import { startHttp } from "./helpers/http.ts";
import { probe } from "../src/media/probe.ts";
import { DEFAULT_FFMPEG_PROTOCOLS } from "../src/media/protocol_names.ts";

// deno-lint-ignore no-explicit-any
type Rec = any;

async function runOffline(home: string, args: string[]): Promise<Rec> {
  const r = await barn(home, ["run", "--offline", "--output=json", ...args]);
  return r.stdout ? r.json() : { code: r.code, stderr: r.stderr };
}

Deno.test("curl jobs reach http(s) only: file:// fails, loopback http works, --proto can't widen", async () => {
  const home = tempHome("protocurl");
  const http = startHttp();
  try {
    const file = await runOffline(home, ["curl", "-sS", "file:///etc/hostname"]);
    assertEquals(file.state, "failed");
    assertEquals(file.exit_code, 1);
    assertMatch(Deno.readTextFileSync(file.stderr_path), /Protocol "?file"? .*disabled/i);
    assertEquals(Deno.readTextFileSync(file.stdout_path), "");
    const web = await runOffline(home, ["curl", "-sS", `${http.url}/delay/0/200`]);
    assertEquals(web.state, "succeeded");
    assertEquals(Deno.readTextFileSync(web.stdout_path), "status 200\n");
    // A --proto of the user's own only narrows; one that leaves nothing is refused.
    const narrowed = await runOffline(home, [
      "curl",
      "-sS",
      "--proto",
      "=https,file",
      `${http.url}/`,
    ]);
    assertEquals(narrowed.state, "failed");
    const refused = await barn(home, [
      "run",
      "--offline",
      "curl",
      "--proto",
      "=file",
      "file:///etc/hostname",
    ]);
    assertEquals(refused.code, 2);
    assertMatch(refused.stderr, /allows none of the protocols .*\[E_USAGE\]/);
    // Widened by name in config.
    Deno.writeTextFileSync(`${home}/config.json`, '{"curl_protocols": ["http", "https", "file"]}');
    const widened = await runOffline(home, ["curl", "-sS", "file:///etc/hostname"]);
    assertEquals(widened.state, "succeeded");
  } finally {
    await http.close();
    await cleanupHome(home);
  }
});

Deno.test("ffmpeg jobs: a protocol whitelist (file: works, nested subfile: fails until config allows it), no userinfo", async () => {
  const home = tempHome("protoff");
  try {
    const clip = await makeClip(`${home}/input/clip.mp4`, 2);
    const ok = await runOffline(home, [
      "ffmpeg",
      "-v",
      "error",
      "-re",
      "-i",
      `file:${clip}`,
      "-c",
      "copy",
      `${home}/output/copy.mp4`,
    ]);
    assertEquals(ok.state, "succeeded", JSON.stringify(ok));
    // The -progress socket and the duration pre-probe work under the whitelist.
    assert(ok.progress?.out_time_seconds > 1, JSON.stringify(ok.progress));
    assert(Math.abs(ok.progress?.duration_seconds - 2) < 0.2, JSON.stringify(ok.progress));
    // A concat list naming subfile: passes barn's argv check; ffmpeg's whitelist stops it.
    Deno.writeTextFileSync(
      `${home}/input/list.txt`,
      `file 'subfile,,start,0,end,0,,:${clip}'\n`,
    );
    const args = [
      "ffmpeg",
      "-v",
      "error",
      "-f",
      "concat",
      "-safe",
      "0",
      "-i",
      `${home}/input/list.txt`,
      "-c",
      "copy",
      "-y",
      `${home}/output/sub.mp4`,
    ];
    const denied = await runOffline(home, args);
    assertEquals(denied.state, "failed");
    assertMatch(Deno.readTextFileSync(denied.stderr_path), /Protocol 'subfile' not on whitelist/);
    Deno.writeTextFileSync(
      `${home}/config.json`,
      JSON.stringify({ ffmpeg_protocols: ["file", "pipe", "subfile"] }),
    );
    const allowed = await runOffline(home, args);
    assertEquals(allowed.state, "succeeded", Deno.readTextFileSync(allowed.stderr_path));
    // Named in the argv, a protocol outside the list is refused at submission.
    const refused = await barn(home, ["run", "--offline", "ffprobe", `concat:${clip}|${clip}`]);
    assertEquals(refused.code, 2);
    assertMatch(refused.stderr, /concat protocol, which ffprobe jobs may not use/);
    // barn's own ffprobe (pre-probe, output checks) runs under the same list.
    const joined = `concat:${clip}|${clip}`;
    const deniedProbe = await probe(joined, { cwd: home, protocols: DEFAULT_FFMPEG_PROTOCOLS });
    assertMatch(deniedProbe.error ?? "", /not on whitelist|Invalid argument/);
    const allowedProbe = await probe(joined, { cwd: home, protocols: ["file", "concat"] });
    assert(
      allowedProbe.error === null && allowedProbe.duration !== null,
      JSON.stringify(allowedProbe),
    );
    // ffmpeg can't take credentials off its command line: userinfo is refused, nothing stored.
    const before = [...Deno.readDirSync(`${home}/jobs`)].length;
    const login = await barn(home, [
      "run",
      "--offline",
      "ffmpeg",
      "-i",
      "https://media:s3cr3t@127.0.0.1:9/x.mp4",
      `${home}/output/x.mp4`,
    ]);
    assertEquals(login.code, 2);
    assertMatch(login.stderr, /user:password@: fetch the input first \(`barn get`/);
    assert(!login.stderr.includes("s3cr3t"), login.stderr);
    assertEquals([...Deno.readDirSync(`${home}/jobs`)].length, before);
  } finally {
    await cleanupHome(home);
  }
});
