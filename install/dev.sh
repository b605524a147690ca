#!/usr/bin/env bash
# barn's developer entry point: installs what is missing, then runs the tests or the demo.
#   install/dev.sh deps   install Deno (pinned), ffmpeg/ffprobe/curl/rclone, tmux, sqlite3 …, and every npm
#                         package of deno.json into DENO_DIR, so source runs work offline afterwards
#   install/dev.sh test   deps + the whole test suite; ends with "N passed, N failed"
#   install/dev.sh demo   deps + start the service, run an ffprobe and an ffmpeg job, print status
set -euo pipefail

DENO_VERSION="2.9.6" # the one place the Deno version is pinned
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DENO="$ROOT/.deno/bin/deno"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

deno_target() {
  local os arch
  case "$(uname -s)" in Linux) os=unknown-linux-gnu ;; Darwin) os=apple-darwin ;; *) os=unknown ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x86_64 ;; aarch64 | arm64) arch=aarch64 ;; *) arch=unknown ;; esac
  echo "$arch-$os"
}

npm_platform() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo linux-x64-glibc ;; Linux-aarch64) echo linux-arm64-glibc ;;
    Darwin-x86_64) echo darwin-x64 ;; Darwin-arm64) echo darwin-arm64 ;; *) echo unknown ;;
  esac
}

# Deno must be a real file at .deno/bin/deno: the permission set allows exactly that path to run.
ensure_deno() {
  if [ -x "$DENO" ] && "$DENO" --version 2>/dev/null | grep -q "^deno $DENO_VERSION "; then return; fi
  mkdir -p "$ROOT/.deno/bin"
  local tmp; tmp="$(mktemp -d)"
  say "installing Deno $DENO_VERSION into .deno/bin"
  if curl -fsSL --connect-timeout 5 --max-time 120 -o "$tmp/deno.zip" \
    "https://dl.deno.land/release/v$DENO_VERSION/deno-$(deno_target).zip" 2>/dev/null &&
    python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extract('deno', sys.argv[2])" "$tmp/deno.zip" "$tmp" 2>/dev/null; then
    install -m 0755 "$tmp/deno" "$DENO"
  else
    say "the official download is unreachable; using the npm registry (deno@$DENO_VERSION)"
    command -v npm >/dev/null || { echo "barn: npm is needed to install Deno here; install Node.js and npm" >&2; exit 1; }
    (cd "$tmp" && npm install --silent --no-audit --no-fund --ignore-scripts "deno@$DENO_VERSION" >/dev/null)
    local bin="$tmp/node_modules/@deno/$(npm_platform)/deno"
    [ -f "$bin" ] || { echo "barn: npm's deno package has no binary for $(npm_platform)" >&2; exit 1; }
    install -m 0755 "$bin" "$DENO" # a real file, not npm's symlink
  fi
  rm -rf "$tmp"
  "$DENO" --version | head -1 >&2
}

ensure_tools() {
  local missing=()
  # The media tools, the WebDAV test server, the test fixture's python3, the benchmark peers, and
  # OpenSSH (client and server: the fleet tests start real sshd hosts on 127.0.0.1), tmux (the
  # `barn top` tests drive a real terminal), sqlite3 (a live writer beside read-only commands, and
  # the chaos suite's integrity checks), ss and prlimit (the chaos suite's looks and limits).
  for t in ffmpeg ffprobe curl rclone python3 tsp nq hyperfine strace systemd-analyze ssh scp tmux sqlite3 ss prlimit; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  [ -x /usr/sbin/sshd ] || missing+=(sshd) # not on a non-root PATH
  [ ${#missing[@]} -eq 0 ] && return
  say "installing ${missing[*]}"
  local pkgs=()
  for t in "${missing[@]}"; do
    case "$t" in
      ffprobe) pkgs+=(ffmpeg) ;;
      tsp) pkgs+=(task-spooler) ;;
      systemd-analyze) pkgs+=(systemd) ;;
      ss) pkgs+=(iproute2) ;;
      prlimit) pkgs+=(util-linux) ;;
      ssh | scp) pkgs+=(openssh-client) ;;
      sshd) pkgs+=(openssh-server) ;;
      *) pkgs+=("$t") ;;
    esac

  done
  if command -v apt-get >/dev/null; then
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
  elif command -v brew >/dev/null; then
    brew install "${pkgs[@]}"
  else
    echo "barn: please install: ${pkgs[*]} (ffmpeg provides ffprobe)" >&2
    exit 1
  fi
}

# Every npm package pinned in deno.json, fetched now: modules behind lazy() (the XML renderer, the
# MCP SDK, WebDAV) are invisible to `deno cache src/main.ts`, and a source run must not reach the
# registry later. --frozen: deno.lock must already agree with deno.json.
cache_deps() {
  (cd "$ROOT" && "$DENO" install -q --frozen)
  # The bundle step (install/bundle.ts: compile task, bench stand-in) transpiles with `deno bundle`, whose esbuild comes from npm.
  local out; out="$(mktemp -d)"
  (cd "$ROOT" && "$DENO" bundle -q --platform=deno --inline-imports=false --outdir="$out" src/version.ts >/dev/null)
  rm -rf "$out"
}

run_tests() {
  local log; log="$(mktemp)"
  set +e
  (cd "$ROOT" && "$DENO" task -q test 2>&1) | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local line passed failed
  line="$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -1)"
  passed="$(echo "$line" | sed -E 's/.*\| ([0-9]+) passed.*/\1/')"
  failed="$(echo "$line" | sed -E 's/.*\| ([0-9]+) failed.*/\1/')"
  rm -f "$log"
  [ -n "$line" ] || { passed=0; failed=1; }
  echo "${passed} passed, ${failed} failed"
  return "$rc"
}

run_demo() {
  export BARN_HOME=/tmp/barn/demo
  local barn=("$DENO" run -q -P=barn "$ROOT/src/main.ts")
  mkdir -p /tmp/barn && chmod 700 /tmp/barn
  "${barn[@]}" service start
  mkdir -p "$BARN_HOME/input" "$BARN_HOME/output"
  ffmpeg -v error -y -f lavfi -i testsrc=size=640x360:rate=25:duration=5 -f lavfi -i sine=frequency=440:duration=5 \
    -shortest -c:v libx264 -preset ultrafast -c:a aac "$BARN_HOME/input/clip.mp4"
  "${barn[@]}" run --tag=demo ffprobe -v error -of json -show_format -show_streams "$BARN_HOME/input/clip.mp4"
  "${barn[@]}" run --tag=demo ffmpeg -y -i "$BARN_HOME/input/clip.mp4" -vf scale=320:-2 -c:v libx264 -preset veryfast \
    "$BARN_HOME/output/clip-320.mp4"
  "${barn[@]}" wait --tag=demo --timeout=120s >/dev/null || true
  "${barn[@]}" status --tag=demo
  echo
  echo "The service keeps running: BARN_HOME=$BARN_HOME .deno/bin/deno task -q barn status (or ... service stop)."
}

case "${1:-}" in
  deps) ensure_deno; ensure_tools; cache_deps ;;
  test) ensure_deno; ensure_tools; cache_deps; run_tests ;;
  demo) ensure_deno; ensure_tools; cache_deps; run_demo ;;
  *) echo "usage: install/dev.sh deps|test|demo" >&2; exit 2 ;;
esac
