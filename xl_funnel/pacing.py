"""Pacing: is the year on track? Project the year-end from the results so far (seed 001)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import (
    as_array,
    check_nonnegative,
    check_positive,
    divide,
    first_bad,
    fmt,
    position,
    scalar_or_array,
)
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError
from xl_funnel.seasonality import seasonal_split

__all__ = ["Pace", "expected_share", "pace"]

#: Months in the year that monthly actuals are counted against when no seasonality is given.
MONTHS_PER_YEAR = 12


class Pace(NamedTuple):
    """Where the year is heading at the current pace."""

    projected: float | np.ndarray
    """Projected year-end result: the actual to date divided by the share of the year's
    result expected by now. NaN where nothing was expected yet."""
    attainment: float | np.ndarray
    """Projected year-end as a fraction of the annual target (1.0 = on track, 0.8 = heading
    for 80 %). NaN where the target or the expected share is 0."""


def expected_share(elapsed: ArrayLike, seasonality: ArrayLike | None = None) -> float | np.ndarray:
    """Share of the year's result a plan expects by now.

    Parameters
    ----------
    elapsed : array_like
        Without `seasonality`: the fraction of the year elapsed, 0 < e ≤ 1 (0.25 after one
        quarter). With `seasonality`: the number of its periods elapsed, 0 < e ≤ P, where a
        fractional part counts that part of the next period's weight (2.5 = two months and
        half of the third).
    seasonality : array_like, optional
        Relative weight of each period of the year along the last axis (12 months, 4
        quarters, …), each ≥ 0, not all 0; normalised by their sum.

    Returns
    -------
    float or ndarray
        The expected share, between 0 and 1.

    Raises
    ------
    InvalidAmountError
        `elapsed` ≤ 0 or beyond the year, a weight negative or not finite, all weights 0.
    ShapeMismatchError
        `seasonality` is a single number or empty.

    Notes
    -----
    Without seasonality the share is `elapsed` itself. With weights :math:`w_1, \\dots, w_P`
    and :math:`e = k + f` periods elapsed (:math:`k` whole, :math:`0 \\le f < 1`):

    .. math:: s(e) = \\frac{\\sum_{j \\le k} w_j + f \\, w_{k+1}}{\\sum_{j=1}^{P} w_j}

    Examples
    --------
    >>> expected_share(0.25)
    0.25
    >>> expected_share(1, [20, 25, 25, 30]), expected_share(2.5, [20, 25, 25, 30])
    (0.2, 0.575)
    """
    when = as_array(elapsed, "elapsed")
    check_positive(when, "elapsed", "the time elapsed")
    if seasonality is None:
        _check_at_most(when, 1.0, "without seasonality it is the fraction of the year elapsed")
        return scalar_or_array(when)
    weights = _weights(seasonality)
    check_nonnegative(weights, "seasonality", "a seasonality weight")
    if (weights.sum(axis=-1) <= 0).any():
        raise InvalidAmountError("seasonality weights are all 0: give each period a weight")
    periods = weights.shape[-1]
    _check_at_most(when, periods, f"with {periods} seasonality weights it counts periods")
    shares = seasonal_split(1.0, weights)
    try:
        shape = np.broadcast_shapes(when.shape, shares.shape[:-1])
    except ValueError:
        raise ShapeMismatchError(
            f"elapsed {when.shape} and seasonality {weights.shape} do not fit: periods run "
            "along the last axis of seasonality, whose leading axes must broadcast"
        ) from None
    before = np.concatenate([np.zeros((*shares.shape[:-1], 1)), np.cumsum(shares, axis=-1)], -1)
    whole = np.broadcast_to(np.minimum(np.floor(when), periods - 1).astype(int), shape)[..., None]
    done = np.take_along_axis(np.broadcast_to(before, (*shape, periods + 1)), whole, axis=-1)
    part = np.take_along_axis(np.broadcast_to(shares, (*shape, periods)), whole, axis=-1)
    return scalar_or_array(
        done[..., 0] + (np.broadcast_to(when, shape) - whole[..., 0]) * part[..., 0]
    )


def pace(
    actual_to_date: ArrayLike,
    annual_target: ArrayLike,
    elapsed: ArrayLike | None = None,
    seasonality: ArrayLike | None = None,
) -> Pace:
    """Projected year-end result and share of the annual target at the pace so far.

    Parameters
    ----------
    actual_to_date : array_like
        The result so far this year (customers, MQLs, revenue…), ≥ 0. When `elapsed` is
        omitted, the actuals of each period so far along the last axis: their sum is the
        result to date and their number the periods elapsed.
    annual_target : array_like
        The year's target, ≥ 0.
    elapsed : array_like, optional
        Without `seasonality`: the fraction of the year elapsed, 0 < e ≤ 1. With
        `seasonality`: the number of its periods elapsed (months for 12 weights), fractional
        allowed. Omitted: the number of actuals given, as months of a 12-month year without
        `seasonality`, as its periods with it.
    seasonality : array_like, optional
        Relative weight of each period of the year (see :func:`expected_share`); without it
        the year is expected to accrue evenly.

    Returns
    -------
    Pace
        ``projected`` year-end and ``attainment`` = projected / target, floats for scalar
        input.

    Raises
    ------
    InvalidAmountError
        A negative or non-finite amount; `elapsed` ≤ 0 or beyond the year; bad weights.
    ShapeMismatchError
        `elapsed` omitted with a single actual, or more monthly actuals than the year has.

    Notes
    -----
    With :math:`A` the actual to date, :math:`T` the target and :math:`s` the expected share
    of the year by now (:func:`expected_share`):

    .. math:: \\hat Y = \\frac{A}{s}, \\qquad \\text{attainment} = \\frac{\\hat Y}{T}
              = \\frac{A}{s \\, T}

    so attainment is also the actual against what the plan expected by now. An even year has
    :math:`s` = the elapsed fraction; a seasonal one expects more in strong months, so the
    same actuals can be behind in one and on track in the other.

    References
    ----------
    Seed article ``001_973ba6308e195158.txt``: track the KPIs month by month and quarter by
    quarter; quarterly results tell whether the year is on track. Seed
    ``002_54210b0d460e6280.txt`` sets leads per quarter from 2,000 to 3,000.

    Examples
    --------
    10,000 leads planned for the year, 2,000 after the first quarter: at an even pace the
    year ends at 8,000, 80 % of target.

    >>> pace(2000, 10_000, 0.25)
    Pace(projected=8000.0, attainment=0.8)

    If the plan expected only 20 % in the first quarter (quarterly weights 20, 25, 25, 30),
    the same 2,000 leads are right on track:

    >>> pace(2000, 10_000, 1, [20, 25, 25, 30])
    Pace(projected=10000.0, attainment=1.0)

    Monthly actuals, the months elapsed counted for you (3 of 12):

    >>> pace([700, 650, 650], 10_000)
    Pace(projected=8000.0, attainment=0.8)
    """
    actual = as_array(actual_to_date, "actual_to_date")
    target = as_array(annual_target, "annual_target")
    check_nonnegative(actual, "actual_to_date", "a result")
    check_nonnegative(target, "annual_target", "a target")
    if elapsed is None:
        if actual.ndim == 0:
            raise ShapeMismatchError(
                "elapsed is missing: give the fraction of the year elapsed (0.25 after one "
                "quarter), or the actuals month by month"
            )
        periods = actual.shape[-1]
        year = MONTHS_PER_YEAR if seasonality is None else _weights(seasonality).shape[-1]
        if periods > year:
            raise ShapeMismatchError(
                f"actual_to_date has {periods} periods of actuals but the year has {year}"
            )
        elapsed = periods / MONTHS_PER_YEAR if seasonality is None else float(periods)
        actual = actual.sum(axis=-1)
    share = np.asarray(expected_share(elapsed, seasonality))
    projected = divide(actual, share, float(share.min()))
    attainment = divide(projected, target, float(target.min()) if target.size else 0.0)
    return Pace(scalar_or_array(projected), scalar_or_array(attainment))


def _weights(seasonality: ArrayLike) -> np.ndarray:
    weights = as_array(seasonality, "seasonality")
    if weights.ndim == 0 or weights.shape[-1] == 0:
        raise ShapeMismatchError(
            "seasonality must list the weight of every period of the year (12 months, 4 quarters…)"
        )
    return weights


def _check_at_most(values: np.ndarray, limit: float, why: str) -> None:
    bad = values > limit
    if bad.any():
        value = first_bad(values, bad)
        hint = (
            f" (did you mean {fmt(value)} months, i.e. {fmt(value / MONTHS_PER_YEAR)}?)"
            if limit == 1.0 and value <= MONTHS_PER_YEAR
            else ""
        )
        raise InvalidAmountError(
            f"{position('elapsed', bad)} is {fmt(value)}: {why}, at most {fmt(limit)}{hint}"
        )
