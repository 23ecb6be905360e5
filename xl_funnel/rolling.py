"""A year that rolls into the next: what each stage must generate in each fiscal month.

:func:`~xl_funnel.scheduling.schedule_volumes` plans a set of target months in isolation: with
a three-month sales cycle the last quarter's opportunities are for customers after the year,
so it plans none, and the first quarter's customers need volume "before FY". A funnel never
stops. :func:`rolling_schedule` plans the fiscal year as one year of a running funnel: this
year's customers net of what the pipeline the year starts with delivers, plus next year's
first months, through the lags; the fiscal months generate what falls in them, the pipeline
carried in covers what the year needs before it starts, and the pipeline carried out at the
year end is what next year's first months need.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, ceil_whole, check_nonnegative, check_rates
from xl_funnel.errors import ShapeMismatchError
from xl_funnel.scheduling import lead_months, schedule_volumes

__all__ = [
    "RollingSchedule",
    "net_customers",
    "pipeline_customers",
    "rolling_schedule",
    "whole_months",
]


class RollingSchedule(NamedTuple):
    """What :func:`rolling_schedule` returns (arrays, stages top → bottom)."""

    #: Stages × fiscal months: what each stage must generate in each month.
    generated: np.ndarray
    #: Per stage: the volume this year's customers need before the first fiscal month.
    carried_in: np.ndarray
    #: Per stage: the volume generated in the year for next year's customers.
    carried_out: np.ndarray
    #: Per fiscal month: the customers the year must win from new pipeline.
    net_targets: np.ndarray


def whole_months(volumes: ArrayLike) -> np.ndarray:
    """Whole units per month that never fall behind the exact plan: cumulative rounding up.

    Parameters
    ----------
    volumes : array_like
        Volumes ≥ 0 per month along the last axis.

    Returns
    -------
    ndarray
        ``W(m) = ⌈C(m)⌉ − ⌈C(m − 1)⌉`` with ``C(m) = Σ_{s ≤ m} v(s)``, whole and ≥ 0.

    Notes
    -----
    Rounding every month up on its own turns 0.83 customers a month into 12 customers a year
    for a 10-customer goal. Rounding the running total up instead keeps every month-end at or
    above the exact plan (``Σ_{s≤m} W(s) = ⌈C(m)⌉ ≥ C(m)``) and the year at the year's need
    rounded up, ``⌈Σ v⌉``. Rounding is the core's ``ceil(max(x − 1e-9, 0))``
    (``ROUNDUP(MAX(x-1E-9,0),0)`` in a workbook), so float noise never adds a unit.

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt``: 10 customers a year is 0.83 a month.

    Examples
    --------
    >>> whole_months([10 / 12] * 12).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    >>> whole_months([[1.6, 1.6, 1.6]]).tolist()
    [[2.0, 2.0, 1.0]]
    """
    values = as_array(volumes, "volumes")
    if values.ndim == 0:
        raise ShapeMismatchError("volumes must list at least one month")
    check_nonnegative(values, "volumes", "a volume")
    running = ceil_whole(np.cumsum(values, axis=-1), in_place=True)
    return np.diff(running, axis=-1, prepend=0.0)


def pipeline_customers(open_counts: ArrayLike, rates: ArrayLike) -> np.ndarray:
    """Customers the pipeline the year starts with delivers, month by month.

    Parameters
    ----------
    open_counts : array_like
        Open counts, one row per stage above the customers (top → bottom, as many rows as
        rates), one column per month: the units at that stage expected to close in that
        month. Each ≥ 0.
    rates : array_like
        Stage-to-stage conversion rates, top → bottom; each 0 < r ≤ 1.

    Returns
    -------
    ndarray
        Per month: ``Σ_i n_i(m) × Π_{j ≥ i} r_j``.

    Raises
    ------
    ShapeMismatchError
        Not one row per rate.

    Examples
    --------
    Ten open opportunities closing in month 2 at a 50 % win rate, and 20 SQLs closing in
    month 3 (40 % become opportunities):

    >>> pipeline_customers([[0, 0, 0], [0, 0, 20], [0, 10, 0]], [0.2, 0.4, 0.5]).tolist()
    [0.0, 5.0, 4.0]
    """
    counts = as_array(open_counts, "open_counts")
    conv = as_array(rates, "rates")
    check_rates(conv)
    if counts.ndim != 2 or counts.shape[0] != conv.shape[-1]:
        raise ShapeMismatchError(
            f"open_counts must have one row per rate ({conv.shape[-1]}), one column per "
            f"month; got shape {counts.shape}"
        )
    check_nonnegative(counts, "open_counts", "an open count")
    return to_customer(conv) @ counts


def to_customer(rates: np.ndarray) -> np.ndarray:
    """Share of each stage above the customers that becomes a customer, bottom-up products."""
    shares = np.empty(rates.shape[-1])
    below = 1.0
    for i in range(rates.shape[-1] - 1, -1, -1):
        below = rates[i] * below
        shares[i] = below
    return shares


def net_customers(goal: ArrayLike, delivered: ArrayLike) -> np.ndarray:
    """Customers to win from new pipeline: the goal net of what is delivered, carried forward.

    Parameters
    ----------
    goal, delivered : array_like
        Customers per month, each ≥ 0, months along the last axis.

    Returns
    -------
    ndarray
        ``N(m) − N(m − 1)``, where ``N(m) = max(N(m − 1), Σ_{s≤m} goal(s) − Σ_{s≤m}
        delivered(s), 0)`` (``N(0) = 0``) is the running total won from new pipeline.

    Notes
    -----
    By every month end, customers won from new pipeline plus those delivered cover the goal
    so far. A month the pipeline over-delivers counts towards the following months, and a
    customer won is never taken back, hence the running maximum. When the pipeline closes
    no later than the goal needs it, the year's total is ``Σ goal − Σ delivered``: N open
    opportunities at win rate w lower the customers to win by ``N × w``.

    Examples
    --------
    >>> net_customers([1, 1, 1, 1], [0, 3, 0, 0]).tolist()
    [1.0, 0.0, 0.0, 0.0]
    >>> net_customers([1, 1, 1, 1], [1, 1, 0, 0]).tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    target = as_array(goal, "goal")
    done = as_array(delivered, "delivered")
    check_nonnegative(target, "goal", "a customer goal")
    check_nonnegative(done, "delivered", "a delivered count")
    short = np.maximum(np.cumsum(target, axis=-1) - np.cumsum(done, axis=-1), 0.0)
    return np.diff(np.maximum.accumulate(short, axis=-1), axis=-1, prepend=0.0)


def rolling_schedule(
    targets: ArrayLike,
    rates: ArrayLike,
    lags: ArrayLike,
    next_targets: ArrayLike,
    delivered: ArrayLike | None = None,
    round_up: bool = False,
) -> RollingSchedule:
    """What each stage must generate in each fiscal month of a funnel that keeps running.

    Parameters
    ----------
    targets : array_like
        Customers to win in each fiscal month (1-D, ≥ 0).
    rates : array_like
        Stage-to-stage conversion rates, top → bottom; each 0 < r ≤ 1.
    lags : array_like
        Months from each stage to the next (one per rate) or a single sales cycle, as
        :func:`~xl_funnel.scheduling.schedule_volumes`.
    next_targets : array_like
        Customers to win in the months after the year, in order (next year's run-rate).
        Only the first ``lead_months(lags)`` matter: later months need nothing in the year.
    delivered : array_like, optional
        Customers the starting pipeline delivers in each fiscal month
        (:func:`pipeline_customers`); default none.
    round_up : bool, default False
        Whole units: the generated volume rounded with :func:`whole_months`.

    Returns
    -------
    RollingSchedule
        ``generated`` (stages × fiscal months), ``carried_in`` and ``carried_out`` (per
        stage) and ``net_targets`` (per fiscal month).

    Notes
    -----
    With ``net`` = :func:`net_customers` of `targets` and `delivered`, the customer row
    ``c = (net, next_targets)`` is scheduled as :func:`~xl_funnel.scheduling.schedule_volumes`
    does, ``v_i(m) = ((1 − f_i) v_{i+1}(m + k_i) + f_i v_{i+1}(m + k_i + 1)) / r_i``, over
    ``L`` months before the year, its ``M`` months and the months after. Then
    ``generated = v[:, L : L + M]``; ``carried_in = Σ v[:, :L]`` (pipeline the year needs
    already open when it starts); ``carried_out`` = what next year's customers need,
    ``Σ next / Π_{j≥i} r_j``, less what the schedule leaves after the year: the volume the
    year generates for them (when ``L ≤ 12``; with longer lags the part of it due before the
    year is counted here too). When every lag is 0 nothing is carried and ``generated`` is the
    monthly backsolve of ``net``.

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt`` plans a year month by month as if every lead
    closed in the month it arrived; this plans the months the lags move it to.

    Examples
    --------
    One 50 % step (opportunities → customers), a 3-month sales cycle, one customer a month
    this year and 1.25 a month next year: the last three months generate opportunities for
    next year, and the year starts needing 6 open opportunities.

    >>> plan = rolling_schedule([1] * 12, [0.5], 3, [1.25] * 3)
    >>> plan.generated[0].tolist()
    [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.5, 2.5, 2.5]
    >>> plan.carried_in.tolist(), plan.carried_out.tolist()
    ([6.0, 0.0], [7.5, 0.0])
    """
    goal = as_array(targets, "targets")
    if goal.ndim != 1 or goal.shape[0] == 0:
        raise ShapeMismatchError("targets must list the customers of at least one month")
    after = np.atleast_1d(as_array(next_targets, "next_targets"))
    if after.ndim != 1:
        raise ShapeMismatchError("next_targets must be one list of months")
    check_nonnegative(after, "next_targets", "a target")
    conv = as_array(rates, "rates")
    check_rates(conv)
    if conv.ndim != 1 or conv.shape[0] == 0:
        raise ShapeMismatchError(f"rates must be one list of rates, got shape {conv.shape}")
    done = np.zeros_like(goal) if delivered is None else as_array(delivered, "delivered")
    if done.ndim > 1 or (done.ndim == 1 and done.shape[0] not in (1, goal.shape[0])):
        raise ShapeMismatchError(
            f"delivered has {done.size} values for {goal.shape[0]} months: give one a month"
        )
    net = net_customers(goal, np.broadcast_to(done, goal.shape))
    lead = lead_months(lags, conv.shape[-1])
    months = goal.shape[0]
    full = schedule_volumes(np.concatenate([net, after]), conv, lags)
    # Next year's customers need Σ next ÷ Π r at each stage (divided stage by stage, as
    # backsolve does); what the schedule puts after the year is generated next year.
    need = np.empty(conv.shape[0] + 1)
    need[-1] = after.sum()
    for i in range(conv.shape[0] - 1, -1, -1):
        need[i] = need[i + 1] / conv[i]
    generated = full[:, lead : lead + months]
    if round_up:
        generated = whole_months(generated)
    return RollingSchedule(
        generated=generated,
        carried_in=full[:, :lead].sum(axis=-1),
        carried_out=need - full[:, lead + months :].sum(axis=-1),
        net_targets=net,
    )
