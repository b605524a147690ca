/** Queue groups (pure): which group a command starts in by default, and each group's default limit. */

/** A group name: a letter first, so it can be an XML element name (`config show --output=xml`). */
export const GROUP_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/** The group of jobs whose command no `group_of` entry names. */
export const DEFAULT_GROUP = "default";

/**
 * The keys of `group_of`: a job's command name, with barn's own transfers as `get` and `put`.
 * The migration that added groups (store/migrations.ts) spells the same defaults in SQL.
 */
export const GROUP_OF_KEYS = ["ffmpeg", "ffprobe", "curl", "get", "put"] as const;
export type GroupOfKey = typeof GROUP_OF_KEYS[number];

export const DEFAULT_GROUP_OF: Readonly<Record<GroupOfKey, string>> = {
  ffmpeg: "transcode",
  ffprobe: "probe",
  curl: "transfer",
  get: "transfer",
  put: "transfer",
};

/** Limits of the built-in groups: transcodes (CPU-bound) one per CPU, probes and transfers more. */
export function defaultGroupLimits(cpus: number): Record<string, number> {
  return { transcode: cpus, probe: 8, transfer: 4, [DEFAULT_GROUP]: cpus };
}

/** The group a command starts in when `--group` does not say. */
export function groupOf(
  command: readonly string[],
  map: Readonly<Partial<Record<string, string>>> = DEFAULT_GROUP_OF,
): string {
  const key = command[0] === "barn" ? command[1] ?? "" : command[0] ?? "";
  return (Object.hasOwn(map, key) ? map[key] : undefined) ?? DEFAULT_GROUP;
}
