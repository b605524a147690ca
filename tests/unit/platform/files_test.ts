import { assert, assertEquals } from "../../helpers/assert.ts";
import {
  concatBytes,
  openPrivateFile,
  openRead,
  readTail,
  tailLines,
  tailWindow,
} from "../../../src/platform/files.ts";
import { BarnError } from "../../../src/errors.ts";
import { tempHome } from "../../helpers/barn.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("tailLines reads the last N lines, with or without a final newline", () => {
  const home = tempHome("tail");
  try {
    const p = `${home}/f`;
    Deno.writeTextFileSync(p, "a\nb\nc\n");
    assertEquals(tailLines(p, 2, 1024), ["b", "c"]);
    assertEquals(tailLines(p, 5, 1024), ["a", "b", "c"]);
    assertEquals(tailLines(p, 0, 1024), []);
    Deno.writeTextFileSync(p, "a\nb\nc");
    assertEquals(tailLines(p, 2, 1024), ["b", "c"]);
    assertEquals(tailLines(p, 1, 1024), ["c"]);
    Deno.writeTextFileSync(p, "a\n\n\n");
    assertEquals(tailLines(p, 2, 1024), ["", ""]);
    Deno.writeTextFileSync(p, "");
    assertEquals(tailLines(p, 3, 1024), []);
    assertEquals(tailLines(`${home}/missing`, 3, 1024), []);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("readTail: where the last N lines begin, across chunk borders", () => {
  const home = tempHome("tailstart");
  try {
    const p = `${home}/f`;
    Deno.writeTextFileSync(p, "a\nbb\nccc\n");
    const starts = [1, 2, 3, 9, 0].map((n) => readTail(p, n, 1024, 2).start);
    assertEquals(starts, [5, 2, 0, 0, 9]);
    assertEquals(text(readTail(p, 2, 1024, 2).bytes), "bb\nccc\n");
    assertEquals(readTail(p, 2, 1024, 2).size, 9);
    Deno.writeTextFileSync(p, "a\nbb\nccc");
    assertEquals([readTail(p, 1, 1024, 3).start, text(readTail(p, 1, 1024, 3).bytes)], [5, "ccc"]);
    Deno.writeTextFileSync(
      p,
      Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n") + "\n",
    );
    assertEquals(tailLines(p, 3, 1 << 20), ["line 4997", "line 4998", "line 4999"]);
    const t = readTail(p, 100, 1 << 20, 64);
    assertEquals(text(t.bytes).split("\n").length, 101);
    assertEquals(t.bytes.length, t.size - t.start);
    assertEquals(readTail(`${home}/missing`, 3, 1024), {
      bytes: new Uint8Array(),
      start: 0,
      size: 0,
    });
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("readTail never reads more than its window, whatever the content", () => {
  const home = tempHome("tailwin");
  try {
    const p = `${home}/f`;
    // 3 MiB without a newline: the window, not the lines, bounds the read.
    const big = new Uint8Array(3 << 20).fill(0x61);
    big[big.length - 1] = 0x7a;
    Deno.writeFileSync(p, big);
    const t = readTail(p, 10, 100_000);
    assertEquals([t.bytes.length, t.start, t.size], [100_000, (3 << 20) - 100_000, 3 << 20]);
    assertEquals(t.bytes[t.bytes.length - 1], 0x7a);
    assertEquals(tailLines(p, 10, 5000), ["a".repeat(4999) + "z"]);
    // the last N bytes, lines aside
    const last = readTail(p, Infinity, 7);
    assertEquals(text(last.bytes), "aaaaaaz");
    // lines fit inside the window: the window is not used up
    Deno.writeTextFileSync(p, "x".repeat(50_000) + "\nshort\nlines\n");
    assertEquals(text(readTail(p, 2, 10_000).bytes), "short\nlines\n");
    assertEquals(readTail(p, 3, 10_000).bytes.length, 10_000);
    assertEquals([tailWindow(0), tailWindow(1), tailWindow(10)], [65536, 65536, 163840]);
    assert(tailWindow(1000) === 1000 * 16 * 1024);
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

Deno.test("concatBytes: the chunks in order as one array", () => {
  const enc = new TextEncoder();
  assertEquals(concatBytes([]), new Uint8Array());
  assertEquals(concatBytes([enc.encode("ab"), enc.encode(""), enc.encode("c")]), enc.encode("abc"));
});

Deno.test("a FIFO planted where barn reads or writes a file is refused before it is opened (an open would block the process)", async () => {
  const home = tempHome("fifo");
  try {
    const p = `${home}/stdout.log`;
    const made = await new Deno.Command("mkfifo", { args: [p] }).output();
    assert(made.success, "mkfifo failed");
    // Held open read-write here, so the old code's open returned instead of blocking the test.
    const holder = Deno.openSync(p, { read: true, write: true });
    try {
      for (const open of [() => openRead(p, "a log"), () => openPrivateFile(p, { append: true })]) {
        try {
          open().close();
          throw new Error("opened a FIFO");
        } catch (e) {
          assert(e instanceof BarnError && e.code === "E_SANDBOX", String(e));
          assert(/is not a regular file/.test(e.message), e.message);
        }
      }
      try {
        readTail(p, 10, 1024);
        throw new Error("read a FIFO's tail");
      } catch (e) {
        assert(e instanceof BarnError && e.code === "E_SANDBOX", String(e));
      }
    } finally {
      holder.close();
    }
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});
