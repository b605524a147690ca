import { assert, assertMatch } from "../helpers/assert.ts";
import { DENO, ROOT } from "../helpers/barn.ts";

/** Runs a script that installs logCrashes, then fails as `fail` says; returns its exit code and log. */
async function crash(fail: string): Promise<{ code: number; log: string }> {
  const dir = Deno.makeTempDirSync({ prefix: "barn-crash-log-" });
  try {
    Deno.writeTextFileSync(
      `${dir}/daemon.ts`,
      `import { logCrashes } from ${JSON.stringify(`${ROOT}src/crash_log.ts`)};\n` +
        `logCrashes((m) => Deno.writeTextFileSync(${
          JSON.stringify(`${dir}/daemon.log`)
        }, m + "\\n", { append: true }));\n` +
        `${fail}\n`,
    );
    const r = await new Deno.Command(DENO, {
      args: ["run", "-q", "-A", "--no-lock", `${dir}/daemon.ts`],
      stdout: "null",
      stderr: "null",
    }).output();
    let log = "";
    try {
      log = Deno.readTextFileSync(`${dir}/daemon.log`);
    } catch { /* nothing logged */ }
    return { code: r.code, log };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("logCrashes: an unhandled rejection is logged with its stack, and the process still ends", async () => {
  const r = await crash('Promise.reject(new Error("the keeper link broke"));');
  assert(r.code !== 0, `exit code ${r.code}`);
  assertMatch(r.log, /^exiting: an unhandled error .*the keeper link broke/);
  assertMatch(r.log, /daemon\.ts:\d+/);
});

Deno.test("logCrashes: an error thrown in a timer is logged, and the process still ends", async () => {
  const r = await crash('setTimeout(() => { throw new TypeError("x is undefined"); }, 0);');
  assert(r.code !== 0, `exit code ${r.code}`);
  assertMatch(r.log, /^exiting: an uncaught error .*TypeError: x is undefined/);
});
