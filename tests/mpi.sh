#!/usr/bin/env bash
# bin/tvp-mpi against bin/tvp-threads: the same result for hash and
# fileread (on a directory with spaces in its name) at 1, 2 and 4 ranks,
# the net path equal to the shared one over TCP, pingpong over
# MPI_Send/MPI_Recv, refusals with exit 2, and a rank that dies (by an
# injected fault, by kill -9, by Ctrl-C of mpirun) ending the job with a
# non-zero status and leaving no process and no /dev/shm entry.
#
# usage: tests/mpi.sh BINDIR [SAN]   (run by make check)
set -euo pipefail

bindir=${1:?usage: tests/mpi.sh BINDIR [SAN]}
san=${2:-}
case $san in
	'') ;;
	asan)
		# Open MPI keeps allocations until exit that LeakSanitizer
		# reports as leaks (about 60 in a 2-rank run), none of them
		# tvp's: memory errors and undefined behaviour still end a rank.
		echo "tests/mpi.sh: asan build: leak detection off (Open MPI's own allocations)"
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ;;
	*)
		# Open MPI's progress and PMIx threads are not built for TSan.
		echo "tests/mpi.sh: skipped in the $san build: Open MPI is not built with ThreadSanitizer"
		exit 0 ;;
esac
if ! command -v mpirun >/dev/null; then
	echo "tests/mpi.sh: mpirun not found: run make deps (openmpi-bin)" >&2
	exit 1
fi

mpi_bin=$(realpath "$bindir/tvp-mpi")
threads_bin=$bindir/tvp-threads
launch=(mpirun --oversubscribe)
if [[ $(id -u) == 0 ]]; then
	launch+=(--allow-run-as-root)
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvp-mpi-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

ok() {
	checks=$((checks + 1))
}

# The value of CSV column $2 in the record (header + one line) in file $1.
# (Quoted fields may hold commas: Python's csv reads them.)
column() {
	/usr/bin/python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(rows[0].get(sys.argv[2], "") if rows else "")' "$1" "$2"
}

# The /dev/shm entries Open MPI or tvp could leave.
shm_entries() {
	find /dev/shm -maxdepth 1 \( -name 'vader_segment*' -o -name 'tvp-*' \
	    -o -name '*ompi*' -o -name 'osc_*' \) -print 2>/dev/null | sort
}

# Wait (bounded) until no process of this test's tvp-mpi is left.
no_ranks_left() {
	local i
	for ((i = 0; i < 100; i++)); do
		if ! pgrep -f "^$mpi_bin" >/dev/null; then
			return 0
		fi
		# Polling for processes that mpirun is still reaping.
		sleep 0.1
	done
	return 1
}

# run_mpi NAME NP [env...] -- ARGS...: the record in $tmp/NAME.csv.
run_mpi() {
	local name=$1 np=$2
	shift 2
	local envs=()
	while [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	shift
	env "${envs[@]}" "${launch[@]}" -np "$np" "$mpi_bin" --format csv "$@" \
	    >"$tmp/$name.csv" 2>"$tmp/$name.err"
}

# Same result as threads -j N, verified, and the same bytes processed.
same_as_threads() {
	local label=$1 np=$2
	shift 2
	if ! run_mpi "$label-mpi" "$np" -- "$@"; then
		fail "$label: mpirun -np $np exited non-zero: $(cat "$tmp/$label-mpi.err")"
		return
	fi
	"$threads_bin" -j "$np" --format csv "$@" >"$tmp/$label-thr.csv"
	local got want
	got=$(column "$tmp/$label-mpi.csv" result)
	want=$(column "$tmp/$label-thr.csv" result)
	if [[ -z $got || $got != "$want" ]]; then
		fail "$label: mpi result '$got', threads '$want'"
	elif [[ $(column "$tmp/$label-mpi.csv" verdict) != verified ]]; then
		fail "$label: mpi result not verified"
	elif [[ $(column "$tmp/$label-mpi.csv" bytes) != $(column "$tmp/$label-thr.csv" bytes) ]]; then
		# Summed over the ranks: each item done once, not once a rank.
		fail "$label: mpi read $(column "$tmp/$label-mpi.csv" bytes) bytes, threads $(column "$tmp/$label-thr.csv" bytes)"
	elif [[ $(column "$tmp/$label-mpi.csv" mode) != mpi ||
	    $(column "$tmp/$label-mpi.csv" workers) != "$np" ]]; then
		fail "$label: mode/workers not mpi/$np"
	else
		ok
	fi
}

shm_before=$(shm_entries)

# An odd directory: spaces, and a file per size class, some empty.
odd="$tmp/data dir/with spaces"
mkdir -p "$odd/sub dir"
for i in $(seq 0 23); do
	head -c $((i * 4099)) /dev/urandom >"$odd/sub dir/file $i"
done

for np in 1 2 4; do
	same_as_threads "hash-$np" "$np" hash --blocks 64 --rounds 100
	same_as_threads "fileread-$np" "$np" fileread --dir "$odd" --block-size 4K
done

# The record: the same columns as threads, plus the library and nodes.
if [[ $(head -1 "$tmp/hash-2-mpi.csv") != $(head -1 "$tmp/hash-2-thr.csv") ]]; then
	fail "the mpi record's columns differ from threads'"
elif [[ $(column "$tmp/hash-2-mpi.csv" mpi_library) != "Open MPI"* ||
    $(column "$tmp/hash-2-mpi.csv" nodes) != 1 ]]; then
	fail "mpi_library/nodes: '$(column "$tmp/hash-2-mpi.csv" mpi_library)' '$(column "$tmp/hash-2-mpi.csv" nodes)'"
elif [[ -n $(column "$tmp/hash-2-thr.csv" mpi_library) ]]; then
	fail "threads has an mpi_library"
else
	ok
fi

# The net path over TCP: the same result as the shared window's.
if run_mpi net 4 TVP_MPI_PATH=net -- hash --blocks 64 --rounds 100 &&
    run_mpi tcp 4 TVP_MPI_PATH=net OMPI_MCA_btl=self,tcp OMPI_MCA_osc=pt2pt -- \
    fileread --dir "$odd" --block-size 4K; then
	if [[ $(column "$tmp/net.csv" result) != $(column "$tmp/hash-4-mpi.csv" result) ||
	    $(column "$tmp/tcp.csv" result) != $(column "$tmp/fileread-4-mpi.csv" result) ]]; then
		fail "net path: results differ from the shared path"
	elif ! grep -q 'gathered by item' "$tmp/net.csv"; then
		fail "net path: the note does not say the results were gathered"
	else
		ok
	fi
else
	fail "net path: exited non-zero: $(cat "$tmp/net.err" "$tmp/tcp.err")"
fi

# pingpong over MPI_Send/MPI_Recv, two pairs.
if run_mpi pingpong 4 -- pingpong --rounds 500 &&
    [[ $(column "$tmp/pingpong.csv" result) == "pairs=2 rounds=500 turns=2000" &&
    $(column "$tmp/pingpong.csv" metric1_name) == us_per_round_trip &&
    $(column "$tmp/pingpong.csv" options) == *via=mpi* ]]; then
	ok
else
	fail "pingpong: $(cat "$tmp/pingpong.csv" "$tmp/pingpong.err")"
fi

# --list names only what runs as ranks (compare.sh --mpi skips the rest).
listed=$("${launch[@]}" -np 1 "$mpi_bin" --list 2>/dev/null | awk '{ print $1 }' | paste -sd' ' -)
if [[ $listed == "hash fileread pingpong" ]]; then
	ok
else
	fail "--list: '$listed', not 'hash fileread pingpong'"
fi

# Refused: exit 2, one line naming the workload or the option.
refused() {
	local label=$1 want=$2 rc=0
	shift 2
	run_mpi "$label" 2 -- "$@" || rc=$?
	if [[ $rc != 2 ]]; then
		fail "$label: exit $rc, not 2"
	elif [[ $(grep -c "^tvp-mpi: " "$tmp/$label.err") != 1 ]] ||
	    ! grep -q "^tvp-mpi: .*$want" "$tmp/$label.err"; then
		fail "$label: not one line naming '$want': $(cat "$tmp/$label.err")"
	else
		ok
	fi
}
refused counter counter counter
refused jobs "-j 3" -j 3 hash
refused via "via pipe" pingpong --via pipe
refused recover "recover" --recover hash
if env TVP_MPI_PATH=nowhere "${launch[@]}" -np 2 "$mpi_bin" hash \
    >/dev/null 2>"$tmp/badpath.err"; then
	fail "TVP_MPI_PATH=nowhere accepted"
elif ! grep -q "TVP_MPI_PATH is 'nowhere'" "$tmp/badpath.err"; then
	fail "TVP_MPI_PATH=nowhere: $(cat "$tmp/badpath.err")"
else
	ok
fi

# Nothing left behind: no rank, no /dev/shm entry.
left_clean() {
	local label=$1
	if ! no_ranks_left; then
		fail "$label: a rank is still running: $(pgrep -af "^$mpi_bin")"
	elif [[ $(shm_entries) != "$shm_before" ]]; then
		fail "$label: left in /dev/shm: $(comm -13 <(echo "$shm_before") <(shm_entries))"
	else
		ok
	fi
}

# A rank killed by an injected SIGKILL halfway through its items.
rc=0
run_mpi fault 2 -- -j 2 --fault kill --fault-worker 1 hash --blocks 64 \
    --rounds 100 || rc=$?
if [[ $rc == 0 ]]; then
	fail "fault kill: mpirun exited 0"
elif ! grep -q "rank 1 .*signal 9" "$tmp/fault.err"; then
	fail "fault kill: mpirun did not name the rank and signal: $(cat "$tmp/fault.err")"
else
	ok
fi
left_clean "fault kill"

# Wait (bounded) until $1 ranks of this test are at work: each has used
# 0.2 s of CPU, so it is past MPI_Init and the start barrier.  (A rank
# killed during MPI_Init can leave Open MPI 4.1's mpirun waiting for good:
# PMIx loses the connection; that is not what this test is about.)
ranks_working() {
	local i pid working
	for ((i = 0; i < 600; i++)); do
		working=0
		for pid in $(pgrep -f "^$mpi_bin"); do
			# Field 14 of /proc/PID/stat: user time, in clock ticks.
			if [[ $(awk '{ print $14 }' "/proc/$pid/stat" 2>/dev/null || echo 0) -ge 20 ]]; then
				working=$((working + 1))
			fi
		done
		((working < $1)) || return 0
		sleep 0.05
	done
	return 1
}

# Wait (bounded: 60 s) for mpirun $1; its status, or 255 after killing it.
wait_mpirun() {
	local i
	for ((i = 0; i < 600; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1" && return 0 || return $?
		fi
		sleep 0.1
	done
	kill -9 "$1"
	wait "$1" || true
	return 255
}

# A rank killed from outside, and Ctrl-C of mpirun, while ranks work.
for how in kill9 sigint; do
	"${launch[@]}" -np 2 "$mpi_bin" hash --blocks 64 --rounds 10000000 \
	    >/dev/null 2>"$tmp/$how.err" &
	pid=$!
	if ! ranks_working 2; then
		fail "$how: the ranks did not start working"
		kill -INT "$pid"
	elif [[ $how == kill9 ]]; then
		kill -9 "$(pgrep -f "^$mpi_bin" | tail -1)"
	else
		kill -INT "$pid"
	fi
	rc=0
	wait_mpirun "$pid" || rc=$?
	if [[ $rc == 255 ]]; then
		fail "$how: mpirun still running after 60 s (killed): $(cat "$tmp/$how.err")"
	elif [[ $rc == 0 ]]; then
		fail "$how: mpirun exited 0"
	else
		ok
	fi
	left_clean "$how"
done

echo "tests/mpi.sh: $checks checks passed, $failures failed"
[[ $failures == 0 ]]
