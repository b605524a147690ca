/** Distribution: rendered units pass systemd-analyze, plists parse, install.sh dry-runs, compile flags. */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, ROOT, tempHome } from "./helpers/barn.ts";
import { renderService } from "../src/platform/service_manager.ts";
import { systemdQuote } from "../src/platform/service_systemd.ts";
import {
  BINARIES,
  compileArgs,
  denortHint,
  outputName,
  permissionFlags,
  stampVersion,
  TARGETS,
  WINDOWS_ROOT,
} from "../install/compile_plan.ts";
import { checkToken, timingSafeEqual } from "../src/platform/transport_tcp.ts";
import { V8_FLAGS } from "../src/platform/self.ts";

const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));

async function verify(
  unitPath: string,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command("systemd-analyze", {
    args: ["verify", unitPath],
    env: { SYSTEMD_LOG_LEVEL: "warning", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    out: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  };
}

Deno.test("rendered systemd units (system and user) pass systemd-analyze verify", async () => {
  const home = tempHome("unit");
  try {
    for (const user of [false, true]) {
      const r = await barn(home, [
        "service",
        "install",
        "--dry-run",
        "--output=json",
        `--binary=${DENO}`,
        ...(user ? ["--user"] : []),
      ]);
      assertEquals(r.code, 0, r.stderr);
      const plan = r.json();
      const unit = plan.files.find((f: { path: string }) => f.path.endsWith("barn.service"));
      assertMatch(unit.content, new RegExp(`ExecStart=${DENO} service run`));
      assertMatch(unit.content, /KillMode=process/);
      assertMatch(unit.content, /PrivateTmp=no/);
      assertMatch(unit.content, /^UMask=0022$/m);
      assertMatch(unit.content, new RegExp(`Environment=BARN_HOME=${home}`));
      if (!user) assertMatch(unit.content, /User=barn/);
      assert(!/@BARN_/.test(unit.content), "a placeholder was left");
      const path = `${home}/${user ? "user" : "system"}/barn.service`;
      Deno.mkdirSync(`${home}/${user ? "user" : "system"}`);
      Deno.writeTextFileSync(path, unit.content);
      Deno.mkdirSync(`${home}/xdg`, { recursive: true, mode: 0o700 });
      const v = await verify(path, user ? { XDG_RUNTIME_DIR: `${home}/xdg` } : {});
      const problems = v.out.split("\n").filter((l) =>
        l.includes("barn.service") && !/Failed to create|bus/i.test(l)
      );
      assertEquals([v.code, problems], [0, []], v.out);
      // dry-run wrote nothing
      assert(!plan.files.some((f: { staged: string | null }) => f.staged !== null));
    }
    const tmp = Deno.readTextFileSync(`${ROOT}systemd/barn-tmpfiles.conf`);
    assertMatch(tmp, /^x \/tmp\/barn$/m);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("launchd plists render and parse as plists with the keys launchd needs", async () => {
  for (const user of [false, true]) {
    const plan = renderService("darwin", {
      binary: "/opt/barn & co/bin/barn",
      user,
      account: "media",
      userHome: "$HOME",
      home: "/tmp/barn",
    });
    const xml = plan.files[0]!.content;
    const py =
      `import plistlib,sys,json; d=plistlib.loads(sys.stdin.buffer.read()); print(json.dumps(d))`;
    const child = new Deno.Command("python3", {
      args: ["-c", py],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(xml));
    await w.close();
    const out = await child.output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const d = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(d.ProgramArguments, ["/opt/barn & co/bin/barn", "service", "run"]);
    assertEquals([d.RunAtLoad, typeof d.KeepAlive, d.StandardErrorPath], [
      true,
      "object",
      "/tmp/barn/logs/launchd.log",
    ]);
    assertMatch(
      d.EnvironmentVariables.PATH,
      /^\/opt\/barn & co\/bin:\/opt\/homebrew\/bin:\/usr\/local\/bin/,
    );
    assertEquals(d.Label, user ? "com.barn.agent" : "com.barn.daemon");
    if (!user) assertEquals(d.UserName, "media");
  }
});

Deno.test("the WinSW config escapes paths, and the token check is constant-time equality", () => {
  const plan = renderService("windows", {
    binary: "C:\\Program Files\\barn <x>\\barn.exe",
    user: false,
    account: "barn",
    userHome: "",
    home: "C:\\Windows\\Temp\\barn",
  });
  assertMatch(
    plan.files[0]!.content,
    /<executable>C:\\Program Files\\barn &lt;x&gt;\\barn\.exe<\/executable>/,
  );
  assertEquals(plan.files[0]!.path, "C:\\Program Files\\barn <x>\\barn-service.xml");
  assert(plan.commands.some((c) => c.includes('barn-service.exe" install')));
  assertEquals([
    timingSafeEqual("abc", "abc"),
    timingSafeEqual("abc", "abd"),
    timingSafeEqual("abc", "ab"),
    timingSafeEqual("", ""),
  ], [true, false, false, true]);
  // Constant time, shown by the work done rather than by a clock: whether the tokens differ at
  // their first byte, their last, or not at all, every byte of both is read.
  const token = Array.from({ length: 32 }, (_, i) => 65 + i);
  const reads = (other: number[]) => {
    let n = 0;
    const counted = (xs: number[]) =>
      new Proxy(xs, {
        get(t, k) {
          if (typeof k === "string" && /^\d+$/.test(k)) n++;
          return Reflect.get(t, k);
        },
      });
    const equal = timingSafeEqual(counted(token), counted(other));
    return { equal, n };
  };
  const first = reads(token.map((b, i) => (i === 0 ? b + 1 : b)));
  const last = reads(token.map((b, i) => (i === 31 ? b + 1 : b)));
  const same = reads([...token]);
  const shorter = reads(token.slice(0, 5));
  assertEquals([first.equal, last.equal, same.equal, shorter.equal], [false, false, true, false]);
  assertEquals([first.n, last.n, same.n, shorter.n], [64, 64, 64, 64]);
  const home = tempHome("tok");
  try {
    Deno.writeTextFileSync(`${home}/service.token`, "s3cret");
    assertEquals([checkToken(home, "s3cret"), checkToken(home, "s3cre"), checkToken(home, null)], [
      true,
      false,
      false,
    ]);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("systemd quoting of odd binary paths", () => {
  assertEquals(systemdQuote("/usr/local/bin/barn"), "/usr/local/bin/barn");
  assertEquals(systemdQuote('/opt/my barn/"x"'), '"/opt/my barn/\\"x\\""');
});

Deno.test("install.sh into a temp prefix, dry-run: a real-file copy and the service steps, nothing written", async () => {
  const prefix = tempHome("prefix");
  try {
    const fake = `${prefix}/barn-build`;
    Deno.writeTextFileSync(fake, "#!/bin/sh\n");
    const out = await new Deno.Command(`${ROOT}install/install.sh`, {
      args: ["--binary", fake, "--prefix", `${prefix}/usr`, "--dry-run"],
      env: { BARN_CMD: `${DENO} run -q -P=barn ${ROOT}src/main.ts`, BARN_HOME: `${prefix}/home` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertMatch(text, new RegExp(`\\+ install -m 0755 ${fake} ${prefix}/usr/bin/barn`));
    assertMatch(
      text,
      /install -m 0644 '<staged barn.service>' '\/etc\/systemd\/system\/barn.service'/,
    );
    assertMatch(text, /systemctl enable --now barn.service/);
    let exists = true;
    try {
      Deno.statSync(`${prefix}/usr/bin/barn`);
    } catch {
      exists = false;
    }
    assert(!exists, "dry-run installed the binary");
    // a real (non-dry) install of just the binary: a file, never a symlink
    Deno.mkdirSync(`${prefix}/usr/bin`, { recursive: true });
    Deno.symlinkSync("/bin/true", `${prefix}/usr/bin/barn`);
    const real = await new Deno.Command(`${ROOT}install/install.sh`, {
      args: ["--binary", fake, "--prefix", `${prefix}/usr`, "--no-service"],
    }).output();
    assertEquals(real.code, 0);
    const st = Deno.lstatSync(`${prefix}/usr/bin/barn`);
    assertEquals([st.isFile, st.isSymlink, (st.mode! & 0o777).toString(8)], [true, false, "755"]);
  } finally {
    await cleanupHome(prefix);
  }
});

Deno.test("compile: every target, flags from the one permission set, no -A, no FFI, barn by name", () => {
  assertEquals(TARGETS.length, 5);
  const set = config.permissions.barn;
  for (const t of TARGETS) {
    const args = compileArgs(set, t);
    assert(
      !args.includes("-A") &&
        !args.some((a) => a.startsWith("--allow-all") || a.startsWith("--allow-ffi")),
      t,
    );
    const run = args.find((a) => a.startsWith("--allow-run="))!;
    assert(
      run.includes("barn") && run.includes("ffmpeg") && !run.includes(".deno"),
      `${t}: ${run}`,
    );
    assert(args.includes("--target") && args[args.indexOf("--target") + 1] === t);
    // The bundle's lazy chunks load by computed URLs, invisible to the graph: all are embedded.
    assertEquals(args.slice(-3), ["--include", "dist/js/barn", "dist/js/barn/main.js"]);
    assert(args.includes(`--v8-flags=${V8_FLAGS}`), `${t}: the service's V8 flags`);
    assert(!args.some((a) => a.includes("./src")), `${t}: the dev-only read of ./src leaked`);
  }
  const linux = permissionFlags(set, "x86_64-unknown-linux-gnu");
  assert(
    linux.includes("--allow-read=/tmp/barn") && linux.includes("--allow-write=/tmp/barn") &&
      linux.includes("--allow-net"),
  );
  const win = permissionFlags(set, "x86_64-pc-windows-msvc");
  assert(win.includes(`--allow-read=${WINDOWS_ROOT}`), win.join(" "));
  assert(win.find((f) => f.startsWith("--allow-run="))!.includes("taskkill"));
  assertMatch(
    denortHint(
      "error: Failed downloading denort-x86_64-unknown-linux-gnu.zip",
      "x86_64-unknown-linux-gnu",
    )!,
    /DENORT_BIN=/,
  );
  assertEquals(denortHint("error: Module not found", "x86_64-unknown-linux-gnu"), null);
});

Deno.test("compile: barn-fleet is a second binary for the same targets, under its own set (ssh and scp only)", () => {
  assertEquals(Object.keys(BINARIES), ["barn", "barn-fleet"]);
  const fleet = config.permissions["barn-fleet"];
  const barnSet = config.permissions.barn;
  for (const t of TARGETS) {
    const args = compileArgs(fleet, t, "barn-fleet");
    const win = t.includes("windows");
    assertEquals(args[args.indexOf("--output") + 1], `dist/barn-fleet-${t}${win ? ".exe" : ""}`);
    assertEquals(outputName(t, "barn-fleet"), `dist/barn-fleet-${t}${win ? ".exe" : ""}`);
    assertEquals(args.slice(-3), [
      "--include",
      "dist/js/barn-fleet",
      "dist/js/barn-fleet/main.js",
    ]);
    assertEquals(args.filter((a) => a.startsWith("--allow-run")), ["--allow-run=ssh,scp"], t);
    assertEquals(
      args.filter((a) => a.startsWith("--allow-write")),
      [`--allow-write=${win ? `${WINDOWS_ROOT}-fleet` : "/tmp/barn-fleet"}`],
      t,
    );
    assertEquals(
      args.filter((a) => a.startsWith("--allow-read")),
      [`--allow-read=${win ? `${WINDOWS_ROOT}-fleet` : "/tmp/barn-fleet"}`],
      t,
    );
    assert(
      !args.some((a) =>
        a === "-A" || a.startsWith("--allow-all") || a.startsWith("--allow-net") ||
        a.startsWith("--allow-ffi") || a.startsWith("--v8-flags")
      ),
      `${t}: ${args.join(" ")}`,
    );
    // The host binary's set never grows ssh: a barn on a media host cannot reach another host.
    const hostRun = compileArgs(barnSet, t).find((a) => a.startsWith("--allow-run="))!;
    assert(!/\bssh\b|\bscp\b/.test(hostRun), `${t}: ${hostRun}`);
  }
});

Deno.test("barn --version prints the version and the build commit", async () => {
  const home = tempHome("ver");
  try {
    // From source: deno.json's version, and "dev" for a tree that was never stamped.
    const r = await barn(home, ["--version"]);
    assertEquals(r.stdout.trim(), `barn ${config.version} (dev)`);
    // A build: the same tree stamped as the compile task stamps it prints git's commit.
    const git = await new Deno.Command("git", {
      args: ["rev-parse", "--short", "HEAD"],
      cwd: ROOT,
      stdout: "piped",
    }).output();
    assert(git.success, "git rev-parse failed");
    const commit = new TextDecoder().decode(git.stdout).trim();
    const tree = `${home}/tree`;
    Deno.mkdirSync(tree);
    const cp = await new Deno.Command("cp", {
      args: ["-r", `${ROOT}src`, `${ROOT}deno.json`, `${ROOT}deno.lock`, tree],
    }).output();
    assert(cp.success, "copying the tree failed");
    const versionFile = `${tree}/src/version.ts`;
    Deno.writeTextFileSync(
      versionFile,
      stampVersion(Deno.readTextFileSync(versionFile), config.version, commit),
    );
    const built = await new Deno.Command(DENO, {
      args: ["run", "-q", "-A", `--config=${tree}/deno.json`, `${tree}/src/main.ts`, "--version"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(
      new TextDecoder().decode(built.stdout).trim(),
      `barn ${config.version} (${commit})`,
      new TextDecoder().decode(built.stderr),
    );
    assert(commit !== "dev" && /^[0-9a-f]{7,}$/.test(commit), commit);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("compile: every binary's permission flags are ones deno itself accepts, and grant umask", async () => {
  const dir = tempHome("flags");
  try {
    const probe = `${dir}/probe.ts`;
    Deno.writeTextFileSync(probe, "Deno.umask(Deno.umask(0o022)); console.log('ok');\n");
    for (const binary of Object.keys(BINARIES) as (keyof typeof BINARIES)[]) {
      const set = config.permissions[BINARIES[binary].set];
      const flags = permissionFlags(set, "x86_64-unknown-linux-gnu").map((f) =>
        // The probe lives in its own dir: let the flags read it, as `deno compile` embeds the code.
        f.startsWith("--allow-read=") ? `${f},${dir}` : f
      );
      const read = flags.some((f) => f.startsWith("--allow-read")) ? [] : [`--allow-read=${dir}`];
      const out = await new Deno.Command(DENO, {
        args: ["run", "-q", "--no-config", ...flags, ...read, probe],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(out.stderr);
      // The parse must pass; umask only where the set asks for it (barn's does, barn-fleet's not).
      assert(!/unknown|invalid|error: /i.test(err) || /NotCapable/.test(err), `${binary}: ${err}`);
      const umask = (set.sys as string[] | undefined)?.includes("umask") ?? false;
      assertEquals(out.code === 0, umask, `${binary}: ${flags.join(" ")}\n${err}`);
    }
  } finally {
    await cleanupHome(dir);
  }
});
