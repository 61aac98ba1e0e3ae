"""Fixed inputs for the report program's tests: runs built by hand.

A run is what one line of a raw results file holds: compare.sh's columns
and the program's record.  The figures are chosen, not measured, so every
statistic on them has a known answer.
"""

import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "report"))

from tvpreport import raw  # noqa: E402

RECORD = ("mode", "workload", "workers", "wall_s", "work_s", "items",
          "result", "verified", "options", "note", "died", "redone",
          "recover_s", "cpu_model", "online_cpus", "kernel", "libc",
          "affinity", "verdict", "metric1_name", "metric1_value",
          "metric1_unit", "metric1_better", "metric2_name", "metric2_value",
          "metric2_unit", "metric2_better")


def run(form, row, value, *, suite="compare", workload="hash", jobs=1,
        sweep="", figure="", warmup=False, index=1, status="ok",
        result="abc", verdict="verified", metric=None, load=0.5,
        reason="", exit_status=0, stderr="", label=None, options=None,
        cores=2, **extra):
    """One run whose figure (wall_s and work_s, or `metric`) is value.

    metric: (name, unit, better) makes value that metric's value.
    """
    r = {c: "" for c in raw.RAW_COLUMNS + RECORD}
    r.update(tvp_version="v-test", suite=suite, row=row,
             row_label=label or row, row_workload=workload, row_sweep=sweep,
             row_jobs=str(jobs), row_figure=figure, form=form,
             run=str(index), warmup="1" if warmup else "0", status=status,
             reason=reason, exit_status=str(exit_status),
             started="2024-01-01T00:00:00+0000", elapsed_s="%.6f" % value,
             load_before=str(load), load_after=str(load), stderr=stderr,
             command="bin/tvp-%s -j %d %s" % (form, jobs, workload))
    if status == "ok":
        r.update(mode=form, workload=workload, workers=str(jobs),
                 wall_s="%.6f" % value, work_s="%.6f" % value, items="8",
                 result=result,
                 verified={"verified": "yes", "race": "race"}.get(verdict,
                                                                  "no"),
                 verdict=verdict,
                 options=options if options is not None else
                 "blocks=8 %s" % sweep, cpu_model="Test CPU",
                 online_cpus=str(cores), kernel="6.1", libc="glibc 2.36",
                 affinity="0-%d" % (cores - 1), died="0", redone="0",
                 recover_s="0.000000")
        if metric:
            r.update(metric1_name=metric[0], metric1_value="%g" % value,
                     metric1_unit=metric[1], metric1_better=metric[2])
    r.update(extra)
    return r


def series(form, row, values, warmups=1, **kw):
    """A warm-up run (figure: the first value) and one run per value."""
    out = [run(form, row, values[0], warmup=True, index=w + 1, **kw)
           for w in range(warmups)]
    out += [run(form, row, v, index=i + 1, **kw)
            for i, v in enumerate(values)]
    return out


def interleave(*lists):
    """Runs of several forms, alternating as compare.sh runs them."""
    out = []
    for group in zip(*lists):
        out.extend(group)
    return out


def write(path, runs):
    """A raw results file of these runs."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(raw.RAW_COLUMNS) + list(RECORD),
                           lineterminator="\n")
        w.writeheader()
        w.writerows(runs)
    return path


def compare_runs(slow=1.2):
    """hash at 1 and 2 workers: threads 1.0 / 0.5 s, processes `slow` x that."""
    runs = []
    for jobs, t in ((1, 1.0), (2, 0.5)):
        row = "hash -j %d" % jobs
        tv = [t * f for f in (0.99, 1.0, 1.01, 0.98, 1.02, 1.0)]
        pv = [v * slow for v in tv]
        runs += interleave(series("threads", row, tv, jobs=jobs),
                           series("processes", row, pv, jobs=jobs))
    return runs
