"""Shapley-value attribution over channel sets.

The players are the channels; the worth of a coalition :math:`S` is the revenue of the journeys
whose set of channels lies within :math:`S`: :math:`v(S) = \\sum_{T \\subseteq S} R(T)`, with
:math:`R(T)` the revenue of the journeys touched by exactly the channels :math:`T` (the
characteristic function of Zhao et al. 2018 and of DP6's ``marketing_attribution_models``).
A channel's Shapley value is its marginal contribution averaged over every order of joining:

.. math:: \\varphi_i = \\sum_{S \\not\\ni i} \\frac{|S|!\\,(n-|S|-1)!}{n!}
          \\bigl(v(S \\cup \\{i\\}) - v(S)\\bigr)

For this worth, the sum simplifies exactly to :math:`\\varphi_i = \\sum_{T \\ni i} R(T)/|T|`:
each journey's revenue split evenly over its *distinct* channels. That form is relational (one
``DISTINCT`` and two ``GROUP BY``), so DuckDB and Spark compute it for any number of channels;
the in-memory reference enumerates all :math:`2^n` coalitions up to :data:`MAX_EXACT` channels
(the definition above), and the tests hold the two equal.
"""

from __future__ import annotations

import math

import numpy as np

from xl_funnel.errors import ShapeMismatchError

__all__ = ["MAX_EXACT", "coalition_worth", "journey_credit", "shapley_values"]

#: Channels up to which the reference enumerates every coalition (2^20 ≈ a million).
MAX_EXACT = 20


def shapley_values(worth: np.ndarray) -> np.ndarray:
    """Exact Shapley values of a game given by the worth of every coalition.

    Parameters
    ----------
    worth : array_like, shape (2**n,)
        ``worth[m]`` is :math:`v(S)` for the coalition whose members are the set bits of
        ``m`` (player ``i`` is bit ``i``); ``worth[0]`` is the empty coalition.

    Returns
    -------
    ndarray, shape (n,)
        :math:`\\varphi_i`; they sum to ``worth[-1] - worth[0]``.

    Raises
    ------
    ShapeMismatchError
        ``worth`` has not 2**n entries, or n > :data:`MAX_EXACT`.

    Notes
    -----
    .. math:: \\varphi_i = \\sum_{S \\not\\ni i} \\frac{|S|!\\,(n-|S|-1)!}{n!}
              \\bigl(v(S \\cup \\{i\\}) - v(S)\\bigr)

    References
    ----------
    Shapley (1953), "A value for n-person games"; Zhao, Mahboobi and Bagheri (2018),
    "Shapley value methods for attribution modeling in online advertising".

    Examples
    --------
    The worked example of the "Data Driven Attribution using Shapley value" notebook
    (channels F, O, L; worth 0.2, 0.1, 0.47, 0.17, 0.67, 0.27, 1.0 for F, O, F+O, L, F+L,
    O+L, F+O+L):

    >>> shapley_values([0, 0.2, 0.1, 0.47, 0.17, 0.67, 0.27, 1.0]).round(12).tolist()
    [0.455, 0.205, 0.34]
    """
    worth = np.asarray(worth, dtype=float)
    players = round(math.log2(len(worth))) if len(worth) else -1
    if players < 0 or 2**players != len(worth) or players > MAX_EXACT:
        raise ShapeMismatchError(
            f"worth has {len(worth)} entries: give 2**n coalition worths, n ≤ {MAX_EXACT}"
        )
    masks = np.arange(len(worth))
    sizes = np.zeros(len(worth), dtype=np.int64)
    for i in range(players):
        sizes += (masks >> i) & 1
    weights = np.array(
        [
            math.factorial(k) * math.factorial(players - k - 1) / math.factorial(players)
            for k in range(players)
        ]
    )
    values = np.zeros(players)
    for i in range(players):
        bit = 1 << i
        without = masks[(masks & bit) == 0]
        values[i] = np.dot(weights[sizes[without]], worth[without | bit] - worth[without])
    return values


def coalition_worth(revenue_by_set: np.ndarray) -> np.ndarray:
    """:math:`v(S) = \\sum_{T \\subseteq S} R(T)` for every coalition (a subset-sum transform).

    >>> coalition_worth([0, 20, 10, 17, 17, 30, 0, 6]).tolist()
    [0.0, 20.0, 10.0, 47.0, 17.0, 67.0, 27.0, 100.0]
    """
    worth = np.array(revenue_by_set, dtype=float)
    masks = np.arange(len(worth))
    bit = 1
    while bit < len(worth):
        has = masks[(masks & bit) != 0]
        worth[has] += worth[has ^ bit]
        bit <<= 1
    return worth


def journey_credit(
    channel: np.ndarray, journey: np.ndarray, revenue: np.ndarray, channels: int
) -> np.ndarray:
    """Shapley credit per channel from the touches' channel and journey codes.

    Up to :data:`MAX_EXACT` channels the coalitions are enumerated (:func:`shapley_values`
    of :func:`coalition_worth`); beyond, each journey's revenue is split over its distinct
    channels, which the module's notes show is the same value.
    """
    pairs = np.unique(journey.astype(np.int64) * channels + channel)
    pair_journey, pair_channel = pairs // channels, pairs % channels
    if channels > MAX_EXACT:
        distinct = np.bincount(pair_journey, minlength=len(revenue))
        return np.bincount(
            pair_channel, weights=revenue[pair_journey] / distinct[pair_journey], minlength=channels
        )
    sets = np.bincount(pair_journey, weights=2.0**pair_channel, minlength=len(revenue))
    by_set = np.bincount(sets.astype(np.int64), weights=revenue, minlength=2**channels)
    values = shapley_values(coalition_worth(by_set))
    total = revenue.sum()
    if total > 0:
        values[int(np.argmax(values))] += total - values.sum()
    return values
