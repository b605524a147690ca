/** Runs as a Worker: SHA-256 of the chunks it is sent, so hashing overlaps export's reads and writes. */

import { createHash } from "node:crypto";

type Message = { type: "chunk"; buf: ArrayBuffer; n: number } | { type: "digest" };

const port = self as unknown as Worker;
let hash = createHash("sha256");

port.onmessage = (e: MessageEvent<Message>) => {
  const m = e.data;
  if (m.type === "chunk") {
    hash.update(new Uint8Array(m.buf, 0, m.n));
    port.postMessage({ type: "free", buf: m.buf }, [m.buf]); // back to the sender's pool
  } else {
    port.postMessage({ type: "digest", hex: hash.digest("hex") });
    hash = createHash("sha256");
  }
};
