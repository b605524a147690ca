/**
 * The export/import row: `barn export ID | cat` and `cat archive | barn import --tar` against
 * the floors of the same pipes with GNU tar over the same files (`tar -c | cat`,
 * `cat archive | tar -x`), and barn's peak RSS at two data sizes (memory must stay flat).
 * Export also hashes every byte (the manifest's sha256), which the tar floor does not.
 *
 *   .deno/bin/deno run -A bench/export_import.ts [--mb=512] [--reps=5]   prints the row as JSON
 *
 * bench/run.ts can call `exportImportBench()` and fold its metrics and ratios into results.json.
 */

import { barn, cleanupHome, DENO, MAIN, tempHome } from "../../tests/helpers/barn.ts";
import type { Row } from "../lib/report.ts";
import { median, roundedStat, type Stat } from "../lib/stats.ts";

export interface Ratio {
  value: number | null;
  target: string;
  holds: boolean | null;
}

export interface ExportImportBench {
  metrics: {
    mb: number;
    export: {
      barn: Stat;
      tar_floor: Stat;
      tar_sha256_floor: Stat;
      barn_mb_per_s: number;
      floor_mb_per_s: number;
    };
    import: { barn: Stat; tar_floor: Stat; barn_mb_per_s: number; floor_mb_per_s: number };
    peak_rss_kb: {
      export_small: number;
      export_large: number;
      import_small: number;
      import_large: number;
    };
  };
  ratios: Record<string, Ratio>;
  notes: string[];
}

function q(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs a pipeline through bash (the floors and barn alike), failing when any part of it fails
 * (pipefail: a broken tar must not pass for a fast one); returns seconds.
 */
async function timed(script: string, env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const o = await new Deno.Command("bash", {
    args: ["-o", "pipefail", "-c", script],
    env,
    stdout: "null",
    stderr: "piped",
  })
    .output();
  const s = (performance.now() - t0) / 1000;
  if (!o.success) throw new Error(`${script}: ${new TextDecoder().decode(o.stderr)}`);
  return s;
}

/** Peak RSS (KiB) of the one barn process in `script`, through GNU time. */
async function peakRss(
  script: (barnCmd: string) => string,
  env: Record<string, string>,
): Promise<number> {
  const out = await Deno.makeTempFile();
  try {
    await timed(script(`/usr/bin/time -f %M -o ${q(out)} ${barnCmd()}`), env);
    return Number(Deno.readTextFileSync(out).trim().split("\n").pop());
  } finally {
    Deno.removeSync(out);
  }
}

function barnCmd(): string {
  return `${q(DENO)} run -q -P=barn ${q(MAIN)}`;
}

/** Makes `mb` MiB of incompressible data in a few files below `dir`. */
async function makeData(dir: string, mb: number): Promise<string[]> {
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  const sizes = [Math.max(1, mb - 3), 1, 1, 1];
  for (let i = 0; i < sizes.length; i++) {
    const p = `${dir}/f${i}.bin`;
    await timed(`head -c ${sizes[i]}M /dev/urandom > ${q(p)}`);
    files.push(p);
  }
  return files;
}

async function oneJob(home: string): Promise<string> {
  const r = await barn(home, ["run", "--offline", "--output=json", "ffprobe", "-version"]);
  if (r.code !== 0) throw new Error(`bench job failed: ${r.stderr}`);
  return r.json().job_id;
}

export async function exportImportBench(
  opts: { mb?: number; reps?: number; smallMb?: number } = {},
): Promise<ExportImportBench> {
  const mb = opts.mb ?? 512;
  const reps = opts.reps ?? 5;
  const smallMb = opts.smallMb ?? 64;
  const notes: string[] = [];
  const home = tempHome("xfer-bench");
  const into = tempHome("xfer-bench-in");
  const scratch = await Deno.makeTempDir();
  try {
    const env = { BARN_HOME: home };
    const files = await makeData(`${home}/output/data`, mb);
    const small = await makeData(`${home}/output/small`, smallMb);
    const id = await oneJob(home);
    const inc = (fs: string[]) => fs.map((f) => q(`--include=${f}`)).join(" ");
    const exportCmd = (fs: string[]) => `${barnCmd()} export ${id} --outputs-only ${inc(fs)}`;
    const rels = files.map((f) => q(f.slice("/tmp/barn/".length))).join(" ");
    const archive = `${scratch}/a.tar`;
    await timed(`${exportCmd(files)} > ${q(archive)}`, env);
    const smallArchive = `${scratch}/s.tar`;
    await timed(`${exportCmd(small)} > ${q(smallArchive)}`, env);
    const out = `${scratch}/x`;
    const intoEnv = { BARN_HOME: into };
    const fresh = () => {
      for (const d of [out, `${into}/input`]) {
        try {
          Deno.removeSync(d, { recursive: true });
        } catch { /* first run */ }
      }
      Deno.mkdirSync(out);
    };

    const ex = { barn: [] as number[], floor: [] as number[], hashed: [] as number[] };
    const im = { barn: [] as number[], floor: [] as number[] };
    // Interleaved, so drift on a shared machine hits both sides alike.
    for (let r = 0; r < reps; r++) {
      ex.floor.push(await timed(`tar -c -C /tmp/barn ${rels} | cat > /dev/null`));
      ex.hashed.push(await timed(`tar -c -C /tmp/barn ${rels} | sha256sum > /dev/null`));
      ex.barn.push(await timed(`${exportCmd(files)} | cat > /dev/null`, env));
      fresh();
      im.floor.push(await timed(`cat ${q(archive)} | tar -x -C ${q(out)}`));
      fresh();
      im.barn.push(await timed(`cat ${q(archive)} | ${barnCmd()} import --tar`, intoEnv));
    }
    fresh();
    const rss = {
      export_small: await peakRss(
        (b) => `${b} export ${id} --outputs-only ${inc(small)} | cat > /dev/null`,
        env,
      ),
      export_large: await peakRss(
        (b) => `${b} export ${id} --outputs-only ${inc(files)} | cat > /dev/null`,
        env,
      ),
      import_small: 0,
      import_large: 0,
    };
    fresh();
    rss.import_small = await peakRss((b) => `cat ${q(smallArchive)} | ${b} import --tar`, intoEnv);
    fresh();
    rss.import_large = await peakRss((b) => `cat ${q(archive)} | ${b} import --tar`, intoEnv);
    fresh();

    const bytes = Deno.statSync(archive).size / 2 ** 20;
    const rate = (xs: number[]) => Math.round(bytes / median(xs));
    const ratio = (floor: number[], ours: number[]) =>
      Math.round((median(floor) / median(ours)) * 100) / 100;
    const exportRatio = ratio(ex.floor, ex.barn);
    const importRatio = ratio(im.floor, im.barn);
    const growth = Math.round((rss.export_large / rss.export_small) * 100) / 100;
    const igrowth = Math.round((rss.import_large / rss.import_small) * 100) / 100;
    notes.push(
      `${mb} MiB in ${files.length} files; times include barn's start (a Deno process, ~50 ms), ` +
        "and export hashes every byte for its manifest (sha256), which the tar floor does not",
    );
    return {
      metrics: {
        mb,
        export: {
          barn: roundedStat(ex.barn),
          tar_floor: roundedStat(ex.floor),
          tar_sha256_floor: roundedStat(ex.hashed),
          barn_mb_per_s: rate(ex.barn),
          floor_mb_per_s: rate(ex.floor),
        },
        import: {
          barn: roundedStat(im.barn),
          tar_floor: roundedStat(im.floor),
          barn_mb_per_s: rate(im.barn),
          floor_mb_per_s: rate(im.floor),
        },
        peak_rss_kb: rss,
      },
      ratios: {
        export_import_export_over_tar_floor: {
          value: exportRatio,
          target: ">= 0.9",
          holds: exportRatio >= 0.9,
        },
        export_import_export_over_tar_sha256_floor: {
          value: ratio(ex.hashed, ex.barn),
          target: ">= 0.9",
          holds: ratio(ex.hashed, ex.barn) >= 0.9,
        },
        export_import_import_over_tar_floor: {
          value: importRatio,
          target: ">= 0.9",
          holds: importRatio >= 0.9,
        },
        export_import_export_rss_large_over_small: {
          value: growth,
          target: "<= 1.5 (flat)",
          holds: growth <= 1.5,
        },
        export_import_import_rss_large_over_small: {
          value: igrowth,
          target: "<= 1.5 (flat)",
          holds: igrowth <= 1.5,
        },
      },
      notes,
    };
  } finally {
    Deno.removeSync(scratch, { recursive: true });
    await cleanupHome(home);
    await cleanupHome(into);
  }
}

/** The export/import row for bench/run.ts: `--mb` of data (512 MiB at full size, 8 in the smoke run). */
export const exportImportRow: Row = async ({ p, smoke, report }) => {
  const r = await exportImportBench(
    smoke ? { mb: 8, reps: 1, smallMb: 2 } : { mb: Math.max(p.mb, 64), reps: p.reps },
  );
  report.results.export_import = r.metrics;
  Object.assign(report.ratios, r.ratios);
  for (const n of r.notes) report.note(`export_import: ${n}`);
};

if (import.meta.main) {
  const opt = (name: string) => {
    const a = Deno.args.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.split("=")[1]) : undefined;
  };
  const mb = opt("mb");
  const reps = opt("reps");
  console.log(JSON.stringify(
    await exportImportBench({ ...(mb ? { mb } : {}), ...(reps ? { reps } : {}) }),
    null,
    2,
  ));
}
