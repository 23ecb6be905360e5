"""The funnel itself: solving it backwards from a target, running it forwards, reading rates."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import (
    as_array,
    ceil_whole,
    check_nonnegative,
    check_positive,
    check_rates,
    divide,
    fmt,
)
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError

__all__ = ["backsolve", "conversion_rates", "forward"]


def backsolve(
    target: ArrayLike,
    rates: ArrayLike,
    periods: ArrayLike = 1,
    round_up: bool = False,
    buffer: ArrayLike = 0.0,
) -> np.ndarray:
    """Volume every funnel stage needs to reach a bottom-of-funnel target (the reverse funnel).

    Parameters
    ----------
    target : array_like
        Volume of the bottom stage (usually customers) for the whole horizon, ≥ 0.
    rates : array_like
        Stage-to-stage conversion rates in funnel order, top → bottom, along the last axis
        (visits→leads, leads→MQL, …, opportunity→customer); each 0 < r ≤ 1. Leading axes
        broadcast against `target` to plan many scenarios at once.
    periods : array_like, default 1
        Split the target evenly over this many periods (12 → per month), > 0.
    round_up : bool, default False
        Round every stage up to whole units, working upward from the rounded-up bottom, so
        each stage is enough to deliver the rounded stage below it.
    buffer : array_like, default 0.0
        Safety margin, ≥ 0: 0.2 plans 20 % more at every stage (the bottom included).

    Returns
    -------
    ndarray
        Shape ``broadcast(target, rates[..., 0]) + (len(rates) + 1,)``: the required volume of
        every stage, top → bottom.

    Raises
    ------
    InvalidRateError
        A rate ≤ 0, > 1 or not finite (a 0 % stage can never reach the target).
    InvalidAmountError
        `target` or `buffer` negative, `periods` ≤ 0, or any not finite; a target so large
        for its rates that the top stage overflows a float.
    ShapeMismatchError
        No rates, or shapes that do not broadcast.

    Notes
    -----
    With rates :math:`r_0, \\dots, r_{n-1}`, target :math:`T`, periods :math:`p` and buffer
    :math:`b`, the bottom stage needs :math:`v_n = T (1 + b) / p` and every stage above it

    .. math:: v_i = \\frac{v_{i+1}}{r_i} = \\frac{v_n}{\\prod_{j=i}^{n-1} r_j}

    With `round_up`, :math:`v_n = \\lceil T (1+b) / p \\rceil` and
    :math:`v_i = \\lceil v_{i+1} / r_i \\rceil`, where rounding up ignores floating-point
    noise up to 1e-9 (:math:`\\lceil \\max(x - 10^{-9}, 0) \\rceil`).

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt``. Its monthly KPI table (visits 6,000, leads 90,
    MQLs 18, SQLs 3.6, opportunities 1.5, customers 0.75) is rounded; solved exactly from
    0.75 customers a month the funnel needs 6,250 visits, 93.75 leads, 18.75 MQLs,
    3.75 SQLs and 1.5 opportunities.

    Examples
    --------
    Seed 000: 9 customers a year, rates 1.5 %, 20 %, 20 %, 40 %, 50 %, per month:

    >>> rates = [0.015, 0.20, 0.20, 0.40, 0.50]
    >>> backsolve(9, rates, periods=12).tolist()
    [6250.0, 93.75, 18.75, 3.75, 1.5, 0.75]

    Whole units for the 10 customers $10M really needs, per month: 10 / 12 rounds up to one
    customer a month, which takes 2 opportunities, 5 SQLs (2 / 0.4), 25 MQLs, 125 leads and
    8,334 visits:

    >>> backsolve(10, rates, periods=12, round_up=True).tolist()
    [8334.0, 125.0, 25.0, 5.0, 2.0, 1.0]
    """
    goal = as_array(target, "target")
    conv = as_array(rates, "rates")
    split = as_array(periods, "periods")
    margin = as_array(buffer, "buffer")
    check_rates(conv)
    check_nonnegative(goal, "target", "a target")
    check_positive(split, "periods", "the number of periods")
    check_nonnegative(margin, "buffer", "a safety margin")
    bottom = _broadcast(goal * (1 + margin) / split, conv)
    # Stage by stage from the bottom, not by one cumulative product of the rates: each
    # division rounds once, so seed 000 gives exactly 6250 visits, not 6249.999999999998.
    volumes = np.empty((*bottom.shape, conv.shape[-1] + 1))
    volumes[..., -1] = ceil_whole(bottom) if round_up else bottom
    with np.errstate(over="ignore"):
        for stage in range(conv.shape[-1] - 1, -1, -1):
            above = np.divide(volumes[..., stage + 1], conv[..., stage], out=volumes[..., stage])
            if round_up:  # assigned, since a 0-d view cannot be rounded in place
                volumes[..., stage] = ceil_whole(above, in_place=True)
    top = volumes[..., 0]
    if top.size and not np.isfinite(top.max()):
        raise InvalidAmountError(
            f"target {fmt(float(goal.max()))} is too large for these rates: the top of the "
            "funnel would need more than 1.8e308, the largest number a spreadsheet can hold"
        )
    return volumes


def forward(top: ArrayLike, rates: ArrayLike) -> np.ndarray:
    """Volume reaching every funnel stage from a top-of-funnel volume.

    Parameters
    ----------
    top : array_like
        Volume entering the top stage (usually website visits), ≥ 0.
    rates : array_like
        Stage-to-stage conversion rates, top → bottom, along the last axis; each 0 ≤ r ≤ 1.

    Returns
    -------
    ndarray
        Shape ``broadcast(top, rates[..., 0]) + (len(rates) + 1,)``: volumes top → bottom.

    Raises
    ------
    InvalidRateError
        A rate < 0, > 1 or not finite.
    InvalidAmountError
        `top` negative or not finite.

    Notes
    -----
    .. math:: v_0 = \\text{top}, \\qquad v_{i+1} = v_i \\, r_i
              = \\text{top} \\prod_{j=0}^{i} r_j

    :func:`forward` undoes :func:`backsolve` without rounding:
    ``forward(backsolve(t, r)[..., 0], r)[..., -1] == t``.

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt``: its table's 6,000 visits a month bring only
    0.72 customers, not the 0.75 it plans for.

    Examples
    --------
    >>> forward(6000, [0.015, 0.20, 0.20, 0.40, 0.50]).round(4).tolist()
    [6000.0, 90.0, 18.0, 3.6, 1.44, 0.72]
    """
    start = as_array(top, "top")
    conv = as_array(rates, "rates")
    check_rates(conv, allow_zero=True)
    check_nonnegative(start, "top", "a volume")
    start = _broadcast(start, conv)
    kept = np.cumprod(np.broadcast_to(conv, start.shape + conv.shape[-1:]), axis=-1)
    ones = np.ones((*start.shape, 1))
    return start[..., None] * np.concatenate([ones, kept], axis=-1)


def conversion_rates(counts: ArrayLike) -> np.ndarray:
    """Stage-to-stage conversion rates from observed stage counts.

    Parameters
    ----------
    counts : array_like
        Observed volume of each stage, top → bottom, along the last axis (at least two
        stages), each ≥ 0.

    Returns
    -------
    ndarray
        One fewer element along the last axis: ``counts[i + 1] / counts[i]``. Where a stage's
        count is 0 the rate out of it is undefined and is NaN. Observed rates may exceed 1
        (this quarter's MQLs can come from last quarter's leads).

    Raises
    ------
    InvalidAmountError
        A count negative or not finite.
    ShapeMismatchError
        Fewer than two stages.

    Notes
    -----
    .. math:: r_i = \\frac{c_{i+1}}{c_i}

    References
    ----------
    Seed article ``001_973ba6308e195158.txt`` (diagnosing the stage that falls short) and
    ``004_b937e714abc4dca0.txt`` (9,900 of 10,000 emails delivered = 99 %).

    Examples
    --------
    >>> conversion_rates([10_000, 9_900])
    array([0.99])
    >>> conversion_rates([6250, 93.75, 18.75, 3.75, 1.5, 0.75])
    array([0.015, 0.2  , 0.2  , 0.4  , 0.5  ])
    """
    stages = as_array(counts, "counts")
    if stages.ndim == 0 or stages.shape[-1] < 2:
        raise ShapeMismatchError("counts must list at least two stages to give a conversion rate")
    upper = stages[..., :-1]
    check_nonnegative(stages, "counts", "a count")
    return divide(stages[..., 1:], upper)


def _broadcast(values: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Broadcast per-scenario ``values`` against the leading (scenario) axes of ``rates``."""
    try:
        shape = np.broadcast_shapes(values.shape, rates.shape[:-1])
    except ValueError:
        raise ShapeMismatchError(
            f"shapes {values.shape} and rates {rates.shape} do not fit: rates run along the "
            "last axis and their leading axes must broadcast against the target"
        ) from None
    return np.broadcast_to(values, shape)
