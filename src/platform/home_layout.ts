/** Where barn keeps things: the sandbox root, BARN_HOME and every file inside it. */

import { excerpt } from "../escape.ts";
import { isAbsolute, isBelow, join, normalize, relative, sep } from "./path.ts";
import { BarnError } from "../errors.ts";
import { makeDir } from "./make_dir.ts";
import * as posix from "./home_posix.ts";
import * as windows from "./home_windows.ts";

const platform = Deno.build.os === "windows" ? windows : posix;
export const SANDBOX_ROOT = platform.sandboxRoot();

/** True when `path` is the sandbox root or below it. */
export function insideSandbox(path: string): boolean {
  return isBelow(SANDBOX_ROOT, normalize(path));
}

/** The WebDAV credentials file's name in a BARN_HOME. */
export const CREDENTIALS_FILE = "credentials.json";

/** The 0700 dir in each job dir that holds the job's secret files (jobs/<id>/secrets/). */
export const SECRETS_DIR = "secrets";

/** The files of one BARN_HOME. */
export class HomePaths {
  constructor(readonly home: string) {}
  get db(): string {
    return join(this.home, "barn.db");
  }
  get config(): string {
    return join(this.home, "config.json");
  }
  get credentials(): string {
    return join(this.home, CREDENTIALS_FILE);
  }
  get jobs(): string {
    return join(this.home, "jobs");
  }
  get input(): string {
    return join(this.home, "input");
  }
  get output(): string {
    return join(this.home, "output");
  }
  get keeperSocket(): string {
    return join(this.home, "keeper.sock");
  }
  get serviceLock(): string {
    return join(this.home, "service.lock");
  }
  get keeperLock(): string {
    return join(this.home, "keeper.lock");
  }
  get serviceInfo(): string {
    return join(this.home, "service.json");
  }
  get logDir(): string {
    return join(this.home, "logs");
  }
  get serviceLog(): string {
    return join(this.home, "logs", "service.log");
  }
  jobDir(id: string): string {
    return join(this.home, "jobs", id);
  }
}

/** Resolves BARN_HOME (default: the sandbox root), refusing anything outside the root. */
export function resolveHome(env: string | undefined = Deno.env.get("BARN_HOME")): string {
  const home = normalize(env && env.length > 0 ? env : SANDBOX_ROOT).replace(/[\\/]+$/, "") ||
    SANDBOX_ROOT;
  if (!isAbsolute(home) || !insideSandbox(home)) {
    throw new BarnError(
      "E_SANDBOX",
      `BARN_HOME=${excerpt(env)} is outside barn's sandbox root ${SANDBOX_ROOT}: ` +
        `unset it or point it below ${SANDBOX_ROOT}, e.g. ${join(SANDBOX_ROOT, "mine")} ` +
        "(see docs/security.md)",
    );
  }
  return home;
}

/** Creates the root and every directory down to BARN_HOME, checking each one, then the home's own dirs. */
export function prepareHome(home: string): HomePaths {
  let dir = SANDBOX_ROOT;
  platform.ensurePrivateDir(dir);
  const rel = relative(SANDBOX_ROOT, home);
  for (const part of rel === "" ? [] : rel.split(sep)) {
    dir = join(dir, part);
    platform.ensurePrivateDir(dir);
  }
  const paths = new HomePaths(home);
  for (const d of [paths.jobs, paths.input, paths.output, paths.logDir]) {
    platform.ensurePrivateDir(d);
  }
  return paths;
}

export const ensurePrivateDir = platform.ensurePrivateDir;

/**
 * A working folder inside the (already checked, private) sandbox, e.g. a watch folder:
 * created 0700 if missing; a symlink or a non-directory is refused. Its own mode may be
 * looser, since the sandbox root above it is 0700.
 */
export function ensureWorkDir(path: string): void {
  const st = makeDir(path, 0o700);
  if (st.isSymlink || !st.isDirectory) {
    throw new BarnError(
      "E_UNSAFE_HOME",
      `refusing to use ${path}: it is ${
        st.isSymlink ? "a symlink" : "not a directory"
      } (see docs/security.md)`,
    );
  }
}
