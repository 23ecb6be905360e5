"""What the year's actuals say to do: the two steps furthest behind, sized; where budget should go.

Seed 001 names a fix for each step of the funnel that falls short; this module ranks the
steps by how far their actual rate to date falls below plan, sizes each in customers lost by
year end, and words the two furthest behind. Seed 004's rule for money: a channel should
bring conversions in proportion to its spend, so one whose share of conversions exceeds its
share of spend deserves more budget, and the reverse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, check_nonnegative, divide, scalar_or_array
from xl_funnel.diagnosis import (
    NO_DATA_MESSAGE,
    ON_PLAN_MESSAGE,
    advice,
    comparable_ratio,
    default_stage_names,
)
from xl_funnel.errors import ShapeMismatchError

__all__ = [
    "IN_LINE",
    "LESS_BUDGET",
    "MORE_BUDGET",
    "diagnosis_sentences",
    "half_up",
    "reallocation_hint",
    "step_cost",
    "step_sentence",
    "weakest_steps",
]

MORE_BUDGET = "More budget: brings more than its share of spend"
LESS_BUDGET = "Less budget: brings less than its share of spend"
IN_LINE = "In line with its share of spend"


def half_up(value: float, decimals: int = 0) -> float:
    """Round half away from zero on the decimal digits, as Excel's ``ROUND`` does.

    Examples
    --------
    >>> half_up(2.5), half_up(0.245, 2), half_up(13.6)
    (3.0, 0.25, 14.0)
    """
    number = float(value)
    if not math.isfinite(number) or abs(number) >= 1e15:
        # Past 1e15 a float has no digit after the point to round (and Decimal's 28-digit
        # context would refuse to quantize 1e300); NaN and infinities stay as they are.
        return number
    exponent = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(number)).quantize(exponent, rounding=ROUND_HALF_UP))


def _number_text(value: float) -> str:
    """A number as Excel's ``&`` writes it: ``24``, ``24.5`` (no trailing zeros)."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def step_cost(
    actual_rate: ArrayLike, plan_rate: ArrayLike, year_customers: ArrayLike
) -> float | np.ndarray:
    """Customers a step loses by year end converting at its actual rate instead of the plan's.

    Parameters
    ----------
    actual_rate, plan_rate : array_like
        The step's actual rate to date and its plan rate (> 0); NaN actual = not measured.
    year_customers : array_like
        The customers the year's plan wins, ≥ 0.

    Returns
    -------
    float or ndarray
        :math:`C \\max(0, 1 - \\rho)` with :math:`\\rho` = actual / plan at 9 decimals; NaN
        where the actual rate is NaN.

    Notes
    -----
    Every customer passes every step, so a step converting at :math:`\\rho` of its plan rate
    for the whole year, the other steps on plan, wins :math:`\\rho C` customers.

    References
    ----------
    Seed article ``001_973ba6308e195158.txt``.

    Examples
    --------
    >>> round(step_cost(0.24, 0.30, 70), 6)
    14.0
    >>> step_cost([0.35, float("nan")], 0.30, 70).tolist()
    [0.0, nan]
    """
    actual = as_array(actual_rate, "actual_rate")
    plan = as_array(plan_rate, "plan_rate")
    customers = as_array(year_customers, "year_customers")
    check_nonnegative(customers, "year_customers", "a number of customers")
    ratio = comparable_ratio(divide(actual, plan))
    return scalar_or_array(np.where(np.isnan(ratio), np.nan, customers * np.maximum(0, 1 - ratio)))


def weakest_steps(ratio: ArrayLike, count: int = 2) -> np.ndarray:
    """Indices of the steps furthest below plan (actual ÷ plan < 1), lowest first; -1 pads.

    Ratios compare at 9 decimals (:func:`~xl_funnel.diagnosis.comparable_ratio`); ties go to
    the top-most step; NaN (not measured) and steps at or above plan never count.

    Examples
    --------
    >>> weakest_steps([0.9, 1.2, 0.8, float("nan"), 0.9]).tolist()
    [2, 0]
    >>> weakest_steps([1.0, 1.1]).tolist()
    [-1, -1]
    """
    values = comparable_ratio(ratio)
    keys = np.where(np.isnan(values) | (values >= 1), np.inf, values)
    order = np.argsort(keys, axis=-1, kind="stable")[..., :count]
    picked = np.take_along_axis(keys, order, axis=-1)
    found = np.where(np.isinf(picked), -1, order)
    if found.shape[-1] < count:
        pad = np.full((*found.shape[:-1], count - found.shape[-1]), -1)
        found = np.concatenate([found, pad], axis=-1)
    return found


def step_sentence(
    from_stage: str, to_stage: str, actual_rate: float, plan_rate: float, cost: float
) -> str:
    """One diagnosis sentence, as the Tracking sheet writes it.

    Examples
    --------
    >>> print(step_sentence("MQLs", "SQLs", 0.24, 0.30, 14.0))
    MQLs→SQLs at 24 % against 30 % costs about 14 customers by year end:
    nurture MQLs with email and lead scoring.
    """
    lost = half_up(cost)
    if lost < 1:
        size = "less than one customer"
    else:
        size = f"about {_number_text(lost)} customer{'' if lost == 1 else 's'}"
    return (
        f"{from_stage}→{to_stage} at {_number_text(half_up(actual_rate * 100, 1))} % against "
        f"{_number_text(half_up(plan_rate * 100, 1))} % costs {size} by year end: "
        f"{advice(from_stage, to_stage)}."
    )


def diagnosis_sentences(
    counts_to_date: ArrayLike,
    plan_rates: ArrayLike,
    year_customers: float,
    stage_names: Sequence[str] | None = None,
) -> list[str]:
    """The two steps furthest behind plan, each sized in customers, with seed 001's advice.

    Parameters
    ----------
    counts_to_date : array_like
        Each stage's actual to date, top → bottom (NaN: not reported).
    plan_rates : array_like
        The plan's rates, one fewer than the stages.
    year_customers : float
        Customers the year's plan wins (the size of :func:`step_cost`).
    stage_names : sequence of str, optional
        Default :func:`~xl_funnel.diagnosis.default_stage_names`.

    Returns
    -------
    list of str
        Two sentences: the weakest step, then the next ("" when only one falls behind).
        ``["No stage has actuals yet.", ""]`` when no rate is measured;
        ``["Every stage converts at or above its plan rate.", ""]`` when none is behind.

    Notes
    -----
    A step's actual rate is :math:`A_{k+1} / A_k` over the months reported, measured when
    both stages are reported and :math:`A_k > 0`.

    Examples
    --------
    Seed 000's funnel with 16 MQLs instead of 18 from 90 leads, and 3 SQLs from them:

    >>> first, second = diagnosis_sentences(
    ...     [6000, 90, 16, 3, 1.2, 0.6], [0.015, 0.2, 0.2, 0.4, 0.5], 10)
    >>> print(first)
    Leads→MQLs at 17.8 % against 20 % costs about 1 customer by year end:
    review form qualification questions and lead sources.
    >>> print(second)
    MQLs→SQLs at 18.8 % against 20 % costs about 1 customer by year end:
    nurture MQLs with email and lead scoring.
    """
    counts = as_array(counts_to_date, "counts_to_date")
    rates = as_array(plan_rates, "plan_rates")
    if counts.ndim != 1 or rates.shape != (counts.shape[0] - 1,):
        raise ShapeMismatchError(
            "diagnosis_sentences takes one funnel: stage counts and one fewer plan rate"
        )
    names = tuple(stage_names) if stage_names is not None else default_stage_names(len(counts))
    if len(names) != len(counts):
        raise ShapeMismatchError(f"stage_names has {len(names)} names for {len(counts)} stages")
    upper, lower = counts[:-1], counts[1:]
    measured = ~np.isnan(upper) & ~np.isnan(lower) & (np.nan_to_num(upper) > 0)
    actual = np.where(measured, divide(np.nan_to_num(lower), np.nan_to_num(upper)), np.nan)
    if not measured.any():
        return [NO_DATA_MESSAGE, ""]
    ratio = divide(actual, rates)
    cost = step_cost(actual, rates, year_customers)
    steps = weakest_steps(ratio)
    if steps[0] < 0:
        return [ON_PLAN_MESSAGE, ""]
    return [
        ""
        if k < 0
        else step_sentence(names[k], names[k + 1], float(actual[k]), float(rates[k]), cost[k])
        for k in steps.tolist()
    ]


def reallocation_hint(spend: ArrayLike, conversions: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Which channels deserve more budget: share of conversions against share of spend.

    Parameters
    ----------
    spend : array_like
        Spend per channel so far, ≥ 0, channels along the last axis.
    conversions : array_like
        Conversions (customers) per channel so far, ≥ 0.

    Returns
    -------
    index : ndarray
        :math:`(c_k / \\sum c) / (s_k / \\sum s)`; NaN where a share is undefined.
    hint : ndarray of str
        :data:`MORE_BUDGET` where the index is above 1 (at 9 decimals), :data:`LESS_BUDGET`
        below, :data:`IN_LINE` at 1, ``""`` where undefined.

    References
    ----------
    Seed article ``004_b937e714abc4dca0.txt``: "if paid social costs three times what
    content syndication costs, it should bring three times the conversions"; re-check ROI
    monthly and quarterly and move budget.

    Examples
    --------
    >>> index, hint = reallocation_hint([30_000, 10_000], [3, 3])
    >>> index.round(2).tolist(), hint.tolist()[0]
    ([0.67, 2.0], 'Less budget: brings less than its share of spend')
    """
    cost = as_array(spend, "spend")
    won = as_array(conversions, "conversions")
    check_nonnegative(cost, "spend", "spend")
    check_nonnegative(won, "conversions", "a count")
    try:
        cost, won = np.broadcast_arrays(cost, won)
    except ValueError:
        raise ShapeMismatchError(
            f"spend has {cost.shape[-1] if cost.ndim else 1} channels but conversions "
            f"{won.shape[-1] if won.ndim else 1}: give one of each per channel"
        ) from None
    share_cost = divide(cost, cost.sum(axis=-1, keepdims=True))
    share_won = divide(won, won.sum(axis=-1, keepdims=True))
    index = divide(share_won, np.nan_to_num(share_cost))
    index = np.where(np.isnan(share_cost) | np.isnan(share_won), np.nan, index)
    key = comparable_ratio(index)
    hint = np.where(
        np.isnan(key), "", np.where(key > 1, MORE_BUDGET, np.where(key < 1, LESS_BUDGET, IN_LINE))
    ).astype(object)
    return index, hint
