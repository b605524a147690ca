/**
 * Path helpers for barn's own paths. node:path costs ~6 ms of start-up on every client call,
 * so the few operations barn needs live here. POSIX semantics; on Windows, `\` also separates
 * and a drive letter or UNC prefix makes a path absolute (untested: no Windows machine).
 */

const WIN = Deno.build.os === "windows";
export const sep = WIN ? "\\" : "/";

function isSep(c: string | undefined): boolean {
  return c === "/" || (WIN && c === "\\");
}

export function isAbsolute(p: string): boolean {
  if (p.startsWith("/")) return true;
  return WIN && (/^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\"));
}

/** Collapses `//`, `.` and `..` segments; keeps a leading root. */
export function normalize(p: string): string {
  if (p === "") return ".";
  const root = WIN ? (/^([A-Za-z]:)?[\\/]/.exec(p)?.[0] ?? "") : p.startsWith("/") ? "/" : "";
  const parts: string[] = [];
  for (const seg of p.slice(root.length).split(WIN ? /[\\/]+/ : /\/+/)) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (parts.length && parts[parts.length - 1] !== "..") parts.pop();
      else if (!root) parts.push("..");
    } else parts.push(seg);
  }
  const body = parts.join(sep);
  return root ? root.replace(/[\\/]$/, sep) + body : body || ".";
}

export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== "").join(sep));
}

/** Like node's resolve: later absolute parts win; relative ones build on the cwd. */
export function resolve(...parts: string[]): string {
  let out = "";
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(out); i--) {
    out = out ? `${parts[i]}${sep}${out}` : parts[i]!;
  }
  if (!isAbsolute(out)) out = `${Deno.cwd()}${sep}${out}`;
  const n = normalize(out);
  return n.length > 1 && isSep(n[n.length - 1]) && !/^[A-Za-z]:[\\/]$/.test(n) ? n.slice(0, -1) : n;
}

export function dirname(p: string): string {
  const n = normalize(p);
  const i = Math.max(n.lastIndexOf("/"), WIN ? n.lastIndexOf("\\") : -1);
  if (i < 0) return ".";
  if (i === 0) return n[0]!;
  return n.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const n = normalize(p);
  const b = n.slice(Math.max(n.lastIndexOf("/"), WIN ? n.lastIndexOf("\\") : -1) + 1);
  return ext && b.endsWith(ext) && b !== ext ? b.slice(0, -ext.length) : b;
}

export function extname(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf(".");
  return i <= 0 ? "" : b.slice(i);
}

/** The path from `from` to `to`, both made absolute first. */
export function relative(from: string, to: string): string {
  const a = resolve(from).split(sep).filter(Boolean);
  const b = resolve(to).split(sep).filter(Boolean);
  let i = 0;
  while (
    i < a.length && i < b.length &&
    (WIN ? a[i]!.toLowerCase() === b[i]!.toLowerCase() : a[i] === b[i])
  ) i++;
  return [...Array(a.length - i).fill(".."), ...b.slice(i)].join(sep);
}

/** True when `path` is `root` or below it (both absolute). */
export function isBelow(root: string, path: string): boolean {
  if (!WIN && isAbsolute(root) && isAbsolute(path)) {
    const r = normalize(root);
    const p = normalize(path);
    return p === r || p.startsWith(r === "/" ? "/" : r + "/");
  }
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The local path of a file: URL (`/C:/x` becomes `C:\x` on Windows). */
export function fromFileUrl(url: URL): string {
  const p = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:\//.test(p) ? p.slice(1).replaceAll("/", "\\") : p;
}
