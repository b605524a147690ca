/** barn service start|stop|restart|reload|status|logs|run: the service's lifecycle, from the client side. */

import { excerpt } from "../../escape.ts";
import { lazy } from "../../lazy.ts";
import { BarnError } from "../../errors.ts";
import { requestOnce } from "../../client/client.ts";
import { endpointOf } from "../../platform/transport.ts";
import {
  copyRange,
  fileSize,
  openPrivateFile,
  readTail,
  tailLines,
  tailWindow,
} from "../../platform/files.ts";
import { spawnSelfDetached } from "../../platform/self.ts";
import type { ServiceStatus } from "../../protocol/messages.ts";
import { VERSION } from "../../version.ts";
import type { Command } from "../command.ts";
import { type CliContext, writeOut } from "../context.ts";

const ACTIONS = [
  "start",
  "stop",
  "restart",
  "reload",
  "status",
  "logs",
  "run",
  "install",
  "uninstall",
] as const;
type Action = typeof ACTIONS[number];

async function currentStatus(ctx: CliContext): Promise<ServiceStatus | null> {
  try {
    return (await requestOnce(ctx.home, await ctx.socketName(), { kind: "service_status" })).status;
  } catch (e) {
    if (e instanceof BarnError && e.code === "E_NO_SERVICE") return null;
    throw e;
  }
}

async function downStatus(ctx: CliContext): Promise<ServiceStatus> {
  return {
    state: "down",
    pid: null,
    uptime_seconds: null,
    version: VERSION,
    home: ctx.home,
    endpoint: endpointOf(ctx.home, await ctx.socketName()),
    started_at: null,
    max_parallel: null,
    jobs: null,
    store: null,
    keeper: { state: "down", pid: null, jobs: 0 },
    watchers: [],
  };
}

async function waitUntil(pred: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let d = 10; Date.now() < deadline; d = Math.min(d * 2, 200)) {
    if (await pred()) return true;
    await new Promise((r) => setTimeout(r, d));
  }
  return await pred();
}

/**
 * Starts `barn service run` detached unless a service answers, and waits until it does; prints
 * nothing (`barn mcp` starts the service this way too, with stdout reserved for its protocol).
 */
export async function ensureService(
  ctx: CliContext,
): Promise<{ status: ServiceStatus; already: boolean }> {
  const paths = ctx.paths;
  const running = await currentStatus(ctx);
  if (running) return { status: running, already: true };
  // A bad config.json is refused here, before anything starts (the service would refuse it too).
  await ctx.config();
  const logStart = fileSize(paths.serviceLog);
  const child = spawnSelfDetached(["service", "run"]);
  let exited = false;
  child.status.then(() => (exited = true));
  let status: ServiceStatus | null = null;
  const up = await waitUntil(
    async () => (status = await currentStatus(ctx)) !== null || exited,
    15_000,
  );
  if (!up || !status) status = await currentStatus(ctx);
  if (!status) {
    // The service says why it would not start in its log: pass that on with its code.
    const since = Math.max(0, fileSize(paths.serviceLog) - logStart);
    const fresh = new TextDecoder().decode(readTail(paths.serviceLog, Infinity, since).bytes);
    // The log renders string properties quoted: "message" ["E_CODE"].
    const why = [
      ...fresh.matchAll(/cannot (?:start|listen): "?(.*?)"?(?: \["?(E_[A-Z_]+)"?\])?$/gm),
    ].pop();
    if (exited && why) {
      throw new BarnError(
        (why[2] ?? "E_NO_SERVICE") as "E_NO_SERVICE",
        `the barn service refused to start: ${why[1]} (see ${paths.serviceLog})`,
      );
    }
    const tail = tailLines(paths.serviceLog, 15, 64 * 1024).join("\n  ");
    throw new BarnError(
      "E_NO_SERVICE",
      `the barn service did not come up${
        exited ? "" : " within 15s"
      }. Last lines of ${paths.serviceLog}:\n  ${tail || "(empty)"}`,
    );
  }
  return { status, already: false };
}

async function start(ctx: CliContext): Promise<number> {
  const { status: s, already } = await ensureService(ctx);
  await ctx.print(
    already
      ? {
        view: "message",
        message: `barn service is already running (pid ${s.pid})`,
        data: { ...s, already_running: true },
      }
      : {
        view: "message",
        message: `barn service started (pid ${s.pid}, ${s.endpoint})`,
        data: { ...s },
      },
  );
  return 0;
}

async function stop(ctx: CliContext, quiet = false): Promise<number> {
  const before = await currentStatus(ctx);
  if (!before) {
    if (!quiet) {
      await ctx.print({
        view: "message",
        message: "barn service is not running",
        data: { state: "down" },
      });
    }
    return 0;
  }
  await requestOnce(ctx.home, await ctx.socketName(), {
    kind: "shutdown",
    kill_jobs: ctx.flag("kill-jobs"),
  });
  const grace = ((await ctx.config()).kill_grace_seconds + 20) * 1000;
  if (!(await waitUntil(async () => (await currentStatus(ctx)) === null, grace))) {
    throw new BarnError(
      "E_BUSY",
      `the barn service (pid ${before.pid}) is still answering after the stop request; see \`barn service logs\``,
    );
  }
  // The socket is closed; wait for the process to release its lock too.
  await waitUntil(() => Promise.resolve(lockFree(ctx)), 10_000);
  if (!quiet) {
    await ctx.print({
      view: "message",
      message: `barn service stopped (was pid ${before.pid})${
        ctx.flag("kill-jobs") ? "; its jobs were canceled" : "; running jobs keep running"
      }`,
      data: { state: "down", was_pid: before.pid },
    });
  }
  return 0;
}

function lockFree(ctx: CliContext): boolean {
  const f = openPrivateFile(ctx.paths.serviceLock, { read: true });
  try {
    const ok = f.tryLockSync(true);
    if (ok) f.unlockSync();
    return ok;
  } finally {
    f.close();
  }
}

async function logs(ctx: CliContext): Promise<number> {
  const nText = ctx.str("tail") ?? ctx.str("lines") ?? "50";
  const n = Number(nText);
  if (!Number.isInteger(n) || n < 0) {
    throw new BarnError("E_USAGE", `--tail must be a whole number (got '${excerpt(nText)}')`);
  }
  const path = ctx.paths.serviceLog;
  const lines = tailLines(path, n, tailWindow(n));
  if (lines.length) await writeOut(Deno.stdout, lines.join("\n") + "\n");
  if (!ctx.flag("follow")) return 0;
  let offset = fileSize(path);
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const size = fileSize(path);
    if (size < offset) offset = 0; // rotated
    if (size > offset) offset = await copyRange(path, offset, size, Deno.stdout);
  }
}

export const service: Command = {
  name: "service",
  summary: "manage the barn service: start, stop, restart, reload, status, logs",
  usage:
    "barn service start|stop [--kill-jobs]|restart|reload|status|logs [-f] [-n N]|run|install [--user] [--dry-run] [--script] [--binary=PATH] [--account=NAME]|uninstall",
  example: "barn service start && barn service status --output=json",
  options: {
    "kill-jobs": { type: "boolean" },
    follow: { type: "boolean", short: "f" },
    lines: { type: "string", short: "n" },
    tail: { type: "string" },
    user: { type: "boolean" },
    "dry-run": { type: "boolean" },
    script: { type: "boolean" },
    binary: { type: "string" },
    account: { type: "string" },
  },
  async run(ctx) {
    const action = ctx.positionals[0] as Action | undefined;
    if (!action || !ACTIONS.includes(action) || ctx.positionals.length > 1) {
      throw new BarnError(
        "E_USAGE",
        action
          ? `unknown service action '${excerpt(ctx.positionals.join(" "))}' (use ${
            ACTIONS.join(", ")
          })`
          : `missing service action: use ${ACTIONS.join(", ")}`,
      );
    }
    if (ctx.offline) {
      throw new BarnError(
        "E_USAGE",
        "`barn service` manages the service itself; --offline does not apply",
      );
    }
    switch (action) {
      case "run": {
        const { runService } = await lazy<typeof import("../../service/service.ts")>(
          import.meta.url,
          "../../service/service.ts",
        );
        return await runService({ home: ctx.paths.home }, new AbortController().signal);
      }
      case "start":
        return await start(ctx);
      case "stop":
        return await stop(ctx);
      case "restart":
        await stop(ctx, true);
        return await start(ctx);
      case "reload": {
        const r = await requestOnce(ctx.home, await ctx.socketName(), { kind: "reload" });
        await ctx.print({
          view: "message",
          message: r.restarted
            ? "config reloaded; the service is restarting for the new socket (jobs keep running)"
            : `config reloaded; changed: ${r.changed.join(", ") || "nothing"}`,
          data: { ...r },
        });
        return 0;
      }
      case "status": {
        const s = await currentStatus(ctx);
        await ctx.print({ view: "service_status", status: s ?? await downStatus(ctx) });
        return s ? 0 : 100;
      }
      case "logs":
        return await logs(ctx);
      case "install":
      case "uninstall": {
        const { serviceInstall } = await lazy<typeof import("../service_install.ts")>(
          import.meta.url,
          "../service_install.ts",
        );
        return await serviceInstall(ctx, action === "uninstall");
      }
    }
  },
};
