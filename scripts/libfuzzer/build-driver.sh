#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=build-driver.sh
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/libfuzzer/build-driver.sh [--force] [--quiet] [--deps-only]

Builds the libFuzzer driver (scripts/libfuzzer/driver.c) into build/libfuzzer/xsfuzz-libfuzzer
with Debian's clang-14 and -fsanitize=fuzzer, installing clang-14 and libclang-rt-14-dev (which
holds libFuzzer's runtime) with apt-get when they are missing. Quick when driver.c is unchanged.

  --force     rebuild even when up to date
  --quiet     print nothing when up to date
  --deps-only only install the toolchain (.clusterfuzzlite/build.sh outside a container needs it)
  -h, --help  this text
EOF
}

force=0 quiet=0 deps_only=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) force=1 ;;
        --quiet) quiet=1 ;;
        --deps-only) deps_only=1 ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done

CLANG=clang-14
SOURCE="$XS_ROOT/scripts/libfuzzer/driver.c"
DRIVER="$XS_BUILD/libfuzzer/xsfuzz-libfuzzer"

fuzzer_runtime() { "$CLANG" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null; }

install_toolchain() {
    if command -v "$CLANG" >/dev/null 2>&1 && [[ -f "$(fuzzer_runtime)" ]]; then
        return 0
    fi
    xs_log "installing clang-14 and libclang-rt-14-dev (libFuzzer's runtime) with apt-get"
    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || xs_die "clang-14/libclang-rt-14-dev are missing and this is not root: run 'apt-get install clang-14 libclang-rt-14-dev' as root"
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
    [[ -f "$(fuzzer_runtime)" ]] || xs_die "apt-get installed libclang-rt-14-dev but $CLANG finds no libclang_rt.fuzzer-x86_64.a"
}

install_toolchain
[[ $deps_only -eq 0 ]] || exit 0
stamp="$DRIVER.stamp"
hash="$( { sha256sum "$SOURCE" "${BASH_SOURCE[0]}"; "$CLANG" --version | head -n 1; } | sha256sum | cut -d' ' -f1)"
if [[ $force -eq 0 && -x "$DRIVER" && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
    [[ $quiet -eq 1 ]] || xs_log "up to date: $DRIVER"
    exit 0
fi
mkdir -p "$(dirname "$DRIVER")"
# -fsanitize=fuzzer links libFuzzer's main and instruments the driver itself (a handful of edges
# that are the same for every input); the target's coverage comes through the extra counters.
"$CLANG" -O2 -g -Wall -Wextra -Werror -fsanitize=fuzzer "$SOURCE" -o "$DRIVER.new" \
    || xs_die "$CLANG failed to build $SOURCE"
mv "$DRIVER.new" "$DRIVER"
echo "$hash" >"$stamp"
[[ $quiet -eq 1 ]] || xs_log "built $DRIVER"
