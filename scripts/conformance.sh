#!/usr/bin/env bash
# Records (or checks) what Debian's real oxenstored answers to each conformance trace.
#
# The traces live in tests/conformance/*.jsonl; next to each one,
# X.oxenstored.out.jsonl is the daemon's output as the oracle's xsclient.py prints it. The C#
# TraceReplayTests replay the same traces against the model and compare with these files.
#
# A trace with a domU connection ("conn": "D3": domain 3's ring) runs on oxenstored in the project's
# own sandbox (scripts/real-sandbox.sh, whose stubs give domains shared ring pages and event
# channels) through scripts/xsclient-rings.py, which is xsclient.py plus rings; the oracle's stubs
# have no rings. Same Debian package, same oxenstored.conf.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/conformance.sh [--check] [--drain SECONDS] [TRACE...]

Runs every conformance trace (or only the named ones: a name like "watches" or a path to
a .jsonl file) against a fresh oxenstored each, using the oracle in ../shared/oracle.

  (default)       re-record tests/conformance/*.oxenstored.out.jsonl
  --check         record into a temporary folder and compare with the committed files;
                  prints a diff and exits 1 if any output differs
  --drain S       seconds xsclient waits for late packets after each reply (default 0.1);
                  raise it on a loaded machine if watch events go missing
  -h, --help      this text

Environment: XS_ORACLE is the oracle folder (default ../shared/oracle beside the repository);
XS_ORACLE_DIR (default /tmp/xs-oracle) is where the oracle's setup.sh unpacks
Debian's packages; it is set up on first use (needs apt-get download and gcc).
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORACLE=${XS_ORACLE:-$(cd "$ROOT/.." && pwd)/shared/oracle}   # XS_ORACLE: elsewhere (a git worktree)
TRACES=$ROOT/tests/conformance
export XS_ORACLE_DIR=${XS_ORACLE_DIR:-/tmp/xs-oracle}

check=0
drain=0.1
names=()
while [ $# -gt 0 ]; do
    case "$1" in
        --check) check=1 ;;
        --drain) [ $# -ge 2 ] || { echo "--drain needs a value" >&2; exit 2; }; drain=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
        *) names+=("$1") ;;
    esac
    shift
done

if [ ! -d "$ORACLE" ] || [ ! -f "$ORACLE/xsclient.py" ] || [ ! -x "$ORACLE/start.sh" ]; then
    echo "conformance.sh: the oracle is missing: expected $ORACLE (setup.sh, start.sh, stop.sh," >&2
    echo "xsclient.py) beside this repository. Without it the real daemon cannot be run." >&2
    exit 2
fi

# The trace files to run, in name order.
traces=()
if [ ${#names[@]} -eq 0 ]; then
    for f in "$TRACES"/*.jsonl; do
        case "$f" in *.out.jsonl) continue ;; esac
        traces+=("$f")
    done
else
    for n in "${names[@]}"; do
        if [ -f "$n" ]; then traces+=("$(cd "$(dirname "$n")" && pwd)/$(basename "$n")")
        elif [ -f "$TRACES/$n.jsonl" ]; then traces+=("$TRACES/$n.jsonl")
        else echo "no such trace: $n" >&2; exit 2
        fi
    done
fi
[ ${#traces[@]} -gt 0 ] || { echo "no traces in $TRACES" >&2; exit 2; }

# Unpack Debian's daemon and build the stubs once per machine.
if [ ! -x "$XS_ORACLE_DIR/root/usr/lib/xen-4.17/bin/oxenstored" ] \
    || [ ! -f "$XS_ORACLE_DIR/stubs/preload_shim.so" ]; then
    echo "setting up the oracle in $XS_ORACLE_DIR" >&2
    "$ORACLE/setup.sh" "$XS_ORACLE_DIR" >&2
fi

# Everything of this run lives in one scratch folder; each daemon gets its own run dir in it, so
# several users of the oracle on one machine never share a socket.
WORK=$(mktemp -d /tmp/xsfuzz-conformance.XXXXXX)
current_run=""
sandbox_run=""
cleanup() {
    if [ -n "$current_run" ]; then
        XS_RUNDIR=$current_run "$ORACLE/stop.sh" o >/dev/null 2>&1 || true
    fi
    if [ -n "$sandbox_run" ]; then
        bash "$ROOT/scripts/real-sandbox.sh" stop "$sandbox_run" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

has_rings() { grep -q '"conn": *"D[0-9]' "$1"; }

# Runs one trace with domU rings on a fresh oxenstored of the sandbox; xsclient's output to $2.
record_rings() {
    local trace=$1 out=$2 started
    current_run=""
    sandbox_run=$(mktemp -d "$WORK/ring.XXXXXX")
    bash "$ROOT/scripts/real-sandbox.sh" setup --quiet
    started=$(bash "$ROOT/scripts/real-sandbox.sh" start oxenstored "$sandbox_run") || {
        echo "oxenstored (sandbox) did not start for $(basename "$trace")" >&2
        return 1
    }
    python3 "$ROOT/scripts/xsclient-rings.py" "$ORACLE/xsclient.py" "${started#* }" "$trace" --drain "$drain" >"$out"
    bash "$ROOT/scripts/real-sandbox.sh" stop "$sandbox_run" >/dev/null
    sandbox_run=""
}

# Runs one trace on a fresh daemon and writes xsclient's output to $2.
record() {
    local trace=$1 out=$2 socket
    if has_rings "$trace"; then record_rings "$trace" "$out"; return; fi
    current_run=$(mktemp -d "$WORK/run.XXXXXX")
    socket=$(XS_RUNDIR=$current_run "$ORACLE/start.sh" o 2>"$current_run/start.err") || {
        echo "oxenstored did not start for $(basename "$trace"):" >&2
        cat "$current_run/start.err" >&2
        return 1
    }
    python3 "$ORACLE/xsclient.py" --drain "$drain" "$socket" "$trace" >"$out"
    XS_RUNDIR=$current_run "$ORACLE/stop.sh" o >/dev/null
    current_run=""
}

failed=0
for trace in "${traces[@]}"; do
    name=$(basename "$trace" .jsonl)
    expected=$(dirname "$trace")/$name.oxenstored.out.jsonl
    if [ $check = 0 ]; then
        record "$trace" "$WORK/$name.out"
        mv "$WORK/$name.out" "$expected"
        echo "recorded $name ($(wc -l <"$expected") packets)"
    else
        record "$trace" "$WORK/$name.out"
        if [ ! -f "$expected" ]; then
            echo "DIFF $name: no recorded output $expected"
            failed=1
        elif diff -u --label "$name (committed)" --label "$name (oxenstored now)" \
            "$expected" "$WORK/$name.out"; then
            echo "same $name"
        else
            echo "DIFF $name"
            failed=1
        fi
    fi
done

if [ $check = 1 ]; then
    if [ $failed = 1 ]; then
        echo "conformance: the real daemon's output differs from the committed recordings" >&2
        exit 1
    fi
    echo "conformance: all ${#traces[@]} recordings match"
fi
