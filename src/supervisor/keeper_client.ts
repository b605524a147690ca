/** One-shot requests to the keeper, for callers without a standing link (e.g. kill under --offline). */

import { BarnError } from "../errors.ts";
import { FrameReader, writeFrame } from "../protocol/framing.ts";
import type { HomePaths } from "../platform/home_layout.ts";
import { KEEPER_PROTOCOL, type KeeperRequest } from "./keeper_protocol.ts";
import type { StopReason } from "../jobs/transitions.ts";

export async function keeperRequest(
  paths: HomePaths,
  req: KeeperRequest,
): Promise<Record<string, unknown>> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ transport: "unix", path: paths.keeperSocket });
  } catch {
    throw new BarnError(
      "E_NO_SERVICE",
      "the job keeper is not running, so its jobs cannot be reached; `barn service start` recovers them",
    );
  }
  try {
    const reader = new FrameReader(conn);
    await writeFrame(conn, { kind: "hello", protocol: KEEPER_PROTOCOL });
    await writeFrame(conn, req);
    await reader.next();
    const res = (await reader.next()) as Record<string, unknown> | null;
    if (!res) throw new BarnError("E_PROTOCOL", "the job keeper closed the connection");
    if (res.ok !== true) {
      const err = res.error as { code: string; message: string };
      throw new BarnError(err.code as "E_INTERNAL", err.message);
    }
    return res;
  } finally {
    conn.close();
  }
}

export async function keeperStop(
  paths: HomePaths,
  jobId: string,
  reason: StopReason,
): Promise<void> {
  await keeperRequest(paths, { kind: "stop", job_id: jobId, reason });
}
