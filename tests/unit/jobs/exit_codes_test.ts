import { assert, assertEquals } from "../../helpers/assert.ts";
import { BARN_EXIT, exitCodeFor, OUTCOME_EXIT } from "../../../src/jobs/exit_codes.ts";

Deno.test("a job's own code passes through; symbolic codes map per the table", () => {
  assertEquals(exitCodeFor(0), 0);
  assertEquals(exitCodeFor(7), 7);
  assertEquals(exitCodeFor(255), 255);
  assertEquals(exitCodeFor("E_TIMEOUT"), 124);
  assertEquals(exitCodeFor("E_CANCELED"), 130);
  assertEquals(exitCodeFor("E_SPAWN"), 127);
  assertEquals(exitCodeFor("E_NOT_ALLOWED"), 126);
  assertEquals(exitCodeFor("E_HTTP_404"), OUTCOME_EXIT.E_HTTP);
});

Deno.test("barn's reserved codes are distinct from each other where they mean different things", () => {
  assertEquals(BARN_EXIT.E_USAGE, 2);
  const reserved = [
    BARN_EXIT.E_NO_SERVICE,
    BARN_EXIT.E_NOT_FOUND,
    BARN_EXIT.E_STATE,
    BARN_EXIT.E_WAIT_TIMEOUT,
    BARN_EXIT.E_SANDBOX,
  ];
  assertEquals(new Set(reserved).size, reserved.length);
  // above curl's own range (1-99), so a passed-through curl code never looks like barn's
  for (const c of reserved) assert(c >= 100 && c < 124);
});

Deno.test("docs/exit-codes.md lists every code in the table", () => {
  const doc = Deno.readTextFileSync(new URL("../../../docs/exit-codes.md", import.meta.url));
  for (const [code, n] of [...Object.entries(BARN_EXIT), ...Object.entries(OUTCOME_EXIT)]) {
    assert(
      new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${n}\\s*\\|`).test(doc),
      `docs/exit-codes.md lacks | \`${code}\` | ${n} |`,
    );
  }
});
