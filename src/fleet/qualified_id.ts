/** Host-qualified job ids (pure): `HOST:ID`, as the merged status prints them, so an id can be pasted back. */

import { BarnError } from "../errors.ts";
import { checkJobRef } from "../jobs/ids.ts";
import { checkHostName, DEFAULT_BARN, type Host } from "./inventory.ts";

export interface QualifiedId {
  host: Host;
  id: string;
}

/** `HOST:ID` → the host (from the inventory when one is given) and the id or prefix. */
export function parseQualifiedId(
  text: string,
  inventory: readonly Host[] | null,
  barn = DEFAULT_BARN,
): QualifiedId {
  // Ids never hold ':', hosts may (ssh://host:22): split at the last one.
  const at = text.lastIndexOf(":");
  if (at <= 0) {
    throw new BarnError(
      "E_USAGE",
      `'${text}' is not a host-qualified job id: write HOST:ID, e.g. media-1:k3f9 (as \`barn-fleet status\` prints them)`,
    );
  }
  const name = checkHostName(text.slice(0, at));
  const id = checkJobRef(text.slice(at + 1));
  if (inventory === null) return { host: { name, tags: [], barn }, id };
  const host = inventory.find((h) => h.name === name);
  if (!host) {
    throw new BarnError("E_USAGE", `host '${name}' of '${text}' is not in --hosts`);
  }
  return { host, id };
}

export function qualify(host: string, id: string): string {
  return `${host}:${id}`;
}
