"""Which funnel lever moves revenue most: improve one stage rate at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, check_nonnegative, check_rates, fmt
from xl_funnel.diagnosis import default_stage_names
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError
from xl_funnel.funnel import forward

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SENSITIVITY_COLUMNS", "sensitivity"]

#: Columns of the table :func:`sensitivity` returns, in order.
SENSITIVITY_COLUMNS = ("rate", "improved_rate", "customers", "customers_change", "revenue_change")


def sensitivity(
    top_volume: float,
    rates: ArrayLike,
    deal_size: float = 1.0,
    step: float = 0.10,
    *,
    absolute: bool = False,
    names: Sequence[str] | None = None,
    targets: ArrayLike | None = None,
) -> pd.DataFrame:
    """Change in customers and revenue when each stage rate alone improves by `step`.

    Parameters
    ----------
    top_volume : float
        Top-of-funnel volume (visits), ≥ 0.
    rates : array_like
        Stage-to-stage conversion rates, top → bottom, each 0 ≤ r ≤ 1.
    deal_size : float, default 1.0
        Revenue per customer, ≥ 0 (1 reports revenue in customers).
    step : float, default 0.10
        The improvement: relative by default (0.10 = each rate 10 % better, ``r (1 + step)``),
        or in rate points with ``absolute=True`` (0.01 = one percentage point, ``r + step``).
        Improved rates are capped at 1. A negative step (> −1 when relative) shows what a
        worse rate costs.
    absolute : bool, default False
        Read `step` as rate points instead of a relative change.
    names : sequence of str, optional
        A label per rate. Default: ``Visits→Leads`` … for the six seed stages, else
        ``Stage 1→Stage 2`` ….
    targets : array_like, optional
        An achievable rate per stage (each 0 ≤ a ≤ 1): each rate alone moves to its target
        instead of by `step` (which is then ignored). What a team believes it can reach
        differs by stage, so this ranks levers by what they can actually bring.

    Returns
    -------
    pandas.DataFrame
        One row per rate, indexed by ``transition`` and ranked by ``revenue_change``
        (largest first; ties keep funnel order): ``rate``, ``improved_rate``, ``customers``
        (with that one improvement), ``customers_change`` and ``revenue_change`` (against the
        plan as it is). Ready for a tornado chart.

    Raises
    ------
    InvalidRateError
        A rate outside 0–1.
    InvalidAmountError
        A negative or non-finite volume or deal size; a relative step ≤ −1.
    ShapeMismatchError
        `names` not one per rate.

    Notes
    -----
    Customers are :math:`C = V \\prod_j r_j`. With `targets` :math:`a_i`, rate :math:`i`
    alone moves to :math:`r_i' = a_i`. Improving rate :math:`i` alone to
    :math:`r_i' = \\min(1, r_i (1 + s))` gives

    .. math:: \\Delta C_i = C \\left(\\frac{r_i'}{r_i} - 1\\right), \\qquad
              \\Delta R_i = \\Delta C_i \\times \\text{deal size}.

    In a funnel every rate multiplies the others, so a relative step moves customers by the
    same :math:`s\\,C` at every stage — unless the cap bites: a stage already at 95 % can gain
    only 5.3 %. The ranking then says which levers are nearly exhausted, and the choice
    between the others comes down to which improvement is cheapest. In rate points
    (``absolute=True``) the gain is :math:`C\\,s / r_i`: the lowest rates are the biggest
    levers.

    References
    ----------
    Seed article ``001_973ba6308e195158.txt`` (work on the stage that falls short) and
    ``000_23589bf1b62aec3e.txt`` (the funnel and its rates).

    Examples
    --------
    Seed 000's funnel, 75,000 visits a year, $1.1M per customer, one percentage point
    better at each stage:

    >>> table = sensitivity(75_000, [0.015, 0.2, 0.2, 0.4, 0.5], 1.1e6, 0.01, absolute=True)
    >>> table[["improved_rate", "customers_change", "revenue_change"]].round(3)
                             improved_rate  customers_change  revenue_change
    transition
    Visits→Leads                     0.025             6.000       6600000.0
    Leads→MQLs                       0.210             0.450        495000.0
    MQLs→SQLs                        0.210             0.450        495000.0
    SQLs→Opportunities               0.410             0.225        247500.0
    Opportunities→Customers          0.510             0.180        198000.0
    """
    import pandas as pd

    conv = as_array(rates, "rates")
    check_rates(conv, allow_zero=True)
    if conv.ndim != 1:
        raise ShapeMismatchError(f"rates must be one row of rates, got shape {conv.shape}")
    volume, value, change = (
        as_array(top_volume, "top_volume"),
        as_array(deal_size, "deal_size"),
        as_array(step, "step"),
    )
    check_nonnegative(volume, "top_volume", "a volume")
    check_nonnegative(value, "deal_size", "a deal size")
    if not np.isfinite(change) or (not absolute and change <= -1):
        raise InvalidAmountError(
            f"step is {fmt(float(change))}: a relative step must be a finite number above −1 "
            "(0.1 = 10 % better)"
        )
    labels = _labels(names, len(conv))
    if targets is not None:
        improved = as_array(targets, "targets")
        check_rates(improved, "targets", allow_zero=True)
        if improved.shape != conv.shape:
            raise ShapeMismatchError(
                f"targets has {improved.size} rates for {conv.size} rates: give one achievable "
                "rate per stage"
            )
    else:
        improved = np.clip(conv + change if absolute else conv * (1 + change), 0.0, 1.0)
    base = float(forward(volume, conv)[-1])
    # Products of the rates before and after i (not base / r_i: a rate of 0 needs no case).
    before = np.concatenate([[1.0], np.cumprod(conv)[:-1]])
    after = np.concatenate([np.cumprod(conv[::-1])[::-1][1:], [1.0]])
    # The change from the rate's own difference: exactly 0 where the rate cannot move.
    gain = float(volume) * before * after * (improved - conv)
    customers = base + gain
    table = pd.DataFrame(
        {
            "rate": conv,
            "improved_rate": improved,
            "customers": customers,
            "customers_change": gain,
            "revenue_change": gain * float(value),
        },
        index=pd.Index(labels, name="transition"),
    )
    # Rank on changes rounded to 1e-9 of the largest, so that float noise cannot reorder
    # stages that tie in exact arithmetic (every uncapped stage, for a relative step).
    scale = float(np.abs(gain).max()) or 1.0
    return table.iloc[np.argsort(-np.round(gain / scale, 9), kind="stable")]


def _labels(names: Sequence[str] | None, count: int) -> list[str]:
    if names is None:
        stages = default_stage_names(count + 1)
        return [f"{stages[i]}→{stages[i + 1]}" for i in range(count)]
    labels = [str(name) for name in names]
    if len(labels) != count:
        raise ShapeMismatchError(
            f"names has {len(labels)} labels for {count} rates: give one label per rate"
        )
    return labels
