"""hash, fileread and counter, as common/workloads/ has them: the same
options (names, defaults, bounds, meaning), the same data, the same
results; run by Python's threads or processes.  The C files say why each
is built the way it is; the comments here say where Python differs."""

import hashlib
import mmap
import os
import shutil
import stat
import sys
import tempfile
import threading
import time

import directio
import gen
from options import CHOICE, NUM, SIZE, STR, Opt, UsageError
from pages import HUGE_PAGE, Pages
from record import FAILED, RACE, VERIFIED
from runner import WorkerError

try:
    import xxhash
except ImportError:
    xxhash = None

VERIFY_SAMPLE = 8
LLMAX = 0x7fffffffffffffff


def need_xxhash(what):
    if xxhash is None:
        raise UsageError(f"{what} needs the Python module xxhash, which "
                         f"{sys.executable} cannot import (Debian: apt-get "
                         "install python3-xxhash)")


def sample_item(k, samples, n):
    """tvp_sample_item: the k-th of `samples` items spread over n."""
    if samples <= 1:
        return 0
    return k * (n - 1) // (samples - 1)


# ---- hash ------------------------------------------------------------------

# Python's own implementations, not OpenSSL's: the independent reference,
# as libmd is for the C (the same five algorithms).
try:
    import _md5
    import _sha1
    import _sha256
    import _sha512
    REFERENCE = {"md5": _md5.md5, "sha1": _sha1.sha1,
                 "sha256": _sha256.sha256, "sha384": _sha512.sha384,
                 "sha512": _sha512.sha512}
except ImportError:
    REFERENCE = {}


class Hash:
    name, kind = "hash", "cpu"
    summary = "chained digests (hashlib) of synthetic data blocks"
    quick = "--blocks 256 --rounds 3000"
    opts = [
        Opt("blocks", NUM, "1024", 0, 1 << 24,
            help="number of data blocks (items)"),
        Opt("block-size", SIZE, "64K", 1, 1 << 30, help="bytes per block"),
        Opt("rounds", NUM, "9000", 1, 1000000000,
            help="digests per block, chained: the first over the block, "
            "each next over the previous digest"),
        Opt("seed", NUM, "1", 0, LLMAX, help="seed of the data generator"),
        Opt("algo", STR, "sha256",
            help="any digest OpenSSL's EVP knows (openssl list "
            "-digest-algorithms)"),
        Opt("pages", CHOICE, "huge", choices="huge|small",
            help="the input's pages: huge (2 MiB, transparent huge pages) "
            "or small (4 KiB: a forked worker's first touch of each costs "
            "it, the lesson of the one-worker gap)"),
    ]

    def setup(self, run):
        st, o = run.state, run.opts
        algo = o["algo"]
        try:
            probe = hashlib.new(algo)
        except (ValueError, TypeError):
            raise UsageError(f"hash: unknown digest '{algo}' for --algo "
                             "(see openssl list -digest-algorithms)")
        if probe.digest_size == 0:
            raise UsageError(f"hash: --algo {algo} has no fixed digest "
                             "length; pick another")
        # hashlib.sha256 and its kind are faster to call than new().
        named = getattr(hashlib, probe.name, None)
        st["new"] = named if probe.name in hashlib.algorithms_guaranteed \
            and named is not None else (lambda d=b"": hashlib.new(algo, d))
        st["algo"], st["ref"] = probe.name, REFERENCE.get(probe.name)
        st["mdlen"] = probe.digest_size
        bs, blocks = o["block-size"], o["blocks"]
        st["bs"], st["rounds"] = bs, o["rounds"]
        huge = o["pages"] == "huge"
        # The input where the C has it: private memory on the pages asked
        # for (a bytearray would be malloc's, on whatever pages it got).
        try:
            st["input"] = Pages(blocks * bs, huge)
        except OSError as e:
            raise RuntimeError(f"hash: cannot allocate {blocks * bs} bytes "
                               f"of data: {e.strerror}")
        st["view"] = st["input"].view
        for i in range(blocks):
            st["view"][i * bs:(i + 1) * bs] = gen.block(o["seed"], i, bs)
        if huge:
            self.note_small_pages(run, st["input"])
        run.set_items(blocks, st["mdlen"])

    @staticmethod
    def note_small_pages(run, pg):
        """How much of the input did not get huge pages (hash.c's note)."""
        huge = pg.huge_bytes()
        could = pg.size - pg.size % HUGE_PAGE
        if pg.advice_errno:
            run.note("--pages huge: madvise(MADV_HUGEPAGE) failed "
                     f"({os.strerror(pg.advice_errno)}): the input is on "
                     "small pages")
        elif 0 <= huge < could:
            run.note(f"--pages huge: only {huge >> 20} of {could >> 20} MiB "
                     "of input on huge pages (see "
                     "/sys/kernel/mm/transparent_hugepage)")

    @staticmethod
    def chain(new, data, rounds):
        """Digest of data, then of that digest, rounds times in all.  Over
        a buffer above 2 KiB hashlib lets go of the GIL while it hashes;
        over a 32-byte digest it holds it, call after call."""
        h = new(data).digest()
        for _ in range(rounds - 1):
            h = new(h).digest()
        return h

    def item(self, run, i, w):
        st = run.state
        bs = st["bs"]
        return self.chain(st["new"], st["view"][i * bs:(i + 1) * bs],
                          st["rounds"]), bs

    def finish(self, run):
        st = run.state
        run.result(hashlib.new(st["algo"], run.item_results).hexdigest())
        span = run.work_span_ns() / 1e9
        if span > 0:
            run.metric("digests_per_s", "1/s",
                       run.nitems * st["rounds"] / span, "higher")
            run.metric("blocks_per_s", "1/s", run.nitems / span, "higher")

    def verify(self, run):
        st = run.state
        ref, bs, md = st["ref"], st["bs"], st["mdlen"]
        n = run.nitems
        for k in range(min(n, VERIFY_SAMPLE)):
            i = sample_item(k, min(n, VERIFY_SAMPLE), n)
            want = self.chain(ref or st["new"], st["view"][i * bs:(i + 1) * bs],
                              st["rounds"])
            if want != bytes(run.item_results[i * md:(i + 1) * md]):
                run.note(f"block {i} digest differs from the reference")
                return FAILED
        if ref is None:
            run.note(f"no independent {st['algo']} implementation: sampled "
                     "blocks checked against serial hashlib only")
        elif ref(run.item_results).hexdigest() != run.result_text:
            run.note("final digest differs from Python's own "
                     f"{st['algo']}")
            return FAILED
        return VERIFIED

    def teardown(self, run):
        run.state.pop("view", None)
        pg = run.state.pop("input", None)
        if pg is not None:
            pg.close()


# ---- fileread ----------------------------------------------------------------

MANIFEST = "manifest.xxh3"


def default_cache_dir():
    xdg, home = os.environ.get("XDG_CACHE_HOME", ""), os.environ.get("HOME", "")
    if xdg.startswith("/"):
        return f"{xdg}/tvp"
    if home.startswith("/"):
        return f"{home}/.cache/tvp"
    return f"/tmp/tvp-cache-{os.getuid()}"


def scan(top):
    """Every regular file under top, symlinks below it not followed, in
    strcmp order of the path (dataset.c's tvp_filelist_scan)."""
    try:
        if not stat.S_ISDIR(os.stat(top).st_mode):
            raise UsageError(f"fileread: --dir {top}: not a directory")
    except OSError as e:
        raise UsageError(f"fileread: --dir {top}: {e.strerror}")
    base = top[:-1] if top.endswith("/") and len(top) > 1 else top
    found, skipped, links = [], 0, 0

    def walk(path):
        nonlocal skipped, links
        try:
            entries = list(os.scandir(path))
        except OSError as e:
            raise UsageError(f"fileread: --dir {top}: {path}: {e.strerror}")
        for e in entries:
            p = f"{path}/{e.name}" if path != "/" else f"/{e.name}"
            if e.is_symlink():
                links += 1
                skipped += 1
            elif e.is_dir(follow_symlinks=False):
                walk(p)
            elif e.is_file(follow_symlinks=False):
                if not os.access(p, os.R_OK, effective_ids=True):
                    raise UsageError(f"fileread: --dir {top}: {p}: "
                                     "Permission denied")
                found.append((os.fsencode(p), p,
                              e.stat(follow_symlinks=False).st_size))
            else:
                skipped += 1
    walk(base)
    if not found:
        raise UsageError(f"fileread: --dir {top} holds no regular files")
    found.sort()
    return [f[1] for f in found], [f[2] for f in found], skipped, links


def load_dataset(d, files, size):
    """The manifest, back into paths and expected sums; None if unusable."""
    paths, sums = [], []
    try:
        with open(f"{d}/{MANIFEST}") as f:
            for _ in range(files):
                line = f.readline()
                if not (line.startswith("XXH3 (") and ") = " in line):
                    return None
                name, _, hexsum = line[6:].rstrip("\n").partition(") = ")
                paths.append(f"{d}/{name}")
                sums.append(int(hexsum[:16], 16))
    except (OSError, ValueError):
        return None
    return paths, [size] * files, sums


def make_dataset(root, d, files, size, seed):
    """Write it under a temporary name and rename it when whole, as
    dataset.c does: a dataset either C or Python made serves both."""
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-", dir=root)
    print(f"fileread: generating {files} files of {size} bytes in {d}",
          file=sys.stderr)
    try:
        os.mkdir(f"{tmp}/data")
        with open(f"{tmp}/{MANIFEST}", "w") as mf:
            for i in range(files):
                data = gen.block(seed, i, size)
                name = f"data/f{i:07d}.bin"
                with open(f"{tmp}/{name}", "xb") as f:
                    f.write(data)
                mf.write(f"XXH3 ({name}) = {xxhash.xxh3_64_intdigest(data):016x}\n")
        os.sync()
        try:
            os.rename(tmp, d)
        except OSError:
            pass  # someone else made it meanwhile
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


class Fileread:
    name, kind = "fileread", "io"
    summary = ("read(2) every file of a directory, XXH3-64 per file "
               "(page cache, cold, or O_DIRECT)")
    quick = "--files 128"
    opts = [
        Opt("dir", STR, "", help="read every regular file under DIR "
            "(default: a generated dataset)"),
        Opt("files", NUM, "512", 1, 1 << 20,
            help="files in the generated dataset"),
        Opt("file-size", SIZE, "256K", 0, 1 << 30,
            help="bytes per file in the generated dataset"),
        Opt("seed", NUM, "1", 0, LLMAX,
            help="seed of the generated dataset's contents"),
        Opt("cache-dir", STR, "", help="where generated datasets live "
            "(default $XDG_CACHE_HOME/tvp or ~/.cache/tvp)"),
        Opt("block-size", SIZE, "64K", 1, 64 << 20,
            help="bytes per read(2)"),
        Opt("cache", CHOICE, "warm", choices="warm|cold|direct",
            help="warm: read from the page cache (memory bandwidth); cold: "
            "evict every file from it before the run; direct: O_DIRECT, "
            "every read waits on the device"),
        Opt("delay-us", NUM, "0", 0, 1000000,
            help="SIMULATED device latency slept after every read(2) that "
            "returned data"),
        Opt("manifest", STR, "", help="write per-file checksums to FILE "
            "(xxhsum -H3 format; check with xxhsum -c FILE)"),
    ]

    def setup(self, run):
        need_xxhash("fileread")
        st, o = run.state, run.opts
        for name in ("dir", "cache-dir", "manifest"):
            if name in o.given and o[name] == "":
                raise UsageError(f"fileread: --{name} is empty (leave it "
                                 "out for the default)")
        st["bs"], st["delay"] = o["block-size"], o["delay-us"]
        st["expected"] = None
        if o["dir"]:
            st["paths"], st["sizes"], skipped, links = scan(o["dir"])
            if skipped:
                run.note(f"skipped {skipped} entries that are not regular "
                         f"files ({links} symlinks, not followed; "
                         f"{skipped - links} FIFOs, devices, sockets or "
                         "directory loops)")
        else:
            root = o["cache-dir"] or default_cache_dir()
            files, size, seed = o["files"], o["file-size"], o["seed"]
            d = f"{root}/fileread-{files}x{size}-seed{seed}"
            got = load_dataset(d, files, size)
            if got is None:
                make_dataset(root, d, files, size, seed)
                got = load_dataset(d, files, size)
            if got is None:
                raise UsageError(f"fileread: dataset {d} is damaged "
                                 "(remove it, and it is made again)")
            st["paths"], st["sizes"], st["expected"] = got
        if o["cache"] == "cold":
            for p in st["paths"]:
                fd = os.open(p, os.O_RDONLY)
                os.fdatasync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                os.close(fd)
            run.note("cold cache: evicted (Python cannot ask mincore "
                     "how many pages stayed resident)")
        elif o["cache"] == "direct":
            directio.check(st["paths"], st["bs"])
            run.note(f"direct I/O: every read(2) of {st['bs']} bytes went to "
                     "the device (O_DIRECT), the page cache bypassed")
        st["direct"] = o["cache"] == "direct"
        if st["delay"]:
            run.note(f"simulated device latency {st['delay']} us per read")
        run.set_items(len(st["paths"]), 8)

    def item(self, run, i, w):
        st = run.state
        path, want = st["paths"][i], st["sizes"][i]
        # On a page boundary, as O_DIRECT needs (the C aligns it always).
        buf = directio.Buffer(st["bs"])
        h = xxhash.xxh3_64()
        n = 0
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK |
                         (os.O_DIRECT if st["direct"] else 0))
        except OSError as e:
            buf.close()
            raise WorkerError(f"cannot open {path}: {e.strerror}")
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise WorkerError(f"cannot read {path}: no longer a "
                                  "regular file")
            view = buf.view
            while True:
                got = os.readv(fd, [view])
                if got == 0:
                    break
                h.update(view[:got])
                n += got
                if st["delay"]:
                    time.sleep(st["delay"] / 1e6)
        except OSError as e:
            raise WorkerError(f"cannot read {path}: {e.strerror}")
        finally:
            os.close(fd)
            buf.close()
        if n != want:
            raise WorkerError(f"{path} changed size since it was listed: "
                              f"{want} bytes expected, {n} read")
        return h.intdigest().to_bytes(8, sys.byteorder), n

    def sums(self, run):
        r = run.item_results
        return [int.from_bytes(r[i * 8:i * 8 + 8], sys.byteorder)
                for i in range(run.nitems)]

    def finish(self, run):
        st = run.state
        sums = self.sums(run)
        canon = b"".join(s.to_bytes(8, "big") for s in sums)
        run.result(f"{xxhash.xxh3_64_intdigest(canon):016x}")
        span = run.work_span_ns() / 1e9
        if span > 0:
            run.metric("gb_per_s", "GB/s", sum(st["sizes"]) / span / 1e9,
                       "higher")
            run.metric("files_per_s", "1/s", len(st["paths"]) / span,
                       "higher")
        if run.opts["manifest"]:
            try:
                with open(run.opts["manifest"], "w") as f:
                    for p, s in zip(st["paths"], sums):
                        f.write(f"XXH3 ({p}) = {s:016x}\n")
            except OSError as e:
                raise RuntimeError(f"fileread: --manifest "
                                   f"{run.opts['manifest']}: {e.strerror}")

    def verify(self, run):
        st, sums = run.state, self.sums(run)
        if st["expected"] is not None:
            for p, got, want in zip(st["paths"], sums, st["expected"]):
                if got != want:
                    run.note(f"{p} differs from the dataset's manifest")
                    return FAILED
            return VERIFIED
        n = len(sums)
        for k in range(min(n, VERIFY_SAMPLE)):
            i = sample_item(k, min(n, VERIFY_SAMPLE), n)
            # An independent read path: mmap and a one-shot XXH3.
            with open(st["paths"][i], "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size == 0:
                    want = xxhash.xxh3_64_intdigest(b"")
                else:
                    with mmap.mmap(f.fileno(), size, prot=mmap.PROT_READ) as m:
                        want = xxhash.xxh3_64_intdigest(m)
            if want != sums[i]:
                run.note(f"{st['paths'][i]} differs from a serial re-read")
                return FAILED
        return VERIFIED


# ---- counter -------------------------------------------------------------------

class Counter:
    name, kind = "counter", "sync"
    summary = ("workers add 1 to one shared counter: no lock (race), "
               "mutex, spinlock, atomic")
    quick = "--increments 100000"
    opts = [
        Opt("increments", NUM, "1000000", 0, 1000000000,
            help="how many times each worker adds 1"),
        Opt("sync", CHOICE, "mutex", choices="none|mutex|spin|atomic",
            help="none: load and store with no protection (the race); "
            "mutex: tvp_lock; spin: a test-and-test-and-set spinlock; "
            "atomic: one atomic fetch-and-add"),
        Opt("share", CHOICE, "yes", choices="yes|no",
            help="no: the counter is in private (malloc'd) memory instead "
            "of the shared region"),
        Opt("lock-in", CHOICE, "shared", choices="shared|private",
            help="private: the mutex or spinlock is in private (malloc'd) "
            "memory instead of the shared region"),
    ]

    def setup(self, run):
        st, o = run.state, run.opts
        method = o["sync"]
        if method in ("spin", "atomic"):
            raise UsageError(f"counter: --sync {method} has no counterpart "
                             "in Python's standard library (use none or mutex)")
        if o["lock-in"] == "private" and method == "none":
            raise UsageError("counter: --lock-in private needs a lock: use "
                             "it with --sync mutex or --sync spin")
        st["mutex"] = method == "mutex"
        st["share"] = o["share"] == "yes"
        st["n"] = o["increments"]
        # The shared counter, then what each worker saw at its end.
        st["region"] = run.shared(8 * (1 + run.workers))
        st["shared"] = st["region"].view(0, 8 * (1 + run.workers), "Q")
        # Private memory, as a Python program's objects are: threads share
        # it, fork gives each child its own copy.
        st["private"] = [0]
        if o["lock-in"] == "shared" and run.processes:
            import multiprocessing
            st["lock"] = multiprocessing.get_context("fork").Lock()
        else:
            st["lock"] = threading.Lock()

    def work(self, run, w):
        st = run.state
        n, lock = st["n"], st["lock"]
        box, k = (st["shared"], 0) if st["share"] else (st["private"], 0)
        # Read, then write back one more: two steps, room between them.
        if st["mutex"]:
            for _ in range(n):
                with lock:
                    box[k] = box[k] + 1
        else:
            for _ in range(n):
                box[k] = box[k] + 1
        st["shared"][1 + w] = box[k]
        run.worker_count(w, n, 0)
        return 0

    def counter(self, run):
        st = run.state
        return st["shared"][0] if st["share"] else st["private"][0]

    def finish(self, run):
        run.result(str(self.counter(run)))

    def verify(self, run):
        st = run.state
        total, got = st["n"] * run.workers, self.counter(run)
        span = run.work_span_ns()
        if total and span:
            run.metric("ns_per_increment", "ns", span / total, "lower")
        racy = run.workers > 1 and (not st["mutex"] or (
            run.opts["lock-in"] == "private" and run.processes))
        if not st["share"] and run.processes:
            for w in range(run.workers):
                if st["shared"][1 + w] != st["n"]:
                    run.note(f"worker {w}'s own copy of the counter ended "
                             f"at {st['shared'][1 + w]}, not {st['n']}")
                    return FAILED
            run.note(f"--share no: each child process added to its own "
                     f"copy-on-write copy of the counter (each ended at "
                     f"{st['n']}) and the parent's stayed {got}; as threads "
                     f"the same memory is shared and the count is {total}, "
                     "so the result differs between modes by design")
            return VERIFIED if got == 0 else FAILED
        if not st["share"]:
            run.note("--share no: threads share even private memory, so "
                     "all added to one counter; as processes each child "
                     "adds to its own copy and the parent sees 0, so the "
                     "result differs between modes by design")
        if run.opts["lock-in"] == "private":
            run.note("--lock-in private: the lock was a private copy in "
                     "each process, so it excluded no one" if run.processes
                     else "--lock-in private: threads share even private "
                     "memory, so the one lock still excluded")
        if got == total:
            if racy:
                run.note("no update was lost, by luck: nothing stopped two "
                         "workers from interleaving")
            return VERIFIED
        run.note(f"{'race' if racy else 'wrong count'}: expected {total}, "
                 f"got {got}, lost {total - got} updates")
        return RACE if racy else FAILED

    def teardown(self, run):
        st = run.state
        if "shared" in st:
            st["shared"] = None


WORKLOADS = [Hash(), Fileread(), Counter()]
