/**
 * What the bundle step does to barn's modules (pure): the rewrites that let a bundler see
 * `lazy()`'s loads, and the one chunk that holds a binary's start-up graph. install/bundle.ts
 * does the I/O; the compile task and the bench's stand-in both run its output.
 */

/** Where a binary's bundle goes, relative to the checkout; `main.js` in it is the entry point. */
export function bundleDir(binary: string): string {
  return `dist/js/${binary}`;
}

/** The chunk that holds every module the entry point imports statically. */
export const CLIENT_CHUNK = "client";

const LAZY = /\blazy\(import\.meta\.url, ("\.{1,2}\/[^"\n]+")\)/g;
const LAZY_EXPORT = /\blazyExport\(import\.meta\.url, ("\.{1,2}\/[^"\n]+"), ("[^"\n]+")\)/g;
const ANY_LAZY = /\blazy(?:Export)?\(/g;
const WORKER = /\bnew Worker\(new URL\(("\.{1,2}\/[^"\n]+"), import\.meta\.url\)\.href/g;

/**
 * One transpiled module with its `lazy()` loads spelled as literal `import()`s, which a bundler
 * follows and turns into chunks of their own, and each Worker's module handed to `worker` (which
 * returns the expression of its bundled URL). A `lazy()` call in any other shape is refused: left
 * computed, it would resolve against its chunk's URL instead of its module's and fail at run time.
 */
export function literalLoads(
  code: string,
  file: string,
  worker: (specifier: string) => string = () => {
    throw new Error(`${file}: starts a Worker, and no one bundles it`);
  },
): string {
  if (/(^|\/)lazy\.js$/.test(file)) return code; // defines them
  const calls = lazyCalls(code);
  let seen = 0;
  const out = code
    .replace(LAZY, (_, spec: string) => {
      seen++;
      return `import(${spec})`;
    })
    .replace(LAZY_EXPORT, (_, spec: string, name: string) => {
      seen++;
      return `lazyExport(import.meta.url, ${spec}, ${name}, () => import(${spec}))`;
    })
    .replace(WORKER, (_, spec: string) => `new Worker(${worker(JSON.parse(spec))}`);
  if (seen !== calls) {
    throw new Error(
      `${file}: ${calls - seen} lazy() load(s) not in the form lazy(import.meta.url, "./x.ts") ` +
        'or lazyExport(import.meta.url, "./x.ts", "name"); a bundle could not follow them',
    );
  }
  return out;
}

/** How many `lazy(`/`lazyExport(` calls a module's code spells (each one literalLoads rewrites). */
export function lazyCalls(code: string): number {
  return code.match(ANY_LAZY)?.length ?? 0;
}

/** An ESTree node, as much of one as unfollowedLoads reads. */
export interface EsNode {
  type: string;
  [key: string]: unknown;
}

/**
 * What a module's code, as literalLoads left it (`ast`), still loads in a shape a bundle can't
 * follow: a computed `import()`, a Worker not spelled `new Worker(new URL("./x.ts",
 * import.meta.url).href`, `lazy`/`lazyExport` used other than by being called (renamed on
 * import, passed on as a value), or a lazy() spelled inside a string or template, which the rewrite
 * changed as text (`rewritten` loads, each of which must now be a relative `import()`). src/lazy.ts
 * itself is left out. Such a load would resolve against its chunk's URL at run time, in the binary only.
 */
export function unfollowedLoads(ast: EsNode, file: string, rewritten: number): string[] {
  if (/(^|\/)lazy\.js$/.test(file)) return [];
  const problems: string[] = [];
  let relative = 0;
  const visit = (node: EsNode, parent: EsNode | null, key: string) => {
    if (node.type === "ImportExpression") {
      const source = node.source as EsNode;
      if (source.type !== "Literal" || typeof source.value !== "string") {
        problems.push(`${file}: an import() of a computed specifier`);
      } else if (/^\.{1,2}\//.test(source.value)) relative++;
    } else if (node.type === "ImportSpecifier") {
      const [imported, local] = [node.imported as EsNode, node.local as EsNode];
      if (/^lazy(Export)?$/.test(String(imported.name)) && imported.name !== local.name) {
        problems.push(`${file}: ${imported.name} imported as ${local.name}`);
      }
      return;
    } else if (node.type === "NewExpression" && (node.callee as EsNode).name === "Worker") {
      const url = (node.arguments as EsNode[])[0];
      const prop = url?.property as EsNode | undefined;
      if (
        url?.type !== "MemberExpression" || (url.object as EsNode).type !== "MetaProperty" ||
        !String(prop?.name).startsWith("ROLLUP_FILE_URL_")
      ) problems.push(`${file}: a Worker whose module the bundle does not know`);
    } else if (node.type === "Identifier" && /^lazy(Export)?$/.test(String(node.name))) {
      if (!(parent?.type === "CallExpression" && key === "callee")) {
        problems.push(`${file}: ${node.name} used other than called`);
      }
    }
    for (const [k, v] of Object.entries(node)) {
      for (const child of Array.isArray(v) ? v : [v]) {
        if (child && typeof child === "object" && typeof (child as EsNode).type === "string") {
          visit(child as EsNode, node, k);
        }
      }
    }
  };
  visit(ast, null, "");
  if (relative !== rewritten) {
    problems.push(
      `${file}: ${rewritten} lazy() load(s) rewritten, ${relative} relative import() in the code: ` +
        "a lazy() spelled inside a string, a template or a comment",
    );
  }
  return problems;
}

/** Every module `entry` reaches through static imports (`imports` gives one module's). */
export function staticGraph(
  entry: string,
  imports: (id: string) => readonly string[],
): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...imports(id));
  }
  return seen;
}

/** A text module (`import x from "…" with { type: "text" }`) as JavaScript. */
export function textModule(text: string): string {
  return `export default ${JSON.stringify(text)};\n`;
}

/**
 * A module that is not one of src/'s transpiled files, as JavaScript: a text import inlined, any
 * other kind refused (a JSON import made text would be a string in the bundle, an object from source).
 */
export function assetModule(id: string, type: string | undefined, text: string): string {
  if (type === "text") return textModule(text);
  throw new Error(
    `${id}: imported ${type ? `with type "${type}"` : "with no type"}; the bundle inlines ` +
      'only text imports (with { type: "text" })',
  );
}

/** Where a top-level function declaration sits in a chunk's code. */
export interface FunctionRange {
  name: string;
  start: number;
  end: number;
}

/**
 * The start-up chunk with its top-level function declarations turned into parenthesized function
 * expressions (`var f = (function f() {…});`), moved up to just after its imports (`at`), which
 * keeps a declaration's hoisting: every one has its value before any top-level code runs. V8
 * compiles a parenthesized function at once, so the code cache, written after the compile, holds
 * them, and a start compiles none of them again.
 */
export function eagerFunctions(
  code: string,
  functions: readonly FunctionRange[],
  at: number,
): string {
  if (functions.length === 0) return code;
  const sorted = [...functions].sort((a, b) => a.start - b.start);
  if (sorted[0]!.start < at) throw new Error("a top-level function before the chunk's imports end");
  const hoisted = sorted.map((f) => `var ${f.name} = (${code.slice(f.start, f.end)});`);
  let rest = "";
  let from = at;
  for (const f of sorted) {
    // An empty statement where the declaration was: the code around it stays two statements.
    rest += code.slice(from, f.start) + ";";
    from = f.end;
  }
  rest += code.slice(from);
  return `${code.slice(0, at)}\n${hoisted.join("\n")}\n${rest}`;
}
