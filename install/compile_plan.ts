/** What `deno task compile` runs (pure): targets, the two binaries, output names, and flags from each one's permission set. */

import { V8_FLAGS } from "../src/platform/self.ts";
import { bundleDir } from "./bundle_plan.ts";

export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

export type Target = typeof TARGETS[number];

/**
 * The two artifacts: barn (the host binary: service, CLI, supervisor) and barn-fleet (the
 * controller). Each has its own entry point and its own permission set in deno.json, so the
 * host binary can never run ssh, and the controller can run nothing else (docs/security.md).
 */
export const BINARIES = {
  barn: { main: "src/main.ts", set: "barn", v8Flags: true },
  "barn-fleet": { main: "src/fleet_main.ts", set: "barn-fleet", v8Flags: false },
} as const;

export type Binary = keyof typeof BINARIES;

export interface PermissionSet {
  read?: string[] | boolean;
  write?: string[] | boolean;
  net?: string[] | boolean;
  run?: string[] | boolean;
  env?: string[] | boolean;
  sys?: string[] | boolean;
  ffi?: string[] | boolean;
}

/** The sandbox root on Windows: the system temp dir, the same for the service and its clients. */
export const WINDOWS_ROOT = "C:\\Windows\\Temp\\barn";

export function outputName(t: Target, binary: Binary = "barn"): string {
  return `dist/${binary}-${t}${t.includes("windows") ? ".exe" : ""}`;
}

/**
 * `--allow-*` flags from deno.json's permission set. A compiled binary starts itself by its
 * name, `barn`, never through the dev-only `.deno/bin/deno`; on Windows the root moves.
 */
export function permissionFlags(set: PermissionSet, target: Target): string[] {
  const win = target.includes("windows");
  const flags: string[] = [];
  for (const kind of ["read", "write", "net", "run", "env", "sys", "ffi"] as const) {
    let v = set[kind];
    if (v === undefined || v === false) continue;
    if (v === true) {
      flags.push(`--allow-${kind}`);
      continue;
    }
    // "./…" entries are dev-only paths beside deno.json (.deno/bin/deno, the src tree that
    // lazy imports read); a binary runs itself by name and embeds its modules.
    v = v.filter((x) => !x.startsWith("./"));
    if (win) {
      // /tmp/barn and /tmp/barn-fleet move below the system temp dir.
      v = v.map((x) => x.replace(/^\/tmp\/barn(?=$|-)/, WINDOWS_ROOT));
      if (kind === "run" && v.some((x) => x === "kill" || x === "ps")) {
        v = v.flatMap((x) => (x === "kill" || x === "ps" ? [] : [x])).concat([
          "taskkill",
          "tasklist",
        ]);
      }
      if (kind === "env") v = [...v, "SystemRoot"];
    }
    // Deno 2.9.6's --allow-sys flag knows no "umask" descriptor (a permission set in deno.json
    // does): a binary whose set lists it gets sys unscoped, or it could not set its umask.
    if (kind === "sys" && v.includes("umask")) {
      flags.push("--allow-sys");
      continue;
    }
    if (v.length) flags.push(`--allow-${kind}=${[...new Set(v)].join(",")}`);
  }
  return flags;
}

/** `deno compile`'s arguments for one binary: its bundle (install/bundle.ts, built first) as the entry. */
export function compileArgs(set: PermissionSet, target: Target, binary: Binary = "barn"): string[] {
  const b = BINARIES[binary];
  const dir = bundleDir(binary);
  return [
    "compile",
    "--no-check",
    "--target",
    target,
    "--output",
    outputName(target, binary),
    ...permissionFlags(set, target),
    ...(b.v8Flags ? [`--v8-flags=${V8_FLAGS}`] : []),
    // The bundle's chunks load by computed URLs (src/lazy.ts), out of the static graph: embed them all.
    "--include",
    dir,
    `${dir}/main.js`,
  ];
}

/** deno compile's failure to download denort, said plainly. */
export function denortHint(stderr: string, target: Target): string | null {
  if (!/denort|download|dl\.deno\.land|error sending request|dns error|connect/i.test(stderr)) {
    return null;
  }
  return `deno compile could not fetch the denort runtime for ${target}: its download host is not reachable ` +
    `from here. On a machine that can reach it, download denort-${target}.zip for this Deno version, unzip it, ` +
    "and run: DENORT_BIN=/path/to/denort deno task compile";
}

/**
 * src/version.ts, or its transpiled version.js, with the version and the commit stamped in (the
 * source itself keeps "dev").
 */
export function stampVersion(source: string, version: string, commit: string): string {
  return source
    .replace(/\bconst VERSION = ".*";/, `const VERSION = "${version}";`)
    .replace(/\bconst BUILD_COMMIT = ".*";/, `const BUILD_COMMIT = "${commit}";`);
}
