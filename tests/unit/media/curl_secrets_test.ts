import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { curlQuote, splitCurlSecrets, withCurlConfigs } from "../../../src/media/curl_secrets.ts";
import { CURL_SHORT_OPTIONS } from "../../../src/media/curl_options.ts";

const SECRET = "s3cr3t-Pw";

/** Every way curl accepts `option value`: long, long=, and for a short letter alone, glued, in clusters. */
function spellings(name: string, value: string): string[][] {
  const out = [[`--${name}`, value], [`--${name}=${value}`]];
  const letter = Object.entries(CURL_SHORT_OPTIONS).find(([, n]) => n === name)?.[0];
  if (letter) {
    out.push(
      [`-${letter}`, value],
      [`-${letter}${value}`],
      [`-s${letter}`, value],
      [`-s${letter}${value}`],
      [`-sSf${letter}`, value],
      [`-sSf${letter}${value}`],
    );
  }
  return out;
}

/** Each credential option with a value that carries SECRET, and the config line it becomes. */
const CASES: [string, string, string][] = [
  ["user", `alice:${SECRET}`, `user = "alice:${SECRET}"`],
  ["proxy-user", `bob:${SECRET}`, `proxy-user = "bob:${SECRET}"`],
  ["oauth2-bearer", SECRET, `oauth2-bearer = "${SECRET}"`],
  ["header", `Authorization: Bearer ${SECRET}`, `header = "Authorization: Bearer ${SECRET}"`],
  ["header", `Cookie: sid=${SECRET}`, `header = "Cookie: sid=${SECRET}"`],
  ["header", `X-Api-Key: ${SECRET}`, `header = "X-Api-Key: ${SECRET}"`],
  [
    "proxy-header",
    `Proxy-Authorization: Basic ${SECRET}`,
    `proxy-header = "Proxy-Authorization: Basic ${SECRET}"`,
  ],
  ["cookie", `sid=${SECRET}`, `cookie = "sid=${SECRET}"`],
  ["cert", `/tmp/barn/c.pem:${SECRET}`, `cert = "/tmp/barn/c.pem:${SECRET}"`],
  ["proxy-cert", `/tmp/barn/c.pem:${SECRET}`, `proxy-cert = "/tmp/barn/c.pem:${SECRET}"`],
  ["pass", SECRET, `pass = "${SECRET}"`],
  ["proxy-pass", SECRET, `proxy-pass = "${SECRET}"`],
  ["tlsuser", SECRET, `tlsuser = "${SECRET}"`],
  ["tlspassword", SECRET, `tlspassword = "${SECRET}"`],
  ["proxy-tlsuser", SECRET, `proxy-tlsuser = "${SECRET}"`],
  ["proxy-tlspassword", SECRET, `proxy-tlspassword = "${SECRET}"`],
  ["httpsig-key", SECRET, `httpsig-key = "${SECRET}"`],
  ["preproxy", `socks5://u:${SECRET}@p:1080`, `preproxy = "socks5://u:${SECRET}@p:1080"`],
  ["socks5", `u:${SECRET}@p:1080`, `socks5 = "u:${SECRET}@p:1080"`],
  ["proxy1.0", `u:${SECRET}@p:3128`, `proxy1.0 = "u:${SECRET}@p:3128"`],
];

Deno.test("every credential option, in every spelling curl accepts, leaves the argv", () => {
  let n = 0;
  for (const [name, value, line] of CASES) {
    for (const spelled of spellings(name, value)) {
      const argv = ["curl", "-o", "/tmp/barn/out", ...spelled, "https://h/f"];
      const s = splitCurlSecrets(argv);
      const what = spelled.join(" ");
      assert(!s.command.join(" ").includes(SECRET), `${what}: ${s.command.join(" ")}`);
      assertEquals(s.configs, [{ at: 1, text: line + "\n" }], what);
      // The rest of a cluster stays: -sSfu X keeps -sSf.
      const cluster = /^-(sSf|s)(?=[A-Za-z])/.exec(spelled[0]!)?.[1];
      assertEquals(
        s.command,
        ["curl", "-o", "/tmp/barn/out", ...(cluster ? [`-${cluster}`] : []), "https://h/f"],
        what,
      );
      n++;
    }
  }
  assertEquals(n, 82);
});

Deno.test("values that carry no credential stay where they are", () => {
  const argv = [
    "curl",
    "-H",
    "Accept: */*",
    "-H",
    "@/tmp/barn/headers.txt",
    "-b",
    "/tmp/barn/cookies.txt",
    "-E",
    "/tmp/barn/c.pem",
    "-x",
    "http://proxy:3128",
    "--preproxy",
    "socks5://p:1080",
    "https://h/f",
  ];
  assertEquals(splitCurlSecrets(argv), { command: argv, configs: [] });
});

Deno.test("URL userinfo stays with its URL: a group's user line, or a refusal", () => {
  const one = splitCurlSecrets(["curl", "-sS", "https://al%40ce:p%3Aw@h/f", "-o", "/tmp/barn/o"]);
  assertEquals(one.command, ["curl", "-sS", "https://h/f", "-o", "/tmp/barn/o"]);
  assertEquals(one.configs, [{ at: 1, text: 'user = "al@ce:p:w"\n' }]);
  // Without a password curl asks for none; `user:` keeps it so.
  assertEquals(splitCurlSecrets(["curl", "https://tok@h/"]).configs[0]!.text, 'user = "tok:"\n');
  // curl takes URLs without a scheme, and --url.
  assertEquals(splitCurlSecrets(["curl", "u:p@h/x"]).command, ["curl", "h/x"]);
  assertEquals(splitCurlSecrets(["curl", "--url=https://u:p@h/x"]).command, [
    "curl",
    "--url=https://h/x",
  ]);
  // curl's URL parser takes one to three slashes after the scheme, userinfo included.
  for (const slashes of ["/", "//", "///"]) {
    const s = splitCurlSecrets(["curl", `http:${slashes}u:${SECRET}@h/x`, "-o", "/tmp/barn/o"]);
    assertEquals(s.command, ["curl", `http:${slashes}h/x`, "-o", "/tmp/barn/o"]);
    assertEquals(s.configs, [{ at: 1, text: `user = "u:${SECRET}"\n` }]);
  }
  // The same login on every URL of a group is one user line.
  const two = splitCurlSecrets(["curl", "https://u:p@h/a", "https://u:p@h/b"]);
  assertEquals(two.command, ["curl", "https://h/a", "https://h/b"]);
  assertEquals(two.configs.length, 1);
  for (
    const ambiguous of [
      ["https://u:p@h/a", "https://v:q@h/b"], // different logins in one group
      ["https://u:p@h/a", "https://other/b"], // the other URL would get them
      ["-u", "x:y", "https://u:p@h/a"], // two logins for one URL
      ["https://{u:p@a,v:q@b}/"], // globbing across logins
      ["https://u:%zz@h/"], // bad percent-encoding
      ["https://a%3Ab:p@h/"], // ':' in the user name
    ]
  ) {
    const e = assertThrows(() => splitCurlSecrets(["curl", ...ambiguous]), BarnError);
    assertEquals(e.code, "E_USAGE", ambiguous.join(" "));
    assert(!e.message.includes(":p@"), e.message);
  }
});

Deno.test("proxy userinfo becomes proxy-user, never the origin's user", () => {
  const s = splitCurlSecrets(["curl", "-x", "http://pu:pp@proxy:3128", "https://h/f"]);
  assertEquals(s.command, ["curl", "-x", "http://proxy:3128", "https://h/f"]);
  assertEquals(s.configs, [{ at: 1, text: 'proxy-user = "pu:pp"\n' }]);
  const one = splitCurlSecrets(["curl", "-x", "http:/pu:pp@proxy:3128", "https://h/f"]);
  assertEquals(one.command, ["curl", "-x", "http:/proxy:3128", "https://h/f"]);
  assertEquals(one.configs, [{ at: 1, text: 'proxy-user = "pu:pp"\n' }]);
  // --proxy1.0 takes a proxy as -x does; with a login it moves whole, with or without a scheme.
  for (const p of ["pu:pp@proxy:3128", "http://pu:pp@proxy:3128"]) {
    const s10 = splitCurlSecrets(["curl", "--proxy1.0", p, "https://h/f"]);
    assertEquals(s10.command, ["curl", "https://h/f"]);
    assertEquals(s10.configs, [{ at: 1, text: `proxy1.0 = "${p}"\n` }]);
  }
  const glued = splitCurlSecrets(["curl", "-sxpu:pp@proxy:3128", "https://h/f"]);
  assertEquals(glued.command, ["curl", "-sxproxy:3128", "https://h/f"]);
  assertEquals(glued.configs[0]!.text, 'proxy-user = "pu:pp"\n');
  for (
    const twice of [
      ["-U", "a:b", "-x", "http://pu:pp@p"],
      ["-x", "http://pu:pp@p1", "-x", "http://p2"],
    ]
  ) {
    assertEquals(
      assertThrows(() => splitCurlSecrets(["curl", ...twice, "https://h/"]), BarnError).code,
      "E_USAGE",
    );
  }
});

Deno.test("one config file per --next group, its -K at the start of that group", () => {
  const argv = [
    "curl",
    "-q",
    "-u",
    "a:1",
    "https://h/a",
    "--next",
    "https://h/b",
    "--next",
    "-sH",
    "Cookie: c=2",
    "https://v:3@h/c",
  ];
  const s = splitCurlSecrets(argv);
  assertEquals(s.command, [
    "curl",
    "-q",
    "https://h/a",
    "--next",
    "https://h/b",
    "--next",
    "-s",
    "https://h/c",
  ]);
  assertEquals(s.configs, [
    { at: 2, text: 'user = "a:1"\n' },
    { at: 6, text: 'header = "Cookie: c=2"\nuser = "v:3"\n' },
  ]);
  assertEquals(withCurlConfigs(s.command, s.configs, ["/k/1", "/k/2"]), [
    "curl",
    "-q",
    "-K",
    "/k/1",
    "https://h/a",
    "--next",
    "https://h/b",
    "--next",
    "-K",
    "/k/2",
    "-s",
    "https://h/c",
  ]);
});

Deno.test("refused: -K of the user's own, trace files with moved credentials, --expand- of a credential", () => {
  const cases = [
    ["-K", "/tmp/barn/my.conf", "https://h/"],
    ["--config=/tmp/barn/my.conf", "https://h/"],
    ["-u", "a:b", "--trace", "/tmp/barn/t", "https://h/"],
    ["-u", "a:b", "--trace-ascii", "-", "https://h/"],
    ["-u", "a:b", "--libcurl", "/tmp/barn/c.c", "https://h/"],
    ["-u", "a:b", "--stderr", "/tmp/barn/e.log", "https://h/"],
    ["--expand-user", "{{u}}", "https://h/"],
    ["--expand-header", "Authorization: {{t}}", "https://h/"],
    ["--expand-url", "https://{{u}}@h/", "https://h/"],
    ["-e", "https://u:p@ref/", "https://h/"], // userinfo where barn can't move it
    ["-e", "https:/u:p@ref/", "https://h/"], // one slash, as curl's URL parser takes it
    ["-e", "https:///u:p@ref/", "https://h/"],
  ];
  for (const c of cases) {
    const e = assertThrows(() => splitCurlSecrets(["curl", ...c]), BarnError);
    assertEquals(e.code, "E_USAGE", c.join(" "));
    assert(!e.message.includes("u:p@"), e.message);
  }
  // A trace to stdout or stderr lands in the logs, with logins barn can't see (netrc, -H @file).
  for (
    const c of [
      ["--netrc-file", "/tmp/barn/n", "--trace", "-"],
      ["-H", "@/tmp/barn/h", "--trace-ascii=%"],
      ["-H", "@/tmp/barn/h", "--libcurl", "-"],
    ]
  ) {
    const e = assertThrows(() => splitCurlSecrets(["curl", ...c, "https://h/"]), BarnError);
    assertEquals(e.code, "E_USAGE", c.join(" "));
    assert(e.message.includes("logs"), e.message);
  }
  // Without credentials to move, tracing is the user's business; -v --stderr - goes to the logs.
  assertEquals(splitCurlSecrets(["curl", "--trace", "/tmp/barn/t", "https://h/"]).configs, []);
  assertEquals(splitCurlSecrets(["curl", "-u", "a:b", "--stderr", "-", "https://h/"]).configs, [
    { at: 1, text: 'user = "a:b"\n' },
  ]);
});

Deno.test("config-file quoting", () => {
  assertEquals(curlQuote('a"b\\c\nd\te'), '"a\\"b\\\\c\\nd\\te"');
});
