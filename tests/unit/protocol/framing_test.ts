import { assertEquals, assertRejects, assertThrows } from "../../helpers/assert.ts";
import {
  ArrayFrame,
  checkDepth,
  checkedFrames,
  decodeBody,
  decodeEncoded,
  encodeFrame,
  FrameBudget,
  FrameReader,
  FrameWriter,
  MalformedFrame,
  MAX_FRAME_BYTES,
  MAX_HELLO_BYTES,
  TextFrame,
} from "../../../src/protocol/framing.ts";
import { BarnError } from "../../../src/errors.ts";

function reader(...chunks: Uint8Array[]): FrameReader {
  const queue = [...chunks];
  return new FrameReader({
    read(p: Uint8Array) {
      const c = queue.shift();
      if (!c) return Promise.resolve(null);
      const n = Math.min(p.length, c.length);
      p.set(c.subarray(0, n));
      if (n < c.length) queue.unshift(c.subarray(n));
      return Promise.resolve(n);
    },
  });
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

Deno.test("frames round-trip, even split into single bytes", async () => {
  const data = concat(encodeFrame({ a: 1 }), encodeFrame({ b: "x".repeat(100_000) }));
  const r = reader(
    ...Array.from(data.subarray(0, 50), (b) => new Uint8Array([b])),
    data.subarray(50),
  );
  assertEquals(await r.next(), { a: 1 });
  assertEquals(((await r.next()) as { b: string }).b.length, 100_000);
  assertEquals(await r.next(), null);
});

Deno.test("an oversized length header is refused before any allocation", async () => {
  const header = new Uint8Array([0xff, 0xff, 0xff, 0xff]);
  const e = await assertRejects(() => reader(header).next(), BarnError);
  assertEquals(e.code, "E_FRAME_TOO_LARGE");
  assertEquals(MAX_FRAME_BYTES < 0xffffffff, true);
});

Deno.test("truncated frames and garbage are protocol errors", async () => {
  const full = encodeFrame({ kind: "status" });
  assertEquals(
    (await assertRejects(() => reader(full.subarray(0, 2)).next(), BarnError)).code,
    "E_PROTOCOL",
  );
  assertEquals(
    (await assertRejects(() => reader(full.subarray(0, full.length - 1)).next(), BarnError)).code,
    "E_PROTOCOL",
  );
  const garbage = concat(new Uint8Array([0, 0, 0, 5]), new TextEncoder().encode("{{{{{"));
  assertEquals(
    (await assertRejects(() => reader(garbage).next(), BarnError)).code,
    "E_BAD_REQUEST",
  );
  const badUtf8 = concat(new Uint8Array([0, 0, 0, 2]), new Uint8Array([0xff, 0xfe]));
  assertEquals(
    (await assertRejects(() => reader(badUtf8).next(), BarnError)).code,
    "E_BAD_REQUEST",
  );
});

Deno.test("deeply nested JSON is refused without parsing", () => {
  checkDepth("[".repeat(10) + "]".repeat(10));
  checkDepth(`{"s":"${"[".repeat(100)}"}`); // brackets inside strings don't count
  assertEquals(
    assertThrows(() => checkDepth("[".repeat(1000) + "]".repeat(1000)), BarnError).code,
    "E_BAD_REQUEST",
  );
});

Deno.test("a frame reader checks depth unless its peer is barn's own service", async () => {
  const deep = encodeFrame(JSON.parse("[".repeat(100) + "]".repeat(100)));
  const read = (trusted: boolean) => new FrameReader(holding(deep), null, trusted).next();
  assertEquals(
    (await assertRejects(() => read(false), BarnError)).code,
    "E_BAD_REQUEST",
  );
  let v = await read(true);
  for (let i = 0; i < 99; i++) v = (v as unknown[])[0];
  assertEquals(v, []);
});

/** A connection that hands out `chunks`, then hangs (a peer holding a frame open). */
function holding(...chunks: Uint8Array[]): { read(p: Uint8Array): Promise<number | null> } {
  const queue = [...chunks];
  return {
    read(p: Uint8Array) {
      const c = queue.shift();
      if (!c) return new Promise(() => {});
      const n = Math.min(p.length, c.length);
      p.set(c.subarray(0, n));
      if (n < c.length) queue.unshift(c.subarray(n));
      return Promise.resolve(n);
    },
  };
}

function header(len: number): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, len);
  return h;
}

/** Lets pending reads run until the reader blocks on the hanging connection. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

Deno.test("a buffer grows with the bytes received, not with what the header claims", async () => {
  const budget = new FrameBudget(1 << 30);
  const r = new FrameReader(holding(header(MAX_FRAME_BYTES), new Uint8Array(70 * 1024)), budget);
  r.next().catch(() => {});
  await settle();
  // 70 KiB arrived: the buffer doubled from 4 KiB to 128 KiB, not to the 8 MiB claimed.
  assertEquals(budget.used, 128 * 1024 - 4 * 1024);
  r.release();
  assertEquals(budget.used, 0);
});

Deno.test("the shared budget refuses a frame past it with E_BUSY; a whole frame gives its share back", async () => {
  const budget = new FrameBudget(1024 * 1024);
  const big = new Uint8Array(900 * 1024);
  const a = new FrameReader(holding(header(MAX_FRAME_BYTES), big), budget);
  a.next().catch(() => {});
  await settle();
  const held = budget.used;
  assertEquals(held, 1024 * 1024 - 4 * 1024);
  const b = new FrameReader(holding(header(MAX_FRAME_BYTES), new Uint8Array(100 * 1024)), budget);
  const e = await assertRejects(() => b.next(), BarnError);
  assertEquals(e.code, "E_BUSY");
  b.release();
  assertEquals(budget.used, held);
  a.release();
  assertEquals(budget.used, 0);
  // A complete large frame borrows while it arrives and returns everything once read.
  const msg = { s: "y".repeat(600 * 1024) };
  const c = new FrameReader(holding(encodeFrame(msg), encodeFrame({ n: 2 })), budget);
  assertEquals(await c.next(), msg);
  assertEquals(budget.used, 0);
  assertEquals(await c.next(), { n: 2 });
});

Deno.test("a smaller cap for one message (the hello) is refused before its body arrives", async () => {
  const r = new FrameReader(holding(header(MAX_HELLO_BYTES + 1)));
  const e = await assertRejects(() => r.next(MAX_HELLO_BYTES), BarnError);
  assertEquals(e.code, "E_FRAME_TOO_LARGE");
  const ok = new FrameReader(holding(encodeFrame({ kind: "hello" })));
  assertEquals(await ok.next(MAX_HELLO_BYTES), { kind: "hello" });
});

Deno.test("FrameWriter: concurrent writes leave as whole frames, in call order", async () => {
  const chunks: Uint8Array[] = [];
  // A writer that takes at most 3 bytes per call and yields between calls, as a busy socket does.
  const slow = {
    async write(p: Uint8Array) {
      await new Promise((r) => setTimeout(r, 0));
      chunks.push(p.slice(0, 3));
      return Math.min(3, p.length);
    },
  };
  const w = new FrameWriter(slow);
  const msgs = Array.from({ length: 20 }, (_, i) => ({ i, pad: "x".repeat(i * 7) }));
  await Promise.all(msgs.map((m) => w.write(m)));
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  let pos = 0;
  const reader = new FrameReader({
    read(p: Uint8Array) {
      if (pos >= all.length) return Promise.resolve(null);
      const n = Math.min(p.length, all.length - pos);
      p.set(all.subarray(pos, pos + n));
      pos += n;
      return Promise.resolve(n);
    },
  });
  const got: unknown[] = [];
  for (let m = await reader.next(); m !== null; m = await reader.next()) got.push(m);
  assertEquals(got, msgs);
});

Deno.test("ArrayFrame: frames of pre-serialized items decode to the message; reused after take; an item past the cap is refused", () => {
  const f = new ArrayFrame('{"ok":true,"items":[', "]}");
  const read = (frame: Uint8Array) => {
    assertEquals(new DataView(frame.buffer, frame.byteOffset).getUint32(0), frame.length - 4);
    return decodeBody(frame.subarray(4));
  };
  assertEquals(read(f.take()), { ok: true, items: [] });
  const items = ["1", '"é😀\\n"', JSON.stringify({ a: "x".repeat(700_000) }), "null"];
  for (const i of items) f.add(i);
  assertEquals(f.count, 4);
  assertEquals(read(f.take()), { ok: true, items: items.map((i) => JSON.parse(i)) });
  f.add('"again"');
  assertEquals(read(f.take()), { ok: true, items: ["again"] });
  const e = assertThrows(() => f.add(JSON.stringify("y".repeat(MAX_FRAME_BYTES))), BarnError);
  assertEquals(e.code, "E_FRAME_TOO_LARGE");
});

Deno.test("TextFrame: a header frame with the byte count, then the text as it is; the reader takes the bytes after it, split anywhere", async () => {
  const f = new TextFrame();
  const pieces = ["[\n", '  "é😀\\n"', ",\n", "x".repeat(700_000), "\n]\n"];
  for (const p of pieces) f.add(p);
  const text = new TextEncoder().encode(pieces.join(""));
  assertEquals(f.bytes, text.length);
  const first = f.take().slice();
  f.add("again");
  const second = f.take().slice();
  const empty = new TextFrame().take().slice();
  const wire = concat(first, second, empty, encodeFrame({ ok: true, total: 1 }));
  // Byte by byte for the first 100 bytes, then in chunks that cut frames anywhere.
  const chunks: Uint8Array[] = Array.from(wire.subarray(0, 100), (b) => new Uint8Array([b]));
  for (let at = 100; at < wire.length; at += 4093) chunks.push(wire.subarray(at, at + 4093));
  const r = reader(...chunks);
  const got: unknown[] = [];
  for (let m = await r.next(); m !== null; m = await r.next()) {
    const h = m as { stream?: string; bytes?: number };
    got.push(h.stream === "text" ? new TextDecoder().decode(await r.nextBytes(h.bytes!)) : m);
  }
  assertEquals(got, [pieces.join(""), "again", "", { ok: true, total: 1 }]);
  // The same frames read back in-process.
  assertEquals(decodeEncoded(second), {
    ok: true,
    stream: "text",
    text: new TextEncoder().encode("again"),
  });
  assertEquals(decodeEncoded(encodeFrame({ ok: true, total: 2 })), { ok: true, total: 2 });
});

Deno.test("TextFrame and nextBytes: past the frame cap is refused; a connection closed inside the text is a truncated frame", async () => {
  const f = new TextFrame();
  f.add("x".repeat(MAX_FRAME_BYTES / 4));
  const e = assertThrows(() => f.add("y".repeat(MAX_FRAME_BYTES / 3)), BarnError);
  assertEquals(e.code, "E_FRAME_TOO_LARGE");
  const over = await assertRejects(() => reader().nextBytes(MAX_FRAME_BYTES + 1), BarnError);
  assertEquals(over.code, "E_PROTOCOL");
  const frame = new TextFrame();
  frame.add("twelve bytes");
  const cut = frame.take().slice(0, -3);
  const r = reader(cut);
  const h = await r.next() as { bytes: number };
  assertEquals(h.bytes, 12);
  const truncated = await assertRejects(() => r.nextBytes(h.bytes), BarnError);
  assertEquals(truncated.code, "E_PROTOCOL");
  assertEquals(/truncated/.test(truncated.message), true);
});

Deno.test("checkedFrames: each frame checked, in order, until the end; a malformed one ends them", async () => {
  const check = (raw: unknown) =>
    typeof (raw as { n?: unknown }).n === "number" ? raw as { n: number } : "no n";
  const ended = (data: Uint8Array) => ({
    read(p: Uint8Array) {
      const n = Math.min(p.length, data.length);
      p.set(data.subarray(0, n));
      data = data.subarray(n);
      return Promise.resolve(n === 0 ? null : n);
    },
  });
  const got: number[] = [];
  for await (
    const m of checkedFrames(ended(concat(encodeFrame({ n: 1 }), encodeFrame({ n: 2 }))), check)
  ) {
    got.push(m.n);
  }
  assertEquals(got, [1, 2]);
  const seen: number[] = [];
  const bad = checkedFrames(
    ended(concat(encodeFrame({ n: 3 }), encodeFrame({ x: 1 }), encodeFrame({ n: 4 }))),
    check,
  );
  const e = await assertRejects(async () => {
    for await (const m of bad) seen.push(m.n);
  }, MalformedFrame);
  assertEquals([seen, e.message], [[3], "no n"]);
});
