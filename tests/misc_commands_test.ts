/** The smaller everyday commands: help, config, hostinfo, completions, skills, service logs -f. */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, MAIN, startService, tempHome, waitFor } from "./helpers/barn.ts";
import { COMMANDS } from "../src/cli/commands/mod.ts";

Deno.test("every subcommand has --help with an example; bare barn lists them all", async () => {
  const home = tempHome("help");
  try {
    for (const c of COMMANDS) {
      const r = await barn(home, [c.name, "--help"]);
      assertEquals(r.code, 0, c.name);
      assertMatch(r.stdout, new RegExp(`^barn ${c.name}: `));
      assertMatch(r.stdout, /\nusage: barn /);
      assertMatch(r.stdout, /\nexample:\n {2}barn |\nexample:\n {2}.*barn /);
    }
    const all = await barn(home, ["--help"]);
    for (const c of COMMANDS) assertMatch(all.stdout, new RegExp(`\\n  ${c.name} +`));
    assertEquals((await barn(home, [])).code, 2);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("config path/show, and hostinfo's fields", async () => {
  const home = tempHome("cfg");
  try {
    assertEquals((await barn(home, ["config", "path"])).stdout.trim(), `${home}/config.json`);
    Deno.writeTextFileSync(`${home}/config.json`, '{"max_parallel": 3, "kill_grace": "2s"}');
    const show = (await barn(home, ["config", "show", "--output=json"])).json();
    assertEquals([show.path, show.max_parallel, show.kill_grace_seconds, show.max_age_seconds], [
      `${home}/config.json`,
      3,
      2,
      604800,
    ]);
    // max_parallel is also every unnamed group's limit; groups print readably in all formats.
    assertEquals(show.groups, { transcode: 3, probe: 3, transfer: 3, default: 3 });
    assertMatch(
      (await barn(home, ["config", "show"])).stdout,
      /^groups: transcode 3, probe 3, transfer 3, default 3$/m,
    );
    assertMatch(
      (await barn(home, ["config", "show", "--output=xml"])).stdout,
      /<groups>\s*<transcode>3<\/transcode>/,
    );
    const h = (await barn(home, ["hostinfo", "--output=json"])).json();
    for (const k of ["hostname", "os", "arch", "barn_version", "barn_home", "free_bytes"]) {
      assert(k in h, k);
    }
    assertMatch(h.ffmpeg, /^ffmpeg version/);
    assertMatch(h.ffprobe, /^ffprobe version/);
    assertMatch(h.curl, /^curl \d/);
    assertEquals(h.barn_home, home);
    assert(h.free_bytes > 0);
    const x = await barn(home, ["hostinfo", "--output=xml"]);
    assertMatch(x.stdout, /<result>[\s\S]*<free_bytes>\d+<\/free_bytes>/);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("completion scripts: bash parses, and all three name the commands", async () => {
  const home = tempHome("comp");
  try {
    const bash = await barn(home, ["completions", "bash"]);
    assertMatch(bash.stdout, /complete -o default -F _barn barn/);
    const path = `${home}/c.bash`;
    Deno.writeTextFileSync(path, bash.stdout);
    const syntax = await new Deno.Command("bash", { args: ["-n", path], stderr: "piped" }).output();
    assertEquals(syntax.code, 0, new TextDecoder().decode(syntax.stderr));
    for (const o of ["--include", "--outputs-only", "--tar", "--sha256", "--notify"]) {
      assert(bash.stdout.includes(o), `bash lacks ${o}`);
    }
    for (const shell of ["zsh", "fish"]) {
      const r = await barn(home, ["completions", shell]);
      for (const c of ["run", "status", "describe", "watch", "dial-stdio", "export", "import"]) {
        assert(r.stdout.includes(c), `${shell} lacks ${c}`);
      }
    }
    // The pipeline options (issue 16), on the commands that take them.
    assertMatch(
      bash.stdout,
      /run\) COMPREPLY=\(\$\(compgen -W "[^"]*--after --group --name --meta/,
    );
    assertMatch(bash.stdout, /get\) COMPREPLY=\(\$\(compgen -W "[^"]*--after/);
    assertMatch(
      bash.stdout,
      /clean\) COMPREPLY=\(\$\(compgen -W "--tag --state --older-than --dry-run/,
    );
    assertMatch(bash.stdout, /status\) COMPREPLY=\(\$\(compgen -W "[^"]*--meta/);
    const fish = (await barn(home, ["completions", "fish"])).stdout;
    assert(fish.includes("__fish_seen_subcommand_from put' -l after"), fish);
    assertEquals((await barn(home, ["completions", "tcsh"])).code, 2);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("skills show prints an agent skill file about barn", async () => {
  const home = tempHome("skill");
  try {
    const r = await barn(home, ["skills", "show"]);
    assertMatch(r.stdout, /^---\nname: barn\ndescription: /);
    for (
      const s of [
        "--output=json",
        "--key",
        "barn wait",
        "barn logs",
        "Exit codes",
        "barn dial-stdio",
        "--after=",
        "--group=",
        "--name=",
        "--meta=",
        "@NAME",
        '"label"',
        "E_DEPENDENCY",
        "barn clean",
        "status --meta",
        "barn mcp",
        "barn://jobs/{id}",
        "barn export",
        "barn import --tar",
        "--notify",
        "X-Barn-Signature",
      ]
    ) {
      assert(r.stdout.includes(s), s);
    }
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("service logs -f follows the service's log", async () => {
  const home = tempHome("logsf");
  try {
    await startService(home);
    const child = new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", MAIN, "service", "logs", "-f", "-n", "1"],
      env: { BARN_HOME: home },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let text = "";
    const reading = (async () => {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) text += chunk;
    })();
    // It follows once it has printed the last line; a reload made in the moment between that
    // and its first look at the file's size would be missed, so reload until one shows.
    await waitFor(() => text.length > 0, { what: "the follower's first line" });
    await waitFor(async () => {
      if (/config reloaded/.test(text)) return true;
      await barn(home, ["service", "reload"]);
      return false;
    }, { what: "the reload to show in the followed log" });
    child.kill("SIGKILL");
    await child.status;
    await reading.catch(() => {});
  } finally {
    await cleanupHome(home);
  }
});
