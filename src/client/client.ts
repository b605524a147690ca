/** Talks to the service: connect, handshake, one request, one response. No printing here. */

import { BarnError } from "../errors.ts";
import { encodeFrame, FrameReader, MAX_FRAME_BYTES, writeBytes } from "../protocol/framing.ts";
import {
  OLDEST_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  type Request,
  type RequestKind,
  type Response,
  type ResponseData,
  type StreamFrame,
} from "../protocol/messages.ts";
import { connect, endpointOf } from "../platform/transport.ts";
import { VERSION } from "../version.ts";

/** Connects to the service's socket; none listening is E_NO_SERVICE, told by `notRunning`. */
export async function connectService(
  home: string,
  socketName: string,
  notRunning: (endpoint: string) => string,
): Promise<{ conn: Deno.Conn; token: string | null }> {
  try {
    return await connect(home, socketName);
  } catch (e) {
    if (
      e instanceof Deno.errors.NotFound || e instanceof Deno.errors.ConnectionRefused ||
      e instanceof Deno.errors.ConnectionReset
    ) {
      throw new BarnError("E_NO_SERVICE", notRunning(endpointOf(home, socketName)));
    }
    throw e;
  }
}

export class Connection {
  readonly #reader: FrameReader;
  private constructor(readonly conn: Deno.Conn, readonly token: string | null) {
    // The local service checked every message's depth on its way in; a listing's 8 MB skip a second scan.
    this.#reader = new FrameReader(conn, null, true);
  }

  /** Connects and sends the handshake; its answer is read with the first response (no extra round trip). */
  static async open(
    home: string,
    socketName: string,
    protocol = PROTOCOL_VERSION,
  ): Promise<Connection> {
    const c = await connectService(
      home,
      socketName,
      (at) =>
        `barn service is not running (no answer at ${at}): ` +
        "start it with `barn service start` or use --offline",
    );
    const connection = new Connection(c.conn, c.token);
    connection.#protocol = protocol;
    connection.#hello = encodeFrame({
      kind: "hello",
      protocol,
      client_version: VERSION,
      token: c.token,
    });
    connection.#pendingHello = true;
    return connection;
  }

  /** The version the handshake names, which the service must answer with. */
  #protocol = PROTOCOL_VERSION;
  /** The encoded handshake, not yet sent: it leaves with the first request, in one write. */
  #hello: Uint8Array | null = null;
  #pendingHello = false;

  async #send(message: unknown): Promise<void> {
    const body = encodeFrame(message);
    const data = this.#hello ? new Uint8Array(this.#hello.length + body.length) : body;
    if (this.#hello) {
      data.set(this.#hello);
      data.set(body, this.#hello.length);
      this.#hello = null;
    }
    await writeBytes(this.conn, data);
  }

  async #read(): Promise<Response> {
    const msg = await this.#reader.next();
    if (msg === null) {
      throw new BarnError(
        "E_NO_SERVICE",
        "the barn service closed the connection: check `barn service logs`",
      );
    }
    return msg as Response;
  }

  async #checkHello(): Promise<void> {
    if (this.#hello) {
      // Nothing was requested yet: the handshake goes alone.
      const hello = this.#hello;
      this.#hello = null;
      await writeBytes(this.conn, hello);
    }
    if (!this.#pendingHello) return;
    this.#pendingHello = false;
    const hello = await this.#read();
    if (!hello.ok) throw new BarnError(hello.error.code as "E_PROTOCOL", hello.error.message);
    // The service serves the client's version or refuses it; anything else is not barn's service.
    const version = (hello as { protocol?: unknown }).protocol;
    if (version !== this.#protocol) {
      throw new BarnError(
        "E_PROTOCOL",
        `the service answered the handshake with protocol ${
          String(version).slice(0, 20)
        }, not ${this.#protocol}: run the same barn version for both`,
      );
    }
  }

  request<K extends RequestKind>(req: Extract<Request, { kind: K }>): Promise<ResponseData[K]> {
    return lostAsNoService(() => this.#request(req));
  }

  async #request<K extends RequestKind>(
    req: Extract<Request, { kind: K }>,
  ): Promise<ResponseData[K]> {
    await this.#send(req);
    await this.#checkHello();
    const res = await this.#read();
    if (!res.ok) throw new BarnError(res.error.code as "E_INTERNAL", res.error.message);
    const { ok: _ok, ...data } = res;
    return data as unknown as ResponseData[K];
  }

  /** Sends a streaming request: frames go to `onFrame` until the final response. */
  stream<K extends RequestKind>(
    req: Extract<Request, { kind: K }>,
    onFrame: (frame: StreamFrame) => void | Promise<void>,
  ): Promise<ResponseData[K]> {
    return lostAsNoService(() => this.#stream(req, onFrame));
  }

  async #stream<K extends RequestKind>(
    req: Extract<Request, { kind: K }>,
    onFrame: (frame: StreamFrame) => void | Promise<void>,
  ): Promise<ResponseData[K]> {
    await this.#send(req);
    await this.#checkHello();
    for (;;) {
      const res = await this.#read();
      if (!res.ok) throw new BarnError(res.error.code as "E_INTERNAL", res.error.message);
      if ("stream" in res) {
        await onFrame(
          res.stream === "text" ? await this.#text(req, res) : res as unknown as StreamFrame,
        );
        continue;
      }
      const { ok: _ok, ...data } = res;
      return data as unknown as ResponseData[K];
    }
  }

  /** A `text` frame's bytes, which follow its header: only for a request that asked for text. */
  async #text(req: Request, header: Record<string, unknown>): Promise<StreamFrame> {
    const n = header.bytes;
    if (req.kind !== "status" || req.text === undefined) {
      throw new BarnError("E_PROTOCOL", "the service sent text this request did not ask for");
    }
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_FRAME_BYTES) {
      throw new BarnError("E_PROTOCOL", "the service sent a text frame without a valid byte count");
    }
    return { ok: true, stream: "text", text: await this.#reader.nextBytes(n) };
  }

  /** Reads the next pushed message of a streaming request. */
  async next(): Promise<unknown | null> {
    await this.#checkHello();
    return await this.#reader.next();
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* closed */ }
  }
}

/** A connection that breaks mid-request means the service went away (a stop or a crash). */
async function lostAsNoService<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (
      e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset ||
      e instanceof Deno.errors.UnexpectedEof || e instanceof Deno.errors.BadResource ||
      (e instanceof BarnError && e.code === "E_PROTOCOL" && /truncated/.test(e.message))
    ) {
      throw new BarnError(
        "E_NO_SERVICE",
        "the barn service went away during the request: check `barn service status`",
      );
    }
    throw e;
  }
}

/** One request on a fresh connection. */
export async function requestOnce<K extends RequestKind>(
  home: string,
  socketName: string,
  req: Extract<Request, { kind: K }>,
): Promise<ResponseData[K]> {
  // Service management (status, stop, reload) is the same in every version the service speaks:
  // the oldest one lets a new barn stop and restart the service an upgrade left running.
  const c = await Connection.open(home, socketName, OLDEST_PROTOCOL_VERSION);
  try {
    return await c.request(req);
  } finally {
    c.close();
  }
}
