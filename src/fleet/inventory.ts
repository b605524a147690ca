/** The fleet's inventory (pure): hosts from `--hosts=a,b,c` or from lines on stdin, each an ssh destination with tags and a remote barn path. */

import { BarnError } from "../errors.ts";

export interface Host {
  /** The ssh destination, exactly as given: an alias of ~/.ssh/config, `user@host`, `ssh://…`. */
  name: string;
  tags: string[];
  /** The remote barn: `barn` on the host's PATH, or a path. */
  barn: string;
}

export const DEFAULT_BARN = "barn";

// ssh destinations: names, users, IPv4/IPv6 literals, ports, ssh:// URLs; nothing a shell or
// ssh's own option parser could read as more than one word.
const HOST_NAME = /^[A-Za-z0-9_.@:%+\[\]\/~-]{1,255}$/;
// The remote command line is joined by ssh and read by the host's shell: only plain words.
const BARN_PATH = /^[A-Za-z0-9_.\/~+-]{1,1024}$/;
const TAG = /^[A-Za-z0-9_.-]{1,64}$/;

function shown(s: string): string {
  return JSON.stringify(s.length > 80 ? s.slice(0, 80) + "…" : s);
}

/** A host name, refused when ssh could read it as an option or a shell as several words. */
export function checkHostName(name: string, where = ""): string {
  if (name.startsWith("-")) {
    throw new BarnError(
      "E_USAGE",
      `${where}host ${shown(name)} starts with '-', which ssh would read as an option: refused`,
    );
  }
  if (!HOST_NAME.test(name)) {
    throw new BarnError(
      "E_USAGE",
      `${where}host ${
        shown(name)
      } is not an ssh destination (letters, digits and . _ @ : % + [ ] / ~ - only)`,
    );
  }
  return name;
}

/** A remote path (barn's, or a deploy target): plain words only, since ssh joins the remote command line. */
export function checkRemotePath(path: string, what = "barn path", where = ""): string {
  if (path.startsWith("-") || !BARN_PATH.test(path)) {
    throw new BarnError(
      "E_USAGE",
      `${where}${what} ${
        shown(path)
      } must be a plain path (letters, digits and _ . / ~ + - only, not starting with '-'), ` +
        "because the host's shell reads it",
    );
  }
  return path;
}

function unique(hosts: Host[]): Host[] {
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.name)) throw new BarnError("E_USAGE", `host ${shown(h.name)} is listed twice`);
    seen.add(h.name);
  }
  if (hosts.length === 0) {
    throw new BarnError("E_USAGE", "the inventory names no hosts");
  }
  return hosts;
}

/** `--hosts=a,b,c`. */
export function parseHostList(text: string, barn = DEFAULT_BARN): Host[] {
  checkRemotePath(barn, "--barn");
  return unique(
    text.split(",").map((n) => n.trim()).filter((n) => n !== "").map((n) => ({
      name: checkHostName(n, "--hosts: "),
      tags: [],
      barn,
    })),
  );
}

/**
 * `--hosts=-`: one host per line, `DESTINATION [TAG…] [barn=PATH]`; `#` starts a comment.
 *
 *     media-1.example.com gpu eu
 *     encoder@10.0.0.7 barn=/opt/barn/bin/barn
 */
export function parseInventory(text: string, barn = DEFAULT_BARN): Host[] {
  checkRemotePath(barn, "--barn");
  const hosts: Host[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    const where = `inventory line ${i + 1}: `;
    const [name, ...words] = line.split(/\s+/);
    const host: Host = { name: checkHostName(name!, where), tags: [], barn };
    for (const w of words) {
      if (w.startsWith("barn=")) host.barn = checkRemotePath(w.slice(5), "barn path", where);
      else if (TAG.test(w)) host.tags.push(w);
      else {
        throw new BarnError(
          "E_USAGE",
          `${where}${shown(w)} is neither a tag (letters, digits, _ . -) nor barn=PATH`,
        );
      }
    }
    hosts.push(host);
  }
  return unique(hosts);
}

/** `--on=HOST|any|tag:T` → the candidate hosts (one for HOST; the least loaded is chosen later). */
export function candidates(hosts: readonly Host[], on: string): Host[] {
  if (on === "any") return [...hosts];
  if (on.startsWith("tag:")) {
    const tag = on.slice(4);
    const tagged = hosts.filter((h) => h.tags.includes(tag));
    if (tagged.length === 0) {
      throw new BarnError(
        "E_USAGE",
        `--on=${on}: no host in the inventory has the tag ${shown(tag)}`,
      );
    }
    return tagged;
  }
  const host = hosts.find((h) => h.name === on);
  if (!host) {
    throw new BarnError(
      "E_USAGE",
      `--on=${shown(on)} is not in the inventory (hosts: ${
        hosts.map((h) => h.name).slice(0, 10).join(", ")
      }); use a host, any, or tag:T`,
    );
  }
  return [host];
}
