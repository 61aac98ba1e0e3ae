#!/usr/bin/env bash
# compare.sh: run each workload under tvp-threads and tvp-processes,
# alternating the two run by run, and print one side-by-side comparison.
# Exit status: 0 every row identical and verified, 1 otherwise, 2 bad usage
# (or a build that failed), 128+N when stopped by signal N.
set -euo pipefail
export LC_ALL=C   # '.' decimal point and byte-wise sorting everywhere

PROG=${0##*/}
HERE=$(cd "$(dirname "$0")" && pwd)
# Where the programs are (ensure_built checks): $TVP_BINDIR if set; else,
# run from a source tree, its bin/ (built with make if missing); else, an
# installed copy, the bindir that make install writes on the next line,
# and if they are not there, the PATH.
TVP_INSTALLED_BINDIR=
if [[ -n ${TVP_BINDIR:-} ]]; then
    BINS_FROM=variable
    THREADS_BIN=$TVP_BINDIR/tvp-threads
    PROCESSES_BIN=$TVP_BINDIR/tvp-processes
elif [[ -f $HERE/Makefile && -d $HERE/common ]]; then
    BINS_FROM=source
    THREADS_BIN=$HERE/bin/tvp-threads
    PROCESSES_BIN=$HERE/bin/tvp-processes
elif [[ -n $TVP_INSTALLED_BINDIR && -x $TVP_INSTALLED_BINDIR/tvp-threads &&
        -x $TVP_INSTALLED_BINDIR/tvp-processes ]]; then
    BINS_FROM=installed
    THREADS_BIN=$TVP_INSTALLED_BINDIR/tvp-threads
    PROCESSES_BIN=$TVP_INSTALLED_BINDIR/tvp-processes
else
    BINS_FROM=path
    THREADS_BIN=$(command -v tvp-threads || true)
    PROCESSES_BIN=$(command -v tvp-processes || true)
fi
MODES=(threads processes)

# Settings, changed by the options.
WORKLOADS_ARG=hash,fileread
WORKERS_ARG=1,2,4,8
REPEATS=5
REPEATS_GIVEN=no
FORMAT=table
OUTFILE=
QUICK=no
FAULTS=no
LESSONS=no
PASS=()           # workload options given after --

# Run state.
TMP=
CHILD=            # pid of the program run in progress, if any
declare -A WALLS=()     # "wl|n|mode" -> wall times of good runs, one a line
declare -A RUNS=()      # "wl|n|mode" -> lines "status<TAB>wall<TAB>result<TAB>verified"
declare -A IDENTICAL=() # "wl|n" -> yes/no/refused
declare -A REFUSED=()   # "wl|n" -> the program's reason, when it refused the row
declare -A LOST=()      # "wl|n" -> number of lost runs

# Print the help text.
usage() {
    cat <<EOF
usage: $PROG [options] [-- workload options]

Runs each workload with tvp-threads and tvp-processes for each
worker count, alternating threads and processes run by run, and prints
the median wall time (min-max) of each mode side by side.

  -w LIST        workloads, comma-separated, or 'all' (default: hash,fileread)
  -j LIST        worker counts, comma-separated (default: 1,2,4,8)
  -r N           repeats per mode and worker count (default: 5; 3 with --quick)
  --format F     table (default), csv, json or markdown
  -o FILE        write the output to FILE instead of stdout
  --quick        pass --quick to the programs (small sizes)
  --lessons      instead of the table: run each coordination pattern (lock,
                 event, queue, semaphore, spawning, background workers)
                 and the CPU/IO pair at sizes that finish in about a minute,
                 and print per pattern the figures of both modes side by
                 side with one sentence on what they show (text only)
  --faults       instead of timings: inject each fault (crash, kill, exit,
                 hang) into worker 1 of 4 running hash, with and without
                 --recover, in both modes, and print what survived
  -h, --help     this help

Options after -- go to every selected workload (see tvp-threads WORKLOAD --help).
Progress goes to stderr. Exit status: 0 all rows identical and verified,
1 otherwise, 2 bad usage.

The programs: tvp-threads and tvp-processes in \$TVP_BINDIR if that is
set; else in bin/ of the source tree this script is in (built if missing);
else those in ${TVP_INSTALLED_BINDIR:+$TVP_INSTALLED_BINDIR, or on }the PATH.
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
            --faults) FAULTS=yes; shift ;;
            --lessons) LESSONS=yes; shift ;;
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

# Check that both programs are there: from a source tree, build them with
# make if either is missing, and explain a failure; else exit 2, saying
# where they were looked for.
ensure_built() {
    if [[ -x $THREADS_BIN && -x $PROCESSES_BIN ]]; then
        return 0
    fi
    local absent=()
    [[ -x $THREADS_BIN ]] || absent+=("${THREADS_BIN:-tvp-threads}")
    [[ -x $PROCESSES_BIN ]] || absent+=("${PROCESSES_BIN:-tvp-processes}")
    case $BINS_FROM in
        variable)
            note "$PROG: not found or not executable: ${absent[*]} (TVP_BINDIR is set)"
            exit 2 ;;
        installed|path)
            note "$PROG: not found in ${TVP_INSTALLED_BINDIR:+$TVP_INSTALLED_BINDIR nor in }the PATH: ${absent[*]}; set TVP_BINDIR to the directory that has them"
            exit 2 ;;
    esac
    if ! command -v make >/dev/null; then
        note "$PROG: $HERE/bin/ programs missing and 'make' is not installed (apt-get install make, then run 'make deps')"
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
            die_usage "workload '$wl' is not available ($THREADS_BIN --list has: $(paste -sd' ' - <<<"$have_t"))"
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

# Print the named fields of a program's CSV record (header line, data
# line), tab-separated.  By name, so new columns never shift them; quoted
# fields (RFC 4180) are read whole.  "metric:NAME" is the value of the
# metric called NAME (the metricK_value beside the metricK_name that
# holds it), or empty if the record has none.
csv_fields() {
    local file=$1
    shift
    awk -v want="$*" '
        function split_csv(line, f,    n, i, c, q, cur) {
            n = 0; cur = ""; q = 0
            for (i = 1; i <= length(line); i++) {
                c = substr(line, i, 1)
                if (q && c == "\"" && substr(line, i + 1, 1) == "\"") { cur = cur c; i++ }
                else if (c == "\"") q = !q
                else if (c == "," && !q) { f[++n] = cur; cur = "" }
                else cur = cur c
            }
            f[++n] = cur
            return n
        }
        NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i }
        NR == 2 {
            m = split_csv($0, f)
            for (i = 1; i <= m; i++)
                if (h[i] ~ /^metric[0-9]+_name$/ && f[i] != "") metric[f[i]] = f[i + 1]
            k = split(want, names, " ")
            for (i = 1; i <= k; i++) {
                v = names[i] ~ /^metric:/ ? metric[substr(names[i], 8)] : f[col[names[i]]]
                printf "%s%s", (i > 1 ? "\t" : ""), v
            }
            print ""
            exit
        }' "$file"
}

# Run MODE's program with ARGS, stdout to $TMP/out and stderr to
# $TMP/err; return its exit status.  In the background, so a signal trap
# can run and kill it.
run_program() {
    local mode=$1 bin rc=0
    shift
    if [[ $mode == threads ]]; then bin=$THREADS_BIN; else bin=$PROCESSES_BIN; fi
    "$bin" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null &
    CHILD=$!
    { wait "$CHILD"; } 2>/dev/null || rc=$?   # no "Segmentation fault" job notice
    CHILD=
    return "$rc"
}

# Run one program once: run_one WORKLOAD WORKERS MODE RUN_NO; record it.
run_one() {
    local wl=$1 n=$2 mode=$3 run=$4 rc=0 row wall result verified reason
    local key="$wl|$n|$mode" out=$TMP/out err=$TMP/err
    local -a args=(-j "$n" --format csv)
    [[ $QUICK == yes ]] && args+=(--quick)
    args+=("$wl")
    args+=("${PASS[@]+"${PASS[@]}"}")
    run_program "$mode" "${args[@]}" || rc=$?
    if ((rc == 2)) && [[ -z ${RUNS[$key]:-} && -z ${RUNS[$wl|$n|threads]:-} ]]; then
        # Refused as usage: for this worker count only (pingpong wants
        # pairs), or for all of them, which main() reports as bad usage.
        # (Once the other mode has run the row, exit 2 is a lost run.)
        REFUSED["$wl|$n"]=$(sed -n '1{s/^[^:]*: //;p}' "$err")
        note "$wl -j $n refused: ${REFUSED[$wl|$n]}"
        return 0
    fi
    row=$(csv_fields "$out" wall_s result verified)
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

# A workload refused at every worker count was given bad options: exit 2.
check_refusals() {
    local wl n refused
    for wl in "${WORKLOADS[@]}"; do
        refused=yes
        for n in "${WORKERS[@]}"; do
            [[ -n ${REFUSED[$wl|$n]+set} ]] || refused=no
        done
        if [[ $refused == yes ]]; then
            die_usage "$wl refused every worker count: ${REFUSED[$wl|${WORKERS[0]}]}"
        fi
    done
}

# Run every workload x worker count x repeat, alternating the two modes.
run_all() {
    local wl n run mode
    for wl in "${WORKLOADS[@]}"; do
        for n in "${WORKERS[@]}"; do
            for ((run = 1; run <= REPEATS; run++)); do
                for mode in "${MODES[@]}"; do
                    [[ -n ${REFUSED[$wl|$n]+set} ]] || run_one "$wl" "$n" "$mode" "$run"
                done
            done
            if [[ -n ${REFUSED[$wl|$n]+set} ]]; then
                IDENTICAL[$wl|$n]=refused
            else
                judge_row "$wl|$n"
            fi
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

# Print "median (min–max)" for a mode's three stats ($4: the row's mark).
cell() {
    if [[ ${4:-} == refused ]]; then
        printf 'not run'
    elif [[ $1 == - ]]; then
        printf 'all lost'
    else
        printf '%s (%s–%s)' "$(secs "$1")" "$(secs "$2")" "$(secs "$3")"
    fi
}

# Print "✓" or "✗" (with the number of lost runs) for a row.
mark() {
    if [[ $1 == yes ]]; then
        printf '✓'
    elif [[ $1 == refused ]]; then
        printf 'refused'
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
            "$(pad 26 "$(cell "$tmed" "$tmin" "$tmax" "$same")")" \
            "$(pad 26 "$(cell "$pmed" "$pmin" "$pmax" "$same")")" \
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
            "$(cell "$tmed" "$tmin" "$tmax" "$same")" "$(cell "$pmed" "$pmin" "$pmax" "$same")" \
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

# The fault cases of --faults: "kind recover" pairs.  A hang is not a
# death, so --recover does not apply; --timeout ends it.
FAULT_CASES=("none no" "crash no" "crash yes" "kill no" "kill yes" "exit no" "exit yes" "hang no")
FAULT_WORKLOAD=(hash --blocks 512 --block-size 16K --rounds 3000)
FAULT_TIMEOUT=3

# Run one fault case in one mode; print a tab-separated line:
# kind recover mode outcome wall_s recover_s verified same
fault_one() {
    local kind=$1 recover=$2 mode=$3 baseline=$4 rc=0 out=$TMP/out err=$TMP/err
    local wall result verified died redone recover_s outcome same=-
    local -a args=(-j 4 --format csv --timeout "$FAULT_TIMEOUT")
    [[ $kind == none ]] || args+=(--fault "$kind" --fault-worker 1)
    [[ $recover == yes ]] && args+=(--recover)
    run_program "$mode" "${args[@]}" "${FAULT_WORKLOAD[@]}" || rc=$?
    if ((rc == 0)) && [[ -s $out ]]; then
        IFS=$'\t' read -r wall result verified died redone recover_s \
            < <(csv_fields "$out" wall_s result verified died redone recover_s)
        if ((died > 0)); then
            outcome="survived: $died died, $redone item(s) redone"
        else
            outcome="completed"
        fi
        [[ -z $baseline ]] || { [[ $result == "$baseline" ]] && same=yes || same=no; }
        [[ $kind == none ]] && same=baseline
        printf '%s\t%s\t%s\t%s\t%.3f\t%.3f\t%s\t%s\t%s\n' "$kind" "$recover" "$mode" \
            "$outcome" "$wall" "$recover_s" "$verified" "$same" "$result"
    else
        if ((rc > 128)); then
            outcome="lost: program $(lost_reason "$rc")"
        else
            # The program's own first line says which worker and how.
            outcome="failed (exit $rc): $(sed -n '1{s/^[^:]*: //;s/ (pid [0-9]*)//;s/ ([A-Z][a-z ]*)//;p}' "$err")"
        fi
        printf '%s\t%s\t%s\t%s\t-\t-\t-\t-\t\n' "$kind" "$recover" "$mode" "$outcome"
    fi
}

# --faults: every fault case in both modes, then a table.
run_faults() {
    local case kind recover mode baseline=
    : >"$TMP/faults"
    for case in "${FAULT_CASES[@]}"; do
        read -r kind recover <<<"$case"
        for mode in "${MODES[@]}"; do
            note "fault $kind, recover $recover, $mode"
            fault_one "$kind" "$recover" "$mode" "$baseline" >>"$TMP/faults"
            if [[ $kind == none && -z $baseline ]]; then
                baseline=$(awk -F'\t' 'NR == 1 { print $9 }' "$TMP/faults")
            fi
        done
    done
}

# Print the --faults table (or CSV).
format_faults() {
    local kind recover mode outcome wall rs verified same result
    if [[ $FORMAT == csv ]]; then
        echo 'fault,recover,mode,outcome,wall_s,recover_s,verified,same_result'
        while IFS=$'\t' read -r kind recover mode outcome wall rs verified same result; do
            printf '%s,%s,%s,"%s",%s,%s,%s,%s\n' "$kind" "$recover" "$mode" \
                "${outcome//\"/\"\"}" "${wall/#-/}" "${rs/#-/}" "${verified/#-/}" "${same/#-/}"
        done
        return
    fi
    printf '%-6s %-7s %-10s %-64s %7s %9s %8s %s\n' fault recover mode outcome wall_s recover_s verified same
    while IFS=$'\t' read -r kind recover mode outcome wall rs verified same result; do
        printf '%-6s %-7s %-10s %-64.64s %7s %9s %8s %s\n' "$kind" "$recover" "$mode" \
            "$outcome" "$wall" "$rs" "$verified" "$same"
    done
    printf '\nEach case: %s -j 4 --timeout %s --fault KIND --fault-worker 1 [--recover] %s\n' \
        'tvp-MODE' "$FAULT_TIMEOUT" "${FAULT_WORKLOAD[*]}"
    printf 'recover_s: from the first death seen to the end of the run; same: result equals the fault-free run.\n'
}

# ---- --lessons ------------------------------------------------------------

LESSON_REPEATS=3

# Print the median of the numbers on stdin, or "-".
median() {
    stats | awk '{ print $1 }'
}

# lesson_run LABEL FIGURE -- ARGS: run ARGS in both modes, alternating,
# LESSON_REPEATS times.  FIGURE is what to take from each run, by name: a
# record column (work_s) or a metric (metric:ns_per_increment).  Sets L_T and L_P (median figure per mode,
# "-" if none), L_RT and L_RP (last result), L_VT and L_VP (last verified,
# or why the run was lost), and prints one row.
lesson_run() {
    local label=$1 figure=$2 run mode rc value result verified
    shift 3
    local -A got=()
    L_RT=- L_RP=- L_VT=- L_VP=-
    for ((run = 1; run <= LESSON_REPEATS; run++)); do
        for mode in "${MODES[@]}"; do
            rc=0
            run_program "$mode" --format csv "$@" || rc=$?
            if ((rc == 2)); then
                cat "$TMP/err" >&2
                die_usage "bad usage running: bin/tvp-$mode $*"
            fi
            if ((rc != 0)); then
                verified="lost ($(lost_reason "$rc"))"
                result=-
                value=
            else
                IFS=$'\t' read -r value result verified \
                    < <(csv_fields "$TMP/out" "$figure" result verified)
            fi
            [[ -n $value ]] && got[$mode]+="$value"$'\n'
            # A verdict other than the first run's sticks: every repeat counts.
            if [[ $mode == threads ]]; then
                L_RT=$result
                [[ $L_VT != - && $L_VT != "$verified" && $L_VT != yes ]] || L_VT=$verified
            else
                L_RP=$result
                [[ $L_VP != - && $L_VP != "$verified" && $L_VP != yes ]] || L_VP=$verified
            fi
        done
    done
    L_T=$(printf '%s' "${got[threads]:-}" | median)
    L_P=$(printf '%s' "${got[processes]:-}" | median)
    printf '  %-34s %12s %12s %6s   %s | %s\n' "$label" "$(short "$L_T")" "$(short "$L_P")" \
        "$(ratio "$L_P" "$L_T")" "$(verdict "$L_RT" "$L_VT")" "$(verdict "$L_RP" "$L_VP")"
}

# A figure with at most 4 significant digits, or "-".
short() {
    awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else if (v >= 100) printf "%.0f\n", v; else printf "%.3g\n", v }'
}

# "result (verified)" for a lesson row, trimmed.
verdict() {
    local r=$1
    ((${#r} > 28)) && r="${r:0:25}..."
    printf '%s (%s)' "$r" "$2"
}

# One sentence comparing processes' figure $2 with threads' $1 ($3: unit).
compare_say() {
    awk -v t="$1" -v p="$2" -v u="$3" 'BEGIN {
        if (t == "-" || p == "-" || t + 0 == 0) { print "(no figure to compare)"; exit }
        r = p / t
        if (r > 0.9 && r < 1.1) printf "about the same in both modes (threads %.3g, processes %.3g %s)", t, p, u
        else if (r >= 1.1) printf "%.2fx as much for processes as for threads (threads %.3g, processes %.3g %s)", r, t, p, u
        else printf "%.2fx as much for threads as for processes (threads %.3g, processes %.3g %s)", 1 / r, t, p, u
    }'
}

lesson_header() {
    printf '\n%s\n' "$1"
    printf '  %-34s %12s %12s %6s   %s\n' "$2" threads processes 'p/t' 'result (verified): threads | processes'
}

# "yes" if both modes verified in every repeat of the last lesson_run.
both_verified() {
    [[ $L_VT == yes && $L_VP == yes ]] && echo yes || echo no
}

# How many times faster $1 (seconds) is than $2, or "-" if either is missing.
speedup() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}

lesson_say() {
    printf '  => %s\n' "$*" | fold -s -w 100 | sed '2,$s/^/     /'
}

run_lessons() {
    local v t_none p_none exact=yes
    CORES=$(getconf _NPROCESSORS_ONLN)

    lesson_header "Lock: threading.Lock guarding a shared counter (counter -j 2, 5M increments each)" "ns per increment"
    for v in none mutex spin atomic; do
        note "lesson: counter --sync $v"
        lesson_run "--sync $v" metric:ns_per_increment -- -j 2 counter --sync "$v" --increments 5000000
        if [[ $v == none ]]; then
            t_none=$L_RT p_none=$L_RP
        elif [[ $L_VT != yes || $L_VP != yes ]]; then
            exact=no
        fi
        if [[ $v == mutex ]]; then lesson_say "A lock (a futex-based mutex; process-shared and robust for processes) costs $(compare_say "$L_T" "$L_P" "ns per increment")."; fi
    done
    lesson_say "Without a lock, read-then-write increments race: 10000000 expected, threads ended at $t_none and processes at $p_none (verified 'race' means updates were lost; 'yes' means none were, by luck). $([[ $exact == yes ]] && echo "mutex, spin and atomic were exact in both modes." || echo "NOT EXACT: a real sync method lost updates; that is a bug.")"

    lesson_header "Memory isolation: the same counter in memory that is not the shared region (counter -j 2)" "ns per increment"
    note "lesson: counter --share no"
    lesson_run "--share no (counter private)" metric:ns_per_increment -- -j 2 counter --sync mutex --share no --increments 5000000
    if [[ $L_RT == 10000000 && $L_RP == 0 && $(both_verified) == yes ]]; then
        lesson_say "Threads all added to one counter ($L_RT); each child process added to its own copy-on-write copy and the parent's stayed $L_RP: separate memory, shown."
    else
        lesson_say "Expected threads 10000000 and processes 0; got $L_RT ($L_VT) and $L_RP ($L_VP): not what separate memory predicts, look into it."
    fi
    note "lesson: counter --lock-in private"
    lesson_run "--lock-in private (mutex private)" metric:ns_per_increment -- -j 2 counter --sync mutex --lock-in private --increments 5000000
    if [[ $L_VP == race ]]; then
        lesson_say "A mutex outside the shared region still works for threads ($L_RT, $L_VT); after fork each process locks its own copy, which protects nothing: processes ended at $L_RP of 10000000 (race)."
    else
        lesson_say "Threads: $L_RT ($L_VT); processes: $L_RP ($L_VP). Each process locked its own copy of the mutex, but no update happened to be lost in these runs (a busy machine can run the two children in turn)."
    fi

    lesson_header "False sharing: per-worker counters on one cache line or padded apart (falseshare -j 2)" "ns per increment"
    note "lesson: falseshare"
    lesson_run "--padding no (one cache line)" metric:ns_per_increment -- -j 2 falseshare --padding no
    local t_adj=$L_T p_adj=$L_P
    lesson_run "--padding yes (own lines)" metric:ns_per_increment -- -j 2 falseshare --padding yes
    lesson_say "Each worker has its own counter; adjacent on one cache line they cost $(short "$t_adj") ns (threads) and $(short "$p_adj") ns (processes) per increment, padded apart $(short "$L_T") and $(short "$L_P") ns. Whatever the gap, it is the same kind in both modes: cache lines are shared by the hardware, not by the address space."

    lesson_header "Event: threading.Event, two workers passing a turn (pingpong -j 2, 10000 rounds)" "us per round trip"
    note "lesson: pingpong"
    lesson_run "--via event (mutex+condvar)" metric:us_per_round_trip -- -j 2 pingpong --via event
    lesson_say "A wake-up round trip through an event (mutex and condition variable in the shared region) costs $(compare_say "$L_T" "$L_P" "us")."
    lesson_run "--via pipe" metric:us_per_round_trip -- -j 2 pingpong --via pipe
    lesson_say "Through a pipe: $(compare_say "$L_T" "$L_P" "us")."

    lesson_header "Queue: queue.Queue feeding a pool (queue, 200000 items of 256 bytes, capacity 64)" "items per second"
    note "lesson: queue"
    lesson_run "-j 2 (1 producer, 1 consumer)" metric:items_per_s -- -j 2 queue
    lesson_say "$([[ $(both_verified) == yes ]] && echo "Every item passed through the ring in the shared region exactly once in both modes" || echo "NOT VERIFIED in every run (threads $L_VT, processes $L_VP)"); $(compare_say "$L_T" "$L_P" "items/s")."

    lesson_run "-j 4 (2 producers, 2 consumers)" metric:items_per_s -- -j 4 queue
    lesson_say "With 4 workers on $CORES cores: $(compare_say "$L_T" "$L_P" "items/s"). Both forms copy each item into the ring and out again: a queue is a message channel, between threads too."

    lesson_header "Semaphore: threading.Semaphore(2) guarding a scarce resource (semaphore -j 8, 100 rounds, 200 us held)" "us per entry"
    note "lesson: semaphore"
    lesson_run "--limit 2" metric:us_per_entry -- -j 8 semaphore --limit 2
    lesson_say "$([[ $(both_verified) == yes ]] && echo "Never more than 2 inside, and 2 reached, in both modes (threads: $L_RT; processes: $L_RP)" || echo "NOT VERIFIED in every run (threads $L_VT, processes $L_VP)"). Per entry, all workers together: $(compare_say "$L_T" "$L_P" "us"), against 100 us if waiting for a slot cost nothing."

    lesson_header "Spawning: Thread.start()+join() against fork()+waitpid() (spawn -j 1)" "us per spawn (median)"
    note "lesson: spawn"
    lesson_run "--touch 0" metric:us_per_spawn_median -- -j 1 spawn
    local t0=$L_T p0=$L_P
    lesson_say "Starting and finishing a worker that does nothing: $(compare_say "$L_T" "$L_P" "us")."
    lesson_run "--touch 1024 (parent touched 1 GiB)" metric:us_per_spawn_median -- -j 1 spawn --touch 1024
    lesson_say "After the parent touched 1 GiB, fork must copy its page tables: $(compare_say "$L_T" "$L_P" "us"). From --touch 0 to 1024 a fork went from $(short "$p0") to $(short "$L_P") us, a thread from $(short "$t0") to $(short "$L_T") us."

    lesson_header "Background workers: daemon threads and unreaped children at exit (background -j 1)" "work s"
    note "lesson: background"
    lesson_run "main program exits" work_s -- -j 1 background
    if [[ $L_RT == "$L_RP" && $(both_verified) == yes ]]; then
        lesson_say "Observed in both modes: $L_RT. A thread dies with its process; a child lives on, re-parented, unless it asked for PR_SET_PDEATHSIG."
    else
        lesson_say "Threads observed $L_RT ($L_VT), processes $L_RP ($L_VP)."
    fi

    lesson_header "CPU against I/O: the folk wisdom (hash and fileread with a simulated 1 ms device wait)" "work s"
    note "lesson: hash"
    lesson_run "hash -j 1" work_s -- -j 1 --quick hash
    local t1=$L_T p1=$L_P
    lesson_run "hash -j 2" work_s -- -j 2 --quick hash
    lesson_say "CPU-bound hashing on 2 workers ran $(speedup "$t1" "$L_T")x (threads) and $(speedup "$p1" "$L_P")x (processes) as fast as on one, with $CORES cores online: there is no GIL, so both modes can use more than one core."

    note "lesson: fileread"
    lesson_run "fileread -j 1 --delay-us 1000" work_s -- -j 1 fileread --files 64 --delay-us 1000
    t1=$L_T p1=$L_P
    lesson_run "fileread -j 8 --delay-us 1000" work_s -- -j 8 fileread --files 64 --delay-us 1000
    lesson_say "With a 1 ms wait per read, 8 workers ran $(speedup "$t1" "$L_T")x (threads) and $(speedup "$p1" "$L_P")x (processes) as fast as one, on $CORES cores: waits overlap in either mode."

    printf '\nMedians of %d runs per mode and row; p/t = processes / threads.\n' "$LESSON_REPEATS"
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
    if [[ $LESSONS == yes ]]; then
        if [[ -n $OUTFILE ]]; then
            run_lessons >"$OUTFILE"
            note "$PROG: wrote $OUTFILE"
        else
            run_lessons
        fi
        return 0
    fi
    if [[ $FAULTS == yes ]]; then
        run_faults
        if [[ -n $OUTFILE ]]; then
            format_faults <"$TMP/faults" >"$OUTFILE"
            note "$PROG: wrote $OUTFILE"
        else
            format_faults <"$TMP/faults"
        fi
        # Only the processes with --recover are expected to survive.
        awk -F'\t' '$2 == "yes" && $3 == "processes" && ($7 != "yes" || $8 != "yes") { bad = 1 }
                    END { exit bad }' "$TMP/faults"
        return
    fi
    resolve_workloads
    run_all
    check_refusals

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
    for row in "${!REFUSED[@]}"; do
        note "$PROG: ${row%|*} -j ${row#*|} not run: ${REFUSED[$row]}"
    done
    for row in "${!IDENTICAL[@]}"; do
        [[ ${IDENTICAL[$row]} == yes || ${IDENTICAL[$row]} == refused ]] || return 1
    done
    return 0
}

main "$@"
