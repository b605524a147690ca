/** The terminal `barn top` draws on: raw keys, the alternate screen, its size, and putting it back. */

import { ENTER, LEAVE } from "./frame.ts";
import type { ScreenSize } from "./screen.ts";

const encoder = new TextEncoder();

function writeAllSync(text: string): void {
  const data = encoder.encode(text);
  let off = 0;
  while (off < data.length) off += Deno.stdout.writeSync(data.subarray(off));
}

export class Terminal {
  #entered = false;

  /** Raw keys (Ctrl-C arrives as a key), the alternate screen, no cursor. */
  enter(): void {
    Deno.stdin.setRaw(true);
    this.#entered = true;
    writeAllSync(ENTER);
  }

  size(): ScreenSize {
    const { columns, rows } = Deno.consoleSize();
    return { width: columns, height: rows };
  }

  /** Synchronous, so a frame is never half-written when a signal ends the process. */
  write(text: string): void {
    if (text) writeAllSync(text);
  }

  /** Puts the terminal back as it was; safe to call twice (exit path and signal handler). */
  restore(): void {
    if (!this.#entered) return;
    this.#entered = false;
    try {
      writeAllSync(LEAVE);
    } finally {
      try {
        Deno.stdin.setRaw(false);
      } catch { /* stdin already gone */ }
    }
  }

  /** Every key press, as text, until `signal` aborts or stdin ends. */
  async *input(signal: AbortSignal): AsyncGenerator<string> {
    const buf = new Uint8Array(1024);
    const decoder = new TextDecoder();
    while (!signal.aborted) {
      const n = await Deno.stdin.read(buf);
      if (n === null) return;
      yield decoder.decode(buf.subarray(0, n), { stream: true });
    }
  }
}

/** Listens for a signal where the OS has it; returns how to stop listening. */
export function onSignal(sig: Deno.Signal, handler: () => void): () => void {
  try {
    Deno.addSignalListener(sig, handler);
    return () => Deno.removeSignalListener(sig, handler);
  } catch {
    return () => {};
  }
}
