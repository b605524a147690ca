/** The CLI's context, one per command run: parsed options, the home, a backend (service or --offline), and a printer. */

import { lazy } from "../lazy.ts";
import { BarnError, type ErrorBody } from "../errors.ts";
import type { Config } from "../config/config.ts";
import { readTextIfExists } from "../platform/files.ts";
import { Connection } from "../client/client.ts";
import { repeated } from "./args.ts";
import type { Backend } from "../client/backend.ts";
import { HomePaths, prepareHome, resolveHome } from "../platform/home_layout.ts";
import type { ListingRenderer, OutputFormat, View } from "../render/view.ts";
import { humanListing, renderHuman } from "../render/human.ts";
import { jsonListing, renderJson } from "../render/json.ts";

export type { Backend };

export class CliContext {
  readonly home: string;
  #paths: HomePaths | null = null;
  #config: Config | null = null;
  #configModule: typeof import("../config/config.ts") | null = null;
  #backend: Backend | null = null;

  constructor(
    readonly format: OutputFormat,
    readonly offline: boolean,
    readonly options: Record<string, string | boolean>,
    readonly positionals: string[],
    readonly rest: string[],
  ) {
    this.home = resolveHome();
  }

  /** The home, created and checked on first use. */
  get paths(): HomePaths {
    return this.#paths ??= prepareHome(this.home);
  }

  /** config.json, read and checked on first use (with its module: a `barn run` never loads it). */
  async config(): Promise<Config> {
    return this.#readConfig(await this.#loadConfigModule());
  }

  async #loadConfigModule(): Promise<typeof import("../config/config.ts")> {
    return this.#configModule ??= await lazy<typeof import("../config/config.ts")>(
      import.meta.url,
      "../config/config.ts",
    );
  }

  #readConfig(m: typeof import("../config/config.ts")): Config {
    return this.#config ??= m.loadConfig(new HomePaths(this.home).config);
  }

  /**
   * The socket the running service announced in service.json; else config.json's, read
   * leniently so that a bad config never stops a client from reaching the service.
   */
  async socketName(): Promise<string> {
    let info: string | null = null;
    try {
      info = readTextIfExists(new HomePaths(this.home).serviceInfo);
    } catch {
      // A starting service replaces service.json as it is read (the swap check refuses that
      // read): config.json names the same socket.
    }
    if (info) {
      try {
        const name = JSON.parse(info).socket_name;
        if (typeof name === "string") return name;
      } catch { /* fall through */ }
    }
    const m = await this.#loadConfigModule();
    try {
      return this.#readConfig(m).socket_name;
    } catch {
      return m.defaultConfig().socket_name;
    }
  }

  str(name: string): string | undefined {
    const v = this.options[name];
    return typeof v === "string" ? v : undefined;
  }

  /** Every value of a repeatable option, in order. */
  strs(name: string): string[] {
    return repeated(this.options[name]);
  }

  flag(name: string): boolean {
    return this.options[name] === true;
  }

  /** The service connection, or the same handlers in-process under --offline. */
  async backend(): Promise<Backend> {
    if (this.#backend) return this.#backend;
    if (this.offline) {
      const { openOffline } = await lazy<typeof import("./offline.ts")>(
        import.meta.url,
        "./offline.ts",
      );
      this.#backend = openOffline(this.paths, await this.config());
    } else {
      const conn = await Connection.open(this.home, await this.socketName());
      this.#backend = {
        request: (req) => conn.request(req),
        stream: (req, onFrame) => conn.stream(req, onFrame),
        close: () => conn.close(),
      };
    }
    return this.#backend;
  }

  /**
   * For commands that only read (status, describe, logs without -f): the service, or when none
   * answers, the stored state read-only, with a one-line note on stderr.
   */
  async readBackend(): Promise<Backend> {
    if (this.#backend || this.offline) return await this.backend();
    try {
      return await this.backend();
    } catch (e) {
      if (!(e instanceof BarnError && e.code === "E_NO_SERVICE")) throw e;
      const { openStoredState, STORED_STATE_NOTE } = await lazy<
        typeof import("./stored_state.ts")
      >(import.meta.url, "./stored_state.ts");
      const m = await this.#loadConfigModule();
      this.#backend = openStoredState(this.home, () => this.#readConfig(m));
      console.error(STORED_STATE_NOTE);
      return this.#backend;
    }
  }

  async render(v: View): Promise<string> {
    switch (this.format) {
      case "json":
        return renderJson(v);
      case "xml":
        return (await lazy<typeof import("../render/xml.ts")>(import.meta.url, "../render/xml.ts"))
          .renderXml(v);
      case "human":
        return renderHuman(v, { color: useColor(), now: new Date(), width: terminalWidth() });
    }
  }

  /**
   * Whether a JSON listing goes to stdout as the service prints it (its text, unparsed): true for
   * `--output=json`; a context that keeps records (an MCP tool call) says no, and gets `listing()`.
   */
  printsJsonText(): boolean {
    return this.format === "json";
  }

  /** A listing renderer for this format, for records that arrive in chunks. */
  async listing(): Promise<ListingRenderer> {
    switch (this.format) {
      case "json":
        return jsonListing();
      case "xml":
        return (await lazy<typeof import("../render/xml.ts")>(import.meta.url, "../render/xml.ts"))
          .xmlListing();
      case "human":
        return humanListing({ color: useColor(), now: new Date(), width: terminalWidth() });
    }
  }

  /** Prints text (or its bytes) as it is, a streamed listing's pieces; throws OutputClosed when stdout's reader has gone. */
  async write(text: string | Uint8Array): Promise<void> {
    if (!text.length) return;
    await writeOut(Deno.stdout, text);
  }

  async print(v: View): Promise<void> {
    const text = await this.render(v);
    await writeOut(Deno.stdout, text + "\n");
  }

  async printError(error: ErrorBody): Promise<void> {
    const text = await this.render({ view: "error", error });
    await writeOut(this.format === "human" ? Deno.stderr : Deno.stdout, text + "\n");
  }

  close(): void {
    this.#backend?.close();
    this.#backend = null;
  }

  /** Drops the connection so the next backend() reconnects (after a service restart). */
  reconnect(): void {
    this.close();
  }

  usage(message: string): never {
    throw new BarnError("E_USAGE", message);
  }
}

/** The terminal's columns when stdout is one: human tables are fitted to it. */
function terminalWidth(): number | undefined {
  if (!Deno.stdout.isTerminal()) return undefined;
  try {
    return Deno.consoleSize().columns;
  } catch {
    return undefined;
  }
}

/** Standard output's reader went away mid-listing (`barn status --all | head`): stop quietly. */
export class OutputClosed extends Error {
  constructor() {
    super("standard output was closed by its reader");
  }
}

/** The exit code for OutputClosed: what a shell reports for a writer ended by SIGPIPE (128 + 13). */
export const OUTPUT_CLOSED_EXIT = 141;

function useColor(): boolean {
  return Deno.stdout.isTerminal() && (Deno.env.get("NO_COLOR") ?? "") === "";
}

/** Writes all of text; throws OutputClosed when the reader has gone (`| head`). */
export async function writeOut(
  w: { write(p: Uint8Array): Promise<number> },
  text: string | Uint8Array,
): Promise<void> {
  const data = typeof text === "string" ? new TextEncoder().encode(text) : text;
  let off = 0;
  try {
    while (off < data.length) off += await w.write(data.subarray(off));
  } catch (e) {
    if (e instanceof Deno.errors.BrokenPipe) throw new OutputClosed();
    throw e;
  }
}
