import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { classifySshExit, stderrTail } from "../../../src/fleet/ssh_errors.ts";

const code = (x: Parameters<typeof classifySshExit>[0]) => classifySshExit(x).code;

Deno.test("ssh exits map to the fleet's codes", () => {
  const base = { host: "h", answered: false };
  assertEquals(
    code({ ...base, code: 255, stderr: "u@h: Permission denied (publickey).\r\n" }),
    "E_SSH_AUTH",
  );
  assertEquals(
    code({ ...base, code: 255, stderr: "Host key verification failed.\n" }),
    "E_SSH_AUTH",
  );
  assertEquals(
    code({ ...base, code: 255, stderr: "ssh: connect to host h port 22: Connection refused\n" }),
    "E_SSH_UNREACHABLE",
  );
  assertEquals(
    code({ ...base, code: 255, stderr: "ssh: Could not resolve hostname h\n" }),
    "E_SSH_UNREACHABLE",
  );
  assertEquals(
    code({ ...base, code: 127, stderr: "bash: line 1: barn: command not found\n" }),
    "E_BARN_MISSING",
  );
  assertEquals(
    code({ ...base, code: 126, stderr: "bash: /opt/barn: Permission denied\n" }),
    "E_BARN_MISSING",
  );
  assertEquals(
    code({
      ...base,
      code: 2,
      stderr: "barn: error: unknown command 'dial-stdio'; see `barn --help` [E_USAGE]\n",
    }),
    "E_VERSION",
  );
  assertEquals(code({ ...base, code: 1, stderr: "something else\n" }), "E_PROTOCOL");
  // After the handshake: a lost connection, or a service that went away.
  assertEquals(code({ host: "h", answered: true, code: 255, stderr: "" }), "E_SSH_UNREACHABLE");
  assertEquals(code({ host: "h", answered: true, code: 0, stderr: "" }), "E_NO_SERVICE");
});

Deno.test("stderr in messages is cut to its last lines and escaped", () => {
  assertEquals(stderrTail("a\n\nb\r\nc\nd\n"), "b; c; d");
  assertEquals(stderrTail("\x1b[2Jgone\u202e"), "\\u001b[2Jgone\\u202e");
  assertMatch(stderrTail("x".repeat(1000)), /^….{300}$/);
  assertMatch(
    classifySshExit({ host: "h", answered: false, code: 255, stderr: "\x1b]0;pwn\x07" }).message,
    /\\u001b\]0;pwn\\u0007/,
  );
});
