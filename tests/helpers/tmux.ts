/** A real terminal for tests: a detached tmux session on its own socket, driven with send-keys and read with capture-pane. */

import { waitFor } from "./barn.ts";

export class Tmux {
  readonly socket = `barn-test-${crypto.randomUUID().slice(0, 8)}`;

  private constructor() {}

  /** A session running a plain bash (no rc files) of `width`×`height` in `cwd`, with `env`. */
  static async start(
    width: number,
    height: number,
    cwd: string,
    env: Record<string, string>,
  ): Promise<Tmux> {
    const t = new Tmux();
    const vars = Object.entries({ PS1: "$ ", ...env }).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    await t.tmux(
      "new-session",
      "-d",
      "-s",
      "t",
      "-x",
      String(width),
      "-y",
      String(height),
      "-c",
      cwd,
      ...vars,
      "bash --norc --noprofile",
    );
    return t;
  }

  async tmux(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-L", this.socket, "-f", "/dev/null", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return new TextDecoder().decode(out.stdout);
  }

  /** Types `keys` (tmux key names, e.g. "Enter", "C-c", "Escape"; -l for literal text). */
  async send(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", "-t", "t", ...keys);
  }

  /** Types a command line and presses Enter. */
  async type(line: string): Promise<void> {
    await this.tmux("send-keys", "-t", "t", "-l", line);
    await this.tmux("send-keys", "-t", "t", "Enter");
  }

  /** The visible screen, one string per row; with `escapes`, colours and attributes as SGR codes. */
  async screen(escapes = false): Promise<string[]> {
    const text = await this.tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", "t");
    return text.replace(/\n$/, "").split("\n");
  }

  /** A tmux format for the pane, e.g. `#{alternate_on}`. */
  async display(format: string): Promise<string> {
    return (await this.tmux("display-message", "-p", "-t", "t", format)).trim();
  }

  async resize(width: number, height: number): Promise<void> {
    await this.tmux("resize-window", "-t", "t", "-x", String(width), "-y", String(height));
  }

  /** Waits until the screen satisfies `pred`; returns that screen. */
  async waitScreen(
    pred: (lines: string[]) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<string[]> {
    let last: string[] = [];
    try {
      return await waitFor(async () => {
        last = await this.screen();
        return pred(last) ? last : null;
      }, { timeoutMs, what });
    } catch (e) {
      throw new Error(`${(e as Error).message}; the screen was:\n${last.join("\n")}`);
    }
  }

  async kill(): Promise<void> {
    await this.tmux("kill-server").catch(() => {});
  }
}
