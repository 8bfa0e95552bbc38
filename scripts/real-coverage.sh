#!/usr/bin/env bash
# The coverage figure of the real daemons' live-update code: replays a set of inputs (corpus/, or an
# AFL campaign's queues) through coverage builds of both daemons and writes, per daemon, a listing
# a person can read: per function, then (oxenstored) per line, restricted to the live-update code,
# with the totals.
#
# How (scripts/real-build.sh --coverage builds CACHE/built/coverage from Debian's source):
#   C xenstored: clang's source-based coverage (-fprofile-instr-generate -fcoverage-mapping). The
#     sandbox ends a daemon with SIGKILL and a live update re-execs it, so nothing may wait for exit:
#     LLVM_PROFILE_FILE=...%m%c keeps the counters in a file the daemon maps (continuous mode), and
#     the re-executed image maps the same file and adds to it (one file per binary, %m; every
#     daemon of the replay shares it). llvm-profdata/llvm-cov (llvm-14) read it. The live-update
#     code: the lu_* functions of xenstored_control.c, the dump_state_* (dump) and read_state_*
#     (restore) functions of xenstored_core.c/_domain.c/_watch.c (4.17's _transaction.c has none:
#     a live update waits for transactions to end).
#   oxenstored: Debian's ocaml 4.13 has no bisect_ppx, so the build runs a small -ppx of ours
#     (scripts/real/coverage/xscov_ppx.ml, on compiler-libs) that puts a probe at every point of
#     control flow of the bindings listed in scripts/real/coverage/oxenstored.select (the dump and
#     restore functions: module DB of xenstored.ml, module LiveUpdate of process.ml, Store.dump_fct,
#     Connection/Domain/Event.dump, Logging.live_update). A probe appends its id to $XSCOV_FILE the
#     first time a process passes it (write-through: survives SIGKILL and the re-exec).
# The replay is `xsfuzz real lu --daemon D INPUT` with XSFUZZ_REAL_BUILD=coverage: the same decoding
# and scenario as `xsfuzz afl --daemon D` and the black-box runner, two daemons per input.
set -euo pipefail
XS_SCRIPT=real-coverage.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/real-coverage.sh [--daemon NAME] [--jobs N] [--force] INPUT OUT

Replays INPUT (a corpus folder, an input file, an AFL worker's folder or a fuzz.sh output folder:
every worker's queue/) on the coverage builds of the daemons and writes into OUT, per daemon:
  NAME.txt            the live-update functions: reached/total (oxenstored: probes, then every
                      line of each function marked ok / MISS / reached-of-probes; xenstored:
                      llvm-cov's lines and regions)
  xenstored-lines.txt llvm-cov show of the C daemon's live-update functions (count per line)
  NAME-replay.txt     the summary of the replay (`xsfuzz real lu`), its reports in NAME-findings/
and summary.txt, one line per daemon (also printed). Builds what it needs first (scripts/setup.sh,
scripts/real-build.sh --coverage; no-ops when done).

  --daemon NAME   only this daemon (xenstored or oxenstored; default both)
  --jobs N        scenarios replayed in parallel (default 2)
  --force         write into OUT even if it exists (its listings are replaced)
  -h, --help      this text
EOF
}

# The C daemon's live-update functions (llvm-cov's names, without a static function's FILE: prefix).
C_FUNCTIONS='lu_.*|do_lu_start|dump_state_.*|dump_input_buffered_data|read_state_.*'
C_FILES=(xenstored_control xenstored_core xenstored_domain xenstored_watch xenstored_transaction)

daemons=(xenstored oxenstored) jobs=2 force=0 args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --daemon) xs_need_value "$@"
            [[ "$2" == xenstored || "$2" == oxenstored ]] || xs_usage_error "--daemon must be xenstored or oxenstored"
            daemons=("$2"); shift ;;
        --jobs) xs_need_value "$@"; { xs_is_uint "$2" && [[ "$2" -ge 1 && "$2" -le 64 ]]; } || xs_usage_error "--jobs needs a number from 1 to 64"
            jobs="$2"; shift ;;
        --force) force=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) xs_usage_error "unknown option '$1'" ;;
        *) args+=("$1") ;;
    esac
    shift
done
[[ ${#args[@]} -eq 2 ]] || xs_usage_error "give INPUT and OUT"
input="$(xs_abspath "${args[0]}")" out="$(xs_abspath "${args[1]}")"
[[ -e "$input" ]] || xs_usage_error "no such input: ${args[0]}"
if [[ -e "$out" && $force -eq 0 ]]; then xs_die "$out exists (give --force to replace its listings)"; fi

CACHE="${XSFUZZ_REAL_CACHE:-$XS_ROOT/build/real}"
BUILT="$CACHE/built/coverage"
"$XS_ROOT/scripts/setup.sh" --quiet >&2
"$XS_ROOT/scripts/real-build.sh" --cache "$CACHE" --coverage --quiet
XEN="$(echo "$CACHE"/src/xen-*/)"
[[ -d "$XEN/tools/xenstore" ]] || xs_die "no unpacked xen source in $CACHE/src"

mkdir -p "$out"
raw="$out/.raw"
rm -rf "$raw"; mkdir -p "$raw/inputs"
# The inputs, each once: an AFL campaign's workers share most of their queues (the seeds, and what
# they import from each other). Folders are read as `xsfuzz real` reads them: FOLDER/queue, else
# every FOLDER/*/queue, else FOLDER's own files (not hidden, no README or .md).
if [[ -d "$input" ]]; then
    if [[ -d "$input/queue" ]]; then dirs=("$input/queue")
    else mapfile -t dirs < <(find "$input" -mindepth 2 -maxdepth 2 -type d -name queue | sort)
        [[ ${#dirs[@]} -gt 0 ]] || dirs=("$input")
    fi
    find "${dirs[@]}" -maxdepth 1 -type f ! -name '.*' ! -name 'README*' ! -name '*.md' -print0 | sort -z
else
    printf '%s\0' "$input"
fi | while IFS= read -r -d '' f; do
    # The content's hash names the copy; the extension stays (.txt is a scenario in text form).
    ext=""; [[ "$f" != *.txt ]] || ext=.txt
    cp -n -- "$f" "$raw/inputs/$(sha256sum <"$f" | cut -c1-40)$ext"
done
found="$(find "$raw/inputs" -type f | wc -l)"
[[ $found -gt 0 ]] || xs_die "no input files in $input"
xs_log "$found distinct inputs in $input"
: > "$out/summary.txt"
for daemon in "${daemons[@]}"; do
    rm -rf "${raw:?}/$daemon" "$out/$daemon-findings"
    mkdir -p "$raw/$daemon"
    xs_log "$daemon: replaying them on the coverage build ($jobs jobs)"
    status=0
    XSFUZZ_REAL_BUILD=coverage LLVM_PROFILE_FILE="$raw/$daemon/xenstored-%m%c.profraw" XSCOV_FILE="$raw/$daemon/hits" \
        "$XS_XSFUZZ" real lu --daemon "$daemon" --jobs "$jobs" --cache "$CACHE" --out "$out/$daemon-findings" "$raw/inputs" \
        >"$out/$daemon-replay.txt" 2>"$raw/$daemon/replay.err" || status=$?
    # 0: all agreed, 1: disagreements (reported in the replay's summary); anything else: it did not run.
    if [[ $status -gt 1 ]] || ! grep -q '^scenarios ' "$out/$daemon-replay.txt"; then
        tail -n 20 "$raw/$daemon/replay.err" >&2
        xs_die "$daemon: the replay failed (exit $status)"
    fi
    scenarios="$(sed -n 's/^scenarios *//p' "$out/$daemon-replay.txt")"
    if [[ $daemon == xenstored ]]; then
        compgen -G "$raw/$daemon/*.profraw" >/dev/null || xs_die "xenstored: the daemons wrote no profile"
        llvm-profdata-14 merge -sparse -o "$raw/$daemon/xenstored.profdata" "$raw/$daemon"/*.profraw
        sources=()
        for f in "${C_FILES[@]}"; do sources+=("$XEN/tools/xenstore/$f.c"); done
        llvm-cov-14 report "$BUILT/xenstored" -instr-profile "$raw/$daemon/xenstored.profdata" -show-functions "${sources[@]}" \
            >"$raw/$daemon/report.txt"
        llvm-cov-14 show "$BUILT/xenstored" -instr-profile "$raw/$daemon/xenstored.profdata" -name-regex="^(.*:)?($C_FUNCTIONS)\$" \
            "${sources[@]}" >"$out/xenstored-lines.txt"
        line="$(python3 "$XS_ROOT/scripts/real/coverage/report.py" xenstored "$raw/$daemon/report.txt" "$out/xenstored.txt" "$C_FUNCTIONS")"
    else
        [[ -f "$raw/$daemon/hits" ]] || : > "$raw/$daemon/hits"
        line="$(python3 "$XS_ROOT/scripts/real/coverage/report.py" oxenstored "$BUILT/oxenstored.points" "$raw/$daemon/hits" \
            "$CACHE/built/work/coverage/ocaml/xenstored" "$out/oxenstored.txt")"
    fi
    echo "$line; replay: $scenarios" | tee -a "$out/summary.txt"
done
rm -rf "$raw"
