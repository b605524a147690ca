/**
 * Issue 13, cases 6 and 9: links planted at every path a user hands barn (watch folders and their
 * subfolders, JobSpec sources and outputs, batch files, get/put local paths, scratch files, the
 * credentials file, secrets named as job inputs) get nothing created, read or written outside
 * /tmp/barn. Each case checks the refusal code, that the outside directory stays empty, that
 * /etc/passwd is unchanged, and that no line of it shows up in any output or file of the home.
 */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  barn,
  cleanupHome,
  makeClip,
  readJson,
  type Result,
  type RunOptions,
  tempHome,
} from "./helpers/barn.ts";
import { startDav } from "./helpers/dav.ts";

const PASSWD = "/etc/passwd";
/** The start of /etc/passwd's first line ("root:x:0:0"): no output may ever contain it. */
const MARK = Deno.readTextFileSync(PASSWD).split("\n")[0]!.slice(0, 10);

interface Scene {
  home: string;
  /** An empty directory outside /tmp/barn that `home/l` links to. */
  out: string;
  /** A file outside /tmp/barn whose content must stay as it is. */
  victim: string;
  passwd: [number, number | undefined];
  outputs: string[];
}

function scene(name: string): Scene {
  const home = tempHome(name);
  const out = `/var/tmp/barn-escape-${crypto.randomUUID().slice(0, 8)}`;
  Deno.mkdirSync(out);
  const victim = `${out}-victim`;
  Deno.writeTextFileSync(victim, "keep me\n");
  Deno.symlinkSync(out, `${home}/l`);
  Deno.symlinkSync(PASSWD, `${home}/p`);
  const st = Deno.statSync(PASSWD);
  return { home, out, victim, passwd: [st.size, st.mtime?.getTime()], outputs: [] };
}

async function run(s: Scene, args: string[], opts: RunOptions = {}): Promise<Result> {
  const r = await barn(s.home, args, opts);
  s.outputs.push(r.stdout, r.stderr);
  return r;
}

/** Every regular file below `dir`, links not followed. */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...files(p));
    else if (e.isFile) out.push(p);
  }
  return out;
}

function assertContained(s: Scene): void {
  assertEquals([...Deno.readDirSync(s.out)].map((e) => e.name), [], `nothing created in ${s.out}`);
  assertEquals(Deno.readTextFileSync(s.victim), "keep me\n", `${s.victim} unchanged`);
  const st = Deno.statSync(PASSWD);
  assertEquals([st.size, st.mtime?.getTime()], s.passwd, "/etc/passwd untouched");
  for (const o of s.outputs) assert(!o.includes(MARK), `output shows /etc/passwd:\n${o}`);
  for (const f of files(s.home)) {
    const text = new TextDecoder().decode(Deno.readFileSync(f));
    assert(!text.includes(MARK), `${f} holds a line of /etc/passwd`);
  }
}

async function done(s: Scene): Promise<void> {
  await cleanupHome(s.home);
  Deno.removeSync(s.out, { recursive: true });
  Deno.removeSync(s.victim);
}

function jobSpec(folder: string, name: string, clip: Record<string, string>): void {
  Deno.writeTextFileSync(
    `${folder}/pending/${name}.json`,
    JSON.stringify({ jobspec_version: 2, job_id: name, clips: [{ preset: "h264_360p", ...clip }] }),
  );
}

Deno.test("watch folders: a link on the way, at a subfolder, at the lock or at a job list leads nowhere", async () => {
  const s = scene("sbx-wf");
  try {
    // The folder itself through a link out of the sandbox.
    const through = await run(s, [
      "watch",
      `${s.home}/l/w`,
      "--once",
      "--offline",
      "--output=json",
    ]);
    assertEquals([through.code, through.json().error.code], [104, "E_SANDBOX"], through.stdout);
    // Each subfolder a link to the outside: refused as unsafe.
    for (const d of ["pending", "running", "completed", "failed"]) {
      const w = `${s.home}/w-${d}`;
      Deno.mkdirSync(w);
      Deno.symlinkSync(s.out, `${w}/${d}`);
      const r = await run(s, ["watch", w, "--once", "--offline", "--output=json"]);
      assertEquals([r.code, r.json().error.code], [104, "E_UNSAFE_HOME"], `${d}: ${r.stdout}`);
    }
    // The lock file a link to a file outside (which the lock would truncate), or a dangling one.
    for (const [name, target] of [["wl", s.victim], ["wd", `${s.out}/lock`]]) {
      const wl = `${s.home}/${name}`;
      Deno.mkdirSync(wl);
      Deno.symlinkSync(target!, `${wl}/.barn-watch.lock`);
      const lock = await run(s, ["watch", wl, "--once", "--offline", "--output=json"]);
      assertEquals([lock.code, lock.json().error.code], [104, "E_SANDBOX"], lock.stdout);
    }
    // A JobSpec left in running/ whose job list is a link to /etc/passwd: recovered, never read.
    const wr = `${s.home}/wr`;
    for (const d of ["pending", "running"]) Deno.mkdirSync(`${wr}/${d}`, { recursive: true });
    Deno.writeTextFileSync(`${wr}/running/x.json`, '{"job_id": "x"}');
    Deno.symlinkSync(PASSWD, `${wr}/running/.x.json.barn-jobs`);
    // Pending JobSpecs that are links (to /etc/passwd, and out of the sandbox) are never taken.
    Deno.symlinkSync(PASSWD, `${wr}/pending/a.json`);
    Deno.symlinkSync(`${s.out}/b.json`, `${wr}/pending/b.json`);
    const rec = await run(s, ["watch", wr, "--once", "--offline"]);
    assertEquals(rec.code, 0, rec.stderr);
    assertEquals(readJson(`${wr}/failed/x.result.json`).final_status, "FAILED");
    assertEquals([...Deno.readDirSync(`${wr}/pending`)].map((e) => e.name).sort(), [
      "a.json",
      "b.json",
    ]);
    assertContained(s);
  } finally {
    await done(s);
  }
});

Deno.test("JobSpec sources and outputs through links: refused with E_SANDBOX before any job runs", async () => {
  const s = scene("sbx-js");
  try {
    const clip = await makeClip(`${s.home}/input/clip.mp4`, 1);
    Deno.writeTextFileSync(`${s.home}/credentials.json`, '{"hosts": {}}', { mode: 0o600 });
    Deno.symlinkSync(`${s.home}/credentials.json`, `${s.home}/cred`);
    Deno.symlinkSync(`${s.out}/d.mp4`, `${s.home}/dangling.mp4`);
    const w = `${s.home}/w`;
    Deno.mkdirSync(`${w}/pending`, { recursive: true });
    const cases: Record<string, Record<string, string>> = {
      output_link: { source: clip, output: `${s.home}/l/o.mp4` },
      output_dir_link: { source: clip, output_dir: `${s.home}/l/dir` },
      output_dangling: { source: clip, output: `${s.home}/dangling.mp4` },
      source_passwd: { source: `${s.home}/p`, output: `${s.home}/output/p.mp4` },
      source_outside: { source: `${s.home}/l/clip.mp4`, output: `${s.home}/output/o.mp4` },
      source_secret: { source: `${s.home}/cred`, output: `${s.home}/output/c.mp4` },
    };
    for (const [name, c] of Object.entries(cases)) jobSpec(w, name, c);
    const r = await run(s, ["watch", w, "--once", "--offline"]);
    assertEquals(r.code, 0, r.stderr);
    for (const name of Object.keys(cases)) {
      const res = readJson(`${w}/failed/${name}.result.json`) as {
        final_status: string;
        failure_reason: string;
        clips: { barn_job_id: string | null }[];
      };
      assertEquals(res.final_status, "PARTIAL", name);
      assertMatch(res.failure_reason, /^E_SANDBOX: .*docs\/security\.md/, name);
      assertEquals(res.clips.map((c) => c.barn_job_id), [null], `${name}: no job ran`);
    }
    assertEquals([...Deno.readDirSync(`${s.home}/output`)].length, 0);
    assertContained(s);
  } finally {
    await done(s);
  }
});

Deno.test("batch files, get/put local paths, a download's scratch file and credentials.json through links", async () => {
  const s = scene("sbx-tr");
  const dav = await startDav(`${s.home}-srv`, "barn", "pw");
  try {
    Deno.writeTextFileSync(`${dav.root}/small.txt`, "hello barn\n");
    const login = { BARN_DAV_USER: "barn", BARN_DAV_PASSWORD: "pw" };
    for (const batch of [`${s.home}/p`, `${s.home}/l/b.jsonl`]) {
      const r = await run(s, ["run", `--batch=${batch}`, "--output=json"]);
      assertEquals([r.code, r.json().error.code], [104, "E_SANDBOX"], r.stdout);
    }
    const refused = [
      ["get", `${dav.url}/small.txt`, `${s.home}/l/x.txt`],
      ["put", `${s.home}/p`, `${dav.url}/up/passwd`],
      ["put", `${s.home}/l/f.bin`, `${dav.url}/up/f.bin`],
    ];
    for (const args of refused) {
      const r = await run(s, ["--offline", "--output=json", ...args], { env: login });
      assertEquals([r.code, r.json().error.code], [104, "E_SANDBOX"], r.stdout);
    }
    // The download's scratch file is a dangling link out of the sandbox: the job fails E_SANDBOX.
    Deno.mkdirSync(`${s.home}/input`, { recursive: true, mode: 0o700 });
    Deno.symlinkSync(`${s.out}/part`, `${s.home}/input/.dl.txt.barn-part`);
    const part = await run(s, [
      "get",
      "--offline",
      "--output=json",
      `${dav.url}/small.txt`,
      `${s.home}/input/dl.txt`,
    ], { env: login });
    assertEquals([part.code, part.json().exit_code], [104, "E_SANDBOX"], part.stdout);
    // credentials.json a link to /etc/passwd: refused, and not a byte of it is quoted.
    Deno.symlinkSync(PASSWD, `${s.home}/credentials.json`);
    const cred = await run(s, [
      "get",
      "--offline",
      "--output=json",
      `${dav.url}/small.txt`,
      `${s.home}/input/c.txt`,
    ]);
    assertEquals([cred.code, cred.json().exit_code], [104, "E_SANDBOX"], cred.stdout);
    assertEquals(files(dav.root).map((f) => f.slice(dav.root.length)), ["/small.txt"]);
    assertContained(s);
  } finally {
    await dav.stop();
    Deno.removeSync(dav.root, { recursive: true });
    await done(s);
  }
});

Deno.test("a job may not name a secret as a file, in any spelling curl, ffmpeg, ffprobe and put accept", async () => {
  const s = scene("sbx-sec");
  try {
    // A real secret: curl's moved credentials in jobs/<id>/secrets/curl-1.conf.
    const made = await run(s, [
      "run",
      "--offline",
      "--output=json",
      "curl",
      "-sS",
      "-u",
      "media:hunter2",
      "http://127.0.0.1:9/",
    ]);
    const id = made.json().job_id as string;
    const secret = `${s.home}/jobs/${id}/secrets/curl-1.conf`;
    assert(Deno.statSync(secret).isFile);
    Deno.writeTextFileSync(`${s.home}/credentials.json`, '{"hosts": {}}', { mode: 0o600 });
    Deno.symlinkSync(secret, `${s.home}/s`);
    const link = `${s.home}/s`;
    const url = "http://127.0.0.1:9/";
    const argvs = [
      ["curl", "-T", secret, url],
      ["curl", "--upload-file", link, url],
      ["curl", `-sT${link}`, url],
      ["curl", "-sS", "-T", `${s.home}/jobs/${id}/secret[r-s]/curl-1.conf`, url],
      ["curl", "-d", `@${link}`, url],
      ["curl", "--data-binary", `@${secret}`, url],
      ["curl", "--data-urlencode", `x@${link}`, url],
      ["curl", "-F", `f=@${link};type=text/plain`, url],
      ["curl", "-F", `f=<${link}`, url],
      ["curl", "-H", `@${link}`, url],
      ["curl", "-K", link, url],
      ["curl", `file://${link}`],
      ["curl", "-T", `${s.home}/credentials.json`, url],
      ["curl", "-o", secret, url],
      ["ffmpeg", "-i", link, "-f", "null", "-"],
      ["ffmpeg", "-i", `file:${secret}`, "-f", "null", "-"],
      ["ffprobe", link],
      ["put", link, `${url}x`],
    ];
    for (const argv of argvs) {
      const args = argv[0] === "put" ? argv : ["run", ...argv];
      const r = await run(s, ["--offline", "--output=json", ...args]);
      assertEquals(
        [r.code, r.json().error?.code],
        [104, "E_SANDBOX"],
        `${argv.join(" ")}\n${r.stdout}`,
      );
    }
    // Relative to the job's working directory, too.
    const rel = await run(s, ["--offline", "--output=json", "run", "curl", "-T", "s", url], {
      cwd: s.home,
    });
    assertEquals([rel.code, rel.json().error?.code], [104, "E_SANDBOX"], rel.stdout);
    // A file that is no secret is not refused: curl runs and fails to connect (7).
    const clip = await makeClip(`${s.home}/input/clip.mp4`, 1);
    const fine = await run(s, [
      "--offline",
      "--output=json",
      "run",
      "curl",
      "-sS",
      "-T",
      clip,
      url,
    ]);
    assertEquals([fine.code, fine.json().exit_code], [7, 7], fine.stdout);
    assertContained(s);
  } finally {
    await done(s);
  }
});
