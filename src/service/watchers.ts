/** The watch folders a service hosts (config watch_folders); reload adds and removes them. */

import type { Config } from "../config/config.ts";
import type { Backend } from "../client/backend.ts";
import type { WatchRunner, WatchState } from "../watch/runner.ts";
import { lazy } from "../lazy.ts";

type RunnerModule = typeof import("../watch/runner.ts");
/** The runner (and zod, for JobSpecs) loads with the first watch folder: a service without one never pays for it. */
let runnerModule: Promise<RunnerModule> | null = null;
const loadRunner = () => runnerModule ??= lazy<RunnerModule>(import.meta.url, "../watch/runner.ts");

const RETRY_MS = 10_000;

interface Entry {
  stop: AbortController;
  runner: WatchRunner;
  poll: number;
}

export class Watchers {
  #entries = new Map<string, Entry>();

  constructor(private backend: Backend, private log: (m: string) => void) {}

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
    const m = await loadRunner();
    for (const [path, poll] of added) if (!this.#entries.has(path)) this.#start(m, path, poll);
  }

  #start(m: RunnerModule, path: string, poll: number): void {
    const stop = new AbortController();
    const runner = new m.WatchRunner({
      folder: path,
      pollSeconds: poll,
      once: false,
      backend: () => Promise.resolve(this.backend),
      runJob: m.serviceRunJob(() => Promise.resolve(this.backend), stop.signal),
      log: (m) => this.log(`watch ${path}: ${m}`),
      signal: stop.signal,
    });
    this.#entries.set(path, { stop, runner, poll });
    this.log(`watch folder ${path}: watching (poll every ${poll}s, plus file events)`);
    runner.run().catch((e) => {
      this.log(`watch folder ${path}: ${(e as Error).message}`);
      if (stop.signal.aborted) return;
      setTimeout(() => {
        if (this.#entries.get(path)?.runner === runner && !stop.signal.aborted) {
          this.#entries.delete(path);
          this.#start(m, path, poll);
        }
      }, RETRY_MS);
    });
  }

  status(): WatchState[] {
    return [...this.#entries.values()].map((e) => ({ ...e.runner.status }));
  }

  stopAll(): void {
    for (const e of this.#entries.values()) e.stop.abort();
    this.#entries.clear();
  }
}
