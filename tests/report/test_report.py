"""tvp-report on fixed results files: tables, sentences, diffs, ingest."""

import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import unittest

import fixtures
from fixtures import interleave, run, series
from tvpreport import cases, comparison, faults, lessons, raw, stats, summary

REPORT = os.path.join(fixtures.ROOT, "report", "tvp-report")


def tvp_report(*args):
    """Run the report program: (exit status, stdout, stderr)."""
    p = subprocess.run(["/usr/bin/python3", REPORT] + list(args),
                       capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class Temp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tvp-report-test.")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)


class Comparison(Temp):
    def test_rows_ratios_and_speedups(self):
        rows = summary.summarise(fixtures.compare_runs(slow=1.2))
        self.assertEqual([r.jobs for r in rows], [1, 2])
        one, two = rows
        self.assertEqual(one.figure.name, "wall_s")
        self.assertAlmostEqual(one.forms["threads"].median.value, 1.0)
        self.assertEqual(one.forms["threads"].n, 6)      # warm-up left out
        self.assertEqual(one.forms["threads"].warmups, 1)
        self.assertAlmostEqual(one.ratios["processes"].value, 1.2)
        self.assertTrue(one.ratios["processes"].above(1.0))
        self.assertEqual(one.winners["processes"], "threads")
        self.assertAlmostEqual(two.speedups["threads"].value, 2.0)
        self.assertTrue(two.speedups["threads"].above(1.5))
        self.assertEqual(one.speedups["threads"].value, 1.0)
        self.assertTrue(one.identical and two.identical)

    def test_no_winner_without_a_measurable_difference(self):
        rows = summary.summarise(fixtures.compare_runs(slow=1.0))
        for r in rows:
            self.assertFalse(r.ratios["processes"].significant)
            self.assertIsNone(r.winners["processes"])
        text, ok = comparison.render(fixtures.compare_runs(slow=1.0),
                                     "table")
        self.assertTrue(ok)
        for line in text.splitlines()[1:3]:
            self.assertRegex(line, r"\]  +—  +[0-9]")   # winner: none

    def test_per_worker_work_shows_its_metric(self):
        m = ("ns_per_increment", "ns", "lower")
        runs = []
        for jobs, v in ((1, 20.0), (2, 25.0)):
            runs += interleave(
                series("threads", "counter -j %d" % jobs, [v] * 4,
                       workload="counter", jobs=jobs, metric=m),
                series("processes", "counter -j %d" % jobs, [v * 1.5] * 4,
                       workload="counter", jobs=jobs, metric=m))
        rows = summary.summarise(runs)
        self.assertEqual(rows[0].figure.name, "metric:ns_per_increment")
        self.assertFalse(rows[1].speedups)
        text, _ = comparison.render(runs, "table")
        self.assertIn("ns_per_increment", text)
        self.assertNotIn("speedup", text.splitlines()[0])

    def test_outliers_and_load_flagged(self):
        runs = fixtures.compare_runs()
        slow = [r for r in runs if r["form"] == "processes" and
                r["row"] == "hash -j 1" and r["warmup"] == "0"][2]
        slow["wall_s"] = "9.0"
        for r in runs:
            if r["row"] == "hash -j 2":
                r["load_before"] = r["load_after"] = "3.5"
        rows = summary.summarise(runs)
        self.assertEqual(rows[0].forms["processes"].outliers, [9.0])
        self.assertIn("outliers: processes 1", rows[0].notes())
        self.assertFalse(rows[0].load_warning)
        self.assertIn("load 3.5 > 2 cores", rows[1].notes())
        data = list(csv.DictReader(io.StringIO(
            comparison.render(runs, "csv")[0])))
        self.assertEqual(data[0]["processes_outliers"], "1")
        self.assertEqual(data[1]["load_warning"], "yes")

    def test_every_format_same_numbers(self):
        runs = fixtures.compare_runs()
        c = list(csv.DictReader(io.StringIO(
            comparison.render(runs, "csv")[0])))
        j = json.loads(comparison.render(runs, "json")[0])
        for crow, jrow in zip(c, j["rows"]):
            self.assertAlmostEqual(float(crow["threads_median"]),
                                   jrow["forms"]["threads"]["median"], 5)
            self.assertAlmostEqual(float(crow["processes_threads_ratio_ci_low"]),
                                   jrow["ratios"]["processes"]["ci"][0], 5)
        for col in ("threads_ci_low", "threads_ci_high",
                    "processes_threads_ratio_ci_high",
                    "threads_speedup_ci_low"):
            self.assertIn(col, c[0])
        md = comparison.render(runs, "markdown")[0]
        self.assertTrue(md.startswith("| workload |"))

    def test_any_number_of_forms_each_against_threads(self):
        runs = []
        for jobs in (1, 2):
            rid = "hash -j %d" % jobs
            t = [1.0 / jobs * f for f in (0.99, 1.0, 1.01, 1.0, 0.98)]
            runs += interleave(series("threads", rid, t, jobs=jobs),
                               series("processes", rid, [v * 1.3 for v in t],
                                      jobs=jobs),
                               series("mpi", rid, [v * 0.7 for v in t],
                                      jobs=jobs))
        rows = summary.summarise(runs)
        self.assertEqual(summary.forms_of(rows),
                         ["threads", "processes", "mpi"])
        self.assertEqual(rows[0].winners, {"processes": "threads",
                                           "mpi": "mpi"})
        text, ok = comparison.render(runs, "table")
        self.assertTrue(ok)
        self.assertIn("mpi/threads [95% CI]", text.splitlines()[0])
        c = list(csv.DictReader(io.StringIO(comparison.render(runs,
                                                              "csv")[0])))
        self.assertAlmostEqual(float(c[0]["mpi_threads_ratio"]), 0.7, 5)
        self.assertAlmostEqual(float(c[1]["mpi_speedup"]), 2.0, 5)

    def test_refused_row_says_why_in_every_format(self):
        runs = [run("threads", "pingpong -j 1", 0, workload="pingpong",
                    status="refused", exit_status=2,
                    reason="pingpong needs an even number of workers")]
        runs += interleave(series("threads", "pingpong -j 2", [1.0] * 3,
                                  workload="pingpong", jobs=2),
                           series("processes", "pingpong -j 2", [1.0] * 3,
                                  workload="pingpong", jobs=2))
        why = "pingpong needs an even number of workers"
        text, ok = comparison.render(runs, "table")
        self.assertTrue(ok)
        self.assertIn("not run: " + why, text)
        self.assertIn(why, comparison.render(runs, "markdown")[0])
        row = list(csv.DictReader(io.StringIO(
            comparison.render(runs, "csv")[0])))[0]
        self.assertEqual((row["status"], row["reason"]), ("refused", why))
        js = json.loads(comparison.render(runs, "json")[0])["rows"][0]
        self.assertEqual((js["status"], js["reason"], js["identical"]),
                         ("refused", why, None))

    def test_lost_run_fails_the_row(self):
        runs = fixtures.compare_runs()
        runs.append(run("processes", "hash -j 2", 0, jobs=2, status="lost",
                        exit_status=1, reason="exit 1: cannot write record"))
        text, ok = comparison.render(runs, "table")
        self.assertFalse(ok)
        self.assertIn("processes: 1 lost (exit 1: cannot write record)", text)

    def test_different_results_fail_the_row(self):
        runs = fixtures.compare_runs()
        runs[-1]["result"] = "other"
        self.assertFalse(comparison.render(runs, "table")[1])


def lesson_runs(t, p, lesson="event", row="event", metric=None, **kw):
    metric = metric or ("us_per_round_trip", "us", "lower")
    rid = "%s/%s" % (lesson, row)
    figure = "metric:" + metric[0]
    return interleave(
        series("threads", rid, t, suite="lessons", figure=figure,
               metric=metric, **kw),
        series("processes", rid, p, suite="lessons", figure=figure,
               metric=metric, **kw))


class Lessons(unittest.TestCase):
    def said(self, runs):
        done = lessons.evaluate(runs)
        return [t for _, _, s in done for t, _ in s]

    def test_winner_named_when_the_interval_excludes_one(self):
        s = self.said(lesson_runs([30, 31, 29, 30, 32, 30],
                                  [45, 44, 46, 45, 47, 45]))[0]
        self.assertIn("threads better, processes/threads 1.50", s)
        self.assertNotIn("no measurable difference", s)

    def test_no_winner_inside_the_noise(self):
        s = self.said(lesson_runs([30, 45, 29, 40, 32, 33],
                                  [31, 44, 28, 41, 30, 35]))[0]
        self.assertIn("no measurable difference on this machine", s)
        self.assertNotIn("better,", s)

    def test_too_few_runs_name_no_winner(self):
        # Three runs each, every processes run slower than every threads
        # run: the interval excludes 1, but three runs cannot tell (two
        # equal forms look like this one time in ten).
        s = self.said(lesson_runs([30, 31, 29], [45, 44, 46]))[0]
        self.assertIn("no measurable difference on this machine", s)
        self.assertIn("from fewer than 5 runs: decides nothing", s)
        text = lessons.render(lesson_runs([30, 31, 29], [45, 44, 46]),
                              "table")[0]
        self.assertIn("1.50 [1.42–1.59]*", text)
        self.assertIn("*: from fewer than 5 runs in a form", text)

    def test_higher_is_better(self):
        m = ("items_per_s", "1/s", "higher")
        s = self.said(lesson_runs([1e6] * 5, [2e6] * 5, lesson="queue",
                                  row="j2", metric=m))
        self.assertIn("processes better, processes/threads 2.00", s[0])

    def test_no_sentence_contradicts_its_figure(self):
        # Many random pairs: a sentence names a winner exactly when the
        # interval it prints excludes 1, and the winner is the form whose
        # figure is better by the direction it prints.
        rng = random.Random(7)
        pattern = re.compile(
            r"(?:(\w+) better|no measurable difference on this machine), "
            r"processes/threads ([0-9.]+) \[95% CI ([0-9.]+)–([0-9.]+)")
        for trial in range(60):
            t = [rng.uniform(20, 40) for _ in range(rng.randint(3, 9))]
            shift = rng.choice([0.8, 1.0, 1.0, 1.25, 1.6])
            p = [rng.uniform(20, 40) * shift for _ in range(rng.randint(3, 9))]
            s = self.said(lesson_runs(t, p))[0]
            m = pattern.search(s)
            self.assertIsNotNone(m, s)
            win, ratio, lo, hi = m.group(1), *map(float, m.groups()[1:])
            excludes = lo > 1 or hi < 1
            enough = min(len(t), len(p)) >= stats.MIN_RUNS
            self.assertEqual(win is not None, excludes and enough, s)
            if excludes and not enough:
                self.assertIn("decides nothing", s)
            if win:
                self.assertEqual(win, "threads" if lo > 1 else "processes",
                                 s)
            self.assertTrue(lo <= ratio <= hi, s)

    def test_speedup_tail_follows_the_intervals(self):
        def cpu(t2):
            out = []
            for row, vals in (("hash1", [1.0, 1.02, 0.98, 1.01, 0.99]),
                              ("hash2", t2)):
                out += interleave(
                    series("threads", "cpu-io/" + row, vals, suite="lessons",
                           figure="work_s", workload="hash"),
                    series("processes", "cpu-io/" + row, vals,
                           suite="lessons", figure="work_s", workload="hash"))
            return out
        fast = self.said(cpu([0.5, 0.51, 0.49, 0.5, 0.52]))[0]
        self.assertIn("There is no GIL", fast)
        self.assertIn("2.00x [95% CI", fast)
        slow = self.said(cpu([0.7, 1.3, 1.0, 0.9, 1.2]))[0]
        self.assertIn("no measurable difference on this machine", slow)
        self.assertIn("Not every mode ran measurably faster", slow)
        self.assertNotIn("no GIL", slow)

    def test_expect_rules(self):
        m = ("ns_per_increment", "ns", "lower")
        runs = lesson_runs([25] * 3, [25] * 3, lesson="share", row="share-no",
                           metric=m)
        for r in runs:
            r["result"] = "10000000" if r["form"] == "threads" else "0"
        done = lessons.evaluate(runs)
        (text, ok), = done[0][2]
        self.assertTrue(ok)
        self.assertIn("separate memory, shown", text)
        runs[-1]["result"] = "5"
        (text, ok), = lessons.evaluate(runs)[0][2]
        self.assertFalse(ok)
        self.assertIn("not what separate memory predicts", text)
        self.assertIn("5", text)

    def test_race_counts_every_run(self):
        m = ("ns_per_increment", "ns", "lower")
        runs = lesson_runs([1] * 4, [1] * 4, lesson="share",
                           row="lock-private", metric=m)
        for i, r in enumerate(r for r in runs if r["form"] == "processes"):
            r["result"] = str(9000000 + i)
            r["verdict"] = "race" if i == 2 else "verified"
        (text, ok), = lessons.evaluate(runs)[0][2]
        self.assertTrue(ok)
        self.assertIn("protects nothing", text)
        self.assertIn("race 1/5", text)

    def test_conditions(self):
        iv = stats.Interval
        ivs = {"threads": iv(2.0, 1.9, 2.1), "py-threads": iv(1.0, 0.9, 1.1)}
        self.assertTrue(lessons.holds("py-threads<1.3 and threads>1.5",
                                      ivs, 2))
        self.assertFalse(lessons.holds("all>1", ivs, 2))
        self.assertTrue(lessons.holds("py-threads~1", ivs, 2))
        self.assertFalse(lessons.holds("threads>cores", ivs, 2))
        self.assertTrue(lessons.holds("threads>cores", ivs, 1))
        # Too few runs decide nothing, whatever the bound.
        few = {"threads": iv(2.0, 1.9, 2.1, few=True)}
        self.assertFalse(lessons.holds("threads>1.5", few, 2))
        self.assertFalse(lessons.holds("threads<3", few, 2))
        for bad in ("threads=1", "threads~2", "threads>x", ">1"):
            with self.assertRaises(ValueError):
                lessons.holds(bad, ivs, 2)

    def memory_runs(self, row, t, p, **kw):
        return lesson_runs(t, p, lesson="memory", row=row, metric=(
            "input_copies", "copies", "lower"), **kw)

    def test_memory_sentences_from_the_figures(self):
        # PSS is the figure (a column), input copies a metric beside it.
        runs = []
        for row, t, p in (("read", 263000, 265800), ("write", 263000,
                                                     1311000)):
            rs = self.memory_runs(row, [1] * 5, [4] * 5)
            for r in rs:
                r["row_figure"] = "pss_kb"
                r["pss_kb"] = str(t if r["form"] == "threads" else p)
                r["pte_kb"] = "584" if r["form"] == "threads" else "2824"
            runs += rs
        read, write = self.said(runs)
        self.assertIn("processes/threads 1.01", read)
        self.assertIn("584 KiB (threads) against 2824 KiB", read)
        self.assertIn("without copying them", read)
        self.assertIn("threads better, processes/threads 4.98", write)
        self.assertIn("1 (threads) against 4 (processes)", write)
        self.assertIn("a copy per child", write)
        # Figures that do not decide: neither claim.
        for r in runs:
            if r["form"] == "processes":
                r["pss_kb"] = str(int(r["pss_kb"]) * (1 + int(r["run"]) % 2))
        read, write = self.said(runs)
        self.assertNotIn("without copying", read)
        self.assertIn("Not decided by these runs", read)

    def gil_runs(self, rows, speed):
        """gil-hash rows in four forms: -j 2 runs speed[form] x as fast."""
        out = []
        forms = ("threads", "processes", "py-threads", "py-processes")
        for one, two in rows:
            for rid, jobs in ((one, 1), (two, 2)):
                out += interleave(*(series(
                    f, "gil-hash/" + rid,
                    [v / (speed[f] if jobs == 2 else 1)
                     for v in (1.0, 1.02, 0.98, 1.01, 0.99)],
                    suite="lessons", figure="wall_s", jobs=jobs)
                    for f in forms))
        return out

    def test_gil_sentences_follow_the_speedups(self):
        gil = {"threads": 2, "processes": 2, "py-threads": 1.0,
               "py-processes": 1.9}
        small, = self.said(self.gil_runs([("small1", "small2")], gil))
        self.assertIn("Python threads did not scale", small)
        self.assertIn("1.90x [95% CI", small)
        free = dict(gil, **{"py-threads": 1.9})
        big, = self.said(self.gil_runs([("big1", "big2")], free))
        self.assertIn("Python threads scaled too", big)
        # Python threads scaling on the small chain is not the GIL's story.
        small, = self.said(self.gil_runs([("small1", "small2")], free))
        self.assertNotIn("did not scale", small)
        self.assertIn("Not decided by these runs", small)

    def queue_runs(self, row, stuck):
        """20 tries a form; stuck[form] of them ended by --timeout."""
        out = []
        for i in range(20):
            for f in ("threads", "processes"):
                lost = i < stuck[f]
                out.append(run(
                    f, "queue-pitfall/" + row, 0.02, suite="lessons",
                    figure="wall_s", workload="queue", jobs=5, index=i + 1,
                    status="lost" if lost else "ok", exit_status=1 if lost
                    else 0, reason="exit 1: timed out after 1 s: killing 1 "
                    "worker(s) still running" if lost else ""))
        return out

    def test_queue_pitfall_counts_stuck_tries(self):
        runs = self.queue_runs("check-empty", {"threads": 0, "processes": 3})
        done = lessons.evaluate(runs)
        (text, ok), = done[0][2]
        self.assertIn("0 of 20 tries as threads and 3 of 20 as processes",
                      text)
        self.assertIn("lucky, not safe", text)
        self.assertTrue(ok)
        # The stuck tries are the lesson's outcome: the report passes.
        self.assertTrue(lessons.render(runs, "table")[1])
        both = self.queue_runs("check-empty", {"threads": 2, "processes": 3})
        self.assertIn("It happened in both modes", self.said(both)[0])
        none = self.queue_runs("check-empty", {"threads": 0, "processes": 0})
        self.assertIn("Not once here", self.said(none)[0])
        # The fix's row must never be stuck: there a timeout fails.
        fixed = self.queue_runs("close", {"threads": 0, "processes": 1})
        self.assertIn("stuck: 0 of 20 (threads) and 1 of 20",
                      self.said(fixed)[0])
        self.assertFalse(lessons.render(fixed, "table")[1])
        # Another loss (a crash) fails even the pitfall's row.
        crash = self.queue_runs("check-empty", {"threads": 0, "processes": 1})
        crash[1]["reason"] = "killed by SIGSEGV"
        self.assertFalse(lessons.render(crash, "table")[1])

    def test_first_touch_forms_tails(self):
        runs = []
        for row, gap in (("small", 1.45), ("huge", 1.0)):
            t = [0.030, 0.031, 0.029, 0.030, 0.030]
            runs += interleave(
                series("threads", "first-touch/" + row, t, suite="lessons",
                       figure="work_s"),
                series("processes", "first-touch/" + row,
                       [v * gap for v in t], suite="lessons",
                       figure="work_s"))
        small, huge, both = self.said(runs)
        self.assertIn("threads better, processes/threads 1.45", small)
        self.assertIn("first touch costs it", small)
        self.assertIn("no measurable difference on this machine", huge)
        self.assertIn("the gap is under a tenth", huge)
        self.assertIn("processes: 1.45x", both)

    def test_formats(self):
        runs = lesson_runs([30] * 5, [45] * 5)
        rows = list(csv.DictReader(io.StringIO(
            lessons.render(runs, "csv")[0])))
        # The pipe row did not run: its sentence is left out, not guessed.
        self.assertEqual([r["kind"] for r in rows], ["row", "sentence"])
        self.assertIn("threads better", rows[-1]["text"])
        js = json.loads(lessons.render(runs, "json")[0])
        self.assertEqual(js["lessons"][0]["id"], "event")
        self.assertIn("processes_threads_ratio_ci_low", rows[0])
        self.assertIn("### Event", lessons.render(runs, "markdown")[0])


class Fidelity(unittest.TestCase):
    def case_runs(self, case, tvp, rawv, metric, results=("abc", "abc")):
        form = case.split("-")[1]
        return interleave(
            series(form, case, tvp, suite="fidelity", figure="metric:" +
                   metric[0], metric=metric, result=results[0]),
            series("raw", case, rawv, suite="fidelity", figure="metric:" +
                   metric[0], metric=metric, result=results[1]))

    def test_cost_ratio_either_direction(self):
        from tvpreport import fidelity
        rate = ("digests_per_s", "1/s", "higher")
        runs = self.case_runs("hash-threads-j1", [85.0, 86, 84, 85, 85],
                              [100.0, 101, 99, 100, 100], rate)
        runs += self.case_runs("counter-processes-j2", [30.0, 31, 29, 30, 30],
                               [25.0, 25.5, 24.5, 25, 25],
                               ("ns_per_increment", "ns", "lower"))
        done = fidelity.evaluate(runs)
        self.assertEqual([c.row.id for c in done],
                         ["hash-threads-j1", "counter-processes-j2"])
        hash_case, counter = done
        # A rate: cost is raw/tvp, 100/85.
        self.assertAlmostEqual(hash_case.cost.value, 100 / 85)
        self.assertTrue(hash_case.over)
        self.assertAlmostEqual(counter.cost.value, 30 / 25)
        self.assertTrue(counter.over)
        text, ok = fidelity.render(runs, "table")
        self.assertTrue(ok)
        self.assertIn("1.18 [", text)
        self.assertIn("> 1.10", text)
        js = json.loads(fidelity.render(runs, "json")[0])
        self.assertEqual(js["cases"][1]["tvp_form"], "processes")

    def test_results_must_match(self):
        from tvpreport import fidelity
        m = ("us_per_spawn_median", "us", "lower")
        runs = self.case_runs("spawn-threads", [50.0] * 5, [50.0] * 5, m,
                              results=("2000", "1999"))
        text, ok = fidelity.render(runs, "table")
        self.assertFalse(ok)
        self.assertIn("tvp's result differs from the raw program's", text)
        # The empty run has no result to compare: different is fine.
        runs = self.case_runs("empty-threads-j8", [0.001] * 5, [0.001] * 5,
                              m, results=("x", "y"))
        for r in runs:
            r["row_figure"] = "wall_s"
        self.assertTrue(fidelity.render(runs, "csv")[1])

    def test_plan(self):
        lines = [l.split("\t") for l in cases.plan_lines(
            "fidelity", ["fileread"], {"bench": "/B", "cache": "/C"})]
        self.assertEqual([(f[0], f[7]) for f in lines],
                         [("fileread-threads-j1", "threads"),
                          ("fileread-threads-j1", "raw"),
                          ("fileread-processes-j1", "processes"),
                          ("fileread-processes-j1", "raw")])
        self.assertEqual(lines[1][8:], ["/B/raw-fileread", "threads",
                                        "/C/fileread-4096x262144-seed1"])
        self.assertIn("/C", lines[0])


class Numbers(unittest.TestCase):
    def test_thousands_millions(self):
        from tvpreport import tables
        self.assertEqual([tables.num(v) for v in
                          (9999, 10000, 53300, 263093, 1.31e6, 2.5e9)],
                         ["9999", "10k", "53.3k", "263k", "1.31M", "2.5G"])


class Faults(unittest.TestCase):
    def test_outcome_in_full(self):
        long = ("tvp-processes: worker 1 (pid 4242) killed by SIGSEGV "
                "(Segmentation fault): injected fault, and a long tail of "
                "words that must not be cut at 64 characters")
        runs = [run(f, "none/no", 0.1, suite="faults", result="R")
                for f in ("threads", "processes")]
        runs += [run("threads", "crash/recover", 0, suite="faults",
                     status="lost", exit_status=139,
                     reason="killed by SIGSEGV"),
                 run("processes", "crash/no", 0, suite="faults",
                     status="lost", exit_status=1, stderr=long,
                     reason="exit 1: ..."),
                 run("processes", "crash/recover", 0.2, suite="faults",
                     result="R", died="1", redone="1")]
        text, ok = faults.render(runs, "table")
        self.assertTrue(ok)
        self.assertIn("must not be cut at 64 characters", text)
        self.assertIn("failed (exit 1): worker 1 killed by SIGSEGV: injected",
                      text)
        self.assertIn("lost: program killed by SIGSEGV", text)
        self.assertIn("survived: 1 died, 1 item(s) redone", text)
        rows = list(csv.DictReader(io.StringIO(faults.render(runs, "csv")[0])))
        self.assertEqual(rows[-1]["same_result"], "yes")
        runs[-1]["result"] = "other"
        self.assertFalse(faults.render(runs, "table")[1])


class Diff(Temp):
    def test_change_with_interval(self):
        base = fixtures.write(self.path("base.csv"), fixtures.compare_runs())
        slower = fixtures.compare_runs()
        for r in slower:
            if r["form"] == "threads":
                r["wall_s"] = "%.6f" % (float(r["wall_s"]) * 1.25)
        new = fixtures.write(self.path("new.csv"), slower)
        rc, out, err = tvp_report("--format", "csv", base, new)
        self.assertEqual(rc, 0, err)
        rows = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual(len(rows), 4)
        t1 = rows[0]
        self.assertEqual((t1["row"], t1["form"]), ("hash -j 1", "threads"))
        self.assertAlmostEqual(float(t1["change"]), 1.25, 5)
        self.assertGreater(float(t1["change_ci_low"]), 1.0)
        self.assertEqual(t1["verdict"], "worse")
        p1 = rows[1]
        self.assertAlmostEqual(float(p1["change"]), 1.0, 5)
        self.assertEqual(p1["verdict"], "no measurable difference")
        rc, text, _ = tvp_report(base, new)
        self.assertIn("new/base [95% CI]", text)
        self.assertRegex(text, r"hash -j 1\s+threads\s+wall_s.*1\.25 \[")

    def test_rows_only_in_one_file(self):
        runs = fixtures.compare_runs()
        base = fixtures.write(self.path("b.csv"), runs)
        new = fixtures.write(self.path("n.csv"),
                             [r for r in runs if r["row"] == "hash -j 1"])
        rc, text, _ = tvp_report(base, new)
        self.assertEqual(rc, 0)
        self.assertIn("only in base: hash -j 2", text)


class Program(Temp):
    def test_exit_status_follows_the_rows(self):
        good = fixtures.write(self.path("good.csv"), fixtures.compare_runs())
        self.assertEqual(tvp_report(good)[0], 0)
        runs = fixtures.compare_runs()
        runs[3]["verdict"] = "failed"
        bad = fixtures.write(self.path("bad.csv"), runs)
        self.assertEqual(tvp_report(bad)[0], 1)

    def test_bad_usage_one_line(self):
        for args, msg in ((["/nonexistent.csv"], "cannot read"),
                          (["--format", "xml", "x"], "invalid choice"),
                          ([REPORT], "not a tvp results file"),
                          (["a", "b", "c"], "one results file, or two"),
                          (["plan", "lessons", "-w", "nosuch"],
                           "workload 'nosuch' has no lesson"),
                          (["/bin/true"], "not a tvp results file"),
                          ([], "the following arguments are required")):
            rc, out, err = tvp_report(*args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertIn(msg, err)

    def test_plot_refused_for_lessons(self):
        f = fixtures.write(self.path("l.csv"), lesson_runs([1] * 3, [1] * 3))
        rc, _, err = tvp_report("--plot", self.path("plots"), f)
        self.assertEqual((rc, err.strip()), (2, "tvp-report: --plot draws "
                                             "comparisons, not lessons "
                                             "results"))
        self.assertFalse(os.path.exists(self.path("plots")))

    def test_plan_rows(self):
        lines = list(cases.plan_lines("lessons", ["spawn"]))
        self.assertEqual([l.split("\t")[0] for l in lines],
                         ["spawn/touch0", "spawn/touch1024"])
        fields = lines[1].split("\t")
        self.assertEqual(fields[2:8], ["spawn", "-", "1",
                                       "metric:us_per_spawn_median", "-",
                                       "*"])
        self.assertEqual(fields[8:], ["spawn", "--touch", "1024"])
        self.assertTrue(all(f for l in lines for f in l.split("\t")))
        # The GIL lessons name the Python forms; the queue pitfall fixes
        # its tries.
        lines = [l.split("\t") for l in cases.plan_lines("lessons")]
        gil = [f[7] for f in lines if f[0] == "gil-hash/small2"]
        self.assertEqual(gil, ["*", "py-threads", "py-processes"])
        tries = {f[0]: f[6] for f in lines if f[0].startswith("queue-")}
        self.assertEqual(tries, {"queue-pitfall/check-empty": "20",
                                 "queue-pitfall/close": "20"})
        # A fidelity row: a variant's own command beside the forms.
        row = cases.Row("bare", "bare", 1, "spawn", "spawn",
                        commands={"raw": "bench/raw-spawn 4000"})
        old = cases.LESSONS
        try:
            lesson = cases.LESSONS[6]._replace(rows=(row,))
            cases.LESSONS = (lesson,)
            lines = list(cases.plan_lines("lessons"))
        finally:
            cases.LESSONS = old
        self.assertEqual([l.split("\t")[7:] for l in lines],
                         [["*", "spawn"], ["raw", "bench/raw-spawn", "4000"]])


class Ingest(Temp):
    RECORD = ("mode,workload,workers,wall_s,result,verdict,options,"
              "metric1_name,metric1_value,metric1_unit,metric1_better\n"
              "threads,hash,1,0.5,abc,verified,\"blocks=8, x\",digests_per_s,"
              "100,1/s,higher\n")

    def index(self, *lines):
        os.mkdir(self.path("runs"))
        with open(self.path("runs/index.tsv"), "w") as f:
            for seq, status, rc, out, err in lines:
                f.write("\t".join([seq, "hash -j 1", "hash -j 1", "hash", "-",
                                   "1", "-", "threads", "1", "0", status, rc,
                                   "2024-01-01T00:00:00+0000", "0.5", "0.1",
                                   "0.2", "bin/tvp-threads -j 1 hash"]) + "\n")
                with open(self.path("runs/%s.out" % seq), "w") as o:
                    o.write(out)
                with open(self.path("runs/%s.err" % seq), "w") as e:
                    e.write(err)

    def test_every_column_kept_and_lost_runs_explained(self):
        self.index(("1", "run", "0", self.RECORD, ""),
                   ("2", "run", "1", "", "tvp-threads: cannot write the "
                    "record: No space left on device\n"),
                   ("3", "run", "139", "", ""),
                   ("4", "run", "0", "garbage\n", ""),
                   ("5", "refused", "2", "", "tvp-threads: bad --blocks\n"))
        buf = io.StringIO()
        self.assertEqual(raw.ingest(self.path("runs"), "compare", "v1", buf),
                         5)
        rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
        head = list(rows[0].keys())
        self.assertEqual(head[:len(raw.RAW_COLUMNS)], list(raw.RAW_COLUMNS))
        self.assertIn("metric1_better", head)
        ok, lost, killed, garbage, refused = rows
        self.assertEqual((ok["status"], ok["options"], ok["metric1_value"],
                          ok["tvp_version"], ok["row_sweep"]),
                         ("ok", "blocks=8, x", "100", "v1", ""))
        self.assertEqual((lost["status"], lost["reason"]),
                         ("lost", "exit 1: cannot write the record: No space "
                          "left on device"))
        self.assertEqual(killed["reason"], "killed by SIGSEGV")
        self.assertEqual(garbage["reason"],
                         "exit 0 but no record in its output")
        self.assertEqual((refused["status"], refused["reason"]),
                         ("refused", "bad --blocks"))


if __name__ == "__main__":
    unittest.main()
