#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=coverage.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/coverage.sh [--fault NAME] IN OUT

Line and branch coverage of the model (src/XsFuzz.Xenstore) over the inputs of IN, as an HTML report
in OUT (OUT/index.html) and a summary on stdout: line and branch percentages and the classes no
input reached. IN is a corpus folder, one AFL worker's folder (its queue/) or a fuzz.sh output
folder (every worker's queue/). OUT must not exist, or be empty.
Every input runs through the live-update property as 'xsfuzz replay' runs it, in the coverage host
tests/XsFuzz.Coverage under coverlet's collector (coverlet.collector); the kept dotnet tool
ReportGenerator (.config/dotnet-tools.json) writes the report.

  --fault NAME  replay with this planted fault (default: the campaign's, when IN is inside a fuzz.sh
                output folder; else none)
  -h, --help    this text
EOF
}

xs_parse_target_options 0 "IN and OUT" "$@"
in="$(xs_abspath "${XS_OPERANDS[0]}")" out="$(xs_abspath "${XS_OPERANDS[1]}")"
[[ -d "$in" ]] || xs_usage_error "IN is not a directory: ${XS_OPERANDS[0]}"
xs_require_empty_out "$out"
fault="$XS_FAULT"
[[ $XS_FAULT_GIVEN -eq 1 ]] || fault="$(xs_campaign_get "$in" fault || true)"
command -v dotnet >/dev/null 2>&1 || xs_die "dotnet (the .NET 10 SDK) is not on PATH"

work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-coverage.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/inputs"
n="$(xs_gather_inputs "$in" "$work/inputs")"
[[ $n -gt 0 ]] || xs_die "no input file in $in"

cd "$XS_ROOT"
dotnet tool restore >/dev/null || xs_die "dotnet tool restore failed"
xs_log "replaying $n inputs from $in under coverlet (fault '${fault:-none}')"
# Its own artifacts folder: the host's build never mixes with the solution's or setup.sh's.
if ! XSFUZZ_COVERAGE_INPUTS="$work/inputs" XSFUZZ_COVERAGE_FAULT="$fault" \
        dotnet test tests/XsFuzz.Coverage/XsFuzz.Coverage.csproj -c Release -nologo \
        --artifacts-path "$XS_BUILD/.coverage-artifacts" --results-directory "$work/results" \
        --collect "XPlat Code Coverage" --logger "console;verbosity=normal" -- \
        'DataCollectionRunSettings.DataCollectors.DataCollector.Configuration.Format=cobertura' \
        'DataCollectionRunSettings.DataCollectors.DataCollector.Configuration.Include=[XsFuzz.Xenstore]*' \
        >"$work/test.log" 2>&1; then
    grep -E 'error|Failed|Assert' "$work/test.log" | xs_first 20 >&2 || true
    xs_die "the coverage run failed (dotnet test tests/XsFuzz.Coverage)"
fi
grep -o 'coverage inputs: .*' "$work/test.log" | xs_first 1 || true
report="$(find "$work/results" -name coverage.cobertura.xml | xs_first 1)"
[[ -n "$report" ]] || xs_die "coverlet wrote no coverage.cobertura.xml"

mkdir -p "$out"
dotnet reportgenerator "-reports:$report" "-targetdir:$out" "-reporttypes:Html;TextSummary" \
    "-title:XsFuzz model coverage over $in" >"$work/report.log" 2>&1 \
    || { tail -n 20 "$work/report.log" >&2; xs_die "reportgenerator failed"; }
[[ -s "$out/index.html" && -s "$out/Summary.txt" ]] || xs_die "reportgenerator wrote no index.html/Summary.txt in $out"

# The summary's totals, then the classes no input reached (0 % of their lines).
sed -n 's/^ *\(Line coverage\|Branch coverage\|Coverable lines\|Covered lines\|Classes\): */\1: /p' "$out/Summary.txt"
never="$(awk 'NF >= 2 && $NF == "0%" { print $1 }' "$out/Summary.txt" | paste -sd' ' -)"
echo "classes never reached: ${never:-none}"
echo "report: $out/index.html"
