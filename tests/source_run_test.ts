/**
 * Source runs are quiet and offline-safe: `deno task barn` prints only barn's output, and after
 * `install/dev.sh deps` fills a fresh DENO_DIR, every command runs with the npm registry out of
 * reach (all its traffic sent to a dead loopback port), including the modules behind lazy().
 */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, MAIN, makeClip, ROOT, tempHome } from "./helpers/barn.ts";
import { COMMANDS } from "../src/cli/commands/mod.ts";

const NOTE = "barn: service not running; stored state\n";

function plain(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

Deno.test("deno task barn prints only barn's output", async () => {
  const home = tempHome("task");
  try {
    const task = async (args: string[]) => {
      const out = await new Deno.Command(DENO, {
        args: ["task", ...args],
        cwd: ROOT,
        env: { BARN_HOME: home, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      return {
        code: out.code,
        stdout: new TextDecoder().decode(out.stdout),
        stderr: plain(new TextDecoder().decode(out.stderr)),
      };
    };
    const quiet = await task(["-q", "barn", "status", "--output=json"]);
    assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "[]\n", NOTE]);
    const version = await task(["barn", "--version"]);
    assertMatch(version.stdout, /^barn \d+\.\d+\.\d+ \(.*\)\n$/);
    // deno task names the task it runs (-q drops that too); Deno's own warnings never appear.
    assertEquals(version.stderr.split("\n").filter((l) => l && !l.startsWith("Task barn ")), []);
  } finally {
    await cleanupHome(home);
  }
});

/** A loopback port nobody listens on. */
function deadPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("after install/dev.sh deps, every command runs from a fresh DENO_DIR with the registry unreachable", async () => {
  const home = tempHome("offline-deps");
  const denoDir = await Deno.makeTempDir({ prefix: "barn-deno-dir-" });
  const emptyDir = await Deno.makeTempDir({ prefix: "barn-deno-dir-empty-" });
  const dead = deadPort();
  // Deno keys its npm cache by registry host, so the registry keeps its name: its traffic is sent
  // through a proxy on a dead loopback port instead.
  const offline = {
    DENO_DIR: denoDir,
    HTTPS_PROXY: `http://127.0.0.1:${dead}`,
    HTTP_PROXY: `http://127.0.0.1:${dead}`,
    NO_PROXY: "",
  };
  const seen: string[] = [];
  const run = async (args: string[], opts: { stdin?: string } = {}) => {
    seen.push(args.find((a) => !a.startsWith("-")) ?? args[0]!);
    const r = await barn(home, args, { env: offline, ...opts });
    for (const bad of ["Download", "Failed caching", "ERR_MODULE_NOT_FOUND", String(dead)]) {
      assert(
        !r.stderr.includes(bad),
        `barn ${args.join(" ")} reached for the network:\n${r.stderr}`,
      );
    }
    return r;
  };
  try {
    const deps = await new Deno.Command("bash", {
      args: [`${ROOT}install/dev.sh`, "deps"],
      env: { DENO_DIR: denoDir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(deps.code, 0, new TextDecoder().decode(deps.stderr));

    // The control: with nothing cached, the same network-off run cannot load the XML renderer.
    const control = await barn(home, ["config", "show", "--output=xml"], {
      env: { ...offline, DENO_DIR: emptyDir },
    });
    assert(control.code !== 0, "an empty DENO_DIR must fail here, or this test proves nothing");

    assertEquals((await run(["--version"])).code, 0);
    assertEquals((await run(["--help"])).code, 0);
    assertMatch((await run(["completions", "bash"])).stdout, /complete -o default -F _barn barn/);
    assertMatch((await run(["skills", "show"])).stdout, /barn mcp/);
    assertMatch((await run(["config", "show", "--output=xml"])).stdout, /<max_parallel\b/);
    assertEquals((await run(["config", "path"])).code, 0);
    assertEquals((await run(["status"])).stderr, NOTE);
    assertEquals((await run(["service", "start"])).code, 0);
    assertEquals((await run(["service", "status", "--output=xml"])).code, 0);
    assertEquals((await run(["hostinfo", "--output=json"])).json().barn_home, home);

    const probe = await run(["run", "--output=xml", "--tag=o", "ffprobe", "-version"]);
    const id = /<job_id>(\w+)<\/job_id>/.exec(probe.stdout)![1]!;
    assertEquals((await run(["wait", id])).code, 0);
    assertMatch((await run(["status", "--output=xml"])).stdout, new RegExp(`<job_id>${id}<`));
    assertEquals((await run(["describe", id])).code, 0);
    assertMatch((await run(["logs", id])).stdout, /ffprobe version/);

    // The transfers run as jobs under the keeper: `barn transfer` loads webdav from the cache too.
    const clip = await makeClip(`${home}/input/c.mp4`, 1);
    const davDead = `http://127.0.0.1:${deadPort()}`;
    const got = (await run(["get", "--output=json", `${davDead}/a.mp4`, `${home}/input/a.mp4`]))
      .json().job_id;
    const put = (await run(["put", "--output=json", clip, `${davDead}/up/c.mp4`])).json().job_id;
    for (const j of [got, put]) {
      await run(["wait", j]);
      assertEquals((await run(["describe", j, "--output=json"])).json().exit_code, "E_NETWORK");
    }

    const held = (await run(["run", "--output=json", "--pending=L", "ffprobe", "-version"]))
      .json().job_id;
    assertEquals((await run(["retry", id])).code, 0);
    assertEquals((await run(["kill", held])).code, 0);
    assertEquals((await run(["release", "L"])).code, 0);
    // listen streams until stopped: its first replayed event is enough.
    seen.push("listen");
    const listen = new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", MAIN, "listen", "--since=0", "--output=json"],
      env: { BARN_HOME: home, ...offline },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = listen.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    assertEquals(JSON.parse(first.value!.split("\n")[0]!).seq, 1);
    listen.kill("SIGTERM");
    await reader.cancel();
    const listenErr = await new Response(listen.stderr).text();
    await listen.status;
    assert(!listenErr.includes("Download"), listenErr);
    assertMatch((await run(["top", "--once"])).stdout, /^barn top .*: service up/);
    // export loads its tar library (modern-tar) from the cache too.
    const tar = await run(["export", id]);
    assertEquals(tar.code, 0, tar.stderr);
    assert(tar.stdout.includes(`barn-${id}/job.json`), "the tar stream names the job's files");
    const imported = await run(["import", "note.txt"], { stdin: "hello" });
    assertEquals([imported.code, imported.stdout.trim()], [0, `${home}/input/note.txt`]);
    assertEquals((await run(["clean"])).code, 0);

    const watch = `${home}/watch`;
    Deno.mkdirSync(`${watch}/pending`, { recursive: true });
    Deno.writeTextFileSync(`${watch}/pending/bad.json`, '{"jobspec_version": 2}');
    assertEquals((await run(["watch", watch, "--once"])).code, 0);
    assert([...Deno.readDirSync(`${watch}/failed`)].some((e) => e.name.startsWith("bad")));

    const hello = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      },
    });
    const mcp = await run(["mcp"], { stdin: hello + "\n" });
    assertEquals(JSON.parse(mcp.stdout.split("\n")[0]!).result.serverInfo.name, "barn");
    const dial = await run(["dial-stdio"], { stdin: "" });
    assertEquals(dial.code, 0, dial.stderr);
    assertEquals((await run(["service", "stop"])).code, 0);

    const missing = COMMANDS.map((c) => c.name).filter((n) => !seen.includes(n));
    assertEquals(missing, [], "every command runs once here");
  } finally {
    await barn(home, ["service", "stop", "--kill-jobs"]);
    await cleanupHome(home);
    await Deno.remove(denoDir, { recursive: true }).catch(() => {});
    await Deno.remove(emptyDir, { recursive: true }).catch(() => {});
  }
});
