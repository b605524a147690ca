import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { parseCurlArgs, rewriteCurlArgs } from "../../../src/media/curl_args.ts";
import { CURL_OPTIONS, CURL_SHORT_OPTIONS } from "../../../src/media/curl_options.ts";

/** name=value of each token, URLs as url=…, switches as their name. */
function read(command: string[]): string[] {
  return parseCurlArgs(command).tokens.map((t) =>
    `${t.group}:${t.negated ? "no-" : ""}${t.name}${t.value === null ? "" : `=${t.value}`}`
  );
}

Deno.test("curl's table: long names, short letters and kinds as curl has them", () => {
  assertEquals(Object.keys(CURL_OPTIONS).length, 287);
  assertEquals(CURL_OPTIONS["user"], "arg");
  assertEquals(CURL_OPTIONS["silent"], "bool");
  assertEquals(CURL_OPTIONS["next"], "none");
  // curl 8 gives --help a topic, curl 7.88 none: the table reads no value, so nothing hides behind it.
  assertEquals(CURL_OPTIONS["help"], "bool");
  assertEquals(CURL_SHORT_OPTIONS["u"], "user");
  assertEquals(CURL_SHORT_OPTIONS[":"], "next");
  assertEquals(CURL_SHORT_OPTIONS["i"], "show-headers");
  for (const [letter, name] of Object.entries(CURL_SHORT_OPTIONS)) {
    assertEquals(letter.length, 1);
    assert(CURL_OPTIONS[name] !== undefined, `${letter} names unknown option ${name}`);
  }
});

Deno.test("short clusters end at the first letter that takes a value", () => {
  assertEquals(read(["curl", "-su", "a:b", "h"]), ["0:silent", "0:user=a:b", "0:url=h"]);
  assertEquals(read(["curl", "-sSfu", "a:b", "h"]), [
    "0:silent",
    "0:show-error",
    "0:fail",
    "0:user=a:b",
    "0:url=h",
  ]);
  assertEquals(read(["curl", "-sSfua:b", "h"]), [
    "0:silent",
    "0:show-error",
    "0:fail",
    "0:user=a:b",
    "0:url=h",
  ]);
  // Everything after the value-taking letter is its value, letters included.
  assertEquals(read(["curl", "-usv", "h"]), ["0:user=sv", "0:url=h"]);
  assertEquals(read(["curl", "-sH", "Authorization: x", "h"]), [
    "0:silent",
    "0:header=Authorization: x",
    "0:url=h",
  ]);
  // A value may look like an option: curl takes it as the value all the same.
  assertEquals(read(["curl", "-u", "-v", "h"]), ["0:user=-v", "0:url=h"]);
  const t = parseCurlArgs(["curl", "-sSfua:b"]).tokens[3]!;
  assertEquals([t.word, t.at, t.valueWord, t.valueAt, t.end], [1, 4, 1, 5, 2]);
});

Deno.test("long options: next word or after =, --no- for switches, --expand- for values", () => {
  assertEquals(read(["curl", "--user", "a:b", "--user=c:d", "--user=", "h"]), [
    "0:user=a:b",
    "0:user=c:d",
    "0:user=",
    "0:url=h",
  ]);
  assertEquals(read(["curl", "--header=X-A: b=c", "h"]), ["0:header=X-A: b=c", "0:url=h"]);
  assertEquals(read(["curl", "--no-buffer", "h"]), ["0:no-buffer", "0:url=h"]);
  const x = parseCurlArgs(["curl", "--expand-user", "{{u}}", "h"]).tokens[0]!;
  assertEquals([x.name, x.expand, x.value], ["user", true, "{{u}}"]);
  for (
    const bad of [
      ["--no-user", "a"],
      ["--expand-silent"],
      ["--us", "a:b"], // curl 7 took abbreviations; curl 8 and barn do not
      ["--USER", "a:b"],
      ["--nosuchoption"],
      ["--a-name-much-longer-than-twenty-six=x"],
      ["-"],
      ["-s%"],
      ["-u"],
      ["--user"],
      ["-é"],
    ]
  ) {
    const e = assertThrows(() => parseCurlArgs(["curl", ...bad]), BarnError);
    assertEquals(e.code, "E_USAGE", bad.join(" "));
  }
  // A refusal never shows what follows '=' or the rest of a cluster: it may be a password.
  for (
    const bad of [["--use=u:s3cr3tPw"], ["--no-user=u:s3cr3tPw"], ["--expand-silent=s3cr3tPw"], [
      "-:uu:s3cr3tPw",
    ]]
  ) {
    const e = assertThrows(() => parseCurlArgs(["curl", ...bad, "h"]), BarnError);
    assertEquals(e.code, "E_USAGE", bad.join(" "));
    assert(!e.message.includes("s3cr3tPw"), e.message);
  }
});

Deno.test("-- ends the options; bare words are URLs; --next and -: start groups", () => {
  assertEquals(read(["curl", "-s", "--", "-u", "--next", "h"]), [
    "0:silent",
    "0:url=-u",
    "0:url=--next",
    "0:url=h",
  ]);
  assertEquals(parseCurlArgs(["curl", "--", "x"]).endOfOptions, 1);
  const a = parseCurlArgs(["curl", "-u", "a", "h1", "--next", "h2", "-s:", "-v", "h3"]);
  assertEquals(a.tokens.map((t) => `${t.group}:${t.name}`), [
    "0:user",
    "0:url",
    "0:next",
    "1:url",
    "1:silent",
    "1:next",
    "2:verbose",
    "2:url",
  ]);
  // Each group's options begin after its --next word.
  assertEquals(a.groupStarts, [1, 5, 7]);
});

Deno.test("curl reads no letter after -: (or -h, -V, -M) in a cluster, so barn refuses them", () => {
  // curl reads `-:o -u a:b h` as --next, then -u a:b: barn must not take -u for -o's value.
  for (const w of ["-:o", "-s:u", "-Vo", "-ho", "-Mo"]) {
    const e = assertThrows(() => parseCurlArgs(["curl", "h", w, "-u", "a:b", "h2"]), BarnError);
    assertEquals(e.code, "E_USAGE", w);
    assert(e.message.includes("ends its cluster"), e.message);
  }
  assertEquals(read(["curl", "h", "-s:", "-u", "a:b", "h2"]), [
    "0:url=h",
    "0:silent",
    "0:next",
    "1:user=a:b",
    "1:url=h2",
  ]);
});

Deno.test("a first -q stays first: the first group begins after it", () => {
  assertEquals(parseCurlArgs(["curl", "-q", "h"]).groupStarts, [2]);
  assertEquals(parseCurlArgs(["curl", "-qu", "a", "h"]).groupStarts, [3]);
  assertEquals(parseCurlArgs(["curl", "--disable", "h"]).groupStarts, [2]);
  assertEquals(parseCurlArgs(["curl", "-s", "-q", "h"]).groupStarts, [1]);
});

Deno.test("rewriting drops an option with its value and keeps the rest of its cluster", () => {
  const cmd = ["curl", "-sSfu", "a:b", "--user=c", "-uX", "-x", "http://p", "h"];
  const { tokens } = parseCurlArgs(cmd);
  const drop = new Set(tokens.filter((t) => t.name === "user"));
  const proxy = tokens.find((t) => t.name === "proxy")!;
  const r = rewriteCurlArgs(cmd, drop, new Map([[proxy, "http://q"]]));
  assertEquals(r.words, ["curl", "-sSf", "-x", "http://q", "h"]);
  assertEquals([r.newIndex(1), r.newIndex(5), r.newIndex(8)], [1, 2, 5]);
});
