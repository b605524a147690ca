/**
 * Completion webhooks end to end: a real service POSTs to a local receiver (Deno.serve on
 * 127.0.0.1) that fails, holds or accepts; signatures are checked with an HMAC computed here, not
 * by barn's code; deliveries survive a SIGKILLed service and jobs that ended with no service.
 */

import { assert, assertEquals } from "./helpers/assert.ts";
import { DatabaseSync } from "node:sqlite";
import {
  barn,
  cleanupHome,
  pidAlive,
  readJson,
  startService,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";

const SECRET = "whsec-0123456789abcdef-test-only";

interface Received {
  headers: Headers;
  body: string;
  status: number;
}

/** A receiver whose n-th request (from 1) is answered by `answer(n)`: a status, or a promise of one. */
function receiver(answer: (n: number) => number | Promise<number>) {
  const got: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.text();
    const n = got.length + 1;
    const entry: Received = { headers: req.headers, body, status: 0 };
    got.push(entry);
    entry.status = await answer(n);
    return new Response(null, { status: entry.status });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/hook`, got, close: () => server.shutdown() };
}

async function hmac(secret: string, text: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(text)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function setup(home: string): void {
  Deno.writeTextFileSync(
    `${home}/config.json`,
    JSON.stringify({ notify_backoff: "50ms", heartbeat: "1s" }),
  );
  Deno.writeTextFileSync(`${home}/credentials.json`, JSON.stringify({ notify_secret: SECRET }), {
    mode: 0o600,
  });
}

async function describe(home: string, id: string, offline = false) {
  const r = await barn(home, [...(offline ? ["--offline"] : []), "describe", "--output=json", id]);
  assertEquals(r.code, 0, r.stderr);
  return r.json();
}

async function submit(home: string, args: string[]): Promise<string> {
  const r = await barn(home, ["run", "--output=json", ...args]);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  return r.json().job_id;
}

Deno.test("webhooks: a receiver that fails twice gets one signed delivery, recorded once, apart from events", async () => {
  const home = tempHome("hook");
  const rx = receiver((n) => (n <= 2 ? 503 : 204));
  try {
    setup(home);
    await startService(home);
    const id = await submit(home, [`--notify=${rx.url}`, "ffprobe", "-version"]);
    const d = await waitFor(async () => {
      const j = await describe(home, id);
      return j.notifications?.[0]?.state === "delivered" ? j : null;
    }, { what: "the delivery" });
    assertEquals(rx.got.length, 3);
    assertEquals(rx.got.map((g) => g.status), [503, 503, 204]);
    const n = d.notifications[0];
    assertEquals([n.url, n.attempts, n.last_status, n.last_error], [rx.url, 3, 204, null]);
    assert(n.delivered_at !== null);
    assertEquals(d.notify_urls, [rx.url]);
    // The same delivery id on every attempt: receivers de-duplicate on it.
    assertEquals(
      new Set(rx.got.map((g) => g.headers.get("x-barn-delivery"))),
      new Set([n.delivery_id]),
    );
    for (const g of rx.got) {
      const ts = g.headers.get("x-barn-timestamp")!;
      assert(Math.abs(Number(ts) - Date.now() / 1000) < 600, ts);
      assertEquals(
        g.headers.get("x-barn-signature"),
        "sha256=" + await hmac(SECRET, `${ts}.${g.body}`),
      );
      assertEquals(g.headers.get("content-type"), "application/json");
    }
    const body = JSON.parse(rx.got[2]!.body);
    assertEquals([body.event, body.delivery_id, body.job.job_id, body.job.state], [
      "job.finished",
      n.delivery_id,
      id,
      "succeeded",
    ]);
    // Attempts live in their own table: the job's state events stay queued, running, succeeded.
    const db = new DatabaseSync(`${home}/barn.db`, { readOnly: true });
    try {
      const states =
        (db.prepare("SELECT state FROM events WHERE job_id = ? ORDER BY seq").all(id) as {
          state: string;
        }[]).map((r) => r.state);
      assertEquals(states, ["queued", "running", "succeeded"]);
      const rows = db.prepare("SELECT state, attempts FROM notifications WHERE job_id = ?").all(id);
      assertEquals(rows.length, 1);
    } finally {
      db.close();
    }
    // The secret shows nowhere: not in describe (any format), the DB, the job dir or the log.
    for (const fmt of ["json", "xml", "human"]) {
      const r = await barn(home, ["describe", `--output=${fmt}`, id]);
      assert(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), fmt);
    }
    const grep = await new Deno.Command("grep", {
      args: ["-r", "-l", "--exclude=credentials.json", SECRET, home],
    }).output();
    assertEquals(new TextDecoder().decode(grep.stdout), "");
  } finally {
    await rx.close();
    await cleanupHome(home);
  }
});

Deno.test("webhooks: a service SIGKILLed between the job's end and the delivery delivers after restart", async () => {
  const home = tempHome("hook-kill");
  let release: (status: number) => void = () => {};
  const held = new Promise<number>((r) => (release = r));
  let firstArrived: () => void = () => {};
  const first = new Promise<void>((r) => (firstArrived = r));
  const rx = receiver((n) => {
    if (n === 1) {
      firstArrived();
      return held; // the first attempt hangs until the service is dead
    }
    return 200;
  });
  try {
    setup(home);
    await startService(home);
    const id = await submit(home, [`--notify=${rx.url}`, "ffprobe", "-version"]);
    await first;
    const svc = readJson(`${home}/service.json`) as { pid: number };
    Deno.kill(svc.pid, "SIGKILL");
    await waitFor(() => !pidAlive(svc.pid), { what: "the service to die" });
    release(500);
    // With no service, the notification waits in the outbox: pending, no attempt recorded.
    const down = await describe(home, id, true);
    assertEquals([down.state, down.notifications[0].state, down.notifications[0].attempts], [
      "succeeded",
      "pending",
      0,
    ]);
    await startService(home);
    const d = await waitFor(async () => {
      const j = await describe(home, id);
      return j.notifications[0].state === "delivered" ? j : null;
    }, { what: "the delivery after the restart" });
    assertEquals(rx.got.length, 2);
    assertEquals(
      rx.got[0]!.headers.get("x-barn-delivery"),
      rx.got[1]!.headers.get("x-barn-delivery"),
    );
    assertEquals(d.notifications[0].attempts, 1);
    assertEquals(JSON.parse(rx.got[1]!.body).job.job_id, id);
  } finally {
    release(500);
    await rx.close();
    await cleanupHome(home);
  }
});

Deno.test("webhooks: an --offline end and a cancel are delivered when a service runs; config's notify_url too", async () => {
  const home = tempHome("hook-offline");
  const rx = receiver(() => 200);
  const all = receiver(() => 200);
  try {
    setup(home);
    Deno.writeTextFileSync(
      `${home}/config.json`,
      JSON.stringify({ notify_backoff: "50ms", heartbeat: "1s", notify_url: all.url }),
    );
    const off = await barn(home, [
      "run",
      "--offline",
      "--output=json",
      `--notify=${rx.url}`,
      "ffprobe",
      "-version",
    ]);
    assertEquals(off.code, 0, off.stderr);
    const id = off.json().job_id;
    const before = await describe(home, id, true);
    assertEquals(before.notify_urls, [rx.url, all.url]);
    assertEquals(before.notifications.map((n: { state: string }) => n.state), [
      "pending",
      "pending",
    ]);
    assertEquals(rx.got.length + all.got.length, 0, "no service, no delivery");
    await startService(home);
    await waitFor(() => rx.got.length === 1 && all.got.length === 1, { what: "both deliveries" });
    assertEquals(JSON.parse(rx.got[0]!.body).job.supervisor, "offline");
    // A job canceled while queued ends in the same transaction as its notification.
    const held = await submit(home, [
      "--pending=hold",
      `--notify=${rx.url}`,
      "ffprobe",
      "-version",
    ]);
    assertEquals((await barn(home, ["kill", held])).code, 0);
    await waitFor(() => rx.got.length === 2, { what: "the cancel's delivery" });
    const body = JSON.parse(rx.got[1]!.body);
    assertEquals([body.job.job_id, body.job.state, body.job.exit_code], [
      held,
      "canceled",
      "E_CANCELED",
    ]);
  } finally {
    await rx.close();
    await all.close();
    await cleanupHome(home);
  }
});

Deno.test("webhooks: only http(s) URLs without userinfo, from the CLI, batch lines and config", async () => {
  const home = tempHome("hook-refuse");
  try {
    for (const url of ["ftp://127.0.0.1/x", "https://user:s3cr3t-pw@127.0.0.1/x"]) {
      const r = await barn(home, ["run", "--offline", `--notify=${url}`, "ffprobe", "-version"]);
      assertEquals(r.code, 2, r.stderr);
      assert(r.stderr.includes("[E_USAGE]") && !r.stderr.includes("s3cr3t-pw"), r.stderr);
    }
    const batch = await barn(home, ["run", "--batch=-"], {
      stdin: JSON.stringify({ command: ["ffprobe", "-version"], notify: "file:///etc/passwd" }) +
        "\n",
    });
    assertEquals(batch.code, 2, batch.stderr);
    assert(batch.stderr.includes("batch line 1"), batch.stderr);
    Deno.writeTextFileSync(
      `${home}/config.json`,
      JSON.stringify({ notify_url: "https://a:s3cr3t-pw@h/" }),
    );
    const cfg = await barn(home, ["config", "show"]);
    assertEquals(cfg.code, 105, cfg.stderr);
    assert(!cfg.stderr.includes("s3cr3t-pw"), cfg.stderr);
  } finally {
    await cleanupHome(home);
  }
});
