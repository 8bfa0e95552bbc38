#!/usr/bin/env bash
# Which map bytes of `xsfuzz afl --daemon D` vary when the same input runs again: what costs afl-fuzz
# its stability. Each input runs RUNS times in a row in one persistent target (afl-showmap -i, as
# afl-fuzz's calibration runs it); a map byte varies when its value (afl-showmap's bucket) differs
# between runs. One line per input with varying bytes, then the total. For xenstored, a byte that is
# a daemon edge (CoverageMap folds daemon edge i into byte i * 40503 mod 65536) is named by the
# function of the traced binary that holds that guard (objdump; AFL++ numbers the guards in section
# order, from 0 or 1: both names are shown when they differ); other bytes are the harness's.
# Usage: scripts/real/build/map-noise.sh [--daemon D] [--runs K] [--target XSFUZZ] INPUT...
set -euo pipefail
XS_SCRIPT=map-noise.sh
# shellcheck source=../../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
daemon=xenstored runs=6 target=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --daemon) xs_need_value "$@"; [[ $2 == xenstored || $2 == oxenstored ]] || xs_usage_error "--daemon must be xenstored or oxenstored"
            daemon="$2"; shift 2 ;;
        --runs) xs_need_value "$@"; { xs_is_uint "$2" && [[ $2 -ge 2 ]]; } || xs_usage_error "--runs must be at least 2"
            runs="$2"; shift 2 ;;
        --target) xs_need_value "$@"; target="$2"; shift 2 ;;
        -*) xs_usage_error "unknown option '$1'" ;;
        *) break ;;
    esac
done
[[ $# -gt 0 ]] || xs_usage_error "give the inputs (files)"
"$XS_ROOT/scripts/setup.sh" --quiet
"$XS_ROOT/scripts/real-sandbox.sh" setup --quiet
"$XS_ROOT/scripts/real-build.sh" --quiet
[[ -n $target ]] || target="$XS_XSFUZZ_AFL"
xs_afl_env
export XSFUZZ_REAL_SANDBOX="$XS_ROOT/scripts/real-sandbox.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-map-noise.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
n=0
for f in "$@"; do
    [[ -f $f ]] || xs_die "no input file $f"
    n=$((n + 1))
    for ((i = 1; i <= runs; i++)); do cp -- "$f" "$work/in/$(printf '%05d-%03d' "$n" "$i")"; done
    printf '%05d %s\n' "$n" "$f" >>"$work/names"
done
afl-showmap -t 20000 -m none -i "$work/in" -o "$work/out" -- "$target" afl --daemon "$daemon" >"$work/showmap.log" 2>&1 \
    || xs_die "afl-showmap failed (a crashing input ends the target): $(tail -n 3 "$work/showmap.log")"
binary=""
if [[ $daemon == xenstored ]]; then
    binary="$(XSFUZZ_REAL_BUILD=traced "$XS_ROOT/scripts/real-sandbox.sh" info | sed -n 's/^xenstored=//p')"
    objdump -d --no-show-raw-insn "$binary" >"$work/daemon.dis"
    objdump -h "$binary" | awk '$2 == "__sancov_guards" { print $4, $3 }' >"$work/guards"
fi
python3 - "$work" "$runs" <<'PY'
import collections, os, re, sys
work, runs = sys.argv[1], int(sys.argv[2])
names = dict(line.split(' ', 1) for line in open(f'{work}/names').read().splitlines())
functions = {}
if os.path.exists(f'{work}/guards'):
    start, size = (int(x, 16) for x in open(f'{work}/guards').read().split())
    function = None
    for line in open(f'{work}/daemon.dis'):
        m = re.match(r'^[0-9a-f]+ <(.+)>:', line)
        if m:
            function = m.group(1)
            continue
        m = re.search(r'# ([0-9a-f]+) <', line)
        if m and function and start <= int(m.group(1), 16) < start + size:
            functions[(int(m.group(1), 16) - start) // 4] = function
inverse = pow(40503, -1, 65536)
def name(byte):
    edge = byte * inverse % 65536
    pair = {functions.get(edge), functions.get(edge - 1)} - {None}
    return '/'.join(sorted(pair)) if pair else 'harness'
maps = collections.defaultdict(list)
for f in sorted(os.listdir(f'{work}/out')):
    maps[f[:5]].append({int(k): v for k, v in (l.split(':') for l in open(f'{work}/out/{f}').read().split())})
total = 0
for key, runs_of in sorted(maps.items()):
    keys = set().union(*runs_of)
    varying = sorted(k for k in keys if len({m.get(k, 0) for m in runs_of}) > 1)
    total += bool(varying)
    if varying:
        where = collections.Counter(name(k) for k in varying) if functions else {'bytes': len(varying)}
        print(f'{names[key]}: {len(varying)} of {len(runs_of[-1])} bytes vary over {len(runs_of)} runs:',
              ', '.join(f'{w} {c}' for w, c in sorted(where.items(), key=lambda x: -x[1])))
print(f'{total} of {len(maps)} inputs have varying map bytes')
PY
