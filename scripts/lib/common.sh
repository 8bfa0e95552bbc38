# Shared helpers for the AFL++ scripts (setup, fuzz, cmin, tmin, replay, bench, test-afl).
# Sourced, never run. The caller has `set -euo pipefail` and sets XS_SCRIPT (its own name).
# shellcheck shell=bash

# A library: the variables it sets are read by the scripts that source it.
# shellcheck disable=SC2034
XS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
XS_BUILD="$XS_ROOT/build"
XS_PLAIN="$XS_BUILD/plain"              # plain publish: replay, shrink, corpus, faults
XS_AFL="$XS_BUILD/afl"                  # instrumented copy: afl-fuzz, afl-cmin, afl-tmin, afl-showmap
XS_XSFUZZ="$XS_PLAIN/xsfuzz"
XS_XSFUZZ_AFL="$XS_AFL/xsfuzz"
XS_CORPUS="$XS_ROOT/corpus"
XS_MARKER=".xsfuzz-campaign"            # file in a fuzz.sh output dir: the campaign's settings

# Per-execution timeout for afl-fuzz/afl-cmin/afl-tmin/afl-showmap, in ms. One execution of the
# harness takes well under 10 ms; the budget is this large because with
# Fuzzer.OutOfProcess.Run the first execution after a (re)start includes the .NET start-up and
# JIT of the child process, which on a loaded 2-core machine takes up to ~1.5 s.
XS_DEFAULT_TIMEOUT_MS=5000

XS_SCRIPT="${XS_SCRIPT:-$(basename "$0")}"

xs_log() { printf '[%s] %s\n' "$XS_SCRIPT" "$*" >&2; }
xs_die() { printf '%s: error: %s\n' "$XS_SCRIPT" "$*" >&2; exit 1; }
# Bad command line: message, pointer to --help, exit 2.
xs_usage_error() {
    printf '%s: %s\n' "$XS_SCRIPT" "$*" >&2
    printf "Try '%s --help'.\n" "$XS_SCRIPT" >&2
    exit 2
}

# Absolute path of a (possibly not yet existing) path given relative to the caller's cwd.
xs_abspath() { realpath -m -- "$1"; }

# Whole seconds (rounded up) from a duration in the grammar of xsfuzz's --time (CommonOptions.
# ParseDuration, pinned against this function by DurationGrammarTests): a positive decimal number
# with an optional unit s, m, h or d (90, 90s, 1.5h, 2d), at most 365 days. Fails on anything else.
xs_duration_seconds() {
    [[ "$1" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)([smhd]?)$ ]] || return 1
    awk -v n="${BASH_REMATCH[1]}" -v u="${BASH_REMATCH[2]}" 'BEGIN {
        scale = (u == "m") ? 60 : (u == "h") ? 3600 : (u == "d") ? 86400 : 1
        s = n * scale
        if (s <= 0 || s > 365 * 86400) exit 1
        whole = int(s); if (whole < s) whole++
        print whole
    }'
}

# A --time option's value as whole seconds in XS_SECONDS (0: no --time given); a usage error otherwise.
xs_parse_time_option() {  # VALUE_OR_EMPTY
    XS_SECONDS=0
    [[ -n "$1" ]] || return 0
    XS_SECONDS="$(xs_duration_seconds "$1")" \
        || xs_usage_error "bad duration '$1' for --time (examples: 90, 90s, 5m, 1.5h, 2d; at most 365d)"
}

xs_is_uint() { [[ "${1:-}" =~ ^[0-9]+$ ]]; }

# Installs the Debian packages that provide missing commands, then checks every command is there.
# Each argument is PACKAGE=COMMAND[,COMMAND...]: xs_install_packages afl++=afl-fuzz,afl-plot gnuplot-nox=gnuplot
# Root runs apt-get itself; anyone else goes through sudo. sudo resets the environment, so
# DEBIAN_FRONTEND is passed through env after it (never as a prefix of "$sudo", which breaks as root).
xs_install_packages() {
    local spec package provides c missing=() packages=()
    for spec in "$@"; do
        package="${spec%%=*}"
        IFS=, read -ra provides <<<"${spec#*=}"
        for c in "${provides[@]}"; do
            if ! command -v "$c" >/dev/null 2>&1; then
                missing+=("$c")
                [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
            fi
        done
    done
    [[ ${#packages[@]} -gt 0 ]] || return 0
    xs_log "installing ${packages[*]} with apt-get (missing: ${missing[*]})"
    local sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 \
            || xs_die "${missing[*]} missing and this is not root: run 'apt-get install ${packages[*]}' as root"
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -q >/dev/null || xs_die "apt-get update failed"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null \
        || xs_die "apt-get install ${packages[*]} failed"
    for c in "${missing[@]}"; do
        command -v "$c" >/dev/null 2>&1 || xs_die "apt-get installed ${packages[*]} but '$c' is still not on PATH"
    done
}

# Requires an option's value: xs_optarg "$1" "${2-}" -> dies if missing.
xs_need_value() {
    [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || xs_usage_error "option $1 needs a value"
}

# Builds (or checks) both builds; quick when nothing changed. bench.sh and test-afl.sh run
# setup.sh once and then set XS_BUILD_CHECKED=1, so that a source edit in the middle of their
# run cannot mix two builds in one set of measurements or checks.
xs_ensure_build() {
    if [[ "${XS_BUILD_CHECKED:-}" == 1 && -x "$XS_XSFUZZ" && -x "$XS_XSFUZZ_AFL" ]]; then
        return 0
    fi
    "$XS_ROOT/scripts/setup.sh" --quiet
}

# Environment for every AFL++ tool run against the instrumented target.
xs_afl_env() {
    export AFL_SKIP_BIN_CHECK=1                   # a .NET apphost has no AFL marker in it
    export AFL_NO_UI=1                            # headless; status comes from fuzz.sh
    export AFL_SKIP_CPUFREQ=1                     # no cpufreq governor in VMs/containers
    export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1  # containers often pipe core_pattern
    export AFL_FORKSRV_INIT_TMOUT=30000           # .NET start-up on a loaded machine
    export AFL_ALLOW_TMP=1                        # afl-cmin refuses dirs under /tmp otherwise
    # Runtime knobs for the target (measured with bench.sh, see the AFL note).
    export DOTNET_CLI_TELEMETRY_OPTOUT=1
    export DOTNET_NOLOGO=1
    export TERM=dumb                              # afl-whatsup calls tput
}

# The instrumented target command line: xs_target_cmd ARRAY_NAME FAULT [extra args...]
xs_target_cmd() {
    local -n _cmd="$1"
    local fault="$2"
    shift 2
    _cmd=("$XS_XSFUZZ_AFL" afl)
    [[ -z "$fault" ]] || _cmd+=(--fault "$fault")
    _cmd+=("$@")
}

# Planted fault names, one per line (the first word of each line of `xsfuzz faults`).
xs_fault_names() {
    "$XS_XSFUZZ" faults | awk 'NF && $1 !~ /^#/ {print $1}'
}

# Dies unless NAME is a planted fault (or empty).
xs_check_fault() {
    local name="$1" f
    [[ -n "$name" ]] || return 0
    while IFS= read -r f; do
        [[ "$f" == "$name" ]] && return 0
    done < <(xs_fault_names)
    xs_usage_error "unknown fault '$name' (known: $(xs_fault_names | paste -sd' ' -))"
}

# A fuzz.sh output dir records its settings in $XS_MARKER as key=value lines.
xs_marker_get() {  # DIR KEY
    local file="$1/$XS_MARKER"
    [[ -f "$file" ]] || return 1
    awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; found = 1 } END { exit !found }' "$file"
}

# The fuzz.sh output dir that FILE-or-DIR is in (itself or one of its 3 parents), if any.
xs_campaign_dir() {
    local p _
    p="$(xs_abspath "$1")"
    [[ -d "$p" ]] || p="$(dirname "$p")"
    for _ in 0 1 2 3; do
        if [[ -f "$p/$XS_MARKER" ]]; then
            echo "$p"
            return 0
        fi
        p="$(dirname "$p")"
    done
    return 1
}

# A setting of the campaign that FILE-or-DIR belongs to: xs_campaign_get PATH KEY
xs_campaign_get() {
    local dir
    dir="$(xs_campaign_dir "$1")" || return 1
    xs_marker_get "$dir" "$2"
}

# CPUs this process may run on, one per line (honours taskset/cgroup cpusets).
xs_cpus() {
    local list
    list="$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/self/status 2>/dev/null || true)"
    if [[ -z "$list" ]]; then
        seq 0 $(($(nproc) - 1))
        return
    fi
    local part a b
    IFS=, read -ra parts <<<"$list"
    for part in "${parts[@]}"; do
        if [[ "$part" == *-* ]]; then
            a="${part%-*}"; b="${part#*-}"
            seq "$a" "$b"
        else
            echo "$part"
        fi
    done
}

# Input files of a corpus/queue/crash dir, in byte order: regular files, not hidden, no README, no
# Markdown. The rule is xsfuzz's (InputFiles.cs); InputFilesTests checks that the two agree.
xs_list_inputs() {  # DIR
    find "$1" -maxdepth 1 -type f ! -name '.*' ! -name 'README*' ! -name '*.md' -print | LC_ALL=C sort
}

# AFL output layout helpers. A "sync dir" holds one sub-dir per worker (each with fuzzer_stats).
xs_is_sync_dir() { compgen -G "$1/*/fuzzer_stats" >/dev/null || compgen -G "$1/*/queue" >/dev/null; }
xs_is_worker_dir() { [[ -d "$1/queue" ]]; }

# Copies the input files of IN into the flat dir DEST: IN is a corpus dir, one worker's AFL dir (its
# queue/) or a fuzz.sh output dir (every worker's queue/, names prefixed by worker). Prints the count.
xs_gather_inputs() {  # IN DEST
    local in="$1" dest="$2" q w f n=0
    if xs_is_sync_dir "$in"; then
        for q in "$in"/*/queue; do
            w="$(basename "$(dirname "$q")")"
            while IFS= read -r f; do
                cp -- "$f" "$dest/$w-$(basename "$f" | cut -d, -f1 | tr ':' '_')"
                n=$((n + 1))
            done < <(xs_list_inputs "$q")
        done
    else
        [[ ! -d "$in/queue" ]] || in="$in/queue"
        while IFS= read -r f; do
            cp -- "$f" "$dest/"
            n=$((n + 1))
        done < <(xs_list_inputs "$in")
    fi
    echo "$n"
}

# Crash files under a sync dir, a worker dir, a crashes dir, or a plain dir; one per line.
xs_crash_files() {  # PATH
    local p="$1"
    if [[ -f "$p" ]]; then
        echo "$p"
    elif xs_is_sync_dir "$p"; then
        find "$p" -mindepth 3 -maxdepth 3 -path '*/crashes/id:*' -type f | LC_ALL=C sort
    elif xs_is_worker_dir "$p"; then
        find "$p/crashes" -maxdepth 1 -name 'id:*' -type f 2>/dev/null | LC_ALL=C sort
    else
        xs_list_inputs "$p"
    fi
}

# One value from a worker's fuzzer_stats: xs_stat FILE KEY
xs_stat() {
    awk -F' *: *' -v k="$2" '$1 == k { print $2; exit }' "$1" 2>/dev/null
}

# Integer part of a number, 0 for anything else ("inf", "", "12.5%" -> 12).
xs_int() {
    local v="${1%%.*}"
    v="${v%\%}"
    [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}

# A word quoted for the shell only when it needs it (AFL's id:000000,sig:06,... names do not).
xs_quote() {
    if [[ "$1" =~ ^[A-Za-z0-9_./:,=+@%-]+$ ]]; then
        printf '%s' "$1"
    else
        printf '%q' "$1"
    fi
}

# Total size in bytes of the regular files directly in DIR.
xs_bytes() { find "$1" -maxdepth 1 -type f -printf '%s\n' | awk '{ t += $1 } END { print t + 0 }'; }

# The first N lines of stdin. Unlike head, it reads everything, so the writer never gets SIGPIPE
# (which pipefail would turn into a failure).
xs_first() { awk -v n="$1" 'NR <= n'; }

# Number of lines of stdin that are not empty.
xs_count() { grep -c . || true; }

# The work dir of an end-to-end check script, in XS_WORK: the --keep DIR the user named (which must
# not exist yet, and is kept), else a temporary dir removed on exit. PREFIX names the temporary dir.
xs_make_work_dir() {  # KEEP_DIR_OR_EMPTY PREFIX
    if [[ -n "$1" ]]; then
        [[ ! -e "$1" ]] || xs_die "--keep $1 already exists"
        XS_WORK="$(xs_abspath "$1")"
        mkdir -p "$XS_WORK"
    else
        XS_WORK="$(mktemp -d "${TMPDIR:-/tmp}/$2.XXXXXX")"
        trap 'rm -rf "$XS_WORK"' EXIT
    fi
}

# For check scripts whose only option is --keep DIR: parses the arguments (the caller's usage()
# serves -h) and makes the work dir, XS_WORK.
xs_work_dir_from_args() {  # PREFIX ARGS...
    local prefix="$1" keep=""
    shift
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --keep) xs_need_value "$@"; keep="$2"; shift ;;
            -h|--help) usage; exit 0 ;;
            *) xs_usage_error "unknown argument '$1'" ;;
        esac
        shift
    done
    xs_make_work_dir "$keep" "$prefix"
}

# The options of the scripts that run the target over a folder or a file with a campaign's settings
# (cmin.sh, tmin.sh, coverage.sh): [--fault NAME] [--timeout MS] and exactly two operands. Sets
# XS_FAULT (empty: not given), XS_FAULT_GIVEN, XS_TIMEOUT_MS (empty: not given) and XS_OPERANDS.
# WITH_TIMEOUT is 1 when the script takes --timeout. The caller's usage() serves -h.
xs_parse_target_options() {  # WITH_TIMEOUT OPERAND_NAMES ARGS...
    local with_timeout="$1" names="$2"
    shift 2
    XS_FAULT="" XS_FAULT_GIVEN=0 XS_TIMEOUT_MS="" XS_OPERANDS=()
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --fault) xs_need_value "$@"; XS_FAULT="$2"; XS_FAULT_GIVEN=1; shift ;;
            --timeout)
                [[ "$with_timeout" == 1 ]] || xs_usage_error "unknown option '$1'"
                xs_need_value "$@"; XS_TIMEOUT_MS="$2"; shift ;;
            -h|--help) usage; exit 0 ;;
            -*) xs_usage_error "unknown option '$1'" ;;
            *) XS_OPERANDS+=("$1") ;;
        esac
        shift
    done
    [[ ${#XS_OPERANDS[@]} -eq 2 ]] || xs_usage_error "give exactly $names"
    [[ -z "$XS_TIMEOUT_MS" ]] || { xs_is_uint "$XS_TIMEOUT_MS" && [[ $XS_TIMEOUT_MS -ge 10 ]]; } \
        || xs_usage_error "--timeout needs milliseconds (>= 10), not '$XS_TIMEOUT_MS'"
}

# An OUT folder that a script fills: it must not exist, or be empty.
xs_require_empty_out() {  # OUT
    if [[ -e "$1" ]]; then
        [[ -d "$1" && -z "$(ls -A "$1")" ]] || xs_die "OUT $1 already exists and is not empty; choose another OUT"
    fi
}

# The campaign settings the target runs with, for an input inside a campaign: the fault (unless
# --fault was given), the timeout (unless --timeout was) and the campaign's --config, which its inputs
# decode only under (XS_CONFIG_ARGS: empty, or --config NAME|FILE). Sets XS_FAULT and XS_TIMEOUT_MS too.
xs_settle_campaign_settings() {  # PATH
    [[ $XS_FAULT_GIVEN -eq 1 ]] || XS_FAULT="$(xs_campaign_get "$1" fault || true)"
    xs_check_fault "$XS_FAULT"
    [[ -n "$XS_TIMEOUT_MS" ]] || XS_TIMEOUT_MS="$(xs_campaign_get "$1" timeout_ms || echo "$XS_DEFAULT_TIMEOUT_MS")"
    local config
    config="$(xs_campaign_get "$1" config || true)"
    XS_CONFIG_ARGS=()
    [[ -z "$config" ]] || XS_CONFIG_ARGS=(--config "$config")
}

# The AFL crashes of a daemon campaign as its target saw them (xsfuzz afl --daemon appends to
# OUT/WORKER/crash-signatures.log, see CrashSignatureLog.cs), one row per signature over all workers,
# earliest first: first seen (seconds since the campaign's start), crashing runs (AFL saves only those
# with new edges), the signature and a replay line. It classifies crashes that triage cannot reproduce.
xs_crash_signature_table() {  # OUT
    local out="$1" f logs=()
    for f in "$out"/*/crash-signatures.log; do
        [[ -f "$f" ]] && logs+=("$f")
    done
    if [[ ${#logs[@]} -eq 0 ]]; then
        echo "crash signatures: none (the target met no new difference)"
        return 0
    fi
    echo "crash signatures, as the target saw them (first seen: seconds since the campaign's start; runs: crashing runs):"
    awk -F'\t' '
        { n[$2]++
          if (!($2 in t) || $1 + 0 < t[$2] + 0) t[$2] = $1
          if ($3 != "" && !($2 in r)) r[$2] = $3 }
        END { for (k in t) printf "%s\t%s\t%s\t%s\n", t[k], n[k], k, r[k] }' "${logs[@]}" \
        | LC_ALL=C sort -t$'\t' -k1,1g -k3,3 \
        | awk -F'\t' 'BEGIN { printf "%14s %7s  %s\n", "first seen (s)", "runs", "signature / replay" }
                     { printf "%14s %7s  %s\n%24s%s\n", $1, $2, $3, "", $4 }'
}

# The allow-list entries a daemon campaign met (xsfuzz afl --daemon writes OUT/WORKER/known/NNN-SLUG/,
# see KnownFindingLog.cs), one row per entry over all workers, earliest first: first seen (seconds since
# the campaign's start, the dry run of the seeds included), total count, the worker and input of the
# first find, the entry.
xs_known_table() {  # OUT
    local out="$1" f d w rows=""
    for f in "$out"/*/known/*/first; do
        [[ -f "$f" ]] || continue
        d="${f%/first}" w="${f%/known/*}"
        rows+="$(printf '%s\t%s\t%s\t%s\t%s\t%s' "${d##*/}" "$(sed -n 's/^seconds=//p' "$f")" \
            "$(cat "$d/count" 2>/dev/null || echo 1)" "${w##*/}" "$d/input" "$(sed -n 's/^entry=//p' "$f")")"$'\n'
    done
    if [[ -z "$rows" ]]; then
        echo "known differences met: none (no allow-list entry matched)"
        return 0
    fi
    echo "known differences met (allow-list entries; first seen: seconds since the campaign's start, dry run included):"
    printf '%s' "$rows" | awk -F'\t' '
        { n[$1] += $3
          if (!($1 in t) || $2 + 0 < t[$1] + 0) { t[$1] = $2; w[$1] = $4; i[$1] = $5; e[$1] = $6 } }
        END { for (k in t) printf "%s\t%s\t%s\t%s\t%s\t%s\n", t[k], k, n[k], w[k], i[k], e[k] }' \
        | LC_ALL=C sort -t$'\t' -k1,1g -k2,2 \
        | awk -F'\t' 'BEGIN { printf "%-5s %14s %9s  %s\n", "entry", "first seen (s)", "count", "allow-list entry / first input (worker)" }
                     { printf "%-5s %14s %9s  %s\n%31s%s (%s)\n", substr($2, 1, 3), $1, $3, $6, "", $5, $4 }'
}
