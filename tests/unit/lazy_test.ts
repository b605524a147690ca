import { assertEquals } from "../helpers/assert.ts";
import { lazy, lazyExport } from "../../src/lazy.ts";

const SRC = new URL("../../src/", import.meta.url);

function* sources(dir: URL): Generator<URL> {
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) yield* sources(new URL(`${e.name}/`, dir));
    else if (e.name.endsWith(".ts")) yield new URL(e.name, dir);
  }
}

Deno.test("lazy: loads a module relative to the caller", async () => {
  const m = await lazy<typeof import("../../src/jobs/ids.ts")>(
    import.meta.url,
    "../../src/jobs/ids.ts",
  );
  assertEquals(typeof m.newJobId, "function");
});

Deno.test("lazyExport: one named export, loaded when asked for; a missing one is an error", async () => {
  const newJobId = lazyExport<() => string>(import.meta.url, "../../src/jobs/ids.ts", "newJobId");
  assertEquals(typeof (await newJobId())(), "string");
  const missing = lazyExport(import.meta.url, "../../src/jobs/ids.ts", "noSuchThing");
  assertEquals(
    await missing().then(() => "loaded", (e: Error) => e.message),
    "../../src/jobs/ids.ts exports no 'noSuchThing'",
  );
});

Deno.test("lazy: no literal relative import() in src, so start-up reads only what it runs", () => {
  const offenders: string[] = [];
  for (const url of sources(SRC)) {
    const text = Deno.readTextFileSync(url);
    for (const [i, line] of text.split("\n").entries()) {
      if (/(?<!(typeof|as) )import\(\s*["'`]\.{1,2}\//.test(line)) {
        offenders.push(`${url.pathname.slice(SRC.pathname.length)}:${i + 1}`);
      }
    }
  }
  assertEquals(offenders, []);
});
