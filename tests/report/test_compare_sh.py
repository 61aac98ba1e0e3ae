"""compare.sh's flags, honoured: tiny real runs, results read back.

Each case runs compare.sh for real on tiny workloads (seconds) and reads
what it wrote; no figure is judged, only what was kept and reported.
compare.sh's refusals (exit 2, one line) are tested in tests/test_compare.c.
"""

import csv
import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import fixtures
from tvpreport import raw

COMPARE = os.path.join(fixtures.ROOT, "compare.sh")
TINY_HASH = ["--", "--blocks", "8", "--rounds", "10"]


class CompareSh(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tvp-compare-test.")
        self.tmp = os.path.join(self.dir, "tmp")
        os.mkdir(self.tmp)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def compare(self, *args, want=0):
        env = dict(os.environ, TMPDIR=self.tmp)
        p = subprocess.run([COMPARE] + list(args), capture_output=True,
                           text=True, env=env, cwd=fixtures.ROOT,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, want, p.stderr)
        self.assertEqual(os.listdir(self.tmp), [], "temp dir left behind")
        return p.stdout, p.stderr

    def record_columns(self):
        p = subprocess.run([os.path.join(fixtures.ROOT, "bin", "tvp-threads"),
                            "--format", "csv", "hash", "--blocks", "1",
                            "--rounds", "1"], capture_output=True, text=True,
                           check=True)
        return next(csv.reader(io.StringIO(p.stdout)))

    def test_save_plot_csv_and_duplicates(self):
        # The check, with duplicates given: hash,hash and -j 1,1,2
        # are two rows, not six.
        save, plots = self.path("runs.csv"), self.path("plots")
        out, err = self.compare("-w", "hash,hash", "-j", "1,1,2", "-r", "3",
                                "--save", save, "--plot", plots,
                                "--format", "csv", *TINY_HASH)
        rows = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual([(r["workload"], r["workers"]) for r in rows],
                         [("hash", "1"), ("hash", "2")])
        for col in ("threads_ci_low", "threads_ci_high",
                    "processes_threads_ratio_ci_low",
                    "processes_threads_ratio_ci_high",
                    "processes_speedup_ci_low"):
            self.assertNotEqual(rows[1][col], "", col)
        runs = raw.load(save)
        # 2 rows x 2 forms x (1 warm-up + 3 runs).
        self.assertEqual(len(runs), 16)
        self.assertEqual(sum(r["warmup"] == "1" for r in runs), 4)
        head = list(runs[0].keys())
        for col in self.record_columns():
            self.assertIn(col, head)
        for r in runs:
            self.assertEqual(r["status"], "ok")
            for col in ("tvp_version", "started", "load_before",
                        "load_after", "cpu_model", "online_cpus", "kernel",
                        "metric1_name", "metric1_value", "wall_s", "user_s",
                        "maxrss_kb"):
                self.assertNotEqual(r[col], "", col)
        # Warm-up, then the order rotating round by round.
        self.assertEqual([(r["form"][0], r["warmup"]) for r in runs[:8]],
                         [("t", "1"), ("p", "1"), ("t", "0"), ("p", "0"),
                          ("p", "0"), ("t", "0"), ("t", "0"), ("p", "0")])
        for ext in (".png", ".svg"):
            self.assertGreater(os.path.getsize(
                os.path.join(plots, "hash-workers" + ext)), 0)
        self.assertIn("kept every run in " + save, err)

    def test_lessons_take_format_w_and_o(self):
        out = self.path("lessons.csv")
        stdout, _ = self.compare("--lessons", "-w", "background", "-r", "2",
                                 "--warmup", "0", "--format", "csv", "-o", out)
        self.assertEqual(stdout, "")
        with open(out) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([(r["lesson"], r["kind"]) for r in rows],
                         [("background", "row"), ("background", "sentence")])
        self.assertIn("A thread dies with its process", rows[1]["text"])
        kept = raw.load(out + ".runs.csv")
        self.assertEqual({r["row"] for r in kept}, {"background/exit"})
        self.assertEqual(len(kept), 4)

    def test_sweep_gives_a_row_per_value(self):
        out, _ = self.compare("-w", "spawn", "-x", "touch=0,64,0", "-r", "1",
                              "--warmup", "0", "--format", "json", "--",
                              "--count", "20")
        rows = json.loads(out)["rows"]
        self.assertEqual([(r["sweep"], r["workers"]) for r in rows],
                         [("touch=0", 1), ("touch=64", 1)])
        self.assertIn("touch=64", rows[1]["options"])
        self.assertEqual(rows[0]["figure"]["name"], "us_per_spawn_median")

    def test_python_forms(self):
        # Four columns where the twin has the workload, two where it has
        # not, said in the row and once on stderr; ratios against threads.
        out, err = self.compare("--python", "--quick", "-w",
                                "hash,semaphore", "-j", "2", "-r", "1",
                                "--warmup", "0", "--format", "json")
        doc = json.loads(out)
        self.assertEqual(doc["forms"], ["threads", "processes",
                                        "py-threads", "py-processes"])
        hash_row, sem_row = doc["rows"]
        self.assertEqual(sorted(hash_row["forms"]), sorted(doc["forms"]))
        self.assertEqual(sorted(hash_row["ratios"]),
                         ["processes", "py-processes", "py-threads"])
        self.assertTrue(hash_row["identical"])
        self.assertEqual(sorted(sem_row["forms"]), ["processes", "threads"])
        self.assertIn("py-threads, py-processes: no semaphore there, not run",
                      sem_row["notes"])
        self.assertIn("compare.sh: form py-threads has no semaphore", err)

    def test_refused_row_one_line_with_reason(self):
        out, err = self.compare("-w", "pingpong", "-j", "1,2", "-r", "1",
                                "--warmup", "0", "--format", "json", "--",
                                "--rounds", "20")
        one, two = json.loads(out)["rows"]
        self.assertEqual((one["status"], one["identical"]), ("refused", None))
        self.assertTrue(one["reason"])
        self.assertTrue(two["identical"])
        refusals = [l for l in err.splitlines() if "not run" in l]
        self.assertEqual(refusals, ["compare.sh: pingpong -j 1 not run: "
                                    + one["reason"]])


if __name__ == "__main__":
    unittest.main()
