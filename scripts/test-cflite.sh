#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=test-cflite.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/test-cflite.sh [--keep DIR]

Checks the ClusterFuzzLite build without a container: runs .clusterfuzzlite/build.sh from the
repository root with SRC, OUT and WORK set to a temporary dir (Debian's clang-14 as the compiler,
installed by scripts/libfuzzer/build-driver.sh --deps-only), then checks what it produced and runs
the fuzz target: a short fuzzing run from one seed, and a seed that a planted fault turns into a
crash (which libFuzzer must save and which must replay as a disagreement). One PASS or FAIL line
per check; exits 1 if any failed.

  --keep DIR  build into DIR (must not exist) and keep it
  -h, --help  this text
EOF
}

xs_work_dir_from_args xsfuzz-cflite "$@"
tmp="$XS_WORK"

failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() {  # DESCRIPTION COMMAND...: PASS when the command succeeds
    local what="$1"
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

"$XS_ROOT/scripts/libfuzzer/build-driver.sh" --deps-only
out="$tmp/out" work="$tmp/work" fuzzer="$tmp/out/xsfuzz_model"
rc=0
(cd "$XS_ROOT" && SRC="$(dirname "$XS_ROOT")" OUT="$out" WORK="$work" bash .clusterfuzzlite/build.sh) \
    >"$tmp/build.log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]]; then
    tail -n 20 "$tmp/build.log" | sed 's/^/  | /'
    fail "build.sh outside a container (exit $rc, log $tmp/build.log)"
    exit 1
fi
pass "build.sh outside a container with SRC/OUT/WORK set"

# shellcheck disable=SC2016  # $1 is the inner shell's argument
check "fuzz target $fuzzer is an executable libFuzzer binary" \
    bash -c '[[ -x "$1" ]] && grep -qa LLVMFuzzerTestOneInput "$1"' _ "$fuzzer"
check "the target is self-contained (its own .NET runtime in xsfuzz-target/)" \
    test -x "$out/xsfuzz-target/xsfuzz" -a -f "$out/xsfuzz-target/libcoreclr.so"
# shellcheck disable=SC2016  # $1 is the inner shell's argument
check "the model and the harness are SharpFuzz-instrumented" \
    bash -c 'grep -qa SharpFuzz.Common "$1/XsFuzz.Xenstore.dll" && grep -qa SharpFuzz.Common "$1/XsFuzz.Harness.dll"' _ "$out/xsfuzz-target"
n_corpus="$(xs_list_inputs "$XS_CORPUS" | xs_count)"
n_zip="$(python3 -m zipfile -l "$out/xsfuzz_model_seed_corpus.zip" 2>/dev/null | tail -n +2 | xs_count)"
check "seed corpus zip holds the $n_corpus inputs of corpus/ (it has $n_zip)" test "$n_zip" -eq "$n_corpus"
check "options file sets libFuzzer flags" grep -q '^\[libfuzzer\]' "$out/xsfuzz_model.options"

# A short run from one seed, as ClusterFuzzLite runs the target (no flags of ours).
seed_dir="$tmp/seed" corpus_dir="$tmp/corpus"
mkdir -p "$seed_dir" "$corpus_dir" "$tmp/artifacts"
seed="$(xs_list_inputs "$XS_CORPUS" | xs_first 1)"
cp -- "$seed" "$seed_dir/"
rc=0
(cd "$tmp" && "$fuzzer" -runs=300 -max_total_time=120 -timeout=60 -artifact_prefix="$tmp/artifacts/" \
    "$corpus_dir" "$seed_dir") >"$tmp/run.log" 2>&1 || rc=$?
execs="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$tmp/run.log")"
new="$(xs_list_inputs "$corpus_dir" | xs_count)"
if [[ $rc -eq 0 && -n "$execs" && $new -gt 0 ]]; then
    pass "fuzzing from $(basename "$seed"): $execs runs, $new corpus entries, no crash"
else
    tail -n 10 "$tmp/run.log" | sed 's/^/  | /'
    fail "fuzzing from $(basename "$seed") (exit $rc, ${execs:-no} runs, $new corpus entries)"
fi

# A crash end to end: a seed that disagrees under a planted fault, run by the fuzz target with that
# fault, must stop libFuzzer, print the report and leave a crash file that replays.
fault=watch-order-reversed
mapfile -t first_seeds < <(xs_list_inputs "$XS_CORPUS" | xs_first 20)
verdicts="$("$out/xsfuzz-target/xsfuzz" replay "${first_seeds[@]}" --fault "$fault" 2>&1 || true)"
bad="$(awk '/^== / { sub(/^== /, ""); sub(/ \([0-9]+ bytes\)$/, ""); f = $0 } /^verdict: DISAGREE/ { print f; exit }' <<<"$verdicts")"
if [[ -z "$bad" ]]; then
    fail "no seed among the first 20 disagrees under --fault $fault: cannot check the crash path"
else
    # As a corpus dir, not a file argument: libFuzzer saves no artifact when it only runs files.
    mkdir -p "$tmp/bad"
    cp -- "$bad" "$tmp/bad/"
    rc=0
    (cd "$tmp" && "$fuzzer" -runs=10 -artifact_prefix="$tmp/artifacts/" --target-arg=libfuzzer --target-arg=--fault \
        "--target-arg=$fault" "$tmp/bad") >"$tmp/crash.log" 2>&1 || rc=$?
    crash="$(find "$tmp/artifacts" -name 'crash-*' -type f | xs_first 1)"
    check "a disagreement stops libFuzzer with a crash (exit $rc)" test "$rc" -ne 0 -a -n "$crash"
    check "the disagreement report reaches libFuzzer's output" grep -q 'LIVE UPDATE WAS VISIBLE' "$tmp/crash.log"
    if [[ -n "$crash" ]]; then
        rc=0
        "$out/xsfuzz-target/xsfuzz" replay "$crash" --fault "$fault" >/dev/null 2>&1 || rc=$?
        check "the crash file replays as a disagreement ('xsfuzz replay --fault $fault' exit $rc)" test "$rc" -eq 1
    fi
fi

[[ $failures -eq 0 ]] || exit 1
