/**
 * How the keeper runs jobs (issue 14): one-process tools are plain children signalled through
 * their handle; commands that may fork get a session and are stopped as a tree; after a keeper
 * death, an orphan is killed by pid only once its identity is confirmed.
 */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  barn,
  barnChild,
  cleanupHome,
  DENO,
  MAIN,
  pidAlive,
  ROOT,
  startService,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";
import { startHttp } from "./helpers/http.ts";
import { DatabaseSync } from "node:sqlite";

// deno-lint-ignore no-explicit-any
type Rec = any;

/** An ffmpeg job that runs ~60 s of real time, findable in `ps` by its marker. */
function markedJob(marker: string): string[] {
  return [
    "ffmpeg",
    "-v",
    "error",
    "-re",
    "-f",
    "lavfi",
    "-i",
    "sine=duration=60",
    "-metadata",
    `comment=${marker}`,
    "-f",
    "null",
    "-",
  ];
}

/** Live (non-zombie) processes whose command line holds `marker`: pid, parent, group. */
async function withMarker(marker: string): Promise<{ pid: number; ppid: number; pgid: number }[]> {
  const out = await new Deno.Command("ps", {
    args: ["-eo", "pid=,ppid=,pgid=,stat=,args="],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n")
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray =>
      m !== null && !m[4]!.startsWith("Z") && m[5]!.includes(marker)
    )
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]) }));
}

async function describe(home: string, id: string): Promise<Rec> {
  return (await barn(home, ["describe", id, "--output=json"])).json();
}

/**
 * A job that writes nothing to its pipes while it waits (ffmpeg would die of SIGPIPE on its next
 * progress write once the keeper is gone): curl on a server that never answers.
 */
function silentCurl(home: string, port: number, marker: string): string[] {
  return [
    "curl",
    "-s",
    "--max-time",
    "120",
    "-o",
    `${home}/output/x.bin`,
    `http://127.0.0.1:${port}/?m=${marker}`,
  ];
}

/** Submits `argv` and waits until it runs with a recorded pid; its record. */
async function runningJob(home: string, argv: string[]): Promise<Rec> {
  const id = (await barn(home, ["run", "--output=json", ...argv])).json().job_id;
  return await waitFor(async () => {
    const j = await describe(home, id);
    return j.state === "running" && j.pid ? j : null;
  }, { what: "the job to run" });
}

/** The job is settled E_INTERRUPTED with its leftover killed, and no process of `marker` is left. */
async function orphanKilled(home: string, id: string, marker: string): Promise<void> {
  const done = await waitFor(async () => {
    const j = await describe(home, id);
    return j.state === "failed" ? j : null;
  }, { what: "the job to be settled" });
  assertEquals(done.exit_code, "E_INTERRUPTED");
  assertMatch(done.error, /leftover processes were killed/);
  await waitFor(async () => (await withMarker(marker)).length === 0, {
    what: "the orphan to be gone",
  });
}

/** Kills what a failed test left of `marker`'s job (with no pid in the DB, cleanupHome cannot). */
async function killMarked(marker: string): Promise<void> {
  for (const p of await withMarker(marker)) {
    try {
      Deno.kill(p.pid, "SIGKILL");
    } catch { /* gone */ }
  }
}

Deno.test("the keeper spawns one-process tools plainly, and kill stops them through the handle", async () => {
  const home = tempHome("plain");
  const marker = `barn-plain-${crypto.randomUUID()}`;
  try {
    await startService(home);
    const id = (await barn(home, ["run", "--output=json", ...markedJob(marker)])).json().job_id;
    const job = await waitFor(async () => {
      const j = await describe(home, id);
      return j.state === "running" && j.pid ? j : null;
    }, { what: "the job to run" });
    const [proc] = await withMarker(marker);
    assert(proc, "the job's process is not running");
    assertEquals(proc.pid, job.pid);
    assertEquals(proc.ppid, job.supervisor_pid); // a plain child of the keeper
    assert(proc.pgid !== proc.pid, "a plain spawn does not lead a group of its own");
    const k = await barn(home, ["kill", id, "--output=json"]);
    assertEquals([k.code, k.json().state, k.json().exit_code], [0, "canceled", "E_CANCELED"]);
    assertEquals(await withMarker(marker), []);
  } finally {
    await barn(home, ["service", "stop", "--kill-jobs"]);
    await cleanupHome(home);
  }
});

Deno.test("a keeper SIGKILL: the orphan is seen alive, then killed after its identity is confirmed; a retry runs one copy", async () => {
  const home = tempHome("orphan");
  const marker = `barn-orphan-${crypto.randomUUID()}`;
  const http = startHttp();
  let service = 0;
  try {
    await startService(home);
    const job = await runningJob(home, silentCurl(home, http.silentPort, marker));
    const id = job.job_id;
    service = JSON.parse(Deno.readTextFileSync(`${home}/service.json`)).pid;
    // Freeze the service, so the orphan can be looked at before anyone settles it.
    Deno.kill(service, "SIGSTOP");
    Deno.kill(job.supervisor_pid, "SIGKILL");
    const orphan = await waitFor(async () => {
      const p = (await withMarker(marker)).find((x) => x.pid === job.pid);
      return p && p.ppid !== job.supervisor_pid ? p : null;
    }, { what: "the orphan to be reparented" });
    assertEquals(orphan.ppid, 1);
    assert(pidAlive(job.pid), "the orphan must outlive its keeper until barn settles it");
    Deno.kill(service, "SIGCONT");
    service = 0;
    await orphanKilled(home, id, marker);
    const r = (await barn(home, ["retry", id, "--output=json"])).json();
    await waitFor(async () => (await describe(home, r.job_id)).state === "running");
    assertEquals((await withMarker(marker)).length, 1, "a retry must run exactly one copy");
  } finally {
    if (service) Deno.kill(service, "SIGCONT");
    await barn(home, ["service", "stop", "--kill-jobs"]);
    await cleanupHome(home);
    await http.close();
  }
});

Deno.test("a keeper SIGKILL before it recorded the pid: the orphan is found by its BARN_JOB_ID, identified and killed", async () => {
  const home = tempHome("nopid");
  const marker = `barn-nopid-${crypto.randomUUID()}`;
  const http = startHttp();
  let service = 0;
  try {
    await startService(home);
    const job = await runningJob(home, silentCurl(home, http.silentPort, marker));
    const id = job.job_id;
    const env = await new Deno.Command("ps", {
      args: ["-ww", "-o", "args=", "e", "-p", String(job.pid)],
      stdout: "piped",
    }).output();
    assertMatch(new TextDecoder().decode(env.stdout), new RegExp(` BARN_JOB_ID=${id}( |$)`));
    service = JSON.parse(Deno.readTextFileSync(`${home}/service.json`)).pid;
    Deno.kill(service, "SIGSTOP");
    // The state a keeper killed between the spawn and the pid's UPDATE leaves: running, no pid.
    const db = new DatabaseSync(`${home}/barn.db`);
    try {
      db.prepare("UPDATE jobs SET pid = NULL WHERE job_id = ?").run(id);
    } finally {
      db.close();
    }
    Deno.kill(job.supervisor_pid, "SIGKILL");
    await waitFor(async () => {
      const p = (await withMarker(marker)).find((x) => x.pid === job.pid);
      return p && p.ppid === 1;
    }, { what: "the orphan to be reparented" });
    Deno.kill(service, "SIGCONT");
    service = 0;
    await orphanKilled(home, id, marker);
  } finally {
    if (service) Deno.kill(service, "SIGCONT");
    await killMarked(marker);
    await barn(home, ["service", "stop", "--kill-jobs"]);
    await cleanupHome(home);
    await http.close();
  }
});

Deno.test("a keeper SIGKILL under a subreaper (systemd --user): the orphan, not init's child, is still identified by its BARN_JOB_ID and killed", async () => {
  const home = tempHome("reaper");
  const marker = `barn-reaper-${crypto.randomUUID()}`;
  const http = startHttp();
  // The service runs as a child subreaper, as a user service under systemd --user has one above
  // it: the keeper's orphans go to it, not to init.
  const service = new Deno.Command("python3", {
    args: [
      "-c",
      "import ctypes, os, sys; ctypes.CDLL(None).prctl(36, 1, 0, 0, 0); os.execvp(sys.argv[1], sys.argv[1:])",
      DENO,
      "run",
      "-q",
      "-P=barn",
      `--config=${ROOT}deno.json`,
      MAIN,
      "service",
      "run",
    ],
    cwd: ROOT,
    env: { BARN_HOME: home },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let stopped = false;
  try {
    await waitFor(async () => (await barn(home, ["service", "status"])).code === 0, {
      what: "the service under the subreaper to answer",
    });
    const job = await runningJob(home, silentCurl(home, http.silentPort, marker));
    const id = job.job_id;
    Deno.kill(service.pid, "SIGSTOP");
    stopped = true;
    Deno.kill(job.supervisor_pid, "SIGKILL");
    await waitFor(async () => {
      const p = (await withMarker(marker)).find((x) => x.pid === job.pid);
      return p && p.ppid === service.pid;
    }, { what: "the orphan to be reparented to the subreaper" });
    Deno.kill(service.pid, "SIGCONT");
    stopped = false;
    await orphanKilled(home, id, marker);
  } finally {
    if (stopped) Deno.kill(service.pid, "SIGCONT");
    await killMarked(marker);
    await barn(home, ["service", "stop", "--kill-jobs"]);
    try {
      service.kill("SIGKILL");
    } catch { /* gone */ }
    await service.status;
    await cleanupHome(home);
    await http.close();
  }
});

Deno.test("through the keeper, kill and --timeout of a forking command leave nothing behind", async () => {
  const home = tempHome("forking");
  const hooks = { permissionSet: "barn-test-hooks" };
  try {
    Deno.writeTextFileSync(`${home}/config.json`, '{"kill_grace": "1s"}');
    assertEquals((await barn(home, ["service", "start"], hooks)).code, 0);
    const markers = [1, 2].map(() => `barn-fork-${crypto.randomUUID()}`);
    const fixture = `${ROOT}tests/fixtures/ignore_term.py`;
    const timed = (await barn(home, [
      "run",
      "--output=json",
      "--timeout=2s",
      "python3",
      fixture,
      markers[0]!,
    ], hooks)).json().job_id;
    const killed =
      (await barn(home, ["run", "--output=json", "python3", fixture, markers[1]!], hooks))
        .json().job_id;
    // Both trees are up: parent and child each carry the marker.
    await waitFor(async () => (await withMarker(markers[1]!)).length === 2, {
      what: "the forking fixture's tree",
    });
    const tree = await withMarker(markers[1]!);
    assert(tree.some((p) => p.pgid === p.pid), "a forking command leads a group of its own");
    const k = await barn(home, ["kill", killed, "--output=json"], hooks);
    assertEquals([k.json().state, k.json().exit_code], ["canceled", "E_CANCELED"]);
    const t = (await barn(home, ["wait", timed, "--output=json"], hooks)).json()[0];
    assertEquals([t.state, t.exit_code], ["failed", "E_TIMEOUT"]);
    for (const m of markers) {
      await waitFor(async () => (await withMarker(m)).length === 0, {
        what: `tree ${m} to be gone`,
      });
    }
  } finally {
    await barn(home, ["service", "stop", "--kill-jobs"], hooks);
    await cleanupHome(home);
  }
});

Deno.test("service stop --kill-jobs: a job submitted while a running one is being stopped is canceled, never left running after the service", async () => {
  const home = tempHome("killjobs");
  const hooks = { permissionSet: "barn-test-hooks" };
  try {
    // A long grace: the test itself ends the stubborn tree once the late job is in.
    Deno.writeTextFileSync(`${home}/config.json`, '{"kill_grace": "60s"}');
    assertEquals((await barn(home, ["service", "start"], hooks)).code, 0);
    const stubborn = `barn-stubborn-${crypto.randomUUID()}`;
    const late = `barn-late-${crypto.randomUUID()}`;
    const first = (await barn(home, [
      "run",
      "--output=json",
      "python3",
      `${ROOT}tests/fixtures/ignore_term.py`,
      stubborn,
    ], hooks)).json().job_id;
    await waitFor(async () => (await withMarker(stubborn)).length === 2, {
      what: "the fixture tree that ignores SIGTERM",
    });
    const stop = barnChild(home, ["service", "stop", "--kill-jobs"], hooks);
    await waitFor(
      () => Deno.readTextFileSync(`${home}/logs/service.log`).includes("with --kill-jobs"),
      { what: "the service to take the stop" },
    );
    const sub = await barn(home, ["run", "--output=json", ...markedJob(late)], hooks);
    assertEquals(sub.code, 0, sub.stderr);
    for (const p of await withMarker(stubborn)) Deno.kill(p.pid, "SIGKILL");
    assertEquals((await stop.result).code, 0);
    assertEquals((await describe(home, first)).exit_code, "E_CANCELED");
    const j = await describe(home, sub.json().job_id);
    assertEquals([j.state, j.exit_code, j.started_at], ["canceled", "E_CANCELED", null]);
    assertEquals(await withMarker(late), []);
  } finally {
    await barn(home, ["service", "stop", "--kill-jobs"], hooks);
    await cleanupHome(home);
  }
});
