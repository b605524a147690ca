/** Row 7: `barn get`/`put` of a 1 GiB file against curl, on the same rclone WebDAV server. */

import { startDav } from "../../tests/helpers/dav.ts";
import { barnCmd, tempHome, withService } from "../lib/barn.ts";
import type { Bench } from "../lib/report.ts";
import { sh } from "../lib/sh.ts";
import { type Stat, stat } from "../lib/stats.ts";

export async function webdav({ p, report }: Bench): Promise<void> {
  const home = tempHome("dav");
  const root = `${home}/srv`;
  Deno.mkdirSync(root);
  const dav = await startDav(root, "bench", "bench-pass");
  const url = dav.url;
  const size = p.mb * 1024 * 1024;
  const f = await Deno.open(`${root}/blob.bin`, { write: true, create: true });
  const chunk = new Uint8Array(1024 * 1024);
  for (let i = 0; i < p.mb; i++) {
    crypto.getRandomValues(chunk.subarray(0, 65536));
    await f.write(chunk);
  }
  f.close();
  Deno.writeTextFileSync(
    `${home}/credentials.json`,
    JSON.stringify({ hosts: { [new URL(url).host]: { user: "bench", password: "bench-pass" } } }),
  );
  Deno.chmodSync(`${home}/credentials.json`, 0o600);
  Deno.writeTextFileSync(`${home}/curl.conf`, 'user = "bench:bench-pass"\n');
  const r: Record<string, Stat> = {};
  let k = 0;
  // Each timed transfer starts from the same state: the previous outputs removed and the page
  // cache flushed (sync), untimed. curl -o truncates its old file in place, while barn writes
  // aside and renames over it (atomic); left in place, the old gigabyte made barn take fresh
  // pages that this VM backs slowly on first touch, and curl not (docs/performance.md).
  // curl and barn alternate within every repetition.
  const flush = async () => {
    for (const f of [`${home}/curl-get.bin`, `${home}/barn-get.bin`]) {
      try {
        Deno.removeSync(f);
      } catch { /* not there */ }
    }
    for (const e of Deno.readDirSync(root)) {
      if (e.name.startsWith("up-")) Deno.removeSync(`${root}/${e.name}`);
    }
    await sh(["sync"]);
  };
  const ops: Record<string, () => Promise<void>> = {
    curl_get: async () => {
      await sh([
        "curl",
        "-sS",
        "-K",
        `${home}/curl.conf`,
        "-o",
        `${home}/curl-get.bin`,
        `${url}/blob.bin`,
      ]);
    },
    barn_get: async () => {
      const id =
        (await barnCmd(home, "get", "--overwrite", `${url}/blob.bin`, `${home}/barn-get.bin`)).out
          .trim();
      await barnCmd(home, "wait", id, "--timeout=3600s");
    },
    curl_put: async () => {
      await sh([
        "curl",
        "-sS",
        "-K",
        `${home}/curl.conf`,
        "-T",
        `${root}/blob.bin`,
        `${url}/up-curl-${k++}.bin`,
      ]);
    },
    barn_put: async () => {
      const id = (await barnCmd(home, "put", `${root}/blob.bin`, `${url}/up-barn-${k++}.bin`)).out
        .trim();
      await barnCmd(home, "wait", id, "--timeout=3600s");
    },
  };
  const times: Record<string, number[]> = {
    curl_get: [],
    barn_get: [],
    curl_put: [],
    barn_put: [],
  };
  await withService(home, { max_parallel: 2 }, async () => {
    for (let rep = 0; rep <= p.reps; rep++) {
      for (const [name, op] of Object.entries(ops)) {
        await flush();
        const t0 = performance.now();
        await op();
        if (rep > 0) times[name]!.push((performance.now() - t0) / 1000); // rep 0 warms up
      }
    }
  });
  for (const [name, xs] of Object.entries(times)) r[name] = stat(xs);
  await dav.stop();
  report.results.webdav = { bytes: size, ...r };
  // Throughput ratios: curl's time over barn's (≥ 0.9 means barn reaches 90 % of curl's speed).
  report.ratio(
    "webdav_get_throughput_barn_over_curl",
    r.curl_get!.median / r.barn_get!.median,
    ">= 0.9",
    (v) => v >= 0.9,
  );
  report.ratio(
    "webdav_put_throughput_barn_over_curl",
    r.curl_put!.median / r.barn_put!.median,
    ">= 0.9",
    (v) => v >= 0.9,
  );
}
