import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import { jobFileArgs, refuseSecretInputs } from "../../../src/media/secret_inputs.ts";

Deno.test("which argv words can name files, per tool", () => {
  assertEquals(jobFileArgs(["barn", "put", "--overwrite", "/tmp/barn/a", "https://h/x"]), [
    "/tmp/barn/a",
  ]);
  assertEquals(jobFileArgs(["barn", "get", "https://h/x", "/tmp/barn/a"]), ["/tmp/barn/a"]);
  assertEquals(jobFileArgs(["curl", "-T", "/a", "https://h/"]), ["/a"]);
  assertEquals(jobFileArgs(["python3", "/a"]), []);
  const ff = jobFileArgs(["ffmpeg", "-i", "file:/a", "-vf", "movie=/b", "concat:/c|/d", "o.mp4"]);
  for (const p of ["/a", "/b", "/c", "/d", "o.mp4"]) assertEquals(ff?.includes(p), true, p);
});

Deno.test("a job naming a secret, directly or through a link, is refused with E_SANDBOX", () => {
  const secret = "/tmp/barn/h/jobs/j1/secrets/curl.conf";
  // Where each existing path leads: a link `s` to the secret, and an ordinary file.
  const links: Record<string, string> = {
    "/tmp/barn/h/s": secret,
    "/tmp/barn/h/input/a.mp4": "/tmp/barn/h/input/a.mp4",
  };
  const leadsTo = (p: string) => links[p] ?? null;
  const refused = (command: string[], cwd = "/tmp/barn/h") =>
    assertThrows(() => refuseSecretInputs(command, cwd, new Map(), leadsTo), BarnError).code;
  assertEquals(refused(["curl", "-T", secret, "https://h/"]), "E_SANDBOX");
  assertEquals(refused(["curl", "-d", "@s", "https://h/"]), "E_SANDBOX");
  assertEquals(refused(["ffmpeg", "-i", "/tmp/barn/h/s", "-f", "null", "-"]), "E_SANDBOX");
  assertEquals(refused(["ffprobe", "../h/credentials.json"], "/tmp/barn/h/input"), "E_SANDBOX");
  assertEquals(refused(["barn", "put", "/tmp/barn/h/s", "https://h/x"]), "E_SANDBOX");
  assertEquals(refused(["curl", "-T", "[1-9][0-9][0-9][0-9][0-9]", "https://h/"]), "E_SANDBOX");
  // Ordinary files, and paths outside the sandbox (barn cannot look there), pass.
  refuseSecretInputs(
    ["curl", "-T", "input/a.mp4", "https://h/"],
    "/tmp/barn/h",
    new Map(),
    leadsTo,
  );
  refuseSecretInputs(["curl", "-T", "/home/u/s", "https://h/"], "/tmp/barn/h", new Map(), leadsTo);
});
