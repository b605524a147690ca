import { assertEquals } from "../../helpers/assert.ts";
import { inlineSha256, Sha256Worker } from "../../../src/archive/sha256_stream.ts";

async function reference(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("sha256 streams: the Worker and the inline hash agree with WebCrypto, chunk by chunk", async () => {
  const data = new Uint8Array(20 * 1024 * 1024 + 17);
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  const want = await reference(data);
  const worker = new Sha256Worker();
  try {
    for (let round = 0; round < 2; round++) { // a second stream on the same Worker starts afresh
      const w = worker.stream();
      const i = inlineSha256();
      // Uneven chunks, and a buffer reused right after each update, as export does.
      const buf = new Uint8Array(1 << 20);
      for (let off = 0, n = 1; off < data.length; off += n, n = (n * 7 + 4093) % (1 << 20) + 1) {
        const part = data.subarray(off, Math.min(off + n, data.length));
        buf.set(part);
        await w.update(buf.subarray(0, part.length));
        i.update(buf.subarray(0, part.length));
        buf.fill(0);
      }
      assertEquals(await w.digest(), want);
      assertEquals(await i.digest(), want);
    }
    const empty = worker.stream();
    assertEquals(await empty.digest(), await reference(new Uint8Array()));
  } finally {
    worker.close();
  }
});
