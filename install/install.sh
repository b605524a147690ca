#!/bin/sh
# Installs a barn binary on a Linux or macOS media host and sets up its service.
#   install/install.sh --binary PATH [--prefix DIR] [--user] [--account NAME] [--no-service] [--dry-run]
# The binary is copied as a real file (never a symlink): barn's sandbox allows `barn` by name and
# resolves it through PATH without following symlinks (docs/security.md).
set -eu

binary="" prefix="/usr/local" user="" account="barn" service=1 dry=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --binary=*) binary="${1#*=}"; shift ;;
    --prefix) prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --user) user="--user"; shift ;;
    --account) account="$2"; shift 2 ;;
    --account=*) account="${1#*=}"; shift ;;
    --no-service) service=0; shift ;;
    --dry-run) dry=1; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$binary" ] || { echo "install.sh: give --binary PATH (e.g. dist/barn-x86_64-unknown-linux-gnu)" >&2; exit 2; }
[ -f "$binary" ] || { echo "install.sh: $binary is not a file" >&2; exit 2; }

target="$prefix/bin/barn"
# How to run barn for rendering: the installed binary, or (tests, dev) BARN_CMD.
barn_cmd="${BARN_CMD:-$target}"

run() {
  if [ -n "$dry" ]; then echo "+ $*"; else "$@"; fi
}

run mkdir -p "$prefix/bin"
[ -L "$target" ] && run rm -f "$target"
run install -m 0755 "$binary" "$target"

[ "$service" -eq 1 ] || exit 0
if [ -n "$dry" ]; then
  echo "# the service files and commands barn would install:"
  $barn_cmd service install $user --dry-run --script --binary="$target" --account="$account"
  exit 0
fi
script="$($barn_cmd service install $user --script --binary="$target" --account="$account")"
if [ -n "$user" ] || [ "$(id -u)" -eq 0 ]; then
  printf '%s\n' "$script" | sh
else
  printf '%s\n' "$script" | sudo sh
fi
echo "installed $target; check it with: barn service status"
