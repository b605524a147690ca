/**
 * Row 1: one `barn run` against a bare `deno run` hello-world (the floor), tsp and nq,
 * round-robin: barn as the tests run it (from source, deno.json's permission set) and as close
 * to the compiled binary as this machine can run it (standinArgv, over the bundle the binary
 * embeds: standinBundle).
 */

import {
  barnCmd,
  DENO,
  MAIN,
  standinArgv,
  standinBundle,
  tempHome,
  withService,
} from "../lib/barn.ts";
import type { Bench } from "../lib/report.ts";
import { sh } from "../lib/sh.ts";
import { interleaved } from "../lib/timing.ts";

export async function submitLatency({ p, peers, report }: Bench): Promise<void> {
  const home = tempHome("submit");
  Deno.writeTextFileSync(`${home}/hello.ts`, 'console.log("hello");\n');
  const standin = await standinBundle(`${home}/standin`);
  await withService(home, { max_parallel: 4 }, async () => {
    // The stand-in keeps its own Deno cache: its V8 flags would otherwise make it and the
    // source run reject and rewrite each other's code cache (a compiled binary has its own).
    const cache = `${home}/deno_dir`;
    Deno.mkdirSync(cache);
    const cmds: Record<string, string[] | { argv: string[]; env: Record<string, string> }> = {
      deno_floor: [DENO, "run", "-q", `${home}/hello.ts`],
      barn_run: [DENO, "run", "-q", "-P=barn", MAIN, "run", "--tag=lat", "curl", "--version"],
      barn_run_standin: {
        argv: standinArgv(standin, "run", "--tag=lat", "curl", "--version"),
        env: { DENO_DIR: cache },
      },
      // For the breakdown: the floor without config, lock or remote modules; barn's static
      // client modules alone.
      deno_floor_no_config: [
        DENO,
        "run",
        "-q",
        "--cached-only",
        "--no-lock",
        "--no-config",
        `${home}/hello.ts`,
      ],
      barn_version: [DENO, "run", "-q", "-P=barn", MAIN, "--version"],
    };
    const env: Record<string, string> = { BARN_HOME: home };
    if (peers.tsp) cmds.tsp = ["tsp", "curl", "--version"];
    if (peers.nq) cmds.nq = ["nq", "-q", "curl", "--version"];
    const tmp = `${home}/peers`;
    Deno.mkdirSync(tmp);
    env.TS_SOCKET = `${tmp}/tsp.sock`;
    env.NQDIR = `${tmp}/nq`;
    await barnCmd(home, "run", "--tag=lat", "curl", "--version"); // so the first wait has a job
    // Before each timed run (untimed), every queue's last job is waited for: on 2 cores a
    // job still starting would otherwise overlap the next measurement. Every job still runs.
    const quiet = async () => {
      await barnCmd(home, "wait", "--tag=lat", "--timeout=60s");
      if (peers.tsp) await sh(["tsp", "-w"], env);
      if (peers.nq) await sh(["nq", "-w"], env);
    };
    const r = await interleaved(cmds, Math.max(p.reps * 4, 10), env, quiet);
    report.results.submit_latency = r;
    report.ratio(
      "submit_latency_barn_over_deno_floor",
      r.barn_run && r.deno_floor ? r.barn_run.median / r.deno_floor.median : null,
      "<= 1.3",
      (v) => v <= 1.3,
    );
    report.ratio(
      "submit_latency_standin_over_deno_floor",
      r.barn_run_standin && r.deno_floor ? r.barn_run_standin.median / r.deno_floor.median : null,
      "<= 1.3",
      (v) => v <= 1.3,
    );
    await sh(["tsp", "-K"], env);
  });
}
