#!/usr/bin/env bash
# make install and make uninstall, checked as a user would: install into a
# staging directory (DESTDIR) and check what landed there; render the man
# page; run the installed tvp-compare from another directory, finding the
# programs on the PATH, then (the tree moved to the prefix it was made
# for) in the bindir make install wrote into it, then in $TVP_BINDIR, and
# not at all; uninstall and check that nothing of tvp is left, and that
# what was there before is.
# usage: tests/install.sh [MAKE VARIABLES]   (make check passes SANITIZE)
set -euo pipefail
export LC_ALL=C

src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvp-install.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

prefix=$tmp/prefix      # the PREFIX: empty until the tree is moved there
stage=$tmp/stage        # the DESTDIR
root=$stage$prefix      # where make install writes
away=$tmp/away          # the directory tvp-compare runs from
mkdir -p "$away" "$tmp/decoy"

fail() {
    printf 'install.sh: FAIL: %s\n' "$*" >&2
    exit 1
}

# A make of its own: the make running this script passes its flags and
# jobserver in MAKEFLAGS; this one gets only what it is told here.
unset MAKEFLAGS MFLAGS MAKELEVEL
mk() {
    make -s --no-print-directory -C "$src" DESTDIR="$stage" PREFIX="$prefix" "$@"
}

# The PATH without any directory that holds a tvp program, so that only
# the copies this test means can be found.
base_path=
IFS=: read -r -a dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
    if [[ -n $dir && ! -e $dir/tvp-threads && ! -e $dir/tvp-processes ]]; then
        base_path+=${base_path:+:}$dir
    fi
done
# Decoys that fail loudly if tvp-compare takes them.
for name in tvp-threads tvp-processes; do
    printf '#!/bin/sh\necho "decoy %s ran" >&2\nexit 99\n' "$name" >"$tmp/decoy/$name"
    chmod 755 "$tmp/decoy/$name"
done

# compare [NAME=VALUE...] PROGRAM: run PROGRAM, an installed tvp-compare,
# from $away with those environment variables, on a quick, cheap
# selection; its output in $tmp/out and $tmp/err, its exit status in rc.
compare() {
    rc=0
    (cd "$away" && env "$@" --quick -w hash -j 1 -r 1 -- --blocks 8 --rounds 10) \
        >"$tmp/out" 2>"$tmp/err" || rc=$?
}

# expect_table WHAT: the run exited 0 and printed the table with a
# verified hash row.
expect_table() {
    if ((rc != 0)) || ! grep -Eq '^hash +1 .*✓( |$)' "$tmp/out"; then
        cat "$tmp/out" "$tmp/err" >&2
        fail "$1: exit $rc, no verified hash row"
    fi
}

# What is there before the install, and must be after the uninstall.
mkdir -p "$root/bin" "$root/share/doc/other"
touch "$root/bin/other" "$root/share/doc/other/README"

mk install "$@"

# Every file and link under $root, with where links point.
listing() {
    (cd "$root" && find . -type l -printf '%p -> %l\n' -o ! -type d -print | sort)
}
expected="./bin/other
./bin/tvp-compare -> ../share/tvp/compare.sh
./bin/tvp-mpi
./bin/tvp-processes
./bin/tvp-threads
./share/doc/other/README
./share/doc/tvp/README.md
./share/man/man1/tvp-compare.1 -> tvp.1
./share/man/man1/tvp-mpi.1 -> tvp.1
./share/man/man1/tvp-processes.1 -> tvp.1
./share/man/man1/tvp-threads.1 -> tvp.1
./share/man/man1/tvp.1
./share/tvp/compare.sh
./share/tvp/mpi/launch.sh
./share/tvp/report/tvp-report"
for py in "$src"/report/tvpreport/*.py; do
    expected+=$'\n'"./share/tvp/report/tvpreport/${py##*/}"
done
for py in "$src"/python/*.py; do
    expected+=$'\n'"./share/tvp/python/${py##*/}"
done
expected=$(LC_ALL=C sort <<<"$expected")
if [[ $(LC_ALL=C listing) != "$expected" ]]; then
    diff <(printf '%s\n' "$expected") <(LC_ALL=C listing) >&2 || true
    fail "make install: not the expected files (diff: expected, installed)"
fi
for name in tvp-threads tvp-processes tvp-mpi tvp-compare; do
    [[ -x $root/bin/$name ]] || fail "$root/bin/$name is not executable"
done
grep -qx "TVP_INSTALLED_BINDIR=\"$prefix/bin\"" "$root/share/tvp/compare.sh" ||
    fail "the installed compare.sh was not told bindir $prefix/bin"

# The man page, and a link to it, render without a warning.
for page in tvp.1 tvp-compare.1; do
    MANWIDTH=80 man --warnings -l "$root/share/man/man1/$page" \
        >"$tmp/man" 2>"$tmp/man.err" || fail "man -l $page failed"
    [[ ! -s $tmp/man.err ]] || { cat "$tmp/man.err" >&2; fail "man -l $page warned"; }
    grep -q 'tvp-threads' "$tmp/man" || fail "man -l $page printed no page"
done

# Staged, not yet at $prefix: the programs are found on the PATH.
compare PATH="$root/bin:$base_path" tvp-compare
expect_table "tvp-compare, programs on the PATH"

# At $prefix: in the bindir make install wrote, ahead of the PATH.
mv "$root" "$prefix"
compare PATH="$tmp/decoy:$base_path" "$prefix/bin/tvp-compare"
expect_table "tvp-compare, programs in its bindir"
# --python: the installed copy finds the Python twin beside it.
compare PATH="$tmp/decoy:$base_path" "$prefix/bin/tvp-compare" --python
expect_table "tvp-compare --python"
grep -q 'py-processes' "$tmp/out" || { cat "$tmp/out" >&2; fail "tvp-compare --python: no Python columns"; }
[[ -x $prefix/share/tvp/python/tvp.py ]] || fail "the installed python/tvp.py is not executable"

# $TVP_BINDIR first; a program missing there is an error, named.
compare PATH="$tmp/decoy:$base_path" TVP_BINDIR="$prefix/bin" "$prefix/bin/tvp-compare"
expect_table "tvp-compare, TVP_BINDIR"
compare PATH="$base_path" TVP_BINDIR="$tmp/nowhere" "$prefix/bin/tvp-compare"
if ((rc != 2)) || ! grep -q "$tmp/nowhere/tvp-threads" "$tmp/err"; then
    cat "$tmp/err" >&2
    fail "TVP_BINDIR without the programs: exit $rc, the missing program not named"
fi

# Back in the staging directory: not in its bindir, not on the PATH.
mv "$prefix" "$root"
compare PATH="$base_path" "$root/bin/tvp-compare"
if ((rc != 2)) || [[ $(wc -l <"$tmp/err") != 1 ]] ||
    ! grep -q "$prefix/bin.*TVP_BINDIR" "$tmp/err"; then
    cat "$tmp/err" >&2
    fail "no programs anywhere: exit $rc, not one line naming $prefix/bin and TVP_BINDIR"
fi

# Uninstall (twice: the second finds nothing to do): only what was there
# before is left, and no directory of tvp's own.
mk uninstall "$@"
mk uninstall "$@"
expected="./bin/other
./share/doc/other/README"
if [[ $(listing) != "$expected" ]]; then
    diff <(printf '%s\n' "$expected") <(listing) >&2 || true
    fail "make uninstall: not what was there before (diff: expected, left)"
fi
for dir in share/tvp share/doc/tvp; do
    [[ ! -e $root/$dir ]] || fail "make uninstall left $root/$dir"
done
echo "install.sh: make install, the installed tvp-compare and man page, make uninstall: ok"
