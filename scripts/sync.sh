#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=sync.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/sync.sh --into OUT --node NAME SOURCE...
       scripts/sync.sh --deps-only

Multi-machine AFL++ as AFL++'s documentation describes it: every machine runs its own campaign
(scripts/fuzz.sh --node NAME: one -M NAME-main and -S NAME-sN workers) into a local sync dir, and
the main workers' dirs are copied between machines. This copies, from each SOURCE sync dir, every
main worker's queue/ (and its is_main_node mark while it runs; nothing else: no stats, no
crashes) into OUT, skipping NAME-main, this machine's own. AFL++ then imports the new entries by
itself: OUT's main worker from every dir, its secondaries from running main workers' dirs and so
from OUT's main; the entries are named id:...,sync:B-main,...

SOURCE is a local dir or rsync's [user@]host:/path (over ssh). Copies are incremental (rsync)
and never delete or overwrite an entry. fuzz.sh --node NAME --sync-from SOURCE... runs this
periodically; it can also run from cron. Installs rsync with apt-get when it is missing.

  --into OUT   this machine's sync dir (fuzz.sh --out)
  --node NAME  this machine's node name (fuzz.sh --node)
  --deps-only  only install rsync
  -h, --help   this text
EOF
}

into="" node="" sources=() deps_only=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --into) xs_need_value "$@"; into="$2"; shift ;;
        --node) xs_need_value "$@"; node="$2"; shift ;;
        --deps-only) deps_only=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) xs_usage_error "unknown argument '$1'" ;;
        *) sources+=("$1") ;;
    esac
    shift
done
if [[ $deps_only -eq 0 ]]; then
    [[ -n "$into" ]] || xs_usage_error "--into OUT is required"
    [[ -n "$node" ]] || xs_usage_error "--node NAME is required"
    [[ "$node" =~ ^[A-Za-z0-9_]+$ ]] || xs_usage_error "--node needs a name of letters, digits and _, not '$node'"
    [[ ${#sources[@]} -gt 0 ]] || xs_usage_error "give at least one SOURCE sync dir"
    [[ -d "$into" ]] || xs_die "--into $into is not a directory"
fi

install_rsync() {
    command -v rsync >/dev/null 2>&1 && return 0
    xs_log "installing rsync with apt-get"
    local sudo=() apt
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || xs_die "rsync is missing and this is not root: run 'apt-get install rsync' as root"
        sudo=(sudo)
    fi
    # Wait for another apt-get (a second node on the same host, another script) rather than fail.
    apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
    "${apt[@]}" install -y --no-install-recommends rsync >/dev/null 2>&1 \
        || { "${apt[@]}" update >/dev/null && "${apt[@]}" install -y --no-install-recommends rsync >/dev/null; } \
        || xs_die "apt-get could not install rsync"
}
install_rsync
[[ $deps_only -eq 0 ]] || exit 0

# Entries of other nodes' main workers already in OUT.
imported() {
    find "$into" -mindepth 3 -maxdepth 3 -path '*-main/queue/id:*' ! -path "$into/$node-main/*" -type f | xs_count
}

status=0
for src in "${sources[@]}"; do
    before="$(imported)"
    # Rules in order, first match wins: never our own main (a copy of it lives in the others' dirs),
    # then the main workers' queues and marks, nothing else. The queue's own sub-dirs (.state) stay out.
    if rsync -rt --ignore-existing \
            --exclude="/$node-main/" \
            --include='/*-main/' --include='/*-main/is_main_node' \
            --include='/*-main/queue/' --include='/*-main/queue/id:*' \
            --exclude='*' "${src%/}/" "$into/"; then
        echo "sync: $src -> $into: $(( $(imported) - before )) new queue entries of other nodes' main workers"
    else
        xs_log "rsync from $src failed"
        status=1
    fi
done
exit $status
