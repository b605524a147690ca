import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { defaultConfig, parseConfig } from "../../../src/config/config.ts";
import { BarnError } from "../../../src/errors.ts";

Deno.test("config: defaults, documented keys, and refusals naming the key", () => {
  assertEquals(parseConfig("{}"), defaultConfig());
  const c = parseConfig(
    '{"max_parallel": 3, "kill_grace": "2s", "max_age": "1d", "allowed_commands": ["ffprobe"]}',
  );
  assertEquals([c.max_parallel, c.kill_grace_seconds, c.max_age_seconds, c.allowed_commands], [
    3,
    2,
    86400,
    ["ffprobe"],
  ]);
  for (
    const [text, key] of [
      ['{"max_parallel": 0}', "max_parallel"],
      ['{"allowed_commands": ["sh"]}', "allowed_commands"],
      ['{"nope": 1}', "nope"],
      ['{"kill_grace": "soon"}', "kill_grace"],
      ['{"socket_name": "../x"}', "socket_name"],
    ]
  ) {
    const e = assertThrows(() => parseConfig(text!), BarnError);
    assertEquals(e.code, "E_CONFIG");
    assertEquals(e.message.includes(key!), true, e.message);
  }
  assertEquals(assertThrows(() => parseConfig("{not json"), BarnError).code, "E_CONFIG");
});

Deno.test("config: socket_name can never name a file barn keeps; busy_timeout is bounded", () => {
  for (
    const name of ["barn.db", "barn.db-wal", "config.json", "x", "keeper-v2.sock", "../a.sock"]
  ) {
    const e = assertThrows(() => parseConfig(JSON.stringify({ socket_name: name })), BarnError);
    assertEquals(e.code, "E_CONFIG", name);
  }
  assertEquals(parseConfig('{"socket_name": "alt.sock"}').socket_name, "alt.sock");
  assertEquals(parseConfig('{"busy_timeout": "2s"}').busy_timeout_seconds, 2);
  assertEquals(defaultConfig().busy_timeout_seconds, 10);
  for (const bad of ['"0s"', '"1h"', '"soon"']) {
    assertThrows(() => parseConfig(`{"busy_timeout": ${bad}}`), BarnError);
  }
});

Deno.test("config: protocol lists for curl and ffmpeg jobs, by name", () => {
  const d = defaultConfig();
  assertEquals(d.curl_protocols, ["http", "https"]);
  assertEquals(d.ffmpeg_protocols, ["file", "pipe", "http", "https", "tcp", "tls", "crypto"]);
  const c = parseConfig(
    '{"curl_protocols": ["http", "https", "ftp"], "ffmpeg_protocols": ["file"]}',
  );
  assertEquals([c.curl_protocols, c.ffmpeg_protocols], [["http", "https", "ftp"], ["file"]]);
  for (
    const text of [
      '{"curl_protocols": []}',
      '{"curl_protocols": "http"}',
      '{"curl_protocols": ["htp"]}',
      '{"ffmpeg_protocols": ["file", "gopher2"]}',
    ]
  ) {
    assertEquals(assertThrows(() => parseConfig(text), BarnError).code, "E_CONFIG", text);
  }
});
