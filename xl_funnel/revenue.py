"""Revenue targets and the customers they take (seed articles 000 and 002)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import (
    as_array,
    ceil_whole,
    check_finite,
    check_nonnegative,
    check_positive,
    fmt,
    position,
    scalar_or_array,
)
from xl_funnel.errors import InvalidChoiceError, InvalidRateError, ShapeMismatchError

__all__ = ["customers_needed", "growth_rate", "target_revenue", "target_revenue_from_history"]


def target_revenue(last_revenue: ArrayLike, growth: ArrayLike) -> float | np.ndarray:
    """Next year's revenue target from last year's revenue and a target growth rate.

    Parameters
    ----------
    last_revenue : array_like
        Last year's revenue (money, ≥ 0).
    growth : array_like
        Target growth rate as a fraction (0.25 for 25 %); must be greater than -1.
        Broadcasts against `last_revenue`.

    Returns
    -------
    float or ndarray
        The revenue target. A float when both arguments are scalars.

    Raises
    ------
    InvalidAmountError
        `last_revenue` negative or not finite.
    InvalidRateError
        `growth` ≤ -1 (a target of zero or less) or not finite.

    Notes
    -----
    Seed 002 states it as

    .. math:: \\text{target} = \\text{last} \\times \\text{growth} + \\text{last}
              = \\text{last} \\times (1 + \\text{growth})

    References
    ----------
    Seed article ``002_54210b0d460e6280.txt`` (KPIs that prove the value of marketing).

    Examples
    --------
    A company that made $8M last year and targets 25 % growth:

    >>> target_revenue(8_000_000, 0.25)
    10000000.0
    >>> target_revenue([8e6, 4e6], [0.25, 0.10])
    array([10000000.,  4400000.])
    """
    last = as_array(last_revenue, "last_revenue")
    rate = as_array(growth, "growth")
    check_nonnegative(last, "last_revenue", "revenue")
    _check_growth(rate, "growth")
    return scalar_or_array(last * rate + last)


def growth_rate(history: ArrayLike, method: Literal["mean", "cagr"] = "mean") -> float | np.ndarray:
    """Average year-over-year growth of a revenue history (oldest → newest).

    Parameters
    ----------
    history : array_like
        Annual revenues, oldest first, along the last axis; at least two years, all > 0.
    method : {"mean", "cagr"}
        ``"mean"``: the arithmetic mean of the year-over-year growth rates.
        ``"cagr"``: the compound annual growth rate from the first to the last year.

    Returns
    -------
    float or ndarray
        The growth rate as a fraction; one per history (leading axes broadcast).

    Raises
    ------
    ShapeMismatchError
        Fewer than two years.
    InvalidAmountError
        A year's revenue ≤ 0 or not finite (growth from zero is undefined).
    InvalidChoiceError
        `method` is not ``"mean"`` or ``"cagr"``.

    Notes
    -----
    With revenues :math:`h_0, \\dots, h_n`:

    .. math:: g_\\text{mean} = \\frac{1}{n} \\sum_{t=1}^{n} \\left(\\frac{h_t}{h_{t-1}} - 1\\right)
              \\qquad g_\\text{cagr} = \\left(\\frac{h_n}{h_0}\\right)^{1/n} - 1

    The mean is what seed 002 describes ("take the average year-over-year growth"); it
    overstates growth when years alternate up and down, which the CAGR does not.

    Examples
    --------
    >>> round(growth_rate([5e6, 6e6, 7.2e6]), 6)
    0.2
    >>> round(growth_rate([100, 150, 150], method="cagr"), 6)
    0.224745
    """
    years = _history(history)
    if method == "mean":
        growth = (years[..., 1:] / years[..., :-1] - 1).mean(axis=-1)
    elif method == "cagr":
        growth = (years[..., -1] / years[..., 0]) ** (1 / (years.shape[-1] - 1)) - 1
    else:
        raise InvalidChoiceError(f"method is {method!r}: use 'mean' or 'cagr'")
    return scalar_or_array(np.asarray(growth))


def target_revenue_from_history(
    history: ArrayLike,
    uplift: ArrayLike = 0.05,
    method: Literal["mean", "cagr"] = "mean",
) -> float | np.ndarray:
    """Next year's revenue target from past years' revenue, raised "a little".

    Parameters
    ----------
    history : array_like
        Annual revenues, oldest first, along the last axis; at least two years, all > 0.
    uplift : array_like, default 0.05
        Percentage points added to the historical growth rate (0.05 = five points, so 12 %
        average growth becomes a 17 % target). Broadcasts against the leading axes of `history`.
    method : {"mean", "cagr"}, default "mean"
        How the historical growth rate is averaged; see :func:`growth_rate`.

    Returns
    -------
    float or ndarray
        ``last year × (1 + growth + uplift)``.

    Raises
    ------
    ShapeMismatchError
        Fewer than two years of history.
    InvalidAmountError
        A year's revenue ≤ 0 or not finite.
    InvalidRateError
        ``growth + uplift`` ≤ -1.
    InvalidChoiceError
        `method` is not ``"mean"`` or ``"cagr"``.

    Notes
    -----
    Seed 002: "look at the last 3 years of revenue, take the average year-over-year growth,
    raise it a little (maybe by five percent)". We read "five percent" as five *percentage
    points* added to the growth rate (12 % → 17 %), not 5 % of the rate (12 % → 12.6 %): the
    article's point is a stretch goal, and a 0.6-point stretch is none. Then

    .. math:: \\text{target} = h_n \\times (g + \\text{uplift}) + h_n

    References
    ----------
    Seed article ``002_54210b0d460e6280.txt``.

    Examples
    --------
    Revenues of $5M, $6M and $7.2M grew 20 % a year; five points more gives 25 %:

    >>> target_revenue_from_history([5e6, 6e6, 7.2e6])
    9000000.0
    >>> target_revenue_from_history([5e6, 6e6, 7.2e6], uplift=0)
    8640000.0
    """
    years = _history(history)
    extra = as_array(uplift, "uplift")
    check_finite(extra, "uplift")
    growth = as_array(growth_rate(years, method), "growth") + extra
    _check_growth(growth, "growth + uplift")
    last = years[..., -1]
    return scalar_or_array(last * growth + last)


def customers_needed(
    new_revenue: ArrayLike, avg_deal_size: ArrayLike, round_up: bool = True
) -> float | np.ndarray:
    """New customers needed to bring a new-revenue goal at an average deal size.

    Parameters
    ----------
    new_revenue : array_like
        Revenue the new customers must bring (money, ≥ 0).
    avg_deal_size : array_like
        Average first-year revenue of a new customer (money, > 0).
    round_up : bool, default True
        Round up to whole customers. Rounding *down* would miss the goal: seed 000 needs
        $10M at $1.1M a deal and says "9 customers", but 9 bring only $9.9M; 10 are needed.

    Returns
    -------
    float or ndarray
        ``new_revenue / avg_deal_size``, rounded up when `round_up`.

    Raises
    ------
    InvalidAmountError
        `new_revenue` negative, `avg_deal_size` ≤ 0, or either not finite.

    Notes
    -----
    .. math:: \\text{customers} = \\left\\lceil \\frac{\\text{new revenue}}
              {\\text{average deal size}} \\right\\rceil

    Floating-point noise up to 1e-9 is ignored when rounding up (``ceil(max(x − 1e-9, 0))``),
    so $2.1M at $0.3M a deal, in millions, needs 7 customers, not the 8 that a bare
    ``ceil(2.1 / 0.3)`` (``ceil(7.000000000000001)``) gives.

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt`` (annual marketing plan KPIs).

    Examples
    --------
    >>> round(customers_needed(10e6, 1.1e6, round_up=False), 4)
    9.0909
    >>> customers_needed(10e6, 1.1e6)
    10.0
    """
    revenue = as_array(new_revenue, "new_revenue")
    deal = as_array(avg_deal_size, "avg_deal_size")
    check_nonnegative(revenue, "new_revenue", "revenue")
    check_positive(deal, "avg_deal_size", "the average deal size")
    customers = revenue / deal
    return scalar_or_array(ceil_whole(customers, in_place=True) if round_up else customers)


def _history(history: ArrayLike) -> np.ndarray:
    years = as_array(history, "history")
    if years.ndim == 0 or years.shape[-1] < 2:
        count = 1 if years.ndim == 0 else years.shape[-1]
        raise ShapeMismatchError(
            f"history has {count} year(s): at least 2 years of revenue are needed for a growth rate"
        )
    check_positive(years, "history", "a year's revenue")
    return years


def _check_growth(rate: np.ndarray, name: str) -> None:
    check_finite(rate, name)
    bad = rate <= -1
    if bad.any():
        value = float(rate[bad].flat[0]) if rate.ndim else float(rate)
        raise InvalidRateError(
            f"{position(name, bad)} is {fmt(value)}: growth of -100 % or less leaves no revenue"
        )
