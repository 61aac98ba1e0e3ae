#!/usr/bin/python3
"""An independent check of the memory figures in tvp's record.

Runs one tvp command (C or Python twin), and while it runs polls
/proc/PID/smaps_rollup and /proc/PID/status of the program and of every
process below it, summing PSS, USS (Private_Clean + Private_Dirty) and
VmPTE over them.  A round counts only when it read every process of the
run: the program plus WORKERS children for processes, the program alone
for threads.  Prints the last complete round (the nearest to the moment
tvp samples: when the last worker finished) and the one of largest PSS
next to the record's pss_kb, uss_kb and pte_kb (the command must print
--format json).

    /usr/bin/python3 bench/memsample.py 8 bin/tvp-processes -j 8 \\
        --format json hash --block-size 256K

Standard library only; it knows nothing of tvp's code.
"""
import json
import os
import subprocess
import sys


def kb(text, key):
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def sample(pid):
    """(pss, uss, pte) of one process in KiB, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            roll = f.read()
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
        return (kb(roll, "Pss"),
                kb(roll, "Private_Clean") + kb(roll, "Private_Dirty"),
                kb(status, "VmPTE"))
    except (OSError, KeyError, ValueError):
        return None


def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: memsample.py CHILDREN COMMAND...  (CHILDREN: the "
                 "worker processes to expect, 0 for threads)")
    want = int(sys.argv[1])
    proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE)
    best = last = None
    rounds = 0
    while proc.poll() is None:
        pids = [proc.pid] + children(proc.pid)
        if len(pids) != want + 1:
            continue
        got = [sample(p) for p in pids]
        if None in got or set(children(proc.pid)) != set(pids[1:]):
            continue
        total = tuple(sum(x[i] for x in got) for i in range(3))
        rounds += 1
        last = total
        if best is None or total[0] > best[0]:
            best = total
    out, _ = proc.communicate()
    rec = json.loads(out)
    print(f"complete rounds: {rounds}")
    if best is None:
        sys.exit("no complete round: the run ended too fast")
    for what, got in (("last", last), ("peak", best)):
        for i, name in enumerate(("pss_kb", "uss_kb", "pte_kb")):
            diff = (rec[name] - got[i]) / got[i] * 100 if got[i] else 0.0
            print(f"{name:7} record {rec[name]:>9}  sampler ({what}) "
                  f"{got[i]:>9}  difference {diff:+.1f}%")


if __name__ == "__main__":
    main()
