import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { checkArgs, inputSchema, TOOLS, WAIT_LIMIT_SECONDS } from "../../../src/mcp/tools.ts";

const tool = (name: string) => TOOLS.find((t) => t.name === name)!;

Deno.test("every tool publishes an object JSON Schema that refuses unknown arguments", () => {
  for (const t of TOOLS) {
    const s = inputSchema(t);
    assertEquals([s.type, s.additionalProperties], ["object", false], t.name);
    assert(!("$schema" in s), t.name);
  }
  assertEquals(inputSchema(tool("run")).required as string[], ["command"]);
});

Deno.test("checkArgs: a mismatch is barn's E_USAGE naming the argument", () => {
  assertEquals(checkArgs(tool("describe"), { id: "k3f9" }), { id: "k3f9" });
  const e = assertThrows(() => checkArgs(tool("run"), { command: [] }), BarnError);
  assertEquals(e.code, "E_USAGE");
  assert(e.message.includes("command"), e.message);
  assertThrows(() => checkArgs(tool("kill"), { id: "k3f9", force: true }), BarnError);
  assertThrows(
    () => checkArgs(tool("wait"), { ids: ["k3f9"], timeout_seconds: WAIT_LIMIT_SECONDS + 1 }),
    BarnError,
  );
  assertEquals(checkArgs(tool("hostinfo"), undefined), {});
});
