/**
 * Job data in and out through a pipe, as over ssh: `barn export ID | tar -x`, `barn export |
 * barn import --tar` between two barn processes, `barn import NAME` with checks, and the
 * refusals: unfinished jobs, secrets, paths out of the sandbox, and tar entries that would
 * escape input/ (`..`, absolute, symlink, hard link, device), none of which lets anything land.
 */

import { assert, assertEquals } from "./helpers/assert.ts";
import { DatabaseSync } from "node:sqlite";
import {
  barn,
  cleanupHome,
  DENO,
  MAIN,
  makeClip,
  sineJob,
  startService,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";
import { startHttp } from "./helpers/http.ts";

const dec = new TextDecoder();

/** `barn <args>` with stdin and stdout as streams, for pipes between processes. */
function spawn(home: string, args: string[], stdin: "piped" | "null" = "null") {
  return new Deno.Command(DENO, {
    args: ["run", "-q", "-P=barn", MAIN, ...args],
    env: { BARN_HOME: home, NO_COLOR: "1" },
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** `barn export` into a byte array. */
async function exportBytes(home: string, args: string[]) {
  const out = await spawn(home, ["export", ...args]).output();
  return { code: out.code, tar: out.stdout, stderr: dec.decode(out.stderr) };
}

/** Runs a system tool with `input` on stdin. */
async function tool(cmd: string, args: string[], input?: Uint8Array, cwd?: string) {
  const child = new Deno.Command(cmd, {
    args,
    ...(cwd === undefined ? {} : { cwd }),
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input) {
    const w = child.stdin.getWriter();
    await w.write(input);
    await w.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function importFrom(home: string, args: string[], input: Uint8Array) {
  const child = spawn(home, ["import", ...args], "piped");
  const w = child.stdin.getWriter();
  await w.write(input);
  await w.close();
  const out = await child.output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every path below `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of Deno.readDirSync(d)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      if (e.isDirectory) walk(`${d}/${e.name}`, r);
    }
  };
  walk(dir, "");
  return out.sort();
}

async function offlineJob(home: string, command: string[]): Promise<string> {
  const r = await barn(home, ["run", "--offline", "--output=json", ...command]);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  return r.json().job_id;
}

Deno.test("export: record, logs and output through the system tar; the manifest checks with sha256sum", async () => {
  const home = tempHome("export");
  try {
    await makeClip(`${home}/input/clip.mp4`, 1);
    const id = await offlineJob(home, [
      "ffmpeg",
      "-v",
      "info",
      "-i",
      `${home}/input/clip.mp4`,
      "-c",
      "copy",
      `${home}/output/out.mp4`,
    ]);
    const { code, tar, stderr } = await exportBytes(home, [id]);
    assertEquals(code, 0, stderr);
    const dir = `${home}/x`;
    Deno.mkdirSync(dir);
    const x = await tool("tar", ["-x", "-C", dir], tar);
    assertEquals(x.code, 0, x.stderr);
    const rel = home.slice("/tmp/barn/".length);
    assertEquals(tree(dir).filter((p) => !Deno.statSync(`${dir}/${p}`).isDirectory), [
      `barn-${id}/job.json`,
      `barn-${id}/logs/stderr.log`,
      `barn-${id}/logs/stdout.log`,
      `barn-${id}/manifest.json`,
      `barn-${id}/outputs/${rel}/output/out.mp4`,
    ]);
    const record = JSON.parse(Deno.readTextFileSync(`${dir}/barn-${id}/job.json`));
    assertEquals([record.job_id, record.state], [id, "succeeded"]);
    assertEquals(
      Deno.readFileSync(`${dir}/barn-${id}/outputs/${rel}/output/out.mp4`),
      Deno.readFileSync(`${home}/output/out.mp4`),
    );
    assert(Deno.readTextFileSync(`${dir}/barn-${id}/logs/stderr.log`).includes("ffmpeg version"));
    const manifest = JSON.parse(Deno.readTextFileSync(`${dir}/barn-${id}/manifest.json`));
    assertEquals(manifest.job_id, id);
    assertEquals(manifest.skipped, []);
    assertEquals(manifest.files.length, 4);
    const sums = manifest.files.map((f: { sha256: string; name: string }) =>
      `${f.sha256}  ${f.name}\n`
    )
      .join("");
    const check = await tool(
      "sha256sum",
      ["-c", "--strict", "-"],
      new TextEncoder().encode(sums),
      dir,
    );
    assertEquals(check.code, 0, check.stdout + check.stderr);
    const out = manifest.files.find((f: { role: string }) => f.role === "output");
    assertEquals(out.path, `${home}/output/out.mp4`);
    assertEquals(out.size, Deno.statSync(`${home}/output/out.mp4`).size);
    // Narrowed: outputs only, logs only (job.json and the manifest always come along).
    const names = async (args: string[]) =>
      (await tool("tar", ["-t"], (await exportBytes(home, args)).tar)).stdout.trim().split("\n");
    assertEquals(await names([id, "--outputs-only"]), [
      `barn-${id}/job.json`,
      `barn-${id}/outputs/${rel}/output/out.mp4`,
      `barn-${id}/manifest.json`,
    ]);
    assertEquals(await names([id, "--logs-only"]), [
      `barn-${id}/job.json`,
      `barn-${id}/logs/stdout.log`,
      `barn-${id}/logs/stderr.log`,
      `barn-${id}/manifest.json`,
    ]);
    // --include adds a file the argv does not name; export never creates a DB that is not there.
    Deno.writeTextFileSync(`${home}/output/extra.txt`, "extra\n");
    assert((await names([id, "--outputs-only", `--include=${home}/output/extra.txt`]))
      .includes(`barn-${id}/outputs/${rel}/output/extra.txt`));
    const empty = tempHome("export-none");
    try {
      const none = await exportBytes(empty, [id]);
      assertEquals(none.code, 101, none.stderr);
      assertEquals(tree(empty), []);
    } finally {
      await cleanupHome(empty);
    }
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("export | import --tar between two barn processes, and import NAME with --size and --sha256", async () => {
  const a = tempHome("from");
  const b = tempHome("to");
  try {
    // 17 MiB and a bit: chunking and padding, and export's hashing Worker (16 MiB and up) under
    // the shipped permission set.
    const data = new Uint8Array(17 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 0xff;
    Deno.mkdirSync(`${a}/output`, { mode: 0o700 });
    Deno.writeFileSync(`${a}/output/blob.bin`, data);
    const id = await offlineJob(a, ["ffprobe", "-version"]);
    const exp = spawn(a, ["export", id, `--include=${a}/output/blob.bin`]);
    const imp = spawn(b, ["import", "--tar", "--output=json"], "piped");
    await exp.stdout.pipeTo(imp.stdin);
    const [e, i] = await Promise.all([exp.output(), imp.output()]);
    assertEquals([e.code, i.code], [0, 0], dec.decode(e.stderr) + dec.decode(i.stderr));
    const landed = JSON.parse(dec.decode(i.stdout));
    const rel = a.slice("/tmp/barn/".length);
    const blob = `${b}/input/barn-${id}/outputs/${rel}/output/blob.bin`;
    assert(landed.files.some((f: { path: string }) => f.path === blob), JSON.stringify(landed));
    assertEquals(Deno.readFileSync(blob), data);
    const manifest = JSON.parse(Deno.readTextFileSync(`${b}/input/barn-${id}/manifest.json`));
    const entry = manifest.files.find((f: { path: string }) => f.path === `${a}/output/blob.bin`);
    assertEquals([entry.size, entry.sha256], [data.length, await sha256(data)]);
    assertEquals((Deno.statSync(blob).mode ?? 0) & 0o777, 0o600);
    assertEquals((Deno.statSync(`${b}/input/barn-${id}`).mode ?? 0) & 0o777, 0o700);
    assertEquals(tree(`${b}/input`).filter((p) => p.includes(".barn-import-")), []);

    // One file: checked, printed, never clobbered, replaced only with --overwrite.
    const sum = await sha256(data);
    const one = await importFrom(
      b,
      [`--size=${data.length}`, `--sha256=${sum}`, "clips/a.bin"],
      data,
    );
    assertEquals(one.code, 0, one.stderr);
    assertEquals(one.stdout.trim(), `${b}/input/clips/a.bin`);
    assertEquals(Deno.readFileSync(`${b}/input/clips/a.bin`), data);
    const again = await importFrom(b, ["clips/a.bin"], new TextEncoder().encode("other"));
    assertEquals(again.code, 109, again.stderr);
    assertEquals(Deno.readFileSync(`${b}/input/clips/a.bin`), data, "not clobbered");
    const bad = await importFrom(b, [`--sha256=${"0".repeat(64)}`, "clips/b.bin"], data);
    assertEquals(bad.code, 113, bad.stderr);
    const short = await importFrom(b, [`--size=${data.length + 1}`, "clips/c.bin"], data);
    assertEquals(short.code, 113, short.stderr);
    assertEquals(
      tree(`${b}/input/clips`),
      ["a.bin"],
      "failed imports leave no file, not even a temp",
    );
    const over = await importFrom(
      b,
      ["--overwrite", "clips/a.bin"],
      new TextEncoder().encode("v2"),
    );
    assertEquals(over.code, 0, over.stderr);
    assertEquals(Deno.readTextFileSync(`${b}/input/clips/a.bin`), "v2");
    // A directory in the way: E_EXISTS that does not point at an --overwrite that can't help.
    const onDir = await importFrom(b, ["clips"], new TextEncoder().encode("x"));
    assertEquals(onDir.code, 109, onDir.stderr);
    assert(onDir.stderr.includes("not even with --overwrite"), onDir.stderr);
    // A file where a directory would go: E_EXISTS, not ENOTDIR's E_INTERNAL.
    const underFile = await importFrom(b, ["clips/a.bin/x"], new TextEncoder().encode("x"));
    assertEquals(underFile.code, 109, underFile.stderr);
    assert(underFile.stderr.includes("is a file, so nothing can go below it"), underFile.stderr);
    assertEquals(Deno.readTextFileSync(`${b}/input/clips/a.bin`), "v2");
    // The same in a tar, after a good file: refused before anything moves in.
    const scratch = `${b}/scratch`;
    Deno.mkdirSync(`${scratch}/clips/a.bin`, { recursive: true });
    Deno.writeTextFileSync(`${scratch}/first.txt`, "1");
    Deno.writeTextFileSync(`${scratch}/clips/a.bin/y`, "y");
    const inTheWay = await new Deno.Command("tar", {
      args: ["-cf", "-", "-C", scratch, "first.txt", "clips/a.bin/y"],
      stdout: "piped",
    }).output();
    const tarUnderFile = await importFrom(b, ["--tar"], inTheWay.stdout);
    assertEquals(tarUnderFile.code, 109, tarUnderFile.stderr);
    assertEquals(tree(`${b}/input`).includes("first.txt"), false, "nothing moved in");
    // A tar whose files exist already: refused whole, unless --overwrite.
    const tar = (await exportBytes(a, [id, "--logs-only"])).tar;
    const wrongSum = await importFrom(b, ["--tar", `--sha256=${"0".repeat(64)}`], tar);
    assertEquals(wrongSum.code, 113, wrongSum.stderr);
    const clash = await importFrom(b, ["--tar"], tar);
    assertEquals(clash.code, 109, clash.stderr);
    assertEquals((await importFrom(b, ["--tar", "--overwrite"], tar)).code, 0);
  } finally {
    await cleanupHome(a);
    await cleanupHome(b);
  }
});

Deno.test("export refuses unfinished jobs, never exports a secret, and skips what leads out of the sandbox", async () => {
  const home = tempHome("export-refuse");
  const http = startHttp();
  try {
    // A running job (its --offline client supervises it): E_STATE while it runs.
    const runner = spawn(home, ["run", "--offline", "--output=json", ...sineJob(30)]);
    const running = await waitFor(() => {
      try {
        const db = new DatabaseSync(`${home}/barn.db`, { readOnly: true });
        try {
          return (db.prepare("SELECT job_id FROM jobs WHERE state = 'running'").get() as
            | { job_id: string }
            | undefined)?.job_id;
        } finally {
          db.close();
        }
      } catch {
        return undefined;
      }
    }, { what: "the job to run" });
    const refused = await exportBytes(home, [running]);
    assertEquals(refused.code, 102, refused.stderr);
    assert(refused.stderr.includes("[E_STATE]"), refused.stderr);
    assertEquals(refused.tar.length, 0, "not a byte of tar");
    runner.kill("SIGINT");
    await runner.output();

    // A curl job with a password: its secrets file is never in the archive, nor the password.
    const pw = "pw-" + crypto.randomUUID();
    const id = await offlineJob(home, [
      "curl",
      "-fsS",
      "-u",
      `user:${pw}`,
      "-o",
      `${home}/output/dl.txt`,
      `${http.url}/`,
    ]);
    const secret = `${home}/jobs/${id}/secrets/curl-1.conf`;
    assert(Deno.statSync(secret).isFile);
    const full = await exportBytes(home, [id]);
    assertEquals(full.code, 0, full.stderr);
    const listing = (await tool("tar", ["-t"], full.tar)).stdout;
    assert(listing.includes(`barn-${id}/outputs/`) && listing.includes("output/dl.txt"), listing);
    assert(!listing.includes("secrets"), listing);
    assert(!dec.decode(full.tar).includes(pw), "the password is not in the archive");
    Deno.symlinkSync(secret, `${home}/output/link.conf`);
    const includes: [string, number][] = [
      [secret, 104],
      [`${home}/output/link.conf`, 104],
      ["/etc/hostname", 104],
      [`${home}/jobs`, 2],
      [`${home}/output/${"n".repeat(300)}`, 2], // ENAMETOOLONG: E_USAGE, not E_INTERNAL
    ];
    for (const [inc, want] of includes) {
      const r = await exportBytes(home, [id, `--include=${inc}`]);
      assertEquals(r.code, want, `${inc}: ${r.stderr}`);
      assertEquals(r.tar.length, 0, inc);
    }
    // A failed job whose output name the file system refused still exports, that output skipped.
    const tooLong = `${home}/output/${"n".repeat(300)}.txt`;
    const failed = await barn(home, [
      "run",
      "--offline",
      "--output=json",
      "curl",
      "-fsS",
      "-o",
      tooLong,
      `${http.url}/`,
    ]);
    assert(failed.code !== 0, failed.stdout);
    const failedExport = await exportBytes(home, [failed.json().job_id]);
    assertEquals(failedExport.code, 0, failedExport.stderr);
    assert(failedExport.stderr.includes("not exported"), failedExport.stderr);
    // An output that now leads out of the sandbox is skipped, and the manifest says why.
    Deno.removeSync(`${home}/output/dl.txt`);
    Deno.symlinkSync("/etc/hostname", `${home}/output/dl.txt`);
    const skip = await exportBytes(home, [id, "--outputs-only"]);
    assertEquals(skip.code, 0, skip.stderr);
    const dir = `${home}/x`;
    Deno.mkdirSync(dir);
    assertEquals((await tool("tar", ["-x", "-C", dir], skip.tar)).code, 0);
    const manifest = JSON.parse(Deno.readTextFileSync(`${dir}/barn-${id}/manifest.json`));
    assertEquals(manifest.files.map((f: { role: string }) => f.role), ["record"]);
    assertEquals(manifest.skipped.length, 1);
    assertEquals(manifest.skipped[0].path, `${home}/output/dl.txt`);
    assert(
      manifest.skipped[0].reason.includes("link out of barn's sandbox"),
      manifest.skipped[0].reason,
    );
    assert(skip.stderr.includes("not exported"), skip.stderr);
  } finally {
    await http.close();
    await cleanupHome(home);
  }
});

Deno.test("import --tar: .., absolute names, links and devices are refused, and nothing of the archive lands", async () => {
  const home = tempHome("import-escape");
  try {
    const s = `${home}/scratch`;
    Deno.mkdirSync(`${s}/sub`, { recursive: true });
    Deno.writeTextFileSync(`${s}/sub/good`, "good\n");
    Deno.writeTextFileSync(`${s}/evil`, "evil\n");
    Deno.symlinkSync("/etc/passwd", `${s}/sub/l`);
    Deno.linkSync(`${s}/sub/good`, `${s}/sub/hl`);
    // Each archive starts with a good file, so "nothing lands" is a real claim.
    const cases: [string, string[]][] = [
      ["..", ["-cPf", "-", "-C", `${s}/sub`, "good", "../evil"]],
      ["absolute", ["-cPf", "-", "-C", `${s}/sub`, "good", `${s}/evil`]],
      ["symlink", ["-cf", "-", "-C", `${s}/sub`, "good", "l"]],
      ["hard link", ["-cf", "-", "-C", `${s}/sub`, "good", "hl"]],
      ["device", ["-cf", "-", "-C", `${s}/sub`, "good", "-C", "/", "dev/null"]],
    ];
    for (const [name, args] of cases) {
      const out = await new Deno.Command("tar", { args, stdout: "piped", stderr: "null" }).output();
      assertEquals(out.code, 0, name);
      const r = await importFrom(home, ["--tar"], out.stdout);
      assertEquals(r.code, 104, `${name}: ${r.stderr}`);
      assert(r.stderr.includes("[E_SANDBOX]") && r.stderr.includes("nothing"), r.stderr);
      assertEquals(tree(`${home}/input`), [], `${name}: nothing landed, no staging left`);
    }
    assertEquals(Deno.readTextFileSync(`${s}/evil`), "evil\n");
    // A truncated stream is refused too (the decoder is strict).
    const whole = await new Deno.Command("tar", {
      args: ["-cf", "-", "-C", `${s}/sub`, "good"],
      stdout: "piped",
    }).output();
    const cut = await importFrom(home, ["--tar"], whole.stdout.subarray(0, 700));
    assertEquals(cut.code, 2, cut.stderr); // bad input, not E_INTERNAL's "a bug in barn"
    assert(cut.stderr.includes("not a complete tar stream") && cut.stderr.includes("[E_USAGE]"));
    assertEquals(tree(`${home}/input`), []);
    // A link inside input/ that leads elsewhere, even inside the sandbox, is no way out of it.
    Deno.mkdirSync(`${home}/elsewhere`, { mode: 0o700 });
    Deno.symlinkSync(`${home}/elsewhere`, `${home}/input/away`);
    const away = await importFrom(home, ["away/x.bin"], new TextEncoder().encode("x"));
    assertEquals(away.code, 104, away.stderr);
    assertEquals(tree(`${home}/elsewhere`), []);
    Deno.removeSync(`${home}/input/away`);
    // And the same names as `barn import NAME` are refused before a byte is read.
    for (const bad of ["../x", "/tmp/barn/x", "a/../../x"]) {
      const r = await importFrom(home, [bad], new TextEncoder().encode("x"));
      assertEquals(r.code, 104, `${bad}: ${r.stderr}`);
    }
    const long = await importFrom(home, ["n".repeat(300)], new TextEncoder().encode("x"));
    assertEquals(long.code, 2, long.stderr); // the file system's ENAMETOOLONG was E_INTERNAL
    assert(long.stderr.includes("at most 255"), long.stderr);
    assertEquals(tree(`${home}/input`), []);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("export reads the store beside a running service, whose jobs it sees", async () => {
  const home = tempHome("export-svc");
  try {
    await startService(home);
    const r = await barn(home, ["run", "--output=json", "ffprobe", "-version"]);
    assertEquals(r.code, 0, r.stderr);
    const id = r.json().job_id;
    assertEquals((await barn(home, ["wait", id])).code, 0);
    const { code, tar, stderr } = await exportBytes(home, [id, "--logs-only"]);
    assertEquals(code, 0, stderr);
    const dir = `${home}/x`;
    Deno.mkdirSync(dir);
    assertEquals((await tool("tar", ["-x", "-C", dir], tar)).code, 0);
    assert(Deno.readTextFileSync(`${dir}/barn-${id}/logs/stdout.log`).includes("ffprobe version"));
    assertEquals(
      JSON.parse(Deno.readTextFileSync(`${dir}/barn-${id}/job.json`)).supervisor,
      "keeper",
    );
    assertEquals((await barn(home, ["service", "status"])).code, 0, "the service is still up");
  } finally {
    await cleanupHome(home);
  }
});
