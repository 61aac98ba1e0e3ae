"""--lessons: each coordination pattern, its figures and its sentences.

The sentences come from the rules of cases.LESSONS; this module only
evaluates them.  Every comparison in a sentence is a ratio with its 95%
interval, and words that name a winner (or a speedup, or an effect) are
chosen from that interval, so a sentence cannot contradict its figure.
"""

import re
from collections import defaultdict
from typing import Dict, List

from . import cases, raw, stats, summary, tables
from .stats import Interval
from .summary import Row

NO_DIFF = "no measurable difference on this machine"
# What a run ended by --timeout says (its loss reason): a stuck worker.
STUCK = "timed out"


def _ci(iv: Interval, fmt) -> str:
    if not iv.known:
        return "no interval: too few runs"
    if iv.few:
        return "95%% CI %s–%s, from fewer than %d runs: decides nothing" % (
            fmt(iv.low), fmt(iv.high), stats.MIN_RUNS)
    return "95%% CI %s–%s" % (fmt(iv.low), fmt(iv.high))


def _unit(row: Row) -> str:
    return (" " + row.figure.unit) if row.figure.unit else ""


def forms_phrase(row: Row) -> str:
    """Every form's figure against the baseline's, winner only if significant."""
    base = row.baseline
    parts = []
    for f, iv in row.ratios.items():
        if iv is None:
            parts.append("no figure to compare for %s" % f)
            continue
        figures = "; ".join(
            "%s %s%s" % (g, tables.num(row.forms[g].median.value), _unit(row))
            for g in (base, f))
        detail = "%s/%s %s [%s; %s; %s is better]" % (
            f, base, tables.ratio(iv.value), _ci(iv, tables.ratio), figures,
            row.figure.better)
        w = row.winners.get(f)
        parts.append(("%s better, " % w if w else NO_DIFF + ", ") + detail)
    return "; ".join(parts) if parts else "(only one form ran)"


def result_phrase(fs) -> str:
    """What a form computed over its runs: one value, a range, or a count."""
    if not fs.results:
        return "no result (every run lost)"
    distinct = sorted(set(fs.results))
    if len(distinct) == 1:
        return distinct[0]
    try:
        values = sorted(int(x) for x in distinct)
        return "%d–%d" % (values[0], values[-1])
    except ValueError:
        return "%d different results" % len(distinct)


def verdicts_phrase(fs) -> str:
    """How a form's runs ended: "verified, all 6 runs" or "race 4/6, ..."."""
    total = len(fs.all_runs)
    counts: Dict[str, int] = defaultdict(int)
    for v in fs.verdicts:
        counts[v or "no verdict"] += 1
    if fs.lost:
        counts["lost"] = fs.lost
    if len(counts) == 1:
        (name, _), = counts.items()
        return "%s, all %d runs" % (name, total)
    return ", ".join("%s %d/%d" % (k, n, total) for k, n in
                     sorted(counts.items(), key=lambda kv: -kv[1]))


def rows_phrase(a: Row, b: Row, form: str):
    """a / b in one form: the phrase and its interval (None if undefined)."""
    fa, fb = a.forms.get(form), b.forms.get(form)
    iv = stats.ratio_interval(fa.values, fb.values) if fa and fb else None
    if iv is None:
        return "no figure", None
    if iv.significant:
        return "%sx [%s; %s against %s%s]" % (
            tables.ratio(iv.value), _ci(iv, tables.ratio),
            tables.num(fa.median.value), tables.num(fb.median.value),
            _unit(a)), iv
    return "%s: %sx [%s]" % (NO_DIFF, tables.ratio(iv.value),
                             _ci(iv, tables.ratio)), iv


def speedup_phrase(one: Row, many: Row, form: str):
    """one / many of a time in one form: how many times as fast."""
    f1, fn = one.forms.get(form), many.forms.get(form)
    iv = stats.ratio_interval(f1.values, fn.values) if f1 and fn else None
    if iv is None:
        return "no figure", None
    tail = "" if iv.significant else ", " + NO_DIFF
    return "%sx [%s%s]" % (tables.ratio(iv.value), _ci(iv, tables.ratio),
                           tail), iv


def _clause(clause: str, cores: int):
    """(who, op, bound) of one condition clause: "py-threads<1.3" is
    ("py-threads", "<", 1.3); "all~1" is ("all", "~", 1.0)."""
    m = re.fullmatch(r"([A-Za-z][\w-]*)([<>~])(cores|[0-9]+(?:\.[0-9]+)?)",
                     clause)
    if m is None or (m.group(2) == "~" and m.group(3) != "1"):
        raise ValueError("bad condition %r" % clause)
    bound = float(cores) if m.group(3) == "cores" else float(m.group(3))
    return m.group(1), m.group(2), bound


def holds(condition: str, ivs: Dict[str, Interval], cores: int) -> bool:
    """Whether a tail's condition holds for the intervals of each form."""
    for clause in condition.split(" and "):
        clause = clause.strip()
        if clause == "*":
            continue
        who, op, bound = _clause(clause, cores)
        targets = list(ivs.values()) if who == "all" else [ivs.get(who)]
        for iv in targets:
            if op == ">":
                ok = iv is not None and iv.above(bound)
            elif op == "<":
                ok = iv is not None and iv.below(bound)
            else:
                ok = iv is None or not iv.significant
            if not ok:
                return False
    return True


def expect(condition: str, rows: List[Row]) -> bool:
    """Whether an expect rule's condition holds over its rows' runs."""
    runs = [r for row in rows for fs in row.forms.values()
            for r in fs.all_runs]
    every_ok = runs and all(r["status"] == "ok" for r in runs)
    verified = every_ok and all(r.get("verdict") == "verified" for r in runs)
    words = condition.split()
    if words == ["verified"]:
        return bool(verified)
    if words == ["same-result"]:
        return bool(verified) and len({r.get("result") for r in runs}) == 1
    if words and words[0] in ("results", "seen"):
        for pair in words[1:]:
            form, want = pair.split("=", 1)
            mine = [r for r in runs if r["form"] == form]
            if words[0] == "results":
                if not verified or not mine or any(
                        r.get("result") != want for r in mine):
                    return False
            elif not any(r.get("verdict") == want for r in mine):
                return False
        return True
    raise ValueError("bad expect condition %r" % condition)


class _Any(dict):
    """A format mapping that says "-" for a form that did not run."""

    def __missing__(self, key):
        return "-"


class _Figures(dict):
    """{fig[NAME][FORM]}: the median of a column (or metric) NAME over a
    row's measured runs in FORM, for people; "-" where there is none."""

    def __init__(self, row: Row):
        super().__init__()
        self.row = row

    def __missing__(self, name):
        out = _Any()
        for f, fs in self.row.forms.items():
            values = [v for v in (_value(r, name) for r in fs.all_runs
                                  if r["warmup"] != "1"
                                  and r["status"] == "ok")
                      if v is not None]
            if values:
                out[f] = tables.num(stats.median(values))
        return out


def _value(run: dict, name: str):
    """A run's column NAME, or else its metric NAME; None if neither."""
    v = raw.figure(run, name)
    return v if v is not None else raw.metric(run, name)


def stuck_runs(fs, when: str) -> int:
    """How many of a form's runs were lost with `when` in their reason."""
    return sum(1 for r in fs.all_runs
               if r["status"] == "lost" and when in r.get("reason", ""))


def sentence(say: cases.Say, rows: Dict[str, Row], cores: int):
    """(text, ok) for one rule; None when a row it reads did not run."""
    if any(rid not in rows or rows[rid].refused for rid in say.rows):
        return None
    first = rows[say.rows[0]]
    fields = {"cores": cores, "unit": first.figure.unit,
              "fig": _Figures(first),
              "result": _Any({f: result_phrase(fs)
                              for f, fs in first.forms.items()}),
              "verdicts": _Any({f: verdicts_phrase(fs)
                                for f, fs in first.forms.items()})}
    ok, text, ivs = True, say.text, None
    if say.rule == "forms":
        fields["forms"] = forms_phrase(first)
        ivs = first.ratios
    elif say.rule == "count":
        counts, ivs = _Any(), {}
        for f, fs in first.forms.items():
            k = stuck_runs(fs, say.when)
            counts[f] = "%d of %d" % (k, len(fs.all_runs))
            ivs[f] = Interval(float(k), float(k), float(k))
        fields["count"] = counts
        fields["n"] = _Any({f: "%d" % iv.value for f, iv in ivs.items()})
    elif say.rule == "expect":
        ok = expect(say.when, [rows[r] for r in say.rows])
        if not ok:
            text = say.otherwise
            ok = not say.bad
    elif say.rule in ("rows", "speedup"):
        a, b = rows[say.rows[0]], rows[say.rows[1]]
        phrase = rows_phrase if say.rule == "rows" else speedup_phrase
        ivs, words = {}, _Any()
        for f in a.forms:
            words[f], ivs[f] = phrase(a, b, f)
        fields[say.rule] = words
        fields["a"] = _Any({f: tables.num(fs.median.value)
                            for f, fs in a.forms.items() if fs.median})
        fields["b"] = _Any({f: tables.num(fs.median.value)
                            for f, fs in b.forms.items() if fs.median})
    elif say.rule != "results":
        raise ValueError("bad rule %r" % say.rule)
    if ivs is not None:
        tail = next((t for cond, t in say.tails if holds(cond, ivs, cores)),
                    "")
        text = text + (" " + tail if tail else "")
    return text.format_map(fields), ok


def evaluate(runs: List[dict]):
    """Per lesson that ran: (lesson, its rows, [(sentence, ok)])."""
    rows = {r.id: r for r in summary.summarise(runs)}
    cores = summary.cores_of(runs)
    out = []
    for lesson in cases.LESSONS:
        mine = {r.id: rows[lesson.id + "/" + r.id] for r in lesson.rows
                if lesson.id + "/" + r.id in rows}
        if not mine:
            continue
        for case in lesson.rows:
            if case.id in mine:
                mine[case.id].case = case
        said = [s for s in (sentence(say, mine, cores) for say in lesson.says)
                if s is not None]
        out.append((lesson, list(mine.values()), said))
    return out


def _row_ok(row: Row) -> bool:
    """Refused or lost runs fail a lesson, except the runs a stuck_ok case
    expects: those --timeout ended (they are what it shows)."""
    if row.refused:
        return False
    case = getattr(row, "case", None)
    if case is not None and case.stuck_ok:
        return all(stuck_runs(fs, STUCK) == fs.lost
                   for fs in row.forms.values())
    return row.lost == 0


def _table(lesson, rows: List[Row], forms: List[str]):
    base = forms[0]
    headers = [lesson.heading] + ["%s [95%% CI]" % f for f in forms]
    for f in forms[1:]:
        headers += ["%s/%s [95%% CI]" % (f, base), "winner"]
    headers += ["%s result (verdict)" % f for f in forms] + ["notes"]
    cells = []
    for r in rows:
        c = [r.label]
        for f in forms:
            fs = r.forms.get(f)
            c.append("not run" if r.refused or fs is None else
                     tables.interval(fs.median) if fs.median else "all lost")
        for f in forms[1:]:
            iv = r.ratios.get(f)
            c += [tables.interval(iv, tables.ratio),
                  (r.winners.get(f) or "—") if iv else "-"]
        for f in forms:
            fs = r.forms.get(f)
            c.append("%s (%s)" % (result_phrase(fs), verdicts_phrase(fs))
                     if fs and not r.refused else "-")
        c.append("; ".join(r.notes(identity=False)))
        cells.append(c)
    return headers, cells


def _footer(runs, rows_all: List[Row]) -> List[str]:
    measured = sorted({fs.measured for r in rows_all
                       for fs in r.forms.values() if not r.refused})
    warm = sorted({fs.warmups for r in rows_all for fs in r.forms.values()
                   if not r.refused})
    few = [tables.few_note()] if any(
        fs.median and fs.median.few for r in rows_all
        for fs in r.forms.values()) else []
    return few + [
        "Medians of %s run(s) per form and row after %s warm-up run(s), the "
        "forms alternating run by run; [95%% CI]: %s. A sentence names a "
        "winner only when the interval of the ratio excludes 1; otherwise "
        "it says \"%s\". Results and verdicts count every run, warm-ups "
        "included." % ("/".join(map(str, measured)) or "0",
                       "/".join(map(str, warm)) or "0", stats.METHOD,
                       NO_DIFF),
        "Machine: %s; tvp %s." % (summary.machine_line(summary.machine(runs)),
                                  runs[0]["tvp_version"])]


def render(runs: List[dict], fmt: str):
    """The --lessons report, and whether every lesson held up."""
    done = evaluate(runs)
    rows_all = [r for _, rows, _ in done for r in rows]
    forms = summary.forms_of(rows_all)
    ok = all(_row_ok(r) for r in rows_all) and all(
        good for _, _, said in done for _, good in said)
    if fmt == "json":
        return tables.json_text(_json(runs, done, forms)), ok
    if fmt == "csv":
        return _csv(done, forms), ok
    out = []
    for lesson, rows, said in done:
        headers, cells = _table(lesson, rows, summary.forms_of(rows))
        if fmt == "markdown":
            out.append("\n### %s\n\n" % lesson.title)
            out.append(tables.markdown_table(headers, cells))
            out.append("\n" + "".join("- %s\n" % t for t, _ in said))
        else:
            out.append("\n%s\n" % lesson.title)
            out.append("".join("  " + l + "\n" for l in tables.text_table(
                headers, cells).splitlines()))
            out.append("".join(tables.paragraph(t, "  => ", "     ")
                               for t, _ in said))
    return "".join(out).lstrip("\n") + tables.lines_block(
        _footer(runs, rows_all), fmt), ok


def _csv(done, forms: List[str]) -> str:
    base = forms[0]
    headers = ["lesson", "kind", "row", "label", "figure", "unit", "better",
               "status", "reason"]
    for f in forms:
        headers += ["%s_%s" % (f, k) for k in
                    ("median", "ci_low", "ci_high", "n", "outliers",
                     "lost", "result", "verdicts")]
    for f in forms[1:]:
        headers += ["%s_%s_%s" % (f, base, k) for k in
                    ("ratio", "ratio_ci_low", "ratio_ci_high", "winner")]
    headers += ["notes", "text", "ok"]
    out = []
    for lesson, rows, said in done:
        for r in rows:
            c = [lesson.id, "row", r.id.split("/", 1)[1], r.label,
                 r.figure.label, r.figure.unit, r.figure.better,
                 "refused" if r.refused else "ran", r.reason]
            for f in forms:
                fs = r.forms.get(f)
                m = fs.median if fs else None
                c += [m.value if m else None, m.low if m else None,
                      m.high if m else None, fs.n if fs else 0,
                      len(fs.outliers) if fs else 0, fs.lost if fs else 0,
                      result_phrase(fs) if fs else None,
                      verdicts_phrase(fs) if fs else None]
            for f in forms[1:]:
                iv = r.ratios.get(f)
                c += [iv.value if iv else None, iv.low if iv else None,
                      iv.high if iv else None,
                      (r.winners.get(f) or "none") if iv else None]
            c += ["; ".join(r.notes(identity=False)), None, _row_ok(r)]
            out.append(c)
        for text, good in said:
            out.append([lesson.id, "sentence"] + [None] * (len(headers) - 5)
                       + [None, text, good])
    return tables.csv_text(headers, out)


def _json(runs, done, forms) -> dict:
    lessons = []
    for lesson, rows, said in done:
        lessons.append({
            "id": lesson.id, "title": lesson.title,
            "figure": rows[0].figure.as_dict(),
            "rows": [{
                "id": r.id.split("/", 1)[1], "label": r.label,
                "workers": r.jobs, "options": r.options,
                "status": "refused" if r.refused else "ran",
                "reason": r.reason or None,
                "forms": {f: dict(fs.as_dict(), result=result_phrase(fs),
                                  verdicts=verdicts_phrase(fs))
                          for f, fs in r.forms.items()},
                "ratios": {f: dict(tables.interval_dict(iv) or {},
                                   winner=r.winners.get(f))
                           for f, iv in r.ratios.items()},
                "notes": r.notes(identity=False)} for r in rows],
            "sentences": [{"text": t, "ok": good} for t, good in said]})
    return {"suite": "lessons", "tvp_version": runs[0]["tvp_version"],
            "machine": summary.machine(runs),
            "statistics": {"interval": stats.METHOD,
                           "confidence": stats.CONFIDENCE,
                           "outliers": "beyond 1.5 IQR (Tukey)"},
            "forms": forms, "baseline": forms[0] if forms else None,
            "lessons": lessons}
