/** Reading without a service: the store's own handlers over barn.db opened read-only, for the commands that only look. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";
import type { Config } from "../config/config.ts";
import type { Backend } from "../client/backend.ts";
import { HomePaths, prepareHome } from "../platform/home_layout.ts";
import type { Request } from "../protocol/messages.ts";
import { Changes } from "../service/changes.ts";
import type { HandlerContext, JobControl } from "../service/context.ts";
import { inProcessBackend } from "../service/in_process.ts";
import { Store } from "../store/store.ts";

/** The one-line note a command prints on stderr when it answers from the stored state. */
export const STORED_STATE_NOTE = "barn: service not running; stored state";

/** What reading may ask: everything else changes state and needs the service (or --offline). */
function readOnly(req: Request): boolean {
  switch (req.kind) {
    case "status":
    case "describe":
    case "wait":
      return true;
    case "logs":
      return !req.follow;
    default:
      return false;
  }
}

function needsService(req: Request): BarnError {
  return new BarnError(
    "E_NO_SERVICE",
    `barn service is not running, and '${req.kind}' needs it: start it with ` +
      "`barn service start` or use --offline",
  );
}

const NO_CONTROL: JobControl = {
  dispatch() {},
  stopRunning: () => Promise.reject(new BarnError("E_NO_SERVICE", "no service to stop jobs")),
};

/**
 * The stored state of `home` as a read-only Backend. barn.db is never created or migrated:
 * without one, there are no jobs to show.
 */
export function openStoredState(home: string, config: () => Config): Backend {
  const plain = new HomePaths(home);
  try {
    Deno.lstatSync(plain.db);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return emptyState();
  }
  // The home's checks (ours, private, no links) before a byte of its DB is trusted.
  const paths = prepareHome(home);
  const store = Store.openReadOnly(paths, config().busy_timeout_seconds * 1000);
  if (store === null) return emptyState(); // gone since the look above
  const ctx: HandlerContext = {
    store,
    paths,
    config,
    jobs: NO_CONTROL,
    service: null,
    changes: new Changes(),
  };
  const inner = inProcessBackend(ctx, () => store.close());
  return {
    request: (req) => readOnly(req) ? inner.request(req) : Promise.reject(needsService(req)),
    stream: (req, onFrame) =>
      readOnly(req) ? inner.stream(req, onFrame) : Promise.reject(needsService(req)),
    close: inner.close,
  };
}

/** A home with no barn.db: no jobs, and no file made to say so. */
function emptyState(): Backend {
  const answer = (req: Request) => {
    if (req.kind === "status") return Promise.resolve({ jobs: [], total: 0 });
    if (!readOnly(req)) return Promise.reject(needsService(req));
    const id = "id" in req ? req.id : "ids" in req ? req.ids?.[0] : undefined;
    return Promise.reject(
      new BarnError(
        "E_NOT_FOUND",
        `no job ${id === undefined ? "matches" : excerpt(id)}: nothing is stored in this ` +
          "BARN_HOME yet (and the service is not running)",
      ),
    );
  };
  return {
    // deno-lint-ignore no-explicit-any
    request: (req) => answer(req) as any,
    stream: async (req, onFrame) => {
      const r: Request = req;
      // A listing asked for as text is the empty array's, as the service would print it.
      if (r.kind === "status" && r.text === "json") {
        await onFrame({ ok: true, stream: "text", text: new TextEncoder().encode("[]\n") });
      }
      // deno-lint-ignore no-explicit-any
      return await answer(req) as any;
    },
    close() {},
  };
}
