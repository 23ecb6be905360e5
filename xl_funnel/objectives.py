"""SMART objectives: progress from a baseline towards a target by a deadline (seeds 003, 001).

An objective is specific, measurable and time-bound: a metric moves from its baseline to a
target between a start and a deadline. Progress is the share of that move made so far (it
works the same for a figure meant to fall, a cost per click from $3.50 to $0.50); the progress
expected by a day is the share of the time elapsed (linear); the status compares the two.
Dates are numbers of days (Excel serials) or anything :func:`numpy.datetime64` reads.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, divide, scalar_or_array

__all__ = [
    "ACHIEVED",
    "BEHIND",
    "ON_TRACK",
    "SEED_OBJECTIVES",
    "Objective",
    "expected_progress",
    "objective_progress",
    "objective_status",
]

ACHIEVED = "Achieved"
ON_TRACK = "On track"
BEHIND = "Behind"
#: Excel's day 0 (serial 1 is 1900-01-01 for every date a plan uses).
_EPOCH = np.datetime64("1899-12-30", "D")


def _days(value: ArrayLike, name: str) -> np.ndarray:
    """Dates as days since Excel's epoch: numbers pass through, dates are converted."""
    if isinstance(value, dt.date | np.datetime64 | str) or (
        isinstance(value, list | tuple) and value and isinstance(value[0], dt.date | str)
    ):
        days = (np.asarray(value, dtype="datetime64[D]") - _EPOCH).astype(float)
        return np.asarray(days, dtype=float)
    return as_array(value, name)


def objective_progress(
    baseline: ArrayLike, target: ArrayLike, current: ArrayLike
) -> float | np.ndarray:
    """Share of the move from baseline to target made so far.

    Notes
    -----
    .. math:: p = \\frac{c - b}{t - b}

    1 is the target reached, above 1 beyond it, below 0 a move the wrong way; NaN where the
    target equals the baseline or the current value is unknown.

    References
    ----------
    Seed article ``003_cd3bea1e865c5d0b.txt`` (SMART objectives).

    Examples
    --------
    Cost per click from $3.50 to $0.50, now $2.00: half way.

    >>> objective_progress(3.5, 0.5, 2.0)
    0.5
    >>> objective_progress([500, 100], [1000, 120], [650, 95]).tolist()
    [0.3, -0.25]
    """
    start = as_array(baseline, "baseline")
    goal = as_array(target, "target")
    now = as_array(current, "current")
    return scalar_or_array(np.asarray(divide(now - start, goal - start)))


def expected_progress(
    start: ArrayLike, deadline: ArrayLike, today: ArrayLike
) -> float | np.ndarray:
    """Progress a linear path expects by `today`: the share of the time elapsed, 0 to 1.

    Notes
    -----
    .. math:: e = \\min\\left(1, \\max\\left(0, \\frac{d - s}{D - s}\\right)\\right)

    NaN where the deadline is not after the start.

    Examples
    --------
    >>> import datetime as dt
    >>> expected_progress(dt.date(2027, 1, 1), dt.date(2027, 7, 1), dt.date(2027, 3, 1))
    0.3259668508287293
    """
    s = _days(start, "start")
    d = _days(deadline, "deadline")
    t = _days(today, "today")
    span = d - s
    share = divide(t - s, np.where(span > 0, span, 0.0))
    return scalar_or_array(np.asarray(np.clip(share, 0.0, 1.0)))


def objective_status(progress: ArrayLike, expected: ArrayLike) -> str | np.ndarray:
    """``Achieved`` at 100 % or more, ``On track`` at or above the expected progress,
    ``Behind`` under it, ``""`` unknown (progress compared at 9 decimals).

    Examples
    --------
    >>> objective_status([1.0, 0.4, 0.3, float("nan")], 0.35).tolist()
    ['Achieved', 'On track', 'Behind', '']
    """
    got = np.round(as_array(progress, "progress"), 9)
    want = np.round(as_array(expected, "expected"), 9)
    status = np.where(
        np.isnan(got) | np.isnan(want),
        "",
        np.where(got >= 1, ACHIEVED, np.where(got >= want, ON_TRACK, BEHIND)),
    ).astype(object)
    return str(status) if status.ndim == 0 else status


class Objective(NamedTuple):
    """One SMART objective as the Objectives sheet lists it.

    ``baseline`` and ``target`` are numbers, or the formula text (without ``=``) that links
    them to a plan figure; ``change`` builds the target from the baseline (1.15 = +15 %)
    when ``target`` is None; ``months`` is the time from the fiscal year's start to the
    deadline; ``current`` links the current value to a plan or tracking figure ("" = typed).
    """

    objective: str
    metric: str
    owner: str
    baseline: float | str
    target: float | str | None
    change: float | None
    months: int
    current: str
    unit: str


#: Seed 003's six examples, as the built-in plan lists them (formulas read the plan's names;
#: "{latest}" is the latest month reported on Tracking).
SEED_OBJECTIVES = (
    Objective(
        "Raise monthly new revenue 15 % next quarter",
        "New revenue (bookings) in the latest month reported",
        "Marketing lead",
        "NewRevenueGoal/12",
        None,
        1.15,
        3,
        "revenue",
        "money",
    ),
    Objective(
        "Cut ad spend 10 % within a year",
        "Marketing spend in the latest month reported",
        "Marketing ops",
        "SUM(ChannelMonthlyBudget)/12",
        None,
        0.9,
        12,
        "spend",
        "money",
    ),
    Objective(
        "Halve the average sales cycle in 6 months",
        "Average sales cycle (days)",
        "Sales lead",
        90.0,
        None,
        0.5,
        6,
        "",
        "number",
    ),
    Objective(
        "20 % more SQLs from the next email campaign",
        "SQLs from one email campaign",
        "Email marketer",
        50.0,
        None,
        1.2,
        2,
        "",
        "number",
    ),
    Objective(
        "Cut cost per click from $3.50 to $0.50",
        "Paid social cost per click (Channel KPIs)",
        "Paid media manager",
        3.5,
        0.5,
        None,
        12,
        "cpc",
        "cents",
    ),
    Objective(
        "Double weekly reach from 500 to 1,000",
        "People reached per week",
        "Social media manager",
        500.0,
        1000.0,
        None,
        12,
        "",
        "number",
    ),
)
