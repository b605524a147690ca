/**
 * barn-fleet deploy: copy a barn binary to each host beside its target (scp), check that it runs
 * and reports the expected version, then rename it into place (atomic on the host), and
 * optionally stage the service files there. The remote words are validated paths and fixed
 * verbs (`mv -f --`, `rm -f --`, `--version`); POSIX hosts.
 */

import { BarnError } from "../../errors.ts";
import { escapeText } from "../../escape.ts";
import { BUILD_COMMIT, VERSION } from "../../version.ts";
import type { FleetCommand } from "../command.ts";
import { fanOut } from "../fan_out.ts";
import { checkRemotePath, type Host } from "../inventory.ts";
import { remoteJson } from "../remote_command.ts";
import { runSsh } from "../ssh.ts";
import { scpArgs, sshArgs, type SshSettings } from "../ssh_args.ts";
import { classifySshExit, stderrTail } from "../ssh_errors.ts";
import type { DeployReport } from "../view.ts";

/** A binary upload can take minutes on a slow link. */
const DEPLOY_TIMEOUT_SECONDS = 600;
const VERSION_LINE = /^barn (\S+) \((\S+)\)$/;

/** Whether a `--version` line is the one asked for: `any` barn, a version, or a whole line. */
export function versionMatches(line: string, expect: string): boolean {
  const m = VERSION_LINE.exec(line);
  if (!m) return false;
  if (expect === "any") return true;
  return expect.startsWith("barn ") ? line === expect : m[1] === expect;
}

/** scp reads a local name with ':' as a host; `./` keeps it local. */
function localPath(p: string): string {
  return p.includes(":") && !p.startsWith("/") && !p.startsWith("./") ? `./${p}` : p;
}

async function ssh(
  host: Host,
  settings: SshSettings,
  words: string[],
  signal: AbortSignal,
) {
  return await runSsh("ssh", sshArgs(settings, host, words), signal);
}

async function deployOne(
  host: Host,
  settings: SshSettings,
  opts: { binary: string; target: string; expect: string; install: boolean; user: boolean },
  signal: AbortSignal,
): Promise<{ deployed: DeployReport }> {
  const { target } = opts;
  const slash = target.lastIndexOf("/");
  const random = Array.from(
    crypto.getRandomValues(new Uint8Array(6)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  // Next to the target, so the final rename never crosses a file system.
  const tmp = `${slash >= 0 ? target.slice(0, slash + 1) : ""}.barn-deploy-${random}`;
  const cleanup = () => ssh(host, settings, ["rm", "-f", "--", tmp], signal).catch(() => {});
  const cp = await runSsh("scp", scpArgs(settings, host, localPath(opts.binary), tmp), signal);
  if (signal.aborted) throw signal.reason;
  if (cp.code !== 0) {
    await cleanup();
    if (cp.code === 255 || /Permission denied \(|Host key verification/.test(cp.stderr)) {
      throw classifySshExit({ host: host.name, code: 255, stderr: cp.stderr, answered: false });
    }
    throw new BarnError(
      "E_IO",
      `copying ${opts.binary} to ${host.name}:${tmp} failed: ${
        stderrTail(cp.stderr) || `scp exit ${cp.code}`
      }`,
    );
  }
  const v = await ssh(host, settings, [tmp, "--version"], signal);
  if (signal.aborted) throw signal.reason;
  const line = v.stdout.trim();
  if (v.code !== 0 || !versionMatches(line, opts.expect)) {
    await cleanup();
    throw new BarnError(
      "E_VERSION",
      v.code !== 0 || !VERSION_LINE.test(line)
        ? `${opts.binary} did not run as barn on ${host.name} (exit ${v.code}: ${
          stderrTail(v.stderr || v.stdout) || "no output"
        }); nothing was replaced`
        : `${opts.binary} reports '${
          escapeText(line)
        }' on ${host.name}, not '${opts.expect}'; nothing was replaced (--expect-version=any accepts it)`,
    );
  }
  const mv = await ssh(host, settings, ["mv", "-f", "--", tmp, target], signal);
  if (signal.aborted) throw signal.reason;
  if (mv.code !== 0) {
    await cleanup();
    throw new BarnError(
      "E_IO",
      `renaming ${tmp} to ${target} on ${host.name} failed: ${
        stderrTail(mv.stderr) || `exit ${mv.code}`
      }`,
    );
  }
  let serviceInstall: Record<string, unknown> | null = null;
  if (opts.install) {
    const plan = await remoteJson(host, settings, [
      target,
      "service",
      "install",
      "--output=json",
      `--binary=${target}`,
      ...(opts.user ? ["--user"] : []),
    ], signal);
    if (typeof plan !== "object" || plan === null || Array.isArray(plan)) {
      throw new BarnError("E_PROTOCOL", `${host.name}: service install printed no JSON object`);
    }
    serviceInstall = plan as Record<string, unknown>;
  }
  return { deployed: { path: target, version: line, service_install: serviceInstall } };
}

export const deploy: FleetCommand = {
  name: "deploy",
  summary: "copy a barn binary to the hosts (scp, version check, atomic rename)",
  usage: "barn-fleet --hosts=… deploy --binary=FILE [--to=PATH] [--expect-version=V|any] " +
    "[--service-install [--user]]",
  example:
    "barn-fleet --hosts=media-1,media-2 deploy --binary=dist/barn-x86_64-unknown-linux-gnu " +
    "--to=/usr/local/bin/barn --service-install",
  options: {
    binary: { type: "string" },
    to: { type: "string" },
    "expect-version": { type: "string" },
    "service-install": { type: "boolean" },
    user: { type: "boolean" },
  },
  async run(ctx) {
    const binary = ctx.str("binary");
    if (!binary) {
      throw new BarnError(
        "E_USAGE",
        "give the binary to copy: --binary=dist/barn-x86_64-unknown-linux-gnu",
      );
    }
    const to = ctx.str("to");
    if (to !== undefined) checkRemotePath(to, "--to");
    const install = ctx.flag("service-install");
    const expect = ctx.str("expect-version") ?? `barn ${VERSION} (${BUILD_COMMIT})`;
    const hosts = await ctx.hosts();
    // Each host's target: --to, or its own barn path when that is a path.
    const targets = hosts.map((h) => {
      const target = to ?? (h.barn.includes("/") ? h.barn : undefined);
      if (target === undefined) {
        throw new BarnError(
          "E_USAGE",
          `where on ${h.name}? give --to=PATH (its barn is '${h.barn}', found on PATH)`,
        );
      }
      if (install && !target.startsWith("/")) {
        throw new BarnError(
          "E_USAGE",
          `--service-install needs an absolute --to (got '${target}')`,
        );
      }
      return { host: h, target };
    });
    const settings = ctx.settings;
    const results = await fanOut(
      targets,
      (t) => t.host.name,
      ctx.fanOptions(DEPLOY_TIMEOUT_SECONDS),
      (t, signal) =>
        deployOne(t.host, settings, {
          binary,
          target: t.target,
          expect,
          install,
          user: ctx.flag("user"),
        }, signal),
    );
    return await ctx.print({ view: "deploy", results });
  },
};
