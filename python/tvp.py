#!/usr/bin/python3
"""tvp's Python twin: hash, fileread and counter run by Python's threading
or multiprocessing (fork), with the C programs' options, data, results
and record, so that the GIL's cost sits next to C's figures.

usage: tvp.py --mode threads|processes [-j N] [--format text|csv|json]
              [--quick] [--timeout S] WORKLOAD [workload options]
       tvp.py WORKLOAD --help
       tvp.py --list | --help

Standard library, plus python3-xxhash (Debian) for fileread's XXH3.
Run it with /usr/bin/python3: a python3 first on PATH may not see
Debian's modules.
"""

import os
import resource
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import procmem  # noqa: E402
import record  # noqa: E402
import runner  # noqa: E402
from options import UsageError, parse, parse_num, print_help  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
MAX_WORKERS, MAX_TIMEOUT_S = 4096, 86400

USAGE = f"""\
usage: {os.path.basename(sys.argv[0])} --mode threads|processes [-j N] \
[--format text|csv|json] [--quick] [--timeout S] WORKLOAD [workload options]
       {os.path.basename(sys.argv[0])} WORKLOAD --help
       {os.path.basename(sys.argv[0])} --list | --help

Runs WORKLOAD on N Python workers (threading or multiprocessing with the
fork start method; default 1) and prints one record, as bin/tvp-threads
and bin/tvp-processes do.
  --mode M          threads or processes (required)
  -j, --workers N   workers, 1 .. {MAX_WORKERS}
  --format F        text (default), csv or json
  --quick           the workload's small sizes; options after WORKLOAD win
  --list            the workloads, their kind and summary
  --timeout S       end the run with exit 1 if its workers take longer
                    than S seconds (1 .. {MAX_TIMEOUT_S})

Exit status: 0 ran and verified, 1 failed, 2 bad usage, 130 interrupted.
"""


def warn(msg):
    runner.warn(msg)


def workload_list(fp):
    for wl in WORKLOADS:
        fp.write(f"{wl.name:<12} {wl.kind:<5} {wl.summary}\n")


def rusage():
    return (resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN))


def usage_delta(rec, before, after):
    for name, attr in (("user_s", "ru_utime"), ("sys_s", "ru_stime")):
        rec[name] = sum(getattr(a, attr) - getattr(b, attr)
                        for a, b in zip(after, before))
    for name, attr in (("minflt", "ru_minflt"), ("majflt", "ru_majflt"),
                       ("nvcsw", "ru_nvcsw"), ("nivcsw", "ru_nivcsw")):
        rec[name] = sum(getattr(a, attr) - getattr(b, attr)
                        for a, b in zip(after, before))


def fill_memory(rec, run):
    """As execute.c's fill_memory: the snapshot summed, peaks from VmHWM."""
    ctl = run.ctl
    hwm = procmem.hwm_kb()
    if ctl.head("taken"):
        parent = [ctl.head(f) for f in ("pss", "uss", "pte")]
    else:
        got = procmem.sample()
        parent = list(got[:3]) if got else [0, 0, 0]
    rec["pss_kb"], rec["uss_kb"], rec["pte_kb"] = parent
    rec["maxrss_kb"] = rec["rss_sum_kb"] = hwm
    rec["work_minflt"] = run.work_minflt()
    for w in range(run.workers):
        if not run.processes or not ctl.get(w, "taken"):
            continue
        rec["pss_kb"] += ctl.get(w, "pss")
        rec["uss_kb"] += ctl.get(w, "uss")
        rec["pte_kb"] += ctl.get(w, "pte")
        rec["rss_sum_kb"] += ctl.get(w, "hwm")
        rec["maxrss_kb"] = max(rec["maxrss_kb"], ctl.get(w, "hwm"))


def execute(run, mode):
    """One run from setup to a record (common/core/execute.c)."""
    wl = run.wl
    rec = {"mode": f"py-{mode}", "workload": wl.name, "workers": run.workers,
           "options": run.opts.describe(), "died": 0, "redone": 0,
           "recover_s": 0.0, "metrics": [], "items": 0, "bytes": 0}
    rec.update(record.environment())
    phases = {}
    try:
        wl.setup(run)
        if run.nitems and run.item_result_size:
            run.item_results = run.shared(run.nitems * run.item_result_size) \
                .view(0, run.nitems * run.item_result_size)
        run.ctl = runner.Control(run.workers, run.processes)
        rec["maps"] = procmem.count_mappings()
        before = rusage()
        go = runner.run_processes if run.processes else runner.run_threads
        rc = go(run, phases)
        after = rusage()
        if rc != 0:
            return rc, None
        for w in range(run.workers):
            rec["items"] += run.ctl.get(w, "items")
            rec["bytes"] += run.ctl.get(w, "bytes")
        if not hasattr(wl, "work") and rec["items"] != run.nitems:
            warn(f"{run.nitems - rec['items']} of {run.nitems} items were "
                 "never finished")
            return EXIT_FAIL, None
        usage_delta(rec, before, after)
        last_end = max([phases["t_gate"]] + [run.ctl.get(w, "t_end")
                                             for w in range(run.workers)])
        rec["wall_s"] = (phases["t_reaped"] - phases["t0"]) / 1e9
        rec["start_s"] = (phases["t_gate"] - phases["t0"]) / 1e9
        rec["work_s"] = (last_end - phases["t_gate"]) / 1e9
        rec["reap_s"] = (phases["t_reaped"] - last_end) / 1e9
        fill_memory(rec, run)
        wl.finish(run)
        rec["verdict"] = wl.verify(run)
        rec["result"], rec["note"] = run.result_text, "; ".join(run.notes)
        rec["metrics"] = run.metrics
        return EXIT_OK, rec
    finally:
        if hasattr(wl, "teardown"):
            wl.teardown(run)
        run.item_results = None
        if run.ctl is not None:
            run.ctl.close()
        run.release()


def stop_resource_tracker():
    """Python 3.12 and older start a resource tracker process for any
    shared_memory block; every block here is unlinked at once, so it has
    nothing to do: end it now, rather than leave it to outlive us."""
    try:
        from multiprocessing import resource_tracker
        resource_tracker._resource_tracker._stop()
    except (ImportError, AttributeError):
        pass


def main(argv):
    mode, workers, fmt, quick, timeout = None, 1, "text", False, 0
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        arg = argv[i]
        if arg.startswith("--"):
            name, eq, val = arg.partition("=")
        elif arg.startswith("-j") and len(arg) > 2:
            name, eq, val = "-j", "=", arg[2:]   # -j4, as getopt takes it
        else:
            name, eq, val = arg, "", ""
        takes = name in ("--mode", "-j", "--workers", "--format", "--timeout")
        if name in ("-h", "--help"):
            sys.stdout.write(USAGE + "\nWorkloads:\n")
            workload_list(sys.stdout)
            return EXIT_OK
        if name == "--list":
            workload_list(sys.stdout)
            return EXIT_OK
        if not takes and name != "--quick":
            raise UsageError(f"unknown option '{name}' (see --help)")
        if not takes and eq:
            raise UsageError(f"option {name} takes no value")
        if takes and not eq:
            if i + 1 >= len(argv):
                raise UsageError(f"option {name} needs a value (see --help)")
            i += 1
            val = argv[i]
        if name == "--mode":
            if val not in ("threads", "processes"):
                raise UsageError(f"unknown mode '{val}', allowed: "
                                 "threads|processes")
            mode = val
        elif name in ("-j", "--workers"):
            workers = parse_num("-j", val, 1, MAX_WORKERS, False)
        elif name == "--format":
            if val not in ("text", "csv", "json"):
                raise UsageError(f"unknown format '{val}', allowed: "
                                 "text|csv|json")
            fmt = val
        elif name == "--timeout":
            timeout = parse_num("--timeout", val, 1, MAX_TIMEOUT_S, False)
        else:
            quick = True
        i += 1
    rest = argv[i:]
    if not rest:
        warn("no workload given (see --list)")
        sys.stderr.write(USAGE)
        return EXIT_USAGE
    byname = {wl.name: wl for wl in WORKLOADS}
    if rest[0] not in byname:
        raise UsageError(f"unknown workload '{rest[0]}' (see --list)")
    wl = byname[rest[0]]
    if "--help" in rest[1:] or "-h" in rest[1:]:
        print(f"{wl.name}: {wl.summary} ({wl.kind})\n\nOptions:")
        print_help(wl.opts)
        return EXIT_OK
    if mode is None:
        raise UsageError("no --mode given: threads or processes")
    opts = parse(wl.name, wl.opts, rest[1:], wl.quick if quick else None)
    run = runner.Run(wl, opts, workers, mode == "processes", timeout)
    rc, rec = execute(run, mode)
    if rc == EXIT_OK:
        sys.stdout.write(record.format_record(rec, fmt))
        sys.stdout.flush()
        if rec["verdict"] == record.FAILED:
            warn(f"{wl.name}: result did not verify"
                 f"{': ' + rec['note'] if rec['note'] else ''}")
            rc = EXIT_FAIL
    return rc


if __name__ == "__main__":
    try:
        status = main(sys.argv[1:])
    except UsageError as e:
        warn(str(e))
        status = EXIT_USAGE
    except (RuntimeError, OSError) as e:
        warn(str(e))
        status = EXIT_FAIL
    except KeyboardInterrupt:
        warn("interrupted by SIGINT")
        status = 130
    stop_resource_tracker()
    sys.exit(status)
