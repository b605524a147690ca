/**
 * `barn top`: a live view fed by the service's `listen --progress` stream (no polling of the job
 * list). Full-screen on a terminal; a plain table, reprinted as it changes, when stdout is not one.
 */

import { BarnError, toErrorBody } from "../errors.ts";
import { escapeText } from "../escape.ts";
import { isFinished } from "../jobs/job.ts";
import { Connection } from "../client/client.ts";
import type { CliContext } from "../cli/context.ts";
import { OutputClosed, writeOut } from "../cli/context.ts";
import type { Request, RequestKind, ResponseData, StreamFrame } from "../protocol/messages.ts";
import { collectJobs } from "../client/listing.ts";
import { jobsTable } from "../render/human.ts";
import { frameDiff } from "./frame.ts";
import { decodeKeys } from "./keys.ts";
import { renderScreen } from "./screen.ts";
import {
  counts,
  type Effect,
  initialState,
  onKey,
  order,
  sections,
  type TopState,
  withJobs,
  withProgress,
} from "./state.ts";
import { onSignal, Terminal } from "./terminal.ts";

export interface TopOptions {
  tag: string | null;
  /** Print one plain frame and exit. */
  once: boolean;
}

/** Requests on one connection, one at a time (frames of two requests must not interleave). */
class Requester {
  #chain: Promise<unknown> = Promise.resolve();
  constructor(readonly conn: Connection) {}
  request<K extends RequestKind>(req: Extract<Request, { kind: K }>): Promise<ResponseData[K]> {
    const next = this.#chain.then(() => this.conn.request(req));
    this.#chain = next.catch(() => {});
    return next;
  }
  stream<K extends RequestKind>(
    req: Extract<Request, { kind: K }>,
    onFrame: (frame: StreamFrame) => void | Promise<void>,
  ): Promise<ResponseData[K]> {
    const next = this.#chain.then(() => this.conn.stream(req, onFrame));
    this.#chain = next.catch(() => {});
    return next;
  }
}

/** Free bytes on the home's disk (node:fs only here: it costs start-up). */
async function diskFree(home: string): Promise<number | null> {
  try {
    const { statfsSync } = await import("node:fs");
    const fs = statfsSync(home);
    return Number(fs.bavail) * Number(fs.bsize);
  } catch {
    return null;
  }
}

/** Queued jobs loaded into the view: the queue's head; the header counts them all. */
const QUEUED_SHOWN = 500;

/** Everything the view shows, loaded afresh: running and queued jobs, recent ends, the service. */
async function snapshot(req: Requester, s: TopState): Promise<TopState> {
  const [running, queued, recent, svc] = await Promise.all([
    collectJobs(req, { state: "running" }),
    // The next 500 to run, not the newest 500: a long queue shows its head.
    collectJobs(req, { state: "queued", limit: QUEUED_SHOWN, oldest: true }),
    collectJobs(req, { limit: 100 }),
    req.request({ kind: "service_status" }),
  ]);
  const fresh: TopState = { ...s, jobs: new Map(), service: svc.status };
  // Recent queued jobs beyond the head stay out: the queued section is the queue's head alone.
  const ended = recent.jobs.filter((j) => isFinished(j.state));
  return withJobs(fresh, [...ended, ...queued.jobs, ...running.jobs]);
}

/** The live data: a listen stream on one connection, requests on another; reconnects when lost. */
class Feed {
  state: TopState;
  req: Requester | null = null;
  #listenConn: Connection | null = null;
  #lastHeader = 0;
  /** The full screen shows free disk; the plain table does not, and skips node:fs's start-up. */
  showDisk = false;

  constructor(readonly ctx: CliContext, tag: string | null, public changed: () => void) {
    this.state = initialState(tag);
  }

  set(s: TopState): void {
    this.state = s;
    this.changed();
  }

  async connect(): Promise<void> {
    const conn = await Connection.open(this.ctx.home, await this.ctx.socketName());
    this.req = new Requester(conn);
    this.set({ ...(await snapshot(this.req, this.state)), connected: true });
    this.#lastHeader = Date.now();
    if (this.showDisk) void this.#refreshDisk();
  }

  close(): void {
    this.req?.conn.close();
    this.#listenConn?.close();
    this.req = null;
    this.#listenConn = null;
  }

  /** Streams changes until the connection is lost (then resolves). */
  async listen(onJob: (id: string) => void): Promise<void> {
    this.#listenConn = await Connection.open(this.ctx.home, await this.ctx.socketName());
    await this.#listenConn.stream({ kind: "listen", progress: true }, async (f) => {
      if (f.stream !== "event") return;
      const ev = f.event;
      if (ev.seq === null) {
        this.set(withProgress(this.state, ev.job_id, ev.progress));
      } else if (this.req) {
        const { job } = await this.req.request({ kind: "describe", id: ev.job_id, lines: 0 });
        this.set(withJobs(this.state, [job]));
        await this.#refreshHeader();
      }
      onJob(ev.job_id);
    });
  }

  /** The header's numbers, at most once a second. */
  async #refreshHeader(): Promise<void> {
    if (!this.req || Date.now() - this.#lastHeader < 1000) return;
    this.#lastHeader = Date.now();
    const svc = await this.req.request({ kind: "service_status" });
    this.set({ ...this.state, service: svc.status });
    if (this.showDisk) await this.#refreshDisk();
  }

  async #refreshDisk(): Promise<void> {
    this.set({ ...this.state, diskFree: await diskFree(this.ctx.home) });
  }

  /** Keeps the stream going: after a loss, reconnects every second until `signal` aborts. */
  async run(signal: AbortSignal, onJob: (id: string) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        if (!this.req) await this.connect();
        await this.listen(onJob);
      } catch (e) {
        if (!(e instanceof BarnError && e.code === "E_NO_SERVICE")) {
          this.set({ ...this.state, message: `barn top: ${toErrorBody(e).message}` });
        }
      }
      this.close();
      if (signal.aborted) return;
      this.set({ ...this.state, connected: false });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function plainFrame(s: TopState, now: Date): string {
  const c = counts(s);
  const head =
    `barn top ${now.toISOString().replace("T", " ").slice(0, 19)}: service ${
      s.connected ? "up" : "down"
    }, ${c.running} running, ${c.queued} queued, ${c.succeeded} succeeded, ${c.failed} failed, ` +
    `${c.canceled} canceled`;
  const jobs = order(s);
  const table = jobs.length === 0 && s.tag !== null
    ? `no jobs with tag '${escapeText(s.tag)}'`
    : jobsTable(jobs, { color: false, now });
  const shown = sections(s).queued.length;
  const more = s.tag === null && c.queued > shown
    ? `\n(the next ${shown} of ${c.queued} queued jobs are shown)`
    : "";
  return `${head}\n${table}${more}\n\n`;
}

/** Not a terminal: the table, printed again whenever it changes (at most once a second). */
async function runPlain(feed: Feed, once: boolean, signal: AbortSignal): Promise<number> {
  await feed.connect();
  let last = "";
  const print = async () => {
    const frame = plainFrame(feed.state, new Date());
    const body = frame.slice(frame.indexOf("\n"));
    if (body === last) return;
    last = body;
    try {
      await writeOut(Deno.stdout, frame);
    } catch (e) {
      // A reader that went away (`barn top | head`) ends the view quietly, with 141 as elsewhere.
      if (e instanceof Deno.errors.BrokenPipe) throw new OutputClosed();
      throw e;
    }
  };
  await print();
  if (once) return 0;
  const running = feed.run(signal, () => {});
  try {
    while (!signal.aborted) {
      await new Promise((r) => setTimeout(r, 1000));
      await print();
    }
  } finally {
    feed.close();
    void running;
  }
  return 0;
}

/** The full-screen view: draws on change (at most every 50 ms) and every second for the clocks. */
async function runScreen(feed: Feed, term: Terminal, stop: AbortController): Promise<number> {
  const color = (Deno.env.get("NO_COLOR") ?? "") === "";
  let prev: string[] | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const draw = () => {
    timer = null;
    const lines = renderScreen(feed.state, term.size(), { color, now: new Date() });
    term.write(frameDiff(prev, lines));
    prev = lines;
  };
  const schedule = () => {
    if (timer === null && !stop.signal.aborted) timer = setTimeout(draw, 50);
  };
  feed.changed = schedule;

  let exitCode = 0;
  let resolveQuit: (code: number) => void = () => {};
  const quit = new Promise<number>((r) => (resolveQuit = r));
  const finish = (code: number) => {
    exitCode = code;
    stop.abort();
    resolveQuit(code);
  };
  const unlisten = [
    onSignal("SIGWINCH", () => {
      prev = null;
      schedule();
    }),
    onSignal("SIGTERM", () => finish(143)),
    onSignal("SIGINT", () => finish(130)),
    onSignal("SIGHUP", () => finish(129)),
  ];
  // Whatever fails from here on, the terminal must come back: end the view instead of crashing.
  const failed = (e: Event) => {
    e.preventDefault();
    finish(1);
  };
  globalThis.addEventListener("unhandledrejection", failed);
  globalThis.addEventListener("error", failed);
  term.enter();
  try {
    draw();
    // The open log or record view follows its job's changes (at most once a second).
    let lastReload = 0;
    const reloadView = async (id: string) => {
      const m = feed.state.mode;
      if ((m.kind !== "log" && m.kind !== "describe") || m.id !== id) return;
      if (Date.now() - lastReload < 1000) return;
      lastReload = Date.now();
      await load(feed, id, m.kind, term);
    };
    void feed.run(stop.signal, (id) => void reloadView(id).catch(() => {}));
    const ticker = setInterval(schedule, 1000);
    (async () => {
      for await (const text of term.input(stop.signal)) {
        for (const key of decodeKeys(text)) {
          const { state, effect } = onKey(feed.state, key);
          feed.set(state);
          if (effect.kind === "quit") return finish(effect.code);
          void perform(feed, effect, term).catch((e) =>
            feed.set({ ...feed.state, message: errorLine(e) })
          );
        }
      }
      finish(0); // stdin closed
    })().catch(() => finish(1));
    await quit;
    clearInterval(ticker);
    if (timer !== null) clearTimeout(timer);
    return exitCode;
  } finally {
    term.restore();
    globalThis.removeEventListener("unhandledrejection", failed);
    globalThis.removeEventListener("error", failed);
    for (const u of unlisten) u();
    feed.close();
  }
}

function errorLine(e: unknown): string {
  const b = toErrorBody(e);
  return `${b.message} [${b.code}]`;
}

async function load(feed: Feed, id: string, what: "log" | "describe", term: Terminal) {
  if (!feed.req) throw new BarnError("E_NO_SERVICE", "the service is not answering");
  const lines = what === "log" ? Math.min(500, Math.max(10, term.size().height)) : 0;
  const { job } = await feed.req.request({ kind: "describe", id, lines });
  const m = feed.state.mode;
  if ((m.kind === "log" || m.kind === "describe") && m.id === id) {
    feed.set({ ...feed.state, mode: { ...m, job } });
  }
}

async function perform(feed: Feed, effect: Effect, term: Terminal): Promise<void> {
  if (effect.kind === "none" || effect.kind === "quit") return;
  if (effect.kind === "load") return await load(feed, effect.id, effect.what, term);
  if (!feed.req) throw new BarnError("E_NO_SERVICE", "the service is not answering");
  if (effect.kind === "kill") {
    const { job } = await feed.req.request({ kind: "kill", id: effect.id });
    feed.set({ ...withJobs(feed.state, [job]), message: `${job.job_id}: ${job.state}` });
    return;
  }
  const { job } = await feed.req.request({ kind: "retry", id: effect.id });
  feed.set({ ...withJobs(feed.state, [job]), message: `retried ${effect.id} as ${job.job_id}` });
}

export async function runTop(ctx: CliContext, opts: TopOptions): Promise<number> {
  const stop = new AbortController();
  const feed = new Feed(ctx, opts.tag, () => {});
  const tty = !opts.once && Deno.stdout.isTerminal() && Deno.stdin.isTerminal();
  if (!tty) return await runPlain(feed, opts.once, stop.signal);
  // Before the screen is taken: a service that is down is an error on the normal screen.
  feed.showDisk = true;
  await feed.connect();
  return await runScreen(feed, new Terminal(), stop);
}
