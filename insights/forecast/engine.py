"""The cash forecast: plain periods in, a distribution of cash paths out (no Django, no I/O).

The books are turned into drivers (revenue, the cost of goods as a share of it, operating costs,
the days customers take to pay, the days the business takes to pay, the days stock sits, and the
rest of the cash movement the books do not explain); revenue and operating costs are forecast by
exponential smoothing (statsmodels' ``ETSModel``), whose own simulation gives the paths; cash
follows from the drivers, day by day, in every path. The band is the paths' 10th, 50th and 90th
percentiles, never a fixed percentage.

The method depends on how much history there is, and the forecast says which one it used and why:

* 24 months or more, whose two years rise and fall in the same months: the yearly season taken
  out (classical additive decomposition), ETS(A,Ad,N) on the rest, the season added back to
  every path;
* 12 months or more: ETS(A,Ad,N), a damped trend (a trend extrapolated undamped for a year is
  how a forecast goes wrong);
* 6 to 11 months: ETS(A,N,N), the level alone (too short to tell a trend from noise);
* 3 to 5 months: a random walk from the last month, its steps as wide as the months' changes;
* fewer than 3 months with a cash balance: no forecast.

A scenario (``Change``) moves the drivers, never the random draws: the same books give the same
draws (the seed is the books' version), so "scenario minus baseline" is the effect of the change
alone, and a re-run gives exactly the same figures.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.vocabulary import DAYS_PER_MONTH
from insights.metrics import Period, shift_month

Array = npt.NDArray[np.float64]

WEEKS = 13
MONTHS = 12
PATHS = 1000
# Percentiles of the band and of the dates.
LOW, MID, HIGH = 10, 50, 90
# Below this many months with a cash balance there is nothing to forecast from.
MIN_MONTHS = 3
SEASONAL_MONTHS = 24
TREND_MONTHS = 12
LEVEL_MONTHS = 6
# How alike the two years' detrended monthly profiles must be (their correlation) to call it a
# season: for 12 pairs of pure noise a correlation of 0.5 or more happens about 5% of the time
# (one-sided), so below it the "season" would mostly add noise (backtest:
# benchmarks/forecast_eval.py).
MIN_SEASON_CORRELATION = 0.5
# The months whose average sets the cost of goods ratio, the working-capital days and the
# default buffer (a month of costs): recent enough to be today's business, long enough to not be
# one odd month.
RECENT_MONTHS = 3
# The months whose unexplained cash movement (loans, tax, equipment...) is carried forward.
OTHER_MONTHS = 12
# The health score of a scenario is the score of the books three months ahead (13 weeks).
PROJECTED_MONTHS = 3
# The band's check against the business's own last months (``_calibration``): how many months
# are forecast from the ones before them (at least the minimum, after a year to fit on), and the
# most it may widen the band.
CALIBRATION_MONTHS = 6
MIN_CALIBRATION_MONTHS = 3
MAX_SPREAD = 10.0
# A bank balance this many days at most past the books' last month is where the forecast starts
# (``Anchor``); a later one would leave the books' months too far behind to carry the flows.
MAX_ANCHOR_DAYS = 92


class ChangeKind(StrEnum):
    CASH_INJECTION = "cash_injection"  # amount, once, on the date
    LOAN = "loan"  # amount received on the date (repayments: enter them as a cost or a hire)
    REVENUE_GROWTH = "revenue_growth"  # percent: revenue that much higher (lower) from the date
    COST_CUT = "cost_cut"  # percent: operating costs that much lower from the date
    HIRE = "hire"  # amount: a monthly cost added from the date
    COLLECT_DAYS = "collect_days"  # days: customers pay in that many days from the date
    PAY_DAYS = "pay_days"  # days: suppliers are paid in that many days from the date


# Which of amount / percent / days each kind takes.
CHANGE_VALUE: dict[ChangeKind, str] = {
    ChangeKind.CASH_INJECTION: "amount",
    ChangeKind.LOAN: "amount",
    ChangeKind.REVENUE_GROWTH: "percent",
    ChangeKind.COST_CUT: "percent",
    ChangeKind.HIRE: "amount",
    ChangeKind.COLLECT_DAYS: "days",
    ChangeKind.PAY_DAYS: "days",
}


@dataclass(frozen=True)
class Change:
    """One driver change of a scenario; ``on`` None means from the forecast's first day."""

    kind: ChangeKind
    value: float
    on: date | None = None

    def to_dict(self) -> dict[str, Any]:
        key = CHANGE_VALUE[self.kind]
        shown: Any = str(Decimal(str(self.value)).quantize(Decimal("0.01")))
        if key != "amount":
            shown = self.value
        return {
            "kind": self.kind.value,
            "date": self.on.isoformat() if self.on else None,
            key: shown,
        }


@dataclass(frozen=True)
class Method:
    name: str  # e.g. "seasonal + ETS(A,Ad,N)"
    reason: str

    def describe(self) -> str:
        return f"{self.name}: {self.reason}"


@dataclass
class Drivers:
    """The recent business, as the forecast moves it forward."""

    cash: float  # at the end of the last month of books
    cogs_ratio: float  # cost of goods / revenue
    dso: float | None  # days customers take to pay (None: no receivables in the books)
    dpo: float | None  # days suppliers are paid in (None: no payables / no cost of goods)
    dio: float | None  # days stock sits (None: no inventory / no cost of goods)
    ar: float
    ap: float
    inventory: float
    other_mean: float  # cash movement the books do not explain, per month
    other_sd: float
    other_n: int  # the months they were measured on
    monthly_costs: float  # average of the recent months' cost of goods + operating costs


@dataclass
class History:
    """The latest run of consecutive months that have revenue, operating costs and cash."""

    months: list[date]
    revenue: Array
    cogs: Array
    opex: Array
    cash: Array
    ar: list[float | None]
    ap: list[float | None]
    inventory: list[float | None]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Percentiles:
    p10: Any
    p50: Any
    p90: Any


@dataclass(frozen=True)
class Anchor:
    """The cash the bank says the business had at the end of ``day`` (its daily series from the
    imported statements): the forecast starts there when it is more recent than the books."""

    day: date
    cash: float


@dataclass
class Simulation:
    """The fitted paths of the drivers that carry randomness, shared by every scenario."""

    start: date  # the forecast's first day (after the books' last month, or the bank's last day)
    days: int
    month_starts: list[date]  # MONTHS first days (the months after the books' last)
    month_days: list[int]  # each month's days in the forecast (fewer once the bank's day passed)
    month_lengths: list[int]  # each month's calendar days (its flows are spread over them)
    revenue: Array  # (PATHS, MONTHS)
    opex: Array
    other: Array
    method: Method
    drivers: Drivers
    monthly_revenue_p50: Array
    # How much wider than the paths' own spread the cash band is drawn (1: not at all): what the
    # model's errors on the business's own last months asked for (``_calibration``).
    spread: float = 1.0


@dataclass
class Result:
    """One forecast (baseline or scenario), summarised as the API and the insight read it."""

    as_of: date  # last day of the last month of books
    start: date
    method: Method
    buffer: float
    weeks: list[dict[str, Any]]
    months: list[dict[str, Any]]
    cash_zero: Percentiles | None
    buffer_breach: Percentiles | None
    cash_13w: float  # median cash at the end of week 13
    monthly_inflow: list[float]  # medians, for the season's shape
    monthly_outflow: list[float]
    # The first months' books as the median path has them (month, then the money fields): the
    # score three months ahead is computed on them.
    projected: list[dict[str, Any]] = field(default_factory=list)

    def runway_days(self) -> int | None:
        """Days from the forecast's first day to the median date cash runs out; None beyond."""
        if self.cash_zero is None or self.cash_zero.p50 is None:
            return None
        return int((self.cash_zero.p50 - self.start).days)

    def to_dict(self, currency: str) -> dict[str, Any]:
        """The shape of ``GET …/forecast/`` (dates ISO, money as strings)."""
        return {
            "as_of": self.as_of.isoformat(),
            "method": self.method.describe(),
            "currency": currency,
            "buffer": money_text(self.buffer),
            "weeks": self.weeks,
            "months": self.months,
            "cash_zero": _dates(self.cash_zero),
            "buffer_breach": _dates(self.buffer_breach),
        }


def _dates(p: Percentiles | None) -> dict[str, str | None] | None:
    if p is None:
        return None
    return {
        key: (value.isoformat() if value else None)
        for key, value in (("p10", p.p10), ("p50", p.p50), ("p90", p.p90))
    }


def money_text(value: float) -> str:
    return str(Decimal(repr(round(value, 2))).quantize(Decimal("0.01")))


class NotEnoughBooks(ValueError):
    """The books cannot carry a forecast (the message says what is missing)."""


# --- history and drivers -------------------------------------------------------------------------


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def history_from(periods: Sequence[Period]) -> History:
    """The latest consecutive months with revenue, operating costs and a cash balance."""
    usable = sorted(
        (p for p in periods if None not in (p.revenue, p.operating_expenses, p.cash_balance)),
        key=lambda p: p.month,
    )
    run: list[Period] = []
    for period in reversed(usable):
        if run and shift_month(run[-1].month, -1) != period.month:
            break
        run.append(period)
    run.reverse()
    if len(run) < MIN_MONTHS:
        raise NotEnoughBooks(
            f"a forecast needs at least {MIN_MONTHS} consecutive months with revenue, operating "
            f"expenses and a cash balance; the books have {len(run)}"
        )
    notes = []
    if any(p.cogs is None for p in run):
        notes.append("cost of goods missing in some months: counted with the other cash flows")
    return History(
        months=[p.month for p in run],
        revenue=np.array([float(p.revenue or 0) for p in run]),
        cogs=np.array([float(p.cogs or 0) for p in run]),
        opex=np.array([float(p.operating_expenses or 0) for p in run]),
        cash=np.array([float(p.cash_balance or 0) for p in run]),
        ar=[_f(p.accounts_receivable) for p in run],
        ap=[_f(p.accounts_payable) for p in run],
        inventory=[_f(p.inventory_value) for p in run],
        notes=notes,
    )


def _days_of(stock: list[float | None], flow: Array) -> float | None:
    """Days of ``flow`` that ``stock`` holds, over the recent months (None when unknown)."""
    pairs = [(s, f) for s, f in zip(stock[-RECENT_MONTHS:], flow[-RECENT_MONTHS:], strict=True)]
    if any(s is None for s, _ in pairs):
        return None
    total_flow = sum(f for _, f in pairs)
    if total_flow <= 0:
        return None
    return sum(s or 0.0 for s, _ in pairs) / total_flow * DAYS_PER_MONTH


def drivers_from(h: History) -> Drivers:
    recent_revenue = float(h.revenue[-RECENT_MONTHS:].sum())
    cogs_ratio = float(h.cogs[-RECENT_MONTHS:].sum()) / recent_revenue if recent_revenue > 0 else 0
    # What the drivers explain of each month's cash movement, predicted the way the forecast
    # predicts it (the month's revenue and costs, last month's cost ratio and days to collect, to
    # pay and of stock); the rest is "other": loans, tax, equipment, drawings, and the drift of
    # the ratio and the days. Its recent mean and spread are carried forward, so a margin or a
    # collection time that keeps drifting moves the forecast and widens its band.
    ar = np.array([v if v is not None else np.nan for v in h.ar])
    ap = np.array([v if v is not None else np.nan for v in h.ap])
    inv = np.array([v if v is not None else np.nan for v in h.inventory])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(h.revenue > 0, h.cogs / h.revenue, 0.0)
        per_revenue = np.where(h.revenue > 0, ar / h.revenue, np.nan)
        per_cogs_ap = np.where(h.cogs > 0, ap / h.cogs, np.nan)
        per_cogs_inv = np.where(h.cogs > 0, inv / h.cogs, np.nan)
    cogs_hat = h.revenue[1:] * ratio[:-1]

    def change(stock: Array, share: Array, flow: Array) -> Array:
        predicted = flow * share[:-1]
        moved = predicted - stock[:-1]
        return np.nan_to_num(np.where(np.isnan(share[:-1]), 0.0, moved))

    explained = (
        h.revenue[1:]
        - cogs_hat
        - h.opex[1:]
        - change(ar, per_revenue, h.revenue[1:])
        + change(ap, per_cogs_ap, cogs_hat)
        - change(inv, per_cogs_inv, cogs_hat)
    )
    other = (np.diff(h.cash) - explained)[-OTHER_MONTHS:]
    costs = h.cogs[-RECENT_MONTHS:] + h.opex[-RECENT_MONTHS:]
    return Drivers(
        cash=float(h.cash[-1]),
        cogs_ratio=max(0.0, cogs_ratio),
        dso=_days_of(h.ar, h.revenue),
        dpo=_days_of(h.ap, h.cogs),
        dio=_days_of(h.inventory, h.cogs),
        ar=h.ar[-1] or 0.0,
        ap=h.ap[-1] or 0.0,
        inventory=h.inventory[-1] or 0.0,
        other_mean=float(other.mean()) if other.size else 0.0,
        other_sd=float(other.std(ddof=1)) if other.size > 1 else 0.0,
        other_n=int(other.size),
        monthly_costs=float(costs.mean()),
    )


# --- fitting -------------------------------------------------------------------------------------


def seed_of(periods: Sequence[Period]) -> int:
    """A seed that is a function of the books alone: the same books draw the same paths."""
    text = "|".join(
        f"{p.month}:{p.revenue}:{p.cogs}:{p.operating_expenses}:{p.cash_balance}" for p in periods
    )
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def yearly_season(y: Array) -> tuple[float, Array]:
    """The yearly season of the last 24 months of ``y``, and how alike its two years are.

    The months are detrended (a straight line through the 24), and the two years' profiles
    compared: their correlation is near 0 for noise and near 1 when the same months rise and fall
    in both years. The season is the average of the two profiles (classical additive
    decomposition), its months summing to zero. STL was tried first: with only two cycles it
    absorbs noise into the season and calls every series seasonal.
    """
    last = y[-SEASONAL_MONTHS:]
    t = np.arange(SEASONAL_MONTHS, dtype=float)
    slope, intercept = np.polyfit(t, last, 1)
    detrended = last - (slope * t + intercept)
    first_year, second_year = detrended[:12], detrended[12:]
    if np.std(first_year) == 0 or np.std(second_year) == 0:
        return 0.0, np.zeros(12)
    alike = float(np.corrcoef(first_year, second_year)[0, 1])
    profile = (first_year + second_year) / 2
    return alike, profile - profile.mean()


def _constant(y: Array) -> bool:
    scale = max(1.0, float(np.abs(y).max()))
    return float(np.ptp(y)) <= 1e-9 * scale


def _ets_paths(y: Array, rng: np.random.Generator, *, trend: bool) -> tuple[Array, str]:
    """(PATHS, MONTHS) simulated future values of ``y`` by ETS, and the model's name."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    if _constant(y):
        return np.full((PATHS, MONTHS), float(y[-1])), "constant (the books do not vary)"
    name = "ETS(A,Ad,N)" if trend else "ETS(A,N,N)"
    kwargs: dict[str, Any] = {"error": "add"}
    if trend:
        kwargs |= {"trend": "add", "damped_trend": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter: a failed fit is caught below
        fitted = ETSModel(y, **kwargs).fit(disp=False)
        paths = np.asarray(fitted.simulate(MONTHS, anchor="end", repetitions=PATHS, rng=rng))
    paths = paths.reshape(MONTHS, PATHS).T
    if not np.isfinite(paths).all():
        raise FloatingPointError(f"{name} gave non-finite paths")
    return paths, name


def _random_walk(y: Array, rng: np.random.Generator) -> Array:
    steps = np.diff(y)
    sd = (
        float(steps.std(ddof=1))
        if steps.size > 1
        else float(abs(steps).mean() if steps.size else 0)
    )
    return float(y[-1]) + np.cumsum(rng.normal(0.0, sd, size=(PATHS, MONTHS)), axis=1)


def _paths(y: Array, rng: np.random.Generator, *, seasonal_ok: bool) -> tuple[Array, Method]:
    """Simulated paths of one series, by the method its length allows (see the module doc)."""
    n = len(y)
    if n < LEVEL_MONTHS:
        return _random_walk(y, rng), Method(
            "random walk",
            f"only {n} months of books: too few to fit a model, so the last month carries "
            "forward with steps as wide as the months' changes",
        )
    if n >= SEASONAL_MONTHS and seasonal_ok and not _constant(y):
        alike, profile = yearly_season(y)
        if alike >= MIN_SEASON_CORRELATION:
            season = np.array([profile[(i - n) % 12] for i in range(n)])  # by calendar month
            try:
                paths, _ = _ets_paths(y - season, rng, trend=True)
                ahead = np.array([profile[i % 12] for i in range(MONTHS)])
                return paths + ahead, Method(
                    "seasonal + ETS(A,Ad,N)",
                    f"{n} months of books with a yearly season (the two years' months move "
                    f"alike, correlation {alike:.2f}): the season is taken out, the rest "
                    "forecast with a damped trend, and the season put back",
                )
            except (ValueError, FloatingPointError, np.linalg.LinAlgError):
                pass  # the seasonal fit failed: the simpler models below
        reason_season = f"no yearly season in {n} months (correlation {alike:.2f}): "
    elif n >= SEASONAL_MONTHS:
        reason_season = ""
    else:
        reason_season = f"{n} months of books, fewer than the two years a season needs: "
    trend = n >= TREND_MONTHS
    try:
        paths, name = _ets_paths(y, rng, trend=trend)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError):
        return _random_walk(y, rng), Method(
            "random walk", f"the smoothing model could not be fitted to {n} months of books"
        )
    if trend:
        why = "a damped trend, so a recent slope is not extrapolated for ever"
    else:
        why = "the level only: under a year of books cannot tell a trend from noise"
    return paths, Method(name, reason_season + why)


def simulate(
    periods: Sequence[Period], *, calibrate: bool = True, anchor: Anchor | None = None
) -> Simulation:
    """Fit the books and draw the paths every scenario shares. Raises ``NotEnoughBooks``.

    ``calibrate``: also forecast the last months from the books before them and widen the band
    as far as those errors ask (``_calibration``); the check itself is not calibrated.
    ``anchor``: the bank's latest cash; when it falls after the books' last month (by at most
    ``MAX_ANCHOR_DAYS``), the forecast starts the next day from that cash instead of the books'
    closing cash, and the days already behind it are left out of every month."""
    h = history_from(periods)
    d = drivers_from(h)
    rng = np.random.default_rng(seed_of(periods))
    revenue, method = _paths(h.revenue, rng, seasonal_ok=True)
    opex, _ = _paths(h.opex, rng, seasonal_ok=False)
    # The other cash movement: its months scatter around a mean that is itself only estimated
    # (from ``other_n`` months), so each path draws its own mean first: a drift that persists
    # widens the band as the months add up, as it does in the books.
    means = d.other_mean + rng.normal(0.0, d.other_sd / math.sqrt(max(1, d.other_n)), (PATHS, 1))
    other = means + rng.normal(0.0, 1.0, size=(PATHS, MONTHS)) * d.other_sd
    last = h.months[-1]
    firsts = [shift_month(last, i + 1) or date.max for i in range(MONTHS)]
    lengths = [calendar.monthrange(m.year, m.month)[1] for m in firsts]
    start = firsts[0]
    if anchor is not None and 0 <= (anchor.day - start).days < MAX_ANCHOR_DAYS:
        h.notes.append(
            f"starts from the bank balance at the end of {anchor.day.isoformat()}, "
            f"{money_text(anchor.cash)}, not the books' closing cash of {last:%Y-%m}"
        )
        start = anchor.day + timedelta(days=1)
        d.cash = anchor.cash
    month_days = [
        max(0, min(length, (first + timedelta(days=length) - start).days))
        for first, length in zip(firsts, lengths, strict=True)
    ]
    if h.notes:
        method = Method(method.name, method.reason + "; " + "; ".join(h.notes))
    sim = Simulation(
        start=start,
        days=sum(month_days),
        month_starts=firsts,
        month_days=month_days,
        month_lengths=lengths,
        revenue=np.maximum(revenue, 0.0),
        opex=np.maximum(opex, 0.0),
        other=other,
        method=method,
        drivers=d,
        monthly_revenue_p50=np.median(revenue, axis=0),
    )
    if calibrate:
        sim.spread, checked = _calibration(periods, h)
        if checked:
            sim.method = Method(sim.method.name, sim.method.reason + "; " + checked)
    return sim


def _calibration(periods: Sequence[Period], h: History) -> tuple[float, str]:
    """How much to widen the band, from the model's own errors on this business's last months.

    The last ``CALIBRATION_MONTHS`` (fewer with a short history) are forecast from the months
    before them; each month's error is measured in half-bands (|actual - P50| / (P90 - P50) on
    its side): at most 1 when the actual falls inside. The band is widened to cover 80% of those
    months, never narrowed. ETS's own intervals assume the model is right; a season it could not
    see, or a drift in margins or collection days, makes them too narrow, and this says by how
    much for this business (benchmarks/forecast_eval.py: coverage 47% without it).
    """
    months = min(CALIBRATION_MONTHS, len(h.months) - TREND_MONTHS)
    if months < MIN_CALIBRATION_MONTHS:
        return 1.0, ""
    cut = h.months[-months]
    try:
        past = run(simulate([p for p in periods if p.month < cut], calibrate=False))
    except (NotEnoughBooks, ValueError, FloatingPointError, np.linalg.LinAlgError):
        return 1.0, ""
    ratios = []
    for row, actual in zip(past.months, h.cash[-months:], strict=False):
        mid = float(row["p50"])
        edge = float(row["p90"]) if actual >= mid else float(row["p10"])
        half = abs(edge - mid)
        miss = abs(float(actual) - mid)
        ratios.append(0.0 if miss == 0 else (miss / half if half > 0 else MAX_SPREAD))
    factor = min(MAX_SPREAD, max(1.0, float(np.quantile(ratios, 0.8))))
    if factor <= 1.0:
        return 1.0, f"the band held the last {months} months when they were forecast"
    return factor, (
        f"the band is drawn {factor:.1f} times wider than the paths' own spread, as the last "
        f"{months} months needed when they were forecast from the months before"
    )


# --- running a scenario --------------------------------------------------------------------------


def _share_from(sim: Simulation, on: date | None) -> Array:
    """For each month, the share of its days on or after ``on`` (1 from the start)."""
    if on is None or on <= sim.start:
        return np.ones(MONTHS)
    shares = []
    for first, length in zip(sim.month_starts, sim.month_lengths, strict=True):
        last = first + timedelta(days=length - 1)
        if on > last:
            shares.append(0.0)
        elif on <= first:
            shares.append(1.0)
        else:
            shares.append((last - on).days / length + 1 / length)
    return np.array(shares)


def _days_path(
    days_base: float | None, changes: Sequence[Change], kind: ChangeKind, sim: Simulation
) -> Array | None:
    """Each month's days (to collect, to pay), moved by the changes of ``kind``."""
    if days_base is None:
        return None
    path = np.full(MONTHS, days_base)
    for change in changes:
        if change.kind == kind:
            share = _share_from(sim, change.on)
            path = path + (change.value - path) * share
    return path


def run(sim: Simulation, changes: Sequence[Change] = (), *, buffer: float | None = None) -> Result:
    """The cash paths under ``changes`` (none: the baseline), summarised."""
    d = sim.drivers
    revenue = sim.revenue.copy()
    opex = sim.opex.copy()
    one_offs: list[tuple[int, float]] = []
    for change in changes:
        share = _share_from(sim, change.on)
        if change.kind == ChangeKind.REVENUE_GROWTH:
            revenue = revenue * (1 + change.value / 100 * share)
        elif change.kind == ChangeKind.COST_CUT:
            opex = opex * (1 - change.value / 100 * share)
        elif change.kind == ChangeKind.HIRE:
            opex = opex + change.value * share
        elif change.kind in (ChangeKind.CASH_INJECTION, ChangeKind.LOAN):
            day = max(0, ((change.on or sim.start) - sim.start).days)
            if day < sim.days:
                one_offs.append((day, change.value))
    cogs = revenue * d.cogs_ratio
    dso = _days_path(d.dso, changes, ChangeKind.COLLECT_DAYS, sim)
    dpo = _days_path(d.dpo, changes, ChangeKind.PAY_DAYS, sim)
    ar = revenue * dso / DAYS_PER_MONTH if dso is not None else np.full_like(revenue, d.ar)
    ap = cogs * dpo / DAYS_PER_MONTH if dpo is not None else np.full_like(revenue, d.ap)
    inventory = (
        cogs * d.dio / DAYS_PER_MONTH if d.dio is not None else np.full_like(revenue, d.inventory)
    )
    d_ar = np.diff(ar, axis=1, prepend=d.ar)
    d_ap = np.diff(ap, axis=1, prepend=d.ap)
    d_inv = np.diff(inventory, axis=1, prepend=d.inventory)
    other = sim.other
    inflow = revenue - d_ar + np.maximum(other, 0.0)
    outflow = cogs + opex - d_ap + d_inv + np.maximum(-other, 0.0)
    # Day by day: each month's flows spread evenly over its days, one-off sums on their day (a
    # month the bank's day is inside of keeps only its days still to come).
    lengths, repeats = np.array(sim.month_lengths), np.array(sim.month_days)
    daily_in = np.repeat(inflow / lengths, repeats, axis=1)
    daily_out = np.repeat(outflow / lengths, repeats, axis=1)
    for day, amount in one_offs:
        if amount >= 0:
            daily_in[:, day] += amount
        else:
            daily_out[:, day] -= amount
    cash = d.cash + np.cumsum(daily_in - daily_out, axis=1)
    if sim.spread != 1.0:  # widened around the median, as the calibration asked
        middle = np.median(cash, axis=0)
        cash = middle + sim.spread * (cash - middle)
    wanted_buffer = d.monthly_costs if buffer is None else buffer
    result = _summarise(sim, cash, daily_in, daily_out, inflow, outflow, wanted_buffer)
    ends = np.cumsum(sim.month_days) - 1
    ahead = [i for i in range(MONTHS) if sim.month_days[i]][:PROJECTED_MONTHS]
    med = lambda a: np.median(a, axis=0)  # noqa: E731 - medians across the paths
    columns = {
        "revenue": med(revenue),
        "cogs": med(cogs),
        "operating_expenses": med(opex),
        "net_income": med(revenue - cogs - opex),
        "cash_balance": med(cash[:, ends]),
        "accounts_receivable": med(ar),
        "accounts_payable": med(ap),
        "inventory_value": med(inventory),
    }
    result.projected = [
        {"month": sim.month_starts[i], **{k: float(v[i]) for k, v in columns.items()}}
        for i in ahead
    ]
    return result


def _pct(values: Array, q: int) -> float:
    return float(np.percentile(values, q, axis=0))


def _crossing(sim: Simulation, cash: Array, level: float) -> Percentiles | None:
    """P10/P50/P90 of the first day cash ends below ``level`` (None: beyond the horizon)."""
    below = cash < level
    crossed = below.any(axis=1)
    if crossed.mean() < LOW / 100:
        return None
    first = np.where(crossed, below.argmax(axis=1), np.iinfo(np.int64).max)
    ordered = np.sort(first)
    n = len(ordered)

    def at(q: int) -> date | None:
        index = ordered[max(0, math.ceil(q / 100 * n) - 1)]
        return None if index >= sim.days else sim.start + timedelta(days=int(index))

    return Percentiles(at(LOW), at(MID), at(HIGH))


def _summarise(
    sim: Simulation,
    cash: Array,
    daily_in: Array,
    daily_out: Array,
    inflow: Array,
    outflow: Array,
    buffer: float,
) -> Result:
    weeks = []
    for k in range(WEEKS):
        end = 7 * k + 6
        at_end = cash[:, end]
        weeks.append(
            {
                "week_start": (sim.start + timedelta(days=7 * k)).isoformat(),
                "p10": money_text(_pct(at_end, LOW)),
                "p50": money_text(_pct(at_end, MID)),
                "p90": money_text(_pct(at_end, HIGH)),
                "inflow": money_text(float(np.median(daily_in[:, 7 * k : end + 1].sum(axis=1)))),
                "outflow": money_text(float(np.median(daily_out[:, 7 * k : end + 1].sum(axis=1)))),
            }
        )
    months = []
    ends = np.cumsum(sim.month_days) - 1
    for first, end, days in zip(sim.month_starts, ends, sim.month_days, strict=True):
        if not days:
            continue  # wholly behind the bank's day
        at_end = cash[:, end]
        months.append(
            {
                "month": first.strftime("%Y-%m"),
                "p10": money_text(_pct(at_end, LOW)),
                "p50": money_text(_pct(at_end, MID)),
                "p90": money_text(_pct(at_end, HIGH)),
            }
        )
    return Result(
        as_of=sim.start - timedelta(days=1),
        start=sim.start,
        method=sim.method,
        buffer=buffer,
        weeks=weeks,
        months=months,
        cash_zero=_crossing(sim, cash, 0.0),
        buffer_breach=_crossing(sim, cash, buffer),
        cash_13w=_pct(cash[:, 7 * WEEKS - 1], MID),
        monthly_inflow=[float(v) for v in np.median(inflow, axis=0)],
        monthly_outflow=[float(v) for v in np.median(outflow, axis=0)],
    )


def forecast(
    periods: Sequence[Period], changes: Sequence[Change] = (), *, buffer: float | None = None
) -> Result:
    """The forecast of ``periods`` under ``changes``: ``run(simulate(periods), changes)``."""
    return run(simulate(periods), changes, buffer=buffer)
