"""The statistics of tvp-report, on fixed inputs with known answers."""

import unittest

import fixtures
from tvpreport import stats

assert fixtures.ROOT   # imported for what it does: report/ on the path


class Median(unittest.TestCase):
    def test_odd_even(self):
        self.assertEqual(stats.median([3, 1, 2]), 2)
        self.assertEqual(stats.median([4, 1, 3, 2]), 2.5)

    def test_interval_known_answer(self):
        # The bootstrap median of 1..11 is <= 2 with probability 0.0072
        # and <= 3 with 0.0512, so the 2.5th percentile is 3; by symmetry
        # the 97.5th is 9 (exact binomial sums; far from 2.5% either way).
        iv = stats.median_interval(list(range(1, 12)))
        self.assertEqual((iv.value, iv.low, iv.high), (6, 3, 9))

    def test_five_runs_span_their_range(self):
        # With 5 runs the median resampled is the minimum 5.8% of the
        # time: the interval is the whole range (documented).
        iv = stats.median_interval([5.0, 1.0, 4.0, 2.0, 3.0])
        self.assertEqual((iv.low, iv.high), (1.0, 5.0))

    def test_reproducible(self):
        xs = [0.91, 1.3, 1.02, 0.97, 1.11, 1.05, 0.99, 1.2]
        self.assertEqual(stats.median_interval(xs),
                         stats.median_interval(list(xs)))

    def test_one_run_has_no_interval(self):
        iv = stats.median_interval([2.0])
        self.assertEqual(iv.value, 2.0)
        self.assertFalse(iv.known)
        self.assertIsNone(stats.median_interval([]))

    def test_constant(self):
        iv = stats.median_interval([7.0] * 6)
        self.assertEqual((iv.value, iv.low, iv.high), (7.0, 7.0, 7.0))


class Ratio(unittest.TestCase):
    def test_clear_difference_excludes_one(self):
        den = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0]
        num = [2 * x for x in den]
        iv = stats.ratio_interval(num, den)
        self.assertAlmostEqual(iv.value, 2.0)
        self.assertTrue(1.9 <= iv.low <= 2.0 <= iv.high <= 2.1)
        self.assertTrue(iv.significant)

    def test_overlap_includes_one(self):
        a = [1.0, 1.4, 0.7, 1.1, 0.9, 1.3]
        b = [1.1, 0.8, 1.2, 0.95, 1.35, 0.75]
        iv = stats.ratio_interval(a, b)
        self.assertLess(iv.low, 1.0)
        self.assertGreater(iv.high, 1.0)
        self.assertFalse(iv.significant)

    def test_too_few_runs_decide_nothing(self):
        # Every num above every den: the interval excludes 1 whatever the
        # count, but below MIN_RUNS runs it may not decide.
        den = [1.0, 1.01, 0.99, 1.02, 0.98]
        num = [2 * x for x in den]
        few = stats.ratio_interval(num[:4], den[:4])
        self.assertTrue(few.few and few.low > 1.0)
        self.assertFalse(few.significant or few.above(1.0))
        self.assertIsNone(stats.winner(few, "lower", "p", "t"))
        enough = stats.ratio_interval(num, den)
        self.assertFalse(enough.few)
        self.assertTrue(enough.significant)

    def test_undefined(self):
        self.assertIsNone(stats.ratio_interval([], [1.0]))
        self.assertIsNone(stats.ratio_interval([1.0], [0.0]))
        self.assertFalse(stats.ratio_interval([2.0], [1.0]).significant)


class Outliers(unittest.TestCase):
    def test_tukey_fences(self):
        # Quartiles 1 and 1.75 (inclusive method): fences at -0.125, 2.875.
        self.assertEqual(stats.outliers([1, 1, 1, 2, 2, 100]), [100])
        self.assertEqual(stats.outliers([1, 1, 1, 2, 2, 2.8]), [])

    def test_low_side(self):
        self.assertEqual(stats.outliers([10, 10, 10.5, 10, 9.5, 0.1]), [0.1])

    def test_too_few(self):
        self.assertEqual(stats.outliers([1, 2, 100]), [])


class Winner(unittest.TestCase):
    up = stats.Interval(1.5, 1.2, 1.8)
    down = stats.Interval(0.6, 0.5, 0.7)
    either = stats.Interval(1.1, 0.9, 1.3)

    def test_lower_is_better(self):
        self.assertEqual(stats.winner(self.up, "lower", "p", "t"), "t")
        self.assertEqual(stats.winner(self.down, "lower", "p", "t"), "p")

    def test_higher_is_better(self):
        self.assertEqual(stats.winner(self.up, "higher", "p", "t"), "p")
        self.assertEqual(stats.winner(self.down, "higher", "p", "t"), "t")

    def test_no_winner_inside_the_noise(self):
        self.assertIsNone(stats.winner(self.either, "lower", "p", "t"))
        self.assertIsNone(stats.winner(None, "lower", "p", "t"))
        unknown = stats.Interval(3.0, None, None)
        self.assertIsNone(stats.winner(unknown, "lower", "p", "t"))


if __name__ == "__main__":
    unittest.main()
