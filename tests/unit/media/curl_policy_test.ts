import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { BarnError } from "../../../src/errors.ts";
import {
  checkCurlProtocols,
  curlRunArgv,
  protoIntersection,
} from "../../../src/media/curl_policy.ts";

const WEB = ["http", "https"];

Deno.test("--proto values are read as curl reads them, then intersected", () => {
  assertEquals(protoIntersection("=https", WEB), ["https"]);
  assertEquals(protoIntersection("-all,+http", WEB), ["http"]);
  assertEquals(protoIntersection("all,-http", WEB), ["https"]);
  assertEquals(protoIntersection("=all", WEB), WEB);
  assertEquals(protoIntersection("+file,ftp", WEB), WEB); // starts from all; adding changes nothing
  assertEquals(protoIntersection("=file", WEB), []);
  assertEquals(protoIntersection("=HTTPS,", WEB), ["https"]);
  assertEquals(protoIntersection("=nosuch", WEB), []);
});

Deno.test("every group runs with the allowed protocols; -q comes first", () => {
  assertEquals(curlRunArgv(["curl", "-sS", "https://h/"], WEB), [
    "curl",
    "-q",
    "--proto",
    "=http,https",
    "--proto-redir",
    "=http,https",
    "-sS",
    "https://h/",
  ]);
  // A user's --proto narrows (it is replaced by the intersection); each group gets its own.
  assertEquals(
    curlRunArgv([
      "curl",
      "-q",
      "--proto",
      "=https,file",
      "https://h/a",
      "--next",
      "--proto=-all,+ftp",
      "--proto-redir",
      "=http",
      "http://h/b",
    ], WEB),
    [
      "curl",
      "-q",
      "--proto",
      "=https",
      "--proto-redir",
      "=http,https",
      "https://h/a",
      "--next",
      "--proto",
      "-all",
      "--proto-redir",
      "=http",
      "http://h/b",
    ],
  );
  // Wider config widens the run.
  assertEquals(curlRunArgv(["curl", "ftp://h/"], ["ftp", "http"]).slice(1, 4), [
    "-q",
    "--proto",
    "=ftp,http",
  ]);
});

Deno.test("a --proto that leaves nothing allowed is refused at submission", () => {
  checkCurlProtocols(["curl", "--proto", "=https", "https://h/"], WEB);
  for (
    const argv of [
      ["curl", "--proto", "=file", "file:///etc/hostname"],
      ["curl", "https://h/", "--next", "--proto-redir", "-all", "https://h/"],
    ]
  ) {
    assertEquals(assertThrows(() => checkCurlProtocols(argv, WEB), BarnError).code, "E_USAGE");
  }
});
