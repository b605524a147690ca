/** barn-fleet's context, one per command run: parsed options, the inventory, ssh settings, and the printer. */

import { lazy } from "../lazy.ts";
import { BarnError, type ErrorBody } from "../errors.ts";
import { parseDuration } from "../config/duration.ts";
import { exitForError } from "../jobs/exit_codes.ts";
import type { OutputFormat } from "../render/view.ts";
import { writeBytes } from "../protocol/framing.ts";
import { prepareControlDir } from "./control_dir.ts";
import type { FanOutOptions, HostResult } from "./fan_out.ts";
import { DEFAULT_BARN, type Host, parseHostList, parseInventory } from "./inventory.ts";
import { renderFleetHuman } from "./render_human.ts";
import { renderFleetJson } from "./render_json.ts";
import type { SshSettings } from "./ssh_args.ts";
import type { FleetView } from "./view.ts";

export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
export const DEFAULT_CONTROL_PERSIST_SECONDS = 120;

/** 0 when every host answered; else the code of the first (in inventory order) that did not. */
export function resultsExit(results: readonly HostResult<object>[]): number {
  const failed = results.find((r) => !r.ok);
  return failed && !failed.ok ? exitForError(failed.error.code) : 0;
}

export class FleetContext {
  #hosts: Host[] | null | undefined = undefined;
  #settings: SshSettings | null = null;

  constructor(
    readonly format: OutputFormat,
    readonly options: Record<string, string | boolean>,
    readonly positionals: string[],
    readonly rest: string[],
  ) {}

  str(name: string): string | undefined {
    const v = this.options[name];
    return typeof v === "string" ? v : undefined;
  }

  flag(name: string): boolean {
    return this.options[name] === true;
  }

  /** The remote barn for hosts that name none (`--barn`, default `barn` on PATH). */
  get barn(): string {
    return this.str("barn") ?? DEFAULT_BARN;
  }

  #duration(name: string, fallback: number): number {
    const text = this.str(name);
    return text === undefined ? fallback : parseDuration(text, `--${name}`);
  }

  /** ssh's settings; the first use checks (and makes) the private control dir. */
  get settings(): SshSettings {
    if (this.#settings) return this.#settings;
    const persist = this.#duration("control-persist", DEFAULT_CONTROL_PERSIST_SECONDS);
    const connect = this.#duration("connect-timeout", DEFAULT_CONNECT_TIMEOUT_SECONDS);
    if (connect <= 0) throw new BarnError("E_USAGE", "--connect-timeout must be above zero");
    return this.#settings = {
      configFile: this.str("ssh-config") ?? null,
      connectTimeoutSeconds: connect,
      controlDir: persist > 0 ? prepareControlDir() : null,
      controlPersistSeconds: persist,
    };
  }

  /** Concurrency and the per-host deadline (`--timeout`; `fallback` when not given, null for none). */
  fanOptions(fallback: number | null = DEFAULT_TIMEOUT_SECONDS): FanOutOptions {
    const c = this.str("concurrency");
    const concurrency = c === undefined ? DEFAULT_CONCURRENCY : Number(c);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new BarnError("E_USAGE", `--concurrency must be a whole number above 0 (got '${c}')`);
    }
    const t = this.str("timeout");
    const timeout = t === undefined ? fallback : parseDuration(t, "--timeout");
    if (timeout !== null && timeout <= 0) {
      throw new BarnError("E_USAGE", "--timeout must be above zero, e.g. --timeout=30s");
    }
    return { concurrency, timeoutSeconds: timeout };
  }

  /** The inventory, or null when `--hosts` was not given. */
  async maybeHosts(): Promise<Host[] | null> {
    if (this.#hosts !== undefined) return this.#hosts;
    const given = this.str("hosts");
    if (given === undefined) return this.#hosts = null;
    if (given === "-") {
      const text = await new Response(Deno.stdin.readable).text();
      return this.#hosts = parseInventory(text, this.barn);
    }
    return this.#hosts = parseHostList(given, this.barn);
  }

  async hosts(): Promise<Host[]> {
    const h = await this.maybeHosts();
    if (h === null) {
      throw new BarnError(
        "E_USAGE",
        "which hosts? give --hosts=a,b,c, or --hosts=- with one ssh destination per line on stdin",
      );
    }
    return h;
  }

  async render(v: FleetView): Promise<{ out: string; err: string }> {
    switch (this.format) {
      case "json":
        return { out: renderFleetJson(v), err: "" };
      case "xml": {
        const { renderFleetXml } = await lazy<typeof import("./render_xml.ts")>(
          import.meta.url,
          "./render_xml.ts",
        );
        return { out: renderFleetXml(v), err: "" };
      }
      case "human":
        return renderFleetHuman(v, { color: useColor(), now: new Date() });
    }
  }

  /** Prints every host's answer (a partial answer is printed, never dropped); returns the exit code. */
  async print(v: FleetView): Promise<number> {
    const { out, err } = await this.render(v);
    if (out) await writeOut(Deno.stdout, out + "\n");
    if (err) await writeOut(Deno.stderr, err + "\n");
    return resultsExit(v.results);
  }

  async printError(error: ErrorBody): Promise<void> {
    const text = this.format === "json"
      ? JSON.stringify({ error })
      : this.format === "xml"
      ? (await lazy<typeof import("../render/xml.ts")>(import.meta.url, "../render/xml.ts"))
        .renderXml({ view: "error", error })
      : `barn-fleet: error: ${error.message} [${error.code}]`;
    await writeOut(this.format === "human" ? Deno.stderr : Deno.stdout, text + "\n");
  }
}

/** Writes all of `text` (one write may take less). */
export async function writeOut(
  w: { write(p: Uint8Array): Promise<number> },
  text: string,
): Promise<void> {
  await writeBytes(w, new TextEncoder().encode(text));
}

function useColor(): boolean {
  return Deno.stdout.isTerminal() && (Deno.env.get("NO_COLOR") ?? "") === "";
}
