/** The sandbox is Deno's: a probe under the shipped permission set is refused where barn must be. */

import { assert, assertEquals } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, MAIN, makeClip, ROOT, tempHome } from "./helpers/barn.ts";

const PROBE = `
const tries = {
  read_passwd: () => Deno.readTextFileSync("/etc/passwd"),
  write_outside: () => Deno.writeTextFileSync("/var/tmp/barn-sandbox-probe", "x"),
  spawn_sh: () => new Deno.Command("/bin/sh", { args: ["-c", "true"] }).outputSync(),
  spawn_python: () => new Deno.Command("python3", { args: ["-c", "1"] }).outputSync(),
  ffi: () => Deno.dlopen("libc.so.6", {}),
  read_proc: () => Deno.readTextFileSync("/proc/self/stat"),
  env_path: () => Deno.env.get("PATH"),
};
const out = {};
for (const [name, f] of Object.entries(tries)) {
  try { f(); out[name] = "allowed"; } catch (e) { out[name] = e.name; }
}
console.log(JSON.stringify(out));
`;

Deno.test("the shipped permission set refuses what it must (NotCapable from Deno itself)", async () => {
  const dir = tempHome("probe");
  try {
    Deno.writeTextFileSync(`${dir}/probe.js`, PROBE);
    const out = await new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", `--config=${ROOT}deno.json`, `${dir}/probe.js`],
      cwd: ROOT,
      env: { BARN_TEST_HOOKS: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const res = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(res, {
      read_passwd: "NotCapable",
      write_outside: "NotCapable",
      spawn_sh: "NotCapable",
      spawn_python: "NotCapable",
      ffi: "NotCapable",
      read_proc: "NotCapable",
      env_path: "NotCapable",
    });
  } finally {
    await cleanupHome(dir);
  }
});

const FLEET_PROBE = `
const tries = {
  read_passwd: () => Deno.readTextFileSync("/etc/passwd"),
  write_barn_home: () => Deno.writeTextFileSync("/tmp/barn/fleet-sandbox-probe", "x"),
  spawn_sh: () => new Deno.Command("/bin/sh", { args: ["-c", "true"] }).outputSync(),
  spawn_ffmpeg: () => new Deno.Command("ffmpeg", { args: ["-version"] }).outputSync(),
  net: () => Deno.listen({ hostname: "127.0.0.1", port: 0 }).close(),
  env_path: () => Deno.env.get("PATH"),
  spawn_ssh: () => new Deno.Command("ssh", { args: ["-V"], stderr: "null" }).outputSync(),
  write_control_dir: () => Deno.mkdirSync("/tmp/barn-fleet", { recursive: true, mode: 0o700 }),
};
const out = {};
for (const [name, f] of Object.entries(tries)) {
  try { f(); out[name] = "allowed"; } catch (e) { out[name] = e.name; }
}
console.log(JSON.stringify(out));
`;

Deno.test("the barn-fleet set runs ssh and scp, writes its control dir, and nothing else", async () => {
  const dir = tempHome("fprobe");
  try {
    Deno.writeTextFileSync(`${dir}/probe.js`, FLEET_PROBE);
    const out = await new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn-fleet", `--config=${ROOT}deno.json`, `${dir}/probe.js`],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), {
      read_passwd: "NotCapable",
      write_barn_home: "NotCapable",
      spawn_sh: "NotCapable",
      spawn_ffmpeg: "NotCapable",
      net: "NotCapable",
      env_path: "NotCapable",
      spawn_ssh: "allowed",
      write_control_dir: "allowed",
    });
    // And the host's set cannot run ssh at all.
    Deno.writeTextFileSync(
      `${dir}/ssh.js`,
      'try { new Deno.Command("ssh", { args: ["-V"] }).outputSync(); console.log("allowed"); } catch (e) { console.log(e.name); }',
    );
    const host = await new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", `--config=${ROOT}deno.json`, `${dir}/ssh.js`],
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    assertEquals(new TextDecoder().decode(host.stdout).trim(), "NotCapable");
  } finally {
    await cleanupHome(dir);
  }
});

Deno.test("ffmpeg jobs still work under the same set", async () => {
  const home = tempHome("sbx");
  try {
    const clip = await makeClip(`${home}/clip.mp4`, 1);
    const r = await barn(home, [
      "run",
      "--offline",
      "--output=json",
      "ffmpeg",
      "-v",
      "error",
      "-i",
      clip,
      "-f",
      "null",
      "-",
    ]);
    assertEquals([r.code, r.json().state], [0, "succeeded"]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("BARN_TEST_HOOKS=1 under the shipped set gives no python3, and no wider set for children", async () => {
  const home = tempHome("hook");
  try {
    const env = { BARN_TEST_HOOKS: "1" };
    const r = await barn(home, ["run", "--offline", "--output=json", "python3", "-c", "print(1)"], {
      env,
    });
    assertEquals(r.code, 126, r.stdout + r.stderr);
    assertEquals(r.json().error.code, "E_NOT_ALLOWED");
    // The service and its keeper, started from the shipped set, stay in it. The keeper must
    // outlive the job below to be looked at: left to its 5 s idle exit it could be gone.
    Deno.writeTextFileSync(`${home}/config.json`, '{"keeper_idle": "10m"}');
    assertEquals((await barn(home, ["service", "start"], { env })).code, 0);
    const sub = await barn(home, ["run", "--output=json", "python3", "-c", "print(1)"], { env });
    assertEquals([sub.code, sub.json().error.code], [126, "E_NOT_ALLOWED"]);
    const ok = await barn(home, ["run", "--output=json", "ffprobe", "-version"], { env });
    const done = await barn(home, ["wait", ok.json().job_id, "--output=json"], { env });
    assertEquals(done.json()[0].state, "succeeded");
    const cmdline = (pid: number) => Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    const info = JSON.parse(Deno.readTextFileSync(`${home}/service.json`));
    assert(cmdline(info.pid).includes("-P=barn"), cmdline(info.pid).join(" "));
    const st = (await barn(home, ["service", "status", "--output=json"])).json();
    assert(st.keeper.pid, `no keeper to check: ${JSON.stringify(st.keeper)}`);
    assert(cmdline(st.keeper.pid).includes("-P=barn"), cmdline(st.keeper.pid).join(" "));
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});

Deno.test("under the test-hook set python3 is allowed and runs", async () => {
  const home = tempHome("hook2");
  try {
    const r = await barn(home, ["run", "--offline", "--output=json", "python3", "-c", "print(1)"], {
      permissionSet: "barn-test-hooks",
    });
    assertEquals([r.code, r.json().state], [0, "succeeded"]);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("under umask 000, job outputs come out without the world-write bit (offline and through the keeper)", async () => {
  const home = tempHome("sbx-umask");
  // The barn process (not the job) is started by a shell that sets umask 000 first.
  const underUmask000 = (args: string[]) =>
    new Deno.Command("/bin/sh", {
      args: ["-c", 'umask 000; exec "$@"', "sh", DENO, "run", "-q", "-P=barn", MAIN, ...args],
      cwd: ROOT,
      env: { BARN_HOME: home, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  try {
    const clip = await makeClip(`${home}/input/clip.mp4`, 1);
    const copyTo = (name: string) => ["ffmpeg", "-v", "error", "-i", clip, "-c", "copy", name];
    const mode = (p: string) => (Deno.statSync(p).mode! & 0o777).toString(8);
    const offline = await underUmask000(["run", "--offline", ...copyTo(`${home}/output/o.mp4`)]);
    assertEquals(offline.code, 0, text(offline.stderr));
    // ffmpeg creates 0666: only the world-write bit is cleared, group write stays.
    assertEquals(mode(`${home}/output/o.mp4`), "664");
    const start = await underUmask000(["service", "start"]);
    assertEquals(start.code, 0, text(start.stderr));
    const sub = await underUmask000(["run", ...copyTo(`${home}/output/k.mp4`)]);
    const done = await barn(home, ["wait", text(sub.stdout).trim(), "--output=json"]);
    assertEquals(done.json()[0].state, "succeeded", done.stdout);
    assertEquals(mode(`${home}/output/k.mp4`), "664");
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});
