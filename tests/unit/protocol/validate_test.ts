import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { parseRequest } from "../../../src/protocol/validate.ts";
import { BarnError } from "../../../src/errors.ts";

function problem(raw: unknown): string {
  const e = assertThrows(() => parseRequest(raw), BarnError);
  assertEquals(e.code, "E_BAD_REQUEST");
  return e.message;
}

const job = { command: ["curl", "--version"], cwd: "/tmp/barn" };

Deno.test("validate: well-formed requests pass unchanged", () => {
  const submit = {
    kind: "submit",
    jobs: [{
      ...job,
      tag: "t",
      key: null,
      timeout_seconds: 5,
      secrets: { curl_configs: [{ at: 1, text: "x" }] },
    }],
  };
  assertEquals(parseRequest(submit), submit as unknown);
  assertEquals(parseRequest({ kind: "status", filter: { state: "running", limit: 5 } }), {
    kind: "status",
    filter: { state: "running", limit: 5 },
  });
  const text = { kind: "status", filter: {}, text: "json" };
  assertEquals(parseRequest(text), text as unknown);
  assertEquals(parseRequest({ kind: "clean" }), { kind: "clean" });
  assertEquals(parseRequest({ kind: "wait", ids: [] }), { kind: "wait", ids: [] });
});

Deno.test("validate: each problem is named with its path", () => {
  assertMatch(problem({ kind: "nope" }), /unknown request kind at kind: expected one of hello, /);
  assertMatch(problem("submit"), /unknown request kind/);
  assertMatch(problem({ kind: "kill" }), /missing at id/);
  assertMatch(problem({ kind: "kill", id: "x", extra: 1 }), /unknown key "extra"/);
  assertMatch(
    problem({ kind: "submit", jobs: [job, { ...job, command: ["curl", 7] }] }),
    /expected a string at jobs\.1\.command\.1, got number/,
  );
  assertMatch(problem({ kind: "submit", jobs: [] }), /too few items at jobs: at least 1/);
  assertMatch(problem({ kind: "submit", jobs: [{ ...job, cwd: null }] }), /jobs\.0\.cwd, got null/);
  assertMatch(
    problem({ kind: "submit", jobs: [{ ...job, tag: "x".repeat(4097) }] }),
    /too long at jobs\.0\.tag: at most 4096/,
  );
  assertMatch(
    problem({ kind: "submit", jobs: [{ ...job, timeout_seconds: 0 }] }),
    /above 0 at jobs\.0\.timeout_seconds/,
  );
  assertMatch(
    problem({ kind: "status", filter: { state: "sleeping" } }),
    /expected one of queued, .* at filter\.state/,
  );
  assertMatch(problem({ kind: "describe", id: "x", lines: 1.5 }), /integer at lines/);
  assertMatch(problem({ kind: "release", latch: "" }), /too short at latch/);
  assertMatch(problem({ kind: "shutdown", kill_jobs: "yes" }), /true or false at kill_jobs/);
  assertMatch(
    problem({ kind: "submit", jobs: [{ ...job, secrets: { dav_auth: { user: "u" } } }] }),
    /missing at jobs\.0\.secrets\.dav_auth\.password/,
  );
  assertMatch(
    problem({
      kind: "submit",
      jobs: [{ ...job, secrets: { curl_configs: [{ at: 0, text: "x" }] } }],
    }),
    /at least 1 at jobs\.0\.secrets\.curl_configs\.0\.at/,
  );
});

Deno.test("validate: a listing as text is json only, and only on a protocol 3 connection", () => {
  assertMatch(problem({ kind: "status", filter: {}, text: "xml" }), /text/);
  const e = assertThrows(
    () => parseRequest({ kind: "status", filter: {}, text: "json" }, 2),
    BarnError,
  );
  assertEquals(e.code, "E_BAD_REQUEST");
  assertMatch(e.message, /needs protocol 3/);
  assertEquals(parseRequest({ kind: "status", filter: {} }, 2), { kind: "status", filter: {} });
});

Deno.test("validate: inherited names are not keys", () => {
  assertMatch(problem(JSON.parse('{"kind":"clean","toString":1}')), /unknown key "toString"/);
  assertMatch(problem(JSON.parse('{"kind":"clean","__proto__":{}}')), /unknown key "__proto__"/);
  assertMatch(problem({ kind: "toString" }), /unknown request kind/);
});

Deno.test("validate: listen may carry the epoch of its since; logs names its stream", () => {
  const listen = { kind: "listen", since: 4, epoch: "0123456789abcdef" };
  assertEquals(parseRequest(listen), listen as unknown);
  assertMatch(problem({ kind: "listen", epoch: "" }), /too short at epoch/);
  const logs = { kind: "logs", id: "abcd", which: "both", tail: 5, follow: true };
  assertEquals(parseRequest(logs), logs as unknown);
  assertMatch(
    problem({ kind: "logs", id: "abcd", which: "all", follow: false }),
    /expected one of stdout, stderr, both at which/,
  );
  assertMatch(problem({ kind: "logs", id: "abcd", which: "stdout" }), /missing at follow/);
});
