/**
 * Where a path inside the sandbox really leads. Deno checks the path it is given, not where its
 * links lead, so every path barn opens on a user's behalf is resolved here (the one place that
 * calls realPath) and must stay below the sandbox root, else E_SANDBOX.
 */

import { BarnError } from "../errors.ts";
import { CREDENTIALS_FILE, insideSandbox, SANDBOX_ROOT, SECRETS_DIR } from "./home_layout.ts";
import { makeDir } from "./make_dir.ts";
import { basename, dirname, isBelow, join, relative, resolve, sep } from "./path.ts";

/**
 * A real path as the sandbox root's own name spells it (on macOS /tmp is /private/tmp), which is
 * the name Deno's permissions know; null when it lies outside the root (pure).
 */
export function underRoot(real: string, realRoot: string): string | null {
  if (!isBelow(realRoot, real)) return null;
  const rel = relative(realRoot, real);
  return rel === "" ? SANDBOX_ROOT : join(SANDBOX_ROOT, rel);
}

// Case-insensitive file systems (macOS, Windows) must not let `Credentials.JSON` through.
const fold = Deno.build.os === "linux" ? (s: string) => s : (s: string) => s.toLowerCase();

/** Whether `path` (absolute) is a secrets dir or file of any barn home, or a credentials.json (pure). */
export function isSecretPath(path: string): boolean {
  if (!insideSandbox(path)) return false;
  const parts = relative(SANDBOX_ROOT, path).split(sep).map(fold);
  if (parts[parts.length - 1] === fold(CREDENTIALS_FILE)) return true;
  for (let i = 0; i + 2 < parts.length; i++) {
    if (parts[i] === "jobs" && parts[i + 2] === fold(SECRETS_DIR)) return true;
  }
  return false;
}

function realPathOrNull(path: string): string | null {
  try {
    return Deno.realPathSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    if (e instanceof Deno.errors.FilesystemLoop) {
      throw new BarnError("E_SANDBOX", `${path} is a loop of links; remove them`);
    }
    throw e;
  }
}

function lstatOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch {
    return null;
  }
}

let cachedRoot: string | null = null;
function realRoot(): string {
  return cachedRoot ??= realPathOrNull(SANDBOX_ROOT) ?? SANDBOX_ROOT;
}

function outside(what: string, given: string, leadsTo: string | null): BarnError {
  return new BarnError(
    "E_SANDBOX",
    leadsTo === null
      ? `${what} ${given} is outside barn's sandbox ${SANDBOX_ROOT}: use a path below it ` +
        "(see docs/security.md)"
      : `${what} ${given} leads through a link to ${leadsTo}, outside barn's sandbox ` +
        `${SANDBOX_ROOT}: barn follows no link out of it (see docs/security.md)`,
  );
}

/** The deepest existing ancestor's place inside the sandbox, and the names below it not there yet. */
function locate(abs: string, what: string, given: string): { base: string; missing: string[] } {
  if (!insideSandbox(abs)) throw outside(what, given, null);
  const missing: string[] = [];
  for (let p = abs;; p = dirname(p)) {
    const real = realPathOrNull(p);
    if (real !== null) {
      const base = underRoot(real, realRoot());
      if (base === null) throw outside(what, given, join(real, ...missing));
      return { base, missing };
    }
    if (lstatOrNull(p)?.isSymlink) {
      // A dangling link: whatever barn created there would land where the link points.
      throw new BarnError(
        "E_SANDBOX",
        `${what} ${given} goes through ${p}, a link to something that does not exist: ` +
          "barn follows no link it cannot check (see docs/security.md)",
      );
    }
    if (dirname(p) === p) throw outside(what, given, null);
    missing.unshift(basename(p));
  }
}

/**
 * Where `path` (absolute, or relative to `cwd`) leads, spelled below the sandbox root. A path not
 * there yet resolves its deepest existing ancestor; E_SANDBOX when any of it leads outside.
 */
export function sandboxPath(path: string, what: string, cwd?: string): string {
  const abs = cwd === undefined ? resolve(path) : resolve(cwd, path);
  const { base, missing } = locate(abs, what, path);
  return join(base, ...missing);
}

/** Where an existing `path` leads inside the sandbox, or null (missing, or leading outside). */
export function existingInside(abs: string): string | null {
  if (!insideSandbox(abs) || lstatOrNull(abs) === null) return null;
  const real = realPathOrNull(abs);
  return real === null ? null : underRoot(real, realRoot());
}

/**
 * Creates the directory `path` and what is missing above it (mode 0700), never through a link:
 * each new component is made with mkdir and checked with lstat. Returns where it is.
 */
export function makeDirsInside(path: string, what: string): string {
  const { base, missing } = locate(resolve(path), what, path);
  let dir = base;
  for (const name of missing) {
    dir = join(dir, name);
    const st = makeDir(dir, 0o700);
    if (st.isSymlink || !st.isDirectory) {
      throw new BarnError(
        "E_SANDBOX",
        `${what}: ${dir} turned out to be ${
          st.isSymlink ? "a link" : "no directory"
        } while barn created it; remove it (see docs/security.md)`,
      );
    }
  }
  return dir;
}

/**
 * Checks a file barn has just opened at `path`, before a byte is read or written: it must be the
 * file the path leads to now, inside the sandbox, and with `exact`, reached through no link at all.
 * Paths outside the sandbox are left to Deno's own permissions.
 */
export function checkOpened(file: Deno.FsFile, path: string, what: string, exact: boolean): void {
  const abs = resolve(path);
  if (!insideSandbox(abs)) return;
  const real = realPathOrNull(abs);
  const at = real === null ? null : underRoot(real, realRoot());
  if (real === null) throw new Deno.errors.NotFound(`${path} vanished while barn opened it`);
  if (at === null) throw outside(what, path, real);
  // A link (a log, a config.json) that leads to a secret would show it: barn reads its secrets
  // only by their own names.
  if (at !== abs && isSecretPath(at) && !isSecretPath(abs)) {
    throw new BarnError(
      "E_SANDBOX",
      `${what} ${path} leads through a link to one of barn's secrets (jobs/<id>/secrets/, ` +
        "credentials.json), which barn never shows; remove the link (see docs/security.md)",
    );
  }
  if (exact && at !== abs) {
    throw new BarnError(
      "E_SANDBOX",
      `${what} ${path} is reached through a link; barn writes its own files through none ` +
        "(see docs/security.md)",
    );
  }
  const opened = file.statSync();
  const there = Deno.statSync(at);
  if (opened.ino !== null && (opened.ino !== there.ino || opened.dev !== there.dev)) {
    throw new BarnError(
      "E_SANDBOX",
      `${what} ${path} was swapped while barn opened it; nothing was read or written ` +
        "(see docs/security.md)",
    );
  }
}
