/** Keepalive frames for streaming requests: sent when nothing else went out for a while, which is also how a vanished client is noticed. */

import type { StreamFrame } from "../protocol/messages.ts";
import type { Send } from "./context.ts";

export const KEEPALIVE_MS = 10_000;

type KeepaliveFrame = Extract<StreamFrame, { stream: "keepalive" }>;

export class Keepalive {
  #last = Date.now();

  constructor(
    readonly send: Send,
    readonly frame: () => KeepaliveFrame,
    readonly intervalMs = KEEPALIVE_MS,
  ) {}

  /** Another frame just went out. */
  sent(): void {
    this.#last = Date.now();
  }

  /** Sends a keepalive if nothing went out for the interval; rejects when the client has gone. */
  async due(): Promise<void> {
    if (Date.now() - this.#last < this.intervalMs) return;
    await this.send(this.frame());
    this.sent();
  }
}
