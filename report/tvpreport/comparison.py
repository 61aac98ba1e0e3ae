"""The side-by-side comparison of compare.sh (its default report)."""

from typing import List

from . import stats, summary, tables
from .summary import Row


def _any_sweep(rows: List[Row]) -> bool:
    return any(r.sweep for r in rows)


def _any_speedup(rows: List[Row]) -> bool:
    return any(r.speedups for r in rows)


def _mark(row: Row) -> str:
    if row.refused:
        return "refused"
    return "✓" if row.identical else "✗"


def _winner_cell(row: Row, form: str) -> str:
    if row.refused or row.ratios.get(form) is None:
        return "-"
    return row.winners.get(form) or "—"


def display(rows: List[Row], forms: List[str]):
    """(headers, cells, right-aligned columns) for text and Markdown."""
    base = forms[0]
    sweep, speed = _any_sweep(rows), _any_speedup(rows)
    headers = ["workload"] + (["option"] if sweep else []) + [
        "workers", "figure"]
    headers += ["%s [95%% CI]" % f for f in forms]
    for f in forms[1:]:
        headers += ["%s/%s [95%% CI]" % (f, base), "winner"]
    if speed:
        headers += ["speedup %s" % f for f in forms]
    headers += ["same", "notes"]
    right = {headers.index("workers")}
    cells = []
    for r in rows:
        c = [r.workload] + ([r.sweep or "-"] if sweep else []) + [
            str(r.jobs), r.figure.label]
        for f in forms:
            fs = r.forms.get(f)
            c.append("not run" if r.refused or fs is None else
                     tables.interval(fs.median) if fs.median else "all lost")
        for f in forms[1:]:
            c += [tables.interval(r.ratios.get(f), tables.ratio),
                  _winner_cell(r, f)]
        if speed:
            c += [tables.interval(r.speedups.get(f), tables.ratio)
                  if r.speedup_applies else "n/a" for f in forms]
        c += [_mark(r), "; ".join(_absent(r, forms) + r.notes())]
        cells.append(c)
    return headers, cells, right


def _absent(row: Row, forms: List[str]) -> List[str]:
    """Forms that did not run the row at all: they lack its workload (the
    Python twin has three; compare.sh says so on stderr)."""
    missing = [f for f in forms if f not in row.forms]
    if not missing or row.refused:
        return []
    return ["%s: no %s there, not run" % (", ".join(missing), row.workload)]


def footer(rows: List[Row], forms: List[str], machine: dict,
           version: str) -> List[str]:
    base = forms[0]
    figs = {}
    for r in rows:
        figs.setdefault(r.figure.label, r)
    lines = []
    for name, r in figs.items():
        f = r.figure
        kind = ("wall seconds: the workload's total work is fixed, so "
                "speedup is each form's 1-worker median / this median"
                if r.speedup_applies else
                "the workload's headline metric, per operation (wall time "
                "and speedup are shown only for fixed-total-work "
                "workloads: %s)" % ", ".join(summary.FIXED_TOTAL_WORK)
                if f.name.startswith("metric:") else "the record's %s" % name)
        lines.append("%s (%s, %s is better): %s." % (
            name, f.unit or "-", f.better, kind))
    runs = sorted({fs.measured for r in rows for fs in r.forms.values()
                   if not r.refused})
    warm = sorted({fs.warmups for r in rows for fs in r.forms.values()
                   if not r.refused})
    lines.append(
        "Each cell: the median of the measured runs [its 95%% interval, %s]; "
        "%s run(s) per form and row after %s warm-up run(s), the forms "
        "alternating run by run." % (stats.METHOD,
                                     "/".join(map(str, runs)) or "0",
                                     "/".join(map(str, warm)) or "0"))
    if len(forms) > 1:
        lines.append(
            "%s: the ratio of the medians; winner: the better form, named "
            "only when the ratio's interval excludes 1, else — (no "
            "measurable difference on this machine)."
            % ", ".join("%s/%s" % (f, base) for f in forms[1:]))
    lines.append("same: ✓ when every run of the row, warm-ups included, "
                 "verified and gave one result in every form. Outliers: "
                 "beyond 1.5 interquartile ranges (flagged, kept). Load: the "
                 "1-minute load average before and after the row's runs, "
                 "flagged above the core count.")
    if any(fs.median and fs.median.few for r in rows
           for fs in r.forms.values()):
        lines.append(tables.few_note())
    lines.append("Machine: %s; tvp %s." % (summary.machine_line(machine),
                                           version))
    return lines


def csv_rows(rows: List[Row], forms: List[str]):
    base = forms[0]
    headers = ["workload", "sweep", "workers", "figure", "unit", "better",
               "status", "reason"]
    for f in forms:
        headers += ["%s_%s" % (f, k) for k in
                    ("median", "ci_low", "ci_high", "n", "min", "max",
                     "outliers", "warmups", "lost")]
    for f in forms[1:]:
        headers += ["%s_%s_%s" % (f, base, k) for k in
                    ("ratio", "ratio_ci_low", "ratio_ci_high", "winner")]
    for f in forms:
        headers += ["%s_%s" % (f, k) for k in
                    ("speedup", "speedup_ci_low", "speedup_ci_high")]
    headers += ["identical", "result", "load_before", "load_after",
                "load_max", "cores", "load_warning", "notes"]
    out = []
    for r in rows:
        c = [r.workload, r.sweep, r.jobs, r.figure.label, r.figure.unit,
             r.figure.better, "refused" if r.refused else "ran", r.reason]
        for f in forms:
            fs = r.forms.get(f)
            m = fs.median if fs else None
            c += [m.value if m else None, m.low if m else None,
                  m.high if m else None, fs.n if fs else 0,
                  fs.min if fs else None, fs.max if fs else None,
                  len(fs.outliers) if fs else 0, fs.warmups if fs else 0,
                  fs.lost if fs else 0]
        for f in forms[1:]:
            iv = r.ratios.get(f)
            c += [iv.value if iv else None, iv.low if iv else None,
                  iv.high if iv else None,
                  (r.winners.get(f) or "none") if iv else None]
        for f in forms:
            iv = r.speedups.get(f)
            c += [iv.value if iv else None, iv.low if iv else None,
                  iv.high if iv else None]
        c += [r.identical, r.result, r.load_before, r.load_after,
              r.load_max, r.cores, r.load_warning,
              "; ".join(_absent(r, forms) + r.notes())]
        out.append(c)
    return headers, out


def json_obj(rows: List[Row], forms: List[str], machine: dict,
             version: str) -> dict:
    out = []
    for r in rows:
        out.append({
            "workload": r.workload, "sweep": r.sweep or None,
            "workers": r.jobs, "options": r.options,
            "status": "refused" if r.refused else "ran",
            "reason": r.reason or None,
            "figure": r.figure.as_dict(),
            "forms": {f: fs.as_dict() for f, fs in r.forms.items()},
            "ratios": {f: dict(tables.interval_dict(iv) or {},
                               winner=r.winners.get(f))
                       for f, iv in r.ratios.items()},
            "speedups": {f: tables.interval_dict(iv)
                         for f, iv in r.speedups.items()},
            "identical": r.identical, "result": r.result,
            "load": {"before": r.load_before, "after": r.load_after,
                     "max": r.load_max, "cores": r.cores,
                     "warning": bool(r.load_warning)},
            "notes": _absent(r, forms) + r.notes(),
        })
    return {"suite": "compare", "tvp_version": version, "machine": machine,
            "statistics": {"interval": stats.METHOD,
                           "confidence": stats.CONFIDENCE,
                           "outliers": "beyond 1.5 IQR (Tukey)"},
            "forms": forms, "baseline": forms[0], "rows": out}


def render(runs: List[dict], fmt: str) -> (str, bool):
    """The report of a compare results file, and whether every row passed."""
    rows = summary.summarise(runs)
    forms = summary.forms_of(rows)
    machine = summary.machine(runs)
    version = runs[0]["tvp_version"]
    ok = all(r.identical or r.refused for r in rows)
    if fmt == "csv":
        return tables.csv_text(*csv_rows(rows, forms)), ok
    if fmt == "json":
        return tables.json_text(json_obj(rows, forms, machine, version)), ok
    headers, cells, right = display(rows, forms)
    table = (tables.markdown_table if fmt == "markdown"
             else tables.text_table)(headers, cells, right)
    return table + tables.lines_block(
        footer(rows, forms, machine, version), fmt), ok
