"""Hold tvp against the raw reference programs, case by case, side by side.

Each case of bench/cases.tsv names a tvp command and a raw program doing
the bare operation, both printing one record in tvp's CSV format, and the
figure to compare (a column, or a metric by name).  For each case: one
warm-up of each (not kept), then N pairs, the order alternating pair by
pair (tvp first, then raw first) so that drift hits both alike.  Printed:
each side's median figure and tvp's cost over raw's (time per unit: for a
figure where higher is better, raw/tvp), the median of the per-pair
ratios with a 95 % interval.  A ratio above 1.10 is marked: tvp adds
more than a tenth to the primitive's cost there.

Run with /usr/bin/python3 (standard library only): `make bench`.
Exit status: 0 when every run exited 0 and verified (and, where the case
says so, tvp's result equals the raw program's), 1 otherwise, 2 on usage.
"""

import argparse
import csv
import io
import os
import random
import shlex
import statistics
import subprocess
import sys

LIMIT = 1.10


# ---- statistics ----------------------------------------------------------
# The one place this driver computes statistics: the median of the
# per-pair ratios and a percentile-bootstrap interval of that median
# (fixed seed, so a run's output is reproducible from its data).  The
# project's report program (branch stats) is to replace this function.
def ratio_summary(ratios, level=0.95, resamples=4000, seed=1):
    rng = random.Random(seed)
    n = len(ratios)
    medians = sorted(statistics.median(rng.choices(ratios, k=n))
                     for _ in range(resamples))
    lo = medians[int((1 - level) / 2 * resamples)]
    hi = medians[min(resamples - 1, int((1 + level) / 2 * resamples))]
    return statistics.median(ratios), lo, hi
# ---------------------------------------------------------------------------


def load_cases(path):
    with open(path, newline="") as f:
        rows = [line for line in f if line.strip() and
                not line.startswith("#")]
    reader = csv.DictReader(rows, delimiter="\t")
    want = ["case", "tvp", "raw", "metric", "better", "result"]
    if reader.fieldnames != want:
        sys.exit(f"fidelity: {path}: columns are {reader.fieldnames}, "
                 f"expected {want}")
    cases = list(reader)
    for c in cases:
        if c["better"] not in ("lower", "higher"):
            sys.exit(f"fidelity: {path}: case {c['case']}: better is "
                     f"{c['better']!r}, lower or higher")
    return cases


def run(cmd, places):
    """Run one command; its record as a dict, and its CSV text."""
    argv = [w.format(**places) for w in shlex.split(cmd)]
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {p.returncode}: "
                           f"{p.stderr.strip()}")
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    if len(rows) != 1:
        raise RuntimeError(f"{' '.join(argv)}: {len(rows)} records, "
                           f"expected one")
    return rows[0], p.stdout


def figure(rec, name):
    """A column of the record, or the value of the metric of that name."""
    if name in rec and rec[name] != "":
        return float(rec[name])
    for k in range(1, 9):
        if rec.get(f"metric{k}_name") == name:
            return float(rec[f"metric{k}_value"])
    raise RuntimeError(f"{rec['mode']} {rec['workload']}: no column or "
                       f"metric {name}")


def check(case, tvp, raw):
    for rec in (tvp, raw):
        if rec.get("verdict") != "verified":
            raise RuntimeError(f"{case['case']}: {rec['mode']} did not "
                               f"verify: {rec.get('note', '')}")
    if case["result"] == "same" and tvp["result"] != raw["result"]:
        raise RuntimeError(f"{case['case']}: results differ: tvp "
                           f"{tvp['result']}, raw {raw['result']}")


def cost(case, value):
    """Time per unit: the figure itself, or its inverse if higher is better."""
    return value if case["better"] == "lower" else 1 / value


def measure(case, repeats, places, keep):
    """N interleaved pairs after one warm-up pair: values and ratios."""
    run(case["tvp"], places)
    run(case["raw"], places)
    values = {"tvp": [], "raw": []}
    ratios = []
    for i in range(repeats):
        order = ("tvp", "raw") if i % 2 == 0 else ("raw", "tvp")
        got = {}
        for side in order:
            got[side], text = run(case[side], places)
            if keep is not None:
                keep.append(text)
        check(case, got["tvp"], got["raw"])
        t = figure(got["tvp"], case["metric"])
        r = figure(got["raw"], case["metric"])
        values["tvp"].append(t)
        values["raw"].append(r)
        ratios.append(cost(case, t) / cost(case, r))
    return values, ratios


def keep_records(path, texts):
    """Every kept record in one CSV file, the header once."""
    with open(path, "w") as out:
        header = None
        for text in texts:
            lines = text.splitlines()
            if header is None:
                header = lines[0]
                out.write(header + "\n")
            out.write(lines[1] + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="bin", help="tvp's programs")
    ap.add_argument("--bench", default="build/bench",
                    help="the raw programs")
    ap.add_argument("--cache", default=os.path.join(xdg, "tvp"),
                    help="fileread's dataset directory (tvp's default)")
    ap.add_argument("--cases", default=os.path.join(here, "cases.tsv"))
    ap.add_argument("-c", dest="only", default="",
                    help="comma-separated case labels or prefixes")
    ap.add_argument("-r", dest="repeats", type=int, default=11,
                    help="pairs per case (default 11)")
    ap.add_argument("-o", dest="out", help="keep every record in FILE (CSV)")
    args = ap.parse_args()
    if not 3 <= args.repeats <= 1000:
        ap.error("-r is %d: allowed 3 .. 1000" % args.repeats)
    cases = load_cases(args.cases)
    if args.only:
        prefixes = args.only.split(",")
        cases = [c for c in cases
                 if any(c["case"].startswith(p) for p in prefixes)]
        if not cases:
            ap.error(f"-c {args.only}: no such case")
    places = {"bin": args.bin, "bench": args.bench, "cache": args.cache}
    keep = [] if args.out else None
    load = os.getloadavg()[0]
    print(f"# load average {load:.2f} at the start; {args.repeats} pairs "
          f"per case, alternating, after one warm-up pair")
    print(f"{'case':<22} {'figure':<20} {'tvp':>10} {'raw':>10} "
          f"{'tvp/raw cost (95% CI)':>26}")
    failed = False
    for case in cases:
        try:
            values, ratios = measure(case, args.repeats, places, keep)
        except RuntimeError as e:
            print(f"{case['case']:<22} FAILED: {e}")
            failed = True
            continue
        med, lo, hi = ratio_summary(ratios)
        mark = "  > %.2f" % LIMIT if med > LIMIT else ""
        print(f"{case['case']:<22} {case['metric']:<20} "
              f"{statistics.median(values['tvp']):>10.4g} "
              f"{statistics.median(values['raw']):>10.4g} "
              f"{med:>9.3f} ({lo:.3f}-{hi:.3f}){mark}", flush=True)
    print(f"# load average {os.getloadavg()[0]:.2f} at the end")
    if keep is not None:
        keep_records(args.out, keep)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
