/** barn skills show: an agent skill file (Markdown) that teaches a coding agent to drive barn. */

import { BarnError } from "../../errors.ts";
import type { Command } from "../command.ts";
import { writeOut } from "../context.ts";

export const SKILL = `---
name: barn
description: Run and track long media jobs (ffmpeg, ffprobe, curl) in the background with barn, a durable job daemon. Use it for transcodes, probes and downloads that must survive the session.
---

# Driving barn

barn runs ffmpeg, ffprobe and curl jobs in the background, durably. Jobs survive your
session, service restarts and crashes. Always ask for JSON: \`--output=json\`.

## Start the service (once per host)

    barn service start            # exits 0 if it is already running

## Submit a job, idempotently

    barn run --output=json --key=probe-clip-1 --tag=probe ffprobe -v error -of json -show_format clip.mp4

- \`--key\` makes the submission idempotent: running it again returns the existing job with
  \`"duplicate": true\` instead of starting another. Use a key derived from the work.
- barn's options go before the command; everything after the command name is the command's.
- Only ffmpeg, ffprobe and curl are allowed (\`E_NOT_ALLOWED\` otherwise). No shell.
- curl may use http and https; ffmpeg local files and http(s). Give curl credentials with -u or
  -H; barn moves them off the command line. \`-K\` files and ffmpeg URLs with user:pass@ are
  refused (\`E_USAGE\`): fetch with curl or \`barn get\` first.
- \`--timeout=30m\` bounds wall-clock time (\`E_TIMEOUT\`, exit 124).

The JSON record has \`job_id\` (use any 4+ character prefix later), \`state\`
(\`queued|running|succeeded|failed|canceled\`), \`exit_code\`, \`error\`, \`stdout_path\`,
\`stderr_path\` and \`progress\` (percent, speed, eta_seconds for media jobs).

## Pipelines: one step after another

    dl=$(barn get https://dav.example.com/in/a.mp4 /tmp/barn/input/a.mp4)
    barn run --output=json --after=$dl --name=probe-a ffprobe -v error -of json -show_format /tmp/barn/input/a.mp4
    barn run --after=@probe-a --meta='{"asset": "A-1"}' ffmpeg -i /tmp/barn/input/a.mp4 /tmp/barn/output/a.mp4

- \`--after=ID[,ID…]\` (also on get and put): the job waits \`queued\` (\`waiting_for\` lists what
  it waits for) until each of those has succeeded. If one fails or is canceled, it ends
  \`canceled\` with \`E_DEPENDENCY\` (exit 125), and so do the jobs after it; \`error\` names the
  job that failed. Combines with \`--pending\` and \`--key\`.
- A whole chain in one submission: \`barn run --batch=-\` with one JSON object per line, each with
  a \`"label"\` and \`"after": ["<label>"]\`; \`["barn", "get", URL, PATH]\` and
  \`["barn", "put", PATH, URL]\` are allowed commands there. A cycle is refused (exit 2).
- \`--name=NAME\`: unique among unfinished jobs; then \`@NAME\` works wherever an id does
  (describe, wait, logs, kill, retry, clean, --after).
- \`--meta=JSON\`: your own object (≤ 16 KiB), returned as is; find jobs with
  \`barn status --meta asset=A-1\`.
- Jobs run in groups with their own limits (ffmpeg: transcode, ffprobe: probe, curl/get/put:
  transfer), so a probe never waits behind transcodes; \`--group=NAME\` picks another one, and
  \`barn service status --output=json\` shows each group's running and queued counts.

## Wait, then read the result

    barn wait <id> --timeout=1h   # exit code = the job's code; 103 = wait timed out (job keeps running)
    barn describe <id> --output=json
    barn logs <id> --stderr --tail=50

## Exit codes to branch on

- 0 success; a job's own code passes through \`wait\` and \`run --offline\` (curl 7, 22, 28 …).
- 2 usage error (fix the command line), 100 service not running (\`barn service start\`),
  101 unknown or ambiguous id, 102 wrong state, 103 wait timeout, 124 job timed out,
  125 canceled because a job it runs after failed, 126 command not allowed, 127 command not
  found, 130 canceled, 110 interrupted.
- JSON errors look like \`{"error": {"code": "E_…", "message": "…"}}\`.

## Other commands

    barn status --output=json --state=running --tag=T
    barn kill <id>                 # TERM the whole process tree, KILL after a grace period
    barn retry <id>                # new job, same command; record has retry_of
    barn clean <id>… | --tag=T --state=failed --older-than=2d [--dry-run]   # remove finished jobs
    barn listen --output=json      # JSON Lines of state changes; resume with --since=SEQ
    barn run --pending=L …; barn release L   # hold jobs until released
    barn run --offline …           # no service: runs in the foreground, same records

## Or over MCP

\`barn mcp\` is a Model Context Protocol server on stdin/stdout with the same operations as
tools (run, get, put, status, describe, logs, wait, kill, retry, hostinfo) and the resources
\`barn://jobs/{id}\` and \`barn://jobs/{id}/log\`. Register it with your MCP client as
\`{"command": "barn", "args": ["mcp"]}\`. Its \`wait\` returns within 50 s ("still running":
call it again) and sends progress notifications; errors carry barn's code. Jobs run under the
barn service, so they go on when your session ends. docs/agents.md has the details.

## Data in and out over ssh, and webhooks

    ssh HOST barn export <id> | tar -x          # barn-<id>/job.json, logs/, outputs/…, manifest.json (sha256)
    ssh HOST barn export <id> --outputs-only --include=/tmp/barn/output/extra.mp4 | tar -x
    ssh HOST barn import --sha256=HEX clip.mp4 < clip.mp4   # prints /tmp/barn/input/clip.mp4
    tar -c dir | ssh HOST barn import --tar     # regular files and dirs only, into /tmp/barn/input/
    barn run --notify=https://hooks.example.com/barn …      # POSTs the final record when the job ends

- export refuses unfinished jobs (102); import never overwrites without \`--overwrite\` (109), and a
  \`--size\`/\`--sha256\` mismatch is 113 with nothing kept. Tar entries that are links, devices,
  absolute or contain \`..\` refuse the whole import (104).
- Webhooks are delivered at least once: de-duplicate on the \`X-Barn-Delivery\` header; the
  signature is \`X-Barn-Signature: sha256=HMAC(secret, "<X-Barn-Timestamp>.<body>")\`.
  \`describe --output=json\` shows \`notifications\` with each delivery's state.

## Many hosts: barn-fleet

barn-fleet is a separate controller binary that drives barn on many hosts over OpenSSH. On
each host it runs \`ssh -T HOST barn dial-stdio\`, which joins the ssh session to that host's
service, and speaks barn's own protocol through it (a job's argv travels inside a frame, so
there is no shell quoting). Answers are per host: \`{host, ok, …}\` or
\`{host, ok: false, error: {code, message}}\`.

    barn-fleet --hosts=media-1,media-2 --output=json status
    barn-fleet --hosts=- run --on=any ffprobe -v error -show_format /tmp/barn/input/a.mp4 < hosts.txt
    barn-fleet describe media-1:k3f9     # HOST:ID, as status prints it; also logs -f, wait, kill, retry
    barn-fleet --hosts=… --output=json listen   # JSON Lines with "host"; reconnects without gaps

Host codes: E_SSH_UNREACHABLE (121), E_SSH_AUTH (122), E_BARN_MISSING (123), E_VERSION (106),
E_NO_SERVICE (100), E_TIMEOUT (124). The exit code is 0 only when every host answered.
`;

export const skills: Command = {
  name: "skills",
  summary: "print an agent skill file that teaches an AI coding agent to drive barn",
  usage: "barn skills show",
  example: "barn skills show > ~/.claude/skills/barn/SKILL.md",
  options: {},
  async run(ctx) {
    if (ctx.positionals[0] !== "show" || ctx.positionals.length !== 1) {
      throw new BarnError("E_USAGE", "use `barn skills show`");
    }
    await writeOut(Deno.stdout, SKILL);
    return 0;
  },
};
