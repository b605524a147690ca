import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { parseInventory } from "../../../src/fleet/inventory.ts";
import { parseQualifiedId, qualify } from "../../../src/fleet/qualified_id.ts";

Deno.test("HOST:ID splits at the last colon; the host comes from the inventory when there is one", () => {
  assertEquals(parseQualifiedId("media-1:K3F9", null), {
    host: { name: "media-1", tags: [], barn: "barn" },
    id: "k3f9",
  });
  assertEquals(parseQualifiedId("ssh://u@h:22:abcd1234", null).host.name, "ssh://u@h:22");
  const inv = parseInventory("a gpu barn=/opt/barn\n");
  assertEquals(parseQualifiedId("a:abcd", inv).host, inv[0]);
  assertEquals(qualify("a", "abcd"), "a:abcd");
  // A job's name, as barn takes it: HOST:@NAME.
  assertEquals(parseQualifiedId("media-1:@render", null).id, "@render");
  const usage = (f: () => unknown) => {
    const e = assertThrows(f, BarnError);
    assertEquals(e.code, "E_USAGE");
    return e.message;
  };
  assertMatch(usage(() => parseQualifiedId("abcd", null)), /not a host-qualified job id/);
  assertMatch(usage(() => parseQualifiedId(":abcd", null)), /not a host-qualified job id/);
  assertMatch(usage(() => parseQualifiedId("a:ab", null)), /not a job id/);
  assertMatch(usage(() => parseQualifiedId("-oX=y:abcd", null)), /starts with '-'/);
  assertMatch(
    usage(() => parseQualifiedId("b:abcd", inv)),
    /host 'b' of 'b:abcd' is not in --hosts/,
  );
});
