#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=test-afl.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/test-afl.sh [--fault NAME] [--keep]

End-to-end checks of the AFL++ side on one core (about 8 minutes), one line each
('PASS name' or 'FAIL name: why'), then 'N passed, N failed'; exits 1 if any failed.
Installs what it needs by running scripts/setup.sh (and apt-get for chromium).
  - every script answers --help, and rejects a bad argument with exit 2
  - fuzz.sh --jobs 1 --time 90s --fault NAME finds at least one crash, and writes afl-plot's graphs
  - the user path: fuzz.sh's summary is 'xsfuzz triage' (one group for the default fault), whose
    report shows the shrunk scenario first; the group's minimal input, replayed WITHOUT --fault,
    fails with the same signature; no crash of the campaign replays as "agree"
  - triage of 200 distinct crash files takes under 10 s of CPU
  - triage's index.html loads in headless Chromium without console messages (a planted
    console.error is caught by the same check); a screenshot is saved
  - tmin.sh shrinks that crash to an input that still disagrees
  - fuzz.sh checks the seeds in one 'xsfuzz seeds' process and prints a status line within seconds
  - fuzz.sh records --config in the campaign and refuses a --resume with another one or an unknown one
  - fuzz.sh refuses an existing --out without --resume, a corpus folder as --out, and --resume
    of a folder that does not exist
  - fuzz.sh --jobs 1 --time 60s without a fault finds no crash, at 100 % stability
  - coverage.sh over that queue writes an HTML report with non-trivial line and branch coverage
  - cmin.sh on that queue leaves a non-empty corpus no larger than the queue
  - afl-showmap on a corpus file shows instrumentation (tuples > 0)

  --fault NAME  the planted fault of the crash campaign (default: watch-relative-lost, whose
                crashes all have one signature; with another fault, one or more groups)
  --keep        keep the work dir (it is kept anyway when a check fails); the page's
                screenshot is always kept, in build/test-afl-triage-page.png
  -h, --help    this text
EOF
}

fault="" keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --fault) xs_need_value "$@"; fault="$2"; shift ;;
        --keep) keep=1 ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done

work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-test-afl.XXXXXX")"
# shellcheck source=lib/checks.sh
source "$XS_ROOT/scripts/lib/checks.sh"

# Headless Chromium (Debian's package, installed here when missing) loads a page from the disk:
# any console message fails (the page has no script, so there should be none), and a screenshot
# is saved. The same check must catch a console.error planted in a page of its own.
page_check() {  # PAGE PNG
    local page="$1" png="$2" profile log
    if ! command -v chromium >/dev/null 2>&1; then
        local sudo=()
        [[ $EUID -eq 0 ]] || sudo=(sudo)
        { "${sudo[@]}" apt-get update -q && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium; } \
            >"$work/chromium-install.log" 2>&1 \
            || { fail "install chromium" "apt-get failed" "$work/chromium-install.log"; return; }
    fi
    load_page() {  # PAGE LOG [extra chromium args]
        profile="$(mktemp -d "$work/chromium-profile.XXXXXX")"
        timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
            --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
            --enable-logging=stderr --v=0 --window-size=1200,1000 "${@:3}" "file://$1" >"$2.out" 2>"$2"
    }
    printf '<!DOCTYPE html><html><body><script>console.error("planted")</script></body></html>\n' >"$work/planted.html"
    load_page "$work/planted.html" "$work/chromium-planted.log" --dump-dom || true
    if ! grep -q 'CONSOLE.*"planted"' "$work/chromium-planted.log"; then
        fail "the headless Chromium check" "it does not see a planted console.error" "$work/chromium-planted.log"
        return
    fi
    log="$work/chromium-page.log"
    if load_page "$page" "$log" --screenshot="$png" && ! grep -q 'CONSOLE' "$log" && [[ -s "$png" ]]; then
        pass "index.html loads in headless Chromium without console messages; screenshot $png ($(stat -c %s "$png") bytes)"
    else
        fail "index.html in headless Chromium" "console messages or no screenshot" "$log"
    fi
}

# 0. setup
if "$XS_ROOT/scripts/setup.sh" >"$work/setup.log" 2>&1; then
    pass "setup.sh builds build/plain and the instrumented build/afl"
    export XS_BUILD_CHECKED=1   # one build for every check
else
    fail "setup.sh" "exit $?" "$work/setup.log"
    finish
    exit 1
fi

one_group=0
if [[ -z "$fault" ]]; then
    if xs_fault_names | grep -x 'watch-relative-lost' >/dev/null; then
        fault=watch-relative-lost
        one_group=1   # a relative watch restored as absolute shows in the state right after the update
    else
        fault="$(xs_fault_names | xs_first 1)"
    fi
fi

# 1. every script: --help exits 0, a bad argument exits 2
cli_ok=1
for s in setup fuzz cmin tmin replay bench coverage test-afl test-lint test-install test; do
    "$XS_ROOT/scripts/$s.sh" --help >/dev/null 2>&1 || { cli_ok=0; echo "    $s.sh --help failed"; }
    rc=0
    "$XS_ROOT/scripts/$s.sh" --no-such-option >/dev/null 2>&1 || rc=$?
    [[ $rc -eq 2 ]] || { cli_ok=0; echo "    $s.sh --no-such-option exited $rc, not 2"; }
done
if [[ $cli_ok -eq 1 ]]; then
    pass "scripts answer --help and reject bad arguments"
else
    fail "script command lines" "see above"
fi

# 2. a planted fault is found within 90 s on one core
crash_out="$work/crash-campaign"
if "$XS_ROOT/scripts/fuzz.sh" --jobs 1 --time 90s --fault "$fault" --out "$crash_out" --status 30 \
        >"$work/fuzz-fault.log" 2>&1; then
    first_crash="$(xs_crash_files "$crash_out" | xs_first 1)"
    if [[ -n "$first_crash" ]]; then
        pass "fuzz.sh --jobs 1 --time 90s --fault $fault finds a crash ($(xs_crash_files "$crash_out" | xs_count) saved)"
    else
        fail "fuzz.sh --fault $fault" "no crash in 90 s" "$work/fuzz-fault.log"
    fi
else
    fail "fuzz.sh --fault $fault" "exit $?" "$work/fuzz-fault.log"
    first_crash=""
fi

# 2b. the seed check is one process; the first status line comes within seconds of the start
if grep -q 'xsfuzz seeds, one process' "$work/fuzz-fault.log" \
        && grep -qE '^\[ +[0-9]s\] workers' "$work/fuzz-fault.log"; then
    pass "fuzz.sh checks the seeds in one process and prints its first status line within 10 s"
else
    fail "fuzz.sh seed check / first status line" "no 'xsfuzz seeds' step or no status line in the first 10 s" "$work/fuzz-fault.log"
fi

# 2c. afl-plot's graphs of that campaign: the page and its four PNGs, each more than an empty frame.
plots="$crash_out/plots/main"
small=0
for png in edges high_freq low_freq exec_speed; do
    [[ -f "$plots/$png.png" && $(stat -c %s "$plots/$png.png") -gt 4000 ]] || small=1
done
if grep -q "graphs for main: $plots/index.html" "$work/fuzz-fault.log" && grep -q 'edges.png' "$plots/index.html" \
        && [[ $small -eq 0 ]]; then
    pass "fuzz.sh writes afl-plot's graphs (index.html and 4 PNGs over 4 kB) and says where"
else
    fail "afl-plot graphs" "missing, small, or not named in the summary" "$work/fuzz-fault.log"
fi

# 3. the user path: fuzz.sh's summary is triage's table; one group per signature, shrunk; the
#    minimal input fails the same way without --fault (the campaign folder gives it)
if [[ -n "$first_crash" ]]; then
    triage="$crash_out/triage"
    groups=()
    mapfile -t groups < <(find "$triage" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*-*' 2>/dev/null | LC_ALL=C sort -V)
    table_sig="$(sed -n 's/^ *1  *[0-9][0-9]*  .*  [0-9][0-9]* bytes\*\{0,1\}  *//p' "$work/fuzz-fault.log" | xs_first 1)"
    if [[ ${#groups[@]} -eq 0 || -z "$table_sig" ]]; then
        fail "fuzz.sh's summary triages the crashes" "no triage table in the log, or no group in $triage" "$work/fuzz-fault.log"
    elif [[ $one_group -eq 1 && ${#groups[@]} -ne 1 ]]; then
        fail "triage of --fault $fault" "${#groups[@]} groups, not 1: $(printf '%s ' "${groups[@]##*/}")" "$work/fuzz-fault.log"
    else
        pass "fuzz.sh's summary triages $(xs_crash_files "$crash_out" | xs_count) crash file(s) into ${#groups[@]} group(s): $table_sig"
    fi
    report="${groups[0]:-/nonexistent}/report.txt"
    # The representative is the group's smallest file; AFL's havoc sometimes finds the minimal input
    # itself (a WATCH and a LIVE-UPDATE, 5 bytes), and the report then says so instead of shrinking.
    steps="$(sed -n 's/^step [0-9]* of \([0-9]*\):.*/\1/p' "$report" 2>/dev/null | xs_first 1)"
    if [[ -f "$report" ]] && grep -q '^=== shrunk:' "$report" \
            && [[ "$(grep -n '^=== shrunk:' "$report" | cut -d: -f1)" -lt "$(grep -n '^=== original' "$report" | cut -d: -f1)" ]]; then
        pass "group 1's report shows the shrunk scenario first ($(sed -n 's/^=== shrunk: \([^,]*\),.*/\1/p' "$report"))"
    elif [[ -f "$report" ]] && grep -q '^=== not shrunk: the shrinker found nothing smaller' "$report" \
            && [[ -n "$steps" && "$steps" -le 3 ]]; then
        pass "group 1's representative was already minimal ($steps commands), and its report says so"
    else
        fail "group 1's shrunk report" "no '=== shrunk:' section before '=== original' in $report" "$report"
    fi
    minimal="${groups[0]:-/nonexistent}/minimal.bin"
    rc=0
    "$XS_XSFUZZ" replay "$minimal" >"$work/replay-minimal.log" 2>&1 || rc=$?
    sig="$(sed -n 's/^signature: //p' "$work/replay-minimal.log" | xs_first 1)"
    if [[ $rc -eq 1 && -n "$sig" && "$sig" == "$table_sig" ]]; then
        pass "the minimal input ($(stat -c %s "$minimal") bytes) replayed without --fault fails with the same signature"
    else
        fail "replay of the minimal input without --fault" "exit $rc, signature '$sig', table says '$table_sig'" "$work/replay-minimal.log"
    fi
    rc=0
    mapfile -t crash_files < <(xs_crash_files "$crash_out")
    "$XS_XSFUZZ" replay --no-shrink "${crash_files[@]}" >"$work/replay-all.log" 2>&1 || rc=$?
    if [[ $rc -eq 1 ]] && ! grep -q '^verdict: agree' "$work/replay-all.log" \
            && [[ "$(grep -c '^verdict: ' "$work/replay-all.log")" -eq ${#crash_files[@]} ]]; then
        pass "xsfuzz replay of the campaign's ${#crash_files[@]} crash file(s) never says agree"
    else
        fail "replay of the campaign's crashes" "exit $rc, or a 'verdict: agree'" "$work/replay-all.log"
    fi

    # 3b. 200 distinct crash files: the campaign's, then each with one byte appended (the decoder
    #     reads it as more scenario, so each is replayed for real), under the campaign's marker.
    many="$work/many-crashes"
    mkdir -p "$many/main/crashes"
    cp -- "$crash_out/$XS_MARKER" "$many/"
    n=0 suffix=0
    while [[ $n -lt 200 ]]; do
        for f in "${crash_files[@]}"; do
            [[ $n -lt 200 ]] || break
            dest="$many/main/crashes/id:$(printf '%06d' "$n"),sig:06,src:000000,time:$n,op:havoc,rep:1"
            cp -- "$f" "$dest"
            # shellcheck disable=SC2059  # the format is the octal escape of one byte, built on purpose
            [[ $suffix -eq 0 ]] || printf "\\$(printf '%03o' $((suffix % 256)))" >>"$dest"
            n=$((n + 1))
        done
        suffix=$((suffix + 1))
    done
    # CPU seconds, not wall-clock: triage replays on one thread, so on an idle machine
    # they are the same, and the machine this runs on is often shared (the wall time is shown).
    TIMEFORMAT='%R %U %S'
    { time "$XS_XSFUZZ" triage "$many" >"$work/triage-many.log" 2>&1; } 2>"$work/triage-many.time" || true
    unset TIMEFORMAT
    read -r wall user sys <"$work/triage-many.time"
    cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
    distinct="$(sed -n 's/.*, \([0-9]*\) distinct,.*/\1/p' "$work/triage-many.log")"
    if awk -v c="$cpu" 'BEGIN { exit !(c < 10) }' && [[ -n "$distinct" && -f "$many/triage/index.html" ]]; then
        pass "xsfuzz triage of 200 crash files ($distinct distinct), shrinking included: $cpu s CPU ($wall s wall, load $(cut -d' ' -f1 /proc/loadavg))"
    else
        fail "triage of 200 crash files" "$cpu s CPU (limit 10), $wall s wall, distinct '${distinct:-?}'" "$work/triage-many.log"
    fi

    # 3c. the page in a real browser
    page_check "$triage/index.html" "$XS_BUILD/test-afl-triage-page.png"   # kept for a look
    # 4. afl-tmin + xsfuzz shrink keep the disagreement
    if "$XS_ROOT/scripts/tmin.sh" "$first_crash" "$work/shrunk" >"$work/tmin.log" 2>&1 \
            && [[ "$(stat -c %s "$work/shrunk")" -le "$(stat -c %s "$first_crash")" ]]; then
        pass "tmin.sh shrinks the crash ($(stat -c %s "$first_crash") -> $(stat -c %s "$work/shrunk") bytes) and it still disagrees"
    else
        fail "tmin.sh on the crash" "failed or grew" "$work/tmin.log"
    fi
else
    fail "the triage user path" "no crash to triage"
    fail "tmin.sh on the crash" "no crash to shrink"
fi

# 5. an existing campaign is never overwritten without --resume
rc=0
"$XS_ROOT/scripts/fuzz.sh" --jobs 1 --time 5s --out "$crash_out" >"$work/refuse.log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]] && grep -q -- '--resume' "$work/refuse.log"; then
    pass "fuzz.sh refuses an existing --out without --resume"
else
    fail "fuzz.sh on an existing --out" "exit $rc without pointing to --resume" "$work/refuse.log"
fi
mkdir -p "$work/a-corpus"
cp -- "$(xs_list_inputs "$XS_CORPUS" | xs_first 1)" "$work/a-corpus/"
rc=0
"$XS_ROOT/scripts/fuzz.sh" --jobs 1 --time 5s --resume --out "$work/a-corpus" >"$work/refuse-corpus.log" 2>&1 || rc=$?
rc2=0
"$XS_ROOT/scripts/fuzz.sh" --jobs 1 --time 5s --out "$work/a-corpus" >>"$work/refuse-corpus.log" 2>&1 || rc2=$?
rc3=0
"$XS_ROOT/scripts/fuzz.sh" --jobs 1 --time 5s --resume --out "$work/no-such-campaign" >>"$work/refuse-corpus.log" 2>&1 || rc3=$?
if [[ $rc -ne 0 && $rc2 -ne 0 && $rc3 -ne 0 ]] && grep -q 'is not a fuzz.sh campaign' "$work/refuse-corpus.log" \
        && grep -q 'to seed from it, use --in' "$work/refuse-corpus.log" && grep -q 'does not exist' "$work/refuse-corpus.log" \
        && [[ "$(find "$work/a-corpus" -mindepth 1 | xs_count)" -eq 1 && ! -e "$work/no-such-campaign" ]]; then
    pass "fuzz.sh refuses a corpus folder as --out (with or without --resume) and --resume of a missing folder"
else
    fail "fuzz.sh on a corpus folder / a missing campaign" "exit $rc/$rc2/$rc3, wrong message, or a folder was written" "$work/refuse-corpus.log"
fi

# 5b. the campaign records its --config (replay, shrink, print, triage decode its inputs with it); a
# --resume with another one and an unknown one are refused before anything is written
rc=0
"$XS_ROOT/scripts/fuzz.sh" --jobs 1 --time 5s --resume --out "$crash_out" --config perms-off >"$work/config.log" 2>&1 || rc=$?
rc2=0
"$XS_ROOT/scripts/fuzz.sh" --jobs 1 --time 5s --out "$work/bad-config" --config no-such-config >>"$work/config.log" 2>&1 || rc2=$?
if grep -qx 'config=' "$crash_out/$XS_MARKER" && [[ $rc -ne 0 && $rc2 -eq 2 && ! -e "$work/bad-config" ]] \
        && grep -q "ran with --config ''" "$work/config.log" && grep -q "no-such-config' is neither" "$work/config.log"; then
    pass "fuzz.sh records --config in the campaign and refuses a --resume with another one or an unknown one"
else
    fail "fuzz.sh --config" "marker without config=, or exit $rc/$rc2, or a folder was written" "$work/config.log"
fi

# 6. no fault: no crash in 60 s, stability 100 %
clean_out="$work/clean-campaign"
if "$XS_ROOT/scripts/fuzz.sh" --jobs 1 --time 60s --out "$clean_out" --status 30 >"$work/fuzz-clean.log" 2>&1; then
    n="$(xs_crash_files "$clean_out" | xs_count)"
    stab="$(xs_stat "$clean_out/main/fuzzer_stats" stability)"
    execs="$(xs_stat "$clean_out/main/fuzzer_stats" execs_done)"
    if [[ $n -eq 0 ]]; then
        pass "fuzz.sh --jobs 1 --time 60s without a fault finds no crash ($execs execs)"
    else
        fail "fuzz.sh without a fault" "$n crash(es), e.g. $(xs_crash_files "$clean_out" | xs_first 1)" "$work/fuzz-clean.log"
    fi
    if [[ "$stab" == "100.00%" ]]; then
        pass "AFL stability is 100.00%"
    else
        fail "AFL stability" "${stab:-unknown}, not 100.00%" "$work/fuzz-clean.log"
    fi
else
    fail "fuzz.sh without a fault" "exit $?" "$work/fuzz-clean.log"
fi

# 7. cmin over the queue: non-empty, no larger
if [[ -d "$clean_out/main/queue" ]]; then
    if "$XS_ROOT/scripts/cmin.sh" "$clean_out" "$work/cmin" >"$work/cmin.log" 2>&1; then
        before="$(xs_list_inputs "$clean_out/main/queue" | xs_count)"
        after="$(xs_list_inputs "$work/cmin" | xs_count)"
        if [[ $after -gt 0 && $after -le $before ]]; then
            pass "cmin.sh keeps $after of $before queue inputs"
        else
            fail "cmin.sh" "kept $after of $before" "$work/cmin.log"
        fi
    else
        fail "cmin.sh" "exit $?" "$work/cmin.log"
    fi
else
    fail "cmin.sh" "no queue to minimise"
fi

# 7b. coverage of the model over that queue, as HTML
if [[ -d "$clean_out/main/queue" ]]; then
    if "$XS_ROOT/scripts/coverage.sh" "$clean_out" "$work/coverage" >"$work/coverage.log" 2>&1; then
        lines="$(sed -n 's/^Line coverage: \([0-9]*\).*/\1/p' "$work/coverage.log")"
        branches="$(sed -n 's/^Branch coverage: \([0-9]*\).*/\1/p' "$work/coverage.log")"
        if [[ -s "$work/coverage/index.html" && $(stat -c %s "$work/coverage/index.html") -gt 10000 \
                && ${lines:-0} -ge 50 && ${branches:-0} -ge 40 ]] && grep -q 'XsFuzz.Xenstore' "$work/coverage/index.html"; then
            pass "coverage.sh over the queue: HTML report, ${lines}% of the model's lines, ${branches}% of its branches"
        else
            fail "coverage.sh" "report missing or trivial (lines ${lines:-?}%, branches ${branches:-?}%)" "$work/coverage.log"
        fi
    else
        fail "coverage.sh" "exit $?" "$work/coverage.log"
    fi
else
    fail "coverage.sh" "no queue to measure"
fi

# 8. afl-showmap sees instrumentation
sample="$(xs_list_inputs "$work/cmin" 2>/dev/null | xs_first 1 || true)"
[[ -n "$sample" ]] || sample="$(xs_list_inputs "$XS_CORPUS" 2>/dev/null | xs_first 1 || true)"
if [[ -z "$sample" ]]; then
    "$XS_XSFUZZ" corpus --out "$work/seeds" >/dev/null 2>&1 || true
    sample="$(xs_list_inputs "$work/seeds" 2>/dev/null | xs_first 1 || true)"
fi
if [[ -n "$sample" ]]; then
    # afl-showmap runs SharpFuzz targets only in its -i (fork server) mode.
    mkdir -p "$work/showmap-in"
    cp -- "$sample" "$work/showmap-in/sample"
    (
        xs_afl_env
        target=()
        xs_target_cmd target ""
        afl-showmap -t "$XS_DEFAULT_TIMEOUT_MS" -m none -i "$work/showmap-in" -o "$work/showmap-out" -- "${target[@]}"
    ) >"$work/showmap.log" 2>&1 || true
    tuples=0
    [[ ! -f "$work/showmap-out/sample" ]] || tuples="$(xs_count <"$work/showmap-out/sample")"
    if [[ $tuples -gt 0 ]]; then
        pass "afl-showmap on a corpus file shows $tuples tuples"
    else
        fail "afl-showmap" "no tuple for $sample" "$work/showmap.log"
    fi
else
    fail "afl-showmap" "no corpus file to map"
fi

finish
