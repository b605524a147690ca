/**
 * `barn mcp` driven by the official SDK's own client over a real stdio pipe: tools, an ffprobe
 * job from submission to its record resource, progress notifications from a running transcode
 * while `wait` runs, barn's codes in tool errors, and jobs that outlive the MCP session.
 */

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  barn,
  cleanupHome,
  DENO,
  MAIN,
  makeClip,
  pidAlive,
  ROOT,
  startService,
  tempHome,
  waitFor,
} from "./helpers/barn.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

async function connect(home: string) {
  const transport = new StdioClientTransport({
    command: DENO,
    args: ["run", "-q", "-P=barn", MAIN, "mcp"],
    cwd: ROOT,
    env: { ...Deno.env.toObject(), BARN_HOME: home, NO_COLOR: "1" },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
  const client = new Client({ name: "barn-test", version: "1.0.0" });
  const errors: Error[] = [];
  await client.connect(transport);
  // Set after connect (connect installs its own): anything on stdout that is not protocol lands here.
  const sdkOnError = transport.onerror;
  transport.onerror = (e: Error) => {
    errors.push(e);
    sdkOnError?.(e);
  };
  return { client, transport, errors, stderr: () => stderr };
}

function parsed(r: Any): Any {
  return JSON.parse(r.content[0].text);
}

Deno.test("barn mcp: tools over stdio, an ffprobe job to its resource, progress during wait, jobs outlive the session", async () => {
  const home = tempHome("mcp");
  const clip = await makeClip(`${home}/input/clip.mp4`, 2);
  const long = await makeClip(`${home}/input/long.mp4`, 7);
  const { client, transport, errors, stderr } = await connect(home);
  try {
    const tools: Any[] = (await client.listTools()).tools;
    assertEquals(tools.map((t) => t.name).sort(), [
      "describe",
      "get",
      "hostinfo",
      "kill",
      "logs",
      "put",
      "retry",
      "run",
      "status",
      "wait",
    ]);
    for (const t of tools) assertEquals(t.inputSchema.type, "object", t.name);

    // Read-only tools work before any service exists, from the stored state.
    const empty = await client.callTool({ name: "status", arguments: {} });
    assertEquals([empty.isError, parsed(empty).jobs], [undefined, []]);
    assertEquals((await barn(home, ["service", "status"])).code, 100, "no service yet");

    // A tool that starts jobs starts the service first.
    const probe = await client.callTool({
      name: "run",
      arguments: {
        command: ["ffprobe", "-v", "error", "-of", "json", "-show_format", clip],
        tag: "mcp",
      },
    });
    assert(!probe.isError, JSON.stringify(probe));
    const probeId = parsed(probe).job_id as string;
    assertEquals((await barn(home, ["service", "status"])).code, 0, "the run started the service");

    const waited = await client.callTool({ name: "wait", arguments: { ids: [probeId] } });
    const w = parsed(waited);
    assertEquals([w.finished, w.jobs[0].state], [true, "succeeded"]);

    const record = await client.readResource({ uri: `barn://jobs/${probeId}` });
    const rec = JSON.parse((record.contents[0] as Any).text);
    assertEquals([rec.job_id, rec.state, rec.exit_code], [probeId, "succeeded", 0]);
    assertMatch(String(rec.result.format.duration), /^2\.\d+/);
    const templates: Any[] = (await client.listResourceTemplates()).resourceTemplates;
    assertEquals(templates.map((t) => t.uriTemplate), ["barn://jobs/{id}", "barn://jobs/{id}/log"]);
    const listed: Any[] = (await client.listResources()).resources;
    assert(listed.some((r) => r.uri === `barn://jobs/${probeId}`));

    // A transcode paced in real time (-re): wait returns "still running" with progress on the way.
    const transcode = await client.callTool({
      name: "run",
      arguments: {
        command: [
          "ffmpeg",
          "-v",
          "error",
          "-re",
          "-i",
          long,
          "-c:v",
          "libx264",
          "-preset",
          "ultrafast",
          "-f",
          "null",
          "-",
        ],
      },
    });
    const tid = parsed(transcode).job_id as string;
    const progress: Any[] = [];
    const partial = await client.callTool(
      { name: "wait", arguments: { ids: [tid], timeout_seconds: 3 } },
      undefined,
      { onprogress: (p: Any) => progress.push(p) },
    );
    const pw = parsed(partial);
    assertEquals([pw.finished, pw.jobs[0].state], [false, "running"]);
    assertMatch(pw.message, /^still running/);
    assert(progress.length >= 1, "a progress notification while wait ran");
    const p = progress.at(-1);
    assert(p.progress > 0 && p.progress < 100 && p.total === 100, JSON.stringify(p));
    assertMatch(p.message, new RegExp(`^${tid} running: \\d+\\.\\d%, \\d+\\.\\d\\dx, ETA `));

    // Errors are tool errors carrying barn's code.
    const missing = await client.callTool({ name: "kill", arguments: { id: "zzzz9999" } });
    assertEquals([missing.isError, parsed(missing).error.code], [true, "E_NOT_FOUND"]);
    const bad = await client.callTool({ name: "run", arguments: { command: [] } });
    assertEquals([bad.isError, parsed(bad).error.code], [true, "E_USAGE"]);
    const shell = await client.callTool({
      name: "run",
      arguments: { command: ["sh", "-c", "id"] },
    });
    assertEquals([shell.isError, parsed(shell).error.code], [true, "E_NOT_ALLOWED"]);
    const escape = await client.callTool({
      name: "get",
      arguments: { url: "http://127.0.0.1:9/a.mp4", path: "/etc/a.mp4" },
    });
    assertEquals([escape.isError, parsed(escape).error.code], [true, "E_SANDBOX"]);

    const logs = await client.callTool({ name: "logs", arguments: { id: probeId, tail: 5 } });
    assertMatch(parsed(logs).stdout, /"format"|\}/);

    // Closing the session ends the server, never the transcode.
    const serverPid = transport.pid!;
    await client.close();
    await waitFor(() => !pidAlive(serverPid), { what: "barn mcp to exit when stdin closes" });
    const end = await barn(home, ["wait", tid, "--timeout=60s", "--output=json"]);
    assertEquals([end.code, end.json()[0].state], [0, "succeeded"]);
    assertEquals(end.json()[0].supervisor, "keeper", "the service's keeper ran it, not barn mcp");
    assertEquals(errors, [], "only protocol on stdout");
    assertMatch(stderr(), /^barn: service not running; stored state$/m);
  } finally {
    await client.close().catch(() => {});
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});

Deno.test("barn mcp answers a line that is not JSON-RPC with a JSON-RPC error, and goes on serving", async () => {
  const home = tempHome("mcp-garbage");
  const child = new Deno.Command(DENO, {
    args: ["run", "-q", "-P=barn", MAIN, "mcp"],
    cwd: ROOT,
    env: { BARN_HOME: home, NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const w = child.stdin.getWriter();
    await w.write(
      new TextEncoder().encode('garbage{\n[1,2]\n{"jsonrpc":"2.0","id":7,"method":"ping"}\n'),
    );
    await w.close();
    const lines = (await new Response(child.stdout).text()).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assertEquals(lines.length, 3, JSON.stringify(lines));
    assertEquals([lines[0].id, lines[0].error.code, lines[0].error.data.code], [
      null,
      -32700,
      "E_USAGE",
    ]);
    assertEquals([lines[1].id, lines[1].error.code], [null, -32600]);
    assertEquals([lines[2].id, lines[2].result], [7, {}]);
    assertEquals((await child.status).code, 0);
  } finally {
    await cleanupHome(home);
  }
});

Deno.test("barn mcp: a wait rides out a service restart and returns the job's end", async () => {
  const home = tempHome("mcp-restart");
  const long = await makeClip(`${home}/input/long.mp4`, 6);
  const { client } = await connect(home);
  try {
    await startService(home);
    const run = await client.callTool({
      name: "run",
      arguments: { command: ["ffmpeg", "-v", "error", "-re", "-i", long, "-f", "null", "-"] },
    });
    const id = parsed(run).job_id as string;
    let restarted: Promise<unknown> | null = null;
    // The first progress notification shows the wait under way; the service restarts under it.
    const waited = await client.callTool(
      { name: "wait", arguments: { ids: [id], timeout_seconds: 40 } },
      undefined,
      {
        onprogress: () => {
          restarted ??= barn(home, ["service", "restart"]);
        },
        timeout: 60_000,
      },
    );
    assert(restarted !== null, "no progress came while the job ran");
    assertEquals((await restarted as { code: number }).code, 0);
    const w = parsed(waited);
    assertEquals(waited.isError ?? false, false, JSON.stringify(w));
    assertEquals([w.finished, w.jobs[0].state], [true, "succeeded"]);
  } finally {
    await client.close().catch(() => {});
    await barn(home, ["service", "stop"]);
    await cleanupHome(home);
  }
});
