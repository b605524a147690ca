"""Runs a command N times in turn as a child subreaper, and reports the CPU of every process it reaped.

Deno's runtime reaps only the children it spawned, so the orphans a peer leaves behind (tsp's
per-job client, a daemon's forks) are collected here: each one is read as a zombie (its own
CPU from /proc/<pid>/schedstat, exact in ns) and then reaped (its CPU with its waited-for
children, from wait4's rusage). Prints one JSON object on stdout.

  python3 reaper.py [--stdin=FILE] [--env=K=V ...] [--timeout=SECONDS] N -- argv...
"""

import ctypes
import json
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main() -> int:
    args = sys.argv[1:]
    stdin = os.devnull
    env = dict(os.environ)
    timeout = 900
    while args and args[0].startswith("--"):
        a = args.pop(0)
        if a.startswith("--stdin="):
            stdin = a[len("--stdin="):]
        elif a.startswith("--timeout="):
            timeout = int(a[len("--timeout="):])
        elif a.startswith("--env="):
            k, _, v = a[len("--env="):].partition("=")
            env[k] = v
        else:
            raise SystemExit(f"reaper: unknown option {a}")
    n = int(args.pop(0))
    if args.pop(0) != "--":
        raise SystemExit("reaper: expected -- before the command")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"reaper: prctl failed: errno {ctypes.get_errno()}")

    # A daemon started under the reaper would never end: fail instead of waiting for ever.
    def expired(_sig, _frame):
        raise SystemExit(f"reaper: still waiting after {timeout}s (a daemon started under the reaper?)")
    signal.signal(signal.SIGALRM, expired)
    signal.alarm(timeout)

    def spawn() -> int:
        return os.posix_spawnp(args[0], args, env, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, stdin, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ])

    by_comm: dict[str, dict[str, float]] = {}
    failures = 0
    t0 = time.monotonic()
    current = spawn()
    spawned = 1
    submitted_at = None
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:
            break
        pid = info.si_pid
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            with open(f"/proc/{pid}/schedstat") as f:
                own_ns = int(f.read().split()[0])
        except OSError:
            comm, own_ns = "?", 0
        _, status, ru = os.wait4(pid, 0)
        c = by_comm.setdefault(comm, {"count": 0, "own_main_thread_ms": 0.0, "with_children_ms": 0.0})
        c["count"] += 1
        c["own_main_thread_ms"] += own_ns / 1e6
        c["with_children_ms"] += (ru.ru_utime + ru.ru_stime) * 1000
        if pid == current:
            if os.waitstatus_to_exitcode(status) != 0:
                failures += 1
            if spawned < n:
                current = spawn()
                spawned += 1
            else:
                current = -1
                submitted_at = time.monotonic()
    done = time.monotonic()
    json.dump({
        "runs": n,
        "failures": failures,
        "submit_seconds": (submitted_at or done) - t0,
        "seconds": done - t0,
        "by_comm": by_comm,
    }, sys.stdout)
    return 0


sys.exit(main())
