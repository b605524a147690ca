/**
 * The bundle the compiled binaries embed (install/bundle.ts): the entry point's static graph in one
 * chunk, each lazy() target in a chunk loaded by a computed URL, every module once; and the bundle
 * runs: commands, lazy loads, npm packages, the hashing Worker, the stamped version, the service and
 * the keeper, WebDAV transfers, the MCP server.
 */

import { assert, assertEquals, assertMatch, assertThrows } from "./helpers/assert.ts";
import {
  barn,
  cleanupHome,
  DENO,
  ROOT,
  sineJob,
  startService,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";
import { startDav } from "./helpers/dav.ts";
import { keeperFiles } from "../src/supervisor/keeper_protocol.ts";
import { buildBundle } from "../install/bundle.ts";
import {
  assetModule,
  eagerFunctions,
  type EsNode,
  lazyCalls,
  literalLoads,
  staticGraph,
  unfollowedLoads,
} from "../install/bundle_plan.ts";
import { parseAst } from "rollup/parseAst";
import { compileArgs, permissionFlags } from "../install/compile_plan.ts";
import { V8_FLAGS } from "../src/platform/self.ts";

const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));

/** One stamped barn bundle for the tests below (a build takes a few seconds). */
let shared: Promise<string> | null = null;
const STAMP = { version: "9.8.7", commit: "abc1234" };
function barnBundle(): Promise<string> {
  return shared ??= (async () => {
    const home = tempHome("bundle");
    // Only files live there (each test runs its service in a home of its own).
    globalThis.addEventListener("unload", () => Deno.removeSync(home, { recursive: true }));
    const dir = `${home}/js`;
    await buildBundle({ binary: "barn", out: dir, stamp: STAMP });
    return dir;
  })();
}

Deno.test("literalLoads: lazy() and lazyExport() become literal imports, Workers chunks; any other shape is refused", () => {
  const code = [
    'const m = await lazy(import.meta.url, "../jobs/ids.js");',
    'const load = lazyExport(import.meta.url, "./run.js", "run");',
    'const w = new Worker(new URL("./sha256_worker.js", import.meta.url).href, { type: "module" });',
  ].join("\n");
  const workers: string[] = [];
  const out = literalLoads(code, "/x/cli/a.js", (spec) => {
    workers.push(spec);
    return "WORKER_URL";
  });
  assertEquals(out.split("\n"), [
    'const m = await import("../jobs/ids.js");',
    'const load = lazyExport(import.meta.url, "./run.js", "run", () => import("./run.js"));',
    'const w = new Worker(WORKER_URL, { type: "module" });',
  ]);
  assertEquals(workers, ["./sha256_worker.js"]);
  // Computed, a load would resolve against its chunk's URL: the build stops instead.
  const refused = (code: string, file: string) =>
    assertThrows(() => literalLoads(code, file), Error).message;
  assertMatch(refused("lazy(import.meta.url, spec);", "/x/b.js"), /^\/x\/b\.js: 1 lazy\(\) load/);
  assertMatch(refused('lazyExport(base, "./r.js", "r");', "/x/c.js"), /^\/x\/c\.js: 1 lazy/);
  assertMatch(refused(code, "/x/d.js"), /no one bundles it/);
  // lazy.js defines them; a module without lazy loads passes through.
  const def = "function lazy(from, specifier) { return import(new URL(specifier, from).href); }";
  assertEquals(literalLoads(def, "/x/lazy.js"), def);
  assertEquals(literalLoads("export const a = 1;", "/x/e.js"), "export const a = 1;");
  const g = new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []], ["d", ["a"]]]);
  assertEquals([...staticGraph("a", (id) => g.get(id) ?? [])].sort(), ["a", "b", "c"]);
});

Deno.test("unfollowedLoads: a renamed or passed-on lazy, a computed import(), a Worker spelled otherwise, a lazy() inside a string stop the build", () => {
  // As the plugin checks a module: its code after literalLoads, parsed, and its lazy() count.
  const check = (code: string, file = "/x/a.js") =>
    unfollowedLoads(
      parseAst(
        literalLoads(code, file, () => "import.meta.ROLLUP_FILE_URL_w"),
      ) as unknown as EsNode,
      file,
      lazyCalls(code),
    );
  const imports = 'import { lazy, lazyExport } from "../lazy.js";\n';
  assertEquals(
    check(
      imports +
        'const m = await lazy(import.meta.url, "./x.js");\n' +
        'const l = lazyExport(import.meta.url, "./y.js", "y");\n' +
        'const d = await import("webdav");\n' +
        'const w = new Worker(new URL("./w.js", import.meta.url).href, { type: "module" });\n',
    ),
    [],
  );
  assertEquals(check('new Worker(new URL("./w.js", import.meta.url), { type: "module" });'), [
    "/x/a.js: a Worker whose module the bundle does not know",
  ]);
  // literalLoads alone passes each of these, and each would fail only in the binary.
  assertEquals(
    check('import { lazy as load } from "../lazy.js";\nawait load(import.meta.url, "./x.js");'),
    ["/x/a.js: lazy imported as load"],
  );
  assertEquals(check(imports + "const l = lazy;\n"), ["/x/a.js: lazy used other than called"]);
  assertEquals(check('const m = await import(new URL("./x.js", import.meta.url).href);'), [
    "/x/a.js: an import() of a computed specifier",
  ]);
  assertEquals(check(`const s = 'see lazy(import.meta.url, "./x.js")';`), [
    "/x/a.js: 1 lazy() load(s) rewritten, 0 relative import() in the code: a lazy() spelled " +
    "inside a string, a template or a comment",
  ]);
  // lazy.js defines them and imports by its argument.
  const def = "export function lazy(from, s) { return import(new URL(s, from).href); }";
  assertEquals(check(def, "/x/lazy.js"), []);
});

Deno.test("eagerFunctions: top-level functions become parenthesized expressions, hoisted above every use", async () => {
  const code = [
    'import { a } from "./a.js";',
    "const v = twice(a);",
    "function twice(x) { return 2 * x; }",
    "async function later() { return v; }",
    "export { later, v };",
  ].join("\n");
  const range = (name: string) => {
    const start = code.indexOf(name === "twice" ? "function twice" : "async function later");
    return { name, start, end: code.indexOf("}", start) + 1 };
  };
  const at = code.indexOf("\n");
  const out = eagerFunctions(code, [range("later"), range("twice")], at);
  assertEquals(out.split("\n").filter((l) => l), [
    'import { a } from "./a.js";',
    "var twice = (function twice(x) { return 2 * x; });",
    "var later = (async function later() { return v; });",
    "const v = twice(a);",
    ";",
    ";",
    "export { later, v };",
  ]);
  // The same semantics: run as a module, v is computed through the hoisted function.
  const dir = await Deno.makeTempDir({ prefix: "barn-eager-" });
  try {
    Deno.writeTextFileSync(`${dir}/a.js`, "export const a = 21;\n");
    Deno.writeTextFileSync(`${dir}/m.js`, out);
    const m = await import(`file://${dir}/m.js`);
    assertEquals([m.v, await m.later()], [42, 42]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  // A declaration ends a statement: taken out, it leaves an empty one, so that no line after it
  // continues the line before (no semicolon there, a `[` or `(` here).
  const asi =
    "const b = [1]\nfunction f() { return 2; }\n[0].forEach(() => {});\nexport { b, f };\n";
  const f = asi.indexOf("function f");
  const kept = eagerFunctions(asi, [{ name: "f", start: f, end: asi.indexOf("}", f) + 1 }], 0);
  assertEquals(kept.split("\n").filter((l) => l), [
    "var f = (function f() { return 2; });",
    "const b = [1]",
    ";",
    "[0].forEach(() => {});",
    "export { b, f };",
  ]);
  assertEquals(eagerFunctions(code, [], at), code);
  assertThrows(() => eagerFunctions(code, [range("twice")], code.length), Error);
});

Deno.test("assetModule: a text import is inlined as a string; a JSON or untyped import is refused, not turned into text", () => {
  assertEquals(assetModule("/x/a.service", "text", "[Unit]\n"), 'export default "[Unit]\\n";\n');
  assertMatch(
    assertThrows(() => assetModule("/x/c.json", "json", '{"a":1}'), Error).message,
    /^\/x\/c\.json: imported with type "json"; the bundle inlines only text imports/,
  );
  assertMatch(
    assertThrows(() => assetModule("/x/d.css", undefined, "a{}"), Error).message,
    /^\/x\/d\.css: imported with no type/,
  );
});

/** Static imports of one output file (rollup prints them one a line, single-quoted). */
function staticImports(code: string): string[] {
  return [...code.matchAll(/^import (?:[^'"]* from )?'([^']+)';$/gm)].map((m) => m[1]!);
}

/** A lazy() or lazyExport() load the bundle step left as is (it would resolve against its chunk's URL). */
function unbundledLoad(code: string): string | null {
  const left =
    /\b(lazy\()import\.meta\.url, ["']|\b(lazyExport\()import\.meta\.url, (["'])[^"']+\3, (["'])[^"']+\4\)/
      .exec(code);
  return left ? left[1] ?? left[2]! : null;
}

function files(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${dir}/${rel}`)) {
    if (e.isDirectory) out.push(...files(dir, `${rel}${e.name}/`));
    else out.push(`${rel}${e.name}`);
  }
  return out.sort();
}

Deno.test("the barn bundle: one start-up chunk, lazy chunks by computed URL, each class once; deno compile takes it", async () => {
  const home = tempHome("bundle-compile");
  try {
    const dir = await barnBundle();
    const names = files(dir);
    const text = new Map(names.map((f) => [f, Deno.readTextFileSync(`${dir}/${f}`)]));
    const main = text.get("main.js")!;
    const [client, ...more] = staticImports(main);
    assertEquals(more, [], `main.js imports one chunk: ${staticImports(main)}`);
    assertMatch(client!, /^\.\/chunks\/client-[\w-]+\.js$/);
    const clientCode = text.get(client!.slice(2))!;
    // The whole start-up graph: the client chunk imports no other chunk.
    assertEquals(staticImports(clientCode).filter((s) => s.startsWith(".")), []);
    // Its top-level functions are compiled at once (eagerFunctions): no declaration is left.
    assertEquals(clientCode.match(/^(?:async )?function\*? /gm), null);
    assert((clientCode.match(/^var \w+ = \((?:async )?function/gm)?.length ?? 0) > 100);
    for (const spec of ["./version.ts", "./errors.ts", "./cli/cli.ts", "./client/client.ts"]) {
      const m = /export (?:const|class|function|async function) (\w+)/.exec(
        Deno.readTextFileSync(new URL(spec, `file://${ROOT}src/`)),
      )!;
      assertMatch(clientCode, new RegExp(`\\b(?:const|class|function) ${m[1]}\\b`), spec);
    }
    assert(names.length > 40, `lazy modules have chunks of their own: ${names.length} files`);
    for (const [f, code] of text) {
      assert(!/\bimport\(\s*['"`]\./.test(code), `${f}: a literal relative import()`);
      assertEquals(unbundledLoad(code), null, `${f}: a lazy() left as is`);
    }
    // The check above can fail: it finds a load as the source spells it, in either quotes.
    assertEquals(unbundledLoad('const m = lazy(import.meta.url, "./x.js");'), "lazy(");
    assertEquals(unbundledLoad('lazyExport(import.meta.url, "./run.js", "run")'), "lazyExport(");
    assertEquals(unbundledLoad("lazyExport(import.meta.url, './run.js', 'run')"), "lazyExport(");
    // Every command of src/cli/commands/mod.ts is loaded by its chunk's URL.
    const commands = Deno.readTextFileSync(`${ROOT}src/cli/commands/mod.ts`)
      .match(/\blazyExport<Command>\(/g)!.length;
    const loads = clientCode.match(
      /\blazyExport\(import\.meta\.url, "[^"]+", "[^"]+", \(\) => import\(new URL\('\.\/[\w-]+\.js', import\.meta\.url\)\.href\)\)/g,
    );
    assertEquals(loads?.length, commands);
    assert([...text.values()].some((c) => c.includes("import(new URL('./run-")), "run.ts's chunk");
    assert(names.some((f) => /^chunks\/sha256_worker-[\w-]+\.js$/.test(f)), "the Worker's chunk");
    assert([...text.values()].some((c) => c.includes("[Unit]")), "the systemd unit, inlined");
    // Every module once: each class of src/ is defined in one chunk at most, BarnError in one.
    const classes = new Set<string>();
    for (const f of files(`${ROOT}src`)) {
      for (const m of Deno.readTextFileSync(`${ROOT}src/${f}`).matchAll(/\bclass (\w+)/g)) {
        classes.add(m[1]!);
      }
    }
    const all = [...text.values()].join("\n");
    for (const c of classes) {
      const n = all.match(new RegExp(`\\bclass ${c}(?:\\$\\d+)?\\b`, "g"))?.length ?? 0;
      assert(n <= 1, `class ${c} is defined ${n} times`);
    }
    assertEquals(all.match(/\bclass BarnError\b/g)?.length, 1);

    // deno compile resolves its entry's graph before it fetches denort, but the modules of
    // --include only after: the entry here is a probe that imports every file of the bundle, so
    // a chunk's relative or npm import that does not resolve fails now. On this machine the
    // denort download is the only error allowed (elsewhere the binary is built).
    const compile = async (main: string) => {
      const args = compileArgs(config.permissions.barn, "x86_64-unknown-linux-gnu");
      const entry = args.length - 1;
      assertEquals(args.slice(-3), ["--include", "dist/js/barn", "dist/js/barn/main.js"]);
      args[entry] = main;
      args[entry - 1] = dir;
      args[args.indexOf("--output") + 1] = `${home}/barn-bin`;
      // The task's bundle sits inside the checkout, where deno.json maps the npm imports; this
      // one is below /tmp/barn.
      args.splice(1, 0, `--config=${ROOT}deno.json`);
      const c = await new Deno.Command(DENO, { args, cwd: ROOT, stdout: "null", stderr: "piped" })
        .output();
      const err = new TextDecoder().decode(c.stderr);
      // Only an error about the denort download itself (its URL comes after the error line).
      return c.success || /\berror\b[\s\S]*denort-x86_64-unknown-linux-gnu\.zip/.test(err)
        ? null
        : err;
    };
    const probe = (extra: string[]) => {
      const all = [...names.map((f) => new URL(`file://${dir}/${f}`).href), ...extra];
      Deno.writeTextFileSync(
        `${home}/probe.js`,
        all.map((u) => `import ${JSON.stringify(u)};\n`).join(""),
      );
      return `${home}/probe.js`;
    };
    assertEquals(await compile(probe([])), null);
    // The probe can fail: a chunk's npm import that deno.json does not map.
    Deno.writeTextFileSync(`${home}/stray.js`, 'import "nosuch-package";\n');
    assertMatch((await compile(probe([`file://${home}/stray.js`])))!, /nosuch-package/);
  } finally {
    await cleanupHome(home);
  }
});

/**
 * `deno run` of the barn bundle in `dir` as the binary runs: the permission set as the compile task
 * spells it, the compiled V8 flags; deno.json only for its import map, which the binary embeds
 * (the npm packages of XML, export, MCP and WebDAV).
 */
function bundleArgv(dir: string): string[] {
  const flags = permissionFlags(config.permissions.barn, "x86_64-unknown-linux-gnu").map((f) =>
    f.startsWith("--allow-read=") ? `${f},${dir}` : f
  );
  return [
    "run",
    "-q",
    `--config=${ROOT}deno.json`,
    ...flags,
    `--v8-flags=${V8_FLAGS}`,
    `${dir}/main.js`,
  ];
}

/** Runs the bundle in `dir` with BARN_HOME `home`: exit code, output as text and as bytes. */
function bundleRun(dir: string, home: string, stdin?: string) {
  return async (...args: string[]) => {
    const child = new Deno.Command(DENO, {
      args: [...bundleArgv(dir), ...args],
      env: { BARN_HOME: home, NO_COLOR: "1" },
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(stdin));
      await w.close();
    }
    const out = await child.output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
      bytes: out.stdout,
    };
  };
}

Deno.test("the barn bundle runs under the compiled permission flags: run, wait, status, errors, help, XML, export with its Worker", async () => {
  const home = tempHome("bundle-run");
  try {
    const dir = await barnBundle();
    const run = bundleRun(dir, home);
    assertEquals((await run("--version")).stdout, `barn ${STAMP.version} (${STAMP.commit})\n`);
    await startService(home);
    const sub = await run("run", "--output=json", "--tag=b", "curl", "--version");
    assertEquals(sub.code, 0, sub.stderr);
    const id = JSON.parse(sub.stdout).job_id as string;
    const wait = await run("wait", id);
    assertEquals(wait.code, 0, wait.stderr);
    assertMatch((await run("status", "--output=xml")).stdout, new RegExp(`<job_id>${id}</job_id>`));
    const bad = await run("nosuch");
    assertEquals([bad.code, bad.stderr], [
      2,
      "barn: error: unknown command 'nosuch'; see `barn --help` [E_USAGE]\n",
    ]);
    assertMatch((await run("help", "run")).stdout, /^barn run: submit a job/);
    // Over 16 MiB a file is hashed in the Worker (src/archive/sha256_stream.ts).
    const big = new Uint8Array(17 << 20).map((_, i) => i * 7);
    Deno.mkdirSync(`${home}/output`, { recursive: true });
    Deno.writeFileSync(`${home}/output/big.bin`, big);
    const exp = await run("export", id, "--outputs-only", `--include=${home}/output/big.bin`);
    assertEquals(exp.code, 0, exp.stderr);
    Deno.mkdirSync(`${home}/x`);
    Deno.writeFileSync(`${home}/x.tar`, exp.bytes);
    const x = await new Deno.Command("tar", {
      args: ["-x", "-C", `${home}/x`, "-f", `${home}/x.tar`],
    })
      .output();
    assert(x.success, "tar -x");
    const manifest = JSON.parse(Deno.readTextFileSync(`${home}/x/barn-${id}/manifest.json`));
    const entry = manifest.files.find((f: { path: string }) => f.path === `${home}/output/big.bin`);
    const sum = [...new Uint8Array(await crypto.subtle.digest("SHA-256", big))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    assertEquals(entry?.sha256, sum);
    // From source the same tree says "dev": the stamp is the bundle's, the source is untouched.
    assertMatch((await barn(home, ["--version"])).stdout, /\(dev\)\n$/);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("the barn bundle runs the service, the keeper, a WebDAV transfer each way and the MCP server", async () => {
  const home = tempHome("bundle-service");
  const dav = await startDav(`${home}-dav`, "media", "s3cret");
  const started: Deno.ChildProcess[] = [];
  try {
    const dir = await barnBundle();
    const run = bundleRun(dir, home);
    // The binary starts its service and keeper by its own path (src/platform/self.ts), which a
    // bundle under deno can't: here they are started as the binary would run them.
    const start = (...args: string[]) => {
      const child = new Deno.Command(DENO, {
        args: [...bundleArgv(dir), ...args],
        env: { BARN_HOME: home, NO_COLOR: "1" },
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      started.push(child);
      return child;
    };
    Deno.writeTextFileSync(`${home}/config.json`, '{"keeper_idle": "10m"}');
    start("service", "run");
    await waitFor(async () => /^service:\s+up$/m.test((await run("service", "status")).stdout), {
      what: "the bundle's service",
    });
    const keeper = start("keeper");
    const socket = `${home}/${keeperFiles().socket}`;
    await waitFor(async () => {
      try {
        (await Deno.connect({ transport: "unix", path: socket })).close();
        return true;
      } catch {
        return false;
      }
    }, { what: "the bundle's keeper" });
    const sub = await run("run", "--output=json", ...sineJob(1));
    assertEquals(sub.code, 0, sub.stderr);
    const id = JSON.parse(sub.stdout).job_id as string;
    assertEquals((await run("wait", id)).code, 0);
    assertMatch(
      (await run("service", "status")).stdout,
      new RegExp(`keeper up \\(pid ${keeper.pid}\\b`),
    );

    // `barn transfer`, as the keeper runs it for get and put, with the home's credentials.
    const host = new URL(dav.url).host;
    Deno.writeTextFileSync(
      `${home}/credentials.json`,
      JSON.stringify({ hosts: { [host]: { user: "media", password: "s3cret" } } }),
      { mode: 0o600 },
    );
    const data = new Uint8Array(1 << 20).map((_, i) => i * 13);
    Deno.writeFileSync(`${dav.root}/in.bin`, data);
    Deno.mkdirSync(`${home}/output`, { recursive: true });
    Deno.mkdirSync(`${home}/jd`, { mode: 0o700 });
    const got = await run(
      "transfer",
      "get",
      `${dav.url}/in.bin`,
      `${home}/output/in.bin`,
      `--job-dir=${home}/jd`,
    );
    assertEquals(got.code, 0, got.stderr);
    assertEquals(Deno.readFileSync(`${home}/output/in.bin`), data);
    const put = await run(
      "transfer",
      "put",
      `${home}/output/in.bin`,
      `${dav.url}/back/out.bin`,
      `--job-dir=${home}/jd`,
    );
    assertEquals(put.code, 0, put.stderr);
    assertEquals(Deno.readFileSync(`${dav.root}/back/out.bin`), data);

    // The MCP server (its SDK and zod are npm packages of a lazy chunk) answers and lists its tools.
    const mcp = await bundleRun(
      dir,
      home,
      [
        {
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "t", version: "1" },
          },
        },
        { jsonrpc: "2.0", method: "notifications/initialized" },
        { jsonrpc: "2.0", id: 2, method: "tools/list" },
      ].map((m) => JSON.stringify(m) + "\n").join(""),
    )("mcp");
    assertEquals(mcp.code, 0, mcp.stderr);
    const answers = mcp.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(answers.map((a) => a.id), [1, 2]);
    assertEquals(answers[0].result.serverInfo.version, STAMP.version);
    assert(answers[1].result.tools.some((t: { name: string }) => t.name === "run"), mcp.stdout);

    const stop = await run("service", "stop");
    assertEquals(stop.code, 0, stop.stderr);
    assertEquals((await started[0]!.status).code, 0);
  } finally {
    for (const c of started) {
      try {
        c.kill("SIGKILL");
      } catch { /* exited */ }
      await c.status;
    }
    await dav.stop();
    Deno.removeSync(`${home}-dav`, { recursive: true });
    await cleanupHome(home);
  }
});

Deno.test("deno task bundle builds dist/js/ under its own permissions, colour settings or not", async () => {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "",
    CI: "true",
    TERM: "xterm",
  };
  for (const k of ["HOME", "DENO_DIR"]) if (Deno.env.get(k)) env[k] = Deno.env.get(k)!;
  const out = await new Deno.Command(DENO, {
    args: ["task", "-q", "bundle", "barn-fleet"],
    cwd: ROOT,
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, err);
  assertMatch(err, /bundled barn-fleet: .*\/dist\/js\/barn-fleet\/main\.js/);
});

Deno.test("deno task compile works from a checkout whose path has a space: both bundles, then deno compile", async () => {
  const home = tempHome("bundle-space");
  try {
    // The files the tasks read, beside deno.json as in a checkout (`git` finds no repository here).
    const root = `${home}/a checkout`;
    for (const d of ["src", "install", "systemd", "launchd", "windows"]) {
      copyTree(`${ROOT}${d}`, `${root}/${d}`);
    }
    for (const f of ["deno.json", "deno.lock"]) Deno.copyFileSync(`${ROOT}${f}`, `${root}/${f}`);
    const env: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "" };
    for (const k of ["HOME", "DENO_DIR", "DENORT_BIN"]) {
      if (Deno.env.get(k)) env[k] = Deno.env.get(k)!;
    }
    const out = await new Deno.Command(DENO, {
      args: ["task", "-q", "compile", "x86_64-unknown-linux-gnu"],
      cwd: root,
      clearEnv: true,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    for (const b of ["barn", "barn-fleet"]) {
      const made = (() => {
        try {
          return Deno.statSync(`${root}/dist/js/${b}/main.js`).isFile;
        } catch {
          return false;
        }
      })();
      assert(made, `${b}'s bundle: ${err}`);
    }
    // Here the denort download is refused (DENORT_BIN aside); anywhere else the binaries are built.
    assert(out.code === 0 || /could not fetch the denort runtime/.test(err), err);
    assertEquals(err.match(/^compiling dist\/\S+/gm), [
      "compiling dist/barn-x86_64-unknown-linux-gnu",
      "compiling dist/barn-fleet-x86_64-unknown-linux-gnu",
    ]);
  } finally {
    await cleanupHome(home);
  }
});

function copyTree(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const e of Deno.readDirSync(from)) {
    if (e.isDirectory) copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else Deno.copyFileSync(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

Deno.test("the barn-fleet bundle: its own start-up chunk, and it runs", async () => {
  const home = tempHome("bundle-fleet");
  try {
    const dir = `${home}/js`;
    await buildBundle({ binary: "barn-fleet", out: dir });
    assertEquals(staticImports(Deno.readTextFileSync(`${dir}/main.js`)).length, 1);
    const flags = permissionFlags(config.permissions["barn-fleet"], "x86_64-unknown-linux-gnu");
    const out = await new Deno.Command(DENO, {
      args: [
        "run",
        "-q",
        "--no-config",
        ...flags,
        `--allow-read=${dir}`,
        `${dir}/main.js`,
        "--help",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertMatch(text, /deploy/);
  } finally {
    await cleanupHome(home);
  }
});
