/**
 * barn-fleet against real OpenSSH servers on 127.0.0.1 (no mocks): each "host" is its own sshd
 * with its own port, host key and BARN_HOME, running barn from this checkout. Under CI=true a
 * missing sshd fails the run.
 */

import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { barn, cleanupHome, sineJob, waitFor } from "./helpers/barn.ts";
import { fleet, streamFleet } from "./helpers/fleet.ts";
import { freePort, haveSshd, type SshLab, startSshLab } from "./helpers/sshd.ts";

// deno-lint-ignore no-explicit-any
type Rec = any;

/** Submits a job on a lab host the way its own user would (barn on the host itself). */
async function local(lab: SshLab, host: string, args: string[]): Promise<Rec> {
  const r = await barn(lab.hosts.get(host)!.home, ["run", "--output=json", ...args]);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  return r.json();
}

Deno.test({
  name:
    "barn-fleet over real sshd: status, run --on=any, HOST:ID commands, listen across a killed session, failures, quoting, deploy",
  ignore: !haveSshd(),
  async fn(t) {
    const lab = await startSshLab([
      { alias: "h1" },
      { alias: "h2" },
      { alias: "h3" },
      { alias: "down" },
      { alias: "nobarn", barn: false },
      { alias: "noauth", auth: false },
    ]);
    // A port nobody listens on, and a black hole that accepts and never says a word.
    lab.addAlias("nowhere", freePort());
    const hole = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    (async () => {
      for await (const c of hole) held.push(c);
    })().catch(() => {});
    lab.addAlias("blackhole", (hole.addr as Deno.NetAddr).port);
    const homes = [...lab.hosts.values()].map((h) => h.home);
    const cfg = lab.config;
    try {
      await Promise.all(
        ["h1", "h2", "h3"].map(async (h) => {
          const r = await barn(lab.hosts.get(h)!.home, ["service", "start"]);
          assertEquals(r.code, 0, r.stdout + r.stderr);
        }),
      );

      await t.step("help, --version, and usage errors before any host is contacted", async () => {
        const help = await fleet(cfg, ["--help"]);
        assertEquals(help.code, 0);
        for (
          const c of [
            "status",
            "run",
            "describe",
            "logs",
            "wait",
            "kill",
            "retry",
            "listen",
            "hostinfo",
            "service",
            "deploy",
          ]
        ) {
          assertMatch(help.stdout, new RegExp(`^  ${c} `, "m"));
        }
        const sub = await fleet(cfg, ["run", "--help"]);
        assertMatch(
          sub.stdout,
          /^barn-fleet run: [\s\S]*--on=VALUE[\s\S]*example:\n {2}barn-fleet/,
        );
        assertMatch((await fleet(cfg, ["--version"])).stdout, /^barn-fleet \S+ \(\S+\)\n$/);
        const none = await fleet(cfg, ["--output=json", "status"]);
        assertEquals([none.code, none.json().error.code], [2, "E_USAGE"]);
        const typo = await fleet(cfg, ["--hosts=h1", "stauts"]);
        assertMatch(typo.stderr, /did you mean `barn-fleet status`/);
      });

      await t.step("status: one merged table over 3 hosts, newest first, HOST:ID ids", async () => {
        const ids: Record<string, string> = {};
        for (const h of ["h1", "h2", "h3"]) {
          ids[h] = (await local(lab, h, ["--pending=hold", "ffprobe", "-version"])).job_id;
        }
        const j = await fleet(cfg, ["--hosts=h1,h2,h3", "--output=json", "status"]);
        assertEquals(j.code, 0, j.stderr);
        const res = j.json();
        assertEquals(res.map((r: Rec) => [r.host, r.ok, r.total]), [
          ["h1", true, 1],
          ["h2", true, 1],
          ["h3", true, 1],
        ]);
        for (const r of res) assertEquals(r.jobs.map((x: Rec) => x.job_id), [ids[r.host]]);
        const human = await fleet(cfg, ["--hosts=h1,h2,h3", "status"]);
        assertEquals(human.code, 0, human.stderr);
        const rows = human.stdout.trim().split("\n");
        assertMatch(rows[0]!, /^HOST\s+ID\s+STATE/);
        // Made h1, then h2, then h3: newest first across hosts.
        assertEquals(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 2)), [
          ["h3", `h3:${ids.h3}`],
          ["h2", `h2:${ids.h2}`],
          ["h1", `h1:${ids.h1}`],
        ]);
        const xml = await fleet(cfg, ["--hosts=h1,h2,h3", "--output=xml", "status"]);
        assertMatch(
          xml.stdout,
          new RegExp(`<host>h2</host>\\s*<ok>true</ok>\\s*<jobs>\\s*<job>\\s*<job_id>${ids.h2}`),
        );
      });

      await t.step(
        "run --on=any goes to the least loaded host each time; --on=tag:T picks among tagged hosts",
        async () => {
          const picks: string[] = [];
          for (let i = 0; i < 6; i++) {
            const r = await fleet(cfg, [
              "--hosts=h1,h2,h3",
              "--output=json",
              "run",
              "--on=any",
              "--pending=spread",
              "ffprobe",
              "-version",
            ]);
            assertEquals(r.code, 0, r.stdout + r.stderr);
            picks.push(r.json()[0].host);
          }
          // Each host starts with one held job; ties go to the first in the inventory.
          assertEquals(picks, ["h1", "h2", "h3", "h1", "h2", "h3"]);
          const tagged = await fleet(
            cfg,
            [
              "--hosts=-",
              "--output=json",
              "run",
              "--on=tag:gpu",
              "--pending=spread",
              "ffprobe",
              "-version",
            ],
            { stdin: "# the inventory\nh1 eu\nh2 gpu\nh3 gpu eu\n" },
          );
          assertEquals(tagged.code, 0, tagged.stderr);
          assertEquals(tagged.json()[0].host, "h2");
          const counts =
            (await fleet(cfg, ["--hosts=h1,h2,h3", "--output=json", "service", "status"]))
              .json().map((r: Rec) => [r.host, r.status.jobs.queued]);
          assertEquals(counts, [["h1", 3], ["h2", 4], ["h3", 3]]);
        },
      );

      await t.step(
        "hostile input: the argv travels in a frame; host names starting with '-' are refused; human output is escaped",
        async () => {
          const pwn = `/tmp/barn-pwn-${crypto.randomUUID().slice(0, 8)}`;
          const attack = `'; touch ${pwn} #'`;
          const spoof = "\x1b[31mred\u202eevil";
          const r = await fleet(cfg, [
            "--output=json",
            "run",
            "--on=h1",
            "--pending=q",
            "ffprobe",
            attack,
            `$(touch ${pwn})`,
            spoof,
          ]);
          assertEquals(r.code, 0, r.stdout + r.stderr);
          const job = r.json()[0].job;
          assertEquals(job.command, ["ffprobe", attack, `$(touch ${pwn})`, spoof]);
          const described = await fleet(cfg, ["describe", `h1:${job.job_id}`]);
          assertEquals(described.code, 0, described.stderr);
          assert(
            !described.stdout.includes("\x1b") && !described.stdout.includes("\u202e"),
            "raw escape or bidi reached the terminal",
          );
          assertMatch(described.stdout, /\\u001b\[31mred\\u202eevil/);
          for (
            const bad of [
              ["--hosts=-oProxyCommand=touch " + pwn, "status"],
              ["run", "--on=-oProxyCommand=touch " + pwn, "ffprobe", "-version"],
              ["describe", `-oProxyCommand=touch ${pwn}:abcd`],
              ["--hosts=h1", "--barn=barn;touch " + pwn, "status"],
            ]
          ) {
            const x = await fleet(cfg, ["--output=json", ...bad]);
            assertEquals([x.code, x.json().error.code], [2, "E_USAGE"], bad.join(" "));
          }
          let created = true;
          try {
            Deno.statSync(pwn);
          } catch {
            created = false;
          }
          assertEquals(created, false, `${pwn} was created`);
        },
      );

      await t.step("describe, logs (-f), wait, kill, retry on HOST:ID", async () => {
        const sub = await fleet(cfg, ["--output=json", "run", "--on=h2", ...sineJob(1, "info")]);
        assertEquals(sub.code, 0, sub.stderr);
        const id = `h2:${sub.json()[0].job.job_id}`;
        const followed = await fleet(cfg, ["logs", "-f", "--stderr", id]);
        assertEquals(followed.code, 0, followed.stderr);
        assertMatch(followed.stdout, /Stream #0:0.*Audio/);
        const waited = await fleet(cfg, ["--output=json", "wait", id]);
        assertEquals(waited.code, 0);
        assertEquals(waited.json()[0].jobs[0].state, "succeeded");
        const tail = await fleet(cfg, ["--output=json", "logs", "--stderr", "-n", "1", id]);
        const lines = tail.stdout.trim().split("\n").map((l) => JSON.parse(l));
        assertEquals(lines.at(-1).ok, true);
        assertEquals(
          lines.slice(0, -1).every((l: Rec) => l.which === "stderr" && l.host === "h2"),
          true,
        );
        const retried = await fleet(cfg, ["--output=json", "retry", id]);
        assertEquals(retried.json()[0].job.retry_of, id.slice(3));
        const held = await fleet(cfg, [
          "--output=json",
          "run",
          "--on=h3",
          "--pending=k",
          "ffprobe",
          "-version",
        ]);
        const killed = await fleet(cfg, [
          "--output=json",
          "kill",
          `h3:${held.json()[0].job.job_id}`,
        ]);
        assertEquals(killed.json()[0].job.state, "canceled");
        const failed = await fleet(cfg, [
          "--output=json",
          "run",
          "--on=h1",
          "ffprobe",
          "/no/such/clip.mp4",
        ]);
        const code = await fleet(cfg, ["wait", `h1:${failed.json()[0].job.job_id}`]);
        assertEquals(code.code, 1, "wait passes one job's own code through");
        const missing = await fleet(cfg, ["--output=json", "describe", "h1:zzzzzzzz"]);
        assertEquals([missing.code, missing.json()[0].error.code], [101, "E_NOT_FOUND"]);
      });

      await t.step(
        "listen: merged JSON Lines with host; a killed ssh session reconnects with no gap and no repeat",
        async () => {
          const l = streamFleet(cfg, ["--hosts=h1,h2,h3", "--output=json", "listen"]);
          const notes = (host: string, note: string) =>
            l.lines.filter((x) => x.host === host && x.note === note).length;
          const events = (host: string) => l.lines.filter((x) => x.host === host && "seq" in x);
          await waitFor(() => ["h1", "h2", "h3"].every((h) => notes(h, "connected") === 1), {
            what: "three connected notes",
          });
          const ids: string[] = [];
          for (let i = 0; i < 2; i++) {
            ids.push((await local(lab, "h2", ["--pending=L", "curl", "--version"])).job_id);
          }
          await waitFor(() => events("h2").length === 2, { what: "h2's first events" });
          // Freeze h2's sshd listener, so no reconnect can happen yet, then kill the sshd processes
          // of its connection (the multiplexed master's too). Jobs made now land in the gap.
          const sshd = lab.hosts.get("h2")!.pid;
          // The disconnect this kill causes, not one seen before it (a slow machine can drop a
          // session and reconnect on its own, and then the old note would pass at once).
          const cutsBefore = notes("h2", "disconnected");
          const rejoinsBefore = notes("h2", "reconnected");
          Deno.kill(sshd, "SIGSTOP");
          try {
            assert((await lab.killSessions("h2")) > 0, "no sshd session to kill");
            await waitFor(() => notes("h2", "disconnected") > cutsBefore, {
              what: "h2's disconnect",
            });
            for (let i = 0; i < 2; i++) {
              ids.push((await local(lab, "h2", ["--pending=L", "curl", "--version"])).job_id);
            }
            assertEquals(events("h2").length, 2, "events arrived while h2 was cut off");
          } finally {
            Deno.kill(sshd, "SIGCONT");
          }
          await waitFor(() => notes("h2", "reconnected") > rejoinsBefore, {
            what: "h2 to reconnect",
            timeoutMs: 30_000,
          });
          ids.push((await local(lab, "h2", ["--pending=L", "curl", "--version"])).job_id);
          const h1 = (await local(lab, "h1", ["--pending=L", "curl", "--version"])).job_id;
          await waitFor(() => events("h2").length === 5 && events("h1").length === 1, {
            what: "every event after the reconnect",
          });
          assertEquals(await l.stop(), 0);
          const h2 = events("h2");
          assert(notes("h2", "disconnected") >= 1, "no disconnect was seen");
          assertEquals(h2.map((e) => e.job_id), ids, "an event was lost or repeated");
          const seqs = h2.map((e) => e.seq as number);
          assertEquals(seqs, seqs.map((_, i) => seqs[0]! + i), "sequence numbers have a gap");
          assertEquals(new Set(h2.map((e) => e.epoch)).size, 1);
          assertEquals(events("h1").map((e) => e.job_id), [h1]);
          assertEquals(notes("h1", "disconnected") + notes("h3", "disconnected"), 0);
        },
      );

      await t.step(
        "per-host failures: no barn, refused auth, service down, unreachable, timeout; never all-or-nothing",
        async () => {
          const r = await fleet(cfg, [
            "--hosts=h1,nobarn,noauth,down,nowhere",
            "--output=json",
            "status",
          ]);
          const res = r.json();
          assertEquals(res.map((x: Rec) => [x.host, x.ok ? "ok" : x.error.code]), [
            ["h1", "ok"],
            ["nobarn", "E_BARN_MISSING"],
            ["noauth", "E_SSH_AUTH"],
            ["down", "E_NO_SERVICE"],
            ["nowhere", "E_SSH_UNREACHABLE"],
          ]);
          assertEquals(r.code, 123, "the first failed host's code (E_BARN_MISSING)");
          const human = await fleet(cfg, ["--hosts=h1,down", "status"]);
          assertEquals(human.code, 100);
          assertMatch(human.stdout, /^HOST\s+ID/);
          assertMatch(human.stderr, /barn-fleet: down: error: .*not running.*\[E_NO_SERVICE\]/);
          // A remote program that prints text, not frames (a wrong barn path, a chatty login shell).
          const garbage = await fleet(cfg, [
            "--hosts=h1",
            "--barn=/bin/echo",
            "--output=json",
            "status",
          ]);
          const g = garbage.json()[0];
          assertEquals([garbage.code, g.error.code], [106, "E_PROTOCOL"], garbage.stdout);
          assertMatch(g.error.message, /not barn's protocol .*barn=PATH/);
          const slow = await fleet(cfg, [
            "--hosts=blackhole,h1",
            "--timeout=2s",
            "--output=json",
            "status",
          ]);
          assertEquals(slow.json().map((x: Rec) => x.ok ? "ok" : x.error.code), [
            "E_TIMEOUT",
            "ok",
          ]);
          assertEquals(slow.code, 124);
        },
      );

      await t.step("service status and hostinfo across the fleet", async () => {
        const s = await fleet(cfg, ["--hosts=h1,down", "--output=json", "service", "status"]);
        assertEquals(s.json().map((x: Rec) => x.ok ? x.status.state : x.error.code), [
          "up",
          "E_NO_SERVICE",
        ]);
        const hi = await fleet(cfg, ["--hosts=h1,down", "--output=json", "hostinfo"]);
        assertEquals(hi.code, 0, hi.stderr);
        assertEquals(hi.json().map((x: Rec) => x.hostinfo.barn_home), [
          lab.hosts.get("h1")!.home,
          lab.hosts.get("down")!.home,
        ]);
        assertMatch(hi.json()[0].hostinfo.ffmpeg, /^ffmpeg version/);
      });

      await t.step(
        "deploy onto a host dir: scp, version check, atomic rename; a wrong binary replaces nothing",
        async () => {
          const dir = `${lab.dir}/deploy/bin`;
          Deno.mkdirSync(dir, { recursive: true });
          const target = `${dir}/barn`;
          const good = `${lab.dir}/barn-build`;
          Deno.copyFileSync(lab.barnWrapper, good);
          Deno.chmodSync(good, 0o755);
          const r = await fleet(cfg, [
            "--hosts=h1",
            "--output=json",
            "deploy",
            `--binary=${good}`,
            `--to=${target}`,
            "--service-install",
          ]);
          assertEquals(r.code, 0, r.stdout + r.stderr);
          const d = r.json()[0].deployed;
          assertMatch(d.version, /^barn \S+ \(\S+\)$/);
          assertEquals(d.path, target);
          assertEquals(Deno.readTextFileSync(target), Deno.readTextFileSync(good));
          assert((Deno.statSync(target).mode! & 0o111) !== 0, "the deployed binary is executable");
          assert(d.service_install.files.length > 0 && d.service_install.commands.length > 0);
          assertMatch(
            d.service_install.files[0].staged,
            new RegExp(`^${lab.hosts.get("h1")!.home}/install/`),
          );
          const bad = `${lab.dir}/not-barn`;
          Deno.writeTextFileSync(bad, "#!/bin/sh\necho 'hello 1.0'\n", { mode: 0o755 });
          const refused = await fleet(cfg, [
            "--hosts=h1",
            "--output=json",
            "deploy",
            `--binary=${bad}`,
            `--to=${target}`,
          ]);
          assertEquals([refused.code, refused.json()[0].error.code], [106, "E_VERSION"]);
          assertEquals(
            Deno.readTextFileSync(target),
            Deno.readTextFileSync(good),
            "the target was replaced",
          );
          assertEquals(
            [...Deno.readDirSync(dir)].map((e) => e.name),
            ["barn"],
            "a temp file was left",
          );
        },
      );
    } finally {
      hole.close();
      for (const c of held) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await lab.stop();
      for (const h of homes) await cleanupHome(h);
    }
  },
});
