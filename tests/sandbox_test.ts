/** The sandbox is Deno's: a probe under the shipped permission set is refused where barn must be. */

import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, makeClip, ROOT, tempHome } from "./helpers/barn.ts";

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

Deno.test("the test-hook allowlist cannot escape the shipped set", async () => {
  const home = tempHome("hook");
  try {
    const r = await barn(home, ["run", "--offline", "--output=json", "python3", "-c", "print(1)"], {
      env: { BARN_TEST_HOOKS: "1" },
    });
    // barn's allowlist lets python3 through under the hook, but Deno's sandbox refuses it.
    assertEquals([r.json().state, r.json().exit_code], ["failed", "E_SANDBOX"]);
    assertMatch(r.json().error, /sandbox refused/);
  } finally {
    await cleanupHome(home);
  }
});
