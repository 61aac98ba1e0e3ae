"""fileread --cache direct, as common/workloads/fileread.c does it:
O_DIRECT opens, the alignment the filesystem asks (statx's
STATX_DIOALIGN, which Python 3.11's os module does not expose, so it is
called through libc), and read buffers that start on a page (mmap'd)."""

import ctypes
import ctypes.util
import errno
import mmap
import os
import struct

from options import UsageError

# Every read buffer starts on a page: what O_DIRECT asks at most.
BUF_ALIGN = 4096
AT_EMPTY_PATH = 0x1000
STATX_DIOALIGN = 0x2000
# struct statx (linux/stat.h): 256 bytes; stx_mask at 0, then
# stx_dio_mem_align and stx_dio_offset_align at 152 and 156.
STATX_SIZE = 256
STATX_DIO_AT = 152

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_statx = getattr(_libc, "statx", None)


def dio_align(fd):
    """The alignment direct I/O needs for one open file (the larger of
    the offset and buffer alignments), or 0 if the filesystem does not
    say (or this libc has no statx)."""
    if _statx is None:
        return 0
    buf = ctypes.create_string_buffer(STATX_SIZE)
    if _statx(fd, b"", AT_EMPTY_PATH, STATX_DIOALIGN, buf) != 0:
        return 0
    mask = struct.unpack_from("I", buf, 0)[0]
    mem, off = struct.unpack_from("II", buf, STATX_DIO_AT)
    if not mask & STATX_DIOALIGN or off == 0:
        return 0
    return max(mem, off)


def check(paths, block_size):
    """Before any worker starts: every file opens with O_DIRECT (refused
    otherwise, rather than read through the cache under a name that says
    otherwise), and block_size is a multiple of what direct I/O needs
    there (4096 where the filesystem does not say); not rounded, the size
    of a read is part of the experiment.  Raises UsageError."""
    need, unsaid = 0, False
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK |
                         os.O_DIRECT)
        except OSError as e:
            if e.errno == errno.EINVAL:
                raise UsageError(f"fileread: --cache direct: {path}: its "
                                 "filesystem refuses O_DIRECT (--cache cold "
                                 "reads it from the device through the "
                                 "cache)")
            raise UsageError(f"fileread: --cache direct: {path}: "
                             f"{e.strerror}")
        try:
            a = dio_align(fd)
        finally:
            os.close(fd)
        if a == 0:
            unsaid = True
        need = max(need, a)
    if unsaid and need < BUF_ALIGN:
        need = BUF_ALIGN
    if need and block_size % need:
        why = ("assumed: the filesystem does not say" if unsaid
               else "the device's logical block size")
        raise UsageError(f"fileread: --block-size {block_size} is not a "
                         f"multiple of {need}, the alignment --cache direct "
                         f"needs here ({why})")


class Buffer:
    """block_size bytes on a page boundary (an anonymous mapping), for
    os.readv: what O_DIRECT reads into."""

    def __init__(self, block_size):
        size = -(-block_size // BUF_ALIGN) * BUF_ALIGN
        self.map = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)
        self.view = memoryview(self.map)[:block_size]

    def close(self):
        self.view.release()
        self.map.close()
