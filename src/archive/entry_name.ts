/** Names that `barn import` may create below input/ (pure): relative, no `..`, no tricks. */

import { BarnError } from "../errors.ts";
import { excerpt } from "../escape.ts";

/** The longest file name (one path component) Linux, macOS and Windows file systems take, in bytes. */
const NAME_MAX = 255;

/**
 * The path components of `name` below input/, with `.` and empty ones dropped; E_SANDBOX for
 * a name that could land anywhere else: absolute, a `..` component, a backslash or drive (read as
 * a separator on Windows), or a NUL. An empty result means input/ itself.
 */
export function entryParts(name: string, what: string): string[] {
  const refuse = (why: string) =>
    new BarnError(
      "E_SANDBOX",
      `${what} '${excerpt(name)}' ${why}: barn imports only names below input/, and nothing of ` +
        "this import was kept (see docs/security.md)",
    );
  if (name.includes("\0")) throw refuse("holds a NUL character");
  if (name.startsWith("/")) throw refuse("is an absolute path");
  if (name.includes("\\") || /^[a-z]:/i.test(name)) {
    throw refuse("holds a backslash or a drive letter");
  }
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw refuse("climbs out with '..'");
  const long = parts.find((p) => new TextEncoder().encode(p).length > NAME_MAX);
  if (long !== undefined) {
    throw new BarnError(
      "E_USAGE",
      `${what} '${excerpt(name)}' has a component of ${
        new TextEncoder().encode(long).length
      } bytes; file systems take at most ${NAME_MAX}: shorten it; nothing was imported`,
    );
  }
  return parts;
}
