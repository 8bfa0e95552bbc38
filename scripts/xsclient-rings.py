#!/usr/bin/env python3
"""The oracle's xsclient.py with domU connections over rings.

usage: xsclient-rings.py XSCLIENT SOCKET [TRACE|-] [xsclient options]

Same traces and output as XSCLIENT (the oracle's xsclient.py, which this imports), against a daemon
started by scripts/real-sandbox.sh: a connection named D<domid> ("conn": "D3") is that domain's ring
in the daemon's run folder (the folder of SOCKET; layout in scripts/real/ring.h), opened at its first
request, which must come after the domain's INTRODUCE. Every other name is a dom0 socket as before.
A ring never reads as closed: a released domain's requests time out.
"""
import importlib.util
import mmap
import os
import re
import select
import struct
import sys
import time

RING = 1024
REQ, RSP = 0, 1024
REQ_CONS, REQ_PROD, RSP_CONS, RSP_PROD = 2048, 2052, 2056, 2060


def load_xsclient(path):
    spec = importlib.util.spec_from_file_location("xsclient", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RingConn:
    """A domain's xenbus: writes req[], reads rsp[], kicks and waits on its event channel."""

    def __init__(self, name, run, domid, hdr):
        self.name = name
        self.closed = False
        self.pending = set()
        self.buf = b""
        self.hdr = hdr
        self.run = run
        with open(os.path.join(run, "domu", "%d.port" % domid)) as f:
            self.port = int(f.read().strip())
        fd = os.open(os.path.join(run, "domu", "%d.ring" % domid), os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(fd).st_size < 4096:
            os.ftruncate(fd, 4096)
        self.page = mmap.mmap(fd, 4096)
        os.close(fd)
        import socket
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        path = os.path.join(run, "ev%d" % self.port)
        if os.path.exists(path):
            os.unlink(path)
        self.sock.bind(path)
        self.me = path
        self.daemon = os.path.join(run, "evtchn")
        self.held = []               # packets read while sending, returned by the next read_packets

    def u32(self, at):
        return struct.unpack_from("<I", self.page, at)[0]

    def put(self, at, value):
        struct.pack_into("<I", self.page, at, value & 0xFFFFFFFF)

    def kick(self):
        self.sock.sendto(struct.pack("<I", self.port), self.daemon)

    def produce(self, data):
        # Python's mmap stores are plain stores and x86 keeps them in order: the bytes are written
        # before the index that covers them, and the index is read before the slots it frees.
        cons, prod = self.u32(REQ_CONS), self.u32(REQ_PROD)
        n = min(len(data), RING - ((prod - cons) & 0xFFFFFFFF))
        for i in range(n):
            self.page[REQ + (prod + i) % RING] = data[i]
        self.put(REQ_PROD, prod + n)
        return n

    def consume(self):
        cons, prod = self.u32(RSP_CONS), self.u32(RSP_PROD)
        n = (prod - cons) & 0xFFFFFFFF
        out = bytes(self.page[RSP + (cons + i) % RING] for i in range(n))
        self.put(RSP_CONS, cons + n)
        return out

    def send(self, typ, rid, tx, payload):
        data = self.hdr.pack(typ, rid, tx, len(payload)) + payload
        deadline = time.monotonic() + 5
        while data:
            n = self.produce(data)
            data = data[n:]
            self.kick()
            if data:
                if time.monotonic() > deadline:
                    raise OSError("ring full for 5 s")
                select.select([self.sock], [], [], 0.5)
                self.held += self.read_packets()
        if self.held:
            self.sock.sendto(b"self", self.me)      # wake xsclient's select for what was held

    def read_packets(self):
        while True:                                  # drop every queued notification: look at the ring
            r, _, _ = select.select([self.sock], [], [], 0)
            if not r:
                break
            self.sock.recv(64)
        data = self.consume()
        if data:
            self.kick()                              # space freed: the daemon may write more
        self.buf += data
        out, self.held = self.held, []
        while len(self.buf) >= self.hdr.size:
            typ, rid, tx, ln = self.hdr.unpack_from(self.buf)
            if len(self.buf) < self.hdr.size + ln:
                break
            out.append((typ, rid, tx, self.buf[self.hdr.size:self.hdr.size + ln]))
            self.buf = self.buf[self.hdr.size + ln:]
        return out

    def close(self):
        self.sock.close()
        if os.path.exists(self.me):
            os.unlink(self.me)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    xs = load_xsclient(argv[0])
    socket_path = argv[1]
    run = os.path.dirname(os.path.abspath(socket_path))
    plain = xs.Client.conn

    def conn(self, name):
        m = re.fullmatch(r"D(\d+)", name)
        if not m:
            return plain(self, name)
        c = self.conns.get(name)
        if c is None:
            c = self.conns[name] = RingConn(name, run, int(m.group(1)), xs.HDR)
        return c

    xs.Client.conn = conn
    try:
        xs.main(argv[1:])
    except SystemExit:
        raise


if __name__ == "__main__":
    main(sys.argv[1:])
