/** Where the bench finds barn: this checkout's root, its deno binary and barn's entry point. */

export const ROOT = new URL("../../", import.meta.url).pathname;
export const DENO = `${ROOT}.deno/bin/deno`;
export const MAIN = `${ROOT}src/main.ts`;
