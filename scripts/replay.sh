#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=replay.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/replay.sh [--fault NAME] FILE|DIR...

Replays crash files through 'xsfuzz replay' on the plain (uninstrumented) build and prints a
one-line verdict for each, the full report of the first disagreement, and the disagreements
grouped by their divergence signature. Runs scripts/setup.sh first.

A DIR may be a fuzz.sh output dir (every worker's crashes/, and seed-crashes/), one worker's
dir, a crashes/ dir or any dir of inputs (hidden files and README* are skipped).

  --fault NAME  replay with this planted fault; by default the fault that the fuzz.sh campaign
                holding the file ran with (its .xsfuzz-campaign), else none
  -h, --help    this text

Exit status: 0 every input agrees, 1 at least one disagreement, 2 bad usage or an input that
'xsfuzz replay' could not run.
EOF
}

fault="" fault_given=0 paths=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --fault) xs_need_value "$@"; fault="$2"; fault_given=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; paths+=("$@"); break ;;
        -*) xs_usage_error "unknown option '$1'" ;;
        *) paths+=("$1") ;;
    esac
    shift
done
[[ ${#paths[@]} -gt 0 ]] || xs_usage_error "give at least one crash FILE or DIR"
for i in "${!paths[@]}"; do
    [[ -e "${paths[$i]}" ]] || xs_usage_error "no such file or directory: ${paths[$i]}"
    paths[i]="$(xs_abspath "${paths[$i]}")"
done

xs_ensure_build
[[ $fault_given -eq 0 ]] || xs_check_fault "$fault"

n=0 n_agree=0 n_fail=0 n_error=0
first_report="" first_file=""
declare -A sig_count=() sig_example=()
sig_order=()
for p in "${paths[@]}"; do
    f_fault="$fault"
    [[ $fault_given -eq 1 ]] || f_fault="$(xs_campaign_get "$p" fault || true)"
    fault_args=()
    [[ -z "$f_fault" ]] || fault_args=(--fault "$f_fault")
    files=()
    mapfile -t files < <(
        xs_crash_files "$p"
        # fuzz.sh sets aside the seeds that already disagreed under the campaign's fault
        if [[ -d "$p/seed-crashes" ]] && xs_is_sync_dir "$p"; then xs_list_inputs "$p/seed-crashes"; fi
    )
    [[ ${#files[@]} -gt 0 ]] || xs_log "no crash file in $p"
    for f in "${files[@]}"; do
        n=$((n + 1))
        rc=0
        report="$("$XS_XSFUZZ" replay "$f" "${fault_args[@]}" 2>&1)" || rc=$?
        case $rc in
            0)
                n_agree=$((n_agree + 1))
                printf 'agree     %s\n' "$f"
                ;;
            1)
                n_fail=$((n_fail + 1))
                sig="$(sed -n 's/^[[:space:]]*signature:[[:space:]]*//p' <<<"$report" | xs_first 1)"
                sig="${sig:-(no signature line)}"
                printf 'DISAGREE  %s  [%s]\n' "$f" "$sig"
                if [[ -z "${sig_count[$sig]:-}" ]]; then
                    sig_order+=("$sig")
                    sig_count[$sig]=0
                    sig_example[$sig]="$f"
                fi
                sig_count[$sig]=$((sig_count[$sig] + 1))
                if [[ -z "$first_file" ]]; then
                    first_file="$f"
                    first_report="$report"
                fi
                ;;
            *)
                n_error=$((n_error + 1))
                printf 'ERROR     %s  (xsfuzz replay exited %d: %s)\n' "$f" "$rc" "$(tail -n 1 <<<"$report")"
                ;;
        esac
    done
done

if [[ -n "$first_file" ]]; then
    echo
    echo "=== report for the first disagreement: $first_file"
    printf '%s\n' "$first_report"
    echo
    echo "=== disagreements by signature (${#sig_order[@]} distinct)"
    for sig in "${sig_order[@]}"; do
        printf '%5d  %s\n       e.g. %s\n' "${sig_count[$sig]}" "$sig" "${sig_example[$sig]}"
    done
fi
echo
echo "replayed $n: $n_agree agree, $n_fail disagree, $n_error error"
[[ $n_fail -eq 0 ]] || exit 1
[[ $n_error -eq 0 ]] || exit 2
exit 0
