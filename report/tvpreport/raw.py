"""The raw results file: every run compare.sh made, one CSV row each.

compare.sh writes what the programs print, as it runs: per run, the
program's stdout and stderr in files N.out and N.err, and one line of
index.tsv saying what ran (DRIVER_FIELDS below, tab-separated).  ingest()
turns that directory into the raw results file: the driver's columns, then
every column of the program's CSV record (metrics and environment
included) in the program's order.  A lost or refused run has the driver's
columns, its reason and its stderr, and empty record columns.
"""

import csv
import io
import os
import re
import signal
import sys

# What compare.sh writes per run in index.tsv, in order.
DRIVER_FIELDS = (
    "seq", "row", "row_label", "row_workload", "row_sweep", "row_jobs",
    "row_figure", "form", "run", "warmup", "status", "exit_status",
    "started", "elapsed_s", "load_before", "load_after", "command",
)

# The raw results file's own columns, before the record's.
RAW_COLUMNS = (
    "tvp_version", "suite", "row", "row_label", "row_workload", "row_sweep",
    "row_jobs", "row_figure", "form", "run", "warmup", "status", "reason",
    "exit_status", "started", "elapsed_s", "load_before", "load_after",
    "command", "stderr",
)


# A program's output is a record only with these columns.
RECORD_NEEDS = ("mode", "workload", "workers", "wall_s", "result", "verdict")


class RawError(Exception):
    """A results file or run directory that cannot be read."""


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _without_program(line: str) -> str:
    """A program's message without its "tvp-threads: " prefix."""
    return re.sub(r"^[^:\s]+: ", "", line, count=1)


def message(stderr: str) -> str:
    """The first line a program wrote to stderr, without its name."""
    return _without_program(_first_line(stderr))


def exit_reason(status: int, stderr: str) -> str:
    """Why a run with exit status `status` is lost, in words."""
    if status > 128:
        try:
            return "killed by %s" % signal.Signals(status - 128).name
        except ValueError:
            return "killed by signal %d" % (status - 128)
    line = message(stderr)
    if status == 0:
        return "exit 0 but no record in its output"
    return "exit %d: %s" % (status, line) if line else "exit %d" % status


def _record(out_text: str) -> dict:
    """The program's CSV record (header line, data line) as a dict."""
    try:
        rows = list(csv.reader(io.StringIO(out_text)))
    except csv.Error:
        return {}
    if (len(rows) < 2 or len(rows[0]) != len(rows[1]) or
            not set(RECORD_NEEDS) <= set(rows[0])):
        return {}
    return dict(zip(rows[0], rows[1]))




def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def ingest(rundir: str, suite: str, version: str, dest) -> int:
    """Write the raw results file of rundir to the open file dest.

    Returns the number of runs written.
    """
    index = os.path.join(rundir, "index.tsv")
    try:
        with open(index, encoding="utf-8") as f:
            lines = [l.rstrip("\n") for l in f if l.strip()]
    except OSError as e:
        raise RawError("cannot read %s: %s" % (index, e.strerror)) from e
    runs, columns = [], []
    for n, line in enumerate(lines, 1):
        fields = line.split("\t")
        if len(fields) != len(DRIVER_FIELDS):
            raise RawError("%s line %d: %d fields, want %d"
                           % (index, n, len(fields), len(DRIVER_FIELDS)))
        meta = dict(zip(DRIVER_FIELDS, fields))
        for k in ("row_sweep", "row_figure"):   # "-": none, in the plan
            meta[k] = "" if meta[k] == "-" else meta[k]
        base = os.path.join(rundir, meta.pop("seq"))
        out, err = _read(base + ".out"), _read(base + ".err")
        record = _record(out) if meta["status"] == "run" else {}
        for c in record:
            if c not in columns:
                columns.append(c)
        status = int(meta["exit_status"])
        if meta["status"] == "refused":
            reason = message(err)
        elif status == 0 and record:
            meta["status"], reason = "ok", ""
        else:
            meta["status"], reason = "lost", exit_reason(status, err)
        runs.append(dict(meta, tvp_version=version, suite=suite,
                         reason=reason, stderr=err.rstrip("\n"), **record))
    writer = csv.DictWriter(dest, fieldnames=list(RAW_COLUMNS) + columns,
                            restval="", extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(runs)
    return len(runs)


def load(path: str) -> list:
    """The runs of a raw results file, as dicts, in file order."""
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            reader = csv.DictReader(f)
            missing = [c for c in RAW_COLUMNS
                       if c not in (reader.fieldnames or ())]
            if missing:
                raise RawError("%s is not a tvp results file (no column %s)"
                               % (path, missing[0]))
            runs = list(reader)
    except OSError as e:
        raise RawError("cannot read %s: %s" % (path, e.strerror)) from e
    except csv.Error as e:
        raise RawError("%s: %s" % (path, e)) from e
    if not runs:
        raise RawError("%s holds no runs" % path)
    suites = {r["suite"] for r in runs}
    if len(suites) != 1:
        raise RawError("%s mixes suites: %s" % (path, " ".join(sorted(suites))))
    return runs


def metric(run: dict, name: str):
    """The value of metric `name` in a run's record, or None."""
    for k in range(1, 100):
        key = "metric%d_name" % k
        if key not in run:
            return None
        if run[key] == name:
            return number(run.get("metric%d_value" % k))
    return None


def metric_info(run: dict, name: str):
    """(unit, better) of metric `name` in a run's record, or None."""
    for k in range(1, 100):
        key = "metric%d_name" % k
        if key not in run:
            return None
        if run[key] == name:
            return (run.get("metric%d_unit" % k, ""),
                    run.get("metric%d_better" % k, "lower"))
    return None


def figure(run: dict, name: str):
    """A run's figure: "metric:NAME" or a record column; None if absent."""
    if name.startswith("metric:"):
        return metric(run, name[len("metric:"):])
    return number(run.get(name))


def number(text):
    """A CSV field as a float, or None when empty or not a number."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def warn(msg: str) -> None:
    print("tvp-report: %s" % msg, file=sys.stderr)
