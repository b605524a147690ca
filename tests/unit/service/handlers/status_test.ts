import { assertEquals } from "../../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../../helpers/barn.ts";
import { checkListingTexts, spec } from "../../../helpers/store_fixture.ts";
import { defaultConfig } from "../../../../src/config/config.ts";
import type { Job } from "../../../../src/jobs/job.ts";
import { prepareHome } from "../../../../src/platform/home_layout.ts";
import { decodeEncoded, MAX_FRAME_BYTES } from "../../../../src/protocol/framing.ts";
import type { StreamFrame } from "../../../../src/protocol/messages.ts";
import { Changes } from "../../../../src/service/changes.ts";
import type { HandlerContext } from "../../../../src/service/context.ts";
import { handleStatus } from "../../../../src/service/handlers/status.ts";
import { Store } from "../../../../src/store/store.ts";

/** The frames of one status request, read back as a client reads them. */
async function statusFrames(ctx: HandlerContext, text: "json" | undefined) {
  const frames: StreamFrame[] = [];
  const r = await handleStatus(ctx, { kind: "status", filter: {}, text }, (f) => {
    frames.push("frame" in f ? decodeEncoded(f.frame) as StreamFrame : f);
    return Promise.resolve();
  });
  return { frames, total: r.total };
}

Deno.test("status lists a job whose record is millions of characters (a batch line may hold one), as text and as records, after a frame's worth of small ones", async () => {
  const home = tempHome("bigrecord");
  const paths = prepareHome(home);
  const store = Store.open(paths);
  try {
    // Jobs of ~7 KB each, enough to fill a frame part-way before the big one is read.
    const small = "s".repeat(7000);
    // 3.1M characters. Two runs of emoji, one character apart in alignment, each longer than
    // a text frame's chunk: a chunk boundary falls inside a surrogate pair in one or the other.
    const ascii = Array.from({ length: 30 }, () => "b".repeat(65536));
    const emoji = Array.from({ length: 9 }, () => "😀".repeat(32768));
    const big = [...ascii, ...emoji, "b", ...emoji];
    store.insert([spec({ command: ["curl", "--version"], meta: { "é": "😀" } })]);
    store.insert([spec({ command: ["curl", ...big] })]);
    store.insert(Array.from({ length: 30 }, (_, i) => spec({ command: ["curl", small, `${i}`] })));
    const ctx: HandlerContext = {
      store,
      paths,
      config: defaultConfig,
      service: null,
      changes: new Changes(),
      jobs: { dispatch() {}, stopRunning: () => Promise.reject(new Error("no")) },
    };
    const jobs = store.list({});
    assertEquals(jobs.length, 32);

    const text = await statusFrames(ctx, "json");
    assertEquals(text.total, 32);
    const parts = text.frames.map((f) => f.stream === "text" ? f.text : new Uint8Array(0));
    for (const p of parts) assertEquals(p.length <= MAX_FRAME_BYTES, true);
    const printed = new TextDecoder().decode(
      new Uint8Array(parts.flatMap((p) => [...p])),
    );
    assertEquals(printed, JSON.stringify(jobs, null, 2) + "\n");

    const records = await statusFrames(ctx, undefined);
    assertEquals(records.total, 32);
    const listed: Job[] = records.frames.flatMap((f) => f.stream === "jobs" ? f.jobs : []);
    assertEquals(listed.map((j) => j.job_id), jobs.map((j) => j.job_id));
    assertEquals(listed[30]!.command, ["curl", ...big]);

    // Ended, every record is kept as text with its row: the big one goes into frames by chunks.
    for (const j of jobs) store.apply(j.job_id, { type: "cancel", reason: "test" });
    assertEquals(checkListingTexts(store), { texts: 32, none: 0 });
    const ended = await statusFrames(ctx, "json");
    const chunks = ended.frames.map((f) => f.stream === "text" ? f.text : new Uint8Array(0));
    for (const p of chunks) assertEquals(p.length <= MAX_FRAME_BYTES, true);
    // Stored bytes are cut between characters too: each frame is whole UTF-8 on its own.
    const strict = new TextDecoder("utf-8", { fatal: true });
    for (const [i, p] of chunks.entries()) {
      try {
        strict.decode(p);
      } catch {
        throw new Error(`text frame ${i} of ${chunks.length} ends or starts inside a character`);
      }
    }
    assertEquals(
      new TextDecoder().decode(new Uint8Array(chunks.flatMap((p) => [...p]))),
      JSON.stringify(store.list({}), null, 2) + "\n",
    );
  } finally {
    store.close();
    await cleanupHome(home);
  }
});
