#!/usr/bin/env bash
# Load and abuse checks of `xsfuzz serve`, small sizes (scripts/bench-serve.sh runs them full size).
set -euo pipefail

usage() {
    cat <<'TXT'
usage: scripts/test-serve.sh [--xsfuzz PATH]

Builds xsfuzz (Release, into a temporary folder) unless given, starts `xsfuzz serve` on a socket in a
temporary folder and runs scripts/serve/xsload.py against it, each probe bounded in count and time:
  flood       a watcher that never reads, a writer: the writer must stall (oxenstored's limits),
              memory stay bounded, a fresh client be served
  clients     10 clients x 200 verified requests, 5 garbage clients mixed in: 0 wrong replies
  churn       300 connect/close
  liveupdate  3 clients with watches, 3 live updates between their requests: 0 wrong, events exact
  idle        1,000 idle connections: no thread each, memory within 3x oxenstored's, a good
              client's requests cost the daemon no more CPU
  accept      serve with 96 descriptors, 150 clients: accept fails, is logged, the server survives
Exits 1 at the first failed check.
TXT
}

xsfuzz=""
while [ $# -gt 0 ]; do
    case "$1" in
        --xsfuzz) [ $# -ge 2 ] || { echo "test-serve.sh: --xsfuzz needs a value" >&2; exit 2; }; xsfuzz=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "test-serve.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
command -v python3 >/dev/null || { echo "test-serve.sh: python3 is needed for the clients" >&2; exit 2; }
# The idle probe holds 1,000 connections: the server and the clients each need a descriptor apiece.
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 4096 ] || ulimit -n 4096 2>/dev/null \
    || { echo "test-serve.sh: cannot raise the descriptor limit to 4096 (hard limit $(ulimit -Hn))" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/xsfuzz-test-serve.XXXXXX)
LOAD="$ROOT/scripts/serve/xsload.py"
server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if [ -z "$xsfuzz" ]; then
    echo "building xsfuzz (Release)" >&2
    dotnet build "$ROOT/fuzz/XsFuzz.Cli/XsFuzz.Cli.csproj" -c Release -nologo -v quiet -o "$WORK/bin" >&2
    xsfuzz=$WORK/bin/xsfuzz
fi

# start_server [prlimit args...]: serve on $WORK/socket, logging to $WORK/serve.log
start_server() {
    rm -f "$WORK/socket"
    "$@" "$xsfuzz" serve --socket "$WORK/socket" 2>"$WORK/serve.log" &
    server_pid=$!
    for _ in $(seq 300); do
        [ -S "$WORK/socket" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/serve.log" >&2; return 1; }
        sleep 0.1
    done
    echo "test-serve.sh: xsfuzz serve did not listen within 30 s" >&2
    return 1
}

failures=0
# check NAME PYTHON-CONDITION JSON: the condition reads the probe's JSON as `r`
check() {
    if python3 -c "import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if ($2) else 1)" "$3"; then
        echo "PASS $1: $3"
    else
        echo "FAIL $1: $3 (wanted $2)"
        failures=$((failures + 1))
    fi
}
probe() { timeout 180 python3 "$LOAD" "$WORK/socket" "$@" --pid "$server_pid" --seconds 120 || true; }

start_server
check flood 'r["stalled"] and r["writes_before_stall"] < 2049 + 1000 and r["fresh_client_served"] and r["rss_kb_end"] - r["rss_kb_before"] < 100000' \
    "$(probe flood --writes 20000 --batch 50)"
stop_server

start_server
check clients 'r["wrong_replies"] == 0 and r["requests_each"] == 200' "$(probe clients --clients 10 --requests 100 --garbage 5)"
check churn 'r["connections"] == 300' "$(probe churn --count 300)"
check liveupdate 'r["wrong_replies"] == 0 and r["events"] == r["events_expected"]' "$(probe liveupdate --clients 3 --updates 3)"
kill -0 "$server_pid" 2>/dev/null || { echo "FAIL the server died"; failures=$((failures + 1)); }
stop_server

start_server
# 1,000 idle connections on a fresh server (first use included): within 3x the memory Debian's
# oxenstored takes for them (+2.9-3.2 MB, scripts/bench-serve.sh --load side by side; the poll(2)
# loop's garbage per round took +21 MB), no thread each, and no work for them on a good client's
# requests (the daemon's CPU time per request, in 10 us steps: the poll loop took 280-1,100 us).
check idle 'r["threads_after"] <= r["threads_before"] + 2 and r["rss_kb_after"] - r["rss_kb_before"] < 3 * 2900 and r["daemon_cpu_us_per_request_after"] <= 2 * r["daemon_cpu_us_per_request_before"] + 100' \
    "$(probe idle --connections 1000)"
stop_server

if command -v prlimit >/dev/null; then
    start_server prlimit --nofile=96
    result=$(probe hold --connections 150 2>&1 | tail -1) || true
    sleep 1
    if kill -0 "$server_pid" 2>/dev/null && grep -q "accept failed" "$WORK/serve.log" \
        && python3 "$LOAD" "$WORK/socket" churn --count 1 >/dev/null; then
        echo "PASS accept: out of descriptors is logged ($(grep -c 'accept failed' "$WORK/serve.log") lines), the server lives and serves"
    else
        echo "FAIL accept: with 96 descriptors and 150 clients (server alive: $(kill -0 "$server_pid" 2>/dev/null && echo yes || echo no)); $result"
        failures=$((failures + 1))
    fi
    stop_server
fi

[ "$failures" -eq 0 ] || { echo "test-serve.sh: $failures check(s) failed" >&2; exit 1; }
echo "test-serve.sh: all checks passed"
