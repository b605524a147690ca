import { assertEquals } from "../../helpers/assert.ts";
import { cleanupHome, tempHome } from "../../helpers/barn.ts";
import {
  everStarted,
  hasExitFile,
  readExitFile,
  readStopRequest,
  writeStopRequest,
} from "../../../src/store/job_dir.ts";

Deno.test("job dir: exit.json and a stop request, absent, written or unreadable", async () => {
  const dir = tempHome("jobdir");
  try {
    assertEquals([readExitFile(dir), hasExitFile(dir), readStopRequest(dir)], [null, false, null]);
    Deno.writeTextFileSync(`${dir}/exit.json`, "{not json");
    assertEquals([readExitFile(dir), hasExitFile(dir)], [null, true]);
    writeStopRequest(dir, { code: "E_TIMEOUT", error: "took too long" });
    assertEquals(readStopRequest(dir), { code: "E_TIMEOUT", error: "took too long" });
    Deno.writeTextFileSync(`${dir}/cancel.json`, "{not json");
    assertEquals(readStopRequest(dir), { code: "E_CANCELED", error: "canceled by `barn kill`" });
  } finally {
    await cleanupHome(dir);
  }
});

Deno.test("job dir: a job ever started once its lock or a log exists", async () => {
  const dir = tempHome("jobdir");
  try {
    assertEquals(everStarted(dir), false);
    Deno.writeTextFileSync(`${dir}/stderr.log`, "");
    assertEquals(everStarted(dir), true);
  } finally {
    await cleanupHome(dir);
  }
});
