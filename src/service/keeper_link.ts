/** The service's standing connection to the keeper: starts one when needed, hears when jobs end. */

import { BarnError } from "../errors.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { spawnSelfDetached } from "../platform/self.ts";
import { KeeperClient } from "../supervisor/keeper_client.ts";
import type { KeeperCall, KeeperEvent } from "../supervisor/keeper_protocol.ts";

export class KeeperLink {
  #client: KeeperClient | null = null;
  #connecting: Promise<KeeperClient> | null = null;

  constructor(
    private paths: HomePaths,
    private onEvent: (ev: KeeperEvent) => void,
    private onLost: () => void,
    private log: (m: string) => void,
  ) {}

  get connected(): boolean {
    return this.#client !== null && !this.#client.closed;
  }

  get pid(): number | null {
    return this.connected ? this.#client!.pid : null;
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

  /**
   * Sends a request, starting a keeper first if none runs. A start refused by a keeper that is
   * closing for idleness goes to a new keeper.
   */
  async request(call: KeeperCall): Promise<Record<string, unknown>> {
    for (let attempt = 0;; attempt++) {
      const client = await this.#connect(true);
      try {
        return await client.request(call);
      } catch (e) {
        const closing = e instanceof BarnError && e.code === "E_BUSY" && call.kind === "start";
        if (!closing || attempt >= 3) throw e;
        client.close("closing for idleness");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  #connect(spawn: boolean): Promise<KeeperClient> {
    if (this.connected) return Promise.resolve(this.#client!);
    this.#connecting ??= this.#open(spawn).finally(() => (this.#connecting = null));
    return this.#connecting;
  }

  async #open(spawn: boolean): Promise<KeeperClient> {
    const deadline = Date.now() + 10_000;
    let spawned = false;
    for (let delay = 5;; delay = Math.min(delay * 2, 200)) {
      try {
        // The connection can close while connect() still runs (a keeper killed mid-handshake):
        // the callback then finds no link yet, and connect() itself rejects.
        let client: KeeperClient | null = null;
        client = await KeeperClient.connect(this.paths.home, {
          onEvent: (ev) => this.onEvent(ev),
          onClose: (why) => {
            if (client === null || this.#client !== client) return;
            this.#client = null;
            this.log(`keeper link closed: ${why}`);
            this.onLost();
          },
        });
        this.#client = client;
        return client;
      } catch (e) {
        if (!spawn) throw e;
        if (!spawned) {
          spawnSelfDetached(["keeper"]);
          spawned = true;
          this.log("started the job keeper");
        }
        if (Date.now() > deadline) {
          throw new BarnError(
            "E_SPAWN",
            `could not reach the job keeper in ${this.paths.home}: see ${this.paths.logDir}/keeper.log`,
          );
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  close(): void {
    const c = this.#client;
    this.#client = null;
    c?.close("the service is stopping");
  }
}
