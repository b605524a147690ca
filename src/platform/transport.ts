/** The IPC transport for this OS: Unix socket on Linux/macOS, loopback TCP + token on Windows. */

import * as unix from "./transport_unix.ts";
import * as tcp from "./transport_tcp.ts";

const impl = Deno.build.os === "windows" ? tcp : unix;

export type Listener = unix.Listener;
export const listen = impl.listen;
export const connect = impl.connect;
export const endpointOf = impl.endpointOf;
export const checkToken = impl.checkToken;
