/** What commands talk to: the service over the transport, or the same handlers in-process. */

import type { Request, RequestKind, ResponseData, StreamFrame } from "../protocol/messages.ts";

export interface Backend {
  request<K extends RequestKind>(req: Extract<Request, { kind: K }>): Promise<ResponseData[K]>;
  stream<K extends RequestKind>(
    req: Extract<Request, { kind: K }>,
    onFrame: (frame: StreamFrame) => void | Promise<void>,
  ): Promise<ResponseData[K]>;
  close(): void;
}
