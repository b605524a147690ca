/** Where the bench finds barn: this checkout's root, its deno binary and barn's entry point. */

import { fromFileUrl } from "../../src/platform/path.ts";

// fromFileUrl, not `pathname`: a checkout's path may hold characters a URL escapes (a space is %20).
export const ROOT = fromFileUrl(new URL("../../", import.meta.url));
export const DENO = `${ROOT}.deno/bin/deno`;
export const MAIN = `${ROOT}src/main.ts`;
