#!/usr/bin/env python3
"""Load and abuse probes against a xenstore daemon on a Unix socket (xsfuzz serve or oxenstored).

Every probe is bounded in count and time and prints one JSON line. Used by scripts/test-serve.sh
(small sizes) and scripts/bench-serve.sh (full sizes, side by side with oxenstored).

  xsload.py SOCKET flood [--writes N]            a writer against a watcher that never reads
  xsload.py SOCKET clients [--clients N --requests N --garbage N]
  xsload.py SOCKET idle [--connections N --pid PID] idle connections: memory, a good client's latency
  xsload.py SOCKET churn [--count N]             connect/close
  xsload.py SOCKET liveupdate [--clients N --updates N]  verified clients during live updates
"""
import argparse, json, os, random, select, socket, struct, sys, time

HDR = struct.Struct("<IIII")
READ, WATCH, TRANSACTION_START, CONTROL, WRITE, ERROR, WATCH_EVENT, DIRECTORY = 2, 4, 6, 0, 11, 16, 15, 1


class Client:
    def __init__(self, path, timeout=10.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s.connect(path)
                break
            except BlockingIOError:  # the listen backlog is full: the daemon has not accepted yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.002)
        self.buf = b""
        self.events = 0
        self.rid = 0

    def send(self, op, payload, rid=None, tx=0):
        if rid is None:
            self.rid += 1
            rid = self.rid
        self.s.sendall(HDR.pack(op, rid, tx, len(payload)) + payload)
        return rid

    def packet(self, timeout):
        """The next packet, or None if none arrives within timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 16:
                typ, rid, tx, ln = HDR.unpack(self.buf[:16])
                if len(self.buf) >= 16 + ln:
                    body = self.buf[16:16 + ln]
                    self.buf = self.buf[16 + ln:]
                    return typ, rid, body
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            poller = select.poll()  # not select(): descriptors above 1024 are common here
            poller.register(self.s, select.POLLIN)
            if not poller.poll(left * 1000):
                return None
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("the daemon closed the connection")
            self.buf += chunk

    def reply(self, rid, timeout=10.0):
        """The reply to rid (watch events before it are counted); None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            p = self.packet(max(0.0, deadline - time.monotonic()))
            if p is None:
                return None
            typ, r, body = p
            if typ == WATCH_EVENT:
                self.events += 1
                continue
            if r != rid:
                raise ValueError("reply to rid %d while waiting for %d" % (r, rid))
            return typ, body

    def call(self, op, payload, timeout=10.0):
        rid = self.send(op, payload)
        got = self.reply(rid, timeout)
        if got is None:
            raise TimeoutError("no reply to op %d within %.1f s" % (op, timeout))
        return got

    def close(self):
        self.s.close()


def rss_kb(pid):
    if not pid:
        return None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def cpu_seconds(pid):
    """User + system CPU time the process has used (from /proc/PID/stat)."""
    if not pid:
        return None
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def threads(pid):
    if not pid:
        return None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return None


def flood(a):
    """A watcher on / that never reads; a writer writes until a reply takes longer than --stall s."""
    watcher = Client(a.socket)
    watcher.call(WATCH, b"/\0flood\0")
    writer = Client(a.socket)
    rss0 = rss_kb(a.pid)
    done, stalled_rid = 0, None
    start = time.monotonic()
    while done < a.writes and time.monotonic() - start < a.seconds and stalled_rid is None:
        # --batch writes in flight at once (1: each waits for its reply)
        rids = []
        try:
            for i in range(a.batch):
                rids.append(writer.send(WRITE, b"/flood/k%d\0v" % ((done + i) % 16)))
        except TimeoutError:  # the daemon stopped reading the writer: its socket buffer is full
            pass
        for rid in rids:
            if writer.reply(rid, a.stall) is None:
                stalled_rid = rid
                break
            done += 1
        if stalled_rid is None and len(rids) < a.batch:
            stalled_rid = writer.rid  # the unsent rest of the batch never got a reply
    rss_stalled = rss_kb(a.pid)
    result = {"probe": "flood", "batch": a.batch, "seconds": round(time.monotonic() - start, 1), "writes_before_stall": done, "stalled": stalled_rid is not None,
              "rss_kb_before": rss0, "rss_kb_stalled": rss_stalled}
    if stalled_rid is not None:
        # The watcher reads everything queued for it: does the writer go on?
        drained = 0
        while watcher.packet(0.5) is not None:
            drained += 1
        result["watcher_drained_packets"] = drained
        result["writer_resumed_after_drain"] = writer.reply(stalled_rid, a.stall) is not None
        if not result["writer_resumed_after_drain"]:
            watcher.close()
            result["writer_resumed_after_watcher_left"] = writer.reply(stalled_rid, a.stall) is not None
        # Whatever happened, a fresh client must still be served.
        fresh = Client(a.socket)
        result["fresh_client_served"] = fresh.call(READ, b"/flood\0", 5.0)[0] != ERROR
        fresh.close()
    result["rss_kb_end"] = rss_kb(a.pid)
    print(json.dumps(result))
    return 0


def clients(a):
    """N clients in turn, each request verified; garbage clients mixed in."""
    rng = random.Random(a.seed)
    good = [Client(a.socket) for _ in range(a.clients)]
    wrong = 0
    for i in range(a.garbage):
        g = Client(a.socket)
        try:
            g.s.sendall(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200))))
        except OSError:
            pass
        g.close()
    start = time.monotonic()
    for n in range(a.requests):
        for i, c in enumerate(good):
            key = b"/load/c%d/k%d" % (i, n % 8)
            value = b"%d-%d" % (i, n)
            if c.call(WRITE, key + b"\0" + value)[0] == ERROR:
                wrong += 1
            typ, body = c.call(READ, key + b"\0")
            if typ == ERROR or body != value:
                wrong += 1
        if time.monotonic() - start > a.seconds:
            break
    print(json.dumps({"probe": "clients", "clients": a.clients, "requests_each": 2 * (n + 1),
                      "garbage_clients": a.garbage, "wrong_replies": wrong}))
    return 1 if wrong else 0


def latency(c, count=200, pid=0):
    """Mean, median and worst round trip of a READ (us), and the daemon's CPU time per request (us)."""
    cpu0 = cpu_seconds(pid)
    times = []
    for _ in range(count):
        t = time.perf_counter()
        c.call(READ, b"/tool/xenstored\0")
        times.append(time.perf_counter() - t)
    cpu = None if cpu0 is None else round((cpu_seconds(pid) - cpu0) / count * 1e6, 1)
    times.sort()
    return sum(times) / count * 1e6, times[count // 2] * 1e6, times[-1] * 1e6, cpu


def idle(a):
    good = Client(a.socket)
    base_mean, base_median, base_worst, base_cpu = latency(good, 1000, a.pid)
    rss0, thr0 = rss_kb(a.pid), threads(a.pid)
    conns = []
    for _ in range(a.connections):
        conns.append(Client(a.socket))
    time.sleep(1.0)
    # Every idle connection was accepted: each answers.
    for c in conns[:: max(1, len(conns) // 20)]:
        c.call(READ, b"/tool/xenstored\0")
    mean, median, worst, cpu = latency(good, 1000, a.pid)
    rss1, thr1 = rss_kb(a.pid), threads(a.pid)
    print(json.dumps({"probe": "idle", "connections": a.connections,
                      "rss_kb_before": rss0, "rss_kb_after": rss1,
                      "rss_kb_per_connection": None if rss0 is None else round((rss1 - rss0) / a.connections, 2),
                      "threads_before": thr0, "threads_after": thr1,
                      "latency_us_mean_before": round(base_mean, 1), "latency_us_median_before": round(base_median, 1),
                      "latency_us_worst_before": round(base_worst, 1),
                      "latency_us_mean_after": round(mean, 1), "latency_us_median_after": round(median, 1),
                      "latency_us_worst_after": round(worst, 1),
                      "daemon_cpu_us_per_request_before": base_cpu, "daemon_cpu_us_per_request_after": cpu}))
    for c in conns:
        c.close()
    return 0


def hold(a):
    """Opens --connections connections (some may wait in the backlog), holds them 3 s, closes them."""
    conns = []
    for _ in range(a.connections):
        try:
            conns.append(Client(a.socket, timeout=2.0))
        except OSError:
            break
    time.sleep(3.0)
    for c in conns:
        c.close()
    print(json.dumps({"probe": "hold", "connections": len(conns)}))
    return 0


def churn(a):
    start = time.monotonic()
    for n in range(a.count):
        c = Client(a.socket)
        if n % 10 == 0:
            c.call(READ, b"/tool/xenstored\0")
        c.close()
        if time.monotonic() - start > a.seconds:
            break
    c = Client(a.socket)
    c.call(READ, b"/tool/xenstored\0")
    print(json.dumps({"probe": "churn", "connections": n + 1, "seconds": round(time.monotonic() - start, 2),
                      "rss_kb_end": rss_kb(a.pid)}))
    return 0


def liveupdate(a):
    """Clients with a watch and an open transaction keep writing and reading while live updates run."""
    cs = [Client(a.socket) for _ in range(a.clients)]
    ctl = Client(a.socket)
    wrong, events = 0, 0
    for i, c in enumerate(cs):
        c.call(WATCH, b"/lu/c%d\0w\0" % i)
    for u in range(a.updates):
        for n in range(20):
            for i, c in enumerate(cs):
                key = b"/lu/c%d/k%d" % (i, n % 4)
                value = b"%d-%d-%d" % (u, i, n)
                if c.call(WRITE, key + b"\0" + value)[0] == ERROR:
                    wrong += 1
                typ, body = c.call(READ, key + b"\0")
                if body != value:
                    wrong += 1
        for _ in range(50):
            typ, body = ctl.call(CONTROL, b"live-update\0-s\0")
            if body.startswith(b"OK"):
                break
            time.sleep(0.05)
        else:
            wrong += 1
    for c in cs:
        while c.packet(0.2) is not None:
            c.events += 1
        events += c.events
    # each write fires one event on its own client's watch, plus the initial event
    expected = a.clients * (1 + 20 * a.updates)
    print(json.dumps({"probe": "liveupdate", "clients": a.clients, "updates": a.updates,
                      "wrong_replies": wrong, "events": events, "events_expected": expected}))
    return 1 if wrong or events != expected else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    p.add_argument("probe", choices=["flood", "clients", "idle", "churn", "liveupdate", "hold"])
    p.add_argument("--pid", type=int, default=0, help="the daemon's pid, for RSS and threads")
    p.add_argument("--writes", type=int, default=5000)
    p.add_argument("--batch", type=int, default=1, help="flood: writes sent before their replies are read")
    p.add_argument("--stall", type=float, default=2.0, help="a reply slower than this is a stall (s)")
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--requests", type=int, default=100)
    p.add_argument("--garbage", type=int, default=5)
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--updates", type=int, default=3)
    p.add_argument("--seconds", type=float, default=120.0, help="a bound on any loop's time")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    return {"flood": flood, "clients": clients, "idle": idle, "churn": churn, "liveupdate": liveupdate, "hold": hold}[a.probe](a)


if __name__ == "__main__":
    sys.exit(main())
