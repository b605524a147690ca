/** Which commands barn runs (pure): the allowlist from config, and barn's own get/put transfers. */

import { excerpt } from "../escape.ts";
import { BarnError } from "../errors.ts";

/** `barn get|put [--overwrite] <from> <to>`: the only argv with barn itself as the command. */
export function isTransfer(command: readonly string[]): boolean {
  const rest = command.slice(2).filter((a) => a !== "--overwrite");
  return command[0] === "barn" && (command[1] === "get" || command[1] === "put") &&
    rest.length === 2 &&
    rest.every((a) => !a.startsWith("-"));
}

/**
 * Commands that may leave children behind (the test fixture tree, or any command barn does not
 * know): they run in a session of their own so that a stop reaches the whole tree. barn's tools
 * (ffmpeg, ffprobe, curl, barn's own transfer) are one process each.
 */
export function mayFork(command: readonly string[]): boolean {
  return !["ffmpeg", "ffprobe", "curl", "barn"].includes(command[0] ?? "");
}

/** Refuses `argv[0]` unless `allowed` names it; the shipped permission set refuses the rest anyway. */
export function checkAllowed(command: readonly string[], allowed: readonly string[]): void {
  const name = command[0] ?? "";
  // barn's own transfers run barn itself: only its get and put, never anything else.
  if (name === "barn" && isTransfer(command)) return;
  if (!allowed.includes(name)) {
    throw new BarnError(
      "E_NOT_ALLOWED",
      `'${excerpt(name)}' is not an allowed command: barn runs only ${allowed.join(", ")} ` +
        "(call it by that bare name; see docs/security.md)",
    );
  }
}
