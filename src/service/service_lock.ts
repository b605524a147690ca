/** The one-service-per-home lock: taken at start, released by the OS if the service dies. */

import type { HomePaths } from "../platform/home_layout.ts";
import { openPrivateFile } from "../platform/files.ts";
import { connect } from "../platform/transport.ts";

/** Takes the lock, waiting briefly for a predecessor; null when another service holds it. */
export async function takeLock(paths: HomePaths, socketName: string): Promise<Deno.FsFile | null> {
  const f = openPrivateFile(paths.serviceLock, { read: true });
  for (let i = 0; i < 50; i++) {
    if (f.tryLockSync(true)) return f;
    // A holder that answers is a live service, not a predecessor handing over: give up at once.
    if (i > 0 && await answers(paths.home, socketName)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  f.close();
  return null;
}

async function answers(home: string, socketName: string): Promise<boolean> {
  try {
    const { conn } = await connect(home, socketName);
    conn.close();
    return true;
  } catch {
    return false;
  }
}
