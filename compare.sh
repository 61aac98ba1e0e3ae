#!/usr/bin/env bash
# compare.sh: the driver.  Runs each workload in every form (bin/tvp-threads,
# bin/tvp-processes), alternating the forms run by run after warm-ups,
# keeps every run's full record, and hands the kept runs to the report
# program (report/tvp-report), which computes every statistic and prints
# the report.  This script only runs commands; it reads no figure.
# Exit status: 0 every row identical and verified, 1 otherwise, 2 bad usage
# (or a build that failed), 128+N when stopped by signal N.
set -euo pipefail
export LC_ALL=C   # '.' decimal point and byte-wise sorting everywhere

PROG=${0##*/}
# Where this script really is (bin/tvp-compare is a symlink to it).
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# Where the programs are (ensure_built checks): $TVP_BINDIR if set; else,
# run from a source tree, its bin/ (built with make if missing); else, an
# installed copy, the bindir that make install writes on the next line,
# and if they are not there, the PATH.
TVP_INSTALLED_BINDIR=
if [[ -n ${TVP_BINDIR:-} ]]; then
    BINS_FROM=variable
    THREADS_BIN=$TVP_BINDIR/tvp-threads
    PROCESSES_BIN=$TVP_BINDIR/tvp-processes
    MPI_BIN=$TVP_BINDIR/tvp-mpi
elif [[ -f $HERE/Makefile && -d $HERE/common ]]; then
    BINS_FROM=source
    THREADS_BIN=$HERE/bin/tvp-threads
    PROCESSES_BIN=$HERE/bin/tvp-processes
    MPI_BIN=$HERE/bin/tvp-mpi
elif [[ -n $TVP_INSTALLED_BINDIR && -x $TVP_INSTALLED_BINDIR/tvp-threads &&
        -x $TVP_INSTALLED_BINDIR/tvp-processes ]]; then
    BINS_FROM=installed
    THREADS_BIN=$TVP_INSTALLED_BINDIR/tvp-threads
    PROCESSES_BIN=$TVP_INSTALLED_BINDIR/tvp-processes
    MPI_BIN=$TVP_INSTALLED_BINDIR/tvp-mpi
else
    BINS_FROM=path
    THREADS_BIN=$(command -v tvp-threads || true)
    PROCESSES_BIN=$(command -v tvp-processes || true)
    MPI_BIN=$(command -v tvp-mpi || true)
fi
# mpi/launch.sh (the MPI lessons) runs $TVP_BINDIR/tvp-mpi: the one found
# here, in a source tree and in an installed copy alike.
if [[ -n $MPI_BIN ]]; then
    TVP_BINDIR=$(dirname "$MPI_BIN")
    export TVP_BINDIR
fi
# The report program: Python 3 standard library, run by Debian's python3.
# Beside this script, in the source tree and where make install puts it.
PYTHON=/usr/bin/python3
REPORT=$HERE/report/tvp-report
# The raw reference programs of --fidelity: built in a source tree.
BENCH_DIR=${TVP_BENCHDIR:-$HERE/build/bench}
# The Python twin (--python), beside this script too.
# shellcheck disable=SC2034 # a $VAR word of FORM_TABLE
PY_TWIN=$HERE/python/tvp.py

# The forms, one line each: name, the flag that adds it ("-": always on;
# one flag may add several), the command for N workers (%N; a word $VAR
# is the value of that variable, a word @VAR the words of the array VAR,
# none or more; the command with --list after it names the form's
# workloads).  Adding a form is one line.  mpi: the ranks of an Open MPI
# job, its world size the worker count; more ranks than cores need
# --oversubscribe, and mpirun refuses to run as root without
# --allow-run-as-root.
# shellcheck disable=SC2016 # the $VAR words are expanded by form_argv
FORM_TABLE=(
    'threads      -         $THREADS_BIN -j %N'
    'processes    -         $PROCESSES_BIN -j %N'
    'py-threads   --python  $PYTHON $PY_TWIN --mode threads -j %N'
    'py-processes --python  $PYTHON $PY_TWIN --mode processes -j %N'
    'mpi          --mpi     @MPIRUN -np %N $MPI_BIN'
)
# mpirun by its path: a form's first word must be an executable.
# --bind-to none: the scheduler places ranks as it places the other
# forms' threads and processes (mpirun pins each rank to a core when
# there are no more ranks than cores, and a pinned rank waits for its
# core while another is idle).
MPIRUN=("$(command -v mpirun || echo mpirun)" --oversubscribe --bind-to none)
if [[ $(id -u) == 0 ]]; then
    MPIRUN+=(--allow-run-as-root)
fi

# The default comparison, one row a line, each at every DEFAULT_WORKERS
# count: workload | one option as NAME=VALUE ("-": none) | what the row
# shows (its label in the report).  -w or -x run workloads by name,
# without these options.  The I/O row falls back to cache=cold, said on
# stderr and in its label, where the filesystem refuses O_DIRECT.
DEFAULT_ROWS=(
    'hash     | -            | CPU: chained SHA-256 digests'
    'fileread | -            | memory bandwidth: reads from the page cache'
    'fileread | cache=direct | I/O: O_DIRECT reads, each waits on the device'
)
DEFAULT_WORKERS=1,2,4,8

# Settings, changed by the options.
SUITE=compare     # compare, lessons, faults or fidelity
WORKLOADS_ARG=
WORKERS_ARG=$DEFAULT_WORKERS
SWEEP_ARG=
REPEATS=
MIN_RUNS=5
MAX_RUNS=
MIN_TIME=0
WARMUP=1
FORMAT=table
OUTFILE=
SAVEFILE=
PLOTDIR=
QUICK=no
PASS=()           # workload options given after --
FORMS=()          # names of the forms that run
declare -A GIVEN=()
declare -A SKIP=()  # FORM<tab>WORKLOAD: a form that lacks the workload

# Run state.
TMP=
CHILD=            # pid of the program run in progress, if any
SEQ=0             # runs made so far

# Print the help text.
usage() {
    cat <<EOF
usage: $PROG [options] [-- workload options]

Runs each workload with tvp-threads and tvp-processes for each
worker count, alternating the two run by run after warm-up runs, keeps
every run's record, and prints per row the median of each form with its
95% confidence interval, their ratio, and a winner only where the ratio's
interval excludes 1, from 5 runs or more (report/tvp-report computes and
prints all of it).

  -w LIST         workloads, comma-separated, or 'all' (default: the rows
                  of DEFAULT_ROWS: hash; fileread from the page cache, a
                  memory bandwidth row; fileread --cache direct, the I/O row)
  -j LIST         worker counts, comma-separated (default: $DEFAULT_WORKERS;
                  1 with -x)
  -x NAME=V1,...  sweep one workload option: a row per value (--NAME V)
  -r N            exactly N measured runs per form and row
  --min-runs N    at least N runs (default: 5; 3 with --quick)
  --max-runs N    at most N runs (default: no limit but --min-time)
  --min-time S    run until each form has run S seconds in the row (default 0)
  --warmup N      warm-up runs per form and row, not measured (default: 1)
  --format F      table (default), csv, json or markdown
  -o FILE         write the report to FILE (and every run to FILE.runs.csv,
                  unless --save says where)
  --save FILE     write every run (the raw results, CSV) to FILE; read it
                  again with report/tvp-report FILE, or compare two with
                  report/tvp-report BASE NEW
  --plot DIR      write PNG and SVG plots (gnuplot) of the sweeps to DIR
  --quick         pass --quick to the programs (small sizes)
  --python        two more forms, the Python twin (python/tvp.py, run by
                  $PYTHON) with threading and with multiprocessing:
                  py-threads and py-processes, compared with threads too;
                  rows of workloads it lacks run without them (it has hash,
                  fileread and counter)
  --lessons       instead: each coordination pattern (lock, event, queue,
                  semaphore, spawning, background workers), the CPU/IO
                  pair, memory per mode, the GIL (the Python forms too),
                  the tutorial's queue bug and fork's first touch, figures
                  side by side and a sentence on what each shows; takes -w
                  (lessons of those workloads), -r, --warmup, --min-runs,
                  --max-runs, --min-time, --format, -o, --save
  --mpi           add a third form: the ranks of an Open MPI job, mpirun -np N
                  tvp-mpi (hash, fileread and pingpong run as ranks)
  --faults        instead: inject each fault (crash, kill, exit, hang) into
                  worker 1 of 4 running hash, with and without --recover, in
                  every form, once each; takes --format, -o, --save
  --fidelity      instead: tvp against the raw C programs of bench/ doing
                  the bare operation (empty run, spawn, hash, fileread,
                  counter), run by run: tvp/raw cost per case with its
                  interval; takes -w, the run counts, --format, -o, --save
                  (the raw programs: \$TVP_BENCHDIR, else build/bench)
  -h, --help      this help

Options after -- go to every selected workload (see tvp-threads WORKLOAD --help).
Progress goes to stderr.  Exit status: 0 all rows identical and verified
(--lessons: as each lesson expects; --faults: processes with --recover
survived; --fidelity: every run verified, tvp's result the raw
program's), 1 otherwise, 2 bad usage.

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
# shellcheck disable=SC2317 # reached through the trap
cleanup() {
    if [[ -n $TMP && -d $TMP ]]; then
        rm -rf -- "$TMP"
    fi
}

# Kill the running program, then exit 128+signal (INT/TERM traps).
# shellcheck disable=SC2317 # reached through the traps
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

# Check that $2 is a whole number $3 .. $4 for option $1; print it.
whole() {
    if [[ ! $2 =~ ^[0-9]{1,6}$ ]] || ((10#$2 < $3)); then
        die_usage "bad $1 '$2' (a whole number $3 .. 999999)"
    fi
    printf '%d' $((10#$2))
}

# Check that file $2 (for option $1) can be written, without creating it.
writable() {
    local dir
    if [[ -e $2 ]]; then
        [[ ! -d $2 && -w $2 ]] || die_usage "cannot write $1 '$2'"
    else
        dir=$(dirname -- "$2")
        [[ -d $dir && -w $dir ]] || die_usage "cannot write $1 '$2'"
    fi
}

# Print the comma-separated list $1 without repeats, keeping its order.
dedup() {
    local -A seen=()
    local item
    local -a items out=()
    IFS=, read -r -a items <<<"$1"
    for item in "${items[@]}"; do
        [[ -n ${seen[$item]+set} ]] || out+=("$item")
        seen[$item]=1
    done
    (IFS=,; printf '%s' "${out[*]}")
}

# Is $1 the flag of optional forms?  Then turn on each it names (once).
form_flag() {
    local row name flag found=1
    for row in "${FORM_TABLE[@]}"; do
        read -r name flag _ <<<"$row"
        if [[ $flag != - && $flag == "$1" ]]; then
            [[ -n ${GIVEN[$1]+set} ]] || FORMS+=("$name")
            found=0
        fi
    done
    ((found == 0)) && GIVEN[$1]=1
    return "$found"
}

# Parse the command line into the settings above.
parse_args() {
    local row name flag opt
    for row in "${FORM_TABLE[@]}"; do
        read -r name flag _ <<<"$row"
        [[ $flag != - ]] || FORMS+=("$name")
    done
    while [[ $# -gt 0 ]]; do
        case $1 in
            -w|-j|-x|-r|-o|--save|--plot|--warmup|--min-runs|--max-runs|--min-time|--format)
                need_value "$@"; GIVEN[$1]=1 ;;&
            -w) WORKLOADS_ARG=$2; shift 2 ;;
            -j) WORKERS_ARG=$2; shift 2 ;;
            -x) [[ -z $SWEEP_ARG ]] || die_usage "only one -x: sweep one option at a time"
                SWEEP_ARG=$2; shift 2 ;;
            -r) REPEATS=$(whole -r "$2" 1); shift 2 ;;
            --min-runs) MIN_RUNS=$(whole --min-runs "$2" 1); shift 2 ;;
            --max-runs) MAX_RUNS=$(whole --max-runs "$2" 1); shift 2 ;;
            --warmup) WARMUP=$(whole --warmup "$2" 0); shift 2 ;;
            --min-time)
                [[ $2 =~ ^[0-9]{1,6}(\.[0-9]{1,6})?$ ]] ||
                    die_usage "bad --min-time '$2' (seconds, e.g. 3 or 0.5)"
                MIN_TIME=$2; shift 2 ;;
            -o) [[ -n $2 ]] || die_usage "bad -o '' (a file name)"; OUTFILE=$2; shift 2 ;;
            --save) [[ -n $2 ]] || die_usage "bad --save '' (a file name)"; SAVEFILE=$2; shift 2 ;;
            --plot) [[ -n $2 ]] || die_usage "bad --plot '' (a directory)"; PLOTDIR=$2; shift 2 ;;
            --format) FORMAT=$2; shift 2 ;;
            --format=*) FORMAT=${1#--format=}; GIVEN[--format]=1; shift ;;
            --quick) QUICK=yes; GIVEN[--quick]=1; shift ;;
            --faults|--lessons|--fidelity)
                [[ $SUITE == compare ]] || die_usage "--$SUITE and $1 are two reports: pick one"
                SUITE=${1#--}; shift ;;
            -h|--help) usage; exit 0 ;;
            --) shift; PASS=("$@"); GIVEN[--]=1; break ;;
            *) form_flag "$1" || die_usage "unknown option '$1' (try --help)"; shift ;;
        esac
    done
    case $FORMAT in
        table|csv|json|markdown) ;;
        *) die_usage "bad --format '$FORMAT' (table, csv, json or markdown)" ;;
    esac
    # What a fixed report cannot honour is refused, not ignored.
    local -a refused=()
    case $SUITE in
        lessons) refused=(-j -x --quick --plot -- --python) ;;
        faults) refused=(-w -j -x -r --warmup --min-runs --max-runs --min-time --quick --plot -- --python) ;;
        fidelity) refused=(-j -x --quick --plot -- --python) ;;
    esac
    for opt in "${refused[@]}"; do
        [[ -z ${GIVEN[$opt]+set} ]] ||
            die_usage "$opt cannot be used with --$SUITE (it runs its own fixed cases)"
    done
    parse_runs
    parse_workers
    parse_sweep
    local word
    for word in "${PASS[@]+"${PASS[@]}"}"; do
        [[ -n $word && $word != *[$'\t\n']* ]] ||
            die_usage "bad workload option '$word' (empty, or with a tab or newline)"
    done
    # Checked without creating them: a later usage error leaves nothing.
    [[ -z $OUTFILE ]] || writable -o "$OUTFILE"
    [[ -z $SAVEFILE ]] || writable --save "$SAVEFILE"
    if [[ -n $OUTFILE && -z $SAVEFILE ]]; then
        writable -o "$OUTFILE.runs.csv"
    fi
    if [[ -n $OUTFILE && $OUTFILE == "$SAVEFILE" ]]; then
        die_usage "-o and --save name the same file '$OUTFILE'"
    fi
    if [[ -n $PLOTDIR ]]; then
        if [[ -e $PLOTDIR ]]; then
            [[ -d $PLOTDIR && -w $PLOTDIR ]] || die_usage "cannot write --plot '$PLOTDIR' (a directory)"
        else
            writable --plot "$PLOTDIR"
        fi
        command -v gnuplot >/dev/null ||
            die_usage "--plot needs gnuplot (apt-get install gnuplot-nox, or make deps)"
    fi
}

# Settle how many runs each row gets: -r N exactly, or --min-runs ..
# --max-runs with --min-time deciding in between (hyperfine's manner).
parse_runs() {
    if [[ -n $REPEATS ]]; then
        [[ -z ${GIVEN[--min-runs]+set} && -z ${GIVEN[--max-runs]+set} ]] ||
            die_usage "-r $REPEATS is exact: it cannot be combined with --min-runs or --max-runs"
        MIN_RUNS=$REPEATS MAX_RUNS=$REPEATS
    elif [[ $QUICK == yes && -z ${GIVEN[--min-runs]+set} ]]; then
        MIN_RUNS=3
    fi
    if [[ -n $MAX_RUNS ]] && ((MAX_RUNS < MIN_RUNS)); then
        if [[ -n ${GIVEN[--min-runs]+set} ]]; then
            die_usage "--min-runs $MIN_RUNS is more than --max-runs $MAX_RUNS"
        fi
        MIN_RUNS=$MAX_RUNS
    fi
    if [[ $SUITE == faults ]]; then
        MIN_RUNS=1 MAX_RUNS=1 WARMUP=0
    fi
    # --min-time in microseconds, for the arithmetic of run_row.
    local whole=${MIN_TIME%%.*} frac=
    [[ $MIN_TIME != *.* ]] || frac=${MIN_TIME#*.}
    frac=${frac}000000
    MIN_TIME_US=$((10#$whole * 1000000 + 10#${frac:0:6}))
}

# Check -j into WORKERS (without repeats).  With -x and no -j: 1 worker.
parse_workers() {
    local n
    if [[ -n $SWEEP_ARG && -z ${GIVEN[-j]+set} ]]; then
        WORKERS_ARG=1
    fi
    if [[ -z $WORKERS_ARG ]]; then
        die_usage "bad -j '' (comma-separated positive integers)"
    fi
    IFS=, read -r -a WORKERS <<<"$WORKERS_ARG,"
    for n in "${WORKERS[@]}"; do
        if [[ ! $n =~ ^[0-9]{1,5}$ ]] || ((10#$n < 1 || 10#$n > 4096)); then
            die_usage "bad -j '$WORKERS_ARG': '$n' is not a worker count 1 .. 4096"
        fi
    done
    for n in "${!WORKERS[@]}"; do
        WORKERS[n]=$((10#${WORKERS[n]}))
    done
    IFS=, read -r -a WORKERS <<<"$(dedup "$(IFS=,; printf '%s' "${WORKERS[*]}")")"
}

# Check -x NAME=V1,V2,... into SWEEP_NAME and SWEEP_VALUES (no repeats).
parse_sweep() {
    SWEEP_NAME='' SWEEP_VALUES=()
    [[ -n $SWEEP_ARG ]] || return 0
    if [[ ! $SWEEP_ARG =~ ^([a-z][a-z0-9-]*)=(.+)$ ]]; then
        die_usage "bad -x '$SWEEP_ARG' (NAME=V1,V2,...: a workload option and its values)"
    fi
    SWEEP_NAME=${BASH_REMATCH[1]}
    local v
    IFS=, read -r -a SWEEP_VALUES <<<"${BASH_REMATCH[2]},"
    for v in "${SWEEP_VALUES[@]}"; do
        [[ -n $v && $v != *[[:space:]]* ]] ||
            die_usage "bad -x '$SWEEP_ARG': '$v' is not a value (empty, or with white space)"
    done
    IFS=, read -r -a SWEEP_VALUES <<<"$(dedup "${BASH_REMATCH[2]}")"
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

# --fidelity needs the raw programs: built in a source tree (make
# bench-programs) if missing there, else named and exit 2.
ensure_bench() {
    [[ ! -x $BENCH_DIR/raw-empty ]] || return 0
    if [[ -z ${TVP_BENCHDIR:-} && $BINS_FROM == source ]]; then
        note "$PROG: building the raw programs (make -s bench-programs)"
        make -s -C "$HERE" bench-programs >&2 || exit 2
        return 0
    fi
    note "$PROG: --fidelity needs the raw programs of bench/, not found in $BENCH_DIR: run it from a source tree (make bench-programs) or set TVP_BENCHDIR"
    exit 2
}

# With --mpi: mpirun and bin/tvp-mpi (built by make beside the others).
ensure_mpi() {
    local form
    for form in "${FORMS[@]}"; do
        [[ $form == mpi ]] || continue
        command -v "${MPIRUN[0]}" >/dev/null ||
            die_usage "--mpi: ${MPIRUN[0]} not found (make deps installs openmpi-bin)"
        [[ -x $MPI_BIN ]] ||
            die_usage "--mpi: ${MPI_BIN:-tvp-mpi} not found or not executable"
    done
}

# The report program needs Debian's python3 (standard library only).
ensure_report() {
    if [[ ! -x $PYTHON ]]; then
        note "$PROG: $PYTHON is missing: the report program needs it (apt-get install python3, or make deps)"
        exit 2
    fi
    if [[ ! -r $REPORT ]]; then
        note "$PROG: the report program $REPORT is missing"
        exit 2
    fi
}

# Print the command of form $1 for $2 workers, one word a line.
form_argv() {
    local row name word
    local -a words
    for row in "${FORM_TABLE[@]}"; do
        read -r name _ <<<"$row"
        [[ $name == "$1" ]] || continue
        read -r -a words <<<"$row"
        for word in "${words[@]:2}"; do
            case $word in
                %N) printf '%s\n' "$2" ;;
                \$*) word=${word#\$}; printf '%s\n' "${!word}" ;;
                @*) word="${word#@}[@]"; printf '%s\n' "${!word}" ;;
                *) printf '%s\n' "$word" ;;
            esac
        done
        return 0
    done
    return 1
}

# Print the workload names form $1 lists (its command for 1 worker, then
# --list), one a line, without repeats; fail, saying why, if it cannot.
# (No process substitution here or below: bash does not wait for one,
# and a usage error right after would leave it running.)
form_workloads() {
    local -a argv
    local out
    mapfile -t argv <<<"$(form_argv "$1" 1)"
    [[ -x ${argv[0]} ]] || { note "${argv[0]:-its program} is missing"; return 1; }
    out=$("${argv[@]}" --list 2>&1) || { note "$(head -n 1 <<<"$out")"; return 1; }
    awk 'NF && !seen[$1]++ { print $1 }' <<<"$out"
}

# Resolve -w into WORKLOADS (no repeats), checking each name against the
# first form's workloads.  An optional form that lacks a workload (the
# Python twin has three) skips that workload's rows: SKIP[FORM<tab>WL],
# said on stderr, and its cells say "not run".
resolve_workloads() {
    local form have wl why
    local -A lists=()
    for form in "${FORMS[@]}"; do
        lists[$form]=$(form_workloads "$form" 2>"$TMP/list.err") || {
            why=$(head -n 1 "$TMP/list.err")
            die_usage "form $form cannot list its workloads: ${why:-no reason given}"
        }
    done
    have=${lists[${FORMS[0]}]}
    ROWS=()
    if [[ -z ${GIVEN[-w]+set} && -z $SWEEP_ARG ]]; then
        default_rows
    elif [[ -z $WORKLOADS_ARG ]]; then
        die_usage "bad -w '': no workloads"
    elif [[ $WORKLOADS_ARG == all ]]; then
        mapfile -t WORKLOADS <<<"$have"
    else
        IFS=, read -r -a WORKLOADS <<<"$WORKLOADS_ARG,"
    fi
    for wl in "${WORKLOADS[@]}"; do
        if [[ -z $wl ]] || ! grep -qxF -- "$wl" <<<"$have"; then
            die_usage "workload '$wl' is not available ($THREADS_BIN --list has: $(paste -sd' ' - <<<"$have"))"
        fi
    done
    IFS=, read -r -a WORKLOADS <<<"$(dedup "$(IFS=,; printf '%s' "${WORKLOADS[*]}")")"
    if ((${#ROWS[@]} == 0)); then
        for wl in "${WORKLOADS[@]}"; do
            ROWS+=("$wl|-|-")
        done
    fi
    local -a lacks
    for form in "${FORMS[@]:1}"; do
        lacks=()
        for wl in "${WORKLOADS[@]}"; do
            grep -qxF -- "$wl" <<<"${lists[$form]}" || { SKIP[$form$'\t'$wl]=1; lacks+=("$wl"); }
        done
        ((${#lacks[@]} == 0)) ||
            note "$PROG: form $form has no ${lacks[*]} (it has: $(paste -sd' ' - <<<"${lists[$form]}")): those rows run without it"
    done
}

# Fill ROWS (workload|option|label) and WORKLOADS from DEFAULT_ROWS.  A
# cache=direct row is tried once first (-j 1, in the threads form): where
# the filesystem of the dataset refuses O_DIRECT, it reads cache=cold.
default_rows() {
    local line wl opt label rc
    local -a words
    WORKLOADS=()
    for line in "${DEFAULT_ROWS[@]}"; do
        IFS='|' read -r wl opt label <<<"$line"
        read -r wl <<<"$wl"
        read -r opt <<<"$opt"
        label=$(sed 's/^ *//; s/ *$//' <<<"$label")
        if [[ $opt == cache=direct ]]; then
            words=()
            [[ $QUICK == no ]] || words+=(--quick)
            words+=("$wl" "${PASS[@]+"${PASS[@]}"}" --cache direct)
            rc=0
            "$THREADS_BIN" -j 1 --format csv "${words[@]}" >/dev/null 2>"$TMP/probe.err" || rc=$?
            if ((rc == 2)) && grep -q 'refuses O_DIRECT' "$TMP/probe.err"; then
                note "$PROG: $wl --cache direct refused here ($(sed -n '1{s/^[^:]*: //;p}' "$TMP/probe.err")): the I/O row reads with --cache cold instead"
                opt=cache=cold label="I/O: cold cache, read through it (O_DIRECT refused here)"
            fi
        fi
        ROWS+=("$wl|$opt|$label")
        WORKLOADS+=("$wl")
    done
}

# Print the plan of a comparison: a line per row (see report/tvpreport/
# cases.py, plan_lines): id, label, workload, sweep, workers, figure ("-":
# the report chooses), tries ("-": the run counts of the options), column
# "*" (every form), then the words.
compare_plan() {
    local row wl opt label value n id sweep
    local -a words values=(-)
    ((${#SWEEP_VALUES[@]} == 0)) || values=("${SWEEP_VALUES[@]}")
    for row in "${ROWS[@]}"; do
        IFS='|' read -r wl opt label <<<"$row"
        for value in "${values[@]}"; do
            # A default row's option is shown as a sweep's value would be.
            sweep=$opt
            [[ $value == - ]] || sweep=$SWEEP_NAME=$value
            for n in "${WORKERS[@]}"; do
                id="$wl$([[ $sweep == - ]] || printf ' %s' "$sweep") -j $n"
                words=()
                [[ $QUICK == no ]] || words+=(--quick)
                words+=("$wl" "${PASS[@]+"${PASS[@]}"}")
                [[ $sweep == - ]] || words+=("--${sweep%%=*}" "${sweep#*=}")
                (IFS=$'\t'; printf '%s\n' "$id"$'\t'"$([[ $label == - ]] && printf '%s' "$id" || printf '%s' "$label")"$'\t'"$wl"$'\t'"$sweep"$'\t'"$n"$'\t-\t-\t*\t'"${words[*]}")
            done
        done
    done
}

# Write the plan of the suite to $TMP/plan.
make_plan() {
    local rc=0
    if [[ $SUITE == compare ]]; then
        compare_plan >"$TMP/plan"
        return
    fi
    local -a args=(plan "$SUITE")
    [[ -z ${GIVEN[-w]+set} ]] || args+=(-w "$(dedup "$WORKLOADS_ARG")")
    [[ $SUITE != fidelity ]] || args+=(--bench "$BENCH_DIR")
    "$PYTHON" "$REPORT" "${args[@]}" >"$TMP/plan" 2>"$TMP/plan.err" || rc=$?
    if ((rc != 0)); then
        die_usage "$(sed -n '1{s/^[^:]*: //;p}' "$TMP/plan.err")"
    fi
}

# Run a command in the background, so that a signal trap can run and
# stop it; return its exit status.  Redirect it where it is called.
run_bg() {
    local rc=0
    "$@" </dev/null &
    CHILD=$!
    { wait "$CHILD"; } 2>/dev/null || rc=$?   # no "Segmentation fault" job notice
    CHILD=
    return "$rc"
}

# The current time in microseconds.
now_us() {
    local t=$EPOCHREALTIME
    printf '%d' $((10#${t/./}))
}

# Run column $1 of the current row once (run number $2, warm-up $3);
# keep its output and one line of index.  Returns 2 if the program
# refused the row (exit 2 on the row's first run), else 0.
run_one() {
    local col=$1 run=$2 warm=$3 rc=0 load_before load_after start end started
    local status=run out err elapsed cmd what secs
    local -a argv fields
    IFS=$'\t' read -r -a argv <<<"${COL_CMDS[col]}"
    SEQ=$((SEQ + 1))
    out=$TMP/runs/$SEQ.out err=$TMP/runs/$SEQ.err
    read -r load_before _ </proc/loadavg
    printf -v started '%(%Y-%m-%dT%H:%M:%S%z)T' -1
    start=$(now_us)
    run_bg "${argv[@]}" >"$out" 2>"$err" || rc=$?
    end=$(now_us)
    read -r load_after _ </proc/loadavg
    elapsed=$((end - start))
    COL_US[col]=$((${COL_US[col]:-0} + (warm ? 0 : elapsed)))
    if ((rc == 2 && ROW_RUNS == 0)); then
        status=refused
    fi
    ROW_RUNS=$((ROW_RUNS + 1))
    printf -v cmd '%q ' "${argv[@]}"
    printf -v secs '%d.%06d' $((elapsed / 1000000)) $((elapsed % 1000000))
    # The fields of DRIVER_FIELDS in report/tvpreport/raw.py, in order.
    fields=("$SEQ" "$ROW_ID" "$ROW_LABEL" "$ROW_WL" "$ROW_SWEEP" "$ROW_JOBS"
        "$ROW_FIGURE" "${COL_NAMES[col]}" "$run" "$warm" "$status" "$rc"
        "$started" "$secs" "$load_before" "$load_after" "${cmd% }")
    (IFS=$'\t'; printf '%s\n' "${fields[*]}") >>"$TMP/runs/index.tsv"
    [[ $status == run ]] || return 2
    what="$([[ $warm == 1 ]] && echo warm-up || echo run) $run"
    if ((rc == 0)); then
        note "$ROW_ID: ${COL_NAMES[col]} $what ${secs%???} s"
    else
        note "$ROW_ID: ${COL_NAMES[col]} $what lost ($([[ $rc -gt 128 ]] && echo "signal $((rc - 128))" || echo "exit $rc"))"
        sed 's/^/    /' "$err" | head -n 5 >&2
    fi
    return 0
}

# Whether the current row needs another measured round ($1 rounds done).
more_rounds() {
    local done=$1 col
    ((done < MIN_RUNS)) && return 0
    [[ -z $MAX_RUNS ]] || ((done < MAX_RUNS)) || return 1
    for col in "${!COL_NAMES[@]}"; do
        ((${COL_US[col]:-0} >= MIN_TIME_US)) || return 0
    done
    return 1
}

# Run the current row: warm-up rounds, then measured rounds, every column
# once a round, the order rotating each round so that no form always
# runs first; a row with its own tries runs exactly that many rounds,
# none a warm-up.  Returns 2 if the row was refused.
run_row() {
    local round k col ncols=${#COL_NAMES[@]} warm
    ROW_RUNS=0 COL_US=()
    for warm in 1 0; do
        for ((round = 1; ; round++)); do
            if [[ $ROW_TRIES != - ]]; then
                ((!warm && round <= ROW_TRIES)) || break
            elif ((warm)); then
                ((round <= WARMUP)) || break
            else
                more_rounds $((round - 1)) || break
            fi
            for ((k = 0; k < ncols; k++)); do
                col=$(((round - 1 + k) % ncols))
                run_one "$col" "$round" "$warm" || return 2
            done
        done
    done
    return 0
}

# Turn plan line fields ($@) into a column of the current row.
add_columns() {
    local column=$1 form word text
    shift
    local -a cmd
    if [[ $column == '*' ]]; then
        for form in "${FORMS[@]}"; do
            [[ -z ${SKIP[$form$'\t'$ROW_WL]+set} ]] || continue
            mapfile -t cmd <<<"$(form_argv "$form" "$ROW_JOBS")"
            cmd+=(--format csv)   # every form prints the one record
            COL_NAMES+=("$form")
            COL_CMDS+=("$(IFS=$'\t'; printf '%s' "${cmd[*]}"$'\t'"$*")")
        done
    elif text=$(form_argv "$column" "$ROW_JOBS"); then
        mapfile -t cmd <<<"$text"
        cmd+=(--format csv)
        COL_NAMES+=("$column")
        COL_CMDS+=("$(IFS=$'\t'; printf '%s' "${cmd[*]}"$'\t'"$*")")
    else
        # A variant's own command (a fidelity case): as it stands, its
        # program relative to the tvp directory.
        word=$1
        [[ $word == /* ]] || word=$HERE/$word
        shift
        COL_NAMES+=("$column")
        COL_CMDS+=("$(IFS=$'\t'; printf '%s' "$word${*:+$'\t'}$*")")
    fi
}

# Refusals of the current workload, one line per option value and
# reason with every worker count it covers ("pingpong -j 1,3 not run:
# ..."); a usage error if the workload refused every row of it.
flush_refusals() {
    local key
    if ((WL_ROWS > 0 && WL_REFUSED == WL_ROWS)) && [[ $SUITE == compare ]]; then
        die_usage "$PREV_WL refused every $([[ -n $SWEEP_NAME ]] && echo row || echo worker count): $WL_REASON"
    fi
    for key in "${!WL_REFUSALS[@]}"; do
        note "$PROG: $PREV_WL${key%%$'\t'*} -j ${WL_REFUSALS[$key]} not run: ${key#*$'\t'}"
    done
    WL_ROWS=0 WL_REFUSED=0 WL_REASON='' WL_REFUSALS=()
}

# Run the current row and account for a refusal.
finish_row() {
    local reason key
    WL_ROWS=$((WL_ROWS + 1))
    if ! run_row; then
        reason=$(sed -n '1{s/^[^:]*: //;p}' "$TMP/runs/$SEQ.err")
        WL_REFUSED=$((WL_REFUSED + 1)) WL_REASON=$reason
        if [[ $SUITE == compare ]]; then
            key="$([[ $ROW_SWEEP == - ]] || printf ' %s' "$ROW_SWEEP")"$'\t'"$reason"
            WL_REFUSALS[$key]+="${WL_REFUSALS[$key]:+,}$ROW_JOBS"
        else
            note "$PROG: $ROW_ID not run: $reason"
        fi
    fi
}

# Run every row of $TMP/plan, writing $TMP/runs.
run_plan() {
    local -a f
    local prev=
    declare -g -A WL_REFUSALS=()
    WL_ROWS=0 WL_REFUSED=0 WL_REASON='' PREV_WL=''
    mkdir "$TMP/runs"
    : >"$TMP/runs/index.tsv"
    while IFS=$'\t' read -r -a f; do
        if [[ ${f[0]} != "$prev" ]]; then
            [[ -z $prev ]] || finish_row
            [[ ${f[2]} == "$PREV_WL" || -z $PREV_WL ]] || flush_refusals
            ROW_ID=${f[0]} ROW_LABEL=${f[1]} ROW_WL=${f[2]} ROW_SWEEP=${f[3]}
            ROW_JOBS=${f[4]} ROW_FIGURE=${f[5]} ROW_TRIES=${f[6]} PREV_WL=${f[2]}
            COL_NAMES=() COL_CMDS=()
            prev=${f[0]}
        fi
        add_columns "${f[@]:7}"
    done <"$TMP/plan"
    [[ -z $prev ]] || finish_row
    flush_refusals
}

# Print tvp's version: git describe of this checkout, else the Makefile's.
tvp_version() {
    local v
    if v=$(git -C "$HERE" describe --always --dirty 2>/dev/null) && [[ -n $v ]]; then
        printf '%s\n' "$v"
    elif v=$(sed -n 's/^VERSION[[:space:]]*[:?]*=[[:space:]]*//p' "$HERE/Makefile" 2>/dev/null) && [[ -n $v ]]; then
        printf '%s\n' "${v%%$'\n'*}"
    else
        echo unknown
    fi
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
    [[ $SUITE != fidelity ]] || ensure_bench
    ensure_mpi
    ensure_report
    [[ $SUITE != compare ]] || resolve_workloads
    make_plan
    run_plan

    # Every run kept: the raw results file, then the report made from it.
    local results=$TMP/results.csv keep=$SAVEFILE rc=0
    run_bg "$PYTHON" "$REPORT" ingest --suite "$SUITE" --version "$(tvp_version)" \
        "$TMP/runs" >"$results" || exit 1
    [[ -n $keep || -z $OUTFILE ]] || keep=$OUTFILE.runs.csv
    if [[ -n $keep ]]; then
        cp -- "$results" "$keep"
        note "$PROG: kept every run in $keep"
    fi
    local -a args=(--format "$FORMAT")
    [[ -z $PLOTDIR ]] || args+=(--plot "$PLOTDIR")
    run_bg "$PYTHON" "$REPORT" "${args[@]}" "$results" >"$TMP/report" || rc=$?
    if ((rc > 1)); then
        note "$PROG: the report program failed (exit $rc)"
        exit 1
    fi
    if [[ -n $OUTFILE ]]; then
        cat "$TMP/report" >"$OUTFILE"
        note "$PROG: wrote $OUTFILE"
    else
        cat "$TMP/report"
    fi
    return "$rc"
}

# On one line: bash reads a script as it runs it, so nothing after main
# is read from a file changed meanwhile.
main "$@"; exit
