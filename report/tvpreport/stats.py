"""Statistics of kept runs: medians, bootstrap intervals, outliers.

Every interval here is a 95% bootstrap percentile interval: the runs of
each sample are resampled with replacement RESAMPLES times, the statistic
(a median, or a ratio of two medians) is computed on each resample, and the
2.5th and 97.5th percentiles of those are the interval.  The generator is
seeded with a fixed SEED for every interval, so the same runs always give
the same interval: two reports of one results file never disagree.

Why the bootstrap: one method serves a median, a ratio of medians between
forms and a speedup between worker counts, without assuming a
distribution (run times on a busy machine are skewed, with long right
tails).  Its limit: with few runs its intervals are too narrow.  The
interval of a median of 3 runs is their range, which holds the true
median 75% of the time, not 95%; and two forms of equal speed get a ratio
whose interval excludes 1 in about 40% of cases with 2 runs each, 10%
with 3 or 4, and 3-5% from 5 on (simulated: lognormal runs, 300 trials).
So below MIN_RUNS runs in a sample an interval is still shown, marked
`few`, but it decides nothing: no winner, no "faster", no effect.
"""

import math
import random
import statistics
from typing import Callable, NamedTuple, Optional, Sequence

CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 20240517
MIN_RUNS = 5
METHOD = ("bootstrap percentile, %d resamples, fixed seed %d"
          % (RESAMPLES, SEED))


def median(xs: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    return statistics.median(xs)


class Interval(NamedTuple):
    """A point estimate and its confidence interval (low, high).

    few: a sample had fewer than MIN_RUNS runs, so the interval is too
    narrow to decide anything (above, below and significant say no).
    """
    value: float
    low: Optional[float]
    high: Optional[float]
    few: bool = False

    @property
    def known(self) -> bool:
        return self.low is not None and self.high is not None

    def above(self, bound: float) -> bool:
        """The whole interval lies above bound (and it may decide)."""
        return self.known and not self.few and self.low > bound

    def below(self, bound: float) -> bool:
        """The whole interval lies below bound (and it may decide)."""
        return self.known and not self.few and self.high < bound

    @property
    def significant(self) -> bool:
        """For a ratio: the interval excludes 1."""
        return self.above(1.0) or self.below(1.0)


def bootstrap(samples: Sequence[Sequence[float]],
              statistic: Callable[..., Optional[float]]) -> Optional[tuple]:
    """The percentile interval of statistic(*samples) under resampling.

    None when a sample has fewer than 2 values (nothing to resample) or
    the statistic is undefined on too many resamples.
    """
    if any(len(s) < 2 for s in samples):
        return None
    rng = random.Random(SEED)
    values = []
    for _ in range(RESAMPLES):
        v = statistic(*(rng.choices(s, k=len(s)) for s in samples))
        if v is not None and math.isfinite(v):
            values.append(v)
    if len(values) < RESAMPLES * CONFIDENCE:
        return None
    values.sort()
    tail = (1.0 - CONFIDENCE) / 2.0
    lo = values[int(math.floor(tail * len(values)))]
    hi = values[int(math.ceil((1.0 - tail) * len(values))) - 1]
    return lo, hi


def median_interval(xs: Sequence[float]) -> Optional[Interval]:
    """The median of xs with its interval; None for no values."""
    if not xs:
        return None
    ci = bootstrap([xs], median)
    return Interval(median(xs), *(ci or (None, None)),
                    few=len(xs) < MIN_RUNS)


def _ratio_of_medians(num: Sequence[float],
                      den: Sequence[float]) -> Optional[float]:
    d = median(den)
    return None if d == 0 else median(num) / d


def ratio_interval(num: Sequence[float],
                   den: Sequence[float]) -> Optional[Interval]:
    """median(num) / median(den) with its interval; None if undefined.

    The two samples are resampled independently: runs of different forms
    (or worker counts) are separate programs, not pairs.
    """
    if not num or not den:
        return None
    value = _ratio_of_medians(num, den)
    if value is None:
        return None
    ci = bootstrap([num, den], _ratio_of_medians)
    return Interval(value, *(ci or (None, None)),
                    few=min(len(num), len(den)) < MIN_RUNS)


def outliers(xs: Sequence[float]) -> list:
    """Values beyond 1.5 interquartile ranges from the quartiles (Tukey).

    Needs at least 4 values to have quartiles; fewer give none.
    """
    if len(xs) < 4:
        return []
    q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    fence = 1.5 * (q3 - q1)
    return [x for x in xs if x < q1 - fence or x > q3 + fence]


def winner(ratio: Optional[Interval], better: str, num: str,
           den: str) -> Optional[str]:
    """Which of num and den is better, given ratio = num / den.

    Only when the interval of the ratio excludes 1 (from at least MIN_RUNS
    runs a sample); otherwise None ("no measurable difference").  better
    is "lower" or "higher": how to read the figure.
    """
    if ratio is None or not ratio.significant:
        return None
    num_larger = ratio.above(1.0)
    if better == "higher":
        return num if num_larger else den
    return den if num_larger else num
