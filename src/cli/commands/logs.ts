/** barn logs: a job's output; --tail reads from the end, -f follows until the job ends. */

import { escapeLog } from "../../escape.ts";
import { exitCodeFor } from "../../jobs/exit_codes.ts";
import { isFinished, type Job } from "../../jobs/job.ts";
import { copyRange, fileSize, readTail, tailWindow } from "../../platform/files.ts";
import type { Command } from "../command.ts";
import type { CliContext } from "../context.ts";
import { withReconnect } from "../reconnect.ts";
import { LOGS_OPTIONS, oneId, tailOption } from "../job_args.ts";

type Out = { write(p: Uint8Array): Promise<number> };

interface Stream {
  path: string;
  out: Out;
  offset: number;
}

/**
 * Where a log's bytes go: unchanged into a pipe or file (or with --raw); on a terminal through
 * escapeLog, so a job's output (a server's headers, a file's name) can't drive the terminal.
 */
export function logSink(out: Out & { isTerminal(): boolean }, raw: boolean): Out {
  if (raw || !out.isTerminal()) return out;
  const decoder = new TextDecoder(); // streaming: a character split between reads is kept whole
  const encoder = new TextEncoder();
  let held = ""; // a trailing \r, until the next read says whether \n follows
  return {
    async write(p: Uint8Array): Promise<number> {
      let text = held + decoder.decode(p, { stream: true });
      held = text.endsWith("\r") ? "\r" : "";
      if (held) text = text.slice(0, -1);
      await writeAll(out, encoder.encode(escapeLog(text)));
      return p.length;
    },
  };
}

async function fetchJob(ctx: CliContext, id: string): Promise<Job> {
  return await withReconnect(
    ctx,
    async () => (await (await ctx.backend()).request({ kind: "describe", id, lines: 0 })).job,
  );
}

export const logs: Command = {
  name: "logs",
  summary: "print a job's output (stdout, then stderr); -f follows it until the job ends",
  usage: "barn logs <id|@NAME> [-f] [-n N | --tail=N] [--stdout | --stderr] [--raw]",
  example: "barn logs -f --stderr k3f9",
  options: LOGS_OPTIONS,
  async run(ctx) {
    const id = oneId(ctx, "logs");
    const n = tailOption(ctx);
    // Without -f the logs are files: a stopped service's stored state is enough to find them.
    let job = ctx.flag("follow")
      ? await fetchJob(ctx, id)
      : (await (await ctx.readBackend()).request({ kind: "describe", id, lines: 0 })).job;
    const both = !ctx.flag("stdout") && !ctx.flag("stderr");
    const raw = ctx.flag("raw");
    const streams: Stream[] = [];
    if (both || ctx.flag("stdout")) {
      streams.push({ path: job.stdout_path, out: logSink(Deno.stdout, raw), offset: 0 });
    }
    // With both, stdout goes to stdout and stderr to stderr, as the job wrote them.
    if (both || ctx.flag("stderr")) {
      streams.push({
        path: job.stderr_path,
        out: logSink(both || ctx.flag("stdout") ? Deno.stderr : Deno.stdout, raw),
        offset: 0,
      });
    }
    for (const s of streams) {
      if (n === undefined) {
        const size = fileSize(s.path);
        s.offset = await copyRange(s.path, 0, size, s.out);
      } else {
        // Read once, from the end, within a window: a log without newlines can't make it read it all.
        const tail = readTail(s.path, n, tailWindow(n));
        await writeAll(s.out, tail.bytes);
        s.offset = tail.size;
      }
    }
    if (!ctx.flag("follow")) return 0;
    let lastCheck = 0;
    for (;;) {
      const finished = isFinished(job.state);
      for (const s of streams) {
        const size = fileSize(s.path);
        if (size < s.offset) {
          // The log was compacted at its cap: its middle is gone, go on from its new end.
          await writeAll(
            s.out,
            new TextEncoder().encode(
              "\n[barn: log compacted at max_log_bytes; following its tail]\n",
            ),
          );
          s.offset = size;
        } else if (size > s.offset) s.offset = await copyRange(s.path, s.offset, size, s.out);
      }
      if (finished) return exitCodeFor(job.exit_code);
      await new Promise((r) => setTimeout(r, 200));
      if (Date.now() - lastCheck > 500) {
        job = await fetchJob(ctx, job.job_id);
        lastCheck = Date.now();
      }
    }
  },
};

async function writeAll(
  w: { write(p: Uint8Array): Promise<number> },
  data: Uint8Array,
): Promise<void> {
  let off = 0;
  while (off < data.length) off += await w.write(data.subarray(off));
}
