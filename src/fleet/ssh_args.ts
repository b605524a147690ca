/** ssh and scp argv for one host (pure): batch mode, a connect timeout, multiplexing through a private control dir. */

import type { Host } from "./inventory.ts";

export interface SshSettings {
  /** `-F FILE`: an ssh_config instead of ~/.ssh/config (ssh reads it, not barn-fleet). */
  configFile: string | null;
  connectTimeoutSeconds: number;
  /** The private 0700 directory of ControlPath sockets; null turns multiplexing off. */
  controlDir: string | null;
  /** How long an idle master connection stays up for the next command. */
  controlPersistSeconds: number;
}

function common(s: SshSettings): string[] {
  const args: string[] = [];
  if (s.configFile !== null) args.push("-F", s.configFile);
  args.push(
    "-o",
    "BatchMode=yes", // never prompt: a host that wants a password fails fast with E_SSH_AUTH
    "-o",
    `ConnectTimeout=${Math.max(1, Math.ceil(s.connectTimeoutSeconds))}`,
    "-o",
    "ServerAliveInterval=15", // a silent dead peer is noticed in under a minute (listen, logs -f)
    "-o",
    "ServerAliveCountMax=3",
  );
  if (s.controlDir !== null && s.controlPersistSeconds > 0) {
    args.push(
      "-o",
      "ControlMaster=auto",
      "-o",
      `ControlPath=${s.controlDir}/%C`, // %C: a hash of host, port and user, short enough for a socket path
      "-o",
      `ControlPersist=${Math.ceil(s.controlPersistSeconds)}s`,
    );
  } else args.push("-o", "ControlMaster=no", "-o", "ControlPath=none");
  return args;
}

/** `ssh … -- HOST remote…`: the remote argv is fixed words (validated paths and barn's verbs). */
export function sshArgs(s: SshSettings, host: Host, remote: readonly string[]): string[] {
  return ["-T", ...common(s), "--", host.name, ...remote];
}

/** scp's form of a remote file: `HOST:PATH`, or `scp://…/PATH` for an `ssh://` destination. */
export function scpTarget(host: Host, path: string): string {
  if (host.name.startsWith("ssh://")) {
    return `scp://${host.name.slice(6).replace(/\/$/, "")}/${path}`; // "//abs" stays absolute
  }
  return `${host.name}:${path}`;
}

/** `scp -p … -- LOCAL HOST:PATH` (SFTP mode, OpenSSH's default since 9.0: no remote shell reads the path). */
export function scpArgs(s: SshSettings, host: Host, local: string, remotePath: string): string[] {
  return ["-p", "-q", ...common(s), "--", local, scpTarget(host, remotePath)];
}
