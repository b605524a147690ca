import { assert, assertEquals } from "../../helpers/assert.ts";
import { awkwardJobs } from "../../helpers/awkward_jobs.ts";
import { sampleJob } from "../../helpers/job_fixture.ts";
import { join } from "../../../src/platform/path.ts";
import {
  blobParts,
  indentJson,
  LISTING_LAYOUT,
  listingBlob,
  RecordText,
} from "../../../src/store/record_text.ts";
import { COLUMNS, fromRow, keptAsIs, toParams } from "../../../src/store/rows.ts";

/** The reference: the record JSON.stringify prints, alone or as an element of the indented array. */
const compact = (j: unknown) => JSON.stringify(j);
const indented = (j: unknown) => JSON.stringify([j], null, 2).slice(2, -2);

Deno.test("RecordText prints what JSON.stringify prints of fromRow(row), compact and indented, byte for byte; odd ids are left to it", () => {
  for (const home of ["/tmp/barn/h", `/tmp/barn/we"ird\\hôme`, "/tmp/barn/0id0"]) {
    const jobDir = (id: string) => join(home, "jobs", id);
    const texts = {
      compact: new RecordText(jobDir, "compact"),
      indented: new RecordText(jobDir, "indented"),
    };
    for (const { job, plain } of awkwardJobs()) {
      const row = toParams(job); // the row as SQLite gives it back, in COLUMNS order
      const record = fromRow(
        Object.fromEntries(COLUMNS.map((c, i) => [c, row[i]])),
        jobDir(job.job_id),
      );
      for (const [layout, ref] of [["compact", compact], ["indented", indented]] as const) {
        const text = texts[layout].of(row);
        if (plain) assertEquals(text, ref(record), `${layout} ${job.job_id} in ${home}`);
        else assertEquals(text, null, `${job.job_id} takes the JSON.stringify path`);
      }
    }
  }
});

Deno.test("RecordText leaves a row it can't be sure of to JSON.stringify: unexpected types, stored JSON it did not write", () => {
  const text = new RecordText((id) => `/tmp/barn/h/jobs/${id}`, "indented");
  const { job } = awkwardJobs()[1]!;
  const good = toParams(job);
  assert(text.of(good) !== null);
  const at = (c: string) => COLUMNS.indexOf(c as (typeof COLUMNS)[number]);
  const spoiled: [string, unknown][] = [
    ["tag", new Uint8Array([1])],
    ["pid", 10n],
    ["command", null],
    ["command", '["curl", "x"]'], // a space JSON.stringify would not write
    ["meta", '{"a":[1}'],
    ["after", 7],
    ["exit_code", undefined],
  ];
  for (const [col, v] of spoiled) {
    const row: unknown[] = [...good];
    row[at(col)] = v;
    assertEquals(text.of(row), null, `${col} = ${String(v)}`);
  }
});

Deno.test("indentJson lays JSON.stringify's text out as JSON.stringify(…, null, 2) does, and refuses other text", () => {
  const values: unknown[] = [
    [],
    {},
    [[]],
    [{}],
    { a: [], b: {}, c: [{}, []] },
    ["curl", "--version"],
    { "a,b": "c:d", "[": "]", "{": "}", '"': "\\", e: ['"[', "]\\"] },
    { n: [0.1, 1e21, -0, -5, 1e-7], t: true, f: false, z: null, deep: { x: [1, [2, [3]]] } },
    "just a string",
    42,
  ];
  for (const v of values) {
    const want = JSON.stringify(v, null, 2).replaceAll("\n", "\n    ");
    assertEquals(indentJson(JSON.stringify(v), "    "), want, JSON.stringify(v));
  }
  for (const bad of ['["a", "b"]', '{"a":1 }', "[1,2", '["a]', "[1]]", '{"a":\n1}']) {
    assertEquals(indentJson(bad, "    "), null, bad);
  }
});

Deno.test("indentJson refuses valid JSON that JSON.stringify would not write (a row edited by hand): its record reads otherwise", () => {
  const handWritten = [
    '{"a":1.0}',
    '{"a":1E2}',
    '{"a":-0}',
    '{"a":01}',
    '{"a":1e400}',
    '{"a":"\\u0041"}',
    '{"a":"\\/"}',
    '{"a":"\\u000a"}',
    '{"a":"\\u001F"}',
    '{"a":"\\uD800"}',
    '{"a":"\\ud83d\\ude00"}',
    '{"a":"x\ty"}',
    '{"a":1,"a":2}',
    '{"a":{"b":1},"c":{"b":2,"b":3}}',
    '{"b":1,"10":2}',
    '{"10":1,"2":2}',
    '{"b":1,"4294967294":2}',
    '["a","b"]x',
    '{"a":tru}',
    '{"a":nul}',
  ];
  for (const text of handWritten) {
    let canonical: string | null = null;
    try {
      canonical = JSON.stringify(JSON.parse(text));
    } catch { /* not JSON at all */ }
    assert(canonical !== text, text);
    assertEquals(indentJson(text, "    "), null, text);
  }
  // What JSON.stringify does write stays accepted: escapes, lone surrogates, the same key apart.
  for (
    const v of [{ a: '\n\u0001\u001f"\\', b: "\ud800x\udfff" }, { a: { b: 1 }, c: { b: 2 } }, {
      "2": 1,
      "10": 2,
      b: 3,
      "01": 4,
      "4294967295": 5,
    }]
  ) {
    assertEquals(indentJson(JSON.stringify(v), ""), JSON.stringify(v, null, 2), JSON.stringify(v));
  }
});

Deno.test("listingBlob: its head, a home's paths and its tail are RecordText's indented record, in any home; none where SQLite would not give the values back as written", () => {
  const decoder = new TextDecoder();
  let stored = 0;
  for (const home of ["/tmp/barn/h", `/tmp/barn/we"ird\\hôme`]) {
    const text = new RecordText((id) => join(home, "jobs", id), "indented");
    for (const { job, plain } of awkwardJobs()) {
      const row = toParams(job);
      const blob = listingBlob(row);
      if (!plain || !keptAsIs(row)) {
        assertEquals(blob, null, job.job_id);
        continue;
      }
      const [head, tail] = blobParts(blob, job.job_id)!;
      assertEquals(
        decoder.decode(head) + text.paths(job.job_id) + decoder.decode(tail),
        text.of(row),
      );
      stored++;
    }
  }
  // The awkward jobs without a NUL or a lone surrogate, in both homes.
  assert(stored >= 12, `${stored}`);
  // Anything but listingBlob's layout is no text: a text of another layout (another barn's), or
  // of another job, too.
  const { job } = awkwardJobs()[0]!;
  const good = listingBlob(toParams(job))!;
  assert(blobParts(good, job.job_id) !== null);
  for (const other of ["k3f9x2a0b0z0", "k3f9x2a0b00", "k3f9x2a0b0000", "", "k3f9x2a0b00\u00e9"]) {
    assertEquals(blobParts(good, other), null, other);
  }
  const otherLayout = good.slice();
  otherLayout[3]! ^= 1;
  const tooLong = good.slice();
  tooLong[4] = 0x7f;
  for (const bad of [null, "text", new Uint8Array(7), good.slice(0, 7), otherLayout, tooLong]) {
    assertEquals(blobParts(bad, job.job_id), null);
  }
});

Deno.test("listingBlob: the stored text of a reference record is pinned with its layout, so a change to the text without a new LAYOUT_VERSION fails here (texts of the old layout would be listed as they are)", async () => {
  const text = `q"b\\s\n\t\u0001\u007f\u2028 é 😀 <&> /`;
  const blob = listingBlob(toParams(sampleJob({
    job_id: "00000000zzzz",
    state: "failed",
    tag: text,
    command: ["curl", text, "", "-d", '{"a":[1]}', "[]", "{}"],
    cwd: "/tmp/barn/é",
    created_at: "2026-01-01T00:00:00.000Z",
    started_at: "2026-01-01T00:00:01.000Z",
    finished_at: "2026-01-01T00:00:02.000Z",
    exit_code: 3,
    process_exit_code: 3,
    pid: 77,
    log_truncated: true,
    after: ["aaaabbbbcccc"],
    meta: { [text]: [1.5, null, { x: true }], n: [0.1, 1e21, -0, 3600], "2": "index", e: {} },
    timeout_seconds: 0.5,
    verify: true,
    progress: { percent: 33.5, updated_at: text },
    notify_urls: ["https://hooks.example.com/x"],
  })));
  assert(blob !== null);
  const digest = Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(blob))),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  assertEquals(
    { layout: LISTING_LAYOUT, digest },
    {
      layout: 2939234546,
      digest: "3f90f86d6f9e8120b54fa4c2c6fd2daa6588953b7e0a595b5bdd3687f73f2de5",
    },
    "the stored listing text changed: if this is intended, bump LAYOUT_VERSION in " +
      "src/store/record_text.ts (a barn of either layout then builds the other's records), then " +
      "pin both values here",
  );
});
