/**
 * Frame fuzz: a seeded generator of malformed frames thrown at a live service. Each must get a
 * structured `{ok: false, error: {code, message}}` (the code the input calls for, where it is
 * known) or a plain close, never a hang or garbage; the service must never restart: the same
 * pid at the end, one start in its log, no uncaught error, and a real client still served.
 */

import { barn, cleanupHome, tempHome } from "../helpers/barn.ts";
import { PROTOCOL_VERSION } from "../../src/protocol/messages.ts";
import {
  concat,
  ensureService,
  exchange,
  Findings,
  frame,
  HELLO,
  pidAlive,
  Rng,
  type Row,
  secondsSince,
  servicePid,
} from "./lib.ts";

export interface FrameFuzzOptions {
  frames: number;
  seed: number;
  log?: (m: string) => void;
}

const CAP = 8 * 1024 * 1024;
const HELLO_CAP = 64 * 1024;

/** Valid requests to mutate: none that stops the service or streams forever. */
function corpus(): Row[] {
  return [
    { kind: "status", filter: {} },
    { kind: "status", filter: { state: "queued", tag: "x", limit: 5 } },
    { kind: "describe", id: "zzzzzzzzzzzz", lines: 3 },
    { kind: "kill", id: "zzzzzzzzzzzz" },
    { kind: "retry", id: "zzzzzzzzzzzz" },
    { kind: "release", latch: "chaos-never" },
    { kind: "service_status" },
    { kind: "wait", ids: ["zzzzzzzzzzzz"], timeout_seconds: 0.1 },
    {
      kind: "submit",
      jobs: [{
        command: ["ffprobe", "-version"],
        cwd: "/tmp/barn",
        tag: "fuzz",
        latch: "chaos-never",
      }],
    },
  ];
}

/** One generated input and, where the input decides it, the only acceptable error code. */
interface Case {
  family: string;
  bytes: Uint8Array;
  /** The code the last frame must carry; undefined: any structured error, a success, or a close. */
  want?: string | undefined;
}

const te = new TextEncoder();

function header(len: number): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, len >>> 0);
  return h;
}

/** A value of some JSON type, for swapping into a field of the wrong type. */
function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, depth > 2 ? 4 : 6)) {
    case 0:
      return null;
    case 1:
      return rng.int(-1e9, 1e9) / (rng.chance(0.5) ? 1 : 7);
    case 2:
      return rng.chance(0.5);
    case 3:
      return "s".repeat(rng.int(0, 20));
    case 4:
      return rng.chance(0.5) ? Number.MAX_SAFE_INTEGER : -0.5;
    case 5:
      return [randomValue(rng, depth + 1)];
    default:
      return { x: randomValue(rng, depth + 1) };
  }
}

function typeOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** Replaces one field (at any depth) with a value of another type. */
function wrongType(rng: Rng, req: Row): Row | null {
  const copy = structuredClone(req);
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (slots.push({ parent: v, key: i }), walk(x)));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k !== "kind") slots.push({ parent: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  walk(copy);
  if (slots.length === 0) return null;
  const s = rng.pick(slots);
  const before = (s.parent as Record<string | number, unknown>)[s.key];
  // null is a fair value of the optional fields (tag, key, latch…), so it never counts as wrong.
  const fits = (v: unknown) => v === null || typeOf(v) === typeOf(before);
  let v = randomValue(rng);
  for (let i = 0; i < 10 && fits(v); i++) v = randomValue(rng);
  if (fits(v)) return null;
  (s.parent as Record<string | number, unknown>)[s.key] = v;
  return copy;
}

function mutateText(rng: Rng, text: string): string {
  const chars = [...text];
  for (let n = rng.int(1, 4); n > 0; n--) {
    const i = rng.int(0, Math.max(0, chars.length - 1));
    switch (rng.int(0, 3)) {
      case 0:
        chars.splice(i, 1);
        break;
      case 1:
        chars.splice(i, 0, String.fromCharCode(rng.int(0, 0x7f)));
        break;
      case 2:
        chars[i] = rng.pick(['"', "{", "}", "[", "]", ",", ":", "\\", "0", "n"]);
        break;
      default:
        chars.splice(i, 0, ...chars.slice(i, i + rng.int(1, 8)));
    }
  }
  return chars.join("");
}

/** Draws one case of a randomly chosen family. */
function generate(rng: Rng, bigLeft: { n: number }): Case {
  const reqs = corpus();
  const valid = () => rng.pick(reqs);
  const after = (body: Uint8Array) => concat(HELLO, body);
  const family = rng.pick([
    "random bytes",
    "random bytes after hello",
    "truncated",
    "bad utf-8",
    "deep nesting",
    "mutated request",
    "near-cap length",
    "wrong type",
    "huge string",
    "no handshake",
    "bad handshake",
  ]);
  switch (family) {
    case "random bytes": {
      const b = rng.bytes(rng.int(1, 600));
      // A first frame over the handshake cap is refused from its header alone.
      const len = b.length >= 4 ? new DataView(b.buffer).getUint32(0) : 0;
      return { family, bytes: b, want: len > HELLO_CAP ? "E_FRAME_TOO_LARGE" : undefined };
    }
    case "random bytes after hello":
      return { family, bytes: after(rng.bytes(rng.int(1, 600))) };
    case "truncated": {
      const full = after(frame(valid()));
      const cut = rng.int(HELLO.length + 1, full.length - 1);
      return { family, bytes: full.subarray(0, cut), want: "E_PROTOCOL" };
    }
    case "bad utf-8": {
      const text = te.encode(JSON.stringify(valid()));
      const i = rng.int(0, text.length - 1);
      const bad = concat(
        text.subarray(0, i),
        rng.pick([
          new Uint8Array([0xff]),
          new Uint8Array([0xc0, 0x80]),
          new Uint8Array([0xed, 0xa0, 0x80]),
          new Uint8Array([0xe2, 0x82]),
        ]),
        text.subarray(i),
      );
      return { family, bytes: after(frame(bad)), want: "E_BAD_REQUEST" };
    }
    case "deep nesting": {
      const depth = rng.int(33, rng.chance(0.1) ? 200_000 : 2000);
      const open = rng.chance(0.5) ? "[" : '{"a":';
      const close = open === "[" ? "]" : "}";
      return {
        family,
        bytes: after(frame(open.repeat(depth) + "1" + close.repeat(depth))),
        want: "E_BAD_REQUEST",
      };
    }
    case "mutated request":
      return { family, bytes: after(frame(mutateText(rng, JSON.stringify(valid())))) };
    case "near-cap length": {
      if (bigLeft.n > 0 && rng.chance(0.02)) {
        // A whole frame at the cap, not JSON: read to the end, then refused.
        bigLeft.n--;
        const body = new Uint8Array(CAP - rng.int(0, 3)).fill(0x20);
        body[0] = 0x78;
        return {
          family: "whole frame at the cap",
          bytes: after(frame(body)),
          want: "E_BAD_REQUEST",
        };
      }
      const len = rng.pick([CAP - 1, CAP, CAP + 1, CAP + rng.int(2, 1000), 0xffffffff, 0x80000000]);
      const body = rng.bytes(rng.int(0, 100));
      return {
        family,
        bytes: after(concat(header(len), body)),
        // At or under the cap the body never arrives in full: the peer closed inside it.
        want: len > CAP ? "E_FRAME_TOO_LARGE" : "E_PROTOCOL",
      };
    }
    case "wrong type": {
      const bad = wrongType(rng, valid());
      return bad
        ? { family, bytes: after(frame(bad)), want: "E_BAD_REQUEST" }
        : { family, bytes: after(frame({ kind: 7 })), want: "E_BAD_REQUEST" };
    }
    case "huge string": {
      const n = rng.pick([4097, 65_537, 1 << 20, 4 << 20]);
      const s = "h".repeat(n);
      const req = rng.pick([
        { kind: "describe", id: s },
        { kind: "status", filter: { tag: s } },
        { kind: "release", latch: s },
        {
          kind: "submit",
          jobs: [{
            command: ["ffprobe", "h".repeat(Math.max(65_537, n))],
            cwd: "/tmp/barn",
            latch: "never",
          }],
        },
        { kind: "hello", protocol: PROTOCOL_VERSION, client_version: s },
      ]);
      return { family, bytes: after(frame(req)), want: "E_BAD_REQUEST" };
    }
    case "no handshake":
      return { family, bytes: frame(valid()), want: "E_PROTOCOL" };
    default: {
      const h = rng.pick<unknown>([
        { kind: "hello", protocol: PROTOCOL_VERSION + 1, client_version: "x" },
        { kind: "hello", protocol: "1", client_version: "x" },
        { kind: "hello" },
        { kind: "hello", protocol: PROTOCOL_VERSION, client_version: "x", extra: true },
      ]);
      const code = (h as Row).protocol === PROTOCOL_VERSION + 1 ? "E_PROTOCOL" : "E_BAD_REQUEST";
      return { family: "bad handshake", bytes: concat(frame(h), frame(valid())), want: code };
    }
  }
}

const KNOWN_CODE = /^E_[A-Z0-9_]+$/;

/** Why an exchange broke the rules, or null when it kept them. */
function judge(c: Case, r: Awaited<ReturnType<typeof exchange>>): string | null {
  if (!r.closed) return "the connection stayed open (a hang)";
  if (r.garbage > 0) return `${r.garbage} bytes of the answer are not a frame`;
  const last = r.frames[r.frames.length - 1];
  for (const fr of r.frames.slice(0, -1)) {
    if (fr.ok !== true) return `an error frame before the last: ${JSON.stringify(fr)}`;
  }
  if (last === undefined) return c.want ? `a plain close, where ${c.want} was due` : null;
  if (last.ok === true) return c.want ? `success, where ${c.want} was due` : null;
  const err = last.error as Row | undefined;
  if (
    !err || typeof err.code !== "string" || !KNOWN_CODE.test(err.code) ||
    typeof err.message !== "string"
  ) {
    return `an unstructured error: ${JSON.stringify(last).slice(0, 200)}`;
  }
  if (err.code === "E_INTERNAL") return `E_INTERNAL: ${err.message}`;
  if (c.want && err.code !== c.want) return `${err.code} (${err.message}), where ${c.want} was due`;
  return null;
}

export async function frameFuzz(opts: FrameFuzzOptions): Promise<Findings> {
  const f = new Findings();
  const rng = new Rng(opts.seed);
  const home = tempHome("chaos-fuzz");
  const t0 = Date.now();
  try {
    await ensureService(home);
    const pid = await servicePid(home);
    const sock = `${home}/barn.sock`;
    const bad = new Map<string, string[]>();
    const byFamily: Record<string, number> = {};
    const bigLeft = { n: Math.max(1, Math.floor(opts.frames / 2000)) };
    let next = 0;
    let died = -1;
    const worker = async () => {
      while (next < opts.frames && died < 0) {
        const i = next++;
        const c = generate(rng, bigLeft);
        byFamily[c.family] = (byFamily[c.family] ?? 0) + 1;
        const r = await exchange(sock, c.bytes, 10_000).catch((e) => ({
          frames: [],
          closed: false,
          garbage: 0,
          error: String(e),
        }));
        const why = "error" in r ? `could not connect: ${r.error}` : judge(c, r);
        if (why) {
          const sent = new TextDecoder().decode(
            c.bytes.subarray(HELLO.length + 4, HELLO.length + 204),
          );
          bad.set(c.family, [...(bad.get(c.family) ?? []), `#${i}: ${why}; sent ${sent}`]);
        }
        if (i % 100 === 0 && !pidAlive(pid)) died = i;
        if (i % 1000 === 0) opts.log?.(`frame ${i}/${opts.frames}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const st = await barn(home, ["status", "--output=json"]);
    const log = Deno.readTextFileSync(`${home}/logs/service.log`);
    const starts = log.split("\n").filter((l) => / started \(pid /.test(l)).length;
    const crashes = log.split("\n").filter((l) => /uncaught|panick|unhandled/i.test(l));
    f.set("frames", opts.frames);
    f.set("seed", opts.seed);
    for (const [k, n] of Object.entries(byFamily)) f.set(`frames: ${k}`, n);
    f.set("seconds", secondsSince(t0));
    for (const [family, why] of bad) {
      f.expectNone(`frames answered wrongly (${family})`, why.length, why);
    }
    f.expectNone("service deaths during the fuzz (at frame)", died >= 0 ? 1 : 0, [died]);
    f.expect(pidAlive(pid), `the service (pid ${pid}) is gone`);
    f.expect(
      st.code === 0,
      `a real client was not served after the fuzz: exit ${st.code} ${st.stderr.slice(0, 300)}`,
    );
    const now = await servicePid(home).catch(() => null);
    f.expect(now === pid, `the service restarted: pid ${pid} at the start, ${now} at the end`);
    f.expectNone("service starts in its log beyond the first", starts - 1);
    f.expectNone("crash lines in the service log", crashes.length, crashes);
    return f;
  } finally {
    await cleanupHome(home);
  }
}
