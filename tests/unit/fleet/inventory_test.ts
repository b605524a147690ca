import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import {
  candidates,
  checkHostName,
  checkRemotePath,
  parseHostList,
  parseInventory,
} from "../../../src/fleet/inventory.ts";

function usage(f: () => unknown): string {
  const e = assertThrows(f, BarnError);
  assertEquals(e.code, "E_USAGE");
  return e.message;
}

Deno.test("inventory: --hosts=a,b,c and stdin lines with tags and a barn path", () => {
  assertEquals(parseHostList("a, b,c,", "/opt/barn"), [
    { name: "a", tags: [], barn: "/opt/barn" },
    { name: "b", tags: [], barn: "/opt/barn" },
    { name: "c", tags: [], barn: "/opt/barn" },
  ]);
  assertEquals(
    parseInventory(
      "# media hosts\nmedia-1.example.com gpu eu\n\n  enc@10.0.0.7 barn=/opt/barn/bin/barn # spare\nssh://u@h:2222\n",
    ),
    [
      { name: "media-1.example.com", tags: ["gpu", "eu"], barn: "barn" },
      { name: "enc@10.0.0.7", tags: [], barn: "/opt/barn/bin/barn" },
      { name: "ssh://u@h:2222", tags: [], barn: "barn" },
    ],
  );
});

Deno.test("inventory: names ssh would read as options, or a shell as several words, are refused", () => {
  assertMatch(usage(() => checkHostName("-oProxyCommand=touch /tmp/x")), /starts with '-'/);
  assertMatch(
    usage(() => parseHostList("a,-F/etc/passwd")),
    /--hosts: host "-F\/etc\/passwd" starts with '-'/,
  );
  assertMatch(usage(() => checkHostName("a;b")), /not an ssh destination/);
  assertMatch(usage(() => checkHostName("a b")), /not an ssh destination/);
  assertMatch(usage(() => checkHostName("a\u202eb")), /not an ssh destination/);
  assertMatch(usage(() => parseInventory("ok\nbad$(x)\n")), /inventory line 2: host/);
  assertMatch(usage(() => parseInventory("h barn=/x;rm\n")), /inventory line 1: barn path/);
  assertMatch(usage(() => parseInventory("h a=b\n")), /neither a tag .* nor barn=PATH/);
  assertMatch(usage(() => checkRemotePath("-x")), /not starting with '-'/);
  assertMatch(usage(() => checkRemotePath("/a b")), /plain path/);
  assertEquals(checkRemotePath("~/bin/barn"), "~/bin/barn");
  assertMatch(usage(() => parseHostList("a,a")), /listed twice/);
  assertMatch(usage(() => parseInventory("# nothing\n")), /names no hosts/);
});

Deno.test("inventory: --on picks a host, every host, or the tagged ones", () => {
  const hosts = parseInventory("a gpu\nb\nc gpu eu\n");
  assertEquals(candidates(hosts, "any").map((h) => h.name), ["a", "b", "c"]);
  assertEquals(candidates(hosts, "tag:gpu").map((h) => h.name), ["a", "c"]);
  assertEquals(candidates(hosts, "b").map((h) => h.name), ["b"]);
  assertMatch(
    usage(() => candidates(hosts, "tag:arm")),
    /no host in the inventory has the tag "arm"/,
  );
  assertMatch(usage(() => candidates(hosts, "d")), /not in the inventory/);
});
