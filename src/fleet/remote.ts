/** One host's barn over `ssh HOST barn dial-stdio`: the handshake, then requests and streams, every answer validated. */

import { BarnError } from "../errors.ts";
import { encodeFrame, FrameReader } from "../protocol/framing.ts";
import {
  OLDEST_PROTOCOL_VERSION,
  type Request,
  type RequestKind,
  type ResponseData,
  type StreamFrame,
} from "../protocol/messages.ts";
import { parseReply } from "../protocol/validate_response.ts";
import { escapeText } from "../escape.ts";
import { VERSION } from "../version.ts";
import type { Host } from "./inventory.ts";
import { spawnSsh, type SshProcess } from "./ssh.ts";
import { sshArgs, type SshSettings } from "./ssh_args.ts";
import { classifySshExit } from "./ssh_errors.ts";

/**
 * The version barn-fleet names: it asks for records, never a listing's text (protocol 3), so it
 * speaks the oldest version a service serves, and hosts of either version answer it.
 */
const FLEET_PROTOCOL = OLDEST_PROTOCOL_VERSION;

/** A host's own error, kept as it is, except the handshake's that name the fleet's codes. */
function hostError(host: string, code: string, message: string): BarnError {
  const said = escapeText(message);
  if (code === "E_PROTOCOL" && /protocol mismatch/.test(message)) {
    return new BarnError(
      "E_VERSION",
      `${host}: ${said} (barn-fleet speaks protocol ${FLEET_PROTOCOL}; deploy the same barn version)`,
    );
  }
  return new BarnError(code as "E_INTERNAL", `${host}: ${said}`);
}

export class Remote {
  readonly #ssh: SshProcess;
  readonly #reader: FrameReader;
  #helloPending = true;
  #answered = false;
  #busy = false;
  /** The barn version the host reported in its handshake. */
  serverVersion: string | null = null;

  private constructor(readonly host: Host, ssh: SshProcess, readonly signal?: AbortSignal) {
    this.#ssh = ssh;
    this.#reader = new FrameReader(ssh.reader);
  }

  /**
   * Starts ssh and sends the handshake at once; its answer is read with the first request's,
   * so a request costs one round trip over an already multiplexed connection.
   */
  static async open(host: Host, settings: SshSettings, signal?: AbortSignal): Promise<Remote> {
    if (signal?.aborted) throw signal.reason;
    const ssh = spawnSsh(sshArgs(settings, host, [host.barn, "dial-stdio"]));
    const remote = new Remote(host, ssh, signal);
    signal?.addEventListener("abort", () => ssh.kill(), { once: true });
    try {
      await ssh.writer.write(
        encodeFrame({ kind: "hello", protocol: FLEET_PROTOCOL, client_version: VERSION }),
      );
    } catch {
      // ssh already ended: the first read reports why.
    }
    return remote;
  }

  /** Why the session ended without an answer: a timeout, or what ssh's exit says. */
  async #ended(): Promise<BarnError> {
    if (this.signal?.aborted) {
      const r = this.signal.reason;
      if (r instanceof BarnError) return r;
    }
    await this.#ssh.closeStdin();
    const [code, stderr] = await Promise.all([this.#ssh.status(), this.#ssh.stderr()]);
    return classifySshExit({ host: this.host.name, code, stderr, answered: this.#answered });
  }

  async #next(kind: RequestKind): Promise<ReturnType<typeof parseReply>> {
    let raw: unknown;
    try {
      raw = await this.#reader.next();
    } catch (e) {
      if (this.signal?.aborted || this.#ssh.killed) throw await this.#ended();
      // A cut frame is a lost connection; anything else is a host that breaks the framing.
      if (e instanceof BarnError && /truncated/.test(e.message)) throw await this.#ended();
      const what = escapeText((e as Error).message);
      throw new BarnError(
        "E_PROTOCOL",
        this.#answered
          ? `${this.host.name}: ${what}`
          : `${this.host.name} answered \`${
            escapeText(this.host.barn)
          } dial-stdio\` with something that is not ` +
            `barn's protocol (${what}): check the host's barn path (barn=PATH in the inventory) ` +
            "and that its login shell prints nothing",
      );
    }
    if (raw === null) throw await this.#ended();
    try {
      return parseReply(kind, raw);
    } catch (e) {
      throw new BarnError("E_PROTOCOL", `${this.host.name}: ${(e as Error).message}`);
    }
  }

  async #checkHello(): Promise<void> {
    if (!this.#helloPending) return;
    this.#helloPending = false;
    const r = await this.#next("hello");
    if (r.type === "error") throw hostError(this.host.name, r.error.code, r.error.message);
    if (r.type === "frame") {
      throw new BarnError("E_PROTOCOL", `${this.host.name}: a frame before the handshake`);
    }
    this.#answered = true;
    const hello = r.data as ResponseData["hello"];
    if (hello.protocol !== FLEET_PROTOCOL) {
      throw new BarnError(
        "E_VERSION",
        `${this.host.name} speaks barn protocol ${hello.protocol} (barn ${
          escapeText(hello.server_version)
        }); barn-fleet speaks ${FLEET_PROTOCOL}: deploy the same barn version`,
      );
    }
    this.serverVersion = hello.server_version;
  }

  async #send(req: Request): Promise<void> {
    try {
      await this.#ssh.writer.write(encodeFrame(req));
    } catch {
      // The pipe is gone: the read that follows says why.
    }
  }

  /** One request, one validated answer. */
  request<K extends RequestKind>(req: Extract<Request, { kind: K }>): Promise<ResponseData[K]> {
    return this.stream(req, () => {
      throw new BarnError(
        "E_PROTOCOL",
        `${this.host.name}: a stream frame for a ${req.kind} request`,
      );
    });
  }

  /** A streaming request: validated frames go to `onFrame` until the final answer. */
  async stream<K extends RequestKind>(
    req: Extract<Request, { kind: K }>,
    onFrame: (frame: StreamFrame) => void | Promise<void>,
  ): Promise<ResponseData[K]> {
    if (this.#busy) throw new Error("one request at a time on a Remote");
    this.#busy = true;
    try {
      await this.#send(req);
      await this.#checkHello();
      for (;;) {
        const r = await this.#next(req.kind);
        if (r.type === "error") throw hostError(this.host.name, r.error.code, r.error.message);
        if (r.type === "frame") {
          await onFrame(r.frame);
          continue;
        }
        return r.data as ResponseData[K];
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Ends the session: stdin closes, dial-stdio and ssh exit; killed if they linger. */
  async close(): Promise<void> {
    await this.#ssh.closeStdin();
    const t = setTimeout(() => this.#ssh.kill(), 5000);
    try {
      await this.#ssh.status();
    } finally {
      clearTimeout(t);
    }
  }

  /** Ends the session at once (a timeout, Ctrl-C). */
  kill(): void {
    this.#ssh.kill();
  }
}

/** Opens a session, runs `f` on it, and closes it whatever happens. */
export async function withRemote<T>(
  host: Host,
  settings: SshSettings,
  signal: AbortSignal | undefined,
  f: (r: Remote) => Promise<T>,
): Promise<T> {
  const r = await Remote.open(host, settings, signal);
  try {
    return await f(r);
  } catch (e) {
    r.kill(); // a host that broke the exchange gets no grace to linger
    throw e;
  } finally {
    await r.close();
  }
}
