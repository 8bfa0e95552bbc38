#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=test-libfuzzer.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/test-libfuzzer.sh [--keep DIR]

End-to-end checks of the libFuzzer engine (scripts/fuzz-libfuzzer.sh, scripts/libfuzzer/driver.c,
'xsfuzz libfuzzer'): the target refuses to run without the driver; a one-process campaign with a
planted fault finds a crash that 'xsfuzz replay' confirms; a -fork campaign with a dictionary
runs to its time limit and grows the corpus; -merge=1 minimises a corpus. One PASS or FAIL line
per check; exits 1 if any failed.

  --keep DIR  run in DIR (must not exist) and keep it
  -h, --help  this text
EOF
}

xs_work_dir_from_args xsfuzz-lf-test "$@"
tmp="$XS_WORK"
xs_ensure_build
"$XS_ROOT/scripts/libfuzzer/build-driver.sh" --quiet
export XS_BUILD_CHECKED=1
LF="$XS_ROOT/scripts/fuzz-libfuzzer.sh"

failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# 1. Outside the driver the target says so in one line.
rc=0
err="$("$XS_XSFUZZ_AFL" libfuzzer 2>&1 >/dev/null)" || rc=$?
if [[ $rc -eq 2 && $(wc -l <<<"$err") -eq 1 && "$err" == *"only runs under the libFuzzer driver"* ]]; then
    pass "'xsfuzz libfuzzer' without the driver: exit 2, one line"
else
    fail "'xsfuzz libfuzzer' without the driver: exit $rc, said: $err"
fi

# 2. A planted fault is found and the crash replays as a disagreement.
fault=watch-order-reversed
rc=0
"$LF" --until-crash --time 180s --fault "$fault" --status 0 --out "$tmp/crash" >"$tmp/crash.txt" 2>&1 || rc=$?
crash="$(find "$tmp/crash/crashes" -name 'crash-*' -type f 2>/dev/null | xs_first 1)"
if [[ $rc -eq 0 && -n "$crash" ]]; then
    pass "--until-crash --fault $fault: $(sed -n 's/^first crash /first crash /p' "$tmp/crash.txt")"
    rc=0
    "$XS_XSFUZZ" replay "$crash" --fault "$fault" >"$tmp/replay.txt" 2>&1 || rc=$?
    if [[ $rc -eq 1 ]] && grep -q '^verdict: DISAGREE' "$tmp/replay.txt"; then
        pass "the crash replays as a disagreement with 'xsfuzz replay --fault $fault'"
    else
        fail "the crash does not replay as a disagreement (exit $rc)"
    fi
    if grep -q "replay $crash --fault $fault" "$tmp/crash/replay-commands.txt" 2>/dev/null; then
        pass "the summary lists the crash's replay command"
    else
        fail "no replay command for $crash"
    fi
else
    tail -n 8 "$tmp/crash.txt" | sed 's/^/  | /'
    fail "--until-crash --fault $fault: exit $rc, no crash in 180 s"
fi

# 3. -fork with a dictionary runs to its limit and adds to the corpus.
printf '# xenstore words\n"/local/domain/"\n"@releaseDomain"\n' >"$tmp/xs.dict"
rc=0
"$LF" --jobs 2 --time 40s --dict "$tmp/xs.dict" --status 0 --out "$tmp/fork" >"$tmp/fork.txt" 2>&1 || rc=$?
n="$(xs_list_inputs "$tmp/fork/corpus" 2>/dev/null | xs_count)"
if [[ $rc -eq 0 && $n -gt 0 ]] && grep -q -- '-fork=2: fuzzing in separate process' "$tmp/fork/.logs/libfuzzer.log" \
        && grep -q '^Dictionary: 2 entries' "$tmp/fork/.logs/libfuzzer.log"; then
    pass "--jobs 2 --dict: libFuzzer -fork=2 with the 2-entry dictionary, $n corpus entries"
else
    tail -n 8 "$tmp/fork.txt" | sed 's/^/  | /'
    fail "--jobs 2 --dict: exit $rc, $n corpus entries"
fi

# 4. -merge=1 keeps what brings new features: corpus/ given twice (a copy under other names)
# must come out no larger than corpus/ once.
mkdir -p "$tmp/merged" "$tmp/copy"
xs_list_inputs "$XS_CORPUS" | while IFS= read -r f; do cp -- "$f" "$tmp/copy/copy-$(basename "$f")"; done
rc=0
"$LF" --merge "$tmp/merged" "$XS_CORPUS" "$tmp/copy" >"$tmp/merge.txt" 2>&1 || rc=$?
m="$(xs_list_inputs "$tmp/merged" | xs_count)" total="$(xs_list_inputs "$XS_CORPUS" | xs_count)"
if [[ $rc -eq 0 && $m -gt 0 && $m -le $total ]]; then
    pass "--merge: corpus/ and a copy of it, $((2 * total)) inputs -> $m"
else
    tail -n 8 "$tmp/merge.txt" | sed 's/^/  | /'
    fail "--merge: exit $rc, $m of $total inputs kept"
fi

[[ $failures -eq 0 ]] || exit 1
