"""When each funnel stage must happen: the reverse funnel spread over the calendar.

A customer who signs in March was an opportunity some weeks earlier, an MQL before that and a
lead before that. Stage lags turn a monthly customer target into the month-by-month volume every
stage needs, starting as many months before the first target month as the lags require.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import (
    as_array,
    ceil_whole,
    check_nonnegative,
    check_rates,
    first_bad,
    fmt,
    position,
)
from xl_funnel.diagnosis import default_stage_names
from xl_funnel.errors import FunnelError, InvalidAmountError, ShapeMismatchError
from xl_funnel.seasonality import shift_earlier

if TYPE_CHECKING:  # pandas is imported lazily: the Excel functions and the CLI start faster
    import datetime as dt

    import pandas as pd

__all__ = [
    "lag_split",
    "lead_months",
    "month_labels",
    "parse_month",
    "schedule",
    "schedule_volumes",
]

#: A lag within this many months of a whole number counts as whole (``0.1 + 0.2`` is not 0.3).
LAG_TOLERANCE = 1e-9
#: The longest lag a plan can have: 100 years. Longer ones are typos (a lag in days?), and
#: would make the schedule's lead-in absurdly long.
MAX_LAG_MONTHS = 1200


def lag_split(lags: ArrayLike, transitions: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Whole months and fraction of every stage-to-stage lag: ``lag = k + f``.

    Parameters
    ----------
    lags : array_like
        Average months from stage ``i`` to stage ``i + 1``, one per transition, each ≥ 0. A
        single number ``S`` is the sales-cycle shorthand ``(0, …, 0, S)``: every stage above
        the customers happens ``S`` months before the close (needs `transitions`).
    transitions : int, optional
        Number of transitions (rates); required for the single-number shorthand and checked
        against the length of `lags` otherwise.

    Returns
    -------
    whole : ndarray of int
        ``k = floor(lag)``, with a lag within 1e-9 of a whole number taken as that number.
    fraction : ndarray of float
        ``f = lag − k``, in ``[0, 1)``; exactly 0 for whole lags.

    Raises
    ------
    InvalidAmountError
        A lag negative, not finite or over 1200 months.
    ShapeMismatchError
        `lags` has the wrong length, or is a single number without `transitions`.

    Examples
    --------
    >>> whole, fraction = lag_split([0, 0.5, 1, 2.25])
    >>> whole.tolist(), fraction.tolist()
    ([0, 0, 1, 2], [0.0, 0.5, 0.0, 0.25])
    >>> lag_split(3, transitions=4)[0].tolist()
    [0, 0, 0, 3]
    """
    months = as_array(lags, "lags")
    if months.ndim > 1:
        raise ShapeMismatchError(f"lags must be one list of months, got shape {months.shape}")
    _check_lags(months)
    if transitions is not None and transitions < 1:
        raise ShapeMismatchError("a funnel needs at least one stage-to-stage rate")
    if months.ndim == 0:
        if transitions is None:
            raise ShapeMismatchError(
                "lags is a single number: give one lag per transition, or the number of "
                "transitions for the sales-cycle shorthand"
            )
        months = np.concatenate([np.zeros(transitions - 1), months[None]])
    if transitions is not None and months.shape[0] != transitions:
        raise ShapeMismatchError(
            f"lags has {months.shape[0]} lags for {transitions} rates: give one lag per "
            "transition (0 where a stage follows in the same month)"
        )
    nearest = np.round(months)
    whole_lag = np.abs(months - nearest) <= LAG_TOLERANCE
    whole = np.where(whole_lag, nearest, np.floor(months))
    fraction = np.where(whole_lag, 0.0, months - whole)
    return whole.astype(int), fraction


def _check_lags(months: np.ndarray) -> None:
    check_nonnegative(months, "lags", "a lag")
    too_long = months > MAX_LAG_MONTHS
    if too_long.any():
        raise InvalidAmountError(
            f"{position('lags', too_long)} is {fmt(first_bad(months, too_long))}: a lag is in "
            f"months, at most {MAX_LAG_MONTHS} (100 years)"
        )


def lead_months(lags: ArrayLike, transitions: int | None = None) -> int:
    """How many months before the first target month the schedule starts.

    Parameters
    ----------
    lags : array_like
        As for :func:`lag_split`.
    transitions : int, optional
        As for :func:`lag_split`.

    Returns
    -------
    int
        :math:`\\sum_i \\lceil \\text{lag}_i \\rceil`: a fractional lag reaches one month
        further back than its whole part, and the lags of successive stages add up.

    Examples
    --------
    Lead → MQL half a month, MQL → SQL half a month, opportunity → customer two months:

    >>> lead_months([0, 0.5, 0.5, 0, 2])
    4
    """
    return _reach(*lag_split(lags, transitions))


def _reach(whole: np.ndarray, fraction: np.ndarray) -> int:
    """Months the lags reach back: each whole part, plus one per fractional lag."""
    return int(whole.sum() + np.count_nonzero(fraction))


def schedule_volumes(
    targets: ArrayLike,
    rates: ArrayLike,
    lags: ArrayLike,
    round_up: bool = False,
) -> np.ndarray:
    """Month-by-month volume of every funnel stage for monthly bottom-of-funnel targets.

    The numeric core of :func:`schedule`, without calendar or labels.

    Parameters
    ----------
    targets : array_like
        Bottom-stage (customer) target of each month along the last axis, each ≥ 0. Leading
        axes broadcast against the leading axes of `rates` (many scenarios at once).
    rates : array_like
        Stage-to-stage conversion rates, top → bottom, along the last axis; each 0 < r ≤ 1.
    lags : array_like
        Average months from stage ``i`` to stage ``i + 1``, one per rate, each ≥ 0 and
        fractional allowed; or a single number ``S``, the sales-cycle shorthand
        ``(0, …, 0, S)``. The same for every scenario.
    round_up : bool, default False
        Whole units in every cell: the customers of each month rounded up, then every stage
        above, month by month, rounded up from the (whole) volumes below it, like
        ``backsolve(..., round_up=True)`` applied to each month.

    Returns
    -------
    ndarray
        Shape ``broadcast(targets[..., 0], rates[..., 0]) + (len(rates) + 1, L + M)``:
        stages top → bottom by months, where ``M`` is the number of target months and
        ``L = lead_months(lags)`` the months before the first of them. Column ``L`` is the
        first target month.

    Raises
    ------
    InvalidRateError
        A rate ≤ 0, > 1 or not finite.
    InvalidAmountError
        A target or lag negative or not finite.
    ShapeMismatchError
        No target months, lags of the wrong length, or shapes that do not broadcast.

    Notes
    -----
    Write :math:`v_{i}(m)` for the volume stage :math:`i` needs in month :math:`m`, with
    :math:`v_n(m) = T(m)` the customer target, and split every lag into whole months and a
    fraction, :math:`\\ell_i = k_i + f_i`. A volume needed at stage :math:`i + 1` in month
    :math:`m` needs :math:`1 / r_i` as much at stage :math:`i`, produced :math:`1 - f_i` in
    month :math:`m - k_i` and :math:`f_i` in month :math:`m - k_i - 1`:

    .. math:: v_i(m) = \\frac{(1 - f_i)\\, v_{i+1}(m + k_i) + f_i\\, v_{i+1}(m + k_i + 1)}{r_i}

    Months after the last target month need nothing. The split keeps every stage's total:
    :math:`\\sum_m v_i(m) = \\sum_m T(m) / \\prod_{j \\ge i} r_j`, exactly what
    :func:`~xl_funnel.backsolve` gives for the whole horizon, and the average lead time of
    stage :math:`i` before the close is :math:`\\sum_{j \\ge i} \\ell_j`. Several fractional
    lags spread a stage over more than two months (two half-month lags put a quarter of the
    top stage two months early), so the schedule starts
    :math:`L = \\sum_i \\lceil \\ell_i \\rceil` months before the first target month.

    Without rounding each stage is the shifted stage below divided by its rate, one division
    per stage exactly as :func:`~xl_funnel.backsolve` divides, so zero lags give its numbers
    bit for bit. With `round_up`,
    :math:`v_n(m) = \\lceil T(m) \\rceil` and every :math:`v_i(m)` above is rounded up after the
    split (ignoring 1e-9 of floating-point noise, ``ROUNDUP(MAX(x - 1E-9, 0), 0)`` in a
    workbook): each month's whole volume is enough for its share of the whole volumes below.

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt`` plans a year month by month as if every lead
    closed the month it arrived; the lags add the calendar it leaves out.

    Examples
    --------
    Three months of one customer each, one rate of 50 % and a lag of 1.5 months: half of a
    month's two opportunities are needed one month before, half two months before.

    >>> schedule_volumes([1, 1, 1], [0.5], [1.5])
    array([[1., 2., 2., 1., 0.],
           [0., 0., 1., 1., 1.]])

    Zero lags give :func:`~xl_funnel.backsolve` for every month:

    >>> schedule_volumes([0.75, 0.75], [0.015, 0.2, 0.2, 0.4, 0.5], [0, 0, 0, 0, 0])[:, 0].tolist()
    [6250.0, 93.75, 18.75, 3.75, 1.5, 0.75]
    """
    goal = as_array(targets, "targets")
    conv = as_array(rates, "rates")
    check_rates(conv)
    if goal.ndim == 0 or goal.shape[-1] == 0:
        raise ShapeMismatchError("targets must list the customer target of at least one month")
    check_nonnegative(goal, "targets", "a target")
    transitions = conv.shape[-1]
    whole, fraction = lag_split(lags, transitions)
    lead = _reach(whole, fraction)
    try:
        scenarios = np.broadcast_shapes(goal.shape[:-1], conv.shape[:-1])
    except ValueError:
        raise ShapeMismatchError(
            f"targets {goal.shape} and rates {conv.shape} do not fit: months run along the last "
            "axis of targets, stages along the last axis of rates, and the leading axes must "
            "broadcast"
        ) from None
    width = lead + goal.shape[-1]
    bottom = np.zeros((*scenarios, width))
    bottom[..., lead:] = ceil_whole(goal) if round_up else goal
    conv = np.broadcast_to(conv, (*scenarios, transitions))
    if round_up:
        return _rounded(bottom, conv, whole, fraction)
    # Stage by stage from the bottom up, dividing once per stage the way backsolve does, so
    # zero lags give its numbers bit for bit (a zero shift is exact: 1·x + 0·x' = x).
    timed = np.empty((*scenarios, transitions + 1, width))
    timed[..., -1, :] = bottom
    for stage in range(transitions - 1, -1, -1):
        shifted = _shift(timed[..., stage + 1, :], whole[stage], fraction[stage])
        timed[..., stage, :] = shifted / conv[..., stage, None]
    return timed


def _rounded(
    bottom: np.ndarray, conv: np.ndarray, whole: np.ndarray, fraction: np.ndarray
) -> np.ndarray:
    """The round-up schedule: each stage rounded up from the whole volumes of the one below."""
    transitions = conv.shape[-1]
    volumes = np.empty((*bottom.shape[:-1], transitions + 1, bottom.shape[-1]))
    volumes[..., -1, :] = bottom
    for stage in range(transitions - 1, -1, -1):
        needed = volumes[..., stage + 1, :] / conv[..., stage, None]
        shifted = _shift(needed, whole[stage], fraction[stage])
        volumes[..., stage, :] = ceil_whole(shifted, in_place=True)
    return volumes


def _shift(row: np.ndarray, whole: int, fraction: float) -> np.ndarray:
    """Move volume ``whole`` months earlier, ``fraction`` of it one month further still.

    :func:`~xl_funnel.seasonality.shift_earlier`'s split, kept on the row's own columns: the
    schedule's leading months are already there, so nothing falls off the front.
    """
    reach = whole + (fraction > 0)
    return shift_earlier(row, whole + fraction)[..., reach : reach + row.shape[-1]]


def schedule(
    customer_targets: ArrayLike | pd.Series,
    rates: ArrayLike,
    lags: ArrayLike,
    round_up: bool = False,
    start: str | dt.date | pd.Period | None = None,
    stage_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Month-by-month plan of every funnel stage, with the calendar the stage lags need.

    Parameters
    ----------
    customer_targets : pandas.Series or array_like
        Customers to win in each month, each ≥ 0: a Series indexed by consecutive months
        (a monthly ``PeriodIndex``, or a ``DatetimeIndex`` read as months), or a 1-D array
        of consecutive months together with `start`.
    rates : array_like
        Stage-to-stage conversion rates, top → bottom (1-D); each 0 < r ≤ 1.
    lags : array_like
        Average months from stage ``i`` to stage ``i + 1``, one per rate, each ≥ 0,
        fractional allowed; or one number ``S``, the sales cycle: ``(0, …, 0, S)``.
    round_up : bool, default False
        Whole units in every cell; see :func:`schedule_volumes`.
    start : str, date or pandas.Period, optional
        The month of the first target (``"2027-01"``) when `customer_targets` is an array.
        Without it the columns are month numbers: 1 for the first target month, 0 and below
        for the months before it.
    stage_names : sequence of str, optional
        One name per stage, top → bottom; default the seed names ``Visits`` … ``Customers``
        for a six-stage funnel, else ``Stage 1`` … ``Stage n``.

    Returns
    -------
    pandas.DataFrame
        One row per stage (index named ``"stage"``), one column per month (a monthly
        ``PeriodIndex`` named ``"month"``, or month numbers without a calendar), from
        ``lead_months(lags)`` months before the first target month to the last one.

    Raises
    ------
    InvalidRateError, InvalidAmountError, ShapeMismatchError
        As for :func:`schedule_volumes`; ``ShapeMismatchError`` also for a 2-D input,
        months that are not consecutive or the wrong number of stage names.
    FunnelError
        `start` is not a month, or disagrees with the Series' first month.

    Notes
    -----
    The recursion, its totals and the rounding are those of :func:`schedule_volumes`:

    .. math:: v_i(m) = \\frac{(1 - f_i)\\, v_{i+1}(m + k_i) + f_i\\, v_{i+1}(m + k_i + 1)}{r_i},
              \\qquad \\ell_i = k_i + f_i

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt`` (0.75 customers a month, rates 1.5 %, 20 %,
    20 %, 40 %, 50 %).

    Examples
    --------
    Seed 000's 0.75 customers a month for the first quarter of 2027, with a two-month sales
    cycle (opportunity → customer) and leads becoming MQLs half a month later on average:

    >>> plan = schedule(
    ...     [0.75, 0.75, 0.75], [0.015, 0.2, 0.2, 0.4, 0.5], [0, 0.5, 0, 0, 2], start="2027-01"
    ... )
    >>> plan.columns[0], plan.columns[-1]
    (Period('2026-10', 'M'), Period('2027-03', 'M'))
    >>> plan.round(3)
    month           2026-10  2026-11  2026-12   2027-01  2027-02  2027-03
    stage
    Visits         3125.000  6250.00  6250.00  3125.000     0.00     0.00
    Leads            46.875    93.75    93.75    46.875     0.00     0.00
    MQLs              0.000    18.75    18.75    18.750     0.00     0.00
    SQLs              0.000     3.75     3.75     3.750     0.00     0.00
    Opportunities     0.000     1.50     1.50     1.500     0.00     0.00
    Customers         0.000     0.00     0.00     0.750     0.75     0.75

    Each stage keeps its whole-quarter total: 3 × 93.75 = 281.25 leads.

    >>> float(plan.loc["Leads"].sum())
    281.25
    """
    import pandas as pd

    values, months = _targets_and_months(customer_targets, start)
    conv = as_array(rates, "rates")
    if conv.ndim != 1:
        raise ShapeMismatchError(f"rates must be one list of rates, got shape {conv.shape}")
    volumes = schedule_volumes(values, conv, lags, round_up=round_up)
    names = _stage_names(stage_names, conv.shape[0] + 1)
    lead = volumes.shape[-1] - values.shape[0]
    if months is None:
        columns: pd.Index = pd.RangeIndex(1 - lead, values.shape[0] + 1, name="month")
    else:
        columns = pd.period_range(months - lead, periods=volumes.shape[-1], freq="M", name="month")
    return pd.DataFrame(volumes, index=pd.Index(names, name="stage"), columns=columns)


def month_labels(columns: pd.Index) -> list[str | int]:
    """Column labels as a worksheet shows them: ``"Jan 2027"`` for calendar months, else
    the month numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> month_labels(pd.period_range("2026-12", periods=2, freq="M"))
    ['Dec 2026', 'Jan 2027']
    >>> month_labels(pd.RangeIndex(0, 2))
    [0, 1]
    """
    import pandas as pd

    if isinstance(columns, pd.PeriodIndex):
        return list(columns.strftime("%b %Y"))
    return [int(month) for month in columns]


def _targets_and_months(
    customer_targets: ArrayLike | pd.Series, start: str | dt.date | pd.Period | None
) -> tuple[np.ndarray, pd.Period | None]:
    """The target values and the month of the first one (``None``: no calendar)."""
    import pandas as pd

    first = parse_month(start) if start is not None else None
    if isinstance(customer_targets, pd.Series) and isinstance(
        customer_targets.index, pd.PeriodIndex | pd.DatetimeIndex
    ):
        index = customer_targets.index
        months = index if isinstance(index, pd.PeriodIndex) else index.to_period("M")
        months = months.asfreq("M")
        if len(months) and not months.equals(
            pd.period_range(months[0], periods=len(months), freq="M")
        ):
            raise ShapeMismatchError(
                "customer_targets must be indexed by consecutive months, "
                f"got {', '.join(str(month) for month in months[:4])}"
                + (", …" if len(months) > 4 else "")
            )
        if len(months) and first is not None and first != months[0]:
            raise FunnelError(
                f"start is {first} but customer_targets begins in {months[0]}: give one or "
                "the other"
            )
        first = months[0] if len(months) else first
        customer_targets = customer_targets.to_numpy(dtype=float)
    values = as_array(customer_targets, "customer_targets")
    if values.ndim != 1:
        raise ShapeMismatchError(
            f"customer_targets must be one list of monthly targets, got shape {values.shape}"
        )
    return values, first


def parse_month(start: str | dt.date | pd.Period) -> pd.Period:
    """The month of ``start`` (a date, a period or a text such as ``'2027-01'``).

    >>> str(parse_month("2027-03-15"))
    '2027-03'
    >>> parse_month("NaT")
    Traceback (most recent call last):
    ...
    xl_funnel.errors.FunnelError: start is 'NaT': give a month such as '2027-01'
    """
    import pandas as pd

    try:
        month = pd.Period(start, freq="M")
    except (TypeError, ValueError):
        month = pd.NaT
    if month is pd.NaT:  # "nan", "NaT" and "" read as no month at all
        raise FunnelError(f"start is {start!r}: give a month such as '2027-01'")
    return month


def _stage_names(stage_names: Sequence[str] | None, stages: int) -> tuple[str, ...]:
    if stage_names is None:
        return default_stage_names(stages)
    names = tuple(str(name) for name in stage_names)
    if len(names) != stages:
        raise ShapeMismatchError(
            f"stage_names has {len(names)} names for {stages} stages: give one name per stage"
        )
    return names
