#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=setup.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/setup.sh [--force] [--deps-only] [--quiet]

Gets everything the AFL++ scripts need, and is quick when nothing changed:
  1. installs the Debian packages the project uses when their commands are missing (apt-get, as
     root or through sudo): afl++, gnuplot-nox (afl-plot), build-essential (gcc and objdump for
     `xsfuzz real`'s sandbox), xenstore-utils (Debian's clients for `xsfuzz serve`);
  2. restores the local dotnet tools (.config/dotnet-tools.json: the sharpfuzz instrumenter);
  3. publishes fuzz/XsFuzz.Cli into build/plain (the plain build: replay, shrink, corpus);
  4. copies it to build/afl and instruments XsFuzz.Xenstore.dll and XsFuzz.Harness.dll there
     with `dotnet sharpfuzz` (never System.*, SharpFuzz or the xsfuzz entry assembly);
     fails if an assembly is missing or nothing in it got instrumented.
Steps 2-4 are skipped when the sources, the tool manifest and these scripts hash the same as
at the last successful run (build/.setup-stamp).

  --force       rebuild even when up to date
  --deps-only   only step 1 (the Dockerfile runs this in its own cached layer)
  --quiet       print nothing when up to date
  -h, --help    this text
EOF
}

force=0 deps_only=0 quiet=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) force=1 ;;
        --deps-only) deps_only=1 ;;
        --quiet) quiet=1 ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done

cd "$XS_ROOT"

# The only assemblies that get instrumented: the model and the harness.
INSTRUMENT=(XsFuzz.Xenstore.dll XsFuzz.Harness.dll)
AFL_TOOLS=(afl-fuzz afl-showmap afl-cmin afl-tmin afl-whatsup afl-plot)

say() { xs_log "$@"; }

# Every Debian package the project's commands use: afl++ for the campaigns, gnuplot for afl-plot's
# graphs in fuzz.sh's summary, gcc and objdump for the stubs of `xsfuzz real`'s sandbox
# (scripts/real-sandbox.sh), Debian's xenstore clients to talk to `xsfuzz serve`.
install_deps() {
    local afl_tools
    afl_tools="$(printf '%s,' "${AFL_TOOLS[@]}")"
    xs_install_packages "afl++=${afl_tools%,}" gnuplot-nox=gnuplot build-essential=gcc,objdump \
        xenstore-utils=xenstore-write,xenstore-read,xenstore-ls,xenstore-list,xenstore-rm,xenstore-exists,xenstore-chmod,xenstore-watch
}

# Hash of everything the two builds depend on.
inputs_hash() {
    {
        dotnet --version
        find src fuzz -type d \( -name bin -o -name obj \) -prune -o -type f -print0 \
            | LC_ALL=C sort -z | xargs -0 -r sha256sum
        local f
        for f in Directory.Build.props Directory.Build.targets Directory.Packages.props global.json \
                 nuget.config NuGet.Config .config/dotnet-tools.json scripts/setup.sh scripts/lib/common.sh; do
            [[ ! -f "$f" ]] || sha256sum "$f"
        done
    } | sha256sum | cut -d' ' -f1
}

instrument() {  # DIR
    local dir="$1" dll out n total=0
    for dll in "${INSTRUMENT[@]}"; do
        case "$dll" in
            System.*|SharpFuzz*|xsfuzz.dll) xs_die "refusing to instrument $dll" ;;
        esac
        [[ -f "$dir/$dll" ]] || xs_die "$dll is not in the published output ($dir): nothing to instrument"
        if ! out="$(SHARPFUZZ_PRINT_INSTRUMENTED_TYPES=1 dotnet sharpfuzz "$dir/$dll" 2>&1)"; then
            xs_die "dotnet sharpfuzz failed on $dll: $out"
        fi
        n="$(printf '%s\n' "$out" | xs_count)"
        [[ "$n" -gt 0 ]] || xs_die "dotnet sharpfuzz instrumented no type in $dll"
        grep -qa 'SharpFuzz.Common' "$dir/$dll" \
            || xs_die "$dll does not reference SharpFuzz.Common after instrumentation"
        say "instrumented $n types in $dll"
        total=$((total + n))
    done
    [[ -f "$dir/SharpFuzz.Common.dll" ]] || xs_die "SharpFuzz.Common.dll missing from $dir"
    [[ $total -gt 0 ]] || xs_die "nothing was instrumented"
}

install_deps
[[ $deps_only -eq 0 ]] || exit 0

command -v dotnet >/dev/null 2>&1 || xs_die "dotnet (the .NET 10 SDK) is not on PATH"

mkdir -p "$XS_BUILD"
exec 9>"$XS_BUILD/.setup.lock"
flock 9

stamp="$XS_BUILD/.setup-stamp"
hash="$(inputs_hash)"
if [[ $force -eq 0 && -x "$XS_XSFUZZ" && -x "$XS_XSFUZZ_AFL" && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
    [[ $quiet -eq 1 ]] || say "up to date: $XS_PLAIN (plain), $XS_AFL (instrumented)"
    exit 0
fi
rm -f "$stamp"

say "restoring dotnet tools"
dotnet tool restore >/dev/null || xs_die "dotnet tool restore failed"

say "publishing fuzz/XsFuzz.Cli into build/plain"
new_plain="$XS_BUILD/.plain.new" new_afl="$XS_BUILD/.afl.new"
rm -rf "$new_plain" "$new_afl"
publish_log="$XS_BUILD/.publish.log"
if ! dotnet publish fuzz/XsFuzz.Cli/XsFuzz.Cli.csproj -c Release -o "$new_plain" \
        --artifacts-path "$XS_BUILD/.artifacts" -nologo >"$publish_log" 2>&1; then
    grep -E 'error|Error' "$publish_log" | sort -u | xs_first 40 >&2 || true
    xs_die "dotnet publish failed (full log: $publish_log)"
fi
[[ -x "$new_plain/xsfuzz" ]] || xs_die "publish produced no $new_plain/xsfuzz"

say "instrumenting a copy into build/afl"
cp -a "$new_plain" "$new_afl"
instrument "$new_afl"

rm -rf "$XS_PLAIN" "$XS_AFL"
mv "$new_plain" "$XS_PLAIN"
mv "$new_afl" "$XS_AFL"
echo "$hash" >"$stamp"
say "ready: $XS_XSFUZZ (plain), $XS_XSFUZZ_AFL (instrumented)"
