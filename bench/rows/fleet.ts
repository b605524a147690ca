/**
 * The fleet row: `barn-fleet status` over N local sshd hosts (default 20) with ssh multiplexing
 * warm, against the floor measured in the same run: N parallel `ssh hostN barn --version` over
 * the same multiplexed connections. Each remote barn is a Deno start on this machine's cores, so
 * those starts dominate both. Cold connections (no master yet) are reported too.
 *
 *   .deno/bin/deno run -A bench/fleet.ts [--hosts=20] [--reps=5]   prints the row as JSON
 *
 * bench/run.ts can call `fleetBench()` and fold its metrics and ratios into results.json.
 */

import { barn, cleanupHome } from "../../tests/helpers/barn.ts";
import { fleet } from "../../tests/helpers/fleet.ts";
import { haveSshd, type SshLab, startSshLab } from "../../tests/helpers/sshd.ts";
import { CONTROL_DIR } from "../../src/fleet/control_dir.ts";
import type { Row } from "../lib/report.ts";
import { median, roundedStat, type Stat } from "../lib/stats.ts";

export interface Ratio {
  value: number | null;
  target: string;
  holds: boolean | null;
}

export interface FleetBench {
  metrics: {
    hosts: number;
    warm: { fleet_status: Stat; ssh_floor: Stat };
    cold: { fleet_status: Stat; ssh_floor: Stat };
  };
  ratios: Record<string, Ratio>;
  notes: string[];
}

/** The same ssh options barn-fleet uses, so the floor rides the same master connections. */
function sshOptions(config: string): string[] {
  return [
    "-F",
    config,
    "-T",
    "-o",
    "BatchMode=yes",
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${CONTROL_DIR}/%C`,
    "-o",
    "ControlPersist=120s",
  ];
}

async function ssh(args: string[]): Promise<{ code: number; out: string }> {
  const o = await new Deno.Command("ssh", { args, stdout: "piped", stderr: "piped" }).output();
  return { code: o.code, out: new TextDecoder().decode(o.stdout) };
}

/** The floor: every host's `barn --version` at once, over the multiplexed connections. */
async function floor(lab: SshLab, aliases: string[]): Promise<void> {
  const outs = await Promise.all(
    aliases.map((a) => ssh([...sshOptions(lab.config), a, "barn", "--version"])),
  );
  const bad = outs.find((o) => o.code !== 0 || !o.out.startsWith("barn "));
  if (bad) throw new Error(`ssh barn --version failed (${bad.code}): ${bad.out}`);
}

async function status(lab: SshLab, aliases: string[]): Promise<void> {
  const r = await fleet(lab.config, [`--hosts=${aliases.join(",")}`, "--output=json", "status"]);
  if (r.code !== 0) throw new Error(`barn-fleet status failed (${r.code}): ${r.stderr}`);
  if (r.json().filter((x: { ok: boolean }) => x.ok).length !== aliases.length) {
    throw new Error("barn-fleet status: not every host answered");
  }
}

/** Ends every master connection, so the next command connects cold. */
async function closeMasters(lab: SshLab, aliases: string[]): Promise<void> {
  await Promise.all(aliases.map((a) => ssh([...sshOptions(lab.config), "-O", "exit", a])));
}

async function time(f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

export async function fleetBench(
  opts: { hosts?: number; reps?: number } = {},
): Promise<FleetBench> {
  const n = opts.hosts ?? 20;
  const reps = opts.reps ?? 5;
  const notes: string[] = [];
  if (!haveSshd()) {
    throw new Error("sshd is not installed (install/dev.sh deps installs openssh-server)");
  }
  const aliases = Array.from({ length: n }, (_, i) => `bench${i}`);
  const lab = await startSshLab(aliases.map((alias) => ({ alias })), "bench-fleet");
  const homes = [...lab.hosts.values()].map((h) => h.home);
  try {
    // Services start a few at a time: 2 cores.
    for (let i = 0; i < homes.length; i += 4) {
      await Promise.all(
        homes.slice(i, i + 4).map(async (home) => {
          const r = await barn(home, ["service", "start"]);
          if (r.code !== 0) throw new Error(`service start in ${home}: ${r.stderr}`);
        }),
      );
    }
    // Cold: no master connection yet, for either side (interleaved, masters closed before each).
    const cold = { fleet: [] as number[], floor: [] as number[] };
    for (let i = 0; i < Math.max(2, Math.ceil(reps / 2)); i++) {
      await closeMasters(lab, aliases);
      cold.floor.push(await time(() => floor(lab, aliases)));
      await closeMasters(lab, aliases);
      cold.fleet.push(await time(() => status(lab, aliases)));
    }
    // Warm: the masters stay up (ControlPersist), each side reuses them; interleaved.
    await status(lab, aliases);
    await floor(lab, aliases);
    const warm = { fleet: [] as number[], floor: [] as number[] };
    for (let i = 0; i < reps; i++) {
      warm.floor.push(await time(() => floor(lab, aliases)));
      warm.fleet.push(await time(() => status(lab, aliases)));
    }
    const value = median(warm.fleet) / median(warm.floor);
    notes.push(
      `fleet: ${n} hosts on ${navigator.hardwareConcurrency} cores; each remote command is a Deno start here`,
    );
    return {
      metrics: {
        hosts: n,
        warm: { fleet_status: roundedStat(warm.fleet), ssh_floor: roundedStat(warm.floor) },
        cold: { fleet_status: roundedStat(cold.fleet), ssh_floor: roundedStat(cold.floor) },
      },
      ratios: {
        fleet_status_warm_over_ssh_floor: {
          value: Math.round(value * 1000) / 1000,
          target: "<= 1.5",
          holds: value <= 1.5,
        },
      },
      notes,
    };
  } finally {
    await closeMasters(lab, aliases).catch(() => {});
    await Promise.all(homes.map((h) => barn(h, ["service", "stop"]).catch(() => {})));
    await lab.stop();
    for (const h of homes) await cleanupHome(h);
  }
}

/** The fleet row for bench/run.ts: 20 hosts at full size, 3 in the smoke run. */
export const fleetRow: Row = async ({ p, smoke, report }) => {
  const r = await fleetBench({ hosts: smoke ? 3 : 20, reps: p.reps });
  report.results.fleet = r.metrics;
  Object.assign(report.ratios, r.ratios);
  for (const n of r.notes) report.note(`fleet: ${n}`);
};

if (import.meta.main) {
  const opt = (name: string, dflt: number) => {
    const a = Deno.args.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.split("=")[1]) : dflt;
  };
  const r = await fleetBench({ hosts: opt("hosts", 20), reps: opt("reps", 5) });
  console.log(JSON.stringify(r, null, 2));
}
