# PASS/FAIL bookkeeping of the end-to-end check scripts that keep their work dir when a check fails
# (test-afl.sh, test-real-afl.sh). Sourced after common.sh, once the caller has set `work` (its work
# dir) and `keep` (1: keep the work dir even when every check passed).
# shellcheck shell=bash
# shellcheck disable=SC2154  # work and keep belong to the caller

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
info() { echo "INFO $1"; }
fail() {  # NAME WHY [LOG]: the log's last lines, without terminal colours, under the FAIL line
    echo "FAIL $1: $2"
    failed=$((failed + 1))
    if [[ -n "${3:-}" && -f "$3" ]]; then
        sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' "$3" | tail -n 15 | sed 's/^/    | /'
    fi
}
finish() {  # the summary line; the script's exit status is finish's
    echo "$passed passed, $failed failed"
    if [[ $failed -eq 0 && $keep -eq 0 ]]; then
        rm -rf "$work"
    else
        echo "work dir kept: $work"
    fi
    [[ $failed -eq 0 ]]
}
