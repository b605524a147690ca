/**
 * Notices when a home is deleted or replaced under a running process: each watched path must
 * keep the identity it had at the start (device, inode and birth time: a file system may give a
 * recreated file the inode just freed). A process of the old home never mistakes a recreated one
 * for its own.
 */

import { fileIdentity } from "./files.ts";

const CHECK_MS = 1000;

export class HomeWatch {
  #timer: ReturnType<typeof setInterval>;
  #ids: Map<string, string | null>;

  constructor(paths: readonly string[], onChange: (what: string) => void, everyMs = CHECK_MS) {
    this.#ids = new Map(paths.map((p) => [p, fileIdentity(p)]));
    this.#timer = setInterval(() => {
      const what = this.changed();
      if (what !== null) {
        this.stop();
        onChange(what);
      }
    }, everyMs);
  }

  /** What changed, in words, or null when every path is still the one it was. */
  changed(): string | null {
    for (const [path, was] of this.#ids) {
      const now = fileIdentity(path);
      if (now === was) continue;
      return now === null ? `${path} was deleted` : `${path} was replaced (a new file or dir)`;
    }
    return null;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
