#!/usr/bin/env bash
# The project's one test command (README, .ci/run): builds everything and runs every test suite on a
# fresh Debian 12 machine with the .NET 10 SDK, installing what the suites need on the way.
set -euo pipefail

usage() {
  cat <<'TXT'
usage: scripts/test.sh [--quick]

Builds the solution and runs every test: the xunit suites (model, live update, serve, harness, CLI,
real-daemon plumbing), then the end-to-end checks: scripts/test-afl.sh (installs afl++ with apt-get if
missing, builds and instruments the target, short campaigns) and scripts/test-real.sh (downloads
Debian's oxenstored and C xenstored into a sandbox, runs them, short `xsfuzz real` campaigns).
Ends with one line "tests: N passed, N failed".

  --quick   xunit suites only (skip the end-to-end checks)
TXT
}

quick=0
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=1 ;;
    *) echo "test.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK (dotnet) is not installed" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Debian's own xenstore clients (xenstore-write, -read, -ls, ...) talk to `xsfuzz serve` in the tests.
if ! command -v xenstore-write >/dev/null; then
  echo "== installing xenstore-utils (apt-get)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xenstore-utils >/dev/null
fi

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

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

# An end-to-end script prints one "PASS ..." or "FAIL ..." line per check and exits non-zero on failure.
run_checks() {
  local title=$1 script=$2 status=0
  echo "== $title"
  "$script" 2>&1 | tee "$log" || status=$?
  passed=$((passed + $(grep -c '^PASS' "$log" || true)))
  failed=$((failed + $(grep -c '^FAIL' "$log" || true)))
  if [ "$status" -ne 0 ] && ! grep -q '^FAIL' "$log"; then failed=$((failed + 1)); fi
}

if [ "$quick" -eq 0 ]; then
  run_checks "AFL end to end" scripts/test-afl.sh
  run_checks "real daemons (oxenstored, C xenstored)" scripts/test-real.sh
  run_checks "serve under load and abuse" scripts/test-serve.sh
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
