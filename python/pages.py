"""Private anonymous memory on the page size asked for, as
common/lib/pages.c maps it: small (4 KiB) or transparent huge pages
(2 MiB), said explicitly whatever the system's default.  The page size
decides what a forked child pays to use memory its parent filled: its
first touch of each inherited page costs it, so 512 times fewer pages are
512 times fewer first touches."""

import ctypes
import mmap

HUGE_PAGE = 2 << 20


class Pages:
    """`size` zeroed bytes starting on a 2 MiB boundary, advised huge or
    not; `view` is a memoryview of exactly them.  A refused madvise (no
    transparent huge pages in this kernel) is not a failure: its errno is
    kept in advice_errno."""

    def __init__(self, size, huge):
        need = max(size, 1) + HUGE_PAGE - 1
        need -= need % HUGE_PAGE
        # MAP_PRIVATE: with fd -1 Python adds MAP_ANONYMOUS; a shared
        # anonymous mapping would be shmem, whose huge pages are another
        # setting (shmem_enabled).
        self.map = mmap.mmap(-1, need + HUGE_PAGE, flags=mmap.MAP_PRIVATE,
                             prot=mmap.PROT_READ | mmap.PROT_WRITE)
        anchor = ctypes.c_char.from_buffer(self.map)
        base = ctypes.addressof(anchor)
        del anchor  # an export would keep the mapping from closing
        self.offset = (-base) % HUGE_PAGE
        self.address, self.size = base + self.offset, size
        self.advice_errno = 0
        try:
            self.map.madvise(mmap.MADV_HUGEPAGE if huge
                             else mmap.MADV_NOHUGEPAGE, self.offset, need)
        except OSError as e:
            self.advice_errno = e.errno
        self.view = memoryview(self.map)[self.offset:self.offset + size]

    def huge_bytes(self):
        """Bytes of it on huge pages now (AnonHugePages of the mappings
        it overlaps in /proc/self/smaps), or -1 if that cannot be read."""
        lo, hi = self.address, self.address + self.size
        total, inside = 0, False
        try:
            with open("/proc/self/smaps") as f:
                for line in f:
                    head = line.split(" ", 1)[0]
                    if "-" in head and ":" not in head:
                        start, _, end = head.partition("-")
                        inside = int(start, 16) < hi and int(end, 16) > lo
                    elif inside and line.startswith("AnonHugePages:"):
                        total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            return -1
        return total

    def close(self):
        if self.view is not None:
            self.view.release()
            self.view = None
        self.map.close()
