/** The watch folders a service hosts (config watch_folders); reload adds and removes them. */

import type { Config } from "../config/config.ts";
import type { Backend } from "../client/backend.ts";
import type { WatchFolder, WatchState } from "../watch/folder.ts";
import { BarnError } from "../errors.ts";
import { lazy } from "../lazy.ts";

type FolderModule = typeof import("../watch/folder.ts");
/** The watch-folder module (and zod, for JobSpecs) loads with the first watch folder: a service without one never pays for it. */
let folderModule: Promise<FolderModule> | null = null;
const loadFolder = () => folderModule ??= lazy<FolderModule>(import.meta.url, "../watch/folder.ts");

const RETRY_MS = 10_000;

interface Entry {
  stop: AbortController;
  folder: WatchFolder;
  poll: number;
}

export class Watchers {
  #entries = new Map<string, Entry>();

  constructor(
    private backend: Backend,
    private log: (m: string) => void,
    /** A folder that cannot be watched: a warning with its code, not a line of news. */
    private warn: (m: string) => void = log,
  ) {}

  /** Starts watchers for new folders and stops those no longer configured. */
  async apply(config: Config): Promise<void> {
    const want = new Map(config.watch_folders.map((w) => [w.path, w.poll_seconds]));
    for (const [path, e] of this.#entries) {
      if (want.get(path) !== e.poll) {
        e.stop.abort();
        this.#entries.delete(path);
        this.log(`watch folder ${path}: stopped`);
      }
    }
    const added = [...want].filter(([path]) => !this.#entries.has(path));
    if (added.length === 0) return;
    const m = await loadFolder();
    for (const [path, poll] of added) if (!this.#entries.has(path)) this.#start(m, path, poll);
  }

  #start(m: FolderModule, path: string, poll: number): void {
    const stop = new AbortController();
    const folder = new m.WatchFolder({
      folder: path,
      pollSeconds: poll,
      once: false,
      backend: () => Promise.resolve(this.backend),
      runJob: m.serviceRunJob(() => Promise.resolve(this.backend), stop.signal),
      log: (m) => this.log(`watch ${path}: ${m}`),
      signal: stop.signal,
    });
    this.#entries.set(path, { stop, folder, poll });
    this.log(`watch folder ${path}: watching (poll every ${poll}s, plus file events)`);
    folder.run().catch((e) => {
      if (stop.signal.aborted) return;
      const code = e instanceof BarnError ? ` [${e.code}]` : "";
      this.warn(
        `watch folder ${path}: ${(e as Error).message}${code}; tried again every ${
          RETRY_MS / 1000
        }s`,
      );
      const retry = setTimeout(() => {
        if (this.#entries.get(path)?.folder === folder && !stop.signal.aborted) {
          this.#entries.delete(path);
          this.#start(m, path, poll);
        }
      }, RETRY_MS);
      // A stop or a reload that drops the folder cancels the retry with it.
      stop.signal.addEventListener("abort", () => clearTimeout(retry), { once: true });
    });
  }

  status(): WatchState[] {
    return [...this.#entries.values()].map((e) => ({ ...e.folder.status }));
  }

  stopAll(): void {
    for (const e of this.#entries.values()) e.stop.abort();
    this.#entries.clear();
  }
}
