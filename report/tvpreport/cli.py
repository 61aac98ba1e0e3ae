"""tvp-report's command line."""

import argparse
import os
import sys

from . import (cases, comparison, diff, faults, fidelity, lessons, plot,
               raw, tables)

PROG = "tvp-report"

USAGE = """\
usage: tvp-report [--format F] [-o FILE] [--plot DIR] RESULTS
       tvp-report [--format F] [-o FILE] BASE NEW
       tvp-report ingest --suite SUITE --version V RUNDIR
       tvp-report plan lessons|faults|fidelity [-w LIST] [--bench DIR]

Reads the raw results file that compare.sh writes (--save FILE) and prints
its report: the comparison, --lessons, --faults or --fidelity, as F = table (default),
csv, json or markdown.  With two files, each row's change from BASE to NEW
with its 95% interval.  --plot DIR: PNG and SVG plots (gnuplot) of a
comparison.  Exit status: 0 every row identical and verified (or every
lesson and fault case as expected; always 0 for two files), 1 otherwise,
2 bad usage.

ingest and plan serve compare.sh: ingest turns its run directory into the
raw results file (on stdout); plan prints the rows of --lessons, --faults
or --fidelity it is to run (--bench: where the raw programs are; the
datasets are tvp's default cache directory).
"""


class Usage(Exception):
    """Bad usage: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise Usage(message)

    def print_help(self, file=None):
        (file or sys.stdout).write(USAGE)


def _report(argv) -> int:
    p = _Parser(prog=PROG, add_help=True)
    p.add_argument("--format", default="table", choices=tables.FORMATS)
    p.add_argument("-o", dest="output")
    p.add_argument("--plot", dest="plotdir")
    p.add_argument("files", nargs="+")
    a = p.parse_args(argv)
    if len(a.files) > 2:
        raise Usage("one results file, or two to compare (got %d)"
                    % len(a.files))
    try:
        loaded = [raw.load(f) for f in a.files]
    except raw.RawError as e:
        raise Usage(str(e)) from e
    ok = True
    if len(loaded) == 2:
        if a.plotdir:
            raise Usage("--plot draws one results file, not a comparison "
                        "of two")
        try:
            text = diff.render(loaded[0], loaded[1], a.files[0], a.files[1],
                               a.format)
        except ValueError as e:
            raise Usage(str(e)) from e
    else:
        runs = loaded[0]
        render = {"compare": comparison.render, "lessons": lessons.render,
                  "faults": faults.render,
                  "fidelity": fidelity.render}.get(runs[0]["suite"])
        if render is None:
            raise Usage("%s: unknown suite '%s'" % (a.files[0],
                                                   runs[0]["suite"]))
        if a.plotdir and runs[0]["suite"] != "compare":
            raise Usage("--plot draws comparisons, not %s results"
                        % runs[0]["suite"])
        text, ok = render(runs, a.format)
        if a.plotdir:
            try:
                for path in plot.plot(runs, a.plotdir):
                    print("%s: wrote %s" % (PROG, path), file=sys.stderr)
            except (plot.PlotError, OSError) as e:
                print("%s: %s" % (PROG, e), file=sys.stderr)
                return 1
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0 if ok else 1


def _ingest(argv) -> int:
    p = _Parser(prog=PROG + " ingest")
    p.add_argument("--suite", required=True,
                   choices=("compare", "lessons", "faults", "fidelity"))
    p.add_argument("--version", required=True)
    p.add_argument("rundir")
    a = p.parse_args(argv)
    try:
        raw.ingest(a.rundir, a.suite, a.version, sys.stdout)
    except raw.RawError as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 1
    return 0


def _plan(argv) -> int:
    p = _Parser(prog=PROG + " plan")
    p.add_argument("suite", choices=("lessons", "faults", "fidelity"))
    p.add_argument("-w", dest="workloads")
    p.add_argument("--bench", default="build/bench")
    a = p.parse_args(argv)
    wanted = None
    if a.workloads is not None:
        if a.suite == "faults":
            raise Usage("--faults injects into hash only: -w is refused")
        wanted = [w for w in a.workloads.split(",")]
        have = cases.lesson_workloads(a.suite)
        what = "fidelity case" if a.suite == "fidelity" else "lesson"
        for w in wanted:
            if w not in have:
                raise Usage("workload '%s' has no %s (%ss run: %s)"
                            % (w, what, what, " ".join(have)))
    places = {"bench": a.bench, "cache": cases.default_cache_dir()}
    for line in cases.plan_lines(a.suite, wanted, places):
        print(line)
    return 0


def main(argv) -> int:
    try:
        if argv[:1] == ["ingest"]:
            return _ingest(argv[1:])
        if argv[:1] == ["plan"]:
            return _plan(argv[1:])
        return _report(argv)
    except Usage as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 2
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
