/** Timing: repeated runs of a step, hyperfine for single commands, and round-robin runs. */

import { sh } from "./sh.ts";
import { type Stat, stat } from "./stats.ts";

/** Times `f` `reps` times after one warm-up; seconds. */
export async function timeIt(reps: number, f: () => Promise<void>, warmup = 1): Promise<Stat> {
  for (let i = 0; i < warmup; i++) await f();
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    xs.push((performance.now() - t0) / 1000);
  }
  return stat(xs);
}

/** hyperfine's mean and spread for single commands, in seconds. */
export async function hyperfine(
  cmds: Record<string, string>,
  runs: number,
  env: Record<string, string>,
): Promise<Record<string, Stat>> {
  const json = `/tmp/barn/bench-hf-${crypto.randomUUID()}.json`;
  const names = Object.keys(cmds);
  const argv = ["hyperfine", "-N", "--warmup", "3", "--runs", String(runs), "--export-json", json];
  for (const n of names) argv.push("-n", n, cmds[n]!);
  const r = await sh(argv, env);
  if (r.code !== 0) throw new Error(`hyperfine failed: ${r.err}`);
  const res = JSON.parse(Deno.readTextFileSync(json)).results as {
    command: string;
    median: number;
    min: number;
    max: number;
    times: number[];
  }[];
  Deno.removeSync(json);
  return Object.fromEntries(
    res.map((x) => [x.command, { median: x.median, min: x.min, max: x.max, runs: x.times.length }]),
  );
}

/**
 * Times single commands round-robin: each round runs every command once, in turn, so a drift
 * in the machine's speed (this shared VM moves between a fast and a slow state over seconds)
 * lands on every command alike; hyperfine runs each command's repetitions back to back.
 * `prepare` runs untimed before every timed run. A command may add its own environment
 * (`{ argv, env }`). Medians, in seconds.
 */
export async function interleaved(
  cmds: Record<string, string[] | { argv: string[]; env: Record<string, string> }>,
  runs: number,
  env: Record<string, string>,
  prepare: () => Promise<void> = () => Promise.resolve(),
): Promise<Record<string, Stat>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cmds).map((n) => [n, []]));
  const exec = async (cmd: string[] | { argv: string[]; env: Record<string, string> }) => {
    const argv = Array.isArray(cmd) ? cmd : cmd.argv;
    const { code } = await new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      env: Array.isArray(cmd) ? env : { ...env, ...cmd.env },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return code;
  };
  for (let round = -3; round < runs; round++) { // 3 warm-up rounds
    for (const [name, cmd] of Object.entries(cmds)) {
      await prepare();
      const t0 = performance.now();
      const code = await exec(cmd);
      const dt = (performance.now() - t0) / 1000;
      if (code !== 0) throw new Error(`${name}: ${JSON.stringify(cmd)} exited ${code}`);
      if (round >= 0) times[name]!.push(dt);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([n, xs]) => [n, stat(xs)]));
}
