#!/usr/bin/env bash
# Run bin/tvp-mpi as NP ranks on this machine, over shared memory or as
# if every rank were on a node of its own.
#
# usage: mpi/launch.sh shared|net NP [tvp-mpi arguments]
#
#   shared  Open MPI's choice on one node: messages and one-sided
#           operations through shared memory (btl vader, osc sm), item
#           results written into one MPI_Win_allocate_shared window
#   net     what separate nodes would use, simulated here: messages over
#           TCP (--mca btl self,tcp), the claim counter's MPI_Fetch_and_op
#           carried by messages (--mca osc pt2pt; osc sm would still use
#           shared memory), item results gathered to rank 0 by item
#           (TVP_MPI_PATH=net)
#
# The program: $TVP_BINDIR/tvp-mpi if TVP_BINDIR is set, else bin/tvp-mpi
# beside this directory.  --oversubscribe: more ranks than cores are
# allowed; --bind-to none: ranks not pinned to cores; --allow-run-as-root
# only when run as root.
set -euo pipefail

usage() {
	echo "usage: ${0##*/} shared|net NP [tvp-mpi arguments]" >&2
	exit 2
}

[[ $# -ge 2 ]] || usage
path=$1 np=$2
shift 2
[[ $np =~ ^[1-9][0-9]{0,3}$ ]] || { echo "${0##*/}: bad NP '$np' (1 .. 9999)" >&2; exit 2; }
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
bin=${TVP_BINDIR:-$here/../bin}/tvp-mpi
# Unpinned, as compare.sh runs the forms (mpirun pins ranks to cores
# when there are no more ranks than cores).
launch=(mpirun --oversubscribe --bind-to none -np "$np")
if [[ $(id -u) == 0 ]]; then
	launch+=(--allow-run-as-root)
fi
case $path in
	shared) exec env TVP_MPI_PATH=shared "${launch[@]}" "$bin" "$@" ;;
	net) exec env TVP_MPI_PATH=net "${launch[@]}" --mca btl self,tcp \
	    --mca osc pt2pt "$bin" "$@" ;;
	*) echo "${0##*/}: bad path '$path' (shared or net)" >&2; exit 2 ;;
esac
