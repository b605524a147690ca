/** Runs barn-fleet from source under its shipped permission set (`-P=barn-fleet`), as the tests and the bench use it. */

import { DENO, type Result, ROOT } from "./barn.ts";

export const FLEET_MAIN = `${ROOT}src/fleet_main.ts`;

/** The argv prefix of a source-run barn-fleet. */
export function fleetCommand(): string[] {
  return [DENO, "run", "-q", "-P=barn-fleet", FLEET_MAIN];
}

/** `barn-fleet --ssh-config=CONFIG <args>` to its end. */
export async function fleet(
  config: string,
  args: string[],
  opts: { stdin?: string } = {},
): Promise<Result> {
  const [cmd, ...pre] = fleetCommand();
  const child = new Deno.Command(cmd!, {
    args: [...pre, `--ssh-config=${config}`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const out = await child.output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  return {
    code: out.code,
    stdout,
    stderr,
    json() {
      try {
        return JSON.parse(stdout);
      } catch {
        throw new Error(`not JSON (exit ${out.code}):\n${stdout}\n--- stderr:\n${stderr}`);
      }
    },
  };
}

/** A streaming barn-fleet (listen --output=json): its JSON Lines collect into `lines`. */
export function streamFleet(
  config: string,
  args: string[],
): { lines: Record<string, unknown>[]; stderr(): string; stop(): Promise<number> } {
  const [cmd, ...pre] = fleetCommand();
  const child = new Deno.Command(cmd!, {
    args: [...pre, `--ssh-config=${config}`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  let err = "";
  const reading = (async () => {
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    }
  })();
  const readingErr = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) err += chunk;
  })();
  return {
    lines,
    stderr: () => err,
    async stop() {
      child.kill("SIGTERM");
      const s = await child.status;
      await reading.catch(() => {});
      await readingErr.catch(() => {});
      return s.code;
    },
  };
}
