"""The cases of --lessons and --faults: tables, not code.

A case row says what to run: a workload at a worker count with its
options.  compare.sh asks `tvp-report plan lessons` for the rows and runs
each in every form (threads, processes, and whatever forms it has), with
the form's own command for N workers in front.  A row may instead give a
command per variant (`commands`): a fidelity case holding tvp against a
raw C program doing the bare operation gives {"raw": "bench/raw-x ..."}
beside the forms; compare.sh runs such a command as it stands (relative
to the tvp directory) and every statistic below serves it unchanged.

A row runs in every form compare.sh has ("*"), and may name more forms
that it runs in whether or not they were asked for (the GIL lessons run
the Python twin's forms themselves).  A row may fix its number of runs
(`tries`: that many, no warm-up) and say that runs ended by --timeout are
its outcome (`stuck_ok`: the queue pitfall), not a failure.

A lesson's sentences are rules (Say, read by lessons.py): which rows they
read, the sentence with {placeholders} filled from the figures and their
intervals, and conditions that pick the sentence.  No sentence names a
winner unless the interval of its ratio excludes 1.
"""

import os
from typing import NamedTuple, Optional, Tuple


class Row(NamedTuple):
    id: str                 # unique within its case
    label: str              # shown in the table
    workers: int
    workload: str
    args: str               # run options, the workload, its options
    commands: Optional[dict] = None   # variant -> whole command (fidelity)
    forms: Tuple[str, ...] = ("*",)   # "*": every form; names: these too
    tries: int = 0          # exactly this many runs, no warm-up (0: -r ...)
    stuck_ok: bool = False  # runs lost to --timeout are the outcome

    @property
    def words(self):
        return self.args.split()


class Say(NamedTuple):
    """One sentence rule of a lesson.

    rule: forms    {forms}: the row's figure in every form against threads
          results  {result[F]}, {verdicts[F]}: what the row computed
          expect   `when` holds: `text`, else `otherwise` (a failure if bad)
          rows     {rows[F]}: rows[0] / rows[1] per form; {a[F]}, {b[F]}
          speedup  {speedup[F]}: rows[0] / rows[1] of a time, as "x as fast"
          count    {count[F]}: "k of n" runs of the row whose loss reason
                   holds `when` (e.g. "timed out"); {n[F]}: k alone
    Every rule may also use {cores}, and {fig[NAME][F]}: the median of
    column NAME (or metric NAME) over the first row's measured runs.
    tails: for forms, rows, speedup and count, (condition, sentence)
    pairs after the text; the first whose condition holds is used.  What
    a condition reads: forms, each form's ratio to threads; rows and
    speedup, their ratio per form; count, k per form.  Conditions, joined
    by " and ": WHO>V, WHO<V (the whole interval above or below V, a
    number or "cores"), WHO~1 (no measurable difference), where WHO is a
    form or "all"; and * (always).
    expect conditions: verified; results FORM=V ...; seen FORM=VERDICT;
    same-result.
    """
    rule: str
    rows: Tuple[str, ...]
    text: str
    when: str = ""
    otherwise: str = ""
    bad: bool = False
    tails: Tuple[Tuple[str, str], ...] = ()


class Lesson(NamedTuple):
    id: str
    title: str
    figure: str             # "metric:NAME" or a record column
    heading: str            # the figure in words, for the table
    rows: Tuple[Row, ...]
    says: Tuple[Say, ...]


INC = "--increments 5000000"
# The GIL lessons run the Python twin's forms whatever compare.sh was asked.
PY = ("*", "py-threads", "py-processes")
GIL_SMALL = "hash --blocks 64 --block-size 32 --rounds 50000"
GIL_BIG = "hash --blocks 128 --block-size 1M --rounds 1"
GIL_LOOP = "counter --sync none --share no --increments 1000000"
STUCK_WHY = ("Between one consumer's empty() and its get(), another took "
             "the last item; the first then waits in get() for an item that "
             "never comes.")
UNDECIDED = ("Not decided by these runs (one core, a busy machine, or too "
             "few runs): rerun on a quiet machine.")
MPI_ITEMS = "hash --blocks 20000 --block-size 1K --rounds 1"


def mpi_variants(workers: int, words: str) -> dict:
    """The two MPI paths of a lesson row, run by mpi/launch.sh."""
    return {"mpi-%s" % name: "mpi/launch.sh %s %d --format csv %s" % (
        path, workers, words) for name, path in (("shm", "shared"),
                                                  ("net", "net"))}

LESSONS = (
    Lesson("lock", "Lock: threading.Lock guarding a shared counter "
           "(counter -j 2, 5M increments each)",
           "metric:ns_per_increment", "ns per increment",
           tuple(Row(v, "--sync " + v, 2, "counter",
                     "counter --sync %s %s" % (v, INC))
                 for v in ("none", "mutex", "spin", "atomic")),
           (Say("forms", ("mutex",),
                "A lock (a futex-based mutex; process-shared and robust for "
                "processes), per increment: {forms}."),
            Say("results", ("none",),
                "Without a lock, read-then-write increments race: 10000000 "
                "expected, threads ended at {result[threads]} ({verdicts["
                "threads]}) and processes at {result[processes]} "
                "({verdicts[processes]}); 'race' means updates were lost, "
                "'verified' that none were, by luck."),
            Say("expect", ("mutex", "spin", "atomic"),
                "mutex, spin and atomic were exact in both modes, every run.",
                when="verified",
                otherwise="NOT EXACT: a real sync method lost updates "
                "(threads: {verdicts[threads]}; processes: "
                "{verdicts[processes]}); that is a bug.", bad=True))),
    Lesson("share", "Memory isolation: the same counter in memory that is "
           "not the shared region (counter -j 2)",
           "metric:ns_per_increment", "ns per increment",
           (Row("share-no", "--share no (counter private)", 2, "counter",
                "counter --sync mutex --share no " + INC),
            Row("lock-private", "--lock-in private (mutex private)", 2,
                "counter", "counter --sync mutex --lock-in private " + INC)),
           (Say("expect", ("share-no",),
                "Threads all added to one counter ({result[threads]}); each "
                "child process added to its own copy-on-write copy and the "
                "parent's stayed {result[processes]}: separate memory, shown.",
                when="results threads=10000000 processes=0",
                otherwise="Expected threads 10000000 and processes 0; got "
                "{result[threads]} ({verdicts[threads]}) and "
                "{result[processes]} ({verdicts[processes]}): not what "
                "separate memory predicts, look into it.", bad=True),
            Say("expect", ("lock-private",),
                "A mutex outside the shared region still works for threads "
                "({result[threads]}, {verdicts[threads]}); after fork each "
                "process locks its own copy, which protects nothing: "
                "processes ended at {result[processes]} of 10000000 "
                "({verdicts[processes]}).",
                when="seen processes=race",
                otherwise="Threads: {result[threads]} ({verdicts[threads]}); "
                "processes: {result[processes]} ({verdicts[processes]}). "
                "Each process locked its own copy of the mutex, but no "
                "update happened to be lost in these runs (a busy machine "
                "can run the two children in turn)."))),
    Lesson("falseshare", "False sharing: per-worker counters on one cache "
           "line or padded apart (falseshare -j 2)",
           "metric:ns_per_increment", "ns per increment",
           (Row("adjacent", "--padding no (one cache line)", 2,
                "falseshare", "falseshare --padding no"),
            Row("padded", "--padding yes (own lines)", 2, "falseshare",
                "falseshare --padding yes")),
           (Say("rows", ("adjacent", "padded"),
                "Each worker has its own counter; on one cache line against "
                "padded apart, per increment: threads {rows[threads]}, "
                "processes {rows[processes]}.",
                tails=(("all>1", "The cost is the same kind in both modes: "
                        "cache lines are shared by the hardware, not by the "
                        "address space."),
                       ("all~1", "No measurable false-sharing cost on this "
                        "machine in either mode."),
                       ("*", "The modes differ here; rerun on a quiet "
                        "machine before reading anything into it."))),)),
    Lesson("event", "Event: threading.Event, two workers passing a turn "
           "(pingpong -j 2, 10000 rounds)",
           "metric:us_per_round_trip", "us per round trip",
           (Row("event", "--via event (mutex+condvar)", 2, "pingpong",
                "pingpong --via event"),
            Row("pipe", "--via pipe", 2, "pingpong", "pingpong --via pipe")),
           (Say("forms", ("event",),
                "A wake-up round trip through an event (mutex and condition "
                "variable in the shared region): {forms}."),
            Say("forms", ("pipe",), "Through a pipe: {forms}."))),
    Lesson("queue", "Queue: queue.Queue feeding a pool (queue, 200000 items "
           "of 256 bytes, capacity 64)",
           "metric:items_per_s", "items per second",
           (Row("j2", "-j 2 (1 producer, 1 consumer)", 2, "queue", "queue"),
            Row("j4", "-j 4 (2 producers, 2 consumers)", 4, "queue",
                "queue")),
           (Say("expect", ("j2", "j4"),
                "Every item passed through the ring in the shared region "
                "exactly once in both modes, every run.", when="verified",
                otherwise="NOT VERIFIED in every run (threads: "
                "{verdicts[threads]}; processes: {verdicts[processes]}).",
                bad=True),
            Say("forms", ("j2",), "With 2 workers: {forms}."),
            Say("forms", ("j4",),
                "With 4 workers on {cores} cores: {forms}. Both forms copy "
                "each item into the ring and out again: a queue is a "
                "message channel, between threads too."))),
    Lesson("semaphore", "Semaphore: threading.Semaphore(2) guarding a scarce "
           "resource (semaphore -j 8, 100 rounds, 200 us held)",
           "metric:us_per_entry", "us per entry",
           (Row("limit2", "--limit 2", 8, "semaphore",
                "semaphore --limit 2"),),
           (Say("expect", ("limit2",),
                "Never more than 2 inside, and 2 reached, in both modes "
                "(threads: {result[threads]}; processes: "
                "{result[processes]}).", when="verified",
                otherwise="NOT VERIFIED in every run (threads: "
                "{verdicts[threads]}; processes: {verdicts[processes]}).",
                bad=True),
            Say("forms", ("limit2",),
                "Per entry, all workers together: {forms}; 100 us if waiting "
                "for a slot cost nothing."))),
    Lesson("spawn", "Spawning: Thread.start()+join() against "
           "fork()+waitpid() (spawn -j 1)",
           "metric:us_per_spawn_median", "us per spawn (median)",
           (Row("touch0", "--touch 0", 1, "spawn", "spawn"),
            Row("touch1024", "--touch 1024 (parent touched 1 GiB)", 1,
                "spawn", "spawn --touch 1024")),
           (Say("forms", ("touch0",),
                "Starting and finishing a worker that does nothing: "
                "{forms}."),
            Say("forms", ("touch1024",),
                "After the parent touched 1 GiB: {forms}."),
            Say("rows", ("touch1024", "touch0"),
                "From --touch 0 to 1024 a fork went from {b[processes]} to "
                "{a[processes]} us ({rows[processes]}), a thread from "
                "{b[threads]} to {a[threads]} us ({rows[threads]}).",
                tails=(("processes>1 and threads~1", "The parent's memory "
                        "made a fork dearer and a thread's start no "
                        "different: fork copies the page tables, a thread "
                        "shares them."),
                       ("processes>1", "The parent's memory made a fork "
                        "dearer: fork copies the page tables."),
                       ("*", ""))))),
    Lesson("background", "Background workers: daemon threads and unreaped "
           "children at exit (background -j 1)",
           "work_s", "work s",
           (Row("exit", "main program exits", 1, "background",
                "background"),),
           (Say("expect", ("exit",),
                "Observed in both modes: {result[threads]}. A thread dies "
                "with its process; a child lives on, re-parented, unless it "
                "asked for PR_SET_PDEATHSIG.", when="same-result",
                otherwise="Threads observed {result[threads]} "
                "({verdicts[threads]}), processes {result[processes]} "
                "({verdicts[processes]}).", bad=True),)),
    Lesson("cpu-io", "CPU against I/O: the folk wisdom (hash and fileread "
           "with a simulated 1 ms device wait)",
           "work_s", "work s",
           (Row("hash1", "hash -j 1", 1, "hash", "--quick hash"),
            Row("hash2", "hash -j 2", 2, "hash", "--quick hash"),
            Row("fileread1", "fileread -j 1 --delay-us 1000", 1, "fileread",
                "fileread --files 64 --delay-us 1000"),
            Row("fileread8", "fileread -j 8 --delay-us 1000", 8, "fileread",
                "fileread --files 64 --delay-us 1000")),
           (Say("speedup", ("hash1", "hash2"),
                "CPU-bound hashing on 2 workers ran {speedup[threads]} "
                "(threads) and {speedup[processes]} (processes) as fast as "
                "on one, with {cores} cores online.",
                tails=(("all>1", "There is no GIL: both modes use more than "
                        "one core."),
                       ("*", "Not every mode ran measurably faster on this "
                        "machine (one core, or a busy machine), so this run "
                        "does not show two cores at work."))),
            Say("speedup", ("fileread1", "fileread8"),
                "With a 1 ms wait per read, 8 workers ran "
                "{speedup[threads]} (threads) and {speedup[processes]} "
                "(processes) as fast as one, on {cores} cores.",
                tails=(("all>cores", "Waits overlap in either mode, past "
                        "the core count."),
                       ("all>1", "Waits overlap in either mode."),
                       ("*", "Not every mode ran measurably faster on this "
                        "machine."))))),
    Lesson("memory", "Memory: one address space or one per process "
           "(memory -j 4: each worker reads, then writes, its share of "
           "256 MiB)",
           "pss_kb", "PSS KiB (all the run's processes)",
           (Row("read", "--access read", 4, "memory",
                "memory --size 256M --access read"),
            Row("write", "--access write", 4, "memory",
                "memory --size 256M --access write")),
           (Say("forms", ("read",),
                "Reading, the run's memory (PSS summed over its processes): "
                "{forms}. Page tables {fig[pte_kb][threads]} KiB (threads) "
                "against {fig[pte_kb][processes]} KiB (processes); copies "
                "of the input made: {fig[input_copies][processes]} "
                "(processes).",
                tails=(("processes<1.1", "The children read the parent's "
                        "pages without copying them: processes cost about "
                        "what threads cost, plus a page table (and a stack) "
                        "each."),
                       ("*", UNDECIDED))),
            Say("forms", ("write",),
                "Writing every byte of its share: {forms}. Copies of the "
                "input made: {fig[input_copies][threads]} (threads) against "
                "{fig[input_copies][processes]} (processes).",
                tails=(("processes>2", "Each child's writes copied the "
                        "pages it wrote (copy-on-write): the run held the "
                        "parent's input and a copy per child, where the "
                        "threads wrote the one input in place."),
                       ("*", UNDECIDED))))),
    Lesson("gil-hash", "The GIL: the same hashing in C and in Python, "
           "threads and processes (hash at 1 and 2 workers)",
           "wall_s", "wall s",
           (Row("small1", "32-byte chain, -j 1", 1, "hash", GIL_SMALL,
                forms=PY),
            Row("small2", "32-byte chain, -j 2", 2, "hash", GIL_SMALL,
                forms=PY),
            Row("big1", "1 MiB blocks, 1 round, -j 1", 1, "hash", GIL_BIG,
                forms=PY),
            Row("big2", "1 MiB blocks, 1 round, -j 2", 2, "hash", GIL_BIG,
                forms=PY)),
           (Say("speedup", ("small1", "small2"),
                "Chained digests of 32-byte inputs (64 x 50000 hashlib "
                "calls, each holding the GIL) ran on 2 workers "
                "{speedup[py-threads]} (Python threads) and "
                "{speedup[py-processes]} (Python processes) as fast as on "
                "one; in C {speedup[threads]} (threads) and "
                "{speedup[processes]} (processes); {cores} cores.",
                tails=(("py-threads<1.3 and py-processes>1.3",
                        "Python threads did not scale: one thread at a time "
                        "runs Python code, and a 32-byte digest is mostly "
                        "call overhead under the GIL; processes did, each "
                        "with its own interpreter and GIL."),
                       ("*", UNDECIDED))),
            Say("speedup", ("big1", "big2"),
                "One digest of each 1 MiB block (128 of them) ran on 2 "
                "workers {speedup[py-threads]} (Python threads) and "
                "{speedup[py-processes]} (Python processes) as fast as on "
                "one; in C {speedup[threads]} (threads) and "
                "{speedup[processes]} (processes).",
                tails=(("py-threads>1.3",
                        "Python threads scaled too: hashlib lets go of the "
                        "GIL while it hashes a buffer above 2 KiB, so the "
                        "threads hash in parallel; 'CPU-bound means "
                        "multiprocessing' does not hold for work done in C "
                        "code that releases the GIL."),
                       ("*", UNDECIDED))))),
    Lesson("gil-loop", "The GIL: a pure-Python loop (counter --sync none "
           "--share no, 1M increments a worker, at 1 and 2 workers)",
           "metric:ns_per_increment", "ns per increment",
           (Row("loop1", "-j 1", 1, "counter", GIL_LOOP, forms=PY),
            Row("loop2", "-j 2", 2, "counter", GIL_LOOP, forms=PY)),
           (Say("speedup", ("loop1", "loop2"),
                "Per increment, 2 workers ran {speedup[py-threads]} "
                "(Python threads) and {speedup[py-processes]} (Python "
                "processes) as fast as one; in C {speedup[threads]} "
                "(threads: one counter, whose cache line the cores pass "
                "back and forth) and {speedup[processes]} (processes: each "
                "its own copy).",
                tails=(("py-threads<1.3 and py-processes>1.3",
                        "A loop of Python bytecode does not scale on "
                        "threads: they take turns holding the GIL; "
                        "processes do."),
                       ("*", UNDECIDED))),)),
    Lesson("queue-pitfall", "The tutorial's queue bug: consumers check "
           "empty(), then get() (queue -j 5: 2 producers, 3 consumers, "
           "1000 items, --timeout 1; 20 tries a form)",
           "wall_s", "wall s",
           (Row("check-empty", "--consumer check-empty", 5, "queue",
                "--timeout 1 queue --consumer check-empty --items 1000",
                tries=20, stuck_ok=True),
            Row("close", "--consumer close (the default)", 5, "queue",
                "--timeout 1 queue --items 1000", tries=20)),
           (Say("count", ("check-empty",),
                "With 'while not q.empty(): q.get()', a consumer was stuck "
                "in get() until --timeout ended the run in "
                "{count[threads]} tries as threads and {count[processes]} "
                "as processes.", when="timed out",
                tails=(("all<1", "Not once here: the window between "
                        "empty() and get() is short, which is how the bug "
                        "hides in testing; --force-race yes makes two "
                        "consumers go for the last item every time, and "
                        "then every run hangs."),
                       ("all>0", STUCK_WHY + " It happened in both "
                        "modes: the race is in the pattern, not in threads "
                        "or processes."),
                       ("*", STUCK_WHY + " A mode at 0 here is lucky, not "
                        "safe: --force-race yes makes every run hang, in "
                        "both modes."))),
            Say("count", ("close",),
                "With close, the default, stuck: {count[threads]} "
                "(threads) and {count[processes]} (processes). The "
                "producers close the queue when done, and get() on a "
                "closed, empty queue says 'no more' instead of blocking; "
                "where a queue cannot be closed, a sentinel (one 'stop' "
                "item per consumer) does the same.", when="timed out"))),
    Lesson("first-touch", "Fork's first touch: one worker hashing 64 MiB "
           "once, the input on 4 KiB or 2 MiB pages (hash -j 1 --rounds 1)",
           "work_s", "work s",
           (Row("small", "--pages small (4 KiB)", 1, "hash",
                "hash --rounds 1 --pages small"),
            Row("huge", "--pages huge (2 MiB, the default)", 1, "hash",
                "hash --rounds 1 --pages huge")),
           (Say("forms", ("small",), "On 4 KiB pages: {forms}.",
                tails=(("processes>1", "The forked child touches each of "
                        "the 16384 pages it inherited for the first time, "
                        "and each first touch costs it (fork copied their "
                        "page table entries marked not yet accessed); the "
                        "thread reads pages its process already touched."),
                       ("*", UNDECIDED))),
            Say("forms", ("huge",), "On 2 MiB pages: {forms}.",
                tails=(("processes<1.1", "512 times fewer pages, 512 times "
                        "fewer first touches: the gap is under a tenth, and "
                        "what is left is hashing, the same in both."),
                       ("processes>1.1", "A gap of more than a tenth "
                        "remains: see whether the row's note says the input "
                        "did not get huge pages."),
                       ("*", ""))),
            Say("rows", ("small", "huge"),
                "From 2 MiB to 4 KiB pages, the work of processes: "
                "{rows[processes]} ({b[processes]} to {a[processes]} s); "
                "of threads: {rows[threads]} ({b[threads]} to "
                "{a[threads]} s)."))),
    Lesson("mpi-item", "Past one machine, per item: claiming an item and "
           "returning its result, MPI ranks over shared memory and over "
           "TCP as if on separate nodes (hash -j 2, 20000 items of 1 KiB, "
           "one round each)",
           "metric:blocks_per_s", "items per second",
           (Row("items", "hash -j 2, 1 KiB items", 2, "hash", MPI_ITEMS,
                commands=mpi_variants(2, MPI_ITEMS)),),
           (Say("forms", ("items",),
                "Items per second, each against threads (an atomic add in "
                "shared memory per claim): {forms}. mpi-shm claims with "
                "MPI_Fetch_and_op through shared memory and writes results "
                "into a shared window; mpi-net sends every claim over TCP "
                "to rank 0 and gathers the results at the end: the "
                "difference per item is what a network hop costs each "
                "claim."),)),
    Lesson("mpi-trip", "Past one machine, per round trip: pingpong between "
           "two MPI ranks over shared memory and over TCP, beside the event "
           "of threads and processes (pingpong -j 2, 10000 rounds)",
           "metric:us_per_round_trip", "us per round trip",
           (Row("trip", "pingpong -j 2 (threads, processes: --via event)",
                2, "pingpong", "pingpong",
                commands=mpi_variants(2, "pingpong")),),
           (Say("forms", ("trip",),
                "A round trip, each against threads' event: {forms}. "
                "mpi-shm is MPI_Send/MPI_Recv through shared memory (Open "
                "MPI polls for the message instead of sleeping on a futex); "
                "mpi-net the same over TCP loopback, a floor for what a real "
                "network adds."),)),
)


class Fidelity(NamedTuple):
    """A fidelity case: tvp in one form against a raw C program of bench/
    doing the bare operation (both print tvp's record), compared on one
    figure; same: the two results must be equal (the empty run has
    none)."""
    row: Row                # its form and words; commands: {"raw": ...}
    figure: str             # a record column or "metric:NAME"
    same: bool


def _fidelity(mode: str):
    """The cases of one mode: what bench/raw_*.c hold tvp against."""
    m = mode
    return (
        Fidelity(Row("empty-%s-j8" % m, "8 %s that do nothing" % m, 8,
                     "hash", "--no-footprint hash --blocks 0", forms=(m,),
                     commands={"raw": "{bench}/raw-empty %s 8" % m}),
                 "wall_s", False),
        # The same against a raw program whose workers also wait at a
        # start gate until all exist (one futex, one wake for all): what
        # the case above adds is mostly that gate, which tvp cannot drop.
        Fidelity(Row("empty-gated-%s-j8" % m, "8 %s that do nothing, "
                     "after a start gate" % m, 8, "hash",
                     "--no-footprint hash --blocks 0", forms=(m,),
                     commands={"raw": "{bench}/raw-empty %s 8 gate" % m}),
                 "wall_s", False),
        Fidelity(Row("spawn-%s" % m, "spawn --count 2000", 1, "spawn",
                     "spawn --count 2000", forms=(m,),
                     commands={"raw": "{bench}/raw-spawn %s 2000" % m}),
                 "metric:us_per_spawn_median", True),
        Fidelity(Row("hash-%s-j1" % m, "hash -j 1", 1, "hash", "hash",
                     forms=(m,), commands={
                         "raw": "{bench}/raw-hash %s 1 1024 65536 9000 huge"
                         % m}),
                 "metric:digests_per_s", True),
        Fidelity(Row("hash-%s-j2" % m, "hash -j 2", 2, "hash", "hash",
                     forms=(m,), commands={
                         "raw": "{bench}/raw-hash %s 2 1024 65536 9000 huge"
                         % m}),
                 "metric:digests_per_s", True),
        Fidelity(Row("fileread-%s-j1" % m, "fileread -j 1, 1 GiB warm", 1,
                     "fileread", "fileread --files 4096 --file-size 256K "
                     "--cache-dir {cache}", forms=(m,), commands={
                         "raw": "{bench}/raw-fileread %s "
                         "{cache}/fileread-4096x262144-seed1" % m}),
                 "metric:gb_per_s", True),
        Fidelity(Row("counter-%s-j2" % m, "counter -j 2 --sync mutex", 2,
                     "counter", "counter --sync mutex", forms=(m,),
                     commands={"raw": "{bench}/raw-counter %s 2 1000000"
                               % m}),
                 "metric:ns_per_increment", True),
    )


# tvp/raw above this is marked: tvp adds more than a tenth to the
# primitive's cost there (the fidelity issue's bound).
FIDELITY_LIMIT = 1.10
FIDELITY = tuple(c for pair in zip(_fidelity("threads"),
                                   _fidelity("processes")) for c in pair)


def default_cache_dir() -> str:
    """Where tvp keeps generated datasets by default (lib/dataset.c):
    $XDG_CACHE_HOME/tvp, else ~/.cache/tvp, else /tmp/tvp-cache-UID."""
    xdg, home = os.environ.get("XDG_CACHE_HOME", ""), os.environ.get(
        "HOME", "")
    if xdg.startswith("/"):
        return xdg + "/tvp"
    if home.startswith("/"):
        return home + "/.cache/tvp"
    return "/tmp/tvp-cache-%d" % os.getuid()


class Fault(NamedTuple):
    kind: str               # none, crash, kill, exit, hang
    recover: bool


# A hang is not a death, so --recover does not apply; --timeout ends it.
FAULTS = (Fault("none", False), Fault("crash", False), Fault("crash", True),
          Fault("kill", False), Fault("kill", True), Fault("exit", False),
          Fault("exit", True), Fault("hang", False))
FAULT_WORKERS = 4
FAULT_TIMEOUT = 3
FAULT_WORKLOAD = "hash --blocks 512 --block-size 16K --rounds 3000"


def fault_row(f: Fault) -> Row:
    args = "--timeout %d" % FAULT_TIMEOUT
    if f.kind != "none":
        args += " --fault %s --fault-worker 1" % f.kind
    if f.recover:
        args += " --recover"
    return Row("%s/%s" % (f.kind, "recover" if f.recover else "no"),
               "%s%s" % (f.kind, ", --recover" if f.recover else ""),
               FAULT_WORKERS, "hash", args + " " + FAULT_WORKLOAD)


def lesson_workloads(suite: str = "lessons"):
    """Every workload some lesson (or fidelity case) runs, once each."""
    rows = ([c.row for c in FIDELITY] if suite == "fidelity" else
            [r for lesson in LESSONS for r in lesson.rows])
    seen = []
    for row in rows:
        if row.workload not in seen:
            seen.append(row.workload)
    return seen


def plan_lines(suite: str, workloads=None, places=None):
    """The rows compare.sh runs, one tab-separated line per row and column:
    row id, label, workload, sweep ("-": none), workers, figure, tries
    ("-": the driver's run counts; N: exactly N runs, no warm-up), column,
    words...  No field is empty (bash's read would drop it).

    Column "*" is every form (the form's command, then the words); a
    form's name is that form; any other column is a variant whose words
    are its whole command.  places: what {bench} and {cache} stand for in
    the fidelity cases (the raw programs' directory, the datasets').
    """
    if suite == "faults":
        cases = [("", "wall_s", fault_row(f)) for f in FAULTS]
    elif suite == "fidelity":
        cases = [("", c.figure, c.row) for c in FIDELITY
                 if workloads is None or c.row.workload in workloads]
    else:
        cases = [(l.id + "/", l.figure, r) for l in LESSONS for r in l.rows
                 if workloads is None or r.workload in workloads]
    for prefix, fig, r in cases:
        head = [prefix + r.id, r.label, r.workload, "-", str(r.workers), fig,
                str(r.tries) if r.tries else "-"]
        for form in r.forms if r.args else ():
            yield "\t".join(head + [form] + _place(r.words, places))
        for variant, command in sorted((r.commands or {}).items()):
            yield "\t".join(head + [variant] +
                             _place(command.split(), places))


def _place(words, places):
    return [w.format(**places) for w in words] if places else words
