#!/usr/bin/env bash
# Builds Debian's own xenstore daemons (oxenstored and the C xenstored of xen 4.17.5+72, Debian 12) from
# Debian's source package, twice: traced (AFL edge coverage) and plain, to run in the sandbox of
# scripts/real-sandbox.sh. The source is downloaded with apt-get source at set-up and never copied into
# the repository. Debian's binary of the same version is fetched beside them (dpkg -x, never installed)
# so that the plain build can be checked against it (scripts/test-real-build.sh).
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/real-build.sh [--cache DIR] [--coverage] [--force] [--quiet]

Sets up once, then is a no-op (a stamp records the inputs):
  1. adds a deb-src entry for bookworm in /etc/apt/sources.list.d/xsfuzz-deb-src.sources when apt has
     none (same URIs and suites as the machine's Debian entry) and runs apt-get update;
  2. installs what the build needs with apt-get (afl++, ocaml-nox, gcc, python3, perl, dpkg-dev);
  3. apt-get source --download-only xen=VERSION into CACHE/src and unpacks it (dpkg-source -x);
  4. builds both daemons into CACHE/built/traced (C: afl-clang-fast; OCaml: ocamlopt -afl-instrument)
     and CACHE/built/plain (gcc, ocamlopt), linked against the sandbox's stub libraries;
  5. apt-get download xen-utils-4.17=VERSION and dpkg -x it: CACHE/built/debian-4.17.5.
Run them with XSFUZZ_REAL_BUILD=traced|plain|debian-4.17.5 scripts/real-sandbox.sh exec|start ...

  --cache DIR   the sandbox's cache (default build/real, or $XSFUZZ_REAL_CACHE)
  --coverage    instead, build CACHE/built/coverage: both daemons with coverage of their source lines
                (C: clang's source-based coverage; OCaml: the probes of scripts/real/coverage), for
                scripts/real-coverage.sh; its own stamp (also installs ocaml-compiler-libs, llvm-14
                and libclang-rt-14-dev, clang's profile runtime)
  --force       rebuild even when the stamp says nothing changed
  --quiet       print nothing when already done
  -h, --help    this text
Needs root, or sudo, for apt-get.
EOF
}

VERSION=4.17.5+72-g01140da4e8-1          # Debian 12's xen; its xen-utils-4.17 is in bookworm main
UPSTREAM=4.17.5+72-g01140da4e8
DEBIAN_BUILD=debian-4.17.5
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OWN="$ROOT/scripts/real/build"
COV="$ROOT/scripts/real/coverage"
CACHE="${XSFUZZ_REAL_CACHE:-$ROOT/build/real}"
SOURCES_FILE=/etc/apt/sources.list.d/xsfuzz-deb-src.sources

die() { echo "real-build.sh: error: $*" >&2; exit 1; }
say() { [[ "$quiet" == 1 ]] || echo "real-build.sh: $*" >&2; }

force=0 quiet=0 coverage=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --cache) [[ $# -ge 2 ]] || die "--cache needs a folder"; CACHE="$2"; shift ;;
        --coverage) coverage=1 ;;
        --force) force=1 ;;
        --quiet) quiet=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "real-build.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
SRCDIR="$CACHE/src"
XEN="$SRCDIR/xen-$UPSTREAM"
BUILT="$CACHE/built"
LIB="$CACHE/lib"
STAMP="$BUILT/.stamp"

sudo=()
if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "apt-get needs root: run as root or install sudo"
    sudo=(sudo)
fi
apt_get() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q "$@"; }

# Everything the result depends on: the version, this script, our own headers (and FILES).
inputs_hash() {  # [FILES]
    { echo "$VERSION"; cat "${BASH_SOURCE[0]}" "$OWN"/*.h "$@"; } | sha256sum | cut -d' ' -f1
}

# ---------------------------------------------------------------------------------------------------
# apt: the deb-src entry, the tools

# The machine's Debian entry: the URI that serves bookworm's Packages, and every suite it serves.
# shellcheck disable=SC2016  # $(...) in apt-get's --format is apt's syntax, not the shell's
debian_entry() {
    local uri
    uri="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(CREATED_BY)' \
        | awk '$2 == "bookworm" && $3 == "Packages" { print $1; exit }')"
    [[ -n "$uri" ]] || die "apt has no entry serving bookworm's Packages: is this Debian 12?"
    local suites
    suites="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(CREATED_BY)' \
        | awk -v u="$uri" '$1 == u && $3 == "Packages" { print $2 }' | sort -u | paste -sd' ' -)"
    echo "$uri $suites"
}

# shellcheck disable=SC2016  # apt's --format syntax
ensure_deb_src() {
    if apt-get indextargets --format '$(RELEASE)' 'Created-By: Sources' | grep -qx bookworm; then
        return 0
    fi
    local entry uri suites
    entry="$(debian_entry)"; uri="${entry%% *}"; suites="${entry#* }"
    say "adding $SOURCES_FILE (deb-src $uri $suites) and running apt-get update"
    printf '%s\n' "# Added by XsFuzz scripts/real-build.sh: Debian's source packages (apt-get source xen)." \
        "Types: deb-src" "URIs: $uri" "Suites: $suites" "Components: main" \
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
        | "${sudo[@]}" tee "$SOURCES_FILE" >/dev/null
    apt_get update >/dev/null
}

# The packages the build needs, each with the check that what the build uses from it is there.
PACKAGES=(afl++ ocaml-nox gcc binutils python3 perl dpkg-dev)
have() {  # PACKAGE
    case "$1" in
        afl++) command -v afl-clang-fast ;;          # the C daemon's instrumentation (brings clang)
        ocaml-nox) command -v ocamlopt ;;            # -afl-instrument, and the unix library
        gcc) command -v gcc ;;                       # the plain C build, every C stub
        binutils) command -v objdump ;;              # real-sandbox.sh setup reads the imports
        python3) command -v python3 ;;               # Xen's mkheader.py (the foreign-ABI headers)
        perl) perl -MData::Dumper -e 1 ;;            # Xen's abi-check (perl-base lacks Data::Dumper)
        dpkg-dev) command -v dpkg-source ;;          # unpacks the source with Debian's patches
        ocaml-compiler-libs) [[ -f "$(ocamlc -where)/compiler-libs/ast_mapper.cmx" ]] ;;  # the probes' rewriter
        llvm-14) command -v llvm-profdata-14 ;;      # reads the C coverage build's counters
        libclang-rt-14-dev) [[ -f "$(clang -print-resource-dir)/lib/linux/libclang_rt.profile-$(uname -m).a" ]] ;;  # links it
    esac >/dev/null 2>&1
}

ensure_tools() {
    local missing=() p wanted=("${PACKAGES[@]}")
    [[ $coverage == 0 ]] || wanted+=(ocaml-compiler-libs llvm-14 libclang-rt-14-dev)
    for p in "${wanted[@]}"; do have "$p" || missing+=("$p"); done
    [[ ${#missing[@]} -gt 0 ]] || return 0
    say "apt-get install ${missing[*]}"
    apt_get update >/dev/null
    apt_get install -y --no-install-recommends "${missing[@]}" >/dev/null
    for p in "${missing[@]}"; do have "$p" || die "apt-get installed $p but the build still cannot use it"; done
}

# ---------------------------------------------------------------------------------------------------
# the source

fetch_source() {
    [[ -f "$XEN/.unpacked" ]] && return 0
    mkdir -p "$SRCDIR"
    if [[ ! -f "$SRCDIR/xen_$VERSION.dsc" ]]; then
        say "apt-get source --download-only xen=$VERSION"
        # apt checks every file against the signed Sources index; as root it warns that its sandbox
        # user cannot write here (harmless).
        (cd "$SRCDIR" && apt_get source --download-only "xen=$VERSION" >/dev/null 2>&1) || {
            apt_get update >/dev/null
            (cd "$SRCDIR" && apt_get source --download-only "xen=$VERSION" >/dev/null) \
                || die "apt-get source xen=$VERSION failed (is bookworm's deb-src reachable?)"
        }
    fi
    say "dpkg-source -x (Debian's patches applied)"
    rm -rf "$XEN"
    # --no-check: the .dsc's signature needs debian-keyring; apt already checked the files' hashes.
    dpkg-source -q --no-check -x "$SRCDIR/xen_$VERSION.dsc" "$XEN" >/dev/null
    touch "$XEN/.unpacked"
}

# The headers Xen's build generates for tools: include/xen = xen/include/public (plus sys and the
# foreign-ABI headers mkheader.py writes), shared by both builds.
make_headers() {
    local inc="$BUILT/include" pub="$XEN/xen/include/public" a
    rm -rf "$inc"; mkdir -p "$inc/xen/foreign"
    for a in "$pub"/*; do ln -s "$a" "$inc/xen/"; done
    ln -s "$XEN/tools/include/xen-sys/Linux" "$inc/xen/sys"
    for a in x86_32 x86_64; do
        # mkheader.py names the include guard after its output path: run it in the output folder.
        (cd "$inc/xen/foreign" && python3 "$XEN/tools/include/xen-foreign/mkheader.py" "$a" "$a.tmp" \
            "$pub/arch-x86/xen-$a.h" "$pub/arch-x86/xen.h" "$pub/xen.h" \
            && sed 's/(__align8__ \(uint64_t\))/(\1)/g' "$a.tmp" > "$a.h" && rm "$a.tmp")
    done
}

# ---------------------------------------------------------------------------------------------------
# the builds

# Xen's tools/Rules.mk and Config.mk flags that change what the code means (no -D_GNU_SOURCE: the C
# daemon declares its own basename, which would clash with glibc's).
XEN_CFLAGS=(-O2 -g -std=gnu99 -fno-strict-aliasing -Wall -Wstrict-prototypes -Wno-unused-but-set-variable
            -Wno-unused-local-typedefs -D__XEN_TOOLS__
            -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__
            -D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE)
# Debian's configure values (strings of its binaries): where the daemons put their files.
XEN_RUN_STORED=/var/run/xenstored
XEN_RUN_DIR=/var/run/xen
XEN_LOG_DIR=/var/log/xen
XEN_CONFIG_DIR=/etc/xen

cc_for() { case $1 in traced) echo afl-clang-fast ;; coverage) echo clang ;; *) echo gcc ;; esac; }

# The coverage build's counters live in a file the daemon maps (clang's continuous mode, %c in
# LLVM_PROFILE_FILE, which needs counter relocation on Linux): they survive the SIGKILL that ends a
# sandbox daemon, and with %m the re-executed daemon maps the same file and adds to it.
cov_cflags() { [[ $1 != coverage ]] || echo "-fprofile-instr-generate -fcoverage-mapping -mllvm -runtime-counter-relocation"; }

includes() { echo "-include $OWN/config.h -I$BUILT/include -I$XEN/tools/include"; }

# The C daemon: tools/xenstore's XENSTORED_OBJS for Linux.
build_xenstored() {  # FLAVOUR
    local flavour="$1" cc; cc="$(cc_for "$1")"
    local obj="$BUILT/work/$flavour/xenstored" out="$BUILT/$flavour" f
    mkdir -p "$obj" "$out"
    local files=(xenstored_core xenstored_watch xenstored_domain xenstored_transaction xenstored_control
                 xs_lib talloc utils tdb hashtable xenstored_posix)
    for f in "${files[@]}"; do
        # shellcheck disable=SC2046
        AFL_QUIET=1 "$cc" "${XEN_CFLAGS[@]}" $(cov_cflags "$flavour") -DXEN_RUN_STORED="\"$XEN_RUN_STORED\"" $(includes) \
            -I"$XEN/tools/xenstore/include" -c "$XEN/tools/xenstore/$f.c" -o "$obj/$f.o"
    done
    local objects=()
    for f in "${files[@]}"; do objects+=("$obj/$f.o"); done
    [[ $flavour != coverage ]] || objects+=(-fprofile-instr-generate)
    AFL_QUIET=1 "$cc" -o "$out/xenstored" "${objects[@]}" -Wl,-z,relro,-z,now \
        "$LIB/libxenevtchn.so.1" "$LIB/libxengnttab.so.1" "$LIB/libxenctrl.so.4.17" -lrt
}

# oxenstored's C stubs: gcc in both builds. They are never instrumented: OCaml's runtime owns the AFL
# map in the traced build, and the stubs are glue to the (stub) Xen libraries.
ocaml_c() {  # DIR SOURCE.c [extra cflags]
    local dir="$1" src="$2"; shift 2
    # shellcheck disable=SC2046
    gcc "${XEN_CFLAGS[@]}" -fPIC -I"$(ocamlc -where)" $(includes) "$@" -c "$src" \
        -o "$dir/$(basename "${src%.c}").o"
}

ocaml_ml() {  # FLAVOUR DIR MODULE [ocamlopt flags]: compiles MODULE.mli (if any) then MODULE.ml
    local flavour="$1" dir="$2" m="$3"; shift 3
    # -w -a: Xen's OCaml code is not ours to fix; its warnings would only bury real errors.
    local flags=(-g -w -a -I "$dir" "$@")
    [[ $flavour == traced ]] && flags+=(-afl-instrument)
    [[ $flavour == coverage ]] && flags+=(-ppx "$BUILT/work/coverage/xscov-ppx $COV/oxenstored.select $BUILT/coverage/oxenstored.points")
    [[ -f "$dir/$m.mli" ]] && ocamlopt "${flags[@]}" -c -o "$dir/$m.cmi" "$dir/$m.mli"
    ocamlopt "${flags[@]}" -c -o "$dir/$m.cmx" "$dir/$m.ml"
}

# tools/ocaml/xenstored and the four libraries it uses (mmap, eventchn, xc, xb packed as Xenbus), in
# the order of Xen's Makefiles, in a copy of their folders (generated files go there, not into src).
build_oxenstored() {  # FLAVOUR
    local flavour="$1" w="$BUILT/work/$1/ocaml" out="$BUILT/$1" src="$XEN/tools/ocaml" l m
    rm -rf "$w"; mkdir -p "$w" "$out"
    for l in mmap eventchn xc xb; do cp -r "$src/libs/$l" "$w/$l"; done
    cp -r "$src/xenstored" "$w/xenstored"
    local x="$w/xenstored"
    if [[ $flavour == coverage ]]; then
        # The probes' rewriter (built in its own folder: ocamlopt writes beside its source) and runtime.
        cp "$COV/xscov_ppx.ml" "$BUILT/work/coverage/"
        ocamlopt -I +compiler-libs ocamlcommon.cmxa "$BUILT/work/coverage/xscov_ppx.ml" -o "$BUILT/work/coverage/xscov-ppx"
        rm -f "$out/oxenstored.points"
        cp "$COV/xscov.ml" "$x/"
        ocamlopt -g -I "$x" -c -o "$x/xscov.cmx" "$x/xscov.ml"
    fi
    # Generated files: the ABI check of the xc stubs, and paths.ml with Debian's folders.
    (cd "$w/xc" && perl -w abi-check xenctrl_stubs.c xenctrl.ml > xenctrl_abi_check.h)
    sed -e "s|@XEN_LOG_DIR@|$XEN_LOG_DIR|" -e "s|@XEN_CONFIG_DIR@|$XEN_CONFIG_DIR|" \
        -e "s|@XEN_RUN_DIR@|$XEN_RUN_DIR|" -e "s|@XEN_RUN_STORED@|$XEN_RUN_STORED|" \
        "$w/xenstored/paths.ml.in" > "$w/xenstored/paths.ml"

    ocaml_c "$w/mmap" "$w/mmap/xenmmap_stubs.c"
    ocaml_ml "$flavour" "$w/mmap" xenmmap
    ocaml_c "$w/eventchn" "$w/eventchn/xeneventchn_stubs.c"
    ocaml_ml "$flavour" "$w/eventchn" xeneventchn
    ocaml_c "$w/xc" "$w/xc/xenctrl_stubs.c" -I"$w/mmap"
    ocaml_ml "$flavour" "$w/xc" xenctrl -I "$w/mmap"
    for m in xs_ring_stubs xenbus_stubs; do ocaml_c "$w/xb" "$w/xb/$m.c" -I"$w/mmap"; done
    for m in op partial packet xs_ring xb; do ocaml_ml "$flavour" "$w/xb" "$m" -I "$w/mmap" -for-pack Xenbus; done
    ocamlopt -pack -o "$w/xb/xenbus.cmx" "$w"/xb/{op,partial,packet,xs_ring,xb}.cmx

    for m in syslog_stubs select_stubs systemd_stubs; do ocaml_c "$x" "$x/$m.c"; done
    local modules=(syslog poll systemd paths define stdext trie config packet logging quota perms symbol
                   utils store disk transaction event domain domains connection connections history
                   parse_arg process xenstored)
    for m in "${modules[@]}"; do
        ocaml_ml "$flavour" "$x" "$m" -I "$w/xb" -I "$w/mmap" -I "$w/xc" -I "$w/eventchn"
    done
    local link=(-g -o "$out/oxenstored" unix.cmxa
                "$w/mmap/xenmmap.cmx" "$w/eventchn/xeneventchn.cmx" "$w/xc/xenctrl.cmx" "$w/xb/xenbus.cmx")
    [[ $flavour == traced ]] && link+=(-afl-instrument)
    [[ $flavour == coverage ]] && link+=("$x/xscov.cmx")
    for m in "${modules[@]}"; do link+=("$x/$m.cmx"); done
    link+=("$w"/mmap/xenmmap_stubs.o "$w"/eventchn/xeneventchn_stubs.o "$w"/xc/xenctrl_stubs.o
           "$w"/xb/xs_ring_stubs.o "$w"/xb/xenbus_stubs.o "$x"/syslog_stubs.o "$x"/select_stubs.o
           "$x"/systemd_stubs.o)
    ocamlopt "${link[@]}" -ccopt "-Wl,-z,relro,-z,now" \
        -cclib "$LIB/libxenevtchn.so.1" -cclib "$LIB/libxenctrl.so.4.17" -cclib "$LIB/libxenguest.so.4.17"
}

# Debian's binaries of the same version, to check the plain build against.
fetch_debian() {
    local dir="$BUILT/$DEBIAN_BUILD" deb="$CACHE/debs-$DEBIAN_BUILD"
    [[ -x "$dir/xenstored" && -x "$dir/oxenstored" ]] && return 0
    mkdir -p "$deb" "$dir"
    if ! compgen -G "$deb/xen-utils-4.17_*.deb" >/dev/null; then
        say "apt-get download xen-utils-4.17=$VERSION"
        (cd "$deb" && apt-get download -q "xen-utils-4.17=$VERSION" >/dev/null 2>&1) \
            || die "apt-get download xen-utils-4.17=$VERSION failed"
    fi
    rm -rf "$deb/root"
    dpkg -x "$deb"/xen-utils-4.17_*.deb "$deb/root"
    ln -sf "$deb/root/usr/lib/xen-4.17/bin/xenstored" "$dir/xenstored"
    ln -sf "$deb/root/usr/lib/xen-4.17/bin/oxenstored" "$dir/oxenstored"
}

# A build that starts at all resolved every import (BIND_NOW) and parsed its options.
check_runs() {  # FLAVOUR
    local d
    for d in xenstored oxenstored; do
        # (LLVM_PROFILE_FILE: the coverage build writes its counters there, not into the current folder.)
        LLVM_PROFILE_FILE="$BUILT/work/check.profraw" LD_LIBRARY_PATH="$LIB" LD_PRELOAD="$LIB/xsfuzz-shim.so" "$BUILT/$1/$d" --help >/dev/null 2>&1 \
            || die "$1/$d --help fails with the sandbox's stubs"
    done
}

main() {
    local flavours=(traced plain) stamp="$STAMP" want
    want="$(inputs_hash)"
    if [[ $coverage == 1 ]]; then
        flavours=(coverage) stamp="$BUILT/.stamp-coverage"
        want="$(inputs_hash "$COV"/*)"
    fi
    # One build of a cache at a time: a second run waits here, then finds the stamp written.
    exec 9>"$CACHE/.build.lock"
    flock 9
    if [[ $force == 0 && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        say "up to date: $BUILT/${flavours[*]}"
        return 0
    fi
    ensure_deb_src
    ensure_tools
    "$ROOT/scripts/real-sandbox.sh" --cache "$CACHE" setup --quiet
    fetch_source
    rm -f "$stamp"
    local flavour start
    for flavour in "${flavours[@]}"; do rm -rf "${BUILT:?}/work/$flavour" "${BUILT:?}/$flavour"; done
    # The coverage build reuses the headers of the main one (which may be in use by a campaign).
    [[ $coverage == 1 && -f "$BUILT/include/xen/foreign/x86_64.h" ]] || make_headers
    for flavour in "${flavours[@]}"; do
        start=$SECONDS
        say "building $flavour xenstored"
        build_xenstored "$flavour"
        say "building $flavour oxenstored"
        build_oxenstored "$flavour"
        check_runs "$flavour"
        say "$flavour built in $((SECONDS - start)) s"
    done
    if [[ $coverage == 1 ]]; then
        echo "$want" > "$stamp"
        say "ready: $BUILT/coverage"
        return 0
    fi
    fetch_debian
    check_runs "$DEBIAN_BUILD"
    echo "$want" > "$stamp"
    say "ready: $BUILT/{traced,plain,$DEBIAN_BUILD}"
}

main
