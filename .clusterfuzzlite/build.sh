#!/bin/bash -eu
# ClusterFuzzLite build: one libFuzzer fuzz target, $OUT/xsfuzz_model, the model harness with no
# planted fault (what a merge request can break). It is the C driver scripts/libfuzzer/driver.c
# linked with $LIB_FUZZING_ENGINE and the sanitizer flags, and beside it $OUT/xsfuzz-target/, the
# harness published self-contained (the runner image has no .NET) with the model and the harness
# instrumented by SharpFuzz; the driver starts xsfuzz-target/xsfuzz from its own directory.
#
# Runs in the container of .clusterfuzzlite/Dockerfile (cwd $SRC/xsfuzz) and also outside any
# container, from the repository root with SRC, OUT and WORK set; there the compilers default to
# Debian's clang-14 (scripts/test-cflite.sh checks it that way):
#   SRC=$PWD/.. OUT=/tmp/out WORK=/tmp/work bash .clusterfuzzlite/build.sh

for v in SRC OUT WORK; do
    if [[ -z "${!v:-}" ]]; then
        echo "build.sh: \$$v is not set (ClusterFuzzLite sets SRC, OUT and WORK; set them to run it by hand)" >&2
        exit 2
    fi
done
repo="$PWD"
if [[ ! -f "$repo/XsFuzz.sln" ]]; then
    echo "build.sh: run it from the repository root (no XsFuzz.sln in $repo)" >&2
    exit 2
fi
: "${CC:=clang-14}" "${CXX:=clang++-14}"
: "${CFLAGS:=-O1 -g -fsanitize=fuzzer-no-link}" "${CXXFLAGS:=-O1 -g -fsanitize=fuzzer-no-link}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$OUT" "$WORK"

# 1. The harness, self-contained, built outside the source tree (coverage builds need it intact).
publish="$WORK/xsfuzz-publish"
rm -rf "$publish"
dotnet tool restore >/dev/null
dotnet publish fuzz/XsFuzz.Cli/XsFuzz.Cli.csproj -c Release -r linux-x64 --self-contained \
    -o "$publish" --artifacts-path "$WORK/dotnet-artifacts" -nologo -v quiet

# 2. SharpFuzz instrumentation of the model and the harness only, as scripts/setup.sh does.
for dll in XsFuzz.Xenstore.dll XsFuzz.Harness.dll; do
    dotnet sharpfuzz "$publish/$dll"
    if ! grep -qa SharpFuzz.Common "$publish/$dll"; then
        echo "build.sh: $dll was not instrumented" >&2
        exit 1
    fi
done
rm -rf "$OUT/xsfuzz-target"
cp -a "$publish" "$OUT/xsfuzz-target"

# 3. The fuzz target: the driver, compiled with ClusterFuzzLite's flags, linked with $CXX.
$CC $CFLAGS -c scripts/libfuzzer/driver.c -o "$WORK/driver.o"
$CXX $CXXFLAGS "$WORK/driver.o" -o "$OUT/xsfuzz_model" $LIB_FUZZING_ENGINE

# 4. Seeds and libFuzzer options. Inputs are small scenarios; one run takes milliseconds, but the
# first input of each process includes the .NET start-up. entropic = 0: with SharpFuzz's 64 KiB
# hit-count map, libFuzzer's entropic schedule cost more than the target itself (scripts/fuzz-libfuzzer.sh).
rm -f "$OUT/xsfuzz_model_seed_corpus.zip"
(cd corpus && python3 -m zipfile -c "$OUT/xsfuzz_model_seed_corpus.zip" $(ls))
cat >"$OUT/xsfuzz_model.options" <<'EOF'
[libfuzzer]
max_len = 4096
timeout = 25
entropic = 0
EOF
echo "build.sh: built $OUT/xsfuzz_model (target in $OUT/xsfuzz-target)"
