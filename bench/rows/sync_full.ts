/**
 * Issue 12, case 13: what `synchronous=FULL` costs a submission against `NORMAL`. barn commits
 * submissions with FULL (store.ts DURABLE_SUBMIT). The store's own insert (one transaction, the
 * job dir, job.json) on two homes, one with FULL and one with NORMAL, alternated; then whole
 * `barn run` calls against two services, one running a copy of src/ switched to NORMAL (a switch
 * made only in that temporary copy).
 */

import { DENO, MAIN, ROOT, tempHome, withService } from "../lib/barn.ts";
import type { Bench } from "../lib/report.ts";
import { type Stat, stat } from "../lib/stats.ts";
import { interleaved } from "../lib/timing.ts";
import { Store } from "../../src/store/store.ts";
import { prepareHome } from "../../src/platform/home_layout.ts";

const DURABLE = "export const DURABLE_SUBMIT = true;";

/** A copy of barn's tree (src/, deno.json, the deno binary linked) that submits with NORMAL. */
function fullCopy(): string {
  const dir = tempHome("synctree");
  for (const f of ["deno.json", "deno.lock"]) Deno.copyFileSync(`${ROOT}${f}`, `${dir}/${f}`);
  const copy = (from: string, to: string) => {
    Deno.mkdirSync(to, { recursive: true });
    for (const e of Deno.readDirSync(from)) {
      if (e.isDirectory) copy(`${from}/${e.name}`, `${to}/${e.name}`);
      else Deno.copyFileSync(`${from}/${e.name}`, `${to}/${e.name}`);
    }
  };
  copy(`${ROOT}src`, `${dir}/src`);
  Deno.mkdirSync(`${dir}/.deno/bin`, { recursive: true });
  Deno.linkSync(DENO, `${dir}/.deno/bin/deno`);
  const store = `${dir}/src/store/store.ts`;
  const text = Deno.readTextFileSync(store);
  if (!text.includes(DURABLE)) throw new Error(`src/store/store.ts no longer says ${DURABLE}`);
  Deno.writeTextFileSync(store, text.replace(DURABLE, DURABLE.replace("true", "false")));
  return dir;
}

export async function syncFull({ p, smoke, report }: Bench): Promise<void> {
  // The store's insert, both modes alternated, in ms.
  const stores = {
    normal: Store.open(prepareHome(tempHome("syncN"))),
    full: Store.open(prepareHome(tempHome("syncF"))),
  };
  stores.normal.durableSubmit = false;
  stores.full.durableSubmit = true;
  const times: Record<keyof typeof stores, number[]> = { normal: [], full: [] };
  const n = smoke ? 20 : 300;
  for (let i = -5; i < n; i++) {
    for (const mode of ["normal", "full"] as const) {
      const t0 = performance.now();
      stores[mode].insert([{ command: ["curl", "--version"], cwd: "/", tag: "sync" }]);
      if (i >= 0) times[mode].push(performance.now() - t0);
    }
  }
  for (const s of Object.values(stores)) s.close();
  const out: Record<string, unknown> = {
    store_insert_ms: { normal: stat(times.normal), full: stat(times.full) },
  };

  // Whole submissions through two services, one of each per round.
  const tree = fullCopy();
  const homes = { normal: tempHome("syncsvcN"), full: tempHome("syncsvcF") };
  const barnIn = (home: string, main: string) => [
    "env",
    `BARN_HOME=${home}`,
    DENO,
    "run",
    "-q",
    "-P=barn",
    main,
    "run",
    "--pending=sync",
    "curl",
    "--version",
  ];
  let e2e: Record<string, Stat> = {};
  await withService(homes.full, { max_parallel: 4 }, async () => {
    // The NORMAL service runs from the copy: started by the copy's own CLI.
    const normalMain = `${tree}/src/main.ts`;
    Deno.writeTextFileSync(`${homes.normal}/config.json`, JSON.stringify({ max_parallel: 4 }));
    const start = await new Deno.Command(`${tree}/.deno/bin/deno`, {
      args: ["run", "-q", "-P=barn", normalMain, "service", "start"],
      cwd: tree,
      env: { BARN_HOME: homes.normal },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (start.code !== 0) throw new Error(new TextDecoder().decode(start.stderr));
    try {
      e2e = await interleaved(
        {
          submit_normal: barnIn(homes.normal, normalMain),
          submit_full: barnIn(homes.full, MAIN),
        },
        Math.max(p.reps * 12, 15),
        {},
      );
    } finally {
      await new Deno.Command(`${tree}/.deno/bin/deno`, {
        args: ["run", "-q", "-P=barn", normalMain, "service", "stop"],
        cwd: tree,
        env: { BARN_HOME: homes.normal },
      }).output();
    }
  });
  out.submit_seconds = e2e;
  report.results.sync_full = out;
  report.ratio(
    "sync_full_store_insert_full_over_normal",
    stat(times.full).median / stat(times.normal).median,
    "(reported)",
    () => true,
  );
  report.ratio(
    "sync_full_submit_full_over_normal",
    e2e.submit_full!.median / e2e.submit_normal!.median,
    "<= 1.10 (FULL is used)",
    (v) => v <= 1.1,
  );
}
