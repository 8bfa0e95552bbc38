#!/usr/bin/env python3
"""EXPERIMENT (not used by xsfuzz): how fast and how stable are execs on forked children of one traced
daemon, instead of a fresh daemon per exec? forksrv.c, preloaded into the daemon, turns its first
poll() (the daemon is set up and listening) into a fork server: one child per exec, which then runs
the daemon's own loop; the parent reports the child's pid and, once it is killed, its wait status.

usage: forksrv.py KIND EXECS [--lu] [--fresh]   (after scripts/real-build.sh)

--fresh: the baseline, a fresh daemon per exec (started through the sandbox, as xsfuzz real does).

Per exec: clear the map, fork, connect, the request mix of aflmap.py (and with --lu a live update
and a read-back), kill the child. Prints ms per exec (and per phase), and the map's stability: the
share of map bytes set in every exec among those set in any (positions only, not hit counts).
The sandbox script is copied into a temporary folder with forksrv.so added to LD_PRELOAD, so that
scripts/real-sandbox.sh itself stays as it is.
"""
import os, statistics, struct, subprocess, sys, tempfile, time
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True   # no __pycache__ in the repository
import aflmap  # noqa: E402


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("oxenstored", "xenstored"):
        print(__doc__.strip().splitlines()[-6], file=sys.stderr)
        return 2
    kind, n, lu, fresh = sys.argv[1], int(sys.argv[2]), "--lu" in sys.argv[3:], "--fresh" in sys.argv[3:]
    cache = os.environ.get("XSFUZZ_REAL_CACHE", os.path.join(ROOT, "build", "real"))
    tmp = tempfile.mkdtemp(prefix="xsfuzz-forksrv.")
    so = os.path.join(tmp, "forksrv.so")
    subprocess.run(["gcc", "-O2", "-Wall", "-fPIC", "-shared", "-o", so, os.path.join(HERE, "forksrv.c"), "-ldl"], check=True)
    script = open(os.path.join(ROOT, "scripts", "real-sandbox.sh")).read()
    old = 'export LD_PRELOAD="$LIB/xsfuzz-shim.so"'
    assert old in script
    os.makedirs(os.path.join(tmp, "scripts"))
    sandbox = os.path.join(tmp, "scripts", "real-sandbox.sh")
    open(sandbox, "w").write(script.replace(old, 'export LD_PRELOAD="$LIB/xsfuzz-shim.so %s"' % so))
    os.chmod(sandbox, 0o755)

    shm = aflmap.SharedMap()
    cr, cw = os.pipe()
    sr, sw = os.pipe()
    env = dict(os.environ, XSFUZZ_REAL_BUILD="traced", __AFL_SHM_ID=str(shm.id), XSFUZZ_REAL_CACHE=cache,
               XSFUZZ_FORKSRV="%d,%d" % (cr, sw))
    run = os.path.join(tmp, "run")
    os.makedirs(run)
    plain_env = dict(env)
    del plain_env["XSFUZZ_FORKSRV"]
    daemon = subprocess.Popen([sandbox, "--cache", cache, "exec", kind, os.path.join(tmp, "run-forksrv")],
                              env=env, pass_fds=(cr, sw))
    if not fresh:
        run = os.path.join(tmp, "run-forksrv")
    os.close(cr)
    os.close(sw)
    sock = os.path.join(run, "socket")
    binary = os.path.join(cache, "built", "traced", kind)
    times, phases, sets, statuses = [], [], [], []
    try:
        if len(os.read(sr, 4)) != 4:   # the fork server is ready: start-up is over
            raise SystemExit("the daemon exited before its first poll")
        for _ in range(n):
            shm.clear()
            t0 = time.perf_counter()
            if fresh:
                if os.path.exists(sock):
                    os.unlink(sock)
                one = subprocess.Popen([sandbox, "--cache", cache, "exec", kind, run], env=plain_env)
                child = one.pid
            else:
                os.write(cw, b"\0\0\0\0")
                child = struct.unpack("<i", os.read(sr, 4))[0]
            t1 = time.perf_counter()
            c = None
            while c is None:
                try:
                    c = aflmap.Client(sock)
                except (FileNotFoundError, ConnectionRefusedError):
                    time.sleep(0.0005)
            t2 = time.perf_counter()
            aflmap.mix(c, 1)
            t3 = time.perf_counter()
            if lu:
                aflmap.live_update(c, kind, binary)
                if c.call(aflmap.READ, "/keep")[1] != b"kept-1":
                    raise SystemExit("data lost in the child's live update")
            c.sock.close()
            os.kill(child, 9)
            statuses.append(one.wait() if fresh else struct.unpack("<i", os.read(sr, 4))[0])
            t4 = time.perf_counter()
            times.append((t4 - t0) * 1000)
            phases.append(((t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, (t4 - t3) * 1000))
            m = aflmap.ctypes.string_at(shm.addr, aflmap.MAP_SIZE)
            sets.append({j for j in range(aflmap.MAP_SIZE) if m[j]})
    finally:
        os.close(cw)
        try:
            daemon.wait(5)
        except subprocess.TimeoutExpired:
            daemon.kill()
        shm.close()
        subprocess.run(["rm", "-rf", tmp])
    always, ever = set.intersection(*sets), set.union(*sets)
    ph = [statistics.median(p[k] for p in phases) for k in range(4)]
    print("%s%s: %d execs, ms/exec median %.2f mean %.2f (%s %.2f, connect %.2f, mix %.2f, %s %.2f);"
          " map bytes per exec %d-%d, always %d, ever %d, stability %.1f %%; child statuses %s" % (
              kind, (" --lu" if lu else "") + (" --fresh" if fresh else ""), n, statistics.median(times), statistics.mean(times), "start" if fresh else "fork", ph[0], ph[1], ph[2],
              "update+kill" if lu else "kill", ph[3], min(map(len, sets)), max(map(len, sets)), len(always), len(ever),
              100.0 * len(always) / len(ever), sorted(set(statuses))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
