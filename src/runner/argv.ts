/** The argv barn actually executes: the user's command plus the flags barn needs (pure). */

/** ffmpeg reads keystrokes from stdin ('q' quits); a background job must never do that. */
export function effectiveArgv(command: readonly string[]): string[] {
  const [cmd, ...args] = command;
  if (cmd === "ffmpeg" && !args.includes("-nostdin")) return [cmd, "-nostdin", ...args];
  return [...command];
}
