"""--faults: what survived each injected fault, in every form."""

import re
from typing import List

from . import cases, raw, summary, tables


def outcome(run: dict) -> str:
    """What happened to one run, in full (never cut short)."""
    if run["status"] == "ok":
        died = int(raw.number(run.get("died")) or 0)
        if died:
            return "survived: %d died, %s item(s) redone" % (
                died, run.get("redone") or "0")
        return "completed"
    if run["status"] == "refused":
        return "refused: " + run["reason"]
    status = int(run["exit_status"])
    if status > 128:
        return "lost: program " + run["reason"]
    # The program's own first line says which worker and how; the pid and
    # the signal's description vary from run to run, so they go.
    text = raw.message(run["stderr"])
    text = re.sub(r" \(pid [0-9]+\)", "", text)
    text = re.sub(r" \([A-Z][a-z ]*\)", "", text)
    return "failed (exit %d): %s" % (status, text)


def evaluate(runs: List[dict]):
    """(one line per case and form, whether processes --recover survived)."""
    baseline = next((r.get("result") for r in runs
                     if r["row"] == "none/no" and r["status"] == "ok"), None)
    lines, ok = [], True
    for r in runs:
        kind, recover = r["row"].split("/", 1)
        good = r["status"] == "ok"
        if kind == "none":
            same = "baseline"
        elif good and baseline is not None:
            same = "yes" if r.get("result") == baseline else "no"
        else:
            same = None
        line = {"fault": kind, "recover": "yes" if recover == "recover"
                else "no", "mode": r["form"], "outcome": outcome(r),
                "wall_s": raw.number(r.get("wall_s")) if good else None,
                "recover_s": raw.number(r.get("recover_s")) if good else None,
                "verified": r.get("verified") if good else None,
                "same_result": same}
        # Only processes with --recover are expected to survive a death.
        if line["recover"] == "yes" and r["form"] == "processes" and (
                line["verified"] != "yes" or same != "yes"):
            ok = False
        lines.append(line)
    return lines, ok


COLUMNS = ("fault", "recover", "mode", "outcome", "wall_s", "recover_s",
           "verified", "same_result")


def render(runs: List[dict], fmt: str):
    lines, ok = evaluate(runs)
    if fmt == "json":
        return tables.json_text({
            "suite": "faults", "tvp_version": runs[0]["tvp_version"],
            "machine": summary.machine(runs),
            "command": _command(), "cases": lines}), ok
    if fmt == "csv":
        return tables.csv_text(COLUMNS, ([l[c] for c in COLUMNS]
                                         for l in lines)), ok
    cells = [[l["fault"], l["recover"], l["mode"], l["outcome"],
              "%.3f" % l["wall_s"] if l["wall_s"] is not None else "-",
              "%.3f" % l["recover_s"] if l["recover_s"] is not None else "-",
              l["verified"] or "-", l["same_result"] or "-"] for l in lines]
    headers = list(COLUMNS[:-1]) + ["same"]
    table = (tables.markdown_table if fmt == "markdown" else
             tables.text_table)(headers, cells, right=(4, 5))
    return table + tables.lines_block([
        "Each case: %s." % _command(),
        "recover_s: from the first death seen to the end of the run; same: "
        "the result equals the fault-free run's. Only processes with "
        "--recover are expected to survive a dead worker.",
        "Machine: %s; tvp %s." % (summary.machine_line(summary.machine(runs)),
                                  runs[0]["tvp_version"])], fmt), ok


def _command() -> str:
    return ("bin/tvp-MODE -j %d --timeout %d --fault KIND --fault-worker 1 "
            "[--recover] %s" % (cases.FAULT_WORKERS, cases.FAULT_TIMEOUT,
                                cases.FAULT_WORKLOAD))
