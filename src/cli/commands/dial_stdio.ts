/** barn dial-stdio: joins standard input and output to the local service, so barn-fleet speaks barn's own protocol over `ssh HOST barn dial-stdio`. */

import { BarnError, toErrorBody } from "../../errors.ts";
import { exitForError } from "../../jobs/exit_codes.ts";
import { connectService } from "../../client/client.ts";
import { decodeBody, encodeFrame, MAX_FRAME_BYTES, writeBytes } from "../../protocol/framing.ts";
import { parseRequest } from "../../protocol/validate.ts";
import type { Command } from "../command.ts";

type Reader = { read(p: Uint8Array): Promise<number | null> };

/** Reads the first frame from `r`: its body and whatever bytes came after it. */
async function firstFrame(r: Reader): Promise<{ body: Uint8Array; rest: Uint8Array } | null> {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  for (;;) {
    if (buf.length >= 4) {
      const len = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0);
      if (len > MAX_FRAME_BYTES) {
        throw new BarnError("E_FRAME_TOO_LARGE", `the first frame claims ${len} bytes`);
      }
      if (buf.length >= 4 + len) return { body: buf.slice(4, 4 + len), rest: buf.slice(4 + len) };
    }
    const n = await r.read(chunk);
    if (n === null || n === 0) {
      if (buf.length === 0) return null;
      throw new BarnError("E_PROTOCOL", "standard input ended inside the first frame");
    }
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
  }
}

/** Copies `from` into `to` until `from` ends. */
async function pipe(from: Reader, to: { write(p: Uint8Array): Promise<number> }): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await from.read(buf);
    if (n === null || n === 0) return;
    await writeBytes(to, buf.subarray(0, n));
  }
}

export const dialStdio: Command = {
  name: "dial-stdio",
  summary: "join standard input and output to the local service (what barn-fleet runs over ssh)",
  usage: "barn dial-stdio",
  example: "ssh media-host barn dial-stdio   # barn-fleet runs this; it speaks framed messages",
  options: {},
  async run(ctx) {
    if (ctx.positionals.length > 0) {
      throw new BarnError("E_USAGE", "barn dial-stdio takes no arguments");
    }
    // Failures before the pipe is up go back as a frame, so the controller reads a code,
    // not a guess from an exit status.
    const refuse = async (e: unknown): Promise<number> => {
      const error = toErrorBody(e);
      await writeBytes(Deno.stdout, encodeFrame({ ok: false, error }));
      return exitForError(error.code);
    };
    let first: { body: Uint8Array; rest: Uint8Array } | null;
    try {
      first = await firstFrame(Deno.stdin);
      if (first === null) return 0;
      const hello = parseRequest(decodeBody(first.body));
      if (hello.kind !== "hello") {
        throw new BarnError("E_PROTOCOL", "the first message must be a hello");
      }
      const c = await connectService(
        ctx.home,
        await ctx.socketName(),
        (at) =>
          `barn service is not running on this host (no answer at ${at}): ` +
          "start it with `barn service start`",
      );
      // The local token (Windows) is added here: it never travels over ssh.
      const opening = encodeFrame({ ...hello, token: c.token });
      const data = new Uint8Array(opening.length + first.rest.length);
      data.set(opening);
      data.set(first.rest, opening.length);
      await writeBytes(c.conn, data);
      const conn = c.conn;
      // stdin → service. Its end means the controller is gone (ssh forwards the EOF even when
      // the controller was killed): close at once, or a listen would stream on to nobody.
      pipe(Deno.stdin, conn).catch(() => {}).finally(() => {
        try {
          conn.close();
        } catch { /* closed */ }
      });
      try {
        await pipe(conn, Deno.stdout);
      } catch { /* the controller went away */ }
      try {
        conn.close();
      } catch { /* closed when stdin ended */ }
      return 0;
    } catch (e) {
      return await refuse(e);
    }
  },
};
