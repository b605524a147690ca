import { assertEquals } from "../../helpers/assert.ts";
import { curlFileArgs, expandCurlGlob } from "../../../src/media/curl_files.ts";

Deno.test("curl's file arguments, in every spelling curl reads them", () => {
  const cases: [string[], string[]][] = [
    [["-T", "/a"], ["/a"]],
    [["--upload-file", "/a"], ["/a"]],
    [["-sT/a"], ["/a"]],
    [["-sST", "/a"], ["/a"]],
    [["-d", "@/a"], ["/a"]],
    [["-d@/a"], ["/a"]],
    [["--data-binary", "@/a"], ["/a"]],
    [["--data-urlencode", "name@/a"], ["/a"]],
    [["--json", "@/a"], ["/a"]],
    [["-F", "f=@/a;type=text/plain"], ["/a"]],
    [["-F", 'f=@"/a";filename=x'], ["/a"]],
    [["-F", "f=</a"], ["/a"]],
    [["-H", "@/a"], ["/a"]],
    [["-w", "@/a"], ["/a"]],
    [["-K", "/a"], ["/a"]],
    [["--config", "/a"], ["/a"]],
    [["-b", "/a"], ["/a"]],
    [["-o", "/a", "-D", "/b", "-c", "/c"], ["/a", "/b", "/c"]],
    [["file:///a%20b"], ["/a b"]],
    [["--url", "FILE://localhost/a"], ["/a"]],
    [["-T", "/d/{x,y}"], ["/d/x", "/d/y"]],
    [["-g", "-T", "/d/{x,y}"], ["/d/{x,y}"]],
    [["-sgT", "/d/[1-2]"], ["/d/[1-2]"]],
    [["file:///d/[a-b]"], ["/d/a", "/d/b"]],
    [["-d", "@-", "-T", "-"], []],
    [["-d", "plain", "-H", "Accept: x", "https://host/x"], []],
    // curl 8 takes no abbreviation, and barn refuses the argv (E_USAGE) before it runs.
    [["--upload-fi", "/a"], []],
  ];
  for (const [args, want] of cases) assertEquals(curlFileArgs(args), want, args.join(" "));
});

Deno.test("curl globs expand like curl's, and a huge one is refused", () => {
  assertEquals(expandCurlGlob("a{1,2}[x-y]"), ["a1x", "a1y", "a2x", "a2y"]);
  assertEquals(expandCurlGlob("f[01-03]"), ["f01", "f02", "f03"]);
  assertEquals(expandCurlGlob("f[0-6:3]"), ["f0", "f3", "f6"]);
  assertEquals(expandCurlGlob("plain"), ["plain"]);
  assertEquals(expandCurlGlob("f[1-100000]"), null);
  assertEquals(curlFileArgs(["-T", "[1-9][0-9][0-9][0-9][0-9]"]), null);
});
