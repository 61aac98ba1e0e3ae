"""Two results files: each row's change from a baseline to a new one.

A baseline and a new commit, or two machines.  Rows are matched by their
id (workload, option value, worker count; or lesson and case), forms by
name; each row is read with the figure the baseline's report shows.  The
change is new median / baseline median with its 95% interval, and a row
is called better or worse only when that interval excludes 1.
"""

from typing import List

from . import stats, summary, tables
from .summary import FormSummary

COLUMNS = ("row", "workers", "form", "figure", "unit", "better",
           "base_median", "base_ci_low", "base_ci_high", "base_n",
           "new_median", "new_ci_low", "new_ci_high", "new_n",
           "change", "change_ci_low", "change_ci_high", "verdict", "notes")


def _verdict(iv, better: str) -> str:
    w = stats.winner(iv, better, "new", "base")
    if w is None:
        return "no measurable difference"
    return "better" if w == "new" else "worse"


def compare(base_runs: List[dict], new_runs: List[dict]):
    """(lines, rows only in base, rows only in new)."""
    base_rows = summary.summarise(base_runs)
    new_by_id = summary.group(new_runs)
    lines = []
    for row in base_rows:
        if row.id not in new_by_id or row.refused:
            continue
        new_forms = {}
        for r in new_by_id[row.id]:
            new_forms.setdefault(r["form"], []).append(r)
        new_options = next((r.get("options", "") for r in new_by_id[row.id]
                            if r["status"] == "ok"), "")
        for form, fs in row.forms.items():
            if form not in new_forms:
                continue
            nf = FormSummary(form, new_forms[form], row.figure)
            iv = stats.ratio_interval(nf.values, fs.values)
            notes = []
            if new_options != row.options:
                notes.append("options differ: %s | %s" % (row.options,
                                                          new_options))
            if nf.lost or fs.lost:
                notes.append("lost runs: base %d, new %d" % (fs.lost,
                                                             nf.lost))
            lines.append({
                "row": row.id, "workers": row.jobs, "form": form,
                "figure": row.figure.label, "unit": row.figure.unit,
                "better": row.figure.better, "base": fs.median,
                "base_n": fs.n, "new": nf.median, "new_n": nf.n,
                "change": iv,
                "verdict": _verdict(iv, row.figure.better) if iv else "-",
                "notes": "; ".join(notes)})
    base_ids = {r.id for r in base_rows}
    only_base = [r.id for r in base_rows if r.id not in new_by_id]
    only_new = [rid for rid in new_by_id if rid not in base_ids]
    return lines, only_base, only_new


def _values(iv):
    if iv is None:
        return [None, None, None]
    return [iv.value, iv.low, iv.high]


def render(base_runs: List[dict], new_runs: List[dict], base_name: str,
           new_name: str, fmt: str) -> str:
    if base_runs[0]["suite"] != new_runs[0]["suite"]:
        raise ValueError("%s holds %s results, %s holds %s results"
                         % (base_name, base_runs[0]["suite"], new_name,
                            new_runs[0]["suite"]))
    if base_runs[0]["suite"] == "faults":
        raise ValueError("--faults results have no figures to compare")
    lines, only_base, only_new = compare(base_runs, new_runs)
    about = {name: {"file": name, "tvp_version": runs[0]["tvp_version"],
                    "machine": summary.machine(runs)}
             for name, runs in ((base_name, base_runs), (new_name, new_runs))}
    if fmt == "json":
        return tables.json_text({
            "base": about[base_name], "new": about[new_name],
            "statistics": {"interval": stats.METHOD,
                           "confidence": stats.CONFIDENCE},
            "rows": [dict(l, base=tables.interval_dict(l["base"]),
                          new=tables.interval_dict(l["new"]),
                          change=tables.interval_dict(l["change"]))
                     for l in lines],
            "only_in_base": only_base, "only_in_new": only_new})
    if fmt == "csv":
        return tables.csv_text(COLUMNS, (
            [l["row"], l["workers"], l["form"], l["figure"], l["unit"],
             l["better"]] + _values(l["base"]) + [l["base_n"]] +
            _values(l["new"]) + [l["new_n"]] + _values(l["change"]) +
            [l["verdict"], l["notes"]] for l in lines))
    headers = ["row", "form", "figure", "base [95% CI]", "new [95% CI]",
               "new/base [95% CI]", "change", "notes"]
    cells = [[l["row"], l["form"], l["figure"], tables.interval(l["base"]),
              tables.interval(l["new"]),
              tables.interval(l["change"], tables.ratio), l["verdict"],
              l["notes"]] for l in lines]
    table = (tables.markdown_table if fmt == "markdown" else
             tables.text_table)(headers, cells)
    foot = ["base: %s (tvp %s; %s)" % (base_name,
                                       about[base_name]["tvp_version"],
                                       summary.machine_line(
                                           about[base_name]["machine"])),
            "new: %s (tvp %s; %s)" % (new_name,
                                      about[new_name]["tvp_version"],
                                      summary.machine_line(
                                          about[new_name]["machine"])),
            "new/base: the ratio of the medians of the row's figure, with its "
            "95%% interval (%s); better or worse only when the interval "
            "excludes 1, by the figure's direction." % stats.METHOD]
    if any(l["change"] and l["change"].few for l in lines):
        foot.append(tables.few_note())
    if only_base:
        foot.append("only in base: " + ", ".join(only_base))
    if only_new:
        foot.append("only in new: " + ", ".join(only_new))
    return table + tables.lines_block(foot, fmt)
