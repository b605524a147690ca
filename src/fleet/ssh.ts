/** The fleet's one OS boundary: spawning ssh and scp, with piped stdio, a bounded stderr, and kill. */

import { BarnError } from "../errors.ts";

const STDERR_KEEP = 16 * 1024;
const STDOUT_MAX = 8 * 1024 * 1024;

type Program = "ssh" | "scp";

function spawnFailed(program: Program, e: unknown): BarnError {
  if (e instanceof Deno.errors.NotFound) {
    return new BarnError("E_SPAWN", `${program} is not installed or not on PATH: install OpenSSH`);
  }
  if (e instanceof Deno.errors.NotCapable) {
    return new BarnError(
      "E_SANDBOX",
      `${(e as Error).message}: barn-fleet may run only ssh and scp (see docs/security.md)`,
    );
  }
  return new BarnError("E_SPAWN", `cannot start ${program}: ${(e as Error).message}`);
}

/** Keeps the last STDERR_KEEP bytes of a stream as text. */
async function collectTail(stream: ReadableStream<Uint8Array>): Promise<string> {
  let kept = new Uint8Array(0);
  try {
    for await (const chunk of stream) {
      const next = new Uint8Array(Math.min(STDERR_KEEP, kept.length + chunk.length));
      const all = new Uint8Array(kept.length + chunk.length);
      all.set(kept);
      all.set(chunk, kept.length);
      next.set(all.subarray(all.length - next.length));
      kept = next;
    }
  } catch { /* the process was killed */ }
  return new TextDecoder().decode(kept);
}

/** A running ssh whose stdin and stdout carry frames. */
export class SshProcess {
  readonly #child: Deno.ChildProcess;
  readonly #stdout: ReadableStreamDefaultReader<Uint8Array>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #stderr: Promise<string>;
  #pending: Uint8Array | null = null;
  #killed = false;

  constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#stdout = child.stdout.getReader();
    this.#stdin = child.stdin.getWriter();
    this.#stderr = collectTail(child.stderr);
  }

  readonly reader = {
    read: async (p: Uint8Array): Promise<number | null> => {
      if (!this.#pending || this.#pending.length === 0) {
        try {
          const r = await this.#stdout.read();
          if (r.done) return null;
          this.#pending = r.value;
        } catch {
          return null;
        }
      }
      const n = Math.min(p.length, this.#pending.length);
      p.set(this.#pending.subarray(0, n));
      this.#pending = this.#pending.subarray(n);
      return n;
    },
  };

  readonly writer = {
    write: async (p: Uint8Array): Promise<number> => {
      await this.#stdin.write(p.slice());
      return p.length;
    },
  };

  /** ssh's exit status; null when a signal ended it. */
  async status(): Promise<number | null> {
    const s = await this.#child.status;
    return s.signal !== null ? null : s.code;
  }

  stderr(): Promise<string> {
    return this.#stderr;
  }

  get killed(): boolean {
    return this.#killed;
  }

  /** Ends the session from our side: stdin closes, the remote dial-stdio sees EOF. */
  async closeStdin(): Promise<void> {
    try {
      await this.#stdin.close();
    } catch { /* already closed */ }
  }

  kill(): void {
    this.#killed = true;
    try {
      this.#child.kill("SIGTERM");
    } catch { /* gone */ }
  }
}

/** Starts `ssh args…` with its stdio piped. */
export function spawnSsh(args: string[]): SshProcess {
  try {
    return new SshProcess(
      new Deno.Command("ssh", { args, stdin: "piped", stdout: "piped", stderr: "piped" }).spawn(),
    );
  } catch (e) {
    throw spawnFailed("ssh", e);
  }
}

export interface SshOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs ssh or scp to its end (or until `signal` aborts it, which kills it). */
export async function runSsh(
  program: Program,
  args: string[],
  signal?: AbortSignal,
): Promise<SshOutput> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw spawnFailed(program, e);
  }
  const kill = () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
  };
  signal?.addEventListener("abort", kill);
  try {
    const stderr = collectTail(child.stderr);
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const c of child.stdout) {
        if (size + c.length > STDOUT_MAX) {
          kill();
          throw new BarnError(
            "E_PROTOCOL",
            `${program} printed more than ${STDOUT_MAX} bytes: refused`,
          );
        }
        chunks.push(c);
        size += c.length;
      }
    } catch (e) {
      if (e instanceof BarnError) throw e;
    }
    const s = await child.status;
    const out = new Uint8Array(size);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return {
      code: s.signal !== null ? null : s.code,
      stdout: new TextDecoder().decode(out),
      stderr: await stderr,
    };
  } finally {
    signal?.removeEventListener("abort", kill);
  }
}
