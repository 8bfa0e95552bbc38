#!/usr/bin/env bash
# The mutation experiment of issue 16: restore N mutated dumps, count silent state changes.
set -euo pipefail

usage() {
    cat <<'TXT'
usage: scripts/bench-restore.sh [--mutations N] [--seed S]

Builds xsfuzz (Release, into a temporary folder) and runs `xsfuzz bench-restore`: a dump holding every
kind of state is mutated N times (default 100000) and each copy restored. Prints how many were
rejected with RestoreException, restored into the same state, restored silently into a different
state, failed with another exception, or hung. Exits 1 if any were silent, other or hung.
TXT
}

mutations=100000 seed=1
while [ $# -gt 0 ]; do
    case "$1" in
        --mutations) [ $# -ge 2 ] || { echo "bench-restore.sh: --mutations needs a value" >&2; exit 2; }; mutations=$2; shift ;;
        --seed) [ $# -ge 2 ] || { echo "bench-restore.sh: --seed needs a value" >&2; exit 2; }; seed=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench-restore.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$mutations$seed" in *[!0-9]*) echo "bench-restore.sh: --mutations and --seed must be non-negative integers" >&2; exit 2 ;; esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(mktemp -d /tmp/xsfuzz-bench-restore.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
dotnet build "$ROOT/fuzz/XsFuzz.Cli" -c Release -o "$OUT" >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 2; }
"$OUT/xsfuzz" bench-restore --mutations "$mutations" --seed "$seed"
