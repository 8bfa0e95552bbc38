#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=test-lint.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'TXT'
usage: scripts/test-lint.sh

Runs shellcheck (Debian's package; scripts/test.sh installs it) over every shell script of the
project: each file under scripts/ that starts with a shell '#!' line or ends in .sh, and .ci/run.
Settings are in .shellcheckrc (sourced files are followed from the script's own folder).
Prints 'PASS shellcheck FILE' or 'FAIL shellcheck FILE: ...' with shellcheck's findings per file;
exits 1 if any file has a finding, 2 if shellcheck is missing.
TXT
}
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    '') ;;
    *) xs_usage_error "unknown argument '$1'" ;;
esac
command -v shellcheck >/dev/null 2>&1 \
    || { echo "FAIL shellcheck: not installed (scripts/test.sh installs it with apt-get)"; exit 2; }

cd "$XS_ROOT"
# Every shell script: by name or by its '#!' line (so a script without .sh is not missed).
scripts=()
while IFS= read -r f; do
    if [[ "$f" == *.sh ]] || head -n 1 "$f" | grep -qE '^#!.*\b(ba)?sh\b'; then scripts+=("$f"); fi
done < <(find scripts .ci -type f ! -name '*.c' | LC_ALL=C sort)
[[ ${#scripts[@]} -gt 0 ]] || { echo "FAIL shellcheck: no script found under scripts/"; exit 1; }

failed=0
for f in "${scripts[@]}"; do
    if findings="$(shellcheck --format=gcc "$f" 2>&1)"; then
        echo "PASS shellcheck $f"
    else
        echo "FAIL shellcheck $f: $(printf '%s\n' "$findings" | xs_count) finding(s)"
        printf '%s\n' "$findings" | sed 's/^/    | /'
        failed=$((failed + 1))
    fi
done
[[ $failed -eq 0 ]]
