"""Money buys volume: what a channel plan costs, what a budget buys, and the plan's rates.

Each channel brings a share of the volume of one stage (its entry stage: visits, leads, MQLs…)
and pays a cost per unit of it plus a fixed cost. The budget a plan needs follows from the
volume it must generate; a smaller budget buys proportionally less. The rate at a stage the
channels bring is their own rates weighted by share, so the channel mix and the funnel
describe the same plan.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, ceil_whole, check_nonnegative, check_rates
from xl_funnel.errors import ShapeMismatchError

__all__ = ["budget_share_bought", "channel_budget", "channel_plan_rates", "channel_units"]


def channel_units(
    volumes: ArrayLike, entry: ArrayLike, shares: ArrayLike, whole: bool = False
) -> np.ndarray:
    """Units each channel must bring per month: its share of its entry stage's volume.

    Parameters
    ----------
    volumes : array_like
        Stages × months: what each stage must generate (``MonthlyVolumes``).
    entry : array_like of int
        Each channel's entry stage, 0-based.
    shares : array_like
        Each channel's share (≥ 0); divided by their sum.
    whole : bool, default False
        Whole units: each channel's running total rounded up (``ceil(max(x − 1e-9, 0))``),
        so no month-end is short of its share.

    Returns
    -------
    ndarray
        Channels × months: ``u_k(m) = V_{e_k}(m) s_k / Σ s``; with `whole`,
        ``⌈s̃_k C_{e_k}(m)⌉ − ⌈s̃_k C_{e_k}(m − 1)⌉`` where ``C`` is the running total of
        ``V`` and ``s̃`` the normalised share.

    Examples
    --------
    30 % and 70 % of 105, 104 and 104 leads:

    >>> channel_units([[105, 104, 104]], [0, 0], [0.3, 0.7], whole=True).tolist()
    [[32.0, 31.0, 31.0], [74.0, 73.0, 73.0]]
    """
    stage = as_array(volumes, "volumes")
    if stage.ndim != 2:
        raise ShapeMismatchError(f"volumes must be stages × months, got shape {stage.shape}")
    check_nonnegative(stage, "volumes", "a volume")
    index = as_array(entry, "entry").astype(int)
    share = as_array(shares, "shares")
    check_nonnegative(share, "shares", "a share")
    part = (share / share.sum())[:, None]
    if not whole:
        return stage[index] * part
    running = ceil_whole(np.cumsum(stage[index], axis=-1) * part, in_place=True)
    return np.diff(running, axis=-1, prepend=0.0)


def channel_budget(units: ArrayLike, cost_per_unit: ArrayLike, fixed_cost: ArrayLike = 0.0):
    """Budget each channel needs per month: units × cost per unit + a twelfth of fixed cost.

    Parameters
    ----------
    units : array_like
        Units of its entry stage each channel must bring, channels × months (≥ 0).
    cost_per_unit : array_like
        Cost of one unit per channel (≥ 0; 0 for organic or referral channels).
    fixed_cost : array_like, default 0
        Yearly fixed cost per channel (≥ 0), spread evenly over twelve months.

    Returns
    -------
    ndarray
        Channels × months: ``units × cost_per_unit + fixed_cost / 12``.

    Notes
    -----
    ``B_k(m) = u_k(m) c_k + F_k / 12``. Raising a channel's cost per unit by 20 % raises the
    plan's budget by ``0.2 × c_k × Σ_m u_k(m)``: the volume does not change, its price does.

    References
    ----------
    Seed article ``004``: cost per lead and CAC by channel.

    Examples
    --------
    125 leads a month at $1,680 each, and an organic channel costing $15,000 a month:

    >>> channel_budget([[125.0] * 2, [30.0] * 2], [1_680, 0], [0, 180_000]).tolist()
    [[210000.0, 210000.0], [15000.0, 15000.0]]
    """
    volume = as_array(units, "units")
    cost = as_array(cost_per_unit, "cost_per_unit")
    fixed = as_array(fixed_cost, "fixed_cost")
    check_nonnegative(volume, "units", "a volume")
    check_nonnegative(cost, "cost_per_unit", "a cost")
    check_nonnegative(fixed, "fixed_cost", "a cost")
    if volume.ndim != 2:
        raise ShapeMismatchError(f"units must be channels × months, got shape {volume.shape}")
    return volume * np.reshape(cost, (-1, 1)) + np.reshape(fixed, (-1, 1)) / 12


def budget_share_bought(needed: float, fixed: float, cap: float | None) -> float:
    """Share of the plan's variable volume a budget cap buys.

    Parameters
    ----------
    needed : float
        Budget the plan needs (fixed costs included).
    fixed : float
        The fixed costs within it, paid first.
    cap : float or None
        Budget given; None = as needed.

    Returns
    -------
    float
        ``min(1, max(cap − fixed, 0) / (needed − fixed))``; 1 without a cap or when nothing
        is variable.

    Examples
    --------
    >>> budget_share_bought(1_150_000, 240_000, 785_000)
    0.6
    >>> budget_share_bought(1_150_000, 240_000, None)
    1.0
    """
    variable = needed - fixed
    if cap is None or variable <= 0:
        return 1.0
    return float(min(1.0, max(cap - fixed, 0.0) / variable))


def channel_plan_rates(
    rates: ArrayLike, entry: ArrayLike, shares: ArrayLike, channel_rates: ArrayLike
) -> np.ndarray:
    """The funnel's rates with each channel-fed stage's rate derived from the channels.

    Parameters
    ----------
    rates : array_like
        The typed stage-to-stage rates, top → bottom (each 0 < r ≤ 1).
    entry : array_like of int
        Each channel's entry stage, 0-based (the stage whose rate it brings its own of).
    shares : array_like
        Each channel's share (≥ 0; only their proportions matter).
    channel_rates : array_like
        Each channel's rate from its entry stage to the next; NaN = the typed rate there.

    Returns
    -------
    ndarray
        ``r'_i = r_i + Σ_{k: e_k = i} s_k (ρ_k − r_i) / Σ_{k: e_k = i} s_k`` (the
        share-weighted average of the channels' rates) at a stage channels enter with some
        share, else ``r_i``.

    Notes
    -----
    Channel ``k`` brings ``s_k`` of its stage's volume ``V``, of which ``ρ_k`` moves on, so
    the stage sends ``Σ s_k ρ_k V`` on: the plan's rate at that stage is the share-weighted
    average. Typed rates that do not average out can then never put the channel mix and the
    funnel apart ("two sources of truth").

    Examples
    --------
    Seed 000's funnel; five lead channels whose own lead → MQL rates (NaN = plan's 20 %)
    average 21.5 %:

    >>> channel_plan_rates([0.015, 0.2, 0.2, 0.4, 0.5], [1, 1, 1, 1, 1],
    ...                    [0.3, 0.2, 0.2, 0.2, 0.1], [0.3, 0.1, np.nan, np.nan, 0.25]).round(4)
    array([0.015, 0.215, 0.2  , 0.4  , 0.5  ])
    """
    plan = as_array(rates, "rates").astype(float).copy()
    check_rates(plan)
    stage = as_array(entry, "entry").astype(int)
    share = as_array(shares, "shares")
    check_nonnegative(share, "shares", "a share")
    own = as_array(channel_rates, "channel_rates")
    if not stage.shape == share.shape == own.shape:
        raise ShapeMismatchError("entry, shares and channel_rates need one value per channel")
    used = np.where(np.isnan(own), plan[np.clip(stage, 0, plan.shape[0] - 1)], own)
    for i in np.unique(stage):
        at = (stage == i) & (share > 0)
        if 0 <= i < plan.shape[0] and at.any():
            # The typed rate plus the weighted deviations: channels that average the typed
            # rate give it bit for bit (0.3 × 0.2 + … is 0.20000000000000004).
            plan[i] = plan[i] + np.sum(share[at] * (used[at] - plan[i])) / np.sum(share[at])
    return plan
