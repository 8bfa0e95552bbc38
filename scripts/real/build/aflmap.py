#!/usr/bin/env python3
"""Runs one sandboxed xenstore daemon with an AFL edge map this process owns, and checks that the map
keeps filling across the daemon's live update (a re-exec of the same pid).

usage: aflmap.py [--sandbox SCRIPT] [--build NAME] [--no-map] [--reads N] [--updates N] KIND RUNDIR

The map is a SysV shared memory segment of 65536 bytes (AFL's MAP_SIZE); its id goes to the daemon in
__AFL_SHM_ID, as afl-fuzz does it. A traced build (real-build.sh) writes its edges there, the C one
through afl-clang-fast's runtime, oxenstored through OCaml's. Stages, each printed as "STAGE BYTES"
(the number of non-zero map bytes, cumulative):
  start     the daemon listens
  requests  after a fixed mix of requests (writes, reads, a transaction, a watch, permissions)
  update    after a live update (C: live-update -f BINARY, then -s; oxenstored: -s, polled until OK)
  after     after the same mix again
then "fresh BYTES": the map is cleared and the mix sent once more, so a non-zero count shows the new
process (after the re-exec) writes into this map. The last line sums it up. Exit 1 when the daemon
dies, changes pid, loses data in the update, or a count does not grow as it must.

--reads N and --updates N add timings: N READ round trips and N live updates, printed as
"read_us median=.. mean=.." and "update_ms median=.. mean=..". --no-map runs without a map (plain and
Debian builds).
"""
import argparse
import ctypes
import os
import socket
import statistics
import struct
import subprocess
import sys
import time

MAP_SIZE = 1 << 16
IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0
HDR = struct.Struct("<IIII")
CONTROL, DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH = 0, 1, 2, 3, 4, 5
TX_START, TX_END, WRITE, MKDIR, RM, SET_PERMS, WATCH_EVENT, ERROR = 6, 7, 11, 12, 13, 14, 15, 16


class Failure(Exception):
    pass


class SharedMap:
    """A SysV shared memory segment, removed on close (it stays mapped in the daemon until it exits)."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.shmat.restype = ctypes.c_void_p
        self.libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
        self.id = self.libc.shmget(IPC_PRIVATE, MAP_SIZE, IPC_CREAT | 0o600)
        if self.id < 0:
            raise Failure("shmget: " + os.strerror(ctypes.get_errno()))
        self.addr = self.libc.shmat(self.id, None, 0)
        if self.addr in (None, ctypes.c_void_p(-1).value):
            raise Failure("shmat: " + os.strerror(ctypes.get_errno()))

    def count(self):
        return MAP_SIZE - ctypes.string_at(self.addr, MAP_SIZE).count(0)

    def clear(self):
        ctypes.memset(self.addr, 0, MAP_SIZE)

    def close(self):
        self.libc.shmdt(ctypes.c_void_p(self.addr))
        self.libc.shmctl(self.id, IPC_RMID, None)


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.buf = b""
        self.rid = 0

    def _packet(self):
        while True:
            if len(self.buf) >= HDR.size:
                typ, rid, tx, n = HDR.unpack_from(self.buf)
                if len(self.buf) >= HDR.size + n:
                    body = self.buf[HDR.size:HDR.size + n]
                    self.buf = self.buf[HDR.size + n:]
                    return typ, rid, tx, body
            data = self.sock.recv(65536)
            if not data:
                raise Failure("the daemon closed the connection")
            self.buf += data

    def call(self, op, *args, tx=0, raw=None):
        """The reply's (type, payload); watch events are skipped."""
        self.rid += 1
        payload = raw if raw is not None else b"".join(a.encode() + b"\0" for a in args)
        self.sock.sendall(HDR.pack(op, self.rid, tx, len(payload)) + payload)
        while True:
            typ, rid, _, body = self._packet()
            if typ != WATCH_EVENT and rid == self.rid:
                return typ, body


def mix(c, round_no):
    """A fixed set of requests, the same each round (round_no only changes the values)."""
    v = "v%d" % round_no
    c.call(MKDIR, "/test")
    for i in range(8):
        c.call(WRITE, raw=("/test/k%d\0%s" % (i, v)).encode())
        c.call(READ, "/test/k%d" % i)
    c.call(DIRECTORY, "/test")
    c.call(GET_PERMS, "/test/k0")
    c.call(SET_PERMS, "/test/k1", "n0", "r1")
    c.call(WATCH, "/test", "tok")
    typ, body = c.call(TX_START, "")
    tx = int(body.rstrip(b"\0"))
    c.call(WRITE, raw=b"/test/tx\0in-tx", tx=tx)
    c.call(READ, "/test/k2", tx=tx)
    c.call(TX_END, "T", tx=tx)
    c.call(RM, "/test/k7")
    c.call(READ, "/test/missing")
    c.call(UNWATCH, "/test", "tok")
    c.call(WRITE, raw=("/keep\0kept-%d" % round_no).encode())


def live_update(c, kind, binary):
    if kind == "xenstored":
        typ, body = c.call(CONTROL, "live-update", "-f", binary)
        if body != b"OK\0":
            raise Failure("live-update -f answered %r" % body)
        typ, body = c.call(CONTROL, "live-update", "-s", "-t", "0")
        if body != b"OK\0":
            raise Failure("live-update -s answered %r" % body)
        return
    typ, body = c.call(CONTROL, "live-update", "-s", "-t", "2")
    deadline = time.monotonic() + 20
    while body.rstrip(b"\0") == b"BUSY":
        if time.monotonic() > deadline:
            raise Failure("live-update still BUSY after 20 s")
        time.sleep(0.002)
        typ, body = c.call(CONTROL, "live-update", "-s")
    if body.rstrip(b"\0") != b"OK":
        raise Failure("live-update -s answered %r" % body)


def stats(values, unit):
    return "median=%.1f mean=%.1f n=%d %s" % (statistics.median(values), statistics.mean(values), len(values), unit)


def main():
    p = argparse.ArgumentParser(description="AFL map of a sandboxed daemon across its live update")
    p.add_argument("--sandbox", default=os.path.join(os.path.dirname(__file__), "..", "..", "real-sandbox.sh"))
    p.add_argument("--build", default="traced")
    p.add_argument("--no-map", action="store_true")
    p.add_argument("--reads", type=int, default=0)
    p.add_argument("--updates", type=int, default=0)
    p.add_argument("kind", choices=["oxenstored", "xenstored"])
    p.add_argument("rundir")
    a = p.parse_args()

    shm = None if a.no_map else SharedMap()
    env = dict(os.environ, XSFUZZ_REAL_BUILD=a.build)
    if shm:
        env["__AFL_SHM_ID"] = str(shm.id)
    os.makedirs(a.rundir, exist_ok=True)
    sock = os.path.join(os.path.abspath(a.rundir), "socket")
    if os.path.exists(sock):
        os.unlink(sock)
    info = dict(l.split("=", 1) for l in subprocess.run([a.sandbox, "info"], capture_output=True, text=True,
                                                       check=True).stdout.split())
    binary = os.path.join(info["cache"], "built", a.build, a.kind) if a.build != "debian" else info[a.kind]
    t0 = time.monotonic()
    daemon = subprocess.Popen([a.sandbox, "exec", a.kind, a.rundir], env=env)
    counts = []

    def stage(name):
        if daemon.poll() is not None:
            raise Failure("the daemon exited (status %s) before %s" % (daemon.returncode, name))
        if shm:
            counts.append((name, shm.count()))
            print(name, counts[-1][1], flush=True)

    try:
        c = None
        while c is None:
            # The socket file appears at bind(), a moment before listen(): connect until accepted.
            try:
                c = Client(sock)
            except (FileNotFoundError, ConnectionRefusedError):
                if daemon.poll() is not None or time.monotonic() - t0 > 20:
                    raise Failure("the daemon did not listen on its socket")
                time.sleep(0.002)
        print("start_ms %.1f" % ((time.monotonic() - t0) * 1000))
        stage("start")
        mix(c, 1)
        stage("requests")
        if a.reads:
            times = []
            for _ in range(a.reads):
                s = time.perf_counter()
                c.call(READ, "/test/k0")
                times.append((time.perf_counter() - s) * 1e6)
            print("read_us", stats(times, "us"))
        s = time.perf_counter()
        live_update(c, a.kind, binary)
        lu = [(time.perf_counter() - s) * 1000]
        stage("update")
        typ, body = c.call(READ, "/keep")
        if body != b"kept-1":
            raise Failure("after the live update /keep reads %r, not b'kept-1'" % body)
        mix(c, 2)
        stage("after")
        for _ in range(max(0, a.updates - 1)):
            s = time.perf_counter()
            live_update(c, a.kind, binary)
            lu.append((time.perf_counter() - s) * 1000)
        if a.updates:
            print("update_ms", stats(lu, "ms"))
        if daemon.poll() is not None:
            raise Failure("the daemon exited")
        if shm:
            shm.clear()
            mix(c, 3)
            fresh = shm.count()
            print("fresh", fresh)
            n = dict(counts)
            bad = []
            if n["start"] == 0:
                bad.append("nothing in the map at start (not instrumented?)")
            if not n["start"] < n["requests"] < n["update"] <= n["after"]:
                bad.append("the counts do not grow: the map was reset or lost")
            if fresh == 0:
                bad.append("the updated process writes nothing into the map")
            if bad:
                raise Failure("; ".join(bad))
            print("map bytes " + " -> ".join("%s %d" % kv for kv in counts) +
                  "; fresh after update %d; same pid, data kept" % fresh)
        else:
            print("same pid, data kept")
        return 0
    except (Failure, OSError, subprocess.CalledProcessError) as e:
        print("aflmap: %s" % e, file=sys.stderr)
        out = os.path.join(a.rundir, "daemon.out")
        if os.path.exists(out):
            sys.stderr.write("daemon.out: " + open(out, errors="replace").read()[-2000:])
        return 1
    finally:
        if daemon.poll() is None:
            daemon.terminate()
            try:
                daemon.wait(5)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        if shm:
            shm.close()


if __name__ == "__main__":
    sys.exit(main())
