#!/usr/bin/env bash
# compare.sh: run each workload under bin/tvp-threads and bin/tvp-processes,
# alternating the two run by run, and print one side-by-side comparison.
# Exit status: 0 every row identical and verified, 1 otherwise, 2 bad usage
# (or a build that failed), 128+N when stopped by signal N.
set -euo pipefail
export LC_ALL=C   # '.' decimal point and byte-wise sorting everywhere

PROG=${0##*/}
HERE=$(cd "$(dirname "$0")" && pwd)
THREADS_BIN=$HERE/bin/tvp-threads
PROCESSES_BIN=$HERE/bin/tvp-processes
MODES=(threads processes)

# Settings, changed by the options.
WORKLOADS_ARG=hash,fileread
WORKERS_ARG=1,2,4,8
REPEATS=5
REPEATS_GIVEN=no
FORMAT=table
OUTFILE=
QUICK=no
PASS=()           # workload options given after --

# Run state.
TMP=
CHILD=            # pid of the program run in progress, if any
declare -A WALLS=()     # "wl|n|mode" -> wall times of good runs, one a line
declare -A RUNS=()      # "wl|n|mode" -> lines "status<TAB>wall<TAB>result<TAB>verified"
declare -A IDENTICAL=() # "wl|n" -> yes/no
declare -A LOST=()      # "wl|n" -> number of lost runs

# Print the help text.
usage() {
    cat <<EOF
usage: $PROG [options] [-- workload options]

Runs each workload with bin/tvp-threads and bin/tvp-processes for each
worker count, alternating threads and processes run by run, and prints
the median wall time (min-max) of each mode side by side.

  -w LIST        workloads, comma-separated, or 'all' (default: hash,fileread)
  -j LIST        worker counts, comma-separated (default: 1,2,4,8)
  -r N           repeats per mode and worker count (default: 5; 3 with --quick)
  --format F     table (default), csv, json or markdown
  -o FILE        write the output to FILE instead of stdout
  --quick        pass --quick to the programs (small sizes)
  -h, --help     this help

Options after -- go to every selected workload (see bin/tvp-threads WORKLOAD --help).
Progress goes to stderr. Exit status: 0 all rows identical and verified,
1 otherwise, 2 bad usage.
EOF
}

# Print a one-line error and exit 2 (bad usage).
die_usage() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 2
}

# Print a one-line message to stderr (progress and warnings).
note() {
    printf '%s\n' "$*" >&2
}

# Remove the temp dir (EXIT trap).
cleanup() {
    if [[ -n $TMP && -d $TMP ]]; then
        rm -rf -- "$TMP"
    fi
}

# Kill the running program, then exit 128+signal (INT/TERM traps).
on_signal() {
    local sig=$1 num
    num=$(kill -l "$sig")
    if [[ -n $CHILD ]]; then
        kill -TERM "$CHILD" 2>/dev/null || true
        wait "$CHILD" 2>/dev/null || true
        CHILD=
    fi
    note "$PROG: interrupted by SIG$sig" 2>&3   # fd 3: stderr, even inside { wait; } 2>/dev/null
    trap - "$sig"
    exit $((128 + num))
}

# Fetch the value of option $1 from $2, which must be present.
need_value() {
    if [[ $# -lt 2 ]]; then
        die_usage "option $1 needs a value"
    fi
}

# Parse the command line into the settings above.
parse_args() {
    while [[ $# -gt 0 ]]; do
        case $1 in
            -w) need_value "$@"; WORKLOADS_ARG=$2; shift 2 ;;
            -j) need_value "$@"; WORKERS_ARG=$2; shift 2 ;;
            -r) need_value "$@"; REPEATS=$2; REPEATS_GIVEN=yes; shift 2 ;;
            -o) need_value "$@"; [[ -n $2 ]] || die_usage "bad -o '' (a file name)"; OUTFILE=$2; shift 2 ;;
            --format) need_value "$@"; FORMAT=$2; shift 2 ;;
            --format=*) FORMAT=${1#--format=}; shift ;;
            --quick) QUICK=yes; shift ;;
            -h|--help) usage; exit 0 ;;
            --) shift; PASS=("$@"); break ;;
            *) die_usage "unknown option '$1' (try --help)" ;;
        esac
    done
    case $FORMAT in
        table|csv|json|markdown) ;;
        *) die_usage "bad --format '$FORMAT' (table, csv, json or markdown)" ;;
    esac
    if [[ ! $REPEATS =~ ^[0-9]{1,6}$ ]] || ((10#$REPEATS < 1)); then
        die_usage "bad -r '$REPEATS' (a whole number 1 .. 999999)"
    fi
    REPEATS=$((10#$REPEATS))
    if [[ $QUICK == yes && $REPEATS_GIVEN == no ]]; then
        REPEATS=3
    fi
    if [[ -z $WORKERS_ARG ]]; then
        die_usage "bad -j '' (comma-separated positive integers)"
    fi
    local n
    IFS=, read -r -a WORKERS <<<"$WORKERS_ARG"
    for n in "${WORKERS[@]}"; do
        if [[ ! $n =~ ^[0-9]{1,5}$ ]] || ((10#$n < 1 || 10#$n > 4096)); then
            die_usage "bad -j '$WORKERS_ARG': '$n' is not a worker count 1 .. 4096"
        fi
    done
    for n in "${!WORKERS[@]}"; do
        WORKERS[n]=$((10#${WORKERS[n]}))
    done
    # Checked without creating it: a later usage error leaves nothing.
    if [[ -n $OUTFILE ]]; then
        if [[ -e $OUTFILE ]]; then
            [[ ! -d $OUTFILE && -w $OUTFILE ]] || die_usage "cannot write -o '$OUTFILE'"
        else
            local odir
            odir=$(dirname -- "$OUTFILE")
            [[ -d $odir && -w $odir ]] || die_usage "cannot write -o '$OUTFILE'"
        fi
    fi
}

# Build the programs with make if either is missing; explain a failure.
ensure_built() {
    if [[ -x $THREADS_BIN && -x $PROCESSES_BIN ]]; then
        return 0
    fi
    if ! command -v make >/dev/null; then
        note "$PROG: bin/ programs missing and 'make' is not installed (apt-get install make, then run 'make deps')"
        exit 2
    fi
    note "$PROG: building (make -s)"
    local log=$TMP/make.log missing
    if make -s -C "$HERE" >"$log" 2>&1; then
        return 0
    fi
    cat "$log" >&2
    missing=$(sed -n \
        -e "s/^.*Package '\{0,1\}\([^' ]*\)'\{0,1\},\{0,1\} was not found.*/pkg-config package \1/p" \
        -e "s/^.*No package '\([^']*\)' found.*/pkg-config package \1/p" \
        -e 's/^.*fatal error: \([^:]*\): No such file or directory.*/header \1/p' \
        -e 's/^.*\(pkg-config\): \(command \)\{0,1\}not found.*/program pkg-config/p' \
        -e 's/^.*\(cc\|gcc\): \(command \)\{0,1\}not found.*/C compiler \1/p' \
        "$log" | sort -u | paste -sd, - | sed 's/,/, /g')
    if [[ -n $missing ]]; then
        note "$PROG: build failed: missing $missing; try 'make deps'"
    else
        note "$PROG: build failed (see above); if a dependency is missing, try 'make deps'"
    fi
    exit 2
}

# Print the workload names a program lists, one a line, without repeats.
list_workloads() {
    "$1" --list | awk 'NF && !seen[$1]++ { print $1 }'
}

# Resolve -w into WORKLOADS, checking each name against both programs.
resolve_workloads() {
    local have_t have_p wl
    have_t=$(list_workloads "$THREADS_BIN")
    have_p=$(list_workloads "$PROCESSES_BIN")
    if [[ $WORKLOADS_ARG == all ]]; then
        mapfile -t WORKLOADS <<<"$have_t"
    else
        IFS=, read -r -a WORKLOADS <<<"$WORKLOADS_ARG"
    fi
    if ((${#WORKLOADS[@]} == 0)); then
        die_usage "bad -w '$WORKLOADS_ARG': no workloads"
    fi
    for wl in "${WORKLOADS[@]}"; do
        if ! grep -qxF -- "$wl" <<<"$have_t" || ! grep -qxF -- "$wl" <<<"$have_p"; then
            die_usage "workload '$wl' is not available (bin/tvp-threads --list has: $(paste -sd' ' - <<<"$have_t"))"
        fi
    done
}

# Describe a program's exit status $1 as a lost-run reason.
lost_reason() {
    local rc=$1
    if ((rc > 128)) && kill -l $((rc - 128)) >/dev/null 2>&1; then
        printf 'killed by SIG%s' "$(kill -l $((rc - 128)))"
    else
        printf 'exit %d' "$rc"
    fi
}

# Run one program once: run_one WORKLOAD WORKERS MODE RUN_NO; record it.
run_one() {
    local wl=$1 n=$2 mode=$3 run=$4 bin rc=0 row wall result verified reason
    local key="$wl|$n|$mode" out=$TMP/out err=$TMP/err
    local -a args=(-j "$n" --format csv)
    [[ $QUICK == yes ]] && args+=(--quick)
    args+=("$wl")
    args+=("${PASS[@]+"${PASS[@]}"}")
    if [[ $mode == threads ]]; then bin=$THREADS_BIN; else bin=$PROCESSES_BIN; fi

    # In the background, so a signal trap can run and kill it.
    "$bin" "${args[@]}" >"$out" 2>"$err" </dev/null &
    CHILD=$!
    { wait "$CHILD"; } 2>/dev/null || rc=$?   # no "Segmentation fault" job notice
    CHILD=

    if ((rc == 2)); then
        cat "$err" >&2
        die_usage "bad usage running: ${bin#"$HERE"/} ${args[*]}"
    fi
    row=$(awk -F, 'NR == 2 { print $4 "\t" $17 "\t" $18; exit }' "$out")
    if ((rc == 0)) && [[ -n $row ]]; then
        IFS=$'\t' read -r wall result verified <<<"$row"
        RUNS[$key]+="ok"$'\t'"$wall"$'\t'"$result"$'\t'"$verified"$'\n'
        WALLS[$key]+="$wall"$'\n'
        note "$wl -j $n run $run/$REPEATS $mode $(printf '%.3f' "$wall") s$([[ $verified == yes ]] || echo ' (not verified)')"
    else
        if ((rc == 0)); then reason="no data row"; else reason=$(lost_reason "$rc"); fi
        RUNS[$key]+="lost: $reason"$'\t\t\t'$'\n'
        LOST["$wl|$n"]=$((${LOST["$wl|$n"]:-0} + 1))
        note "$wl -j $n run $run/$REPEATS $mode lost: $reason"
        if [[ -s $err ]]; then
            sed 's/^/    /' "$err" | head -n 5 >&2
        fi
    fi
}

# Decide whether row WL|N is identical: no lost runs, all verified, one result.
judge_row() {
    local row=$1 all
    all=$(printf '%s' "${RUNS[$row|threads]:-}${RUNS[$row|processes]:-}")
    if awk -F'\t' 'NF && ($1 != "ok" || $4 != "yes") { bad = 1 }
                   NF && $1 == "ok" { r[$3] = 1; n++ }
                   END { for (k in r) distinct++; exit !(n && !bad && distinct == 1) }' \
        <<<"$all"; then
        IDENTICAL[$row]=yes
    else
        IDENTICAL[$row]=no
    fi
}

# Run every workload x worker count x repeat, alternating the two modes.
run_all() {
    local wl n run mode
    for wl in "${WORKLOADS[@]}"; do
        for n in "${WORKERS[@]}"; do
            for ((run = 1; run <= REPEATS; run++)); do
                for mode in "${MODES[@]}"; do
                    run_one "$wl" "$n" "$mode" "$run"
                done
            done
            judge_row "$wl|$n"
        done
    done
}

# Print "median min max" of the numbers on stdin, or "- - -" if none.
stats() {
    sort -g | awk '
        NF { v[++n] = $1 }
        END {
            if (!n) { print "- - -"; exit }
            m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            printf "%.6f %.6f %.6f\n", m, v[1], v[n]
        }'
}

# Print $1 / $2 with two decimals, or "-" if either is missing or zero.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
}

# Print one line per row (tab-separated) with every computed column:
# workload workers t_med t_min t_max p_med p_min p_max ratio t_speedup p_speedup identical lost
summarize() {
    local wl n mode med mn mx base
    local -a cols
    for wl in "${WORKLOADS[@]}"; do
        for n in "${WORKERS[@]}"; do
            cols=("$wl" "$n")
            for mode in "${MODES[@]}"; do
                read -r med mn mx < <(printf '%s' "${WALLS[$wl|$n|$mode]:-}" | stats)
                cols+=("$med" "$mn" "$mx")
            done
            cols+=("$(ratio "${cols[5]}" "${cols[2]}")")
            for mode in "${MODES[@]}"; do
                if [[ -n ${RUNS[$wl|1|$mode]+set} ]]; then
                    read -r base _ _ < <(printf '%s' "${WALLS[$wl|1|$mode]:-}" | stats)
                    if [[ $mode == threads ]]; then med=${cols[2]}; else med=${cols[5]}; fi
                    cols+=("$(ratio "$base" "$med")")
                else
                    cols+=("-")
                fi
            done
            cols+=("${IDENTICAL[$wl|$n]}" "${LOST[$wl|$n]:-0}")
            (IFS=$'\t'; printf '%s\n' "${cols[*]}")
        done
    done
}

# Format seconds $1 with three decimals ("-" stays "-").
secs() {
    if [[ $1 == - ]]; then printf -- '-'; else printf '%.3f' "$1"; fi
}

# Print "median (min–max)" for a mode's three stats.
cell() {
    if [[ $1 == - ]]; then
        printf 'all lost'
    else
        printf '%s (%s–%s)' "$(secs "$1")" "$(secs "$2")" "$(secs "$3")"
    fi
}

# Print "✓" or "✗" (with the number of lost runs) for a row.
mark() {
    if [[ $1 == yes ]]; then
        printf '✓'
    elif (($2 > 0)); then
        printf '✗ %d lost' "$2"
    else
        printf '✗'
    fi
}

# Pad $2 on the right to $1 display columns (the en dash is 3 bytes, 1 column).
pad() {
    local s=$2 dashes=${2//[!–]/}
    local width=$((${#s} - 2 * ${#dashes} / 3))
    printf '%s%*s' "$s" $(($1 > width ? $1 - width : 0)) ''
}

# Print the summary as an aligned text table.
format_table() {
    local wl n tmed tmin tmax pmed pmin pmax r ts ps same lost
    printf '%-10s %7s  %s %s %8s %8s %8s  %s\n' workload workers \
        "$(pad 26 'threads s (min–max)')" "$(pad 26 'processes s (min–max)')" \
        'p/t' 'speedT' 'speedP' 'same'
    while IFS=$'\t' read -r wl n tmed tmin tmax pmed pmin pmax r ts ps same lost; do
        printf '%-10s %7s  %s %s %8s %8s %8s  %s\n' "$wl" "$n" \
            "$(pad 26 "$(cell "$tmed" "$tmin" "$tmax")")" \
            "$(pad 26 "$(cell "$pmed" "$pmin" "$pmax")")" \
            "$r" "$ts" "$ps" "$(mark "$same" "$lost")"
    done
    printf '\np/t: processes median / threads median; speedT, speedP: each mode'"'"'s 1-worker median / this median.\n'
    printf 'runs per mode and row: %s%s; ✓ = every run of the row verified, with one result across both modes.\n' \
        "$REPEATS" "$([[ $QUICK == yes ]] && echo ', --quick')"
}

# Print the summary as a Markdown pipe table.
format_markdown() {
    local wl n tmed tmin tmax pmed pmin pmax r ts ps same lost
    printf '| workload | workers | threads s (min–max) | processes s (min–max) | processes/threads | threads speedup | processes speedup | identical |\n'
    printf '|---|---:|---:|---:|---:|---:|---:|:---:|\n'
    while IFS=$'\t' read -r wl n tmed tmin tmax pmed pmin pmax r ts ps same lost; do
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$wl" "$n" \
            "$(cell "$tmed" "$tmin" "$tmax")" "$(cell "$pmed" "$pmin" "$pmax")" \
            "$r" "$ts" "$ps" "$(mark "$same" "$lost")"
    done
}

# Print the summary as CSV with the fixed header.
format_csv() {
    local wl n tmed tmin tmax pmed pmin pmax r ts ps same lost
    echo 'workload,workers,threads_median_s,threads_min_s,threads_max_s,processes_median_s,processes_min_s,processes_max_s,ratio,threads_speedup,processes_speedup,identical'
    while IFS=$'\t' read -r wl n tmed tmin tmax pmed pmin pmax r ts ps same lost; do
        local -a f=("$tmed" "$tmin" "$tmax" "$pmed" "$pmin" "$pmax" "$r" "$ts" "$ps")
        f=("${f[@]/#-/}")   # missing values are empty fields
        printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$wl" "$n" "${f[@]}" "$same"
    done
}

# Print $1 as a JSON string.
json_str() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\t'/\\t}
    printf '"%s"' "$s"
}

# Print $1 as a JSON number, or null for "-"/empty.
json_num() {
    if [[ -z $1 || $1 == - ]]; then printf 'null'; else printf '%s' "$1"; fi
}

# Print the runs of WL|N|MODE as a JSON array of run objects.
json_runs() {
    local status wall result verified sep=''
    printf '['
    while IFS=$'\t' read -r status wall result verified; do
        [[ -n $status ]] || continue
        printf '%s{"status": %s, "wall_s": %s, "result": %s, "verified": %s}' "$sep" \
            "$(json_str "$status")" "$(json_num "$wall")" \
            "$([[ -n $result ]] && json_str "$result" || echo null)" \
            "$(case $verified in yes) echo true ;; no) echo false ;; *) echo null ;; esac)"
        sep=', '
    done <<<"${RUNS[$1]:-}"
    printf ']'
}

# Print the summary as JSON, with every run's raw wall time and result.
format_json() {
    local wl n tmed tmin tmax pmed pmin pmax r ts ps same lost sep='' mode result
    printf '{"repeats": %d, "quick": %s, "workload_options": [' "$REPEATS" \
        "$([[ $QUICK == yes ]] && echo true || echo false)"
    local o osep=''
    for o in "${PASS[@]+"${PASS[@]}"}"; do printf '%s%s' "$osep" "$(json_str "$o")"; osep=', '; done
    printf '],\n "rows": [\n'
    while IFS=$'\t' read -r wl n tmed tmin tmax pmed pmin pmax r ts ps same lost; do
        result=null
        if [[ $same == yes ]]; then
            result=$(json_str "$(printf '%s' "${RUNS[$wl|$n|threads]}" | awk -F'\t' 'NR == 1 { print $3 }')")
        fi
        printf '%s  {"workload": %s, "workers": %d, "identical": %s, "lost": %d, "result": %s,\n' \
            "$sep" "$(json_str "$wl")" "$n" "$([[ $same == yes ]] && echo true || echo false)" \
            "$lost" "$result"
        printf '   "ratio": %s,\n' "$(json_num "$r")"
        for mode in "${MODES[@]}"; do
            if [[ $mode == threads ]]; then
                printf '   "threads": {"median_s": %s, "min_s": %s, "max_s": %s, "speedup": %s,\n               "runs": %s},\n' \
                    "$(json_num "$tmed")" "$(json_num "$tmin")" "$(json_num "$tmax")" \
                    "$(json_num "$ts")" "$(json_runs "$wl|$n|threads")"
            else
                printf '   "processes": {"median_s": %s, "min_s": %s, "max_s": %s, "speedup": %s,\n                 "runs": %s}}' \
                    "$(json_num "$pmed")" "$(json_num "$pmin")" "$(json_num "$pmax")" \
                    "$(json_num "$ps")" "$(json_runs "$wl|$n|processes")"
            fi
        done
        sep=$',\n'
    done
    printf '\n ]}\n'
}

# Entry point.
main() {
    parse_args "$@"
    exec 3>&2
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/tvp-compare.XXXXXX")
    trap cleanup EXIT
    trap 'on_signal INT' INT
    trap 'on_signal TERM' TERM
    ensure_built
    resolve_workloads
    run_all

    local report=$TMP/report
    summarize >"$TMP/summary"
    "format_$FORMAT" <"$TMP/summary" >"$report"
    if [[ -n $OUTFILE ]]; then
        cat "$report" >"$OUTFILE"
        note "$PROG: wrote $OUTFILE"
    else
        cat "$report"
    fi

    local row
    for row in "${!IDENTICAL[@]}"; do
        [[ ${IDENTICAL[$row]} == yes ]] || return 1
    done
    return 0
}

main "$@"
