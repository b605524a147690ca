/**
 * barn's benchmark suite: barn against task-spooler (tsp) and nq, side by side, in one run,
 * on this machine. Prints a table and writes bench/results.json (ratios, medians, spreads).
 * One module per measured row in rows/, shared helpers in lib/.
 *
 *   deno task bench            full sizes (by hand: takes minutes)
 *   deno task bench --smoke    CI: 1 repetition, 20 jobs, 5 MB, capped at 90 s
 */

import { removeBenchHomes, ROOT } from "./lib/barn.ts";
import { parseOptions } from "./lib/params.ts";
import { ensurePeers } from "./lib/peers.ts";
import { Report, type Row } from "./lib/report.ts";
import { fullListing } from "./rows/full_listing.ts";
import { historyGrowth } from "./rows/history_growth.ts";
import { media } from "./rows/media.ts";
import { memory } from "./rows/memory.ts";
import { submitLatency } from "./rows/submit_latency.ts";
import { syncFull } from "./rows/sync_full.ts";
import { thousandJobs } from "./rows/thousand_jobs.ts";
import { webdav } from "./rows/webdav.ts";
import { fleetRow } from "./rows/fleet.ts";
import { exportImportRow } from "./rows/export_import.ts";

const rows: [string, Row][] = [
  ["submit_latency", submitLatency],
  ["thousand_jobs", thousandJobs],
  ["history_growth", historyGrowth],
  ["full_listing", fullListing],
  ["memory", memory],
  ["media", media],
  ["webdav", webdav],
  ["sync_full", syncFull],
  ["export_import", exportImportRow],
  ["fleet", fleetRow],
];

const { params: p, smoke, only, outPath } = parseOptions(Deno.args, `${ROOT}bench/results.json`);
const started = Date.now();
const deadline = started + p.capSeconds * 1000;
const overTime = () => Date.now() > deadline;
const report = new Report();
const peers = await ensurePeers(report);
/** The 1-minute load average: other work on a shared machine shows in every timing. */
const load = () => Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
const loads: Record<string, number[]> = {};

for (const [name, row] of rows) {
  if (only && !only.includes(name)) continue;
  if (overTime()) {
    report.note(`${name}: skipped, the ${p.capSeconds}s cap was reached`);
    report.results[name] = { skipped: true };
    continue;
  }
  const t0 = Date.now();
  const loadBefore = load();
  try {
    await row({ p, smoke, peers, report, overTime });
  } catch (e) {
    report.note(`${name}: failed: ${(e as Error).message}`);
    report.results[name] = { error: (e as Error).message };
  }
  loads[name] = [loadBefore, load()];
  console.error(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
removeBenchHomes();

const machine = {
  cpus: navigator.hardwareConcurrency,
  os: `${Deno.build.os} ${Deno.osRelease()}`,
  deno: Deno.version.deno,
  hostname: Deno.hostname(),
  load_average_before_and_after_each_row: loads,
};
const out = {
  date: new Date().toISOString(),
  machine,
  params: { ...p, smoke },
  seconds: (Date.now() - started) / 1000,
  metrics: report.results,
  ratios: report.ratios,
  notes: report.notes,
};
Deno.writeTextFileSync(outPath, JSON.stringify(out, null, 2) + "\n");

const pad = (s: string, n: number) => s.padEnd(n);
console.log(pad("ratio", 56) + pad("value", 10) + pad("target", 14) + "holds");
for (const [k, v] of Object.entries(report.ratios)) {
  console.log(
    pad(k, 56) + pad(v.value === null ? "-" : String(v.value), 10) + pad(v.target, 14) +
      (v.holds === null ? "-" : v.holds ? "yes" : "NO"),
  );
}
for (const n of report.notes) console.log(`note: ${n}`);
console.log(`wrote ${outPath} in ${out.seconds.toFixed(0)}s`);
