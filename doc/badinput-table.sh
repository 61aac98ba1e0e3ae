#!/usr/bin/env bash
# Regenerate the table of doc/badinput.md: run every bad input and print
# one Markdown row each (command, first line of stderr, exit status).
# Run from the repository root, as root (it drops to nobody and mounts
# tmpfs in a private namespace for some rows).  Usage: doc/badinput-table.sh
set -uo pipefail
export LC_ALL=C
T=./bin/tvp-threads P=./bin/tvp-processes
W=$(mktemp -d /tmp/tvp-badinput-doc.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT

row() {  # row SHOWN-COMMAND -- COMMAND...
    local shown=${1//$W/DIR} err rc
    shift 2
    "$@" >/dev/null 2>"$W/err"; rc=$?
    err=$(grep -v '^fileread: generating' "$W/err" | sed "s|$W|DIR|g" | head -n 1)
    err=${err//|/\\|}
    printf '| `%s` | %s | %d |\n' "${shown//|/\\|}" "${err:-(none)}" "$rc"
}
tvp() { row "tvp-threads $*" -- "$T" "$@"; }
cmp() { row "compare.sh $*" -- ./compare.sh "$@"; }

echo '| command | message (stderr, first line) | exit |'
echo '|---|---|---:|'
tvp -j
tvp -j abc hash
tvp -j '' hash
tvp -j -1 hash
tvp -j 0 hash
tvp -j 4097 hash
tvp -j 99999999999999999999 hash
tvp --workers=2x hash
tvp --format
tvp --format xml hash
tvp --timeout 0 hash
tvp --timeout 1.5 hash
tvp --timeout 99999999999999999999 hash
tvp --fault boom hash
tvp --fault-worker 1 hash
tvp --fault crash --fault-worker 2 -j 2 hash
tvp --fault crash --fault-worker -1 hash
tvp --recover=yes hash
tvp --quick=1 hash
tvp --bogus hash
tvp -x hash
row "tvp-threads -j \$'1\\n2' hash" -- "$T" -j $'1\n2' hash
row "tvp-threads \$'\\e[2J'" -- "$T" $'\e[2J'
tvp
tvp nosuch
tvp hash --blocks
tvp hash --blocks x
tvp hash --blocks -5
tvp hash --blocks 99999999999999999999
tvp hash --blocks=1e3
tvp hash --block-size 0
tvp hash --block-size 2G
tvp hash --block-size 1X
tvp hash --rounds 0
tvp hash --seed -1
tvp hash --algo nosuch
tvp hash --algo shake128
tvp hash --algo null
tvp hash --blocks 16777216 --block-size 1G
tvp hash --nosuch 1
tvp hash extra
tvp fileread --files 0
tvp fileread --files 99999999999999999999
tvp fileread --file-size -1
tvp fileread --file-size 2G
tvp fileread --block-size 0
tvp fileread --cache hot
tvp fileread --delay-us 1000001
tvp fileread --dir
tvp fileread --dir ''
tvp fileread --cache-dir ''
tvp fileread --manifest ''
tvp fileread --dir /nonexistent/tvp
tvp fileread --dir /etc/passwd
tvp fileread --files 1048576 --file-size 1G --cache-dir /tmp/tvp-never-made
tvp fileread --files 2 --cache-dir /proc/tvp-cache
# A directory of a file nobody may read, an unreadable subdir.
mkdir "$W/d" "$W/e" && echo x >"$W/d/a" && echo y >"$W/d/b" && chmod 0 "$W/d/b" && chmod 755 "$W/d"
row "(as nobody) tvp-threads fileread --dir DIR/d  # DIR/d/b mode 000" -- \
    setpriv --reuid 65534 --regid 65534 --clear-groups "$T" fileread --dir "$W/d"
echo x >"$W/e/a" && mkdir -m 0 "$W/e/sub" && chmod 755 "$W/e"
row "(as nobody) tvp-threads fileread --dir DIR/e  # DIR/e/sub mode 000" -- \
    setpriv --reuid 65534 --regid 65534 --clear-groups "$T" fileread --dir "$W/e"
# Only special files.
mkdir "$W/s" && mkfifo "$W/s/fifo" && ln -s loop2 "$W/s/loop1" && ln -s loop1 "$W/s/loop2"
tvp fileread --dir "$W/s"
# A dataset damaged between runs.
"$T" fileread --cache-dir "$W/c" --files 3 --file-size 100 >/dev/null 2>&1
truncate -s 99 "$W/c/fileread-3x100-seed1/data/f0000001.bin"
tvp -j 2 fileread --cache-dir "$W/c" --files 3 --file-size 100
row "tvp-processes -j 2 fileread --cache-dir DIR/c --files 3 --file-size 100" -- \
    "$P" -j 2 fileread --cache-dir "$W/c" --files 3 --file-size 100
rm "$W/c/fileread-3x100-seed1/data/f0000001.bin"
tvp -j 2 fileread --cache-dir "$W/c" --files 3 --file-size 100
tvp fileread --dir "$W/d" --manifest /nonexistent/m
tvp fileread --dir "$W/d" --manifest "$W/d/m"
mkdir "$W/n" && echo x >"$W/n/"$'new\nline'
row "tvp-threads fileread --dir DIR/n --manifest DIR/m  # DIR/n/\$'new\\nline'" -- \
    "$T" fileread --dir "$W/n" --manifest "$W/m"
mkdir "$W/full" "$W/many"
for i in $(seq 100); do echo x >"$W/many/a-file-with-a-longish-name-$i"; done
row "(on a 4K tmpfs) tvp-threads fileread --dir DIR/many --manifest DIR/full/m  # 100 files" -- \
    unshare -m sh -c "mount -t tmpfs -o size=4k t $W/full && exec $T fileread --dir $W/many --manifest $W/full/m"
mkdir "$W/r"
row "(on a ramfs) tvp-threads fileread --cache direct --dir DIR/\$'e\\e[2Jx'" -- \
    unshare -m sh -c "mount -t ramfs t $W/r && d=$W/r/\$(printf 'e\\033[2Jx') && mkdir \"\$d\" && echo x >\"\$d/f\" && exec $T fileread --cache direct --dir \"\$d\""
# Writes that fail.
row "(RLIMIT_FSIZE 1000) tvp-threads fileread --cache-dir DIR/f --files 3 --file-size 4096" -- \
    prlimit --fsize=1000 "$T" fileread --cache-dir "$W/f" --files 3 --file-size 4096
mkdir "$W/m"
row "(on a 64K tmpfs) tvp-threads fileread --cache-dir DIR/m --files 4 --file-size 64K" -- \
    unshare -m sh -c "mount -t tmpfs -o size=64k t $W/m && exec $T fileread --cache-dir $W/m --files 4 --file-size 64K"
row "(on a 64M tmpfs) tvp-threads fileread --cache-dir DIR/m --files 63 --file-size 1M" -- \
    unshare -m sh -c "mount -t tmpfs -o size=64m t $W/m && exec $T fileread --cache-dir $W/m --files 63 --file-size 1M"
row "(tmpfs of 6 inodes) tvp-threads fileread --cache-dir DIR/m --files 8 --file-size 100" -- \
    unshare -m sh -c "mount -t tmpfs -o size=1m,nr_inodes=6 t $W/m && exec $T fileread --cache-dir $W/m --files 8 --file-size 100"
row "(read-only tmpfs) tvp-threads fileread --cache-dir DIR/m/cache --files 2" -- \
    unshare -m sh -c "mount -t tmpfs -o ro t $W/m && exec $T fileread --cache-dir $W/m/cache --files 2"
# SIGTERM while the dataset is made (a signal from outside, so not exact).
# Not SIGINT: a script's background job starts with SIGINT ignored, and
# tvp leaves an ignored SIGINT ignored.
"$T" fileread --cache-dir "$W/i" --files 20000 --file-size 4K >/dev/null 2>"$W/ierr" &
pid=$!
until grep -q generating "$W/ierr"; do sleep 0.01; done
kill -TERM "$pid"; wait "$pid"; rc=$?
printf '| `%s` | %s | %d |\n' "tvp-threads fileread --cache-dir DIR/i --files 20000 --file-size 4K  # SIGTERM while generating" \
    "$(grep -v '^fileread: generating' "$W/ierr" | sed "s|$W|DIR|g" | head -n 1); left in DIR/i: $(ls -A "$W/i" | wc -l) entries" "$rc"
# The most workers -j allows.
tvp -j 4096 hash --blocks 64 --block-size 64 --rounds 1
# Descriptors under the common ulimit -n 1024 (soft and hard).
row "(ulimit -n 1024) tvp-threads -j 256 background" -- \
    prlimit --nofile=1024 "$T" -j 256 background
row "(ulimit -n 1024) tvp-processes -j 1024 pingpong --via pipe" -- \
    prlimit --nofile=1024 "$P" -j 1024 pingpong --via pipe
# A record that cannot be written.
row "tvp-threads --format csv hash --blocks 1 --rounds 1 >/dev/full" -- \
    sh -c "exec $T --format csv hash --blocks 1 --rounds 1 >/dev/full"
row "tvp-threads --format csv hash --blocks 1 --rounds 1 >&-" -- \
    sh -c "exec $T --format csv hash --blocks 1 --rounds 1 >&-"
# No processes or threads left to start.
row "(as nobody, RLIMIT_NPROC 8) tvp-threads -j 64 hash --blocks 64" -- \
    prlimit --nproc=8 setpriv --reuid 65534 --regid 65534 --clear-groups "$T" -j 64 hash --blocks 64 --block-size 64 --rounds 1
row "(as nobody, RLIMIT_NPROC 8) tvp-processes -j 64 hash --blocks 64" -- \
    prlimit --nproc=8 setpriv --reuid 65534 --regid 65534 --clear-groups "$P" -j 64 hash --blocks 64 --block-size 64 --rounds 1
cmp -j
cmp -j 0
cmp -j x
cmp -j 4097
cmp -j 99999999999999999999
cmp -j ''
cmp -j 1,,2
cmp -r 0
cmp -r x
cmp -r 1000000
cmp --format xml
cmp --format=
cmp -w ''
cmp -w nosuch
cmp -w hash,,fileread
cmp -o ''
cmp -o /nonexistent/dir/out
cmp -o /tmp
cmp --bogus
cmp extra
cmp -w hash -j 1 -r 1 -- --blocks x
cmp -w hash -j 1,2 -x blocks=x,y -r 1
cmp --warmup x
cmp --min-runs 0
cmp --max-runs x
cmp --min-time 1.2.3
cmp -r 3 --min-runs 2
cmp --min-runs 5 --max-runs 2
cmp -x touch
cmp -x touch=1,,2
cmp -x a=1 -x b=2
cmp --save ''
cmp --save /tmp
cmp --plot /etc/passwd
cmp -o /tmp/tvp-same --save /tmp/tvp-same
cmp -w hash -- ''
cmp --lessons --faults
cmp --lessons -j 2
cmp --lessons -w nosuch
cmp --faults -w hash
