/** barn watch: the watch-folder runner, standalone (the service can host it too: watch_folders). */

import { excerpt } from "../../escape.ts";
import { lazy } from "../../lazy.ts";
import { join, resolve } from "../../platform/path.ts";
import { BarnError } from "../../errors.ts";
import type { Command } from "../command.ts";
import type { CliContext } from "../context.ts";

export const watch: Command = {
  name: "watch",
  summary:
    "run JobSpec files dropped into <folder>/pending as ffmpeg jobs (see docs/watch-folder.md)",
  usage: "barn watch [<folder>] [--once] [--poll-seconds=N] [--offline]",
  example: "barn watch /tmp/barn/watch --once",
  options: { once: { type: "boolean" }, "poll-seconds": { type: "string" } },
  async run(ctx: CliContext) {
    if (ctx.positionals.length > 1) throw new BarnError("E_USAGE", "barn watch takes one folder");
    const folder = resolve(ctx.positionals[0] ?? join(ctx.paths.home, "watch"));
    const pollText = ctx.str("poll-seconds") ?? "2";
    const poll = Number(pollText);
    if (!Number.isFinite(poll) || poll <= 0) {
      throw new BarnError(
        "E_USAGE",
        `--poll-seconds must be a positive number (got '${excerpt(pollText)}')`,
      );
    }
    const { WatchFolder, serviceRunJob } = await lazy<typeof import("../../watch/folder.ts")>(
      import.meta.url,
      "../../watch/folder.ts",
    );
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
    for (const s of signals) Deno.addSignalListener(s, onSignal);
    const log = (m: string) => console.error(`${new Date().toISOString()} watch: ${m}`);
    try {
      const backend = () => ctx.backend();
      let runJob = serviceRunJob(backend, stop.signal);
      let beforeRecovery: (() => Promise<void>) | undefined;
      if (ctx.offline) {
        const { superviseHere } = await lazy<typeof import("../offline_run.ts")>(
          import.meta.url,
          "../offline_run.ts",
        );
        const { reconcile } = await lazy<typeof import("../../service/reconcile.ts")>(
          import.meta.url,
          "../../service/reconcile.ts",
        );
        runJob = async (spec, submitted) => {
          const b = await ctx.backend();
          const { jobs } = await b.request({ kind: "submit", jobs: [spec] });
          submitted(jobs[0]!.job.job_id);
          return await superviseHere(b, await ctx.config(), jobs[0]!.job.job_id);
        };
        // Jobs whose --offline supervisor was a runner that died are settled first.
        beforeRecovery = async () => {
          const b = (await ctx.backend()) as import("../offline.ts").OfflineBackend;
          await reconcile(b.store, log);
        };
      } else {
        await ctx.backend(); // fail fast when no service runs
      }
      const watcher = new WatchFolder({
        folder,
        pollSeconds: poll,
        once: ctx.flag("once"),
        backend,
        runJob,
        log,
        signal: stop.signal,
        ...(beforeRecovery ? { beforeRecovery } : {}),
      });
      await watcher.run();
      if (ctx.format !== "human") {
        await ctx.print({ view: "message", message: "", data: { ...watcher.status } });
      }
      return 0;
    } finally {
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
    }
  },
};
