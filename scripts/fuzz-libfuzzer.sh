#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=fuzz-libfuzzer.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
usage: scripts/fuzz-libfuzzer.sh [--jobs N] [--time DURATION] [--out DIR] [--fault NAME] [--resume]
                                 [--until-crash] [--timeout SECONDS] [--dict FILE] [--status SECONDS]
                                 [-- LIBFUZZER_FLAG...]
       scripts/fuzz-libfuzzer.sh --merge DEST SOURCE... [--fault NAME]

Fuzzes the same harness as scripts/fuzz.sh with libFuzzer instead of AFL++: libFuzzer's own main
(build/libfuzzer/xsfuzz-libfuzzer, from scripts/libfuzzer/driver.c) feeds the instrumented target
'build/afl/xsfuzz libfuzzer' through SharpFuzz's Fuzzer.LibFuzzer.Run. Runs scripts/setup.sh and
scripts/libfuzzer/build-driver.sh first (which installs clang-14 and libclang-rt-14-dev).
Seeds: corpus/ (or 'xsfuzz corpus'); with --fault, seeds that already disagree are set aside in
OUT/seed-crashes/. OUT/corpus/ is libFuzzer's corpus, OUT/crashes/ its artifacts (crash-*,
timeout-*), OUT/.logs/libfuzzer.log its output. Prints a status line every few seconds and a
summary with the 'xsfuzz replay' command of every crash.

  --jobs N          libFuzzer -fork=N: N fuzzing processes that go on past crashes and timeouts
                    (default: all CPUs, here $(xs_cpus | xs_count))
  --until-crash     one plain libFuzzer process that stops at its first crash (libFuzzer's own
                    default; what the engine comparison measures); needs --jobs 1
  --time DURATION   -max_total_time: 90, 90s, 10m, 1.5h, 2d (default: until Ctrl-C)
  --out DIR         output dir (default: findings-libfuzzer/); must not exist or be empty
                    unless --resume is given
  --fault NAME      plant this live-update fault (see 'build/plain/xsfuzz faults')
  --resume          go on from OUT/corpus (the fault must match)
  --timeout SECONDS libFuzzer -timeout per input (default: 10; the first input of each process
                    includes the .NET start-up)
  --dict FILE       libFuzzer -dict (AFL/libFuzzer dictionary format)
  --status SECONDS  status line interval (default: 10; 0 = none)
  -- FLAG...        further libFuzzer flags, e.g. -- -max_len=4096 -use_value_profile=1
                    (they come last and win: the script sets -entropic=0, which is 4 times
                    faster on this target; -- -entropic=1 turns libFuzzer's default back on)
  --merge DEST SOURCE...
                    corpus minimisation with libFuzzer's -merge=1: adds to DEST (created if
                    missing) the inputs of the SOURCE dirs that bring new coverage, and prints
                    the counts; nothing in DEST is overwritten
  -h, --help        this text

Exit status: 0 when the run ended (crashes or not), 1 when libFuzzer failed, 2 on bad usage,
130 after Ctrl-C.
EOF
}

jobs="" time_arg="" out="" fault="" resume=0 until_crash=0 timeout_s=10 dict="" status_every=10
merge=0 extra=() merge_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jobs) xs_need_value "$@"; jobs="$2"; shift ;;
        --time) xs_need_value "$@"; time_arg="$2"; shift ;;
        --out) xs_need_value "$@"; out="$2"; shift ;;
        --fault) xs_need_value "$@"; fault="$2"; shift ;;
        --resume) resume=1 ;;
        --until-crash) until_crash=1 ;;
        --timeout) xs_need_value "$@"; timeout_s="$2"; shift ;;
        --dict) xs_need_value "$@"; dict="$2"; shift ;;
        --status) xs_need_value "$@"; status_every="$2"; shift ;;
        --merge) merge=1 ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) usage; exit 0 ;;
        -*) xs_usage_error "unknown argument '$1'" ;;
        *) [[ $merge -eq 1 ]] || xs_usage_error "unexpected argument '$1'"
           merge_args+=("$1") ;;
    esac
    shift
done

DRIVER="$XS_BUILD/libfuzzer/xsfuzz-libfuzzer"

# The driver's flags that start the target: libFuzzer passes them on to its child processes.
target_flags() {
    local -n _flags="$1"
    _flags=("--target=$XS_XSFUZZ_AFL" --target-arg=libfuzzer)
    [[ -z "$fault" ]] || _flags+=(--target-arg=--fault "--target-arg=$fault")
}

prepare() {
    xs_ensure_build
    "$XS_ROOT/scripts/libfuzzer/build-driver.sh" --quiet
    xs_check_fault "$fault"
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
}

# --- corpus minimisation ---------------------------------------------------------------------
if [[ $merge -eq 1 ]]; then
    [[ ${#merge_args[@]} -ge 2 ]] || xs_usage_error "--merge needs DEST and at least one SOURCE dir"
    dest="$(xs_abspath "${merge_args[0]}")"
    sources=()
    for s in "${merge_args[@]:1}"; do
        [[ -d "$s" ]] || xs_usage_error "--merge: '$s' is not a directory"
        sources+=("$(xs_abspath "$s")")
    done
    [[ ! -e "$dest" || -d "$dest" ]] || xs_die "$dest exists and is not a directory"
    prepare
    mkdir -p "$dest"
    before_dest="$(xs_list_inputs "$dest" | xs_count)"
    n_sources=0
    for s in "${sources[@]}"; do n_sources=$((n_sources + $(xs_list_inputs "$s" | xs_count))); done
    flags=()
    target_flags flags
    log="$(mktemp "${TMPDIR:-/tmp}/xsfuzz-merge.XXXXXX")"
    rc=0
    "$DRIVER" -merge=1 "-timeout=$timeout_s" "${flags[@]}" "${extra[@]}" "$dest" "${sources[@]}" >"$log" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]]; then
        tail -n 20 "$log" >&2
        xs_die "libFuzzer -merge=1 exited $rc (log: $log)"
    fi
    after_dest="$(xs_list_inputs "$dest" | xs_count)"
    grep -E '^MERGE-OUTER: [0-9]+ new files' "$log" || true
    echo "merge: $n_sources input(s) in ${#sources[@]} source dir(s); $dest had $before_dest, now $after_dest ($(xs_bytes "$dest") bytes)"
    rm -f "$log"
    exit 0
fi

# --- a campaign ------------------------------------------------------------------------------
[[ ${#merge_args[@]} -eq 0 ]] || xs_usage_error "unexpected argument '${merge_args[0]}'"
if [[ -z "$jobs" ]]; then
    if [[ $until_crash -eq 1 ]]; then jobs=1; else jobs="$(xs_cpus | xs_count)"; fi
fi
{ xs_is_uint "$jobs" && [[ $jobs -ge 1 ]]; } || xs_usage_error "--jobs needs a positive integer, not '$jobs'"
[[ $until_crash -eq 0 || $jobs -eq 1 ]] || xs_usage_error "--until-crash runs one process: use --jobs 1"
{ xs_is_uint "$timeout_s" && [[ $timeout_s -ge 1 ]]; } || xs_usage_error "--timeout needs whole seconds (>= 1), not '$timeout_s'"
xs_is_uint "$status_every" || xs_usage_error "--status needs seconds, not '$status_every'"
xs_parse_time_option "$time_arg"
seconds="$XS_SECONDS"
if [[ -n "$dict" ]]; then
    [[ -f "$dict" && -r "$dict" ]] || xs_usage_error "--dict: cannot read '$dict'"
    dict="$(xs_abspath "$dict")"
fi
out="$(xs_abspath "${out:-$XS_ROOT/findings-libfuzzer}")"
[[ ! -e "$out" || -d "$out" ]] || xs_die "--out $out exists and is not a directory"
if [[ $resume -eq 0 && -d "$out" && -n "$(ls -A "$out")" ]]; then
    xs_die "--out $out already holds a campaign: add --resume to continue it, or choose another --out"
fi
if [[ $resume -eq 1 && -f "$out/$XS_MARKER" ]]; then
    [[ "$(xs_marker_get "$out" engine || true)" == libfuzzer ]] \
        || xs_die "--resume: $out is not a libFuzzer campaign"
    old_fault="$(xs_marker_get "$out" fault || true)"
    [[ "$old_fault" == "$fault" ]] || xs_die "--resume: the campaign in $out ran with --fault '${old_fault}', not '${fault}'"
fi

prepare
mkdir -p "$out/corpus" "$out/crashes" "$out/.logs"
if [[ $resume -eq 1 && -f "$out/$XS_MARKER" ]]; then
    echo "resumed=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$out/$XS_MARKER"
else
    printf 'engine=libfuzzer\nfault=%s\ntimeout_s=%s\nstarted=%s\n' \
        "$fault" "$timeout_s" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$out/$XS_MARKER"
fi

seeds="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-lf-seeds.XXXXXX")"
pid=""
stop() {   # ends libFuzzer and everything it started: it runs in a process group of its own
    [[ -n "$pid" ]] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while kill -0 -- "-$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
}
cleanup() { stop; rm -rf "$seeds"; }
trap cleanup EXIT
stop_requested=0
trap 'stop_requested=1' INT TERM

# Seeds as fuzz.sh takes them, and with --fault the seeds that already disagree set aside (libFuzzer
# would stop at the first one).
if [[ -d "$XS_CORPUS" ]] && [[ -n "$(xs_list_inputs "$XS_CORPUS")" ]]; then
    xs_list_inputs "$XS_CORPUS" | while IFS= read -r f; do cp -- "$f" "$seeds/"; done
    seed_origin="corpus/"
else
    "$XS_XSFUZZ" corpus --out "$seeds" >/dev/null || xs_die "'xsfuzz corpus --out $seeds' failed"
    seed_origin="xsfuzz corpus (corpus/ has no file)"
fi
n_seeds="$(xs_list_inputs "$seeds" | xs_count)"
seed_crashes=0
if [[ -n "$fault" ]]; then
    # One replay of every seed (one .NET start, not one per seed): each input's "== FILE (N bytes)"
    # header is followed by its verdict.
    mapfile -t seed_files < <(xs_list_inputs "$seeds")
    rc=0
    verdicts="$("$XS_XSFUZZ" replay "${seed_files[@]}" --fault "$fault" 2>&1)" || rc=$?
    [[ $rc -le 1 ]] || xs_die "'xsfuzz replay' of the seeds with --fault $fault exited $rc: $(tail -n 1 <<<"$verdicts")"
    while IFS= read -r f; do
        mkdir -p "$out/seed-crashes"
        mv -f -- "$f" "$out/seed-crashes/"
        seed_crashes=$((seed_crashes + 1))
    done < <(awk '/^== / { sub(/^== /, ""); sub(/ \([0-9]+ bytes\)$/, ""); file = $0 }
                  /^verdict: DISAGREE/ { print file }' <<<"$verdicts")
    [[ $seed_crashes -eq 0 ]] \
        || xs_log "$seed_crashes of $n_seeds seeds already disagree under --fault $fault: set aside in $out/seed-crashes/"
    [[ $seed_crashes -lt $n_seeds ]] || printf '\0' >"$seeds/one-zero-byte"   # libFuzzer needs no seed, but keep one
fi

target_flags flags
# -entropic=0: libFuzzer's entropic schedule re-weighs the corpus from every input's features, and
# SharpFuzz's 64 KiB hit-count map gives each input thousands; measured on this target (one process,
# 40 s, load ~45 on 2 CPUs): 613 executions with it, of which 14 s in the target and the rest in
# libFuzzer, against 2,630 without it, 38 s in the target. '-- -entropic=1' puts it back.
args=("-artifact_prefix=$out/crashes/" "-timeout=$timeout_s" -print_final_stats=1 -entropic=0)
[[ $seconds -eq 0 ]] || args+=("-max_total_time=$seconds")
[[ -z "$dict" ]] || args+=("-dict=$dict")
if [[ $until_crash -eq 0 ]]; then
    # Like an AFL campaign, go on past findings; each is kept in OUT/crashes.
    args+=("-fork=$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
mode="fork=$jobs, going on past crashes"
[[ $until_crash -eq 0 ]] || mode="one process, until the first crash"
limit="until Ctrl-C"
[[ $seconds -eq 0 ]] || limit="${seconds}s"
xs_log "libFuzzer campaign: $mode, $limit, fault '${fault:-none}', -timeout=$timeout_s, $((n_seeds - seed_crashes)) seeds from $seed_origin, out $out"
log="$out/.logs/libfuzzer.log"
echo "$DRIVER ${args[*]} ${flags[*]} ${extra[*]} $out/corpus $seeds" >>"$out/.logs/command"
start_ns="$(date +%s%N)"
# setsid: its own process group, so that stop() reaches the -fork jobs and their targets too.
# One process is pinned to the first CPU, as fuzz.sh pins its first worker (the driver pins each
# -fork job, with its target, to the CPU that job starts on).
pin=()
[[ $until_crash -eq 0 ]] || pin=(taskset -c "$(xs_cpus | xs_first 1)")
setsid "${pin[@]}" "$DRIVER" "${args[@]}" "${flags[@]}" "${extra[@]}" "$out/corpus" "$seeds" >>"$log" 2>&1 &
pid=$!

# Status from libFuzzer's log: its last "#N ..." line has the executions, coverage and exec/s (in
# fork mode the parent's "#N: cov: ... exec/s N ..." lines sum up the jobs).
count() { find "$out/$1" -maxdepth 1 -type f -name "$2" 2>/dev/null | xs_count; }
last_line() { grep -aE '^#[0-9]+' "$log" 2>/dev/null | tail -n 1 || true; }
field() { sed -nE "s|.*[[:space:]]$1:?[[:space:]]+([0-9]+).*|\\1|p" <<<"$2"; }
status_line() {
    local l execs
    l="$(last_line)"
    execs="$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$l")"
    printf '[%5ss] execs %s  exec/s %s  cov %s  ft %s  corpus %s  crashes %s  timeouts %s\n' \
        "$((SECONDS - start))" "${execs:--}" "$(field exec/s "$l")" "$(field cov "$l")" "$(field ft "$l")" \
        "$(xs_list_inputs "$out/corpus" | xs_count)" "$(count crashes 'crash-*')" "$(count crashes 'timeout-*')"
}

start=$SECONDS
next_status=$((start + status_every))
deadline=0
[[ $seconds -eq 0 ]] || deadline=$((start + seconds + 120))   # -max_total_time ends it; a backstop
inited_ns=""   # when libFuzzer finished running the seeds ("INITED"), as AFL++'s clock starts after its dry run
while kill -0 "$pid" 2>/dev/null && [[ $stop_requested -eq 0 ]]; do
    if [[ -z "$inited_ns" ]] && grep -aq -m 1 '^#[0-9]*[[:space:]]*INITED' "$log" 2>/dev/null; then
        inited_ns="$(date +%s%N)"
    fi
    if [[ $deadline -gt 0 && $SECONDS -ge $deadline ]]; then
        xs_log "libFuzzer still running ${seconds}s + 120s after the start: stopping it"
        break
    fi
    if [[ $status_every -gt 0 && $SECONDS -ge $next_status ]]; then
        status_line
        next_status=$((SECONDS + status_every))
    fi
    sleep 0.2
done
end_ns="$(date +%s%N)"
rc=0
if kill -0 "$pid" 2>/dev/null; then
    stop
else
    wait "$pid" || rc=$?
    pid=""
fi
[[ $status_every -eq 0 ]] || status_line
cleanup
trap - EXIT

mapfile -t crashes < <(find "$out/crashes" -maxdepth 1 -type f -name 'crash-*' -printf '%T@ %p\n' | sort -n | cut -d' ' -f2-)
mapfile -t timeouts < <(find "$out/crashes" -maxdepth 1 -type f -name 'timeout-*' | LC_ALL=C sort)
# libFuzzer exits 0 at the end of -max_total_time, with -error_exitcode (77) after a crash,
# -timeout_exitcode (70) after a timeout, and 1 on its own errors; -fork returns a job's code.
failed=0
if [[ $rc -ne 0 && $stop_requested -eq 0 ]] && ! [[ ($rc -eq 77 || $rc -eq 70) && $((${#crashes[@]} + ${#timeouts[@]})) -gt 0 ]]; then
    failed=1
fi

echo
echo "=== libFuzzer summary: $out"
final_execs="$(grep -aE '^stat::number_of_executed_units' "$log" | tail -n 1 | awk '{print $2}' || true)"
l="$(last_line)"
[[ -n "$final_execs" ]] || final_execs="$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$l")"
elapsed_ms=$(( (end_ns - start_ns) / 1000000 ))
final_execs="$(xs_int "${final_execs:-0}")"
printf '%-10s %12s %10s %7s %7s %8s %9s %9s\n' engine execs exec/s cov ft corpus crashes timeouts
printf '%-10s %12s %10s %7s %7s %8s %9s %9s\n' libfuzzer "$final_execs" \
    "$(( final_execs * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1) ))" "$(field cov "$l")" "$(field ft "$l")" \
    "$(xs_list_inputs "$out/corpus" | xs_count)" "${#crashes[@]}" "${#timeouts[@]}"
awk -v ms="$elapsed_ms" 'BEGIN { printf "ran %.1f s\n", ms / 1000 }'
if [[ ${#crashes[@]} -gt 0 ]]; then
    first_ns="$(stat -c %.9Y "${crashes[0]}" | tr -d .)"
    awk -v a="$start_ns" -v b="$first_ns" -v i="${inited_ns:-0}" 'BEGIN {
        printf "first crash %.1f s after libFuzzer started", (b - a) / 1e9
        if (i > 0 && b >= i) printf " (%.1f s after it had run the seeds)", (b - i) / 1e9
        printf "\n" }'
fi
[[ $seed_crashes -eq 0 ]] || echo "$seed_crashes seed(s) already disagreed under --fault $fault before fuzzing: $out/seed-crashes/"
if [[ ${#crashes[@]} -eq 0 ]]; then
    echo "no crash"
else
    commands="$out/replay-commands.txt"
    for f in "${crashes[@]}"; do
        printf '%s replay %s' "$(xs_quote "$XS_XSFUZZ")" "$(xs_quote "$f")"
        [[ -z "$fault" ]] || printf ' --fault %s' "$(xs_quote "$fault")"
        printf '\n'
    done >"$commands"
    echo "${#crashes[@]} crash(es); replay each with:"
    head -n 20 "$commands" | sed 's/^/  /'
    [[ ${#crashes[@]} -le 20 ]] || echo "  ... and $(( ${#crashes[@]} - 20 )) more: every command is in $commands"
    echo "or all of them, grouped by divergence signature: scripts/replay.sh $(xs_quote "$out/crashes")"
fi
[[ ${#timeouts[@]} -eq 0 ]] || echo "${#timeouts[@]} timeout(s) in $out/crashes/timeout-*"

if [[ $failed -eq 1 ]]; then
    echo "--- libFuzzer exited $rc; last lines of $log:" >&2
    tail -n 15 "$log" >&2
    exit 1
fi
[[ $stop_requested -eq 0 ]] || exit 130
exit 0
