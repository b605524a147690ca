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

Deno.test("config: groups over the defaults; max_parallel a global cap and the limit of unnamed groups", () => {
  const cpus = navigator.hardwareConcurrency || 2;
  const d = defaultConfig();
  assertEquals(d.max_parallel, null);
  assertEquals(d.groups, { transcode: cpus, probe: 8, transfer: 4, default: cpus });
  assertEquals(d.group_of, {
    ffmpeg: "transcode",
    ffprobe: "probe",
    curl: "transfer",
    get: "transfer",
    put: "transfer",
  });
  const c = parseConfig('{"groups": {"transcode": 1, "gpu": 2}, "group_of": {"curl": "gpu"}}');
  assertEquals(c.groups, { transcode: 1, probe: 8, transfer: 4, default: cpus, gpu: 2 });
  assertEquals(c.group_of.curl, "gpu");
  // A config from before groups keeps its meaning: at most N jobs at once, in any group.
  const old = parseConfig('{"max_parallel": 3}');
  assertEquals([old.max_parallel, old.groups], [3, {
    transcode: 3,
    probe: 3,
    transfer: 3,
    default: 3,
  }]);
  assertEquals(
    parseConfig('{"max_parallel": 3, "groups": {"probe": 8}}').groups.probe,
    8,
  );
  for (
    const [text, key] of [
      ['{"groups": {"probe": 0}}', "groups.probe"],
      ['{"groups": {"probe": 1.5}}', "groups.probe"],
      ['{"groups": {"a b": 1}}', "groups.a b"],
      ['{"groups": {"4k": 1}}', "groups.4k"],
      ['{"groups": [1]}', "groups"],
      ['{"group_of": {"ffmpeg": "nowhere"}}', "group_of.ffmpeg"],
      ['{"group_of": {"sh": "probe"}}', "group_of.sh"],
    ]
  ) {
    const e = assertThrows(() => parseConfig(text!), BarnError);
    assertEquals(e.code, "E_CONFIG");
    assertEquals(e.message.includes(`'${key}'`), true, e.message);
  }
});
