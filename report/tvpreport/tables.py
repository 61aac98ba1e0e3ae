"""One table, four formats: aligned text, Markdown, CSV and JSON.

Every report builds its figures once and hands them here (hyperfine's
exporters are the model): the formats differ in layout, never in numbers.
"""

import csv
import io
import json
import math
import textwrap
from typing import Iterable, List, Optional, Sequence

from .stats import Interval

FORMATS = ("table", "csv", "json", "markdown")


def num(v: Optional[float]) -> str:
    """A figure for people: 3 significant digits, k/M/G past 10000."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    a = abs(v)
    # From 10000 on in thousands (263093 is 263k), millions, billions.
    for at, scale, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"),
                              (1e4, 1e3, "k")):
        if a >= at:
            return "%.3g%s" % (v / scale, suffix)
    if a >= 100:
        return "%.0f" % v
    return "%.3g" % v


def ratio(v: Optional[float]) -> str:
    return "-" if v is None else "%.2f" % v


FEW_MARK = "*"


def interval(iv: Optional[Interval], fmt=num) -> str:
    """ "v [lo–hi]", marked FEW_MARK when it is from too few runs to decide."""
    if iv is None:
        return "-"
    if not iv.known:
        return "%s [no interval]" % fmt(iv.value)
    return "%s [%s–%s]%s" % (fmt(iv.value), fmt(iv.low), fmt(iv.high),
                             FEW_MARK if iv.few else "")


def few_note() -> str:
    from .stats import MIN_RUNS
    return ("%s: from fewer than %d runs in a form: the interval is too "
            "narrow to trust, and decides nothing (no winner, no speedup "
            "claimed)." % (FEW_MARK, MIN_RUNS))


def text_table(headers: Sequence[str], rows: Iterable[Sequence[str]],
               right: Sequence[int] = ()) -> str:
    """Columns padded to their widest cell; columns in `right` flush right."""
    rows = [list(map(str, r)) for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows])
              for i, h in enumerate(headers)]

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(c.rjust(widths[i]) if i in right else
                       c.ljust(widths[i]))
        return "  ".join(out).rstrip()
    return "\n".join([line(headers)] + [line(r) for r in rows]) + "\n"


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]],
                   right: Sequence[int] = ()) -> str:
    out = ["| " + " | ".join(_md_cell(h) for h in headers) + " |",
           "|" + "|".join("---:" if i in right else "---"
                          for i in range(len(headers))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(_md_cell(c) for c in r) + " |")
    return "\n".join(out) + "\n"


def csv_field(v) -> str:
    """A value for CSV: numbers in full (%.6g), None empty."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "%.6g" % v
    return str(v)


def csv_text(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    for r in rows:
        w.writerow([csv_field(v) for v in r])
    return buf.getvalue()


def json_text(obj) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"


def interval_dict(iv: Optional[Interval]) -> Optional[dict]:
    if iv is None:
        return None
    return {"value": iv.value,
            "ci": [iv.low, iv.high] if iv.known else None,
            "too_few_runs": iv.few}


def paragraph(text: str, first: str = "", rest: str = "",
              width: int = 100) -> str:
    """text wrapped to width, first line prefixed `first`, others `rest`."""
    return "\n".join(textwrap.wrap(text, width=width, initial_indent=first,
                                   subsequent_indent=rest,
                                   break_on_hyphens=False)) + "\n"


def lines_block(lines: List[str], fmt: str) -> str:
    """Footer lines: plain for text, a list for Markdown."""
    if not lines:
        return ""
    if fmt == "markdown":
        return "\n" + "".join("- %s\n" % l for l in lines)
    return "\n" + "".join(paragraph(l, "", "  ") for l in lines)
