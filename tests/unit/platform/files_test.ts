import { assertEquals } from "../../helpers/assert.ts";
import { tailBytes, tailLines } from "../../../src/platform/files.ts";
import { tempHome } from "../../helpers/barn.ts";

Deno.test("tailLines reads the last N lines, with or without a final newline", () => {
  const home = tempHome("tail");
  try {
    const p = `${home}/f`;
    Deno.writeTextFileSync(p, "a\nb\nc\n");
    assertEquals(tailLines(p, 2), ["b", "c"]);
    assertEquals(tailLines(p, 5), ["a", "b", "c"]);
    assertEquals(tailLines(p, 0), []);
    Deno.writeTextFileSync(p, "a\nb\nc");
    assertEquals(tailLines(p, 2), ["b", "c"]);
    assertEquals(tailLines(p, 1), ["c"]);
    Deno.writeTextFileSync(p, "");
    assertEquals(tailLines(p, 3), []);
    assertEquals(tailLines(`${home}/missing`, 3), []);
    // many lines across chunk borders
    Deno.writeTextFileSync(
      p,
      Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n") + "\n",
    );
    assertEquals(tailLines(p, 3, 64), ["line 4997", "line 4998", "line 4999"]);
    const { bytes } = tailBytes(p, 100, 1024);
    assertEquals(new TextDecoder().decode(bytes).split("\n").length, 101);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("tailStart finds where the last N lines begin", async () => {
  const { tailStart } = await import("../../../src/platform/files.ts");
  const home = tempHome("tailstart");
  try {
    const p = `${home}/f`;
    Deno.writeTextFileSync(p, "a\nbb\nccc\n");
    assertEquals([tailStart(p, 1, 2), tailStart(p, 2, 2), tailStart(p, 9, 2), tailStart(p, 0)], [
      5,
      2,
      0,
      9,
    ]);
    Deno.writeTextFileSync(p, "a\nbb\nccc");
    assertEquals(tailStart(p, 1, 3), 5);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("barn's own files are created and opened through no link, and read only inside the sandbox", async () => {
  const {
    openPrivateAppend,
    openPrivateFile,
    readText,
    readTextIfExists,
    writeFileAtomic,
    writeNewPrivateFile,
  } = await import("../../../src/platform/files.ts");
  const { BarnError } = await import("../../../src/errors.ts");
  const home = tempHome("files-link");
  const out = Deno.makeTempDirSync({ dir: "/var/tmp", prefix: "barn-escape-" });
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof BarnError ? e.code : (e as Error).name;
    }
    return "written";
  };
  try {
    Deno.symlinkSync(out, `${home}/l`);
    Deno.symlinkSync(`${out}/f`, `${home}/dangling`);
    Deno.writeTextFileSync(`${out}/victim`, "keep\n");
    Deno.symlinkSync(`${out}/victim`, `${home}/v`);
    assertEquals(
      [
        code(() => writeNewPrivateFile(`${home}/l/new`, "x")),
        code(() => writeFileAtomic(`${home}/l/new`, "x")),
        code(() => writeNewPrivateFile(`${home}/dangling`, "x")),
        code(() => openPrivateAppend(`${home}/dangling`)),
        code(() => openPrivateFile(`${home}/v`, { read: true })),
        code(() => openPrivateAppend(`${home}/l/log`)),
        code(() => readText(`${home}/v`)),
        code(() => readTextIfExists(`${home}/l/victim`)),
      ],
      ["E_SANDBOX", "E_SANDBOX", "AlreadyExists", ...Array(5).fill("E_SANDBOX")],
    );
    assertEquals([...Deno.readDirSync(out)].map((e) => e.name).sort(), ["victim"]);
    assertEquals(Deno.readTextFileSync(`${out}/victim`), "keep\n");
    // Inside, all is as before.
    writeFileAtomic(`${home}/a`, "a\n");
    assertEquals(readText(`${home}/a`), "a\n");
    assertEquals(readTextIfExists(`${home}/missing`), null);
  } finally {
    Deno.removeSync(home, { recursive: true });
    Deno.removeSync(out, { recursive: true });
  }
});
