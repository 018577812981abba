"""Backtest of the cash forecast against two naive baselines, in the same run.

    .venv/bin/python benchmarks/forecast_eval.py [--seeds 12] [--no-stories]

Books: every demo story (insights/demo_data.py) with ``--seeds`` seeds each, and the coaching
evaluation stories (docs/coaching-stories/, insights/evaluation.py) when present. For each set of
books and each holdout of 3 and 6 months, the last months are hidden, each method forecasts them
from the rest, and the month-end cash it gives is compared with the books':

* Coach's forecast (insights/forecast/engine.py): its P50 and its P10-P90 band;
* naive, last value: cash stays where it is; its band a random walk's (the months' cash changes'
  spread, growing with the square root of the horizon);
* naive, straight line: a least-squares line through the last 12 months of cash; its band the
  line's prediction interval.

Printed per method and holdout: MAPE of the median (mean |P50 - actual| / |actual|, months whose
actual cash is zero left out), WAPE (sum |P50 - actual| / sum |actual|, which cash near zero
cannot blow up), and coverage (how often the actual falls inside P10-P90; aim 80%). Then the
forecast's cost per set of books (fit, paths and summary, in this process), and the methods used.
No database: the forecast is plain functions.
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from insights.demo_data import STORIES, story_periods  # noqa: E402
from insights.forecast.engine import NotEnoughBooks, forecast  # noqa: E402
from insights.metrics import Period  # noqa: E402

Z80 = 1.2815515655446004  # the normal's 90th percentile: P10-P90 is +-Z80 sigma
HOLDOUTS = (3, 6)
LAST_MONTH = date(2026, 1, 1)

Band = tuple[list[float], list[float], list[float]]  # p10, p50, p90 per month ahead


def demo_books(seeds: int) -> list[tuple[str, list[Period]]]:
    books = []
    for seed in range(seeds):
        for name in STORIES:
            periods = [Period(**p) for p in story_periods(name, LAST_MONTH, seed=seed)]  # type: ignore[arg-type]
            books.append((f"demo:{name}", periods))
    return books


def story_books() -> list[tuple[str, list[Period]]]:
    """The coaching evaluation stories' books, when the evaluation set is in this tree."""
    try:
        from insights.evaluation import load_stories
        from insights.evaluation import story_books as books_of
    except ImportError:
        return []
    found = []
    for story in load_stories():
        rows = books_of(story)
        found.append((f"story:{story.name}", [Period(**row) for row in rows]))
    return found


def coach(train: Sequence[Period], h: int) -> Band:
    result = forecast(train)
    months = result.months[:h]
    return (
        [float(m["p10"]) for m in months],
        [float(m["p50"]) for m in months],
        [float(m["p90"]) for m in months],
    )


def last_value(train: Sequence[Period], h: int) -> Band:
    cash = np.array([float(p.cash_balance or 0) for p in train])
    sd = float(np.diff(cash).std(ddof=1)) if len(cash) > 2 else 0.0
    last = float(cash[-1])
    return (
        [last - Z80 * sd * math.sqrt(k) for k in range(1, h + 1)],
        [last] * h,
        [last + Z80 * sd * math.sqrt(k) for k in range(1, h + 1)],
    )


def straight_line(train: Sequence[Period], h: int) -> Band:
    cash = np.array([float(p.cash_balance or 0) for p in train])[-12:]
    n = len(cash)
    x = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(x, cash, 1)
    residual = cash - (slope * x + intercept)
    s = float(np.sqrt((residual**2).sum() / max(1, n - 2)))
    sxx = float(((x - x.mean()) ** 2).sum())
    low, mid, high = [], [], []
    for k in range(1, h + 1):
        at = n - 1 + k
        centre = slope * at + intercept
        width = Z80 * s * math.sqrt(1 + 1 / n + (at - x.mean()) ** 2 / sxx)
        low.append(centre - width)
        mid.append(centre)
        high.append(centre + width)
    return low, mid, high


METHODS: dict[str, Callable[[Sequence[Period], int], Band]] = {
    "Coach (ETS, simulated)": coach,
    "naive: last value": last_value,
    "naive: straight line": straight_line,
}


def evaluate(books: Sequence[tuple[str, list[Period]]]) -> dict[tuple[str, int], dict[str, Any]]:
    scores: dict[tuple[str, int], dict[str, Any]] = defaultdict(
        lambda: {"ape": [], "abs": 0.0, "actual": 0.0, "inside": 0, "n": 0, "sets": 0}
    )
    for _, periods in books:
        for h in HOLDOUTS:
            train, test = periods[:-h], periods[-h:]
            if len(train) < 12 or any(p.cash_balance is None for p in test):
                continue
            actual = [float(p.cash_balance or 0) for p in test]
            for name, method in METHODS.items():
                try:
                    low, mid, high = method(train, h)
                except NotEnoughBooks:
                    continue
                score = scores[(name, h)]
                score["sets"] += 1
                for a, lo, m, hi in zip(actual, low, mid, high, strict=True):
                    if a != 0:
                        score["ape"].append(abs(m - a) / abs(a))
                    score["abs"] += abs(m - a)
                    score["actual"] += abs(a)
                    score["inside"] += lo <= a <= hi
                    score["n"] += 1
    return scores


def cost(books: Sequence[tuple[str, list[Period]]]) -> list[float]:
    times = []
    for _, periods in books:
        started = time.perf_counter()
        try:
            forecast(periods)
        except NotEnoughBooks:
            continue
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=12, help="books per demo story")
    parser.add_argument("--no-stories", action="store_true", help="demo books only")
    args = parser.parse_args()
    books = demo_books(args.seeds)
    stories = [] if args.no_stories else story_books()
    everything = books + stories
    print("cash forecast backtest")
    print(f"  machine: {platform.machine()}, CPython {platform.python_version()}")
    print(f"  {platform.platform()}")
    print(f"  date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"  books: {len(books)} demo ({len(STORIES)} stories x {args.seeds} seeds), "
        f"{len(stories)} evaluation stories"
    )
    forecast(books[0][1])  # statsmodels' imports, out of the timings
    scores = evaluate(everything)
    print()
    head = f"{'method':<26} {'holdout':>7} {'sets':>5} {'MAPE':>8} {'WAPE':>8}"
    print(f"  {head} {'P10-P90 coverage':>17}")
    for h in HOLDOUTS:
        for name in METHODS:
            s = scores[(name, h)]
            mape = statistics.fmean(s["ape"]) if s["ape"] else float("nan")
            wape = s["abs"] / s["actual"] if s["actual"] else float("nan")
            coverage = s["inside"] / s["n"] if s["n"] else float("nan")
            row = f"{name:<26} {h:>5} mo {s['sets']:>5} {mape:>7.1%} {wape:>7.1%}"
            print(f"  {row} {coverage:>16.1%}")
    times = cost(everything)
    times.sort()
    print()
    print(
        "  cost per set of books (fit, self-check, 1,000 paths, summary): "
        f"mean {statistics.fmean(times):.0f} ms,"
        f" p50 {times[len(times) // 2]:.0f} ms, p95 {times[int(len(times) * 0.95)]:.0f} ms"
        f" ({len(times)} sets)"
    )
    methods: Counter[str] = Counter()
    for _, periods in everything:
        try:
            methods[forecast(periods).method.name] += 1
        except NotEnoughBooks:
            methods["none (not enough books)"] += 1
    used = ", ".join(f"{name} {count}" for name, count in methods.most_common())
    print(f"  methods used: {used}")


if __name__ == "__main__":
    main()
