/**
 * The layout rules of docs/architecture.md, checked: the import graph of src/ has no cycles
 * (type imports, `typeof import()` and lazy() loads included), and tests/unit/ mirrors src/
 * file for file.
 */

import { assertEquals } from "./helpers/assert.ts";

const ROOT = new URL("../", import.meta.url);
const SRC = new URL("src/", ROOT);

function walk(dir: URL, out: string[] = [], rel = ""): string[] {
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) walk(new URL(`${e.name}/`, dir), out, `${rel}${e.name}/`);
    else if (e.name.endsWith(".ts")) out.push(`${rel}${e.name}`);
  }
  return out.sort();
}

/** Every relative module a file depends on: static imports, re-exports, type imports, lazy loads. */
export function dependencies(file: string, text: string): string[] {
  const specs = new Set<string>();
  const patterns = [
    /\b(?:import|export)\s[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)"/g,
    /\bimport\s+"(\.{1,2}\/[^"]+)"/g,
    /\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g,
    /\blazy(?:<[^>]*>)?\(\s*import\.meta\.url,\s*"(\.{1,2}\/[^"]+)"/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) specs.add(m[1]!);
  const base = new URL(file, SRC);
  return [...specs].filter((s) => s.endsWith(".ts")).map((s) =>
    new URL(s, base).href.slice(SRC.href.length)
  );
}

/** The cycles of a graph, each as a path that starts and ends on the same node. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, "open");
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === "open") cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return cycles;
}

Deno.test("the cycle finder finds a cycle through type imports and lazy loads", () => {
  const a = dependencies("x/a.ts", 'import type { B } from "./b.ts";\nexport * from "../c.ts";');
  const b = dependencies(
    "x/b.ts",
    'const m = lazy<typeof import("./a.ts")>(import.meta.url, "./a.ts");',
  );
  assertEquals(a, ["x/b.ts", "c.ts"]);
  assertEquals(b, ["x/a.ts"]);
  const cycles = findCycles(new Map([["x/a.ts", a], ["x/b.ts", b], ["c.ts", []]]));
  assertEquals(cycles, [["x/a.ts", "x/b.ts", "x/a.ts"]]);
});

Deno.test("src/ has no import cycles, type imports and lazy loads included", () => {
  const graph = new Map<string, string[]>();
  for (const f of walk(SRC)) {
    graph.set(f, dependencies(f, Deno.readTextFileSync(new URL(f, SRC))));
  }
  const cycles = findCycles(graph).map((c) => c.join(" -> "));
  assertEquals(cycles, [], `import cycles in src/:\n${cycles.join("\n")}`);
});

Deno.test("tests/unit/ mirrors src/: each X_test.ts tests src/X.ts", () => {
  const src = new Set(walk(SRC));
  const strays = walk(new URL("tests/unit/", ROOT)).filter((t) =>
    !t.endsWith("_test.ts") || !src.has(t.replace(/_test\.ts$/, ".ts"))
  );
  assertEquals(strays, [], "unit tests without a src/ module of the same path");
});
