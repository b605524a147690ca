/**
 * Upgrading barn under a running service and keeper (issue 12 case 14): the tree of an older
 * commit plays the old barn, this tree the new one, on one BARN_HOME.
 */

import { assert, assertEquals } from "./helpers/assert.ts";
import { barn, cleanupHome, DENO, pidAlive, sineJob, tempHome, waitFor } from "./helpers/barn.ts";
import { fleet } from "./helpers/fleet.ts";
import { haveSshd, startSshLab } from "./helpers/sshd.ts";

/** The last commit whose keeper speaks protocol 1 (before versioned keeper socket names). */
const OLD_COMMIT = "73ec9ba";

// deno-lint-ignore no-explicit-any
type Rec = any;

async function git(args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

Deno.test("upgrade: a new service lets an older keeper drain beside its own, and reaches its jobs", async () => {
  const tree = await Deno.makeTempDir({ prefix: "barn-old-" });
  const home = tempHome("upgrade");
  try {
    await git(["worktree", "add", "--detach", "--force", tree, OLD_COMMIT]);
    Deno.mkdirSync(`${tree}/.deno/bin`, { recursive: true });
    Deno.copyFileSync(DENO, `${tree}/.deno/bin/deno`);
    Deno.chmodSync(`${tree}/.deno/bin/deno`, 0o755);
    const old = async (args: string[]) => {
      const out = await new Deno.Command(`${tree}/.deno/bin/deno`, {
        args: ["run", "-q", "-P=barn", `${tree}/src/main.ts`, ...args],
        cwd: tree,
        env: { BARN_HOME: home, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
    };
    assertEquals((await old(["service", "start"])).code, 0);
    const ends = JSON.parse((await old(["run", "--output=json", ...sineJob(4)])).stdout).job_id;
    const killed = JSON.parse((await old(["run", "--output=json", ...sineJob(60)])).stdout).job_id;
    const oldKeeper = await waitFor(async () => {
      const st = JSON.parse((await old(["service", "status", "--output=json"])).stdout);
      return st.keeper.jobs === 2 ? st.keeper.pid as number : null;
    }, { what: "the old keeper to run both jobs" });
    assertEquals((await old(["service", "stop"])).code, 0);

    // The new barn takes over the home; the old keeper's jobs are alive, not adopted.
    assertEquals((await barn(home, ["service", "start"])).code, 0);
    const fresh = (await barn(home, ["run", "--output=json", "ffprobe", "-version"])).json().job_id;
    const st = (await barn(home, ["service", "status", "--output=json"])).json();
    const done = await waitFor(async () => {
      const j = (await barn(home, ["describe", fresh, "--output=json"])).json();
      return j.state === "succeeded" ? j : null;
    }, { what: "a new job to run on a new keeper" });
    assertEquals(done.supervisor, "keeper");
    const newKeeper =
      (await barn(home, ["service", "status", "--output=json"])).json().keeper.pid ??
        st.keeper.pid;
    assert(newKeeper !== oldKeeper, "the new service adopted the old keeper");
    assert(pidAlive(oldKeeper), "the old keeper must drain its jobs, not die");
    const cmdline = Deno.readTextFileSync(`/proc/${oldKeeper}/cmdline`);
    assert(cmdline.includes(tree), "that pid is not the old tree's keeper");

    // The old keeper's natural exit is recorded; a kill through the new service reaches it.
    const natural = await waitFor(async () => {
      const j = (await barn(home, ["describe", ends, "--output=json"])).json();
      return j.state === "succeeded" ? j : null;
    }, { what: "the old keeper's job to end and be recorded" });
    assertEquals(natural.exit_code, 0);
    const k = await barn(home, ["kill", killed, "--output=json"]);
    assertEquals(k.code, 0, k.stdout);
    assertEquals([k.json().state, k.json().exit_code], ["canceled", "E_CANCELED"]);
    // The old barn meets a schema newer than it knows: it refuses to open it for writing.
    const stale = await old(["status", "--offline", "--output=json"]);
    assertEquals(stale.code, 107, stale.stdout);
    assert(stale.stdout.includes("newer than this barn knows"), stale.stdout);
    // Drained, the old keeper leaves on its own.
    await waitFor(() => !pidAlive(oldKeeper), {
      what: "the old keeper to exit",
      timeoutMs: 20_000,
    });
    const all: Rec[] = (await barn(home, ["status", "--all", "--output=json"])).json();
    assertEquals(all.length, 3);
    assert(all.every((j) => j.state !== "running" && j.state !== "queued"));
  } finally {
    await barn(home, ["service", "stop", "--kill-jobs"]);
    await cleanupHome(home);
    await git(["worktree", "remove", "--force", tree]).catch(() => {});
    await Deno.remove(tree, { recursive: true }).catch(() => {});
  }
});

/** The last commit whose service speaks client protocol 2 only (before `status` text, protocol 3). */
const PROTOCOL_2_COMMIT = "b43f0eb";

Deno.test("upgrade: the new barn stops and restarts a service that speaks the older client protocol, as its own error advises", async () => {
  const tree = await Deno.makeTempDir({ prefix: "barn-old-" });
  const home = tempHome("upgrade2");
  try {
    await git(["worktree", "add", "--detach", "--force", tree, PROTOCOL_2_COMMIT]);
    Deno.mkdirSync(`${tree}/.deno/bin`, { recursive: true });
    Deno.copyFileSync(DENO, `${tree}/.deno/bin/deno`);
    Deno.chmodSync(`${tree}/.deno/bin/deno`, 0o755);
    const started = await new Deno.Command(`${tree}/.deno/bin/deno`, {
      args: ["run", "-q", "-P=barn", `${tree}/src/main.ts`, "service", "start", "--output=json"],
      cwd: tree,
      env: { BARN_HOME: home, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(started.code, 0, new TextDecoder().decode(started.stderr));
    const oldPid = JSON.parse(new TextDecoder().decode(started.stdout)).pid as number;

    // A listing as text needs protocol 3: the old service refuses it, and says to restart it.
    const listing = await barn(home, ["status", "--output=json"]);
    assertEquals(listing.code, 106, listing.stdout);
    assert(listing.stdout.includes("restart the service"), listing.stdout);
    const st = await barn(home, ["service", "status", "--output=json"]);
    assertEquals(st.code, 0, st.stdout + st.stderr);
    assertEquals(st.json().pid, oldPid);
    const restart = await barn(home, ["service", "restart"]);
    assertEquals(restart.code, 0, restart.stdout + restart.stderr);
    assert(!pidAlive(oldPid), "the old service is still running");
    const now = (await barn(home, ["service", "status", "--output=json"])).json();
    assert(now.pid !== oldPid);
    const after = await barn(home, ["status", "--output=json"]);
    assertEquals([after.code, after.stdout], [0, "[]\n"]);
  } finally {
    await barn(home, ["service", "stop", "--kill-jobs"]);
    await cleanupHome(home);
    await git(["worktree", "remove", "--force", tree]).catch(() => {});
    await Deno.remove(tree, { recursive: true }).catch(() => {});
  }
});

Deno.test({
  name: "upgrade: a new barn-fleet reaches hosts whose service speaks the older client protocol",
  ignore: !haveSshd(),
  async fn() {
    const tree = await Deno.makeTempDir({ prefix: "barn-old-" });
    const lab = await startSshLab([{ alias: "old" }], "upgrade");
    const home = lab.hosts.get("old")!.home;
    const oldBarn = `${lab.dir}/bin/barn-old`;
    try {
      await git(["worktree", "add", "--detach", "--force", tree, PROTOCOL_2_COMMIT]);
      Deno.mkdirSync(`${tree}/.deno/bin`, { recursive: true });
      Deno.copyFileSync(DENO, `${tree}/.deno/bin/deno`);
      Deno.chmodSync(`${tree}/.deno/bin/deno`, 0o755);
      Deno.writeTextFileSync(
        oldBarn,
        `#!/bin/sh\nexec '${tree}/.deno/bin/deno' run -q -P=barn --config='${tree}/deno.json' ` +
          `'${tree}/src/main.ts' "$@"\n`,
        { mode: 0o755 },
      );
      const started = await new Deno.Command(oldBarn, {
        args: ["service", "start"],
        env: { BARN_HOME: home },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(started.code, 0, new TextDecoder().decode(started.stderr));
      const st = await fleet(lab.config, [
        "--hosts=old",
        `--barn=${oldBarn}`,
        "--output=json",
        "service",
        "status",
      ]);
      assertEquals(st.code, 0, st.stdout + st.stderr);
      const ran = await fleet(lab.config, [
        "--hosts=old",
        `--barn=${oldBarn}`,
        "--output=json",
        "run",
        "--pending=L",
        "curl",
        "--version",
      ]);
      assertEquals(ran.code, 0, ran.stdout + ran.stderr);
      const listed = await fleet(lab.config, [
        "--hosts=old",
        `--barn=${oldBarn}`,
        "--output=json",
        "status",
      ]);
      assertEquals(listed.code, 0, listed.stdout + listed.stderr);
      assertEquals(JSON.stringify(listed.json()).match(/"curl"/g)?.length, 1, listed.stdout);
    } finally {
      await new Deno.Command(oldBarn, {
        args: ["service", "stop", "--kill-jobs"],
        env: { BARN_HOME: home },
      }).output().catch(() => {});
      await lab.stop();
      await cleanupHome(home);
      await git(["worktree", "remove", "--force", tree]).catch(() => {});
      await Deno.remove(tree, { recursive: true }).catch(() => {});
    }
  },
});
