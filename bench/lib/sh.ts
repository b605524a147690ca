/** Runs a command (never through a shell unless argv says `sh`) and collects its output. */

export interface ShResult {
  code: number;
  out: string;
  err: string;
}

export async function sh(
  cmd: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<ShResult> {
  const c = new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    env,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = c.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const o = await c.output();
  return {
    code: o.code,
    out: new TextDecoder().decode(o.stdout),
    err: new TextDecoder().decode(o.stderr),
  };
}

export async function have(tool: string): Promise<boolean> {
  return (await sh(["sh", "-c", `command -v ${tool}`])).code === 0;
}

export async function waitUntil(
  pred: () => Promise<boolean> | boolean,
  ms: number,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
