/** config.json: documented keys with defaults (docs/configuration in README); validated by hand to stay off npm. */

import { BarnError } from "../errors.ts";
import { parseDuration } from "./duration.ts";
import { readTextIfExists } from "../platform/files.ts";
import { excerpt, parseJsonOr } from "../escape.ts";
import { checkNotifyUrl } from "../notify/notify_url.ts";
import {
  CURL_PROTOCOL_NAMES,
  DEFAULT_CURL_PROTOCOLS,
  DEFAULT_FFMPEG_PROTOCOLS,
  FFMPEG_PROTOCOL_NAMES,
} from "../media/protocol_names.ts";
import {
  DEFAULT_GROUP_OF,
  defaultGroupLimits,
  GROUP_NAME_PATTERN,
  GROUP_OF_KEYS,
} from "../jobs/groups.ts";

export const DEFAULT_ALLOWED = ["ffmpeg", "ffprobe", "curl"] as const;

export interface Config {
  /**
   * A cap on all running jobs, whatever their group; null = none (each group's limit alone).
   * When set, it is also the limit of every group that `groups` does not name, so a config
   * from before groups keeps its meaning.
   */
  max_parallel: number | null;
  /** Each queue group's parallel limit (the built-in groups and any named in config). */
  groups: Record<string, number>;
  /** The group a job starts in by its command (`get`/`put` for barn's transfers), unless `--group` says. */
  group_of: Record<string, string>;
  /** Executables `barn run` accepts; may only narrow the default list. */
  allowed_commands: string[];
  /** Seconds between SIGTERM and SIGKILL when barn stops a job. */
  kill_grace_seconds: number;
  /** Age after which `clean` removes failed jobs. */
  max_age_seconds: number;
  /** Cap per log file; barn keeps the head and the latest tail. */
  max_log_bytes: number;
  /** Seconds between heartbeats of running jobs. */
  heartbeat_seconds: number;
  /** Seconds the keeper lingers with no jobs before it exits. */
  keeper_idle_seconds: number;
  /** Default stall watchdog for ffmpeg jobs: seconds without progress before E_STALLED; 0 = off. */
  stall_timeout_seconds: number;
  /** Seconds a client connection may sit without a complete request before the service closes it. */
  idle_timeout_seconds: number;
  /** Watch folders the service runs (docs/watch-folder.md). */
  watch_folders: { path: string; poll_seconds: number }[];
  /** Service socket file name, relative to BARN_HOME; a change makes `reload` soft-restart. */
  socket_name: string;
  /** How long a DB statement waits for another process's lock before failing with E_STORE_BUSY. */
  busy_timeout_seconds: number;
  /** Protocols curl jobs may use (`--proto`, `--proto-redir` of every group). */
  curl_protocols: string[];
  /** Protocols ffmpeg and ffprobe jobs may use (`-protocol_whitelist` of every file). */
  ffmpeg_protocols: string[];
  /** A completion webhook for every job submitted while it is set (docs/webhooks.md). */
  notify_url: string | null;
  /** The first retry of a failed webhook delivery waits this long; each next one twice as long. */
  notify_backoff_seconds: number;
  /** A webhook delivery is given up this long after the job ended. */
  notify_retry_for_seconds: number;
}

function cpus(): number {
  return navigator.hardwareConcurrency || 2;
}

export function defaultConfig(): Config {
  return {
    max_parallel: null,
    groups: defaultGroupLimits(cpus()),
    group_of: { ...DEFAULT_GROUP_OF },
    allowed_commands: [...DEFAULT_ALLOWED],
    kill_grace_seconds: 10,
    max_age_seconds: 7 * 86400,
    max_log_bytes: 16 * 1024 * 1024,
    heartbeat_seconds: 5,
    keeper_idle_seconds: 5,
    socket_name: "barn.sock",
    stall_timeout_seconds: 120,
    watch_folders: [],
    idle_timeout_seconds: 30,
    busy_timeout_seconds: 10,
    curl_protocols: [...DEFAULT_CURL_PROTOCOLS],
    ffmpeg_protocols: [...DEFAULT_FFMPEG_PROTOCOLS],
    notify_url: null,
    notify_backoff_seconds: 2,
    notify_retry_for_seconds: 86400,
  };
}

/**
 * The commands jobs may run: config's allowlist, plus the test fixture interpreter only when
 * this process's own permission set grants it (the test-only `barn-test-hooks` set). The
 * shipped set never grants it, and nothing in the environment can widen the list.
 */
export function allowedCommands(config: Config): string[] {
  return [...config.allowed_commands, ...TEST_HOOK_COMMANDS.filter(granted)];
}

/** Run by tests only, under the `barn-test-hooks` permission set (tests/fixtures). */
export const TEST_HOOK_COMMANDS: readonly string[] = ["python3"];

/** A process's permission set is fixed for its life (barn revokes nothing): asked once per command, not per job (each query walks PATH). */
const grantedRun = new Map<string, boolean>();

function granted(command: string): boolean {
  let yes = grantedRun.get(command);
  if (yes === undefined) {
    yes = Deno.permissions.querySync({ name: "run", command }).state === "granted";
    grantedRun.set(command, yes);
  }
  return yes;
}

const KEYS = [
  "max_parallel",
  "groups",
  "group_of",
  "allowed_commands",
  "kill_grace",
  "max_age",
  "max_log_bytes",
  "heartbeat",
  "keeper_idle",
  "socket_name",
  "stall_timeout",
  "watch_folders",
  "idle_timeout",
  "busy_timeout",
  "curl_protocols",
  "ffmpeg_protocols",
  "notify_url",
  "notify_backoff",
  "notify_retry_for",
] as const;

/** Names barn owns in BARN_HOME: a socket_name may never be one of them (a stale-socket unlink must not hit data). */
const RESERVED_NAMES = /^(barn\.db.*|config\.json|credentials\.json|service\..*|keeper.*)$/;

function bad(path: string, key: string, why: string): BarnError {
  return new BarnError(
    "E_CONFIG",
    `config ${path}: '${excerpt(key)}' ${why}; fix the file and retry`,
  );
}

function duration(path: string, key: string, v: unknown): number {
  if (typeof v === "number" && v >= 0) return v;
  if (typeof v === "string") {
    try {
      return parseDuration(v, key);
    } catch {
      // fall through to the config error below
    }
  }
  throw bad(
    path,
    key,
    `must be a duration such as "10s" or "7d" (got ${excerpt(JSON.stringify(v) ?? String(v))})`,
  );
}

/** Parses config.json text; throws E_CONFIG naming the key at fault. */
export function parseConfig(text: string, path = "config.json"): Config {
  const raw = parseJsonOr(text, (place) =>
    new BarnError(
      "E_CONFIG",
      `config ${path} is not valid JSON (${place || "cannot parse it"}); fix the file and retry`,
    ));
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new BarnError(
      "E_CONFIG",
      `config ${path} must hold a JSON object; fix the file and retry`,
    );
  }
  const obj = raw as Record<string, unknown>;
  const cfg = defaultConfig();
  for (const key of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw bad(path, key, `is not a known key (known: ${KEYS.join(", ")})`);
    }
  }
  if ("max_parallel" in obj) {
    const v = obj.max_parallel;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 1024) {
      throw bad(path, "max_parallel", "must be an integer from 1 to 1024");
    }
    cfg.max_parallel = v;
  }
  groupsOf(path, obj, cfg);
  if ("allowed_commands" in obj) {
    const v = obj.allowed_commands;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
      throw bad(path, "allowed_commands", "must be an array of names");
    }
    const extra = v.filter((x) => !(DEFAULT_ALLOWED as readonly string[]).includes(x));
    if (extra.length > 0) {
      throw bad(
        path,
        "allowed_commands",
        `may only narrow the default list (${DEFAULT_ALLOWED.join(", ")}); not allowed: ${
          extra.join(", ")
        }`,
      );
    }
    cfg.allowed_commands = v as string[];
  }
  if ("kill_grace" in obj) cfg.kill_grace_seconds = duration(path, "kill_grace", obj.kill_grace);
  if ("max_age" in obj) cfg.max_age_seconds = duration(path, "max_age", obj.max_age);
  if ("heartbeat" in obj) {
    cfg.heartbeat_seconds = Math.max(0.2, duration(path, "heartbeat", obj.heartbeat));
  }
  if ("keeper_idle" in obj) {
    cfg.keeper_idle_seconds = duration(path, "keeper_idle", obj.keeper_idle);
  }
  if ("max_log_bytes" in obj) {
    const v = obj.max_log_bytes;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 4096) {
      throw bad(path, "max_log_bytes", "must be an integer of at least 4096");
    }
    cfg.max_log_bytes = v;
  }
  if ("stall_timeout" in obj) {
    cfg.stall_timeout_seconds = duration(path, "stall_timeout", obj.stall_timeout);
  }
  if ("idle_timeout" in obj) {
    cfg.idle_timeout_seconds = Math.max(0.1, duration(path, "idle_timeout", obj.idle_timeout));
  }
  if ("watch_folders" in obj) {
    const v = obj.watch_folders;
    if (!Array.isArray(v)) {
      throw bad(path, "watch_folders", 'must be an array of paths or {"path", "poll_seconds"}');
    }
    cfg.watch_folders = v.map((w, i) => {
      const entry = typeof w === "string"
        ? { path: w }
        : w as { path?: unknown; poll_seconds?: unknown };
      if (typeof entry?.path !== "string" || !entry.path.startsWith("/")) {
        throw bad(path, `watch_folders[${i}]`, "needs an absolute path");
      }
      const poll = entry.poll_seconds ?? 2;
      if (typeof poll !== "number" || !(poll > 0)) {
        throw bad(path, `watch_folders[${i}].poll_seconds`, "must be a positive number");
      }
      const extra = typeof w === "object"
        ? Object.keys(w).filter((k) => k !== "path" && k !== "poll_seconds")
        : [];
      if (extra.length) {
        throw bad(path, `watch_folders[${i}]`, `has unknown keys: ${extra.join(", ")}`);
      }
      return { path: entry.path.replace(/\/+$/, ""), poll_seconds: poll };
    });
  }
  if ("socket_name" in obj) {
    const v = obj.socket_name;
    if (typeof v !== "string" || !/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,58}\.sock$/.test(v)) {
      throw bad(
        path,
        "socket_name",
        "must be a plain file name ending in .sock, such as barn.sock",
      );
    }
    if (RESERVED_NAMES.test(v)) {
      throw bad(path, "socket_name", `names a file barn keeps in BARN_HOME (${v}); pick another`);
    }
    cfg.socket_name = v;
  }
  if ("busy_timeout" in obj) {
    const v = duration(path, "busy_timeout", obj.busy_timeout);
    if (v < 0.1 || v > 600) throw bad(path, "busy_timeout", "must be from 100ms to 10m");
    cfg.busy_timeout_seconds = v;
  }
  for (
    const [key, known] of [["curl_protocols", CURL_PROTOCOL_NAMES], [
      "ffmpeg_protocols",
      FFMPEG_PROTOCOL_NAMES,
    ]] as const
  ) {
    if (!(key in obj)) continue;
    cfg[key] = protocols(path, key, obj[key], known);
  }
  if ("notify_url" in obj) {
    const v = obj.notify_url;
    if (v !== null && typeof v !== "string") throw bad(path, "notify_url", "must be a URL or null");
    try {
      cfg.notify_url = v === null ? null : checkNotifyUrl(v, "notify_url");
    } catch (e) {
      throw new BarnError("E_CONFIG", `config ${path}: ${(e as Error).message}`);
    }
  }
  if ("notify_backoff" in obj) {
    const v = duration(path, "notify_backoff", obj.notify_backoff);
    if (v < 0.01 || v > 3600) throw bad(path, "notify_backoff", "must be from 10ms to 1h");
    cfg.notify_backoff_seconds = v;
  }
  if ("notify_retry_for" in obj) {
    cfg.notify_retry_for_seconds = duration(path, "notify_retry_for", obj.notify_retry_for);
  }
  return cfg;
}

/** `groups` and `group_of`, over the defaults (which `max_parallel`, when set, replaces). */
function groupsOf(path: string, obj: Record<string, unknown>, cfg: Config): void {
  if (cfg.max_parallel !== null) {
    const cap = cfg.max_parallel;
    cfg.groups = Object.fromEntries(Object.keys(cfg.groups).map((g) => [g, cap]));
  }
  if ("groups" in obj) {
    const v = obj.groups;
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw bad(path, "groups", 'must be an object of group names and limits, e.g. {"probe": 8}');
    }
    for (const [name, limit] of Object.entries(v)) {
      if (!GROUP_NAME_PATTERN.test(name)) {
        throw bad(
          path,
          `groups.${name}`,
          "is not a group name (a letter, then letters, digits, '.', '_' or '-'; at most 64)",
        );
      }
      if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 1024) {
        throw bad(path, `groups.${name}`, "must be an integer from 1 to 1024");
      }
      cfg.groups[name] = limit;
    }
  }
  if ("group_of" in obj) {
    const v = obj.group_of;
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw bad(
        path,
        "group_of",
        'must be an object of commands and groups, e.g. {"curl": "probe"}',
      );
    }
    for (const [command, group] of Object.entries(v)) {
      if (!(GROUP_OF_KEYS as readonly string[]).includes(command)) {
        throw bad(path, `group_of.${command}`, `is not one of ${GROUP_OF_KEYS.join(", ")}`);
      }
      if (typeof group !== "string" || !Object.hasOwn(cfg.groups, group)) {
        throw bad(
          path,
          `group_of.${command}`,
          `must name a group (${Object.keys(cfg.groups).join(", ")})`,
        );
      }
      cfg.group_of[command] = group;
    }
  }
}

/** A protocol list from config: at least one name, each one the tool knows. */
function protocols(path: string, key: string, v: unknown, known: readonly string[]): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "string")) {
    throw bad(path, key, `must be a non-empty array of protocol names, e.g. ["http", "https"]`);
  }
  const unknown = v.filter((x) => !known.includes(x));
  if (unknown.length) {
    throw bad(
      path,
      key,
      `names unknown protocols: ${unknown.map((x) => excerpt(x)).join(", ")} (known: ${
        known.join(", ")
      })`,
    );
  }
  return [...new Set(v as string[])];
}

/** Loads config.json from BARN_HOME, or the defaults when it is absent. */
export function loadConfig(path: string): Config {
  const text = readTextIfExists(path);
  return text === null ? defaultConfig() : parseConfig(text, path);
}
