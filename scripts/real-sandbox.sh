#!/usr/bin/env bash
# The sandbox in which `xsfuzz real` runs Debian 12's own xenstore daemons (oxenstored and the C
# xenstored, package xen-utils-4.17) with no hypervisor: each daemon on a private Unix socket in a
# private run folder, as many at once as wanted. Nothing is installed with apt and nothing is written
# outside the cache folder.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/real-sandbox.sh [--cache DIR] COMMAND [ARGS]

Commands:
  setup [--clean] [--quiet]   fetch and unpack the packages, build the stubs and the shim (quick and
                              silent with --quiet when already done; --clean starts from nothing)
  info                        print the cache layout as KEY=VALUE lines (for xsfuzz real)
  exec KIND RUNDIR [ARGS]     prepare RUNDIR and exec the daemon in the foreground (KIND: oxenstored
                              or xenstored); its pid is this process's pid, its output goes to
                              RUNDIR/daemon.out. This is what xsfuzz real runs.
                              XSFUZZ_REAL_BUILD=traced|plain|... runs a build of real-build.sh;
                              XSFUZZ_OXENSTORED_CONF='key = value' lines are added to Debian's
                              oxenstored.conf (after it: they win).
  start KIND [RUNDIR]         start a daemon in the background; prints "PID SOCKET" once it listens
  stop RUNDIR|PID...          stop daemons by the pid recorded in RUNDIR/daemon.pid (or given)
  stop-all                    stop every daemon whose pid file is under RUN (or CACHE/run)
  status                      list the daemons running under RUN (or CACHE/run)

The cache (default build/real in the repository, or $XSFUZZ_REAL_CACHE) holds:
  debs/   the downloaded packages (apt-get download, never installed)
  root/   their contents (dpkg -x): root/usr/lib/xen-4.17/bin/{oxenstored,xenstored}
  lib/    stub libxenctrl/libxenevtchn/libxengnttab/libxenguest and the LD_PRELOAD shim, built with
          gcc from scripts/real/*.c with version scripts generated from the daemons' own imports
  run/    (or RUN, below) one folder per daemon: socket, pid file, logs, dom0's fake ring page
          and port, and the domU rings: domu/<domid>.ring (the shared ring page), domu/<domid>.port
          (the daemon's event-channel port), evtchn (the daemon's event socket: a client sends it a
          port number) and ev<port> (a client's socket, where the daemon's notifications go); see
          scripts/real/ring.h

RUN, the run folders' parent: $XSFUZZ_REAL_RUN if set, else a folder on tmpfs (/dev/shm/xsfuzz-run-
UID-CKSUM, one per cache) when /dev/shm is writable, else CACHE/run. The daemons create, map and
delete small files there many times per input (ring pages, ports, the live update's state dump, and
.NET's msync of a ring page): on a disk file system that was the daemons' largest kernel cost.
EOF
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/real"
CACHE="${XSFUZZ_REAL_CACHE:-$ROOT/build/real}"
PACKAGES=(xen-utils-4.17 xen-utils-common)   # the daemons; Debian's oxenstored.conf
DAEMONS=(oxenstored xenstored)

die() { echo "real-sandbox.sh: $*" >&2; exit 1; }
say() { [[ "${quiet:-0}" == 1 ]] || echo "real-sandbox.sh: $*" >&2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --cache) [[ $# -ge 2 ]] || die "--cache needs a folder"; CACHE="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) break ;;
    esac
done
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
COMMAND="$1"; shift
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
BIN="$CACHE/root/usr/lib/xen-4.17/bin"
LIB="$CACHE/lib"
if [[ -n "${XSFUZZ_REAL_RUN:-}" ]]; then
    RUN="$XSFUZZ_REAL_RUN"
elif [[ -d /dev/shm && -w /dev/shm ]]; then
    RUN="/dev/shm/xsfuzz-run-$(id -u)-$(printf '%s' "$CACHE" | cksum | cut -d' ' -f1)"
else
    RUN="$CACHE/run"
fi
RUN_ROOTS=("$RUN")     # stop-all and status look in both (a daemon started with an explicit RUNDIR)
[[ $RUN == "$CACHE/run" ]] || RUN_ROOTS+=("$CACHE/run")

# ---------------------------------------------------------------------------------------------------
# setup

fetch_packages() {
    mkdir -p "$CACHE/debs"
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        compgen -G "$CACHE/debs/${p}_*.deb" >/dev/null || missing+=("$p")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        say "apt-get download ${missing[*]}"
        # apt's sandbox user cannot write into a root-owned folder: download as root then (a warning).
        if ! (cd "$CACHE/debs" && apt-get download -q "${missing[@]}" >/dev/null 2>&1); then
            say "apt-get update (the package lists look stale)"
            apt-get update -q >/dev/null
            (cd "$CACHE/debs" && apt-get download -q "${missing[@]}" >/dev/null 2>&1) \
                || die "apt-get download ${missing[*]} failed"
        fi
    fi
    if [[ ! -x "$BIN/oxenstored" || ! -x "$BIN/xenstored" || ! -f "$CACHE/root/etc/xen/oxenstored.conf" ]]; then
        say "dpkg -x into $CACHE/root"
        local deb
        for deb in "$CACHE"/debs/*.deb; do dpkg -x "$deb" "$CACHE/root"; done
    fi
    local d
    for d in "${DAEMONS[@]}"; do [[ -x "$BIN/$d" ]] || die "$BIN/$d missing after dpkg -x"; done
}

# "VERSION SYMBOL" for every symbol the daemons import from a stub library, chosen by name prefix.
imports() {  # PREFIX_REGEX EXCLUDE_REGEX
    local d
    for d in "${DAEMONS[@]}"; do
        objdump -T "$BIN/$d" | awk -v inc="$1" -v exc="$2" \
            '/\*UND\*/ && $NF ~ inc && (exc == "" || $NF !~ exc) { v = $(NF-1); gsub(/[()]/, "", v); print v, $NF }'
    done | sort -u
}

# Versions the daemons require from a library (objdump -p "required from SONAME:").
required_versions() {  # SONAME
    local d
    for d in "${DAEMONS[@]}"; do
        objdump -p "$BIN/$d" | awk -v lib="$1" '/required from/ { on = ($3 == lib ":") ; next } on && NF == 4 { print $4 } /^$/ { on = 0 }'
    done | sort -u
}

# Builds one stub library: SONAME, hand-written source (or ""), symbol prefix, excluded prefix.
# The version script names every required version and puts each imported symbol in the version it is
# imported at; imports the source does not define become ENOSYS stubs (generated, in OUT/gen/).
build_stub() {
    local soname="$1" source="$2" include="$3" exclude="$4"
    local gen="$LIB/gen" base="${soname%%.so*}"
    mkdir -p "$gen"
    local objects=() defined=""
    if [[ -n "$source" ]]; then
        gcc -O2 -g -Wall -Wextra -Werror -fPIC -c -o "$gen/$base.o" "$SRC/$source"
        objects+=("$gen/$base.o")
        defined="$(nm -g --defined-only "$gen/$base.o" | awk '{print $3}')"
    fi
    local list; list="$(imports "$include" "$exclude")"
    {
        echo "/* generated by real-sandbox.sh: imports of the daemons that $source does not provide */"
        echo "#include <errno.h>"
        local v s
        while read -r v s; do
            [[ -n "$s" ]] || continue
            grep -qx "$s" <<<"$defined" && continue
            echo "int $s(void) { errno = ENOSYS; return -1; }"
        done <<<"$list"
    } > "$gen/$base-enosys.c"
    gcc -O2 -fPIC -c -o "$gen/$base-enosys.o" "$gen/$base-enosys.c"
    objects+=("$gen/$base-enosys.o")
    {
        echo "/* generated by real-sandbox.sh from the daemons' imports */"
        local first=1 version
        for version in $(required_versions "$soname"); do
            echo "$version {"
            awk -v v="$version" '$1 == v { if (!n++) print "  global:"; print "    " $2 ";" }' <<<"$list"
            if [[ $first == 1 ]]; then echo "  local: *;"; first=0; fi
            echo "};"
        done
    } > "$gen/$base.map"
    # A library the daemons need but import no version from still needs one node for the script.
    grep -q '{' "$gen/$base.map" || echo "XSFUZZ_STUB { local: *; };" >> "$gen/$base.map"
    gcc -shared -o "$LIB/$soname" -Wl,-soname,"$soname" -Wl,--version-script="$gen/$base.map" "${objects[@]}"
}

# Every Xen symbol the daemons import must be defined by a stub at the same version.
check_stubs() {
    local uncovered=0 v s
    while read -r v s; do
        [[ -n "$s" ]] || continue
        if ! objdump -T "$LIB"/lib*.so.* | awk -v v="$v" -v s="$s" '$NF == s && $(NF-1) == v && $0 !~ /UND/ { f = 1 } END { exit !f }'; then
            echo "missing stub: $s@$v" >&2; uncovered=1
        fi
    done < <(imports '^(xc_|xenevtchn_|xengnttab_)' '')
    [[ $uncovered == 0 ]] || die "the stubs do not cover the daemons' imports"
}

sources_hash() {
    cat "$SRC"/*.c "$SRC"/*.h "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1
}

build_lib() {
    local stamp="$LIB/.stamp" want; want="$(sources_hash)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
    say "building the stub libraries and the shim in $LIB"
    rm -rf "$LIB"; mkdir -p "$LIB"
    build_stub libxenctrl.so.4.17   xenctrl.c   '^xc_'        '^xc_dom_'
    build_stub libxenguest.so.4.17  ""          '^xc_dom_'    ''
    build_stub libxenevtchn.so.1    xenevtchn.c '^xenevtchn_' ''
    build_stub libxengnttab.so.1    xengnttab.c '^xengnttab_' ''
    gcc -O2 -g -Wall -Wextra -Werror -fPIC -shared -o "$LIB/xsfuzz-shim.so" "$SRC/shim.c" "$SRC/forkserver.c" "$SRC/idle.c" -ldl
    check_stubs
    # The daemons are linked BIND_NOW: if they start at all, every import resolved.
    local d
    for d in "${DAEMONS[@]}"; do
        LD_LIBRARY_PATH="$LIB" ldd "$BIN/$d" | grep -q 'not found' && die "$d: a library is not found"
        LD_LIBRARY_PATH="$LIB" LD_PRELOAD="$LIB/xsfuzz-shim.so" "$BIN/$d" --help >/dev/null 2>&1 \
            || die "$d --help fails with the stubs"
    done
    echo "$want" > "$stamp"
}

cmd_setup() {
    local clean=0
    quiet=0
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --clean) clean=1 ;;
            --quiet) quiet=1 ;;
            *) die "setup: unknown argument '$1'" ;;
        esac
        shift
    done
    command -v gcc >/dev/null || die "gcc is needed"
    command -v objdump >/dev/null || die "objdump (binutils) is needed"
    # Two set-ups of one cache at once (two campaigns starting) would build the stubs over each
    # other: the second waits, then finds the stamp and does nothing. (real-build.sh holds a lock of
    # its own, on another file, while it runs this.)
    mkdir -p "$CACHE"
    exec 8>"$CACHE/.setup.lock"
    flock 8
    if [[ $clean == 1 ]]; then
        cmd_stop_all
        say "removing $CACHE"
        rm -rf "${CACHE:?}"/debs "${CACHE:?}"/root "${CACHE:?}"/lib "${CACHE:?}"/run
    fi
    fetch_packages
    build_lib
    mkdir -p "$CACHE/run" "$RUN"
    say "ready: $CACHE"
}

# ---------------------------------------------------------------------------------------------------
# running daemons

# The domU rings and event channels of a run folder (scripts/real/ring.h): a fresh daemon starts
# with none, and a stopped one leaves none behind.
remove_rings() {  # RUNDIR
    rm -rf "$1/domu"
    rm -f "$1/evtchn" "$1/evtchn.next"
    find "$1" -maxdepth 1 -name 'ev[0-9]*' -type s -delete 2>/dev/null || true
}

kind_of() {
    case "$1" in
        o|ox|oxenstored) echo oxenstored ;;
        c|C|xenstored) echo xenstored ;;
        *) die "unknown daemon '$1' (oxenstored or xenstored)" ;;
    esac
}

ready() { [[ -f "$LIB/.stamp" && -x "$BIN/oxenstored" && -x "$BIN/xenstored" ]]; }

# The daemon binary exec runs: Debian's (XSFUZZ_REAL_BUILD unset or "debian"), or the build NAME that
# scripts/real-build.sh put in CACHE/built/NAME (traced, plain, debian-4.17.5).
daemon_bin() {  # KIND
    local build="${XSFUZZ_REAL_BUILD:-debian}"
    [[ $build == debian ]] && { echo "$BIN/$1"; return; }
    [[ $build =~ ^[A-Za-z0-9._-]+$ && -x "$CACHE/built/$build/$1" ]] \
        || die "XSFUZZ_REAL_BUILD=$build: no $CACHE/built/$build/$1 (run scripts/real-build.sh)"
    echo "$CACHE/built/$build/$1"
}

# Prepares RUN and replaces this shell with the daemon (so the caller's child IS the daemon).
cmd_exec() {
    [[ $# -ge 2 ]] || die "exec KIND RUNDIR [daemon args]"
    local kind; kind="$(kind_of "$1")"
    local run="$2"; shift 2
    ready || die "not set up: run scripts/real-sandbox.sh setup"
    local bin; bin="$(daemon_bin "$kind")"
    mkdir -p "$run/log" "$run/lib"
    run="$(cd "$run" && pwd)"
    # A Unix socket path is at most 107 bytes.
    [[ ${#run} -le 96 ]] || die "run folder path too long for a Unix socket: $run"
    rm -f "$run/socket" "$run/socket_ro"
    remove_rings "$run"
    # dom0's ring page and event channel, as /proc/xen gives them to dom0: 4096 zero bytes, and the
    # port without a newline (oxenstored's int_of_string rejects "1\n").
    head -c 4096 /dev/zero > "$run/xsd_kva"
    printf 1 > "$run/xsd_port"
    echo $$ > "$run/daemon.pid"
    # AFL's fork-server fds, inherited from a fuzz target run by afl-fuzz: a traced daemon would take
    # them for its own fork server and stop in the handshake.
    exec 198<&- 199>&-
    exec >"$run/daemon.out" 2>&1
    export LD_LIBRARY_PATH="$LIB"
    export LD_PRELOAD="$LIB/xsfuzz-shim.so"
    export XSFUZZ_RUNDIR="$run"
    if [[ $kind == oxenstored ]]; then
        # Debian's own configuration, then the settings xsfuzz asks for (a configuration other than
        # Debian's, as oxenstored.conf lines), then the paths of this run folder (later keys win).
        {
            cat "$CACHE/root/etc/xen/oxenstored.conf"
            if [[ -n "${XSFUZZ_OXENSTORED_CONF:-}" ]]; then
                echo "# --- xsfuzz configuration ---"
                printf '%s\n' "$XSFUZZ_OXENSTORED_CONF"
            fi
            echo "# --- xsfuzz sandbox ---"
            echo "pid-file = $run/xenstored.pid"
            echo "xenstored-kva = $run/xsd_kva"
            echo "xenstored-port = $run/xsd_port"
            echo "xenstored-log-file = $run/xenstored.log"
            echo "access-log-file = $run/access.log"
        } > "$run/oxenstored.conf"
        # The socket path is hard-coded (/var/run/xenstored/socket): the shim moves it into $run.
        exec "$bin" --no-fork --config-file "$run/oxenstored.conf" "$@" </dev/null
    else
        [[ -z "${XSFUZZ_OXENSTORED_CONF:-}" ]] || die "XSFUZZ_OXENSTORED_CONF is oxenstored's: the C daemon has no oxenstored.conf"
        # XENSTORED_RUNDIR moves the C daemon's socket (and live-update state file) into $run.
        export XENSTORED_RUNDIR="$run"
        exec "$bin" -N -F "$run/xenstored.pid" "$@" </dev/null
    fi
}

cmd_start() {
    [[ $# -ge 1 ]] || die "start KIND [RUNDIR]"
    local kind; kind="$(kind_of "$1")"
    local run="${2:-$RUN/$kind-$$}"
    mkdir -p "$run"; run="$(cd "$run" && pwd)"
    if [[ -f "$run/daemon.pid" ]] && kill -0 "$(cat "$run/daemon.pid")" 2>/dev/null; then
        die "a daemon already runs in $run (pid $(cat "$run/daemon.pid"))"
    fi
    "${BASH_SOURCE[0]}" --cache "$CACHE" exec "$kind" "$run" &
    local pid=$! i
    for ((i = 0; i < 200; i++)); do
        [[ -S "$run/socket" ]] && break
        kill -0 "$pid" 2>/dev/null || { cat "$run/daemon.out" >&2; die "$kind exited at start"; }
        sleep 0.05
    done
    [[ -S "$run/socket" ]] || { kill "$pid" 2>/dev/null; die "$kind did not create its socket in 10 s"; }
    echo "$pid $run/socket"
}

stop_pid() {  # PID [RUNDIR]
    local pid="$1" i
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
        echo "stopped $pid${2:+ ($2)}"
    fi
}

cmd_stop() {
    [[ $# -ge 1 ]] || die "stop RUNDIR|PID..."
    local a
    for a in "$@"; do
        if [[ "$a" =~ ^[0-9]+$ ]]; then
            stop_pid "$a"
        elif [[ -f "$a/daemon.pid" ]]; then
            stop_pid "$(cat "$a/daemon.pid")" "$a"
            rm -f "$a/daemon.pid"
            remove_rings "$a"
        else
            echo "nothing running in $a" >&2
        fi
    done
}

# The pid files of daemons under the run roots, one a line.
pid_files() {
    local root f
    for root in "${RUN_ROOTS[@]}"; do
        for f in "$root"/*/daemon.pid; do [[ ! -f "$f" ]] || echo "$f"; done
    done
}

cmd_stop_all() {
    local f files
    mapfile -t files < <(pid_files)
    for f in "${files[@]}"; do
        [[ -f "$f" ]] || continue
        stop_pid "$(cat "$f")" "$(dirname "$f")"
        rm -f "$f"
        remove_rings "$(dirname "$f")"
    done
}

cmd_status() {
    local f pid files
    mapfile -t files < <(pid_files)
    for f in "${files[@]}"; do
        [[ -f "$f" ]] || continue
        pid="$(cat "$f")"
        # A zombie is not running: a daemon whose xsfuzz died with SIGKILL is reparented to init,
        # which on some machines (a firecracker VM's init) does not reap it for minutes.
        kill -0 "$pid" 2>/dev/null && [[ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]] \
            && echo "$pid $(dirname "$f")"
    done
    return 0
}

cmd_info() {
    ready || die "not set up: run scripts/real-sandbox.sh setup"
    local ox xs; ox="$(daemon_bin oxenstored)"; xs="$(daemon_bin xenstored)"
    echo "cache=$CACHE"
    mkdir -p "$RUN"
    echo "run=$RUN"
    echo "oxenstored=$(realpath "$ox")"
    echo "xenstored=$(realpath "$xs")"
    echo "script=$ROOT/scripts/real-sandbox.sh"
}

case "$COMMAND" in
    setup) cmd_setup "$@" ;;
    info) cmd_info ;;
    exec) cmd_exec "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    stop-all) cmd_stop_all ;;
    status) cmd_status ;;
    *) usage >&2; exit 2 ;;
esac
