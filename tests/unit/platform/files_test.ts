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
