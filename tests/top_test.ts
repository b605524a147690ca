/**
 * `barn top` in a real terminal (tmux from Debian): what a person sees, keys sent with send-keys
 * and the screen read with capture-pane; the terminal put back after q, Ctrl-C and SIGTERM; the
 * plain table when stdout is not a terminal; and `barn status` fitted to 80 and 120 columns.
 */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  barn,
  cleanupHome,
  DENO,
  MAIN,
  makeClip,
  ROOT,
  startService,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";
import { Tmux } from "./helpers/tmux.ts";
import { haveTool } from "./helpers/tools.ts";

const BARN = `${DENO} run -q -P=barn ${MAIN}`;

/** The running row of `id`: its '#' cells and its percent. */
function runningRow(lines: string[], id: string): { cells: number; percent: number } | null {
  const row = lines.find((l) => l.startsWith(`> ${id}`) || l.startsWith(`  ${id}`));
  const m = row && /\[(#*)\.*\]\s+(\d+\.\d)%/.exec(row);
  return m ? { cells: m[1]!.length, percent: Number(m[2]) } : null;
}

/**
 * A shell line that runs `barn top` under a non-interactive sh, so that no shell puts the terminal
 * modes back for it: sh saves them before, and after top ends saves them again with top's status.
 */
function topLine(home: string, tag: string, env = ""): string {
  const f = `${home}/tty-${tag}`;
  return `sh -c 'stty -g > ${f}.before; ${env}${BARN} top; echo $? > ${f}.exit; stty -g > ${f}.after'`;
}

/** Waits for top (started by topLine) to end; checks the screen, cursor and modes came back. */
async function restored(tmux: Tmux, home: string, tag: string): Promise<number> {
  const f = `${home}/tty-${tag}`;
  const after = await waitFor(() => {
    try {
      return Deno.readTextFileSync(`${f}.after`);
    } catch {
      return null;
    }
  }, { what: `barn top to end (${tag})` });
  assertEquals(await tmux.display("#{alternate_on}"), "0", `the main screen back after ${tag}`);
  assertEquals(await tmux.display("#{cursor_flag}"), "1", `the cursor shown after ${tag}`);
  assertEquals(after, Deno.readTextFileSync(`${f}.before`), `terminal modes restored after ${tag}`);
  return Number(Deno.readTextFileSync(`${f}.exit`).trim());
}

async function childOf(pid: number): Promise<number> {
  return await waitFor(async () => {
    const ps = await new Deno.Command("ps", {
      args: ["-o", "pid=", "--ppid", String(pid)],
      stdout: "piped",
    }).output();
    return Number(new TextDecoder().decode(ps.stdout).trim().split("\n")[0]) || null;
  }, { what: `a child of ${pid}` });
}

Deno.test({
  name:
    "barn top in tmux: a transcode's bar advances, resize, log view, tag filter, a cancel that takes effect, retry, q/Ctrl-C/SIGTERM restore the terminal",
  ignore: !haveTool("tmux"),
  async fn() {
    const home = tempHome("top");
    const tmux = await Tmux.start(80, 24, ROOT, { BARN_HOME: home });
    try {
      await startService(home);
      const clip = await makeClip(`${home}/input/long.mp4`, 12);
      const probe = await barn(home, [
        "run",
        "--output=json",
        "--tag=probe",
        "ffprobe",
        "-version",
      ]);
      await barn(home, ["wait", probe.json().job_id]);
      const tc = await barn(home, [
        "run",
        "--output=json",
        "--tag=tc",
        "ffmpeg",
        "-v",
        "error",
        "-re",
        "-i",
        clip,
        "-f",
        "null",
        "-",
      ]);
      const id = tc.json().job_id as string;
      const held = (await barn(home, ["run", "--output=json", "--pending=later", "ffprobe", "-h"]))
        .json().job_id as string;

      await tmux.type(`echo before-top; ${topLine(home, "q")}`);
      // 80×24: the header on the first row, the keys on the last, the transcode with its bar.
      const first = await tmux.waitScreen(
        (l) => runningRow(l, id)?.percent !== undefined && l.length === 24,
        "the transcode's row with a bar",
      );
      assertMatch(first[0]!, /^barn top {2}\| {2}service up \(pid \d+/);
      assertMatch(first[1]!, /^jobs: 1 running, 1 queued, 1 succeeded/);
      assertMatch(first[23]!, /K cancel {2}r retry/);
      assert(
        first.some((l) => l.includes(`${held}  queued`) && l.includes("waiting for latch later")),
      );
      assert(first.some((l) => l.includes(`${probe.json().job_id}  succeeded exit 0`)));
      const colored = (await tmux.screen(true)).join("\n");
      assert(colored.includes("\x1b["), "colours without NO_COLOR");

      // What a person would see: the bar advancing.
      const a = runningRow(first, id)!;
      const later = await tmux.waitScreen(
        (l) => (runningRow(l, id)?.cells ?? -1) > a.cells,
        "the bar to advance",
      );
      assert(runningRow(later, id)!.percent > a.percent);

      // A resize: the wider screen gets a wider bar and more of the command.
      await tmux.resize(120, 30);
      const wide = await tmux.waitScreen(
        (l) => l.length === 30 && /\[[#.]{20}\]/.test(l.find((x) => x.includes(id)) ?? ""),
        "the 120-column layout",
      );
      assertMatch(wide[29]!, /q quit/);

      // The log view and back.
      await tmux.send("l");
      await tmux.waitScreen(
        (l) => l.some((x) => x.startsWith(`log ${id} (running)`)),
        "the log view",
      );
      await tmux.send("Escape");
      await tmux.waitScreen((l) => l.some((x) => x.startsWith("RUNNING (1)")), "the list again");

      // The tag filter hides the others.
      await tmux.send("/", "t", "c", "Enter");
      const filtered = await tmux.waitScreen((l) => l[1]!.includes("[tag: tc]"), "the tag filter");
      assert(!filtered.some((l) => l.includes(held)), "a job of another tag is hidden");
      await tmux.send("/", "BSpace", "BSpace", "Enter");
      await tmux.waitScreen((l) => l.some((x) => x.includes(held)), "every tag again");

      // A cancel, confirmed, that takes effect.
      await tmux.send("K");
      await tmux.waitScreen(
        (l) => l.at(-1)!.startsWith(`cancel ${id} (ffmpeg`),
        "the confirmation",
      );
      await tmux.send("y");
      await waitFor(
        async () =>
          (await barn(home, ["describe", id, "--output=json"])).json().state === "canceled",
        {
          what: "the job canceled",
        },
      );
      await tmux.waitScreen(
        (l) => l.some((x) => x.startsWith(`> ${id}  canceled  exit E_CANCELED`)),
        "the canceled job among the finished",
      );

      // Retry makes a new job of the same command.
      await tmux.send("r");
      const retried = await tmux.waitScreen(
        (l) => /retried \w+ as \w+/.test(l.at(-1)!),
        "the retry's message",
      );
      // The whole message: an id may itself end in "as".
      const newId = /retried \w+ as (\w+)/.exec(retried.at(-1)!)![1]!;
      assertEquals((await barn(home, ["describe", newId, "--output=json"])).json().retry_of, id);
      await barn(home, ["kill", newId]);

      // q: the shell's screen, cursor and terminal modes come back.
      await tmux.send("q");
      assertEquals(await restored(tmux, home, "q"), 0);
      // The shell's own lines are back (wrapped as the pane's width had it), top's are gone.
      await tmux.waitScreen(
        (l) => !l[0]!.startsWith("barn top") && l.some((x) => x.endsWith("before-top")),
        "the shell's screen",
      );

      // Ctrl-C, and SIGTERM from elsewhere, restore it too.
      await tmux.type(topLine(home, "ctrl-c", "NO_COLOR=1 "));
      await tmux.waitScreen((l) => l[0]!.startsWith("barn top"), "top again");
      assert(!(await tmux.screen(true)).join("\n").includes("\x1b[3"), "NO_COLOR: no colours");
      await tmux.send("C-c");
      assertEquals(await restored(tmux, home, "ctrl-c"), 130);

      await tmux.type(topLine(home, "sigterm"));
      await tmux.waitScreen((l) => l[0]!.startsWith("barn top"), "top a third time");
      // The pane's bash runs sh, which runs deno: top is the shell's grandchild.
      const sh = await childOf(Number(await tmux.display("#{pane_pid}")));
      Deno.kill(await childOf(sh), "SIGTERM");
      assertEquals(await restored(tmux, home, "sigterm"), 143);
    } finally {
      await tmux.kill();
      await barn(home, ["service", "stop", "--kill-jobs"]);
      await cleanupHome(home);
    }
  },
});

Deno.test("barn top without a terminal prints a plain table, again when it changes", async () => {
  const home = tempHome("top-plain");
  try {
    await startService(home);
    const held = (await barn(home, ["run", "--output=json", "--pending=p", "ffprobe", "-version"]))
      .json().job_id as string;
    const once = await barn(home, ["top", "--once"]);
    assertEquals(once.code, 0, once.stderr);
    assertMatch(once.stdout, new RegExp(`^barn top .*: service up, 0 running, 1 queued`));
    assertMatch(once.stdout, new RegExp(`\\n${held}  queued `));

    const child = new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", MAIN, "top"],
      env: { BARN_HOME: home },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let text = "";
    const reading = (async () => {
      for await (const c of child.stdout.pipeThrough(new TextDecoderStream())) text += c;
    })();
    await waitFor(() => text.includes(`${held}  queued`), { what: "the first frame" });
    await barn(home, ["release", "p"]);
    await waitFor(() => new RegExp(`${held}  succeeded`).test(text), {
      what: "a frame after the change",
    });
    assert(!text.includes("\x1b"), "no escape codes off a terminal");
    // A service restart: the view reconnects and goes on from the new service's stream.
    await barn(home, ["service", "restart"]);
    const after = (await barn(home, ["run", "--output=json", "--tag=after", "ffprobe", "-version"]))
      .json().job_id as string;
    await waitFor(() => new RegExp(`${after}  succeeded`).test(text), {
      what: "a job submitted after the restart",
    });
    child.kill("SIGTERM");
    await child.status;
    await reading.catch(() => {});
    await barn(home, ["service", "stop"]);
    const down = await barn(home, ["top", "--once"]);
    assertEquals(down.code, 100, "top shows the live service only");
  } finally {
    await cleanupHome(home);
  }
});

Deno.test({
  name: "barn status fits 80 and 120 columns in a real terminal: one line per job, never wrapped",
  ignore: !haveTool("tmux"),
  async fn() {
    const home = tempHome("status-width");
    const tmux = await Tmux.start(80, 24, ROOT, { BARN_HOME: home });
    try {
      await startService(home);
      const clip = await makeClip(`${home}/input/a-rather-long-clip-name-for-width.mp4`, 8);
      const id = (await barn(home, [
        "run",
        "--output=json",
        "--tag=width",
        "ffmpeg",
        "-v",
        "error",
        "-re",
        "-i",
        clip,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-f",
        "null",
        "-",
      ])).json().job_id as string;
      await waitFor(async () => {
        const j = (await barn(home, ["describe", id, "--output=json"])).json();
        return j.progress?.percent !== undefined;
      }, { what: "progress numbers" });
      await barn(home, ["run", "--pending=w", "ffprobe", "-version"]);
      for (const [width, n] of [[80, 1], [120, 2]] as const) {
        await tmux.resize(width, 24);
        await tmux.type(`clear; ${BARN} status; echo END-${n}`);
        const lines = await tmux.waitScreen((l) => l.includes(`END-${n}`), `status at ${width}`);
        const head = lines.findIndex((l) => l.startsWith("ID "));
        const end = lines.indexOf(`END-${n}`);
        assertEquals(
          end - head - 1,
          2,
          `two jobs, two lines at ${width} columns:\n${lines.join("\n")}`,
        );
        const row = lines.find((l) => l.startsWith(id))!;
        assert(row.length <= width);
        if (width === 120) assertMatch(row, /… {2}\[#*\.*\] \d+\.\d% \d\.\d\dx ETA \S+$/);
        else assertMatch(row, /ffmpeg -v e… {2}\[/);
      }
    } finally {
      await tmux.kill();
      await barn(home, ["service", "stop", "--kill-jobs"]);
      await cleanupHome(home);
    }
  },
});

Deno.test("barn top --once into a reader that went away stops quietly with 141, as status does", async () => {
  const home = tempHome("top-pipe");
  try {
    await startService(home);
    // Held jobs with long commands: one frame is larger than a pipe holds, so the write meets the
    // closed reader whether it starts before the close or after it.
    const arg = "x".repeat(200);
    const batch = Array.from(
      { length: 400 },
      () => JSON.stringify({ command: ["ffprobe", "-v", "error", arg], pending: "p" }),
    ).join("\n");
    const sub = await barn(home, ["run", "--batch=-"], { stdin: batch + "\n" });
    assertEquals(sub.code, 0, sub.stderr);
    const child = new Deno.Command(DENO, {
      args: ["run", "-q", "-P=barn", MAIN, "top", "--once"],
      env: { BARN_HOME: home, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await child.stdout.cancel();
    const [status, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
    ]);
    assertEquals(stderr, "", "no error for a reader that went away");
    assertEquals(status.code, 141);
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});

Deno.test("barn top --once shows the head of a long queue, says how much more is queued, and names an empty tag filter", async () => {
  const home = tempHome("top-queue");
  try {
    await startService(home);
    const submit = async (n: number) => {
      const batch = Array.from(
        { length: n },
        () => JSON.stringify({ command: ["ffprobe", "-version"], pending: "p" }),
      ).join("\n");
      const r = await barn(home, ["run", "--batch=-"], { stdin: batch + "\n" });
      assertEquals(r.code, 0, r.stderr);
      return r.stdout.trim().split("\n");
    };
    const first = await submit(20);
    const rest = await submit(500);
    const once = await barn(home, ["top", "--once"], { env: { NO_COLOR: "1" } });
    assertEquals(once.code, 0, once.stderr);
    assertMatch(once.stdout, /, 520 queued,/);
    assertMatch(once.stdout, /\(the next 500 of 520 queued jobs are shown\)/);
    assert(once.stdout.includes(`\n${first[0]}  queued`), "the first job submitted is shown");
    assert(!once.stdout.includes(rest.at(-1)!), "the last one is past the head");
    const none = await barn(home, ["top", "--once", "--tag=nosuch"]);
    assertEquals(none.code, 0, none.stderr);
    assertMatch(none.stdout, /\nno jobs with tag 'nosuch'\n/);
  } finally {
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});
