#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=test-install.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'TXT'
usage: scripts/test-install.sh [--keep]

Runs the install step of every script that installs Debian packages (setup.sh: afl++ and
gnuplot-nox; test.sh: xenstore-utils and shellcheck) on a simulated fresh machine: a PATH where
those packages' commands are missing and apt-get, sudo and `id -u` are stand-ins. The apt-get
stand-in records each call (with its uid and DEBIAN_FRONTEND), refuses to run when not root, like
the real one, and "installs" a package by putting stubs of its commands on the PATH; the sudo
stand-in resets the environment, like the real one. Each case checks the right apt-get commands
ran, as root, non-interactively, and that the script carried on to its end. Nothing is installed.
One line per case, 'PASS ...' or 'FAIL ...: why'; exits 1 if any failed. Takes a few seconds.

  --keep      keep the work dir (it is kept anyway when a case fails)
  -h, --help  this text
TXT
}

keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --keep) keep=1 ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done

# What each package provides on a real machine, as far as the scripts look for it.
declare -A PROVIDES=(
    [afl++]="afl-fuzz afl-showmap afl-cmin afl-tmin afl-whatsup afl-plot"
    [gnuplot-nox]="gnuplot"
    [build-essential]="gcc objdump"
    [xenstore-utils]="xenstore-write xenstore-read xenstore-ls xenstore-list xenstore-rm xenstore-exists xenstore-chmod xenstore-watch"
    [shellcheck]="shellcheck"
)

work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-test-install.XXXXXX")"
passed=0 failed=0

# The machine without those packages: every command on PATH, except theirs and the stand-ins'.
declare -A hidden=([apt-get]=1 [apt]=1 [sudo]=1 [id]=1)
for p in "${!PROVIDES[@]}"; do
    for c in ${PROVIDES[$p]}; do hidden[$c]=1; done
done
mkdir -p "$work/system"
IFS=: read -ra path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
    [[ -d "$d" ]] || continue
    for f in "$d"/*; do
        n="${f##*/}"
        [[ -z "${hidden[$n]:-}" && -x "$f" && ! -e "$work/system/$n" ]] || continue
        ln -s "$f" "$work/system/$n"
    done
done
real_id="$(command -v id)"

# new_machine DIR UID SUDO(0|1): a case's bin dir (first on its PATH) with the stand-ins.
new_machine() {
    local dir="$1" uid="$2" with_sudo="$3"
    mkdir -p "$dir/bin"
    : >"$dir/calls.log"
    # Under the sudo stand-in (XS_FAKE_SUDO=1) the uid is 0, as under the real sudo.
    cat >"$dir/bin/id" <<SH
#!/bin/sh
if [ "\$1" = -u ]; then
    if [ "\${XS_FAKE_SUDO:-}" = 1 ]; then echo 0; else echo $uid; fi
    exit 0
fi
exec $real_id "\$@"
SH
    cat >"$dir/bin/apt-get" <<SH
#!/bin/bash
echo "apt-get \$* [uid \$(id -u), DEBIAN_FRONTEND=\${DEBIAN_FRONTEND:-unset}]" >>"$dir/calls.log"
if [ "\$(id -u)" != 0 ]; then
    echo "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)" >&2
    exit 100
fi
[ "\$1" = install ] || exit 0
shift
for p in "\$@"; do
    case "\$p" in
$(for p in "${!PROVIDES[@]}"; do
    printf '        %q) cmds=%q ;;\n' "$p" "${PROVIDES[$p]}"
done)
        -*) continue ;;
        *) echo "E: Unable to locate package \$p" >&2; exit 100 ;;
    esac
    for c in \$cmds; do printf '#!/bin/sh\\nexit 0\\n' >"$dir/bin/\$c"; chmod +x "$dir/bin/\$c"; done
done
SH
    if [[ $with_sudo -eq 1 ]]; then
        cat >"$dir/bin/sudo" <<SH
#!/bin/sh
echo "sudo \$*" >>"$dir/calls.log"
exec env -i PATH="\$PATH" XS_FAKE_SUDO=1 "\$@"
SH
    fi
    chmod +x "$dir/bin/"*
}

# preinstall DIR "PACKAGE..."...: those packages' commands are already there.
preinstall() {
    local dir="$1" p c list
    shift
    read -ra list <<<"$*"
    for p in "${list[@]}"; do
        for c in ${PROVIDES[$p]}; do printf '#!/bin/sh\nexit 0\n' >"$dir/bin/$c"; chmod +x "$dir/bin/$c"; done
    done
}

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {  # NAME WHY DIR
    echo "FAIL $1: $2"
    failed=$((failed + 1))
    sed 's/^/    | /' "$3/calls.log" "$3/out.log" | tail -n 20
}

# run_case DIR SCRIPT ARGS...: runs the script on the simulated machine; sets rc.
run_case() {
    local dir="$1"
    shift
    rc=0
    PATH="$dir/bin:$work/system" timeout 60 bash "$XS_ROOT/scripts/$1" "${@:2}" >"$dir/out.log" 2>&1 || rc=$?
}

# check_install NAME DIR VIA PACKAGES...: the script exited 0; each PACKAGES (one apt-get install's
# list, in order) was installed by one 'apt-get update' + 'apt-get install', both as root, the install
# non-interactive, through sudo iff VIA=sudo, and apt-get ran for nothing else.
check_install() {
    local name="$1" dir="$2" via="$3" why="" installs
    shift 3
    local log="$dir/calls.log"
    installs="$(grep '^apt-get install ' "$log" || true)"
    if grep -q 'command not found' "$dir/out.log"; then
        why="$(grep -m1 'command not found' "$dir/out.log")"
    elif [[ $rc -ne 0 ]]; then
        why="exit $rc"
    elif [[ "$installs" != "$(printf 'apt-get install -y -q --no-install-recommends %s [uid 0, DEBIAN_FRONTEND=noninteractive]\n' "$@")" ]]; then
        why="expected, in order: $(printf "'apt-get install %s' " "$@")as root with DEBIAN_FRONTEND=noninteractive"
    elif [[ "$(grep -c '^apt-get update .*\[uid 0,' "$log")" -ne $# || "$(grep -c '^apt-get ' "$log")" -ne $(($# * 2)) ]]; then
        why="not one 'apt-get update' as root per install, or other apt-get calls"
    elif [[ $via == sudo && "$(grep -c '^sudo env DEBIAN_FRONTEND=noninteractive apt-get install ' "$log")" -ne $# ]]; then
        why="an install did not go through sudo"
    elif [[ $via == root ]] && grep -q '^sudo' "$log"; then
        why="sudo was called as root"
    fi
    if [[ -z "$why" ]]; then pass "$name"; else fail "$name" "$why" "$dir"; fi
}

n=0
next_case() { n=$((n + 1)); d="$work/case$n"; }  # sets d

# setup.sh: the project's packages (the Dockerfile runs this as root).
SETUP_PACKAGES="afl++ gnuplot-nox build-essential xenstore-utils"
next_case; new_machine "$d" 0 0
run_case "$d" setup.sh --deps-only
check_install "setup.sh --deps-only as root on a bare machine: installs the project's packages, carries on" "$d" root "$SETUP_PACKAGES"

next_case; new_machine "$d" 1000 1
run_case "$d" setup.sh --deps-only
check_install "setup.sh --deps-only as a user with sudo: installs through sudo env DEBIAN_FRONTEND=..., carries on" "$d" sudo "$SETUP_PACKAGES"

next_case; new_machine "$d" 0 0; preinstall "$d" afl++ build-essential xenstore-utils
run_case "$d" setup.sh --deps-only
check_install "setup.sh --deps-only as root with all but gnuplot: installs only gnuplot-nox" "$d" root gnuplot-nox

next_case; new_machine "$d" 1000 0
run_case "$d" setup.sh --deps-only
if [[ $rc -eq 1 ]] && grep -q "this is not root: run 'apt-get install $SETUP_PACKAGES' as root" "$d/out.log" \
        && [[ ! -s "$d/calls.log" ]] && ! grep -q 'command not found' "$d/out.log"; then
    pass "setup.sh --deps-only as a user without sudo: one clear error, exit 1, no apt-get"
else
    fail "setup.sh --deps-only as a user without sudo" "exit $rc, or no clear error, or apt-get ran" "$d"
fi

next_case; new_machine "$d" 0 0; preinstall "$d" "$SETUP_PACKAGES"
run_case "$d" setup.sh --deps-only
if [[ $rc -eq 0 && ! -s "$d/calls.log" ]]; then
    pass "setup.sh --deps-only with everything installed: no apt-get"
else
    fail "setup.sh --deps-only with everything installed" "exit $rc, or apt-get ran" "$d"
fi

# test.sh: setup.sh's packages, then shellcheck (the README's test command on a fresh machine).
next_case; new_machine "$d" 0 0
run_case "$d" test.sh --deps-only
check_install "test.sh as root on a bare machine: installs setup.sh's packages, then shellcheck, carries on" "$d" root "$SETUP_PACKAGES" shellcheck

next_case; new_machine "$d" 1000 1
run_case "$d" test.sh --deps-only
check_install "test.sh as a user with sudo: installs through sudo env DEBIAN_FRONTEND=..., carries on" "$d" sudo "$SETUP_PACKAGES" shellcheck

next_case; new_machine "$d" 0 0; preinstall "$d" "$SETUP_PACKAGES" shellcheck
run_case "$d" test.sh --deps-only
if [[ $rc -eq 0 && ! -s "$d/calls.log" ]]; then
    pass "test.sh with everything installed: no apt-get"
else
    fail "test.sh with everything installed" "exit $rc, or apt-get ran" "$d"
fi

echo "$passed passed, $failed failed"
if [[ $failed -eq 0 && $keep -eq 0 ]]; then rm -rf "$work"; else echo "work dir kept: $work"; fi
[[ $failed -eq 0 ]]
