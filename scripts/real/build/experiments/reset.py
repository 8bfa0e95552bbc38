#!/usr/bin/env python3
"""EXPERIMENT (not used by xsfuzz): one long-lived traced daemon, its state reset by requests between
execs, against forksrv.py's fork server and fresh daemons.

usage: reset.py KIND EXECS [--lu]

Per exec: clear the map, connect, the request mix of aflmap.py (with --lu a live update and a read-back),
close; then the reset on a new connection (RM /test and /keep, what the mix creates), close. Prints ms
per exec and per reset, and the map's stability as forksrv.py does. What requests cannot reset (the
transaction id counter, the C daemon's node generation counter, oxenstored's history) stays, so the
stability printed is the point of the experiment.
"""
import os, statistics, subprocess, sys, tempfile, time
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True   # no __pycache__ in the repository
import aflmap  # noqa: E402


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("oxenstored", "xenstored"):
        print("usage: reset.py KIND EXECS [--lu]", file=sys.stderr)
        return 2
    kind, n, lu = sys.argv[1], int(sys.argv[2]), "--lu" in sys.argv[3:]
    cache = os.environ.get("XSFUZZ_REAL_CACHE", os.path.join(ROOT, "build", "real"))
    tmp = tempfile.mkdtemp(prefix="xsfuzz-reset.")
    shm = aflmap.SharedMap()
    env = dict(os.environ, XSFUZZ_REAL_BUILD="traced", __AFL_SHM_ID=str(shm.id), XSFUZZ_REAL_CACHE=cache)
    run = os.path.join(tmp, "run")
    sock = os.path.join(run, "socket")
    daemon = subprocess.Popen([os.path.join(ROOT, "scripts", "real-sandbox.sh"), "--cache", cache, "exec", kind, run], env=env)
    binary = os.path.join(cache, "built", "traced", kind)
    times, resets, sets = [], [], []
    try:
        t0 = time.monotonic()
        while True:
            try:
                aflmap.Client(sock).sock.close()
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() - t0 > 20:
                    raise SystemExit("the daemon did not listen")
                time.sleep(0.002)
        time.sleep(0.5)
        for _ in range(n):
            shm.clear()
            t = time.perf_counter()
            c = aflmap.Client(sock)
            aflmap.mix(c, 1)
            if lu:
                aflmap.live_update(c, kind, binary)
                if c.call(aflmap.READ, "/keep")[1] != b"kept-1":
                    raise SystemExit("data lost in the live update")
            c.sock.close()
            t1 = time.perf_counter()
            r = aflmap.Client(sock)
            r.call(aflmap.RM, "/test")
            r.call(aflmap.RM, "/keep")
            r.sock.close()
            t2 = time.perf_counter()
            # After the reset: an edge of the reset that came late would otherwise count in the next exec.
            m = aflmap.ctypes.string_at(shm.addr, aflmap.MAP_SIZE)
            sets.append({j for j in range(aflmap.MAP_SIZE) if m[j]})
            times.append((t1 - t) * 1000)
            resets.append((t2 - t1) * 1000)
            if daemon.poll() is not None:
                raise SystemExit("the daemon died")
    finally:
        daemon.terminate()
        daemon.wait(5)
        shm.close()
        subprocess.run(["rm", "-rf", tmp])
    always, ever = set.intersection(*sets), set.union(*sets)
    print("%s%s reset by requests: %d execs, ms/exec median %.2f (+ reset %.2f); map bytes per exec %d-%d,"
          " always %d, ever %d, stability %.1f %%" % (
              kind, " --lu" if lu else "", n, statistics.median(times), statistics.median(resets),
              min(map(len, sets)), max(map(len, sets)), len(always), len(ever), 100.0 * len(always) / len(ever)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
