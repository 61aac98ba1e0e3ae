"""The run, as the C framework does it (common/core/), with Python's
threading and multiprocessing (fork start method):

  - memory every worker sees: a bytearray for threads, a
    multiprocessing.shared_memory block for processes, unlinked as soon
    as it exists, mapped before the fork and so inherited by every child;
  - a control block in that memory: the claim counter, one slot per
    worker (its stamps, counts, status, error and memory sample);
  - the start gate: a pipe nobody writes to, whose write end the parent
    closes once every worker exists, waking all at once;
  - item workloads: workers claim item numbers under a lock and leave
    each item's result in its slot of the shared item results;
  - the memory snapshot of common/core/footprint.h, taken when the last
    worker has finished: threads, the last one samples the process;
    processes, each child samples itself once all have finished, one of
    them samples the parent, then all exit;
  - --timeout: the workers still working are named, exit 1.
"""

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time

from multiprocessing import shared_memory

import procmem

# Slot fields, 8 bytes each, then the error text: 256 bytes a worker.
SLOT = ("t_arrive", "t_begin", "t_end", "items", "bytes", "status",
        "minflt_begin", "work_minflt", "pss", "uss", "pte", "hwm", "taken")
SLOT_SIZE = 256
ERROR_OFF = 8 * len(SLOT)
ERROR_MAX = SLOT_SIZE - ERROR_OFF
# The control block's head: the claim counter, go, and the parent's memory.
HEAD = ("next_item", "go", "pss", "uss", "pte", "hwm", "taken")
HEAD_SIZE = 256


def now_ns():
    """CLOCK_MONOTONIC: one clock for every process, as the C uses."""
    return time.monotonic_ns()


class WorkerError(Exception):
    """A worker's failure: the parent prints it with the worker's number."""


class Memory:
    """`size` zeroed bytes every worker sees and may write."""

    def __init__(self, size, processes):
        self.shm = None
        self.views = []
        size = max(size, 1)
        if processes:
            kw = {"track": False} if sys.version_info >= (3, 13) else {}
            self.shm = shared_memory.SharedMemory(create=True, size=size,
                                                  **kw)
            # Unlinked at once: the mapping lives on, nothing can leak.
            self.shm.unlink()
            self.buf = self.shm.buf
        else:
            self.buf = memoryview(bytearray(size))

    def view(self, offset, size, fmt="B"):
        """A window on the memory, cast to fmt ('Q': 8-byte numbers)."""
        v = self.buf[offset:offset + size]
        self.views.append(v)
        if fmt != "B":
            v = v.cast(fmt)
            self.views.append(v)
        return v

    def close(self):
        for v in reversed(self.views):
            v.release()
        self.views = []
        if self.shm is not None:
            self.buf = None
            self.shm.close()


class Control:
    """The framework's part of the shared memory (control.h)."""

    def __init__(self, nworkers, processes):
        self.n = nworkers
        self.mem = Memory(HEAD_SIZE + nworkers * SLOT_SIZE, processes)
        self.q = self.mem.view(0, HEAD_SIZE + nworkers * SLOT_SIZE, "q")

    def get(self, w, field):
        return self.q[(HEAD_SIZE + w * SLOT_SIZE) // 8 + SLOT.index(field)]

    def set(self, w, field, value):
        self.q[(HEAD_SIZE + w * SLOT_SIZE) // 8 + SLOT.index(field)] = value

    def head(self, field):
        return self.q[HEAD.index(field)]

    def set_head(self, field, value):
        self.q[HEAD.index(field)] = value

    def set_error(self, w, text):
        raw = text.encode("utf-8", "replace")[:ERROR_MAX - 1]
        off = HEAD_SIZE + w * SLOT_SIZE + ERROR_OFF
        self.mem.buf[off:off + ERROR_MAX] = raw + b"\0" * (ERROR_MAX - len(raw))

    def error(self, w):
        off = HEAD_SIZE + w * SLOT_SIZE + ERROR_OFF
        return bytes(self.mem.buf[off:off + ERROR_MAX]).split(b"\0")[0] \
            .decode("utf-8", "replace")

    def store_mem(self, w, got):
        """A memory sample into worker w's slot, or (w None) the head."""
        names = ("pss", "uss", "pte", "hwm")
        for name, v in zip(names, got or (0, 0, 0, 0)):
            if w is None:
                self.set_head(name, v)
            else:
                self.set(w, name, v)
        if w is None:
            self.set_head("taken", 1 if got else 0)
        else:
            self.set(w, "taken", 1 if got else 0)

    def close(self):
        self.mem.close()


class Run:
    """One run of one workload: what a workload sees (workload_api.h)."""

    def __init__(self, wl, opts, workers, processes, timeout_s):
        self.wl, self.opts, self.workers = wl, opts, workers
        self.processes, self.timeout_s = processes, timeout_s
        self.state = {}
        self.regions = []
        self.nitems = self.item_result_size = 0
        self.item_results = None
        self.result_text, self.notes, self.metrics = "", [], []
        self.ctl = None

    # ---- for workloads ----
    def shared(self, size):
        m = Memory(size, self.processes)
        self.regions.append(m)
        return m

    def set_items(self, n, result_size):
        self.nitems, self.item_result_size = n, result_size

    def result(self, text):
        self.result_text = text[:159]

    def note(self, text):
        self.notes.append(text)

    def metric(self, name, unit, value, better):
        if len(self.metrics) < 8:
            self.metrics.append((name, value, unit, better))

    def work_span_ns(self):
        first = min(self.ctl.get(w, "t_begin") for w in range(self.workers))
        last = max(self.ctl.get(w, "t_end") for w in range(self.workers))
        return max(last - first, 0)

    def work_minflt(self):
        return sum(max(self.ctl.get(w, "work_minflt"), 0)
                   for w in range(self.workers))

    def worker_count(self, w, items, nbytes):
        self.ctl.set(w, "items", self.ctl.get(w, "items") + items)
        self.ctl.set(w, "bytes", self.ctl.get(w, "bytes") + nbytes)

    def release(self):
        for m in self.regions:
            m.close()
        self.regions = []


# ---- the worker side --------------------------------------------------------

def _claim(run):
    with run.claim_lock:
        i = run.ctl.head("next_item")
        run.ctl.set_head("next_item", i + 1)
    return i


def _item_loop(run, w):
    size = run.item_result_size
    items = nbytes = 0
    while True:
        i = _claim(run)
        if i >= run.nitems:
            break
        result, n = run.wl.item(run, i, w)
        if size:
            run.item_results[i * size:(i + 1) * size] = result
        items += 1
        nbytes += n
    run.worker_count(w, items, nbytes)
    return 0


def _finish_line(run, w):
    """Count the worker's faults; take its part of the memory snapshot."""
    ctl = run.ctl
    ctl.set(w, "work_minflt", procmem.thread_minflt() -
            ctl.get(w, "minflt_begin"))
    if not run.processes:
        with run.finish_lock:
            run.finished += 1
            last = run.finished == run.workers
        if last:
            ctl.store_mem(None, procmem.sample())
        return
    run.barrier.wait()                      # every child has finished
    ctl.store_mem(w, procmem.sample())
    if run.barrier.wait() == 0:             # every child has sampled itself
        ctl.store_mem(None, procmem.sample(os.getppid()))
    run.barrier.wait()                      # and the parent is sampled


def worker_main(run, w):
    ctl = run.ctl
    ctl.set(w, "t_arrive", now_ns())
    while True:
        try:
            os.read(run.gate_rd, 1)
            break
        except InterruptedError:
            continue
    if ctl.head("go") != 1:
        return 0
    ctl.set(w, "t_begin", now_ns())
    ctl.set(w, "minflt_begin", procmem.thread_minflt())
    try:
        if hasattr(run.wl, "work"):
            rc = run.wl.work(run, w)
        else:
            rc = _item_loop(run, w)
    except WorkerError as e:
        ctl.set_error(w, str(e))
        rc = 1
    except Exception as e:  # noqa: BLE001 -- any failure is the worker's
        ctl.set_error(w, f"{type(e).__name__}: {e}")
        rc = 1
    ctl.set(w, "t_end", now_ns())
    ctl.set(w, "status", rc)
    if rc == 0:
        _finish_line(run, w)
    return rc


# ---- threads ----------------------------------------------------------------

def _abandon(run, threads, status, why):
    """Threads cannot be killed alone: name the busy ones, end it all."""
    warn(why)
    busy = [w for w, t in enumerate(threads) if run.ctl.get(w, "t_end") == 0
            and t.is_alive()]
    for w in busy:
        warn(f"worker {w} was still running")
    warn(f"{len(busy)} of {run.workers} worker thread(s) unfinished; a "
         "thread cannot be killed alone, so the process exits")
    sys.stderr.flush()
    os._exit(status)


def run_threads(run, phases):
    run.claim_lock = threading.Lock()
    run.finish_lock = threading.Lock()
    run.finished = 0
    run.gate_rd, gate_wr = os.pipe()
    threads = [threading.Thread(target=worker_main, args=(run, w),
                                daemon=True) for w in range(run.workers)]
    phases["t0"] = now_ns()
    deadline = phases["t0"] + run.timeout_s * 10**9 if run.timeout_s else None
    for t in threads:
        t.start()
    phases["t_gate"] = now_ns()
    run.ctl.set_head("go", 1)
    os.close(gate_wr)
    try:
        for t in threads:
            while t.is_alive():
                left = None if deadline is None else (deadline - now_ns()) / 1e9
                if left is not None and left <= 0:
                    _abandon(run, threads, 1,
                             f"timed out after {run.timeout_s:g} s")
                t.join(left if left is None else min(left, 1.0))
    except KeyboardInterrupt:
        _abandon(run, threads, 128 + signal.SIGINT, "interrupted by SIGINT")
    phases["t_reaped"] = now_ns()
    os.close(run.gate_rd)
    failed = [w for w in range(run.workers) if run.ctl.get(w, "status") != 0]
    for w in failed:
        warn(f"worker {w} failed: {run.ctl.error(w) or 'no reason given'}")
    return 1 if failed else 0


# ---- processes ----------------------------------------------------------------

def _die_with_parent():
    """PR_SET_PDEATHSIG(SIGKILL), as the C children: no orphan works on."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _child_main(run, w, gate_wr, parent):
    os.close(gate_wr)  # or EOF never comes
    _die_with_parent()
    if os.getppid() != parent:
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    rc = worker_main(run, w)
    # _exit: the parent's buffers and exit handlers are not ours.
    os._exit(0 if rc == 0 else 1)


def _report_death(run, w, p):
    why = run.ctl.error(w)
    if p.exitcode < 0:
        sig = signal.Signals(-p.exitcode)
        warn(f"worker {w} (pid {p.pid}) killed by {sig.name} "
             f"({signal.strsignal(sig)}){': ' + why if why else ''}")
    else:
        warn(f"worker {w} (pid {p.pid}) exited with status {p.exitcode}: "
             f"{why or 'no reason given'}")


def _stop_all(procs):
    for p in procs:
        if p.exitcode is None:
            p.kill()
    for p in procs:
        p.join()


def run_processes(run, phases):
    ctx = multiprocessing.get_context("fork")
    run.claim_lock = ctx.Lock()
    run.barrier = ctx.Barrier(run.workers)
    run.gate_rd, gate_wr = os.pipe()
    parent = os.getpid()
    procs = [ctx.Process(target=_child_main, args=(run, w, gate_wr, parent))
             for w in range(run.workers)]
    sys.stdout.flush()
    sys.stderr.flush()
    phases["t0"] = now_ns()
    deadline = phases["t0"] + run.timeout_s * 10**9 if run.timeout_s else None
    for p in procs:
        p.start()
    phases["t_gate"] = now_ns()
    run.ctl.set_head("go", 1)
    os.close(gate_wr)
    rc = 0
    try:
        left = list(procs)
        while left:
            wait = None if deadline is None else max(deadline - now_ns(), 0) / 1e9
            ready = multiprocessing.connection.wait([p.sentinel for p in left],
                                                    wait)
            if not ready:
                busy = [w for w, p in enumerate(procs) if p.exitcode is None
                        and run.ctl.get(w, "t_end") == 0]
                warn(f"timed out after {run.timeout_s:g} s: killing "
                     f"{len(busy)} worker(s) still running")
                for w in busy:
                    warn(f"worker {w} (pid {procs[w].pid}) was still running")
                _stop_all(procs)
                rc = 1
                break
            for p in [p for p in left if p.sentinel in ready]:
                p.join()
                left.remove(p)
                if p.exitcode != 0:
                    _report_death(run, procs.index(p), p)
                    _stop_all(procs)
                    rc = 1
                    left = []
                    break
    except KeyboardInterrupt:
        warn(f"interrupted by SIGINT: stopping {sum(p.exitcode is None for p in procs)} worker(s)")
        _stop_all(procs)
        rc = 128 + signal.SIGINT
    phases["t_reaped"] = now_ns()
    os.close(run.gate_rd)
    for p in procs:
        p.close()
    return rc


def warn(msg):
    print(f"{os.path.basename(sys.argv[0])}: {msg}", file=sys.stderr)
