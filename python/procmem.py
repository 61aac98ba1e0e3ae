"""A process's memory from /proc, as common/core/footprint.c reads it:
PSS, USS (private clean + private dirty), page tables (VmPTE) and peak
RSS (VmHWM, which, unlike ru_maxrss, starts again at exec)."""

import resource


def _kb(text, key):
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def sample(pid=None):
    """(pss, uss, pte, hwm) in KiB of pid (None: this process), or None."""
    where = f"/proc/{pid}" if pid else "/proc/self"
    try:
        with open(f"{where}/smaps_rollup") as f:
            roll = f.read()
        with open(f"{where}/status") as f:
            status = f.read()
        return (_kb(roll, "Pss"),
                _kb(roll, "Private_Clean") + _kb(roll, "Private_Dirty"),
                _kb(status, "VmPTE"), _kb(status, "VmHWM"))
    except (OSError, KeyError, ValueError):
        return None


def hwm_kb():
    got = sample()
    return got[3] if got else 0


def count_mappings():
    """Lines of /proc/self/maps, or -1 (execute.c's count_mappings): fork
    copies every mapping, so a figure for a process's start says how many
    the parent had when its workers started."""
    try:
        with open("/proc/self/maps", "rb") as f:
            return f.read().count(b"\n")
    except OSError:
        return -1


def thread_minflt():
    """Minor faults of the calling thread so far."""
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
