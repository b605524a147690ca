/**
 * Issue 12's chaos suite at CI size: the same code as `deno task chaos` (tests/chaos/), with
 * small sizes and a fixed seed (CHAOS_SEED to replay another). Each family's failures are
 * reported with their counts and a few examples.
 */

import { assertEquals } from "./helpers/assert.ts";
import { crashLoop } from "./chaos/crash_loop.ts";
import { frameFuzz } from "./chaos/frame_fuzz.ts";
import { FS_FAULTS } from "./chaos/fs_faults.ts";
import { RESOURCES } from "./chaos/resources.ts";
import type { Findings } from "./chaos/lib.ts";

export const CI = { kills: 30, rebuildEvery: 15, frames: 500, conns: 300, gb: 1 };
const seed = Number(Deno.env.get("CHAOS_SEED") ?? 12);

function passes(f: Findings): void {
  assertEquals(f.failures, [], `figures: ${JSON.stringify(f.figures)}`);
}

Deno.test(`chaos: crash loop, ${CI.kills} SIGKILLs and a rebuild from the job dirs`, async () => {
  passes(await crashLoop({ kills: CI.kills, seed, rebuildEvery: CI.rebuildEvery }));
});

Deno.test(`chaos: frame fuzz, ${CI.frames} malformed frames`, async () => {
  passes(await frameFuzz({ frames: CI.frames, seed }));
});

for (const s of FS_FAULTS) {
  Deno.test(`chaos: ${s.name}`, async () => {
    passes(await s.run({ log: (m) => console.log(m) }));
  });
}

for (const s of RESOURCES) {
  Deno.test(`chaos: ${s.name}`, async () => {
    passes(await s.run({ conns: CI.conns, gb: CI.gb }));
  });
}
