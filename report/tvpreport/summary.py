"""From kept runs to rows: one row per case, its forms side by side.

A row is what compare.sh ran as one unit (a workload at a worker count
and sweep value, or one case of --lessons or --faults), every form of it
interleaved.  Each row shows one figure per form: its median over the
measured runs (warm-ups excluded) with a 95% interval, the ratio of every
form to the baseline form (threads) with its interval, and, for
fixed-total-work workloads, each form's speedup over its own 1-worker row.
"""

import os
from typing import Dict, List, Optional

from . import raw, stats
from .stats import Interval

# The baseline every other form is compared with, when it ran.
BASELINE = "threads"

# Workloads whose total work does not depend on the worker count: for
# them wall time and speedup mean what they say.  Every other workload
# does more work with more workers (each counter worker does its own
# increments, each spawn worker its own spawns), so its wall time grows
# with -j by design; its row shows its headline metric (the record's
# first, normalised per operation by the workload) instead.
FIXED_TOTAL_WORK = ("hash", "fileread")

WALL = "wall_s"


class Figure:
    """What a row shows: a record column or "metric:NAME", and how to read it."""

    def __init__(self, name: str, unit: str, better: str):
        self.name, self.unit, self.better = name, unit, better

    @property
    def label(self) -> str:
        return self.name[len("metric:"):] if self.name.startswith(
            "metric:") else self.name

    def as_dict(self) -> dict:
        return {"name": self.label, "unit": self.unit, "better": self.better}


def figure_of(name: str, runs: List[dict]) -> Figure:
    """The Figure called name, with unit and direction from the records."""
    if name.startswith("metric:"):
        for r in runs:
            info = raw.metric_info(r, name[len("metric:"):])
            if info:
                return Figure(name, info[0], info[1] or "lower")
        return Figure(name, "", "lower")
    unit = "s" if name.endswith("_s") else "KiB" if name.endswith(
        "_kb") else ""
    return Figure(name, unit, "lower")


def headline(runs: List[dict]) -> Optional[str]:
    """The first metric of the first record that has one."""
    for r in runs:
        if r.get("status") == "ok" and r.get("metric1_name"):
            return "metric:" + r["metric1_name"]
    return None


class FormSummary:
    """One form's runs of one row."""

    def __init__(self, form: str, runs: List[dict], figure: Figure):
        self.form = form
        measured = [r for r in runs if r["warmup"] != "1"]
        ok = [r for r in measured if r["status"] == "ok"]
        self.values = [v for v in (raw.figure(r, figure.name) for r in ok)
                       if v is not None]
        self.median = stats.median_interval(self.values)
        self.min = min(self.values) if self.values else None
        self.max = max(self.values) if self.values else None
        self.outliers = stats.outliers(self.values)
        self.measured = len(measured)
        self.warmups = len(runs) - len(measured)
        lost = [r for r in runs if r["status"] == "lost"]
        self.lost = len(lost)
        self.lost_reasons = sorted({r["reason"] for r in lost})
        done = [r for r in runs if r["status"] == "ok"]
        self.results = [r.get("result", "") for r in done]
        self.verdicts = [r.get("verdict", "") for r in done]
        self.all_runs = runs

    @property
    def n(self) -> int:
        return len(self.values)

    def as_dict(self) -> dict:
        m = self.median
        return {
            "median": m.value if m else None,
            "ci": [m.low, m.high] if m and m.known else None,
            "n": self.n, "min": self.min, "max": self.max,
            "outliers": self.outliers, "warmups": self.warmups,
            "lost": self.lost, "lost_reasons": self.lost_reasons,
            "values": self.values,
        }


class Row:
    """One case: every form of it, and how they compare."""

    def __init__(self, rid: str, runs: List[dict], figure: Figure,
                 speedup: bool):
        first = runs[0]
        self.id = rid
        self.suite = first["suite"]
        self.label = first["row_label"]
        self.workload = first["row_workload"]
        self.sweep = first["row_sweep"]
        self.jobs = int(first["row_jobs"] or 0)
        self.figure = figure
        self.speedup_applies = speedup
        refused = [r for r in runs if r["status"] == "refused"]
        self.refused = bool(refused)
        self.reason = refused[0]["reason"] if refused else ""
        forms: Dict[str, List[dict]] = {}
        for r in runs:
            forms.setdefault(r["form"], []).append(r)
        self.forms = {f: FormSummary(f, rs, figure) for f, rs in forms.items()}
        self.baseline = BASELINE if BASELINE in self.forms else next(
            iter(self.forms))
        self.ratios: Dict[str, Optional[Interval]] = {}
        self.winners: Dict[str, Optional[str]] = {}
        base = self.forms[self.baseline]
        for f, fs in self.forms.items():
            if f == self.baseline:
                continue
            ratio = stats.ratio_interval(fs.values, base.values)
            self.ratios[f] = ratio
            self.winners[f] = stats.winner(ratio, figure.better, f,
                                           self.baseline)
        self.speedups: Dict[str, Optional[Interval]] = {}
        ok = [r for r in runs if r["status"] == "ok"]
        self.result = None
        results = {r.get("result", "") for r in ok}
        if self.refused:
            self.identical = None
        else:
            self.identical = (len(ok) == len(runs) and len(results) == 1
                              and all(r.get("verdict") == "verified"
                                      for r in ok))
            if len(results) == 1:
                self.result = results.pop()
        self.options = next((r.get("options", "") for r in ok), "")
        self.cores = cores_of(runs)
        loads = [(raw.number(r["load_before"]), raw.number(r["load_after"]))
                 for r in runs]
        self.load_before = loads[0][0] if loads else None
        self.load_after = loads[-1][1] if loads else None
        seen = [v for pair in loads for v in pair if v is not None]
        self.load_max = max(seen) if seen else None
        self.load_warning = (self.load_max is not None and self.cores and
                             self.load_max > self.cores)

    @property
    def outliers(self) -> int:
        return sum(len(fs.outliers) for fs in self.forms.values())

    @property
    def lost(self) -> int:
        return sum(fs.lost for fs in self.forms.values())

    def notes(self, identity: bool = True) -> List[str]:
        """What a reader must know about the row's figures, in words.

        identity: say when the row's results differ or did not verify (a
        comparison expects one verified result; a lesson may show a race
        on purpose, and its sentences say what the results mean).
        """
        out = []
        if self.refused:
            return ["not run: " + self.reason]
        for fs in self.forms.values():
            if fs.lost:
                out.append("%s: %d lost (%s)" % (fs.form, fs.lost,
                                                 "; ".join(fs.lost_reasons)))
        if self.outliers:
            out.append("outliers: " + ", ".join(
                "%s %d" % (f, len(fs.outliers))
                for f, fs in self.forms.items() if fs.outliers))
        if self.load_warning:
            out.append("load %.1f > %d cores" % (self.load_max, self.cores))
        if identity and self.identical is False and not any(
                fs.lost for fs in self.forms.values()):
            verdicts = sorted({v for fs in self.forms.values()
                               for v in fs.verdicts})
            results = {x for fs in self.forms.values() for x in fs.results}
            out.append("not identical: %d result(s), verdicts %s"
                       % (len(results), "/".join(verdicts)))
        return out


def cores_of(runs: List[dict]) -> int:
    """Online cores as the records saw them (else this machine's)."""
    for r in runs:
        v = raw.number(r.get("online_cpus"))
        if v:
            return int(v)
    return os.cpu_count() or 1


def group(runs: List[dict]) -> Dict[str, List[dict]]:
    """Runs by row id, in the order rows first appear."""
    rows: Dict[str, List[dict]] = {}
    for r in runs:
        rows.setdefault(r["row"], []).append(r)
    return rows


def choose_figure(workload: str, runs: List[dict], given: str):
    """(Figure, whether a speedup applies) for a row.

    A figure named by the case (lessons, faults) wins; otherwise wall time
    for fixed-total-work workloads and the headline metric for the rest.
    """
    if given:
        return figure_of(given, runs), False
    if workload in FIXED_TOTAL_WORK:
        return figure_of(WALL, runs), True
    name = headline(runs)
    if name is None:
        return figure_of(WALL, runs), False
    return figure_of(name, runs), False


def summarise(runs: List[dict]) -> List[Row]:
    """Every row of a results file, with speedups filled in."""
    grouped = group(runs)
    # The figure is chosen per workload (all its rows alike), so that a
    # workload's rows are comparable down the table.
    by_workload: Dict[str, List[dict]] = {}
    for r in runs:
        by_workload.setdefault(r["row_workload"], []).append(r)
    rows = []
    for rid, rs in grouped.items():
        fig, speedup = choose_figure(rs[0]["row_workload"],
                                     by_workload[rs[0]["row_workload"]],
                                     rs[0]["row_figure"])
        rows.append(Row(rid, rs, fig, speedup))
    for row in rows:
        if not row.speedup_applies:
            continue
        one = next((o for o in rows if o.workload == row.workload and
                    o.sweep == row.sweep and o.jobs == 1 and
                    o.speedup_applies), None)
        for f, fs in row.forms.items():
            base = one.forms.get(f) if one else None
            if row is one and fs.values:
                # A median divided by itself: exactly 1, no resampling.
                row.speedups[f] = Interval(1.0, 1.0, 1.0)
            else:
                row.speedups[f] = (stats.ratio_interval(base.values,
                                                        fs.values)
                                   if base else None)
    return rows


def forms_of(rows: List[Row]) -> List[str]:
    """Every form in the rows, baseline first, then in order of appearance."""
    seen: List[str] = []
    for row in rows:
        for f in row.forms:
            if f not in seen:
                seen.append(f)
    if BASELINE in seen:
        seen.remove(BASELINE)
        seen.insert(0, BASELINE)
    return seen


def machine(runs: List[dict]) -> dict:
    """The environment the records report (first record that has one)."""
    for r in runs:
        if r.get("status") == "ok" and r.get("cpu_model"):
            return {k: r.get(k, "") for k in
                    ("cpu_model", "online_cpus", "kernel", "libc",
                     "affinity")}
    return {"cpu_model": "unknown", "online_cpus": str(os.cpu_count()),
            "kernel": "", "libc": "", "affinity": ""}


def machine_line(m: dict) -> str:
    parts = ["%s, %s cores" % (m["cpu_model"], m["online_cpus"])]
    if m.get("kernel"):
        parts.append("Linux " + m["kernel"])
    if m.get("libc"):
        parts.append(m["libc"])
    return ", ".join(parts)
