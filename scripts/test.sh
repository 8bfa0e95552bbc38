#!/usr/bin/env bash
# The project's one test command (README, .ci/run): builds everything and runs every test suite on a
# fresh Debian 12 machine with the .NET 10 SDK, installing what the suites need on the way.
set -euo pipefail
XS_SCRIPT=test.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<'TXT'
usage: scripts/test.sh [--quick] [--deps-only]

Installs what the tests need with apt-get when it is missing (as root or through sudo: the project's
packages with `scripts/setup.sh --deps-only`, then shellcheck), builds the solution and runs every test: shellcheck over every script
(scripts/test-lint.sh), the scripts' install steps on a simulated fresh machine
(scripts/test-install.sh), the xunit suites (model, live update, serve, harness, CLI, real-daemon
plumbing), then the end-to-end checks: scripts/test-afl.sh (installs afl++ and gnuplot with apt-get if
missing, builds and instruments the target, short campaigns) and scripts/test-real.sh (downloads
Debian's oxenstored and C xenstored into a sandbox, runs them, short `xsfuzz real` campaigns),
scripts/test-libfuzzer.sh, scripts/test-cflite.sh and scripts/test-sync.sh (the other engines).
Ends with one line "tests: N passed, N failed".

  --quick       skip the end-to-end checks (test-afl.sh, test-real.sh)
  --deps-only   only install the packages the tests need, then stop
TXT
}

quick=0 deps_only=0
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=1 ;;
    --deps-only) deps_only=1 ;;
    *) echo "test.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

cd "$XS_ROOT"

# The project's packages (Debian's xenstore clients talk to `xsfuzz serve` in the tests, gcc builds the
# real daemons' stubs, ...), then what only the tests use: shellcheck lints the scripts.
scripts/setup.sh --deps-only
xs_install_packages shellcheck=shellcheck
if [ "$deps_only" -eq 1 ]; then
  echo "test.sh: the packages the tests need are installed"
  exit 0
fi
command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK (dotnet) is not installed" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A script prints one "PASS ..." or "FAIL ..." line per check and exits non-zero on failure.
run_checks() {
  local title=$1 script=$2 status=0
  echo "== $title"
  "$script" 2>&1 | tee "$log" || status=$?
  passed=$((passed + $(grep -c '^PASS' "$log" || true)))
  failed=$((failed + $(grep -c '^FAIL' "$log" || true)))
  if [ "$status" -ne 0 ] && ! grep -q '^FAIL' "$log"; then failed=$((failed + 1)); fi
}

run_checks "shellcheck" scripts/test-lint.sh
run_checks "install steps on a simulated fresh machine" scripts/test-install.sh

echo "== build"
dotnet build XsFuzz.sln -c Release -warnaserror -nologo -v quiet

echo "== xunit suites"
status=0
dotnet test XsFuzz.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?
# dotnet test prints one summary line per test assembly: "Passed!  - Failed: 0, Passed: 86, ..."
while read -r f p; do
  failed=$((failed + f)); passed=$((passed + p))
done < <(sed -n 's/.*Failed: *\([0-9]*\), Passed: *\([0-9]*\),.*/\1 \2/p' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

if [ "$quick" -eq 0 ]; then
  run_checks "AFL end to end" scripts/test-afl.sh
  run_checks "real daemons (oxenstored, C xenstored)" scripts/test-real.sh
  run_checks "libFuzzer engine" scripts/test-libfuzzer.sh
  run_checks "ClusterFuzzLite build.sh outside a container" scripts/test-cflite.sh
  run_checks "two machines of AFL++ on one host" scripts/test-sync.sh
  run_checks "serve under load and abuse" scripts/test-serve.sh
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
