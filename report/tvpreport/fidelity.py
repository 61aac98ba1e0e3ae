"""--fidelity: tvp held against raw C programs doing the bare operation.

Each case (cases.FIDELITY) ran tvp in one form and a raw program of
bench/ alternately, run by run after warm-ups, both printing tvp's
record.  Per case: each side's median figure with its interval, and
tvp's cost over the raw program's (time per unit: the figure itself where
lower is better, its inverse where higher is), the ratio of the medians
with its 95% interval from the one statistics module.  A case is marked
when the whole interval lies above FIDELITY_LIMIT: tvp adds more than a
tenth to the primitive's cost there.
"""

from typing import List

from . import cases, stats, summary, tables

RAW = "raw"


class Case:
    """One fidelity case's figures, from its summary row."""

    def __init__(self, case: cases.Fidelity, row: summary.Row):
        self.case, self.row = case, row
        self.tvp_form = case.row.forms[0]
        self.tvp = row.forms.get(self.tvp_form)
        self.raw = row.forms.get(RAW)
        higher = row.figure.better == "higher"
        if self.tvp and self.raw:
            # Cost is time per unit: a rate's inverse, so raw/tvp.
            num, den = ((self.raw, self.tvp) if higher else
                        (self.tvp, self.raw))
            self.cost = stats.ratio_interval(num.values, den.values)
        else:
            self.cost = None
        ran = [r for fs in row.forms.values() for r in fs.all_runs]
        self.verified = bool(ran) and all(
            r["status"] == "ok" and r.get("verdict") == "verified"
            for r in ran)
        results = {r.get("result") for r in ran if r["status"] == "ok"}
        self.same = (len(results) == 1) if case.same else None

    @property
    def over(self) -> bool:
        return self.cost is not None and self.cost.above(
            cases.FIDELITY_LIMIT)

    @property
    def ok(self) -> bool:
        return (not self.row.refused and self.verified and
                self.same is not False)

    def notes(self) -> List[str]:
        out = self.row.notes(identity=False)
        if not self.verified and not self.row.lost:
            out.append("not every run verified")
        if self.same is False:
            out.append("tvp's result differs from the raw program's")
        return out


def evaluate(runs: List[dict]) -> List[Case]:
    rows = {r.id: r for r in summary.summarise(runs)}
    return [Case(c, rows[c.row.id]) for c in cases.FIDELITY
            if c.row.id in rows]


HEADERS = ("case", "figure", "tvp [95% CI]", "raw [95% CI]",
           "tvp/raw cost [95% CI]", "mark", "same", "notes")


def render(runs: List[dict], fmt: str):
    """The --fidelity report, and whether every case verified alike."""
    done = evaluate(runs)
    ok = all(c.ok for c in done)
    if fmt == "json":
        return tables.json_text(_json(runs, done)), ok
    if fmt == "csv":
        return _csv(done), ok
    cells = [[c.row.id, "%s (%s, %s is better)" % (
        c.row.figure.label, c.row.figure.unit or "-", c.row.figure.better),
        tables.interval(c.tvp.median) if c.tvp and c.tvp.median else "-",
        tables.interval(c.raw.median) if c.raw and c.raw.median else "-",
        tables.interval(c.cost, tables.ratio),
        "> %.2f" % cases.FIDELITY_LIMIT if c.over else "",
        {True: "✓", False: "✗", None: "-"}[c.same if c.verified else False],
        "; ".join(c.notes())] for c in done]
    table = (tables.markdown_table if fmt == "markdown" else
             tables.text_table)(list(HEADERS), cells)
    return table + tables.lines_block(_footer(runs, done), fmt), ok


def _footer(runs, done) -> List[str]:
    lines = [
        "tvp: bin/tvp-MODE with the case's options; raw: the program of "
        "bench/ doing the bare operation (its command in the results "
        "file). tvp/raw cost: time per unit, the figure's ratio where lower "
        "is better, raw/tvp where higher is, with %s; marked where the "
        "whole interval is above %.2f (tvp adds more than a tenth)."
        % (stats.METHOD, cases.FIDELITY_LIMIT),
        "same: ✓ every run verified and tvp's result is the raw program's; "
        "- nothing to compare (the empty run), ✗ otherwise."]
    if any(c.cost and c.cost.few for c in done):
        lines.append(tables.few_note())
    lines.append("Machine: %s; tvp %s." % (
        summary.machine_line(summary.machine(runs)), runs[0]["tvp_version"]))
    return lines


def _iv(iv):
    return (iv.value, iv.low, iv.high) if iv else (None, None, None)


def _csv(done) -> str:
    headers = ["case", "figure", "unit", "better", "tvp_form",
               "tvp_median", "tvp_ci_low", "tvp_ci_high", "tvp_n",
               "raw_median", "raw_ci_low", "raw_ci_high", "raw_n",
               "cost_ratio", "cost_ci_low", "cost_ci_high", "over_limit",
               "verified", "same", "notes"]
    out = []
    for c in done:
        f = c.row.figure
        out.append([c.row.id, f.label, f.unit, f.better, c.tvp_form,
                    *_iv(c.tvp.median if c.tvp else None),
                    c.tvp.n if c.tvp else 0,
                    *_iv(c.raw.median if c.raw else None),
                    c.raw.n if c.raw else 0, *_iv(c.cost), c.over,
                    c.verified, c.same, "; ".join(c.notes())])
    return tables.csv_text(headers, out)


def _json(runs, done) -> dict:
    return {
        "suite": "fidelity", "tvp_version": runs[0]["tvp_version"],
        "machine": summary.machine(runs),
        "statistics": {"interval": stats.METHOD,
                       "confidence": stats.CONFIDENCE},
        "limit": cases.FIDELITY_LIMIT,
        "cases": [{
            "case": c.row.id, "figure": c.row.figure.as_dict(),
            "tvp_form": c.tvp_form,
            "tvp": c.tvp.as_dict() if c.tvp else None,
            "raw": c.raw.as_dict() if c.raw else None,
            "cost": tables.interval_dict(c.cost), "over_limit": c.over,
            "verified": c.verified, "same": c.same,
            "notes": c.notes()} for c in done]}
