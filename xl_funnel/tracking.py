"""Tracking the year: monthly actuals against the plan, where the year is heading, catching up.

Actuals come month by month, NaN for a month not reported yet (a blank cell). Every function
works along the last axis (the months) and broadcasts over the leading ones (stages,
channels, scenarios), like a ufunc. The plan workbook's Tracking sheet mirrors each one in
native formulas; tests prove them equal in LibreOffice and ``xl-funnel recalc``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import (
    CEIL_TOLERANCE,
    as_array,
    ceil_whole,
    check_nonnegative,
    divide,
    scalar_or_array,
)
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError

__all__ = [
    "BEHIND",
    "ON_TRACK",
    "CatchUp",
    "PlanVsActual",
    "Shortfall",
    "catch_up",
    "months_reported",
    "plan_vs_actual",
    "projected_at_rates",
    "shortfall",
    "tracking_status",
]

ON_TRACK = "On track"
NAN = float("nan")
BEHIND = "Behind"


class PlanVsActual(NamedTuple):
    """Actuals so far against the plan, one value per row of months (NaN: nothing reported)."""

    actual: np.ndarray
    """Sum of the months reported."""
    plan: np.ndarray
    """The plan of the same months (the plan *to date*)."""
    variance: np.ndarray
    """``actual − plan``."""
    percent_of_plan: np.ndarray
    """``actual / plan``; NaN where the plan to date is 0."""
    expected_share: np.ndarray
    """Share of the year's plan expected by now: plan to date / year plan (seasonality)."""
    projected: np.ndarray
    """Year end at the current pace: actual / expected share."""
    attainment: np.ndarray
    """Projected / year plan (1 = on track, 0.8 = heading for 80 %)."""


def _months(actual: ArrayLike, plan: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    got = as_array(actual, "actual")
    want = as_array(plan, "plan")
    if got.ndim == 0 or want.ndim == 0:
        raise ShapeMismatchError("actual and plan are months along the last axis: give a list")
    try:
        shape = np.broadcast_shapes(got.shape, want.shape)
    except ValueError:
        raise ShapeMismatchError(
            f"actual {got.shape} and plan {want.shape} do not broadcast: give one plan figure "
            "per month of actuals"
        ) from None
    check_nonnegative(np.nan_to_num(got), "actual", "an actual")
    if (got == np.inf).any():
        raise InvalidAmountError("actual holds an infinite value: type counts and amounts")
    check_nonnegative(want, "plan", "a plan figure")
    return np.broadcast_to(got, shape), np.broadcast_to(want, shape)


def plan_vs_actual(actual: ArrayLike, plan: ArrayLike) -> PlanVsActual:
    """Actual to date against the plan to date, and the year end at the current pace.

    Parameters
    ----------
    actual : array_like
        Actuals per period along the last axis (12 months; 3 for a quarter); NaN where a
        period is not reported yet. Each ≥ 0.
    plan : array_like
        The plan's figure for the same periods (broadcasts against `actual`), each ≥ 0.

    Returns
    -------
    PlanVsActual
        Arrays over the leading axes (floats for one row of months); NaN where nothing is
        reported, and ratios NaN where their denominator is 0.

    Raises
    ------
    InvalidAmountError
        A negative actual or plan figure, an infinite actual.
    ShapeMismatchError
        Scalars, or shapes that do not broadcast.

    Notes
    -----
    With :math:`R` the periods reported, actuals :math:`a_m` and plan :math:`p_m`:

    .. math::
        A = \\sum_{m \\in R} a_m, \\quad P = \\sum_{m \\in R} p_m, \\quad
        Y = \\sum_m p_m, \\quad s = P / Y, \\quad \\hat{Y} = A / s, \\quad
        \\text{attainment} = \\hat{Y} / Y = A / P

    The expected share honours seasonality: the plan's own months weigh each month, so a
    plan that expects a slow summer expects less by August than 8/12 of the year.

    References
    ----------
    Seed article ``001_973ba6308e195158.txt``: track by month and quarter whether the year is
    on track.

    Examples
    --------
    Leads in H1 of a plan of 100 a month, 120 in Q4's months:

    >>> nan = float("nan")
    >>> plan = [100] * 9 + [120] * 3
    >>> result = plan_vs_actual([90, 95, 100, 80, 85, 90] + [nan] * 6, plan)
    >>> result.actual, result.plan, round(result.percent_of_plan, 4)
    (540.0, 600.0, 0.9)
    >>> round(result.expected_share, 4), round(result.projected, 1), round(result.attainment, 2)
    (0.4762, 1134.0, 0.9)
    """
    got, want = _months(actual, plan)
    reported = ~np.isnan(got)
    any_reported = reported.any(axis=-1)
    to_date = np.where(any_reported, np.where(reported, got, 0.0).sum(axis=-1), np.nan)
    plan_to_date = np.where(any_reported, np.where(reported, want, 0.0).sum(axis=-1), np.nan)
    year = want.sum(axis=-1)
    share = divide(plan_to_date, year)
    projected = divide(to_date, np.where(share == 0, 0.0, share))
    projected = np.where(share == 0, np.nan, projected)
    return PlanVsActual(
        *(
            scalar_or_array(np.asarray(v, dtype=float))
            for v in (
                to_date,
                plan_to_date,
                to_date - plan_to_date,
                divide(to_date, plan_to_date),
                share,
                projected,
                divide(projected, year),
            )
        )
    )


def tracking_status(attainment: ArrayLike, threshold: ArrayLike = 0.9) -> str | np.ndarray:
    """``"On track"`` at `threshold` of the plan or more, ``"Behind"`` below, ``""`` unknown.

    Examples
    --------
    >>> tracking_status([0.95, 0.9, 0.89, float("nan")]).tolist()
    ['On track', 'On track', 'Behind', '']
    """
    value = as_array(attainment, "attainment")
    limit = as_array(threshold, "threshold")
    status = np.where(np.isnan(value), "", np.where(value >= limit, ON_TRACK, BEHIND)).astype(
        object
    )
    return str(status) if status.ndim == 0 else status


def months_reported(actual: ArrayLike) -> int | np.ndarray:
    """The latest month with any actual reported (0 when none), over every row of months.

    Examples
    --------
    >>> nan = float("nan")
    >>> months_reported([[5, 6, nan, nan], [1, nan, 2, nan]])
    3
    """
    got = as_array(actual, "actual")
    if got.ndim < 2:
        got = got[None, ...]
    filled = ~np.isnan(got)
    anywhere = filled.any(axis=-2)
    count = got.shape[-1]
    last = np.where(anywhere.any(axis=-1), count - np.argmax(anywhere[..., ::-1], axis=-1), 0)
    return int(last) if np.ndim(last) == 0 else last


def projected_at_rates(actual: ArrayLike, plan: ArrayLike, plan_rates: ArrayLike) -> np.ndarray:
    """Year end of every stage if the top of the funnel keeps to plan and converts as so far.

    Parameters
    ----------
    actual : array_like
        Stages × months actuals (NaN: not reported), top → bottom on the second-to-last axis.
    plan : array_like
        Stages × months plan volumes.
    plan_rates : array_like
        The plan's stage-to-stage rates, one fewer than the stages, each > 0.

    Returns
    -------
    ndarray
        One projection per stage; NaN where the stage or a step above it has no defined rate.

    Notes
    -----
    With :math:`A_i` the stage's actual to date, :math:`P^{rest}_i` its plan for the months
    not reported, and :math:`\\rho_k = (A_{k+1} / A_k) / r_k` each step's actual rate to date
    against plan:

    .. math:: \\hat{Y}_i = A_i + P^{rest}_i \\prod_{k < i} \\rho_k

    The top stage projects at its plan; each stage below loses (or gains) what the steps
    above it convert below (or above) plan.

    Examples
    --------
    >>> nan = float("nan")
    >>> actual = [[100, 100, nan, nan], [10, 8, nan, nan]]
    >>> plan = [[100] * 4, [10] * 4]
    >>> projected_at_rates(actual, plan, [0.1]).tolist()
    [400.0, 36.0]
    """
    got, want = _months(actual, plan)
    rates = as_array(plan_rates, "plan_rates")
    if got.ndim < 2 or rates.shape[-1] != got.shape[-2] - 1:
        raise ShapeMismatchError(
            f"plan_rates has {rates.shape[-1]} rates for {got.shape[-2] if got.ndim > 1 else 1}"
            " stages: give one rate per step, one fewer than the stages"
        )
    check_nonnegative(rates, "plan_rates", "a rate")
    reported = ~np.isnan(got)
    any_reported = reported.any(axis=-1)
    to_date = np.where(any_reported, np.where(reported, got, 0.0).sum(axis=-1), np.nan)
    rest = np.where(reported, 0.0, want).sum(axis=-1)
    actual_rates = divide(to_date[..., 1:], np.nan_to_num(to_date[..., :-1]))
    actual_rates = np.where(np.isnan(to_date[..., :-1]), np.nan, actual_rates)
    ratio = divide(actual_rates, rates)
    factor = np.concatenate([np.ones((*ratio.shape[:-1], 1)), np.cumprod(ratio, axis=-1)], axis=-1)
    return to_date + rest * factor


class CatchUp(NamedTuple):
    """What the remaining months must generate to still reach the year's customers."""

    volumes: np.ndarray
    """Per stage, top → bottom: whole units over all the remaining months."""
    per_month: np.ndarray
    """``volumes`` / months left rounded up to whole units (NaN when no month is left)."""


def catch_up(
    target: ArrayLike, customers_to_date: ArrayLike, rates: ArrayLike, months_left: ArrayLike
) -> CatchUp:
    """Volumes every stage must still generate for the year to reach its customer target.

    Parameters
    ----------
    target : array_like
        Customers the year must win, ≥ 0.
    customers_to_date : array_like
        Customers won so far, ≥ 0 (NaN counts as none).
    rates : array_like
        Stage-to-stage rates to plan with, top → bottom along the last axis: the plan's, or
        the actual rates so far (which may exceed 1 when a lag brings in more than a month's
        stage above). A rate ≤ 0 or NaN can never catch up: every stage above it is NaN.
    months_left : array_like
        Months of the year not reported yet, ≥ 0.

    Returns
    -------
    CatchUp
        ``volumes`` (stages along the last axis) and ``per_month``.

    Notes
    -----
    The customers still needed are :math:`R = \\max(T - C, 0)`; like :func:`~xl_funnel.
    backsolve` with ``round_up``, :math:`v_n = \\lceil R \\rceil` and
    :math:`v_i = \\lceil v_{i+1} / r_i \\rceil`, so the volumes run forward at the same
    rates deliver at least :math:`R`: never short. Each month left must bring
    :math:`\\lceil v_i / m \\rceil` (people come whole; the months together bring at least
    :math:`v_i`).

    References
    ----------
    Seed article ``001_973ba6308e195158.txt``: quarterly results tell whether the year is on
    track, and what the next quarter must bring.

    Examples
    --------
    Ten customers a year, three won by June, seed 000's rates, six months left:

    >>> result = catch_up(10, 3, [0.015, 0.2, 0.2, 0.4, 0.5], 6)
    >>> result.volumes.tolist()
    [58334.0, 875.0, 175.0, 35.0, 14.0, 7.0]
    >>> result.per_month.tolist()
    [9723.0, 146.0, 30.0, 6.0, 3.0, 2.0]
    """
    goal = as_array(target, "target")
    won = np.nan_to_num(as_array(customers_to_date, "customers_to_date"))
    conv = as_array(rates, "rates")
    left = as_array(months_left, "months_left")
    check_nonnegative(goal, "target", "a target")
    check_nonnegative(won, "customers_to_date", "a count")
    check_nonnegative(left, "months_left", "a number of months")
    if conv.ndim == 0:
        raise ShapeMismatchError("rates must list the stage-to-stage rates, top → bottom")
    usable = np.where(np.isnan(conv) | (conv <= 0), np.nan, conv)
    remaining = np.maximum(goal - won, 0.0)
    shape = np.broadcast_shapes(remaining.shape, usable.shape[:-1])
    volumes = np.empty((*shape, usable.shape[-1] + 1))
    volumes[..., -1] = ceil_whole(np.broadcast_to(remaining, shape))
    if not shape:
        # One funnel: stage by stage in plain floats (a long funnel would pay numpy's
        # per-call overhead at every stage); the same rule as ceil_whole.
        below = float(volumes[-1])
        for stage, rate in reversed(list(enumerate(usable.tolist()))):
            above = below / rate if rate == rate and below == below else NAN
            if math.isfinite(above):
                above = float(math.ceil(max(above - CEIL_TOLERANCE, 0.0)))
            volumes[stage] = below = above
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            for stage in range(usable.shape[-1] - 1, -1, -1):
                above = volumes[..., stage + 1] / usable[..., stage]
                volumes[..., stage] = np.where(
                    np.isnan(above), np.nan, ceil_whole(np.nan_to_num(above))
                )
    per_month = divide(volumes, np.asarray(left, dtype=float)[..., None])
    per_month = np.where(np.isnan(per_month), np.nan, ceil_whole(np.nan_to_num(per_month)))
    return CatchUp(volumes, per_month)


class Shortfall(NamedTuple):
    """Customers and revenue the year misses if nothing changes (0 when it gets there)."""

    customers: float | np.ndarray
    revenue: float | np.ndarray


def shortfall(target: ArrayLike, projected: ArrayLike, deal_size: ArrayLike) -> Shortfall:
    """The customers and revenue a projection falls short of the year's target.

    Notes
    -----
    .. math:: S = \\max(T - \\hat{Y}, 0), \\qquad S_{\\$} = S \\times \\text{deal size}

    Examples
    --------
    >>> shortfall(10, 7.5, 1_100_000)
    Shortfall(customers=2.5, revenue=2750000.0)
    >>> shortfall([10, 10], [12, float("nan")], 1_000).customers.tolist()
    [0.0, nan]
    """
    goal = as_array(target, "target")
    ahead = as_array(projected, "projected")
    size = as_array(deal_size, "deal_size")
    check_nonnegative(size, "deal_size", "a deal size")
    missing = np.where(np.isnan(ahead), np.nan, np.maximum(goal - np.nan_to_num(ahead), 0.0))
    return Shortfall(scalar_or_array(missing), scalar_or_array(missing * size))
