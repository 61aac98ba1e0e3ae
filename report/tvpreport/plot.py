"""Plots of a comparison with gnuplot: PNG and SVG, error bars from the intervals.

Worker sweep (a workload at two or more worker counts): the speedup
against workers per form, with the ideal line (speedup = workers), for
fixed-total-work workloads; the headline metric against workers per form
otherwise, with the 1-worker figure of the baseline as the line of no
change.  Option sweep (-x NAME=V1,V2,...): the row's figure against the
option's value per form.  Each plot's gnuplot script and data are kept
beside the images (NAME.gp, NAME.dat), so a plot can be redrawn or
restyled by hand.
"""

import os
import re
import shutil
import subprocess
from typing import Dict, List

from . import summary
from .summary import Row


class PlotError(Exception):
    pass


def _quote(s: str) -> str:
    """A gnuplot single-quoted string (no escapes inside but '')."""
    return "'" + s.replace("'", "''") + "'"


def _dquote(s: str) -> str:
    """A gnuplot double-quoted string: newlines become line breaks."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace(
        "\n", "\\n") + '"'


def _name(*parts) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", "-".join(p for p in parts if p))


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def _point(iv):
    """(y, low, high): an unknown interval draws no bar."""
    lo = iv.low if iv.known else iv.value
    hi = iv.high if iv.known else iv.value
    return iv.value, lo, hi


def _series(rows: List[Row], forms: List[str], xs, use_speedup: bool):
    """Per form, the points (x, y, low, high) of rows in order."""
    out: Dict[str, list] = {}
    for f in forms:
        pts = []
        for x, r in zip(xs, rows):
            iv = (r.speedups.get(f) if use_speedup else
                  (r.forms[f].median if f in r.forms else None))
            if iv is not None:
                pts.append((x,) + _point(iv))
        if pts:
            out[f] = pts
    return out


def _title(row: Row, machine: dict, what: str, swept=None) -> str:
    """Workload and what is plotted; its options; the machine.

    swept: (option, values) of an option sweep, shown in place of the one
    value the row's own options hold.
    """
    options = row.options or "default options"
    if swept:
        options = re.sub(r"(^|\s)%s=\S*" % re.escape(swept[0]),
                         r"\g<1>%s=%s" % (swept[0], ",".join(swept[1])),
                         options)
    return "%s: %s\n%s\n%s" % (row.workload, what, options,
                                 summary.machine_line(machine))


def _write(outdir: str, name: str, title: str, xlabel: str, ylabel: str,
           series: Dict[str, list], extra: List[str], xtics: str,
           logx: bool) -> List[str]:
    """Write NAME.dat and NAME.gp, run gnuplot; the image paths."""
    dat = os.path.join(outdir, name + ".dat")
    with open(dat, "w", encoding="utf-8") as f:
        for form, pts in series.items():
            f.write("# %s: x median ci_low ci_high\n" % form)
            for p in pts:
                f.write("%s %.9g %.9g %.9g\n" % p)
            f.write("\n\n")
    plots = ["%s index %d using 1:2:3:4 with yerrorlines title %s"
             % (_quote(dat), i, _quote(form))
             for i, form in enumerate(series)] + extra
    png, svg = (os.path.join(outdir, name + ext) for ext in (".png", ".svg"))
    script = [
        "set title %s noenhanced" % _dquote(title),
        "set xlabel %s noenhanced" % _quote(xlabel),
        "set ylabel %s noenhanced" % _quote(ylabel),
        "set key top left noenhanced",
        "set grid", "set offsets graph 0.05, graph 0.05, graph 0.05, 0",
        "set yrange [0:*]",
    ] + (["set logscale x 2"] if logx else []) + ([xtics] if xtics else [])
    script += [
        "set terminal pngcairo size 960,600 noenhanced",
        "set output %s" % _quote(png), "plot " + ", \\\n     ".join(plots),
        "set terminal svg size 960,600 noenhanced",
        "set output %s" % _quote(svg), "replot", "unset output"]
    gp = os.path.join(outdir, name + ".gp")
    with open(gp, "w", encoding="utf-8") as f:
        f.write("\n".join(script) + "\n")
    done = subprocess.run(["gnuplot", gp], capture_output=True, text=True)
    if done.returncode != 0:
        raise PlotError("gnuplot failed on %s: %s" % (
            gp, done.stderr.strip().splitlines()[-1:] or "?"))
    return [png, svg]


def _worker_sweeps(rows: List[Row]):
    groups: Dict[tuple, List[Row]] = {}
    for r in rows:
        if not r.refused:
            groups.setdefault((r.workload, r.sweep), []).append(r)
    for key, rs in groups.items():
        if len({r.jobs for r in rs}) >= 2:
            yield key, sorted(rs, key=lambda r: r.jobs)


def _option_sweeps(rows: List[Row]):
    groups: Dict[tuple, List[Row]] = {}
    for r in rows:
        if not r.refused and r.sweep:
            groups.setdefault((r.workload, r.jobs), []).append(r)
    for key, rs in groups.items():
        if len({r.sweep for r in rs}) >= 2:
            yield key, rs


def plot(runs: List[dict], outdir: str) -> List[str]:
    """Every plot the results call for; the paths written."""
    if shutil.which("gnuplot") is None:
        raise PlotError("gnuplot is not installed (apt-get install "
                        "gnuplot-nox, or make deps)")
    if runs[0]["suite"] != "compare":
        raise PlotError("plots are drawn for comparisons, not for %s"
                        % runs[0]["suite"])
    os.makedirs(outdir, exist_ok=True)
    rows = summary.summarise(runs)
    forms = summary.forms_of(rows)
    machine = summary.machine(runs)
    written = []
    for (workload, sweep), rs in _worker_sweeps(rows):
        fig = rs[0].figure
        xs = [r.jobs for r in rs]
        tics = "set xtics (%s)" % ", ".join(
            '"%d" %d' % (x, x) for x in sorted(set(xs)))
        if rs[0].speedup_applies:
            series = _series(rs, forms, xs, True)
            extra = ["x with lines dashtype 2 lc rgb 'gray40' title 'ideal "
                     "(speedup = workers)'"]
            ylabel = "speedup over 1 worker (own form)"
            what = "speedup against workers"
        else:
            series = _series(rs, forms, xs, False)
            one = next((r for r in rs if r.jobs == 1), None)
            base = one.forms.get(forms[0]) if one else None
            extra = (["%.9g with lines dashtype 2 lc rgb 'gray40' title %s"
                      % (base.median.value,
                         _quote("no change from 1 worker (%s)" % forms[0]))]
                     if base and base.median else [])
            ylabel = "%s (%s, %s is better)" % (fig.label, fig.unit,
                                                fig.better)
            what = "%s against workers" % fig.label
        if sweep:
            what += " (%s)" % sweep
        written += _write(outdir, _name(workload, sweep, "workers"),
                          _title(rs[0], machine, what), "workers", ylabel,
                          series, extra, tics, True)
    for (workload, jobs), rs in _option_sweeps(rows):
        fig = rs[0].figure
        option = rs[0].sweep.split("=", 1)[0]
        values = [r.sweep.split("=", 1)[1] for r in rs]
        numeric = all(_number(v) is not None for v in values)
        xs = [_number(v) for v in values] if numeric else list(
            range(len(values)))
        tics = "set xtics (%s)" % ", ".join(
            "%s %s" % (_quote(v), x if numeric else i)
            for i, (v, x) in enumerate(zip(values, xs)))
        written += _write(
            outdir, _name(workload, option, "j%d" % jobs),
            _title(rs[0], machine, "%s against %s, %d worker(s)"
                   % (fig.label, option, jobs), (option, values)),
            option, "%s (%s, %s is better)" % (fig.label, fig.unit,
                                               fig.better),
            _series(rs, forms, xs, False), [], tics, False)
    return written
