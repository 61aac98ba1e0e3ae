#!/bin/sh
# Run every registered workload (bin/tvp-threads --list), in both modes,
# under valgrind, and fail on any memory error or definite leak.
# usage: tests/valgrind.sh [BINDIR]   (make valgrind)
#
# Each run is `tvp-MODE -j $VG_WORKERS --quick WORKLOAD`, followed by the
# workload options on WORKLOAD's line of tests/valgrind.args, if it has
# one: valgrind runs code 20 to 50 times slower, and serializes threads,
# so a workload whose --quick run is still long under it (many forks,
# many rounds) gets smaller options there, or `skip REASON` if valgrind
# cannot run it at all.  A new workload is picked up from --list with no
# change here.
set -eu

bindir=${1:-bin}
args_file=$(dirname "$0")/valgrind.args
workers=${VG_WORKERS:-2}

# --trace-children: a fork()ed worker is always checked (valgrind follows
# fork); this also follows a program that a workload exec()s, except the
# system's own, which are not ours to check and would only be slow.
set -- --quiet --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite --trace-children=yes \
    --trace-children-skip='/bin/*,/sbin/*,/usr/*'

workloads=$("$bindir/tvp-threads" --list | awk '{ print $1 }')
if [ -z "$workloads" ]; then
	echo "valgrind.sh: $bindir/tvp-threads --list named no workload" >&2
	exit 1
fi

failed=0
runs=0
skipped=0
for wl in $workloads; do
	extra=""
	if [ -f "$args_file" ]; then
		extra=$(awk -v w="$wl" '$1 == w { $1 = ""; print; exit }' \
		    "$args_file")
	fi
	case $extra in
	" skip"*)
		echo "valgrind: skipped $wl:${extra# skip}"
		skipped=$((skipped + 1))
		continue
		;;
	esac
	for mode in threads processes; do
		start=$(date +%s.%N)
		# $extra is a list of words: split on purpose.
		# shellcheck disable=SC2086
		if valgrind "$@" "$bindir/tvp-$mode" -j "$workers" --quick \
		    --format csv "$wl" $extra >/dev/null; then
			status=ok
		else
			status=FAILED
			failed=$((failed + 1))
		fi
		runs=$((runs + 1))
		end=$(date +%s.%N)
		printf 'valgrind: %-6s %-10s %-9s -j %s --quick %s%s (%.1f s)\n' \
		    "$status" "$wl" "$mode" "$workers" "$wl" "$extra" \
		    "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
	done
done
echo "valgrind: $((runs - failed)) passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
