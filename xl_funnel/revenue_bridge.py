"""From a revenue target to the new-logo revenue the funnel must bring, and what sales needs.

The flat model says "new customers bring a share of the target". A company with recurring
revenue plans a bridge instead: this year's recurring revenue, less what churns, plus what
existing customers expand, leaves a gap to the target that only new logos can fill. The
pipeline that gap needs, the sales capacity to close it and the cost of acquiring a customer
follow from it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, check_nonnegative, check_rates, scalar_or_array

__all__ = ["acquisition_cost", "new_logo_goal", "pipeline_needed"]


def new_logo_goal(
    target: ArrayLike, start: ArrayLike, churn: ArrayLike = 0.0, expansion: ArrayLike = 0.0
) -> float | np.ndarray:
    """New-logo revenue a target needs once existing customers are counted.

    Parameters
    ----------
    target : array_like
        Next year's revenue target (≥ 0).
    start : array_like
        Recurring revenue at the start of the year (≥ 0).
    churn : array_like, default 0
        Gross churn: share of the starting revenue lost over the year (0 to 1).
    expansion : array_like, default 0
        Expansion: share of the starting revenue existing customers add (≥ 0).

    Returns
    -------
    float or ndarray
        ``max(target − start × (1 − churn + expansion), 0)``.

    Notes
    -----
    The revenue bridge: ``target = start − churned + expanded + new logos``, with churned
    ``= start × churn`` and expanded ``= start × expansion``; a target the existing base
    already covers needs no new logos (0, never negative).

    References
    ----------
    Seed article ``002``: next year's target from last year's revenue and growth.

    Examples
    --------
    $10M recurring, 10 % churn, 5 % expansion and a $12M target: $9.5M stays, $2.5M must
    come from new logos.

    >>> new_logo_goal(12e6, 10e6, 0.10, 0.05)
    2500000.0
    """
    goal = as_array(target, "target")
    base = as_array(start, "start")
    lost = as_array(churn, "churn")
    added = as_array(expansion, "expansion")
    check_nonnegative(goal, "target", "a target")
    check_nonnegative(base, "start", "a starting revenue")
    check_rates(np.atleast_1d(lost), "churn", allow_zero=True)
    check_nonnegative(added, "expansion", "an expansion rate")
    return scalar_or_array(np.maximum(goal - base * (1 - lost + added), 0.0))


def pipeline_needed(
    new_revenue: ArrayLike, win_rate: ArrayLike, coverage: ArrayLike | None = None
) -> float | np.ndarray:
    """Pipeline value a new-revenue goal needs: by conversion, or by a coverage ratio.

    Parameters
    ----------
    new_revenue : array_like
        New-logo revenue to close (per quarter, say), ≥ 0.
    win_rate : array_like
        Share of pipeline (opportunities) that closes, 0 < w ≤ 1.
    coverage : array_like, optional
        A coverage ratio the sales team holds itself to (3 = three times the goal); when
        given, the answer is ``coverage × new_revenue`` instead.

    Returns
    -------
    float or ndarray
        ``new_revenue / win_rate`` (or ``coverage × new_revenue``).

    Examples
    --------
    A $625,000 quarter at a 50 % win rate needs $1.25M of pipeline; a 3× rule says $1.875M.

    >>> pipeline_needed(625_000, 0.5), pipeline_needed(625_000, 0.5, coverage=3)
    (1250000.0, 1875000.0)
    """
    goal = as_array(new_revenue, "new_revenue")
    rate = as_array(win_rate, "win_rate")
    check_nonnegative(goal, "new_revenue", "a revenue goal")
    check_rates(np.atleast_1d(rate), "win_rate")
    if coverage is not None:
        ratio = as_array(coverage, "coverage")
        check_nonnegative(ratio, "coverage", "a coverage ratio")
        return scalar_or_array(goal * ratio)
    return scalar_or_array(goal / rate)


def acquisition_cost(
    marketing: ArrayLike, customers: ArrayLike, sales: ArrayLike = 0.0
) -> float | np.ndarray:
    """Cost of acquiring one customer: marketing CAC, or fully loaded with sales cost.

    Parameters
    ----------
    marketing : array_like
        Marketing spend (≥ 0).
    customers : array_like
        New customers it brings (> 0; 0 gives NaN, there is no cost per nothing).
    sales : array_like, default 0
        Sales cost of winning them (≥ 0): given, the CAC is fully loaded.

    Returns
    -------
    float or ndarray
        ``(marketing + sales) / customers``.

    Examples
    --------
    >>> acquisition_cost(1_150_000, 10), acquisition_cost(1_150_000, 10, sales=850_000)
    (115000.0, 200000.0)
    """
    spend = as_array(marketing, "marketing")
    count = as_array(customers, "customers")
    cost = as_array(sales, "sales")
    for values, name in ((spend, "marketing"), (count, "customers"), (cost, "sales")):
        check_nonnegative(values, name, "an amount")
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(count > 0, (spend + cost) / np.where(count > 0, count, 1), np.nan)
    return scalar_or_array(result)
