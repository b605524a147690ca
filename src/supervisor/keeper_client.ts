/**
 * The one client of the keeper protocol: the service's standing link (service/keeper_link.ts)
 * and one-shot callers (a kill under --offline) both speak through it. Every message from the
 * keeper is checked before use; a malformed one ends the connection.
 */

import { BarnError } from "../errors.ts";
import type { StopReason } from "../jobs/transitions.ts";
import { join } from "../platform/path.ts";
import { checkedFrames, FrameReader, FrameWriter, MalformedFrame } from "../protocol/framing.ts";
import {
  KEEPER_PROTOCOL,
  type KeeperCall,
  type KeeperEvent,
  keeperFiles,
  type KeeperReply,
  parseKeeperMessage,
} from "./keeper_protocol.ts";

type Ok = Extract<KeeperReply, { ok: true }>;
type Pending = { resolve: (v: Ok) => void; reject: (e: unknown) => void };

export interface KeeperClientOptions {
  /** Subscribe to job-end events (the service's link). */
  onEvent?: (ev: KeeperEvent) => void;
  /** The connection ended (the keeper exited or died, or sent something malformed). */
  onClose?: (why: string) => void;
}

export class KeeperClient {
  readonly #writer: FrameWriter;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #closed = false;
  pid: number | null = null;

  private constructor(readonly conn: Deno.Conn, private opts: KeeperClientOptions) {
    this.#writer = new FrameWriter(conn);
  }

  /** Connects to the keeper of `home`, checks its protocol version, and subscribes if asked. */
  static async connect(home: string, opts: KeeperClientOptions = {}): Promise<KeeperClient> {
    const conn = await Deno.connect({ transport: "unix", path: join(home, keeperFiles().socket) });
    const client = new KeeperClient(conn, opts);
    client.#readLoop();
    try {
      const hello = await client.request({ kind: "hello", protocol: KEEPER_PROTOCOL });
      if (hello.protocol !== KEEPER_PROTOCOL) {
        throw new BarnError(
          "E_PROTOCOL",
          `the job keeper speaks protocol ${hello.protocol}, this barn ${KEEPER_PROTOCOL}`,
        );
      }
      client.pid = hello.pid ?? null;
      if (opts.onEvent) await client.request({ kind: "subscribe" });
      return client;
    } catch (e) {
      client.close();
      throw e;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one request and resolves with its reply; an error reply rejects with its code. */
  async request(call: KeeperCall): Promise<Ok> {
    if (this.#closed) throw new BarnError("E_SPAWN", "the job keeper went away");
    const id = this.#next++;
    const reply = new Promise<Ok>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    // The link can end (and reject the reply) while the write still waits: a rejection nobody
    // awaits yet would end the process. The write's own error is what this request reports then.
    reply.catch(() => {});
    try {
      await this.#writer.write({ ...call, id });
    } catch (e) {
      this.#pending.delete(id);
      throw new BarnError("E_SPAWN", `the job keeper went away: ${(e as Error).message}`);
    }
    return await reply;
  }

  async #readLoop(): Promise<void> {
    let why = "the job keeper closed the connection";
    try {
      for await (const msg of checkedFrames(this.conn, parseKeeperMessage)) {
        if ("event" in msg) {
          this.opts.onEvent?.(msg);
          continue;
        }
        const p = this.#pending.get(msg.reply_to);
        this.#pending.delete(msg.reply_to);
        if (!p) continue;
        if (msg.ok) p.resolve(msg);
        else p.reject(new BarnError(msg.error.code as "E_INTERNAL", msg.error.message));
      }
    } catch (e) {
      why = e instanceof MalformedFrame
        ? `the job keeper sent a malformed message (${e.message})`
        : `the keeper link broke: ${(e as Error).message}`;
    }
    this.close(why);
  }

  close(why = "closed"): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch { /* closed */ }
    const lost = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of lost) p.reject(new BarnError("E_SPAWN", `the job keeper went away (${why})`));
    this.opts.onClose?.(why);
  }
}

/**
 * Stops one job through whichever keeper runs it: this version's, else a keeper of protocol 1
 * still draining after an upgrade.
 */
export async function keeperStop(home: string, jobId: string, reason: StopReason): Promise<void> {
  let client: KeeperClient | null = null;
  try {
    client = await KeeperClient.connect(home);
    await client.request({ kind: "stop", job_id: jobId, reason });
    return;
  } catch (e) {
    const notHere = !client || (e instanceof BarnError && e.code === "E_NOT_FOUND");
    if (!notHere) throw e;
  } finally {
    client?.close();
  }
  if (await legacyStop(home, jobId, reason)) return;
  throw new BarnError(
    "E_NO_SERVICE",
    `no job keeper runs job ${jobId}, so it cannot be reached; \`barn service start\` settles it`,
  );
}

/** Protocol 1 (before versioned socket names): hello, then stop, answered in order. */
async function legacyStop(home: string, jobId: string, reason: StopReason): Promise<boolean> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ transport: "unix", path: join(home, keeperFiles(1).socket) });
  } catch {
    return false;
  }
  try {
    const w = new FrameWriter(conn);
    const r = new FrameReader(conn);
    await w.write({ kind: "hello", protocol: 1 });
    await w.write({ kind: "stop", job_id: jobId, reason });
    await r.next();
    const res = (await r.next()) as { ok?: unknown } | null;
    return res?.ok === true;
  } catch {
    return false;
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}
