import { assert, assertEquals } from "../../../helpers/assert.ts";
import { SKILL } from "../../../../src/cli/commands/skills.ts";
import { BARN_EXIT, OUTCOME_EXIT } from "../../../../src/jobs/exit_codes.ts";

Deno.test("the skill file's exit codes are the table's", () => {
  const table: Record<string, number> = { ...BARN_EXIT, ...OUTCOME_EXIT };
  const named = [...SKILL.matchAll(/\b(E_[A-Z_]+) \((\d+)\)/g)];
  assert(named.length >= 5, "the skill names codes with their numbers");
  for (const [, code, n] of named) assertEquals(table[code!], Number(n), `${code} in the skill`);
});
