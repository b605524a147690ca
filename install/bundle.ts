/**
 * `deno task bundle [barn|barn-fleet …]`, and buildBundle() for the compile task and the bench: a
 * binary's JavaScript as the compiled binary embeds it. The entry point's whole static graph is
 * one chunk (one file to load at start instead of ~30), each `lazy()` target a chunk loaded on
 * first use, and every module in exactly one chunk. src/ is transpiled file by file (`deno
 * bundle --inline-imports=false`: esbuild, whose binary comes from the npm registry on first use),
 * then bundled by rollup (pinned in deno.json) with the rewrites of install/bundle_plan.ts.
 */

import { type Plugin, rollup, type RollupLog } from "rollup";
import { BINARIES, type Binary, stampVersion } from "./compile_plan.ts";
import {
  assetModule,
  bundleDir,
  CLIENT_CHUNK,
  eagerFunctions,
  type EsNode,
  type FunctionRange,
  lazyCalls,
  literalLoads,
  staticGraph,
  unfollowedLoads,
} from "./bundle_plan.ts";
import { dirname, fromFileUrl, join } from "../src/platform/path.ts";

// fromFileUrl: a checkout's path may hold characters a URL escapes (a space is %20 in `pathname`).
const ROOT = fromFileUrl(new URL("../", import.meta.url));

/** The files src/ imports as text: copied beside the transpiled tree, inlined by the bundle. */
const ASSET_DIRS = ["systemd", "launchd", "windows"];

export interface BundleOptions {
  binary: Binary;
  /** Where the bundle goes (absolute); its `main.js` is the entry. Default: bundleDir(binary). */
  out?: string;
  /** The version and build commit that `barn --version` prints (the source keeps "dev"). */
  stamp?: { version: string; commit: string };
}

/** Builds one binary's bundle; returns its entry point. Throws on any build error or warning. */
export async function buildBundle(o: BundleOptions): Promise<string> {
  const out = o.out ?? `${ROOT}${bundleDir(o.binary)}`;
  const emit = `${out}.emit`;
  for (const d of [out, emit]) removeTree(d);
  try {
    await transpile(emit);
    if (o.stamp) {
      const v = `${emit}/src/version.js`;
      Deno.writeTextFileSync(
        v,
        stampVersion(Deno.readTextFileSync(v), o.stamp.version, o.stamp.commit),
      );
    }
    const entry = `${emit}/${BINARIES[o.binary].main.replace(/\.ts$/, ".js")}`;
    const problems: string[] = [];
    const bundle = await rollup({
      input: { main: entry },
      // npm packages and node: builtins stay imports: deno compile resolves them through deno.json.
      external: (id) => !id.startsWith(".") && !id.startsWith("/"),
      plugins: [barnPlugin()],
      onLog: (level: string, log: RollupLog) => {
        if (level === "warn") problems.push(`${log.code}: ${log.message}`);
      },
    });
    let client: Set<string> | null = null;
    await bundle.write({
      dir: out,
      format: "es",
      entryFileNames: "[name].js",
      chunkFileNames: "chunks/[name]-[hash].js",
      manualChunks(id, { getModuleInfo }) {
        client ??= staticGraph(entry, (m) => getModuleInfo(m)?.importedIds ?? []);
        // The entry stays a file of its own: a chunk loaded later that imported the entry's
        // chunk would wait on the entry's top-level await, which waits on that load.
        return id !== entry && client.has(id) ? CLIENT_CHUNK : null;
      },
    });
    await bundle.close();
    if (problems.length) throw new Error(`the bundle of ${o.binary}:\n${problems.join("\n")}`);
    return `${out}/main.js`;
  } finally {
    removeTree(emit);
  }
}

function removeTree(dir: string): void {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** src/ as JavaScript, file by file, with every relative `.ts` specifier spelled `.js`. */
async function transpile(dir: string): Promise<void> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(`${ROOT}${d}`)) {
      if (e.isDirectory) walk(`${d}/${e.name}`);
      else if (e.name.endsWith(".ts")) files.push(`${d}/${e.name}`);
    }
  };
  walk("src");
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "-q",
      "--platform=deno",
      "--inline-imports=false",
      `--outdir=${dir}/src`,
      ...files.sort().map((f) => `${ROOT}${f}`),
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!r.success) {
    throw new Error(`deno bundle could not transpile src/: ${new TextDecoder().decode(r.stderr)}`);
  }
  const specifier = /(["'])(\.{1,2}\/[^"'\n]*)\.ts\1/g;
  for (const f of files) {
    const js = `${dir}/${f.replace(/\.ts$/, ".js")}`;
    Deno.writeTextFileSync(js, Deno.readTextFileSync(js).replace(specifier, "$1$2.js$1"));
  }
  for (const asset of ASSET_DIRS) copyTree(`${ROOT}${asset}`, `${dir}/${asset}`);
}

function copyTree(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const e of Deno.readDirSync(from)) {
    if (e.isDirectory) copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else Deno.copyFileSync(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

/** lazy() loads as literal imports, Workers as chunks, text imports inlined; chunks loaded by computed URLs. */
function barnPlugin(): Plugin {
  return {
    name: "barn",
    load(id, options) {
      const type = options?.attributes?.type;
      if (type === undefined && id.endsWith(".js")) return null;
      return assetModule(id, type, Deno.readTextFileSync(id));
    },
    transform(code, id) {
      const out = literalLoads(code, id, (specifier) => {
        const ref = this.emitFile({
          type: "chunk",
          id: join(dirname(id), specifier),
        });
        return `import.meta.ROLLUP_FILE_URL_${ref}`;
      });
      const problems = unfollowedLoads(this.parse(out) as unknown as EsNode, id, lazyCalls(code));
      if (problems.length) throw new Error(problems.join("\n"));
      return out;
    },
    renderChunk(code, chunk) {
      if (chunk.name !== CLIENT_CHUNK) return null;
      const ast = this.parse(code) as unknown as {
        body: { type: string; start: number; end: number; id?: { name: string } }[];
      };
      let at = 0;
      const functions: FunctionRange[] = [];
      for (const node of ast.body) {
        if (node.type === "ImportDeclaration") at = node.end;
        else if (node.type === "FunctionDeclaration" && node.id) {
          functions.push({ name: node.id.name, start: node.start, end: node.end });
        }
      }
      return eagerFunctions(code, functions, at);
    },
    // A literal import() would put every chunk into Deno's start-up module graph (see src/lazy.ts).
    renderDynamicImport({ targetChunk }) {
      return targetChunk ? { left: "import(new URL(", right: ", import.meta.url).href)" } : null;
    },
  };
}

if (import.meta.main) {
  const wanted = (Deno.args.length ? Deno.args : Object.keys(BINARIES)) as Binary[];
  for (const b of wanted) {
    if (!(b in BINARIES)) {
      console.error(`unknown binary ${b}; known: ${Object.keys(BINARIES).join(", ")}`);
      Deno.exit(2);
    }
    console.error(`bundled ${b}: ${await buildBundle({ binary: b })}`);
  }
}
