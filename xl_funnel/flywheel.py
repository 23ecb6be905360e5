"""The flywheel: existing customers refer new ones, so the funnel needs to bring fewer.

Seed 000 contrasts the funnel, where customers are only the output, with the flywheel, where
they feed the top again through referrals and reviews. :func:`flywheel_backsolve` counts that
loop month by month: the customer base grows as the year goes on, and so do its referrals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import (
    as_array,
    check_nonnegative,
    check_rates,
    first_bad,
    fmt,
    position,
)
from xl_funnel.diagnosis import default_stage_names
from xl_funnel.errors import (
    InvalidAmountError,
    InvalidChoiceError,
    InvalidRateError,
    ShapeMismatchError,
)
from xl_funnel.funnel import backsolve

__all__ = ["entry_index", "flywheel_backsolve"]

#: The longest horizon the month-by-month loop runs: 100 years of months.
MAX_PERIODS = 1200


def flywheel_backsolve(
    target: ArrayLike,
    rates: ArrayLike,
    customer_base: ArrayLike,
    referrals_per_customer: ArrayLike,
    entry_stage: int | str = 0,
    referral_close_rate: ArrayLike | None = None,
    periods: int = 12,
    round_up: bool = False,
    stage_names: Sequence[str] | None = None,
) -> np.ndarray:
    """The reverse funnel month by month, net of the customers that referrals bring.

    Parameters
    ----------
    target : array_like
        New customers to win over the horizon, ≥ 0 (split evenly over `periods`).
    rates : array_like
        Stage-to-stage conversion rates of the funnel, top → bottom, along the last axis;
        each 0 < r ≤ 1. Leading axes broadcast against the other arguments.
    customer_base : array_like
        Customers at the start of the horizon, ≥ 0.
    referrals_per_customer : array_like
        Referrals each customer brings per period (per month with 12 periods), ≥ 0; 0.02 is
        one referral per customer every 50 months.
    entry_stage : int or str, default 0
        The stage referrals enter at: an index (0 = the top stage) or a stage name
        (case-insensitive). A referral is usually a lead or an opportunity, not a website
        visit; the default is the top of the funnel, as seed 000 puts it.
    referral_close_rate : array_like, optional
        Share of referrals that become customers, 0 ≤ q ≤ 1. Default: the funnel's own rates
        from `entry_stage` down, :math:`\\prod_{j \\ge e} r_j` (1 when referrals enter as
        customers). Referrals often close better than cold leads; say so here.
    periods : int, default 12
        Number of periods (months), a whole number ≥ 1.
    round_up : bool, default False
        Whole units at every funnel stage, as in :func:`~xl_funnel.backsolve`: the customers
        the funnel must bring each month rounded up, then every stage above. Referral
        customers stay expected values.
    stage_names : sequence of str, optional
        Names that `entry_stage` may use; default ``Visits`` … ``Customers`` for a six-stage
        funnel, else ``Stage 1`` … ``Stage n``.

    Returns
    -------
    ndarray
        Shape ``broadcast(...) + (len(rates) + 2, periods)``. Rows ``0 … n`` are what the
        funnel itself must bring each period, top → bottom, exactly as
        :func:`~xl_funnel.backsolve` lays out a period; row ``n + 1`` is the customers
        referrals bring. Columns are the periods in order.

    Raises
    ------
    InvalidRateError
        A funnel rate outside (0, 1], or a `referral_close_rate` outside [0, 1].
    InvalidAmountError
        `target`, `customer_base` or `referrals_per_customer` negative or not finite;
        `periods` not a whole number from 1 to 1200.
    InvalidChoiceError
        `entry_stage` names no stage of the funnel.
    ShapeMismatchError
        `entry_stage` a number outside the funnel, or shapes that do not broadcast.

    Notes
    -----
    With target :math:`T` over :math:`P` periods, base :math:`B_0`, referrals per customer
    :math:`\\rho`, referral close rate :math:`q` and the monthly goal :math:`g = T / P`, for
    :math:`t = 1, \\dots, P`:

    .. math::

        c_t &= \\rho \\, q \\, B_{t-1}
            && \\text{customers from referrals (by last month's base)}\\\\
        f_t &= \\max(g - c_t,\\ 0)
            && \\text{customers the funnel must still bring}\\\\
        v(t) &= \\operatorname{backsolve}(f_t, r)
            && \\text{every stage's volume for them}\\\\
        B_t &= B_{t-1} + f_t + c_t
            && \\text{both join the base}

    When referrals alone exceed the goal the funnel needs nothing that month and the extra
    referral customers still join the base. With :math:`\\rho = 0` every period is
    ``backsolve(T, rates, periods=P)`` exactly. With `round_up`, :math:`f_t` is rounded up
    before the stages above it (and the base grows by the rounded number). Churn and lags are
    not modelled here; :func:`~xl_funnel.schedule` spreads the funnel rows over the calendar.

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt``: funnel versus flywheel, where existing
    customers feed the top of the funnel and the plan should count that loop.

    Examples
    --------
    72 new customers a year (6 a month) on the seed 000 funnel, 167 customers today, each
    bringing 0.02 referrals a month that enter as opportunities and close at the funnel's
    50 %. Referral customers grow from 1.67 to 2.33 a month as the base grows, and over
    the year they cover a third of the target:

    >>> rates = [0.015, 0.2, 0.2, 0.4, 0.5]
    >>> plan = flywheel_backsolve(72, rates, 167, 0.02, entry_stage="Opportunities")
    >>> plan[-1].round(2).tolist()
    [1.67, 1.73, 1.79, 1.85, 1.91, 1.97, 2.03, 2.09, 2.15, 2.21, 2.27, 2.33]
    >>> round(float(plan[-1].sum()), 9), round(float(plan[-2].sum()), 9)
    (24.0, 48.0)

    The funnel's first month, top → bottom, then the referral customers:

    >>> plan[:, 0].round(2).tolist()
    [36083.33, 541.25, 108.25, 21.65, 8.66, 4.33, 1.67]

    Without referrals it is :func:`~xl_funnel.backsolve` in every month:

    >>> flywheel_backsolve(9, rates, 100, 0, periods=2)[:, 0].tolist()
    [37500.0, 562.5, 112.5, 22.5, 9.0, 4.5, 0.0]
    """
    conv = as_array(rates, "rates")
    check_rates(conv)
    goal = as_array(target, "target")
    check_nonnegative(goal, "target", "a target")
    base = as_array(customer_base, "customer_base")
    check_nonnegative(base, "customer_base", "a customer base")
    per_customer = as_array(referrals_per_customer, "referrals_per_customer")
    check_nonnegative(per_customer, "referrals_per_customer", "a referral rate")
    months = _whole_periods(periods)
    stages = conv.shape[-1] + 1
    entry = entry_index(entry_stage, stages, stage_names)
    if referral_close_rate is None:
        close = np.prod(conv[..., entry:], axis=-1)
    else:
        close = as_array(referral_close_rate, "referral_close_rate")
        _check_close_rate(close)
    try:
        shape = np.broadcast_shapes(
            goal.shape, base.shape, per_customer.shape, close.shape, conv.shape[:-1]
        )
    except ValueError:
        raise ShapeMismatchError(
            "target, customer_base, referrals_per_customer, referral_close_rate and the "
            "leading axes of rates must broadcast against each other"
        ) from None
    monthly_goal = goal / months
    referral_yield = per_customer * close
    customers = np.broadcast_to(base, shape).astype(float)
    plan = np.empty((*shape, stages + 1, months))
    for month in range(months):
        referred = referral_yield * customers
        volumes = backsolve(np.maximum(monthly_goal - referred, 0.0), conv, round_up=round_up)
        plan[..., :stages, month] = volumes
        plan[..., stages, month] = referred
        customers = customers + volumes[..., -1] + referred
    return plan


def entry_index(entry_stage: int | str, stages: int, stage_names: Sequence[str] | None) -> int:
    """The index of the stage called `entry_stage`, or `entry_stage` itself when a number.

    Examples
    --------
    >>> entry_index("leads", 6, None), entry_index(4, 6, None)
    (1, 4)
    """
    names = tuple(stage_names) if stage_names is not None else default_stage_names(stages)
    if len(names) != stages:
        raise ShapeMismatchError(
            f"stage_names has {len(names)} names for {stages} stages: give one name per stage"
        )
    if isinstance(entry_stage, str):
        wanted = entry_stage.strip().lower()
        for index, name in enumerate(names):
            if name.strip().lower() == wanted:
                return index
        raise InvalidChoiceError(
            f"entry_stage is {entry_stage!r}: not a stage of this funnel ({', '.join(names)})"
        )
    index = float(entry_stage)
    if not index.is_integer() or not 0 <= index < stages:
        raise ShapeMismatchError(
            f"entry_stage is {fmt(index)}: give a stage index from 0 (top) to {stages - 1} "
            "(customers) or a stage name"
        )
    return int(index)


def _whole_periods(periods: int) -> int:
    months = as_array(periods, "periods")
    if months.ndim:
        raise ShapeMismatchError("periods must be one whole number: the table has one width")
    count = float(months)
    if not (np.isfinite(count) and count >= 1 and count.is_integer()):
        raise InvalidAmountError(
            f"periods is {fmt(count)}: the flywheel runs period by period, give a whole "
            "number of periods, at least 1"
        )
    if count > MAX_PERIODS:
        raise InvalidAmountError(
            f"periods is {fmt(count)}: at most {MAX_PERIODS} periods (100 years of months)"
        )
    return int(count)


def _check_close_rate(close: np.ndarray) -> None:
    bad = ~np.isfinite(close) | (close < 0) | (close > 1)
    if bad.any():
        raise InvalidRateError(
            f"{position('referral_close_rate', bad)} is {fmt(first_bad(close, bad))}: a close "
            "rate is a fraction between 0 and 1"
        )
