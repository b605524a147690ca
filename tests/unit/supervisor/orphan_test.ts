import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { orphanVerdict } from "../../../src/supervisor/orphan.ts";

const job = { pid: 500, started_at: "2026-01-01T00:00:00.300Z", supervisor_pid: 40 };
const at = (s: string) => new Date(s);

Deno.test("orphans: a group leader started with the job is the job's whole group", () => {
  assertEquals(
    orphanVerdict(job, { startedAt: at("2026-01-01T00:00:00Z"), pgid: 500, ppid: 1 }),
    "group",
  );
});

Deno.test("orphans: a plain child is the job's only under its supervisor or init", () => {
  const t = at("2026-01-01T00:00:01Z");
  assertEquals(orphanVerdict(job, { startedAt: t, pgid: 39, ppid: 40 }), "pid");
  assertEquals(orphanVerdict(job, { startedAt: t, pgid: 39, ppid: 1 }), "pid");
  assertMatch(orphanVerdict(job, { startedAt: t, pgid: 39, ppid: 77 }), /parent is pid 77/);
  assertMatch(
    orphanVerdict({ ...job, supervisor_pid: null }, { startedAt: t, pgid: 39, ppid: 40 }),
    /parent is pid 40/,
  );
});

Deno.test("orphans: a reused pid (another start time) is never the job's", () => {
  for (const ppid of [1, 40]) {
    assertMatch(
      orphanVerdict(job, { startedAt: at("2026-01-01T00:00:04Z"), pgid: 500, ppid }),
      /another time/,
    );
  }
  assertMatch(
    orphanVerdict({ ...job, started_at: null }, {
      startedAt: at("2026-01-01T00:00:00Z"),
      pgid: 500,
      ppid: 1,
    }),
    /another time/,
  );
});

Deno.test("orphans: a plain child under a subreaper is the job's only if it carries the job's id, and started with it", () => {
  const t = at("2026-01-01T00:00:01Z");
  const underReaper = { startedAt: t, pgid: 39, ppid: 77 }; // e.g. systemd --user
  assertMatch(orphanVerdict(job, underReaper), /parent is pid 77/);
  assertEquals(orphanVerdict(job, underReaper, true), "pid");
  assertMatch(
    orphanVerdict(job, { ...underReaper, startedAt: at("2026-01-01T00:00:09Z") }, true),
    /another time/,
  );
});
