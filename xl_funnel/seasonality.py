"""Spreading an annual figure over the months, and moving it earlier by a lead time."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, check_nonnegative, fmt
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError

__all__ = ["seasonal_split", "shift_earlier"]


def seasonal_split(total: ArrayLike, weights: ArrayLike) -> np.ndarray:
    """Split an annual total over periods in proportion to seasonality weights.

    Parameters
    ----------
    total : array_like
        The annual figure (≥ 0); leading axes broadcast against `weights`' leading axes.
    weights : array_like
        Relative weight of each period along the last axis (12 for months), each ≥ 0, not all
        0. Only the proportions matter: ``[1] * 12`` and ``[100 / 12] * 12`` are both flat.

    Returns
    -------
    ndarray
        ``total × w / Σw`` per period; the periods sum to `total`.

    Raises
    ------
    InvalidAmountError
        A negative or non-finite total or weight, or weights summing to 0.
    ShapeMismatchError
        No weights.

    Notes
    -----
    .. math:: x_m = T \\cdot \\frac{w_m}{\\sum_k w_k}

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt`` (the plan's KPI table per month) and
    ``001_973ba6308e195158.txt`` (track the plan by month and by quarter).

    Examples
    --------
    Seed 000: 9 customers over a flat year is 0.75 a month:

    >>> seasonal_split(9, [1] * 12).tolist()[:3]
    [0.75, 0.75, 0.75]

    A December twice as busy as the other months:

    >>> seasonal_split(13, [1] * 11 + [2]).tolist()[-2:]
    [1.0, 2.0]
    """
    amount = as_array(total, "total")
    shares = as_array(weights, "weights")
    if shares.ndim == 0 or shares.shape[-1] == 0:
        raise ShapeMismatchError("weights must list at least one period")
    check_nonnegative(amount, "total", "a total")
    check_nonnegative(shares, "weights", "a seasonality weight")
    sums = shares.sum(axis=-1, keepdims=True)
    if (sums <= 0).any():
        raise InvalidAmountError("weights sum to 0: at least one period needs a weight above 0")
    return amount[..., None] * (shares / sums)


def shift_earlier(values: ArrayLike, months: float) -> np.ndarray:
    """Move a monthly series earlier by a lead time, splitting fractional months.

    Parameters
    ----------
    values : array_like
        Monthly volumes along the last axis (e.g. customers closing each month).
    months : float
        Lead time in months, ≥ 0; may be fractional.

    Returns
    -------
    ndarray
        ``ceil(months)`` more columns than `values`, the first being that many months before
        `values`' first month. Totals along the last axis are preserved.

    Raises
    ------
    InvalidAmountError
        `months` negative or not finite.

    Notes
    -----
    With ``months = k + f`` (``k`` whole, ``0 ≤ f < 1``), what is needed in month ``m`` is
    produced ``(1 − f)`` in month ``m − k`` and ``f`` in month ``m − k − 1``. With
    ``L = ceil(months)`` leading months, output column ``j`` (month ``j − L``) is

    .. math:: y_j = (1 - f)\\, x_{j - L + k} + f\\, x_{j - L + k + 1}

    with :math:`x` = 0 outside its months. :func:`xl_funnel.scheduling.schedule_volumes`
    applies it stage by stage (one lag per transition); the plan workbook's monthly table
    mirrors that schedule.

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt``: plan "up the funnel", so the work at the top
    starts before the deals it brings close.

    Examples
    --------
    Two months earlier, whole months:

    >>> shift_earlier([1, 2, 3], 2).tolist()
    [1.0, 2.0, 3.0, 0.0, 0.0]

    Half a month: half in the same month, half in the month before:

    >>> shift_earlier([2, 4], 0.5).tolist()
    [1.0, 3.0, 2.0]
    """
    series = as_array(values, "values")
    if series.ndim == 0:
        raise ShapeMismatchError("values must be a monthly series (at least one month)")
    if not math.isfinite(months) or months < 0:
        raise InvalidAmountError(f"months is {fmt(months)}: a lead time cannot be negative")
    whole = math.floor(months)
    part = months - whole
    lead = math.ceil(months)
    length = series.shape[-1]
    padded = np.zeros((*series.shape[:-1], lead + length + 1))
    # Column p of `padded` holds the month p − lead + whole of `series` (0 outside it).
    start = lead - whole
    padded[..., start : start + length] = series
    return (1 - part) * padded[..., : lead + length] + part * padded[..., 1 : lead + length + 1]
