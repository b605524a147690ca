/** The service's standing connection to the keeper: starts it when needed, hears when jobs end. */

import { BarnError } from "../errors.ts";
import { FrameReader, writeFrame } from "../protocol/framing.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { spawnSelfDetached } from "../platform/self.ts";
import {
  KEEPER_PROTOCOL,
  type KeeperEvent,
  type KeeperRequest,
} from "../supervisor/keeper_protocol.ts";

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: unknown) => void };

export class KeeperLink {
  #conn: Deno.Conn | null = null;
  #connecting: Promise<Deno.Conn> | null = null;
  #pending: Pending[] = [];
  pid: number | null = null;

  constructor(
    private paths: HomePaths,
    private onEvent: (ev: KeeperEvent) => void,
    private onLost: () => void,
    private log: (m: string) => void,
  ) {}

  get connected(): boolean {
    return this.#conn !== null;
  }

  /** Connects to a live keeper without starting one (used at service start to re-adopt jobs). */
  async attachIfAlive(): Promise<boolean> {
    try {
      await this.#connect(false);
      return true;
    } catch {
      return false;
    }
  }

  async request(req: KeeperRequest): Promise<Record<string, unknown>> {
    const conn = await this.#connect(true);
    const reply = new Promise<Record<string, unknown>>((resolve, reject) =>
      this.#pending.push({ resolve, reject })
    );
    await writeFrame(conn, req);
    const res = await reply;
    if (res.ok !== true) {
      const err = res.error as { code: string; message: string };
      throw new BarnError(err.code as "E_INTERNAL", err.message);
    }
    return res;
  }

  #connect(spawn: boolean): Promise<Deno.Conn> {
    if (this.#conn) return Promise.resolve(this.#conn);
    this.#connecting ??= this.#open(spawn).finally(() => (this.#connecting = null));
    return this.#connecting;
  }

  async #open(spawn: boolean): Promise<Deno.Conn> {
    const deadline = Date.now() + 10_000;
    let spawned = false;
    for (let delay = 5;; delay = Math.min(delay * 2, 200)) {
      try {
        const conn = await Deno.connect({ transport: "unix", path: this.paths.keeperSocket });
        this.#conn = conn;
        this.#readLoop(conn);
        const hello = new Promise<Record<string, unknown>>((resolve, reject) =>
          this.#pending.push({ resolve, reject })
        );
        await writeFrame(conn, { kind: "hello", protocol: KEEPER_PROTOCOL });
        const sub = new Promise<Record<string, unknown>>((resolve, reject) =>
          this.#pending.push({ resolve, reject })
        );
        await writeFrame(conn, { kind: "subscribe" });
        const h = await hello;
        await sub;
        this.pid = typeof h.pid === "number" ? h.pid : null;
        return conn;
      } catch (e) {
        this.#conn = null;
        if (!spawn) throw e;
        if (!spawned) {
          spawnSelfDetached(["keeper"]);
          spawned = true;
          this.log("started the job keeper");
        }
        if (Date.now() > deadline) {
          throw new BarnError(
            "E_SPAWN",
            `could not reach the job keeper at ${this.paths.keeperSocket}: see ${this.paths.logDir}/keeper.log`,
          );
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async #readLoop(conn: Deno.Conn): Promise<void> {
    const reader = new FrameReader(conn);
    try {
      for (;;) {
        const msg = (await reader.next()) as Record<string, unknown> | null;
        if (msg === null) break;
        if ("event" in msg) this.onEvent(msg as unknown as KeeperEvent);
        else this.#pending.shift()?.resolve(msg);
      }
    } catch (e) {
      this.log(`keeper link broke: ${(e as Error).message}`);
    }
    if (this.#conn === conn) this.#conn = null;
    this.pid = null;
    const lost = this.#pending.splice(0);
    for (const p of lost) p.reject(new BarnError("E_SPAWN", "the job keeper went away"));
    try {
      conn.close();
    } catch { /* closed */ }
    this.onLost();
  }

  close(): void {
    const c = this.#conn;
    this.#conn = null;
    try {
      c?.close();
    } catch { /* closed */ }
  }
}
