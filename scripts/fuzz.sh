#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=fuzz.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
usage: scripts/fuzz.sh [--jobs N] [--time DURATION] [--in DIR] [--out DIR] [--fault NAME]
                       [--config NAME|FILE] [--resume] [--timeout MS] [--status SECONDS] [--empty] [--daemon NAME]
                       [--node NAME --sync-from DIR...] [-- AFL-OPTION...]

Runs an AFL++ campaign on the instrumented target (build/afl/xsfuzz afl), headless: one -M
worker and N-1 -S workers with varied power schedules, each pinned to its own CPU (unless
AFL_NO_AFFINITY is set), seeded from corpus/ (or --in DIR; or from 'xsfuzz corpus' when there is
no file). With --fault, seeds that already disagree are set aside in OUT/seed-crashes/ rather
than fuzzed ('xsfuzz seeds', one process for all of them). Runs scripts/setup.sh first. Prints
a one-line status within seconds and then every few seconds and, at the end, a summary per worker (execs, exec/s, paths, crashes,
stability), afl-whatsup's summary, afl-plot's graphs per worker (OUT/plots/WORKER/index.html),
and the crashes and hangs grouped by signature and shrunk ('xsfuzz triage', in OUT/triage/).
Ctrl-C (or the time limit) stops every
worker it started.

  --jobs N          workers (default: all CPUs, here $(xs_cpus | xs_count))
  --time DURATION   stop after this long: 90, 90s, 10m, 1.5h, 2d (default: run until Ctrl-C)
  --in DIR          seed from DIR instead of corpus/: a corpus folder, one AFL worker's folder
                    (its queue/) or a fuzz.sh output folder (every worker's queue/)
  --out DIR         the campaign folder (default: findings/); must not exist or be empty, or,
                    with --resume, hold a fuzz.sh campaign. A folder of other files (e.g. a
                    corpus) is never written into: seed from it with --in
  --fault NAME      plant this live-update fault (see 'build/plain/xsfuzz faults'); with
                    --resume the default is the campaign's, and another one is refused
  --config NAME|FILE  run the daemons with this configuration only ('xsfuzz afl --config': a
                    variant or an oxenstored.conf file); by default each input chooses. Recorded
                    in the campaign, so replay, shrink, print and triage decode its inputs the
                    same way; with --resume the default is the campaign's, and another is refused
  --resume          continue the campaign in --out (AFL_AUTORESUME) with its fault, configuration
                    and timeout
  --timeout MS      afl-fuzz -t per execution (default: $XS_DEFAULT_TIMEOUT_MS, or the campaign's)
  --status SECONDS  status line interval (default: 10; 0 = none)
  --empty           fuzz the empty SharpFuzz target ('xsfuzz afl --empty'): the baseline
                    that bench.sh compares against
  --daemon NAME     fuzz the real daemons' live update ('xsfuzz afl --daemon NAME', NAME
                    xenstored or oxenstored): two traced daemons per input, their edges in
                    AFL's map. Builds them first (real-sandbox.sh setup, real-build.sh); the
                    default --timeout is then 20000 (oxenstored waits 1 s per refused update);
                    crashes replay with 'xsfuzz real lu --daemon NAME FILE'; sets
                    AFL_FAST_CAL (the daemons' timing makes AFL calibrate almost every
                    input 12 times instead of 7). At the end: the
                    allow-listed differences met (OUT/WORKER/known/: first seen, count,
                    the first input), the crashes' signatures as the target saw them
                    (OUT/WORKER/crash-signatures.log) and the crashes replayed and grouped
                    by 'xsfuzz real lu' on the plain build (at most
                    XSFUZZ_DAEMON_TRIAGE_TIME, default 5m)
  --node NAME       this machine's name in a multi-machine campaign: workers are NAME-main,
                    NAME-s1, ... (AFL++'s one -M per machine, with a unique name)
  --sync-from DIR...  other machines' sync dirs (local paths or rsync's host:/path): every
                    XSFUZZ_SYNC_SECONDS (default 300) scripts/sync.sh copies their main
                    workers' queues into OUT (also once before the start), where AFL++
                    imports them (at the start, AFL_IMPORT_FIRST, then every AFL_SYNC_TIME
                    minutes, default 30); needs --node
  -h, --help        this text
  -- AFL-OPTION...  everything after -- goes to every afl-fuzz, e.g. '-- -x dict.txt' (an AFL
                    dictionary, see 'xsfuzz dictionary') or '-- -L 0' (MOpt); fuzz.sh's own
                    -i -o -M -S -t -V -b are refused there

The environment reaches afl-fuzz and the target: e.g. AFL_BENCH_UNTIL_CRASH=1 ends a worker
at its first crash (bench.sh); XSFUZZ_AFL_MODE=out-of-process runs 'xsfuzz afl' on SharpFuzz's
out-of-process fork server, which survives hangs (slower; workers are then not pinned) instead
of the default in-process one, which is faster but stops a worker at the first hang.
AFL_NO_AFFINITY=1 leaves the workers unpinned (for two campaigns at once: each would pin its
workers to the first CPUs).

Exit status: 0 when the campaign ran to its end (crashes or not), 1 when a worker failed,
2 on bad usage, 130 after Ctrl-C.
EOF
}

jobs="" time_arg="" in_dir="" out="" fault="" fault_given=0 config="" config_given=0 resume=0 timeout_ms="" status_every=10 empty=0
afl_extra=()
node="" sync_from=()
daemon=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jobs) xs_need_value "$@"; jobs="$2"; shift ;;
        --time) xs_need_value "$@"; time_arg="$2"; shift ;;
        --in) xs_need_value "$@"; in_dir="$2"; shift ;;
        --out) xs_need_value "$@"; out="$2"; shift ;;
        --fault) xs_need_value "$@"; fault="$2"; fault_given=1; shift ;;
        --config) xs_need_value "$@"; config="$2"; config_given=1; shift ;;
        --resume) resume=1 ;;
        --timeout) xs_need_value "$@"; timeout_ms="$2"; shift ;;
        --status) xs_need_value "$@"; status_every="$2"; shift ;;
        --empty) empty=1 ;;
        --node) xs_need_value "$@"; node="$2"; shift ;;
        --sync-from) xs_need_value "$@"; shift
                     while [[ $# -gt 0 && "$1" != --* ]]; do sync_from+=("$1"); shift; done
                     continue ;;
        --daemon) xs_need_value "$@"; daemon="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; afl_extra=("$@"); break ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done
for a in "${afl_extra[@]}"; do
    case "$a" in
        -i|-o|-M|-S|-t|-V|-b) xs_usage_error "afl-fuzz option $a is set by fuzz.sh itself (see --help)" ;;
    esac
done

mapfile -t cpus < <(xs_cpus)
if [[ -z "$jobs" ]]; then
    jobs=${#cpus[@]}
fi
{ xs_is_uint "$jobs" && [[ $jobs -ge 1 ]]; } || xs_usage_error "--jobs needs a positive integer, not '$jobs'"
case "$daemon" in
    ''|xenstored|oxenstored) ;;
    *) xs_usage_error "--daemon must be xenstored or oxenstored, not '$daemon'" ;;
esac
[[ -z "$daemon" || ( -z "$fault" && -z "$config" && $empty -eq 0 ) ]] \
    || xs_usage_error "--daemon runs the real daemons (Debian's configuration): no --fault, --config or --empty"
[[ $empty -eq 0 || -z "$config" ]] || xs_usage_error "--empty fuzzes no daemon: no --config"
# A file is recorded by its absolute path, so that replaying from another folder finds it.
if [[ -n "$config" && -f "$config" ]]; then config="$(xs_abspath "$config")"; fi
[[ -z "$timeout_ms" ]] || { xs_is_uint "$timeout_ms" && [[ $timeout_ms -ge 10 ]]; } \
    || xs_usage_error "--timeout needs milliseconds (>= 10), not '$timeout_ms'"
xs_is_uint "$status_every" || xs_usage_error "--status needs seconds, not '$status_every'"
[[ -z "$node" || "$node" =~ ^[A-Za-z0-9_]+$ ]] || xs_usage_error "--node needs a name of letters, digits and _, not '$node'"
[[ ${#sync_from[@]} -eq 0 || -n "$node" ]] || xs_usage_error "--sync-from needs --node"
sync_every="${XSFUZZ_SYNC_SECONDS:-300}"
{ xs_is_uint "$sync_every" && [[ $sync_every -ge 1 ]]; } || xs_usage_error "XSFUZZ_SYNC_SECONDS needs seconds, not '$sync_every'"
xs_parse_time_option "$time_arg"
seconds="$XS_SECONDS"
out="$(xs_abspath "${out:-$XS_ROOT/findings}")"
if [[ -n "$in_dir" ]]; then
    in_dir="$(xs_abspath "$in_dir")"
    [[ -d "$in_dir" ]] || xs_usage_error "--in $in_dir is not a directory"
    [[ "$in_dir" != "$out" ]] || xs_usage_error "--in and --out are the same folder"
fi

# Never write into a folder that is not a campaign, nor into a campaign unless asked to resume it.
is_campaign() { [[ -f "$1/$XS_MARKER" ]] || xs_is_sync_dir "$1"; }
if [[ -e "$out" && ! -d "$out" ]]; then
    xs_die "--out $out exists and is not a directory"
fi
if [[ $resume -eq 1 ]]; then
    [[ -d "$out" ]] || xs_die "--resume: $out does not exist: there is no campaign to resume (drop --resume to start one)"
    is_campaign "$out" || xs_die "--resume: $out is not a fuzz.sh campaign (no $XS_MARKER, no AFL worker folder)"
elif [[ -d "$out" && -n "$(ls -A "$out")" ]]; then
    if is_campaign "$out"; then
        xs_die "--out $out already holds a campaign: add --resume to continue it, or choose another --out"
    fi
    xs_die "--out $out is not empty and is not a campaign (it holds $(find "$out" -maxdepth 1 -mindepth 1 | xs_count) entries, e.g. a corpus): choose a new or empty --out; to seed from it, use --in $out"
fi

xs_ensure_build
if [[ $resume -eq 1 && -f "$out/$XS_MARKER" ]]; then
    # The campaign's settings, like cmin.sh and tmin.sh read them; a different fault is refused.
    old_fault="$(xs_marker_get "$out" fault || true)"
    if [[ $fault_given -eq 0 ]]; then
        fault="$old_fault"
    elif [[ "$old_fault" != "$fault" ]]; then
        xs_die "--resume: the campaign in $out ran with --fault '${old_fault}', not '${fault}'"
    fi
    old_config="$(xs_marker_get "$out" config || true)"
    if [[ $config_given -eq 0 ]]; then
        config="$old_config"
    elif [[ "$old_config" != "$config" ]]; then
        xs_die "--resume: the campaign in $out ran with --config '${old_config}', not '${config}'"
    fi
    [[ "$(xs_marker_get "$out" empty || echo 0)" == "$empty" ]] \
        || xs_die "--resume: the campaign in $out ran with a different --empty"
    [[ -n "$timeout_ms" ]] || timeout_ms="$(xs_marker_get "$out" timeout_ms || true)"
    # New workers of a resumed campaign start from the seeds the campaign started from.
    if [[ -z "$in_dir" ]]; then
        in_dir="$(xs_marker_get "$out" seeds || true)"
        [[ "$in_dir" != "$XS_CORPUS" && -d "$in_dir" ]] || in_dir=""
    fi
    [[ "$(xs_marker_get "$out" daemon || true)" == "$daemon" ]] \
        || xs_die "--resume: the campaign in $out ran with a different --daemon"
fi
# A daemon campaign starts two daemons per input, and oxenstored waits 1 s per refused update.
if [[ -z "$timeout_ms" && -n "$daemon" ]]; then timeout_ms=20000; fi
timeout_ms="${timeout_ms:-$XS_DEFAULT_TIMEOUT_MS}"
xs_check_fault "$fault"
config_args=()
if [[ -n "$config" ]]; then
    config_args=(--config "$config")
    # The same check every xsfuzz command makes of it, now rather than in every afl-fuzz worker.
    err="$("$XS_XSFUZZ" print --base64 AA== "${config_args[@]}" 2>&1 >/dev/null)" || xs_usage_error "${err#xsfuzz: }"
fi
if [[ -n "$daemon" ]]; then
    "$XS_ROOT/scripts/real-sandbox.sh" setup --quiet || xs_die "scripts/real-sandbox.sh setup failed"
    "$XS_ROOT/scripts/real-build.sh" --quiet || xs_die "scripts/real-build.sh failed"
fi
mkdir -p "$out/.logs"
if [[ $resume -eq 1 ]]; then
    echo "resumed=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$out/$XS_MARKER"
else
    {
        echo "fault=$fault"
        echo "config=$config"
        echo "empty=$empty"
        echo "daemon=$daemon"
        echo "timeout_ms=$timeout_ms"
        echo "seeds=${in_dir:-$XS_CORPUS}"
        echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    } >"$out/$XS_MARKER"
fi

# Seeds: every input file of corpus/, else a generated set.
seeds="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-seeds.XXXXXX")"
workers=() names=()
cleanup() {
    local pid
    for pid in "${workers[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    local deadline=$((SECONDS + 10))
    for pid in "${workers[@]}"; do
        while kill -0 "$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    workers=()
    rm -rf "$seeds" "$seeds.set-aside"
}
trap cleanup EXIT
stop_requested=0
trap 'stop_requested=1' INT TERM

n_seeds=0
seed_dir="${in_dir:-$XS_CORPUS}"
[[ ! -d "$seed_dir" ]] || n_seeds="$(xs_gather_inputs "$seed_dir" "$seeds")"
if [[ $n_seeds -eq 0 && -n "$in_dir" ]]; then
    xs_die "--in $in_dir holds no input file"
elif [[ $n_seeds -eq 0 ]]; then
    "$XS_XSFUZZ" corpus --out "$seeds" >/dev/null || xs_die "'xsfuzz corpus --out $seeds' failed"
    n_seeds="$(xs_list_inputs "$seeds" | xs_count)"
    [[ $n_seeds -gt 0 ]] || xs_die "'xsfuzz corpus' wrote no seed"
    seed_origin="xsfuzz corpus (corpus/ has no file)"
else
    seed_origin="${in_dir:-corpus/}"
fi

# With a planted fault some seeds may already disagree: AFL would skip them, and abort if none is
# left. They are set aside in $out/seed-crashes/ (and reported); AFL starts from the others, or
# from a one-byte input when none is left.
seed_crashes=0
if [[ -n "$fault" && $empty -eq 0 ]]; then
    xs_log "checking the $n_seeds seeds for failures --fault $fault already causes (xsfuzz seeds, one process)"
    if ! "$XS_XSFUZZ" seeds "$seeds" --fault "$fault" "${config_args[@]}" --set-aside "$seeds.set-aside" >"$out/.logs/seeds.log" 2>&1; then
        cat "$out/.logs/seeds.log" >&2
        xs_die "'xsfuzz seeds $seeds --fault $fault' failed"
    fi
    seed_crashes="$(xs_list_inputs "$seeds.set-aside" | xs_count)"
    if [[ $seed_crashes -gt 0 ]]; then
        # Kept with the campaign; a resumed campaign finds the same ones already there.
        mkdir -p "$out/seed-crashes"
        cp -n -- "$seeds.set-aside"/* "$out/seed-crashes/"
    fi
    if [[ $seed_crashes -gt 0 ]]; then
        xs_log "$seed_crashes of $n_seeds seeds already disagree under --fault $fault: set aside in $out/seed-crashes/"
    fi
    if [[ $seed_crashes -eq $n_seeds ]]; then
        printf '\0' >"$seeds/one-zero-byte"
        rc=0
        "$XS_XSFUZZ" replay "$seeds/one-zero-byte" --fault "$fault" "${config_args[@]}" >/dev/null 2>&1 || rc=$?
        [[ $rc -eq 0 ]] || xs_die "every seed, even a one-byte input, disagrees under --fault $fault: nothing for AFL to start from"
        xs_log "AFL starts from a one-byte input"
    fi
fi

xs_afl_env
[[ $resume -eq 0 ]] || export AFL_AUTORESUME=1
# The real daemons' coverage varies from run to run (timing), so AFL finds almost every input
# unstable and calibrates it CAL_CYCLES_LONG (12) times, seeds and new paths alike; AFL_FAST_CAL
# makes that 7 (3 for stable ones). Measured side by side on 13 oxenstored seeds: see the README of
# fuzz/XsFuzz.RealDaemons.
[[ -z "$daemon" ]] || export AFL_FAST_CAL=1
sync_now() {   # copy the other machines' main queues into $out (scripts/sync.sh)
    "$XS_ROOT/scripts/sync.sh" --into "$out" --node "$node" "${sync_from[@]}" >>"$out/.logs/sync.log" 2>&1 \
        || xs_log "warning: scripts/sync.sh failed (see $out/.logs/sync.log)"
}
if [[ ${#sync_from[@]} -gt 0 ]]; then
    sync_now                     # so that the workers start from what the others found,
    export AFL_IMPORT_FIRST=1    # which AFL++ imports before its first cycle (as its docs advise)
fi

# Power schedules, as AFL++'s fuzzing_in_depth.md suggests: the main node on the default (fast),
# the secondaries spread over the others.
schedules=(fast explore coe lin quad exploit rare seek mmopt)
target=()
if [[ $empty -eq 1 ]]; then
    xs_target_cmd target "$fault" --empty
elif [[ -n "$daemon" ]]; then
    xs_target_cmd target "" --daemon "$daemon"
else
    xs_target_cmd target "$fault" "${config_args[@]}"
fi

pin=1
if [[ -n "${AFL_NO_AFFINITY:-}" ]]; then
    pin=0   # asked for: e.g. two campaigns at once, which would otherwise both pin to the first CPUs
elif [[ $jobs -gt ${#cpus[@]} ]]; then
    pin=0
    xs_log "warning: $jobs workers on ${#cpus[@]} CPUs: not pinning, expect lower exec/s per worker"
elif [[ "${XSFUZZ_AFL_MODE:-}" == out-of-process ]]; then
    pin=0   # its fork server and child process on one pinned core run at half speed (measured)
fi
[[ $pin -eq 1 ]] || export AFL_NO_AFFINITY=1

campaign_start="$(date +%s.%N)"
limit="until Ctrl-C"
[[ $seconds -eq 0 ]] || limit="${seconds}s"
xs_log "campaign: $jobs worker(s), $limit, ${daemon:+daemon $daemon, }fault '${fault:-none}', ${config:+config $config, }-t $timeout_ms, $n_seeds seeds from $seed_origin, out $out${afl_extra[*]:+, afl-fuzz ${afl_extra[*]}}"
for ((i = 0; i < jobs; i++)); do
    if [[ $i -eq 0 ]]; then
        name="${node:+$node-}main" role=(-M "${node:+$node-}main")
    else
        name="${node:+$node-}s$i" role=(-S "${node:+$node-}s$i")
    fi
    args=(-i "$seeds" -o "$out" "${role[@]}" -p "${schedules[$((i % ${#schedules[@]}))]}" -t "$timeout_ms" -m none)
    [[ $pin -eq 0 ]] || args+=(-b "${cpus[$i]}")
    [[ $seconds -eq 0 ]] || args+=(-V "$seconds")
    args+=("${afl_extra[@]}")
    touch "$out/.logs/$name.started"
    # A daemon target records the allow-listed differences it meets in the worker's known/ (AFL keeps
    # no record of them) and what each crash was in its crash-signatures.log (AFL keeps only the
    # input), timed from the campaign's start (a resumed campaign: this run's start).
    XSFUZZ_KNOWN_DIR="$out/$name/known" XSFUZZ_CRASH_LOG="$out/$name/crash-signatures.log" XSFUZZ_KNOWN_START="$campaign_start" \
        afl-fuzz "${args[@]}" -- "${target[@]}" >"$out/.logs/$name.log" 2>&1 &
    workers+=($!)
    names+=("$name")
done

# Status from the workers' files: queue/crash/hang counts are live; execs come from plot_data
# (AFL++ writes it every 5 s after the first minute) or fuzzer_stats (every minute).
# (With --node, only this node's workers: OUT also holds copies of the other nodes' main queues.)
count_ids() { find "$out"/${node:+"$node"-}*/"$1" -maxdepth 1 -name 'id:*' 2>/dev/null | xs_count; }
status_line() {
    local execs=0 eps=0 w pd last e s fresh=1 starting=0
    for w in "${names[@]}"; do
        # Before its first fuzzer_stats a worker is still starting (.NET start-up, the dry run of
        # the seeds): say so instead of showing zeros.
        # (A resumed worker's fuzzer_stats is the old run's until it writes a new one.)
        if [[ ! "$out/$w/fuzzer_stats" -nt "$out/.logs/$w.started" ]]; then
            starting=$((starting + 1)) fresh=0
            continue
        fi
        pd="$out/$w/plot_data"
        last="$(grep -v '^#' "$pd" 2>/dev/null | tail -n 1 || true)"
        if [[ -n "$last" ]]; then
            e="$(awk -F', *' '{print $12}' <<<"$last")"
            s="$(awk -F', *' '{print $11}' <<<"$last")"
        elif [[ $(( $(xs_int "$(xs_stat "$out/$w/fuzzer_stats" last_update)") \
                    - $(xs_int "$(xs_stat "$out/$w/fuzzer_stats" start_time)") )) -ge 30 ]]; then
            e="$(xs_stat "$out/$w/fuzzer_stats" execs_done)"
            s="$(xs_stat "$out/$w/fuzzer_stats" execs_per_sec)"
        else
            fresh=0   # AFL++ first publishes execs after about a minute
            continue
        fi
        execs=$((execs + $(xs_int "$e"))); eps=$((eps + $(xs_int "$s")))
    done
    [[ $fresh -eq 1 ]] || { execs="-"; eps="-"; }
    local alive=0 pid
    for pid in "${workers[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
    local state=""
    [[ $starting -eq 0 ]] || state=" ($starting starting: .NET start-up, dry run of the queue)"
    printf '[%5ss] workers %d/%d%s  execs %s  exec/s %s  paths %s  crashes %s  hangs %s\n' \
        "$((SECONDS - start))" "$alive" "$jobs" "$state" "$execs" "$eps" \
        "$(count_ids queue)" "$(count_ids crashes)" "$(count_ids hangs)"
}

start=$SECONDS
# The first status line within seconds: afl-fuzz itself writes its first stats only later.
next_status=$((start + (status_every < 3 ? status_every : 3)))
next_sync=$((start + sync_every))
failed=""
deadline=0
# -V ends the workers (after the dry run, which can be long when resuming); this is a backstop.
# With --daemon the dry run calibrates every seed on real daemons (~0.1-1 s a run, 8 runs a seed:
# 3 min for corpus/'s 170 seeds on xenstored, measured), so the backstop allows 8 s per seed more.
grace=120
[[ -z "$daemon" ]] || grace=$((120 + n_seeds * 8))
[[ $seconds -eq 0 ]] || deadline=$((start + seconds + grace))
declare -A done_rc=()
while :; do
    alive=0
    for idx in "${!workers[@]}"; do
        pid="${workers[$idx]}"
        [[ -z "${done_rc[$idx]:-}" ]] || continue
        if kill -0 "$pid" 2>/dev/null; then
            alive=$((alive + 1))
        else
            rc=0
            wait "$pid" || rc=$?
            done_rc[$idx]=$rc
            # afl-fuzz exits 0 when stopped (-V, a signal, AFL_BENCH_UNTIL_CRASH) and 1 on FATAL.
            if [[ $rc -ne 0 && $stop_requested -eq 0 ]]; then
                failed+="${names[$idx]} "
            fi
        fi
    done
    [[ $alive -gt 0 && -z "$failed" && $stop_requested -eq 0 ]] || break
    if [[ $deadline -gt 0 && $SECONDS -ge $deadline ]]; then
        xs_log "workers still running ${seconds}s + ${grace}s after the start: stopping them"
        break
    fi
    if [[ ${#sync_from[@]} -gt 0 && $SECONDS -ge $next_sync ]]; then
        sync_now
        next_sync=$((SECONDS + sync_every))
    fi
    if [[ $status_every -gt 0 && $SECONDS -ge $next_status ]]; then
        status_line
        next_status=$((SECONDS + status_every))
    fi
    sleep 1
done
[[ $status_every -eq 0 ]] || status_line
cleanup
trap - EXIT

for w in $failed; do
    echo "--- worker $w failed; last lines of $out/.logs/$w.log:" >&2
    tail -n 15 "$out/.logs/$w.log" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' >&2
    if grep -q 'fork server' "$out/.logs/$w.log" && [[ -f "$out/$w/.cur_input" ]]; then
        echo "The target died (a hang past -t, or a crash .NET cannot catch). The input it was running" >&2
        echo "is $out/$w/.cur_input: check it with 'build/plain/xsfuzz replay'. To fuzz on past such" >&2
        echo "inputs, use XSFUZZ_AFL_MODE=out-of-process (slower, restarts the target instead)." >&2
    fi
done

# Summary.
echo
echo "=== campaign summary: $out"
printf '%-6s %12s %10s %7s %8s %6s %10s\n' worker execs exec/s paths crashes hangs stability
for w in "${names[@]}"; do
    st="$out/$w/fuzzer_stats"
    [[ -f "$st" ]] || { printf '%-6s (no fuzzer_stats: it never got going)\n' "$w"; continue; }
    e="$(xs_stat "$st" execs_done)"; rt="$(xs_stat "$st" run_time)"
    e="$(xs_int "$e")"; rt="$(xs_int "$rt")"
    printf '%-6s %12s %10s %7s %8s %6s %10s\n' "$w" "$e" "$((e / (rt > 0 ? rt : 1)))" \
        "$(xs_stat "$st" corpus_count)" "$(xs_stat "$st" saved_crashes)" \
        "$(xs_stat "$st" saved_hangs)" "$(xs_stat "$st" stability)"
done
echo
afl-whatsup -s -d "$out" 2>/dev/null | sed -n '/Summary stats/,$p' | grep -v '^=*$' || true

# afl-plot's graphs (paths, crashes, exec/s, edges over time) per worker, from its plot_data.
echo
for w in "${names[@]}"; do
    rows="$(grep -v '^#' "$out/$w/plot_data" 2>/dev/null | xs_count)"
    if [[ $rows -lt 3 ]]; then
        # afl-plot needs 3 rows; AFL++ adds one every few seconds once it has finished its dry run.
        echo "graphs for $w: none yet ($rows row(s) of plot_data; afl-plot needs 3: let it run longer)"
    elif rm -rf "$out/plots/$w" && mkdir -p "$out/plots" \
            && afl-plot "$out/$w" "$out/plots/$w" >"$out/.logs/plot-$w.log" 2>&1; then
        echo "graphs for $w: $out/plots/$w/index.html"
    else
        echo "graphs for $w: afl-plot failed (see $out/.logs/plot-$w.log)"
    fi
done

if [[ $seed_crashes -gt 0 ]]; then
    echo "$seed_crashes seed(s) already disagreed under --fault $fault before fuzzing: $out/seed-crashes/"
fi
# Crashes and hangs by distinct signature (AFL's own count is of inputs with new edges): replayed,
# grouped and shrunk in one process, with a folder per signature and a page in $out/triage/.
# A daemon campaign's crashes are replayed and grouped by xsfuzz real lu (triage knows the model's
# campaigns only), on the plain build of the source the traced target runs, bounded in time.
if [[ -n "$daemon" ]]; then
    echo
    xs_known_table "$out"
    echo
    xs_crash_signature_table "$out"
    echo
    mapfile -t crash_files < <(xs_crash_files "$out")
    if [[ ${#crash_files[@]} -eq 0 ]]; then
        echo "crashes: none"
    else
        triage="$out/triage"
        [[ ! -e "$triage" ]] || triage="$out/triage-$(date -u +%Y%m%dT%H%M%SZ)"
        triage_time="${XSFUZZ_DAEMON_TRIAGE_TIME:-5m}"
        echo "crashes: ${#crash_files[@]} file(s), replayed and grouped by signature (xsfuzz real lu, plain build, at most $triage_time) in $triage:"
        # Exit 1 means new signatures (the summary says so); 2 and above, that it could not run.
        rc=0
        XSFUZZ_REAL_BUILD=plain "$XS_XSFUZZ" real lu --daemon "$daemon" --jobs "$jobs" --time "$triage_time" --out "$triage" \
            "${crash_files[@]}" >"$out/.logs/triage.log" 2>&1 || rc=$?
        cat "$out/.logs/triage.log"
        [[ $rc -le 1 ]] || echo "(xsfuzz real lu exited $rc; replay by hand: XSFUZZ_REAL_BUILD=plain $(xs_quote "$XS_XSFUZZ") real lu --daemon $daemon $(xs_quote "$out")/*/crashes)"
    fi
elif [[ $empty -eq 0 ]]; then
    echo
    "$XS_XSFUZZ" triage "$out" || echo "('xsfuzz triage $out' failed; its inputs are in $out/*/crashes/)"
fi

if [[ -n "$failed" ]]; then
    xs_log "worker(s) failed: $failed(logs in $out/.logs/)"
    exit 1
fi
[[ $stop_requested -eq 0 ]] || exit 130
exit 0
