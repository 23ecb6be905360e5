"""Which funnel stage falls short, and what to do about it (seed article 001)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, check_rates
from xl_funnel.errors import ShapeMismatchError
from xl_funnel.funnel import conversion_rates
from xl_funnel.seed import SEED_STAGE_NAMES

__all__ = [
    "ON_PLAN_MESSAGE",
    "Gap",
    "advice",
    "bottleneck",
    "bottleneck_message",
    "comparable_ratio",
    "default_stage_names",
    "funnel_gap",
    "transition_message",
]


#: What the message says when no transition converts below its plan rate.
ON_PLAN_MESSAGE = "Every stage converts at or above its plan rate."
NO_DATA_MESSAGE = "No stage has actuals yet."

# Seed 001's diagnosis, keyed by words in the name of the stage a transition leads *to*.
# Checked in order, the most specific first: "Sales Qualified Leads" is an SQL stage before it
# is a "qualified lead", and "Marketing Qualified Leads" an MQL stage, not a lead stage, so the
# plain "lead" rule comes last.
_ADVICE = (
    (("sql", "sales qualified", "accepted"), "nurture MQLs with email and lead scoring"),
    (
        ("mql", "marketing qualified", "qualified lead"),
        "review form qualification questions and lead sources",
    ),
    (
        ("opportunit", "pipeline", "demo", "meeting"),
        "remove friction in the hand-off to sales and sharpen the offer",
    ),
    (
        ("customer", "won", "deal", "close", "sale"),
        "review proposals, pricing and sales follow-up",
    ),
    (
        ("lead", "contact", "signup", "sign-up"),
        "work on conversion-rate optimisation: calls to action, landing pages and forms",
    ),
)


class Gap(NamedTuple):
    """Actual versus plan conversion, one element per stage transition."""

    actual: np.ndarray
    """Observed rate ``counts[i + 1] / counts[i]``; NaN where ``counts[i]`` is 0."""
    plan: np.ndarray
    """The plan's rate for the transition."""
    ratio: np.ndarray
    """``actual / plan``: 1 is on plan, 0.6 converts at 60 % of the plan rate."""


def default_stage_names(stages: int) -> tuple[str, ...]:
    """The seed 000 names for a six-stage funnel, else ``Stage 1`` … ``Stage n``.

    Examples
    --------
    >>> default_stage_names(3)
    ('Stage 1', 'Stage 2', 'Stage 3')
    """
    if stages == len(SEED_STAGE_NAMES):
        return SEED_STAGE_NAMES
    return tuple(f"Stage {i + 1}" for i in range(stages))


def funnel_gap(actual_counts: ArrayLike, plan_rates: ArrayLike) -> Gap:
    """Actual stage-to-stage conversion against the plan's rates.

    Parameters
    ----------
    actual_counts : array_like
        Observed volume of each stage in the period, top → bottom, along the last axis.
    plan_rates : array_like
        The plan's conversion rates, one fewer than the stages, each 0 < r ≤ 1.

    Returns
    -------
    Gap
        ``actual``, ``plan`` and ``ratio = actual / plan`` per transition.

    Raises
    ------
    ShapeMismatchError
        `plan_rates` does not have one element fewer than `actual_counts`.
    InvalidRateError, InvalidAmountError
        Rates outside (0, 1], negative counts.

    Notes
    -----
    .. math:: a_i = \\frac{c_{i+1}}{c_i}, \\qquad \\rho_i = \\frac{a_i}{p_i}

    References
    ----------
    Seed article ``001_973ba6308e195158.txt``: enough traffic but too few contacts, enough
    contacts but too few MQLs, … each points at a different fix.

    Examples
    --------
    >>> gap = funnel_gap([6000, 90, 12, 3, 1.2, 0.6], [0.015, 0.2, 0.2, 0.4, 0.5])
    >>> gap.ratio.round(3).tolist()
    [1.0, 0.667, 1.25, 1.0, 1.0]
    """
    actual = conversion_rates(actual_counts)
    plan = as_array(plan_rates, "plan_rates")
    check_rates(plan, "plan_rates")
    if plan.shape[-1] != actual.shape[-1]:
        raise ShapeMismatchError(
            f"plan_rates has {plan.shape[-1]} rates for {actual.shape[-1] + 1} stages: "
            "give one rate per transition, one fewer than the stages"
        )
    return Gap(actual, np.broadcast_to(plan, actual.shape), actual / plan)


def bottleneck(actual_counts: ArrayLike, plan_rates: ArrayLike) -> int | np.ndarray:
    """Index of the transition furthest behind its plan rate.

    The transition with the lowest ``actual / plan`` ratio, compared at 9 decimals (see
    :func:`comparable_ratio`); ties go to the top-most, and transitions whose rate is
    undefined (no volume at the upper stage) are skipped.

    Parameters
    ----------
    actual_counts, plan_rates : array_like
        As for :func:`funnel_gap`.

    Returns
    -------
    int or ndarray
        Transition ``i`` (from stage ``i`` to ``i + 1``); -1 where no transition has data.

    References
    ----------
    Seed article ``001_973ba6308e195158.txt``.

    Examples
    --------
    >>> bottleneck([6000, 90, 12, 3, 1.2, 0.6], [0.015, 0.2, 0.2, 0.4, 0.5])
    1
    """
    ratio = comparable_ratio(funnel_gap(actual_counts, plan_rates).ratio)
    filled = np.where(np.isnan(ratio), np.inf, ratio)
    index = np.where(np.isinf(filled).all(axis=-1), -1, filled.argmin(axis=-1))
    return int(index) if index.ndim == 0 else index


def comparable_ratio(ratio: ArrayLike) -> np.ndarray:
    """Ratios rounded to 9 decimals, so that float noise neither breaks ties nor misses plan.

    ``18 / 90`` against a 20 % plan is ``0.9999999999999999`` in binary floating point: on
    plan, not behind it. The plan workbook's Tracking sheet compares ``ROUND(ratio, 9)`` too,
    so its native formulas pick the same transition as :func:`bottleneck`.

    Examples
    --------
    >>> float(comparable_ratio(0.9999999999999999))
    1.0
    """
    return np.round(np.asarray(ratio, dtype=float), 9)


def advice(from_stage: str, to_stage: str) -> str:
    """Seed 001's advice for a transition that falls short, chosen by the stage names.

    Examples
    --------
    >>> advice("Leads", "MQLs")
    'review form qualification questions and lead sources'
    >>> advice("MQLs", "Sales Qualified Leads")
    'nurture MQLs with email and lead scoring'
    >>> advice("Trials", "Paid accounts")
    'look at what moves Trials to Paid accounts'
    """
    name = to_stage.lower()
    for keywords, text in _ADVICE:
        if any(keyword in name for keyword in keywords):
            return text
    return f"look at what moves {from_stage} to {to_stage}"


def bottleneck_message(
    actual_counts: ArrayLike,
    plan_rates: ArrayLike,
    stage_names: Sequence[str] | None = None,
) -> str:
    """One sentence naming the weakest transition and what to do about it.

    Parameters
    ----------
    actual_counts, plan_rates : array_like
        One funnel (1-D), as for :func:`funnel_gap`.
    stage_names : sequence of str, optional
        One name per stage; default :func:`default_stage_names`.

    Returns
    -------
    str
        ``"<from>→<to> is furthest behind: <advice>."``; :data:`ON_PLAN_MESSAGE` when every
        transition converts at or above plan; ``"No stage has actuals yet."`` when no rate
        is defined.

    References
    ----------
    Seed article ``001_973ba6308e195158.txt``.

    Examples
    --------
    >>> bottleneck_message([6000, 90, 12, 3, 1.2, 0.6], [0.015, 0.2, 0.2, 0.4, 0.5])
    'Leads→MQLs is furthest behind: review form qualification questions and lead sources.'
    """
    gap = funnel_gap(actual_counts, plan_rates)
    if gap.ratio.ndim != 1:
        raise ShapeMismatchError("bottleneck_message takes one funnel: a 1-D list of counts")
    names = tuple(stage_names) if stage_names is not None else None
    names = names or default_stage_names(gap.ratio.shape[0] + 1)
    if len(names) != gap.ratio.shape[0] + 1:
        raise ShapeMismatchError(
            f"stage_names has {len(names)} names for {gap.ratio.shape[0] + 1} stages"
        )
    index = bottleneck(actual_counts, plan_rates)
    if index < 0:
        return NO_DATA_MESSAGE
    if comparable_ratio(gap.ratio[index]) >= 1:
        return ON_PLAN_MESSAGE
    return transition_message(names[index], names[index + 1])


def transition_message(from_stage: str, to_stage: str) -> str:
    """The sentence for one transition, as :func:`bottleneck_message` words it.

    The plan workbook writes these sentences into cells and picks one with native formulas.

    Examples
    --------
    >>> transition_message("MQLs", "SQLs")
    'MQLs→SQLs is furthest behind: nurture MQLs with email and lead scoring.'
    """
    return f"{from_stage}→{to_stage} is furthest behind: {advice(from_stage, to_stage)}."
