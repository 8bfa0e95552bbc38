#!/usr/bin/env bash
# Requests per second of one client doing WRITE+READ over the socket of `xsfuzz serve`.
set -euo pipefail

usage() {
    cat <<'TXT'
usage: scripts/bench-serve.sh [--seconds N] [--socket PATH [--pid PID]] [--xsfuzz PATH] [--load]

Starts `xsfuzz serve` on a temporary socket (built in Release first, into a temporary folder),
then one client sends WRITE /bench/kN and READ /bench/kN alternately, each waiting for its reply,
for N seconds (default 10), and prints the requests per second (a WRITE and a READ count as two).
The server is stopped with SIGTERM at the end. The client is a small Python 3 script (stdlib).

  --seconds N     how long to measure (default 10), after a 1 s warm-up
  --socket PATH   measure an already running daemon instead (e.g. the real oxenstored of
                  ../shared/oracle); nothing is built or started
  --xsfuzz PATH   use this xsfuzz (the apphost or xsfuzz.dll) instead of building one
  --pid PID       with --socket: the daemon's pid, for its memory, threads and CPU time
  --load          then the load and abuse probes of scripts/serve/xsload.py at full size (one JSON
                  line each): 1,000 idle connections, a flood against a watcher that never
                  reads, 50 clients x 2,001 verified requests with garbage clients, 10,000
                  connect/close, and (serve only) live updates under load. Run it once on serve
                  and once with --socket/--pid on oxenstored for the figures side by side.
  -h, --help      this text
TXT
}

seconds=10 socket="" xsfuzz="" pid="" load=0
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) [ $# -ge 2 ] || { echo "bench-serve.sh: --seconds needs a value" >&2; exit 2; }; seconds=$2; shift ;;
        --socket) [ $# -ge 2 ] || { echo "bench-serve.sh: --socket needs a value" >&2; exit 2; }; socket=$2; shift ;;
        --xsfuzz) [ $# -ge 2 ] || { echo "bench-serve.sh: --xsfuzz needs a value" >&2; exit 2; }; xsfuzz=$2; shift ;;
        --pid) [ $# -ge 2 ] || { echo "bench-serve.sh: --pid needs a value" >&2; exit 2; }; pid=$2; shift ;;
        --load) load=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench-serve.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$seconds" in ''|*[!0-9]*|0) echo "bench-serve.sh: --seconds must be a positive integer" >&2; exit 2 ;; esac
command -v python3 >/dev/null || { echo "bench-serve.sh: python3 is needed for the client" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/xsfuzz-bench-serve.XXXXXX)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "$socket" ]; then
    if [ -z "$xsfuzz" ]; then
        echo "building xsfuzz (Release)" >&2
        dotnet build "$ROOT/fuzz/XsFuzz.Cli/XsFuzz.Cli.csproj" -c Release -nologo -v quiet \
            --artifacts-path "$WORK/artifacts" >&2
        xsfuzz=$WORK/artifacts/bin/XsFuzz.Cli/release/xsfuzz.dll
    fi
    socket=$WORK/socket
    case "$xsfuzz" in
        *.dll) dotnet "$xsfuzz" serve --socket "$socket" 2>"$WORK/serve.log" & ;;
        *) "$xsfuzz" serve --socket "$socket" 2>"$WORK/serve.log" & ;;
    esac
    server_pid=$!
    for _ in $(seq 300); do
        [ -S "$socket" ] && break
        kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -S "$socket" ] || { echo "bench-serve.sh: xsfuzz serve did not listen within 30 s" >&2; exit 1; }
fi

python3 - "$socket" "$seconds" <<'PY'
import socket, struct, sys, time
HDR = struct.Struct("<IIII")
path, seconds = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)

def recv_exact(n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise SystemExit("the daemon closed the connection")
        data += chunk
    return data

def call(op, rid, payload):
    s.sendall(HDR.pack(op, rid, 0, len(payload)) + payload)
    typ, r, _, ln = HDR.unpack(recv_exact(16))
    body = recv_exact(ln)
    if typ == 16 or r != rid:
        raise SystemExit("unexpected reply %d rid %d: %r" % (typ, r, body))
    return body

def run(duration):
    count, rid, end = 0, 0, time.perf_counter() + duration
    start = time.perf_counter()
    while time.perf_counter() < end:
        for _ in range(100):
            rid += 1
            key = b"/bench/k%d" % (rid % 64)
            value = b"value-%d" % rid
            call(11, rid, key + b"\0" + value)
            if call(2, rid, key + b"\0") != value:
                raise SystemExit("READ did not return what was written")
            count += 2
    return count / (time.perf_counter() - start)

run(1.0)  # warm-up (JIT, page cache)
rate = run(seconds)
print("one client, WRITE+READ over %s: %.0f requests/s (%.1f us per request, %.0f s)"
      % (path, rate, 1e6 / rate, seconds))
PY

if [ "$load" -eq 1 ]; then
    external=1
    [ -n "$server_pid" ] && { pid=$server_pid; external=0; }
    ulimit -n 8192 2>/dev/null || echo "bench-serve.sh: could not raise the descriptor limit; 1,000 connections may fail" >&2
    load() { timeout 900 python3 "$ROOT/scripts/serve/xsload.py" "$socket" "$@" ${pid:+--pid "$pid"} --seconds 600; }
    # idle first: what 1,000 connections cost a server that has only served the one client above
    # (its first use of accept and of more memory included), not one the other probes already grew.
    load idle --connections 1000
    load flood --writes 200000 --batch 100
    load clients --clients 50 --requests 1000 --garbage 50
    load churn --count 10000
    [ "$external" -eq 1 ] || load liveupdate --clients 10 --updates 20
fi
