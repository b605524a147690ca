/**
 * A lab of real OpenSSH servers on 127.0.0.1 for the fleet tests and bench: each "host" is its
 * own sshd (own port, own host key, `SetEnv BARN_HOME=…`) running barn from this checkout, and
 * the client side is a key pair and an ssh_config made here, passed to barn-fleet with
 * `--ssh-config`.
 */

import { DENO, pidAlive, ROOT, waitFor } from "./barn.ts";

export const SSHD = "/usr/sbin/sshd";

/** Whether sshd is installed; under CI=true its absence is a failure, never a skip. */
export function haveSshd(): boolean {
  try {
    Deno.statSync(SSHD);
    return true;
  } catch {
    if (Deno.env.get("CI") === "true") {
      throw new Error(`${SSHD} is missing: install openssh-server (install/dev.sh deps)`);
    }
    return false;
  }
}

export interface HostSpec {
  alias: string;
  /** A `barn` on the remote PATH (default true); false gives a host with no barn. */
  barn?: boolean;
  /** false: the server accepts no key, so every login is refused. */
  auth?: boolean;
}

export interface LabHost {
  alias: string;
  port: number;
  /** BARN_HOME that sshd sets for this host's sessions. */
  home: string;
  pid: number;
}

export interface SshLab {
  dir: string;
  /** The ssh_config with one Host block per alias. */
  config: string;
  /** A `barn` wrapper that runs this checkout's source under the shipped set. */
  barnWrapper: string;
  hosts: Map<string, LabHost>;
  /** Adds a Host block for an alias that points at `port` on 127.0.0.1 (nothing, or a black hole). */
  addAlias(alias: string, port: number): void;
  /** SIGKILLs every per-connection sshd process of a host (the sessions die; the listener stays). */
  killSessions(alias: string): Promise<number>;
  stop(): Promise<void>;
}

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** A port nothing listens on right now (bound, then released). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Every descendant of `pid`, read from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e.name));
      children.set(ppid, list);
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Starts one sshd per spec; every host's barn runs from this checkout in its own BARN_HOME. */
export async function startSshLab(specs: HostSpec[], name = "fleet"): Promise<SshLab> {
  const dir = Deno.makeTempDirSync({ prefix: "barn-sshlab-" });
  const user = (await run("id", ["-un"])).trim();
  if (Deno.uid() === 0) {
    // sshd started as root wants its privilege-separation directory.
    Deno.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  }
  Deno.mkdirSync(`${dir}/bin`);
  const barnWrapper = `${dir}/bin/barn`;
  Deno.writeTextFileSync(
    barnWrapper,
    `#!/bin/sh\nexec '${DENO}' run -q -P=barn --config='${ROOT}deno.json' '${ROOT}src/main.ts' "$@"\n`,
    { mode: 0o755 },
  );
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/client_key`]);
  Deno.writeTextFileSync(`${dir}/authorized_keys`, Deno.readTextFileSync(`${dir}/client_key.pub`));
  Deno.writeTextFileSync(`${dir}/no_keys`, "");
  Deno.mkdirSync("/tmp/barn", { recursive: true, mode: 0o700 });
  const tag = crypto.randomUUID().slice(0, 6);
  const hosts = new Map<string, LabHost>();
  const procs: Deno.ChildProcess[] = [];
  let knownHosts = "";
  let sshConfig = "";
  const block = (alias: string, port: number) =>
    `Host ${alias}\n  HostName 127.0.0.1\n  Port ${port}\n  User ${user}\n` +
    `  IdentityFile ${dir}/client_key\n  IdentitiesOnly yes\n` +
    `  UserKnownHostsFile ${dir}/known_hosts\n  GlobalKnownHostsFile /dev/null\n` +
    `  StrictHostKeyChecking yes\n\n`;
  for (const [i, spec] of specs.entries()) {
    const port = freePort();
    const key = `${dir}/host${i}_key`;
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    knownHosts += `[127.0.0.1]:${port} ${Deno.readTextFileSync(`${key}.pub`).trim()}\n`;
    const home = `/tmp/barn/${name}-host${i}-${tag}`;
    Deno.mkdirSync(home, { mode: 0o700 });
    const path = spec.barn === false ? "/usr/bin:/bin" : `${dir}/bin:/usr/bin:/bin`;
    const cfg = `${dir}/sshd_${i}.conf`;
    Deno.writeTextFileSync(
      cfg,
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${key}`,
        `PidFile ${dir}/sshd_${i}.pid`,
        `AuthorizedKeysFile ${spec.auth === false ? `${dir}/no_keys` : `${dir}/authorized_keys`}`,
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "StrictModes no",
        "UsePAM no",
        "PrintMotd no",
        "Subsystem sftp internal-sftp", // scp speaks SFTP since OpenSSH 9
        "MaxSessions 64",
        "MaxStartups 200:30:400",
        "LogLevel ERROR",
        `SetEnv BARN_HOME=${home} PATH=${path}`,
        "",
      ].join("\n"),
    );
    const child = new Deno.Command(SSHD, {
      args: ["-D", "-e", "-f", cfg],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    procs.push(child);
    hosts.set(spec.alias, { alias: spec.alias, port, home, pid: child.pid });
    sshConfig += block(spec.alias, port);
  }
  Deno.writeTextFileSync(`${dir}/known_hosts`, knownHosts);
  const config = `${dir}/ssh_config`;
  Deno.writeTextFileSync(config, sshConfig);
  for (const h of hosts.values()) {
    await waitFor(async () => {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port: h.port })).close();
        return true;
      } catch {
        return false;
      }
    }, { what: `sshd on port ${h.port}` });
  }
  return {
    dir,
    config,
    barnWrapper,
    hosts,
    addAlias(alias, port) {
      sshConfig += block(alias, port);
      Deno.writeTextFileSync(config, sshConfig);
    },
    async killSessions(alias) {
      const h = hosts.get(alias)!;
      const pids = descendants(h.pid);
      for (const p of pids) {
        try {
          Deno.kill(p, "SIGKILL");
        } catch { /* gone */ }
      }
      // A stopped listener cannot reap them: a zombie counts as dead.
      await waitFor(() => pids.every((p) => !pidAlive(p)), {
        what: `the sessions of ${alias} to die`,
      });
      return pids.length;
    },
    async stop() {
      for (const c of procs) {
        for (const p of descendants(c.pid)) {
          try {
            Deno.kill(p, "SIGKILL");
          } catch { /* gone */ }
        }
        try {
          c.kill("SIGKILL");
        } catch { /* gone */ }
        await c.status;
      }
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

/** Runs this checkout's barn against one lab host's home (the host's own local view). */
export function localBarnArgs(): string[] {
  return ["run", "-q", "-P=barn", `${ROOT}src/main.ts`];
}

export { DENO };
