#!/usr/bin/env bash
# Scenarios per second of `xsfuzz real lu` on oxenstored with its live updates asked over the control
# socket (--lu-over-socket, -t 1: a refusal costs the full second) and over dom0's ring (the default,
# -t 0: answered at once), side by side on the same inputs, one job each (so per core); the C daemon
# on the same inputs for reference (its updates are -t 0 already). Ratios only: the machine is shared.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${1:-40}"
CACHE="${XSFUZZ_BENCH_CACHE:-$ROOT/build/real}"   # the sandbox cache (xsfuzz real sets it up when missing)
[[ "$COUNT" =~ ^[0-9]+$ && "$COUNT" -ge 1 ]] || { echo "usage: scripts/bench-real-lu.sh [SCENARIOS]" >&2; exit 2; }
dotnet build "$ROOT/fuzz/XsFuzz.Cli" -c Release -v q -nologo >/dev/null
XSFUZZ=(dotnet "$ROOT/fuzz/XsFuzz.Cli/bin/Release/net10.0/xsfuzz.dll")
OUT="$(mktemp -d /tmp/xsfuzz-bench-lu.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
run() {  # NAME ARGS...
    local name="$1"; shift
    "${XSFUZZ[@]}" real lu "$@" --random-after --seed 1 --count "$COUNT" --jobs 1 --no-confirm --cache "$CACHE" \
        --out "$OUT/$name" "$ROOT"/corpus/*.bin > "$OUT/$name.log" 2>&1 || true
    local line; line="$(grep -m1 '^scenarios' "$OUT/$name.log" || echo "scenarios (no summary)")"
    local lu; lu="$(grep -m1 "^live updates" "$OUT/$name.log" || echo "")"
    local dis; dis="$(grep -m1 "^disagreements" "$OUT/$name.log" || echo "")"
    local domu; domu="$(grep -m1 "^domU commands" "$OUT/$name.log" || echo "")"
    printf "%-22s %s\n%-22s %s\n%-22s %s\n%-22s %s\n" "$name" "$line" "" "$lu" "" "$domu" "" "$dis"
}
run oxenstored-socket --daemon oxenstored --lu-over-socket
run oxenstored-ring   --daemon oxenstored
run xenstored         --daemon xenstored
