import {
  basename,
  dirname,
  extname,
  fromFileUrl,
  isAbsolute,
  join,
  normalize,
  relative,
  resolve,
} from "../../../src/platform/path.ts";
import { posix } from "node:path";
import { assertEquals } from "../../helpers/assert.ts";

const CASES = [
  "/",
  "/a/b/../c",
  "a/./b//c/",
  "../x",
  "/a/b/",
  "a",
  "",
  ".",
  "/..",
  "a/../..",
  "/tmp/barn/t-1/jobs/x.json",
];

Deno.test("path helpers agree with node:path (POSIX)", () => {
  for (const p of CASES) {
    assertEquals(normalize(p), posix.normalize(p).replace(/(.)\/$/, "$1"), `normalize ${p}`);
    assertEquals(isAbsolute(p), posix.isAbsolute(p), `isAbsolute ${p}`);
    if (p !== "") {
      assertEquals(
        dirname(p),
        posix.dirname(posix.normalize(p).replace(/(.)\/$/, "$1")),
        `dirname ${p}`,
      );
      assertEquals(basename(p), posix.basename(posix.normalize(p)), `basename ${p}`);
    }
    assertEquals(resolve("/base", p), posix.resolve("/base", p), `resolve ${p}`);
  }
  assertEquals(join("/tmp/barn", "jobs", "x"), "/tmp/barn/jobs/x");
  assertEquals(join("a", "", "../b"), "b");
  assertEquals(basename("/x/clip.mp4", ".mp4"), "clip");
  assertEquals([extname("/a/b.tar.gz"), extname("/a/.hidden"), extname("/a/b")], [".gz", "", ""]);
  for (
    const [a, b] of [["/tmp/barn", "/tmp/barn/x/y"], ["/tmp/barn", "/tmp/barn"], [
      "/tmp/barn",
      "/etc",
    ], ["/tmp/barn/a", "/tmp/barnx"]]
  ) {
    assertEquals(relative(a!, b!), posix.relative(a!, b!), `relative ${a} ${b}`);
  }
});

Deno.test("fromFileUrl: decodes escapes; a drive letter turns into a Windows path", () => {
  assertEquals(fromFileUrl(new URL("file:///work/a%20b/deno.json")), "/work/a b/deno.json");
  assertEquals(fromFileUrl(new URL("file:///C:/barn/src/main.ts")), "C:\\barn\\src\\main.ts");
});

Deno.test("isBelow: the root itself and what is under it, never a sibling with the same prefix", async () => {
  const { isBelow } = await import("../../../src/platform/path.ts");
  assertEquals(
    [
      isBelow("/tmp/barn", "/tmp/barn"),
      isBelow("/tmp/barn", "/tmp/barn/a/b"),
      isBelow("/tmp/barn", "/tmp/barnyard"),
      isBelow("/tmp/barn", "/tmp"),
      isBelow("/tmp/barn", "/etc/passwd"),
    ],
    [true, true, false, false, false],
  );
});
