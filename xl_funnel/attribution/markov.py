"""First-order Markov-chain attribution: each channel's removal effect.

The journeys are read as walks through a Markov chain whose states are the channels plus three
more: ``(start)``, ``(conversion)`` and ``(null)`` (the journey ended without revenue). The
transition probabilities are the observed transition counts divided by each state's total. The
*removal effect* of a channel is the share of the conversion probability lost when the channel
is removed (every transition into it goes to ``(null)`` instead), and the channels share the
revenue in proportion to their removal effects.

Counting the transitions is the heavy part, over every touch: each engine does it where the data
lives (numpy, DuckDB, Spark: see :mod:`.sql`). What comes back is a small matrix (channels × 2
more), solved here once for every engine.
"""

from __future__ import annotations

import numpy as np

__all__ = ["conversion_probability", "credit", "removal_effects", "transition_counts"]


def transition_counts(
    channel: np.ndarray,
    starts: np.ndarray,
    last: np.ndarray,
    converted: np.ndarray,
    channels: int,
) -> np.ndarray:
    """Transition counts of the journeys' walks, from touches sorted by journey and time.

    Parameters
    ----------
    channel : ndarray of int
        Channel code (0 … ``channels`` − 1) of every touch, sorted by journey then time.
    starts, last : ndarray of int
        Sorted-row index of each journey's first and last touch.
    converted : ndarray of bool
        Whether each journey converted (its revenue is > 0).
    channels : int
        Number of channels.

    Returns
    -------
    ndarray, shape (channels + 1, channels + 2)
        Row 0 is ``(start)``, row ``1 + c`` channel ``c``; column ``c`` is channel ``c``, then
        ``(conversion)`` and ``(null)``.

    Examples
    --------
    Two journeys, A → B converted and B alone not:

    >>> transition_counts(np.array([0, 1, 1]), np.array([0, 2]), np.array([1, 2]),
    ...                   np.array([True, False]), 2).tolist()
    [[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]]
    """
    width = channels + 2
    within = np.ones(len(channel), dtype=bool)
    within[last] = False
    sources = np.concatenate(
        [np.zeros(len(starts), dtype=np.int64), 1 + channel[within], 1 + channel[last]]
    )
    targets = np.concatenate(
        [
            channel[starts],
            channel[np.flatnonzero(within) + 1],
            np.where(converted, channels, channels + 1),
        ]
    )
    flat = np.bincount(sources * width + targets, minlength=(channels + 1) * width)
    return flat.reshape(channels + 1, width)


def conversion_probability(counts: np.ndarray, removed: int | None = None) -> float:
    """Probability that a walk from ``(start)`` ends in ``(conversion)``.

    With ``removed`` (a channel code), that channel is taken out of the chain: walks reaching
    it end in ``(null)``. The absorbing chain's equations are solved exactly:
    :math:`p = s^T (I - Q)^{-1} r`, with :math:`Q` the channel-to-channel transition
    probabilities, :math:`r` each channel's probability of converting next and :math:`s` the
    start distribution.

    Sergey Bryl's worked example (C1 > C2 > C3 converted; C1 and C2 > C3 not): a third of
    the walks convert, a sixth without C1.

    >>> counts = np.array([[2, 1, 0, 0, 0], [0, 1, 0, 0, 1], [0, 0, 2, 0, 0], [0, 0, 0, 1, 1]])
    >>> round(conversion_probability(counts), 12), round(conversion_probability(counts, 0), 12)
    (0.333333333333, 0.166666666667)
    """
    counts = np.asarray(counts, dtype=float)
    channels = counts.shape[0] - 1
    totals = counts.sum(axis=1, keepdims=True)
    probabilities = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    keep = np.ones(channels, dtype=bool)
    if removed is not None:
        keep[removed] = False
    start = probabilities[0, :channels][keep]
    q = probabilities[1:, :channels][np.ix_(keep, keep)]
    r = probabilities[1:, channels][keep]
    if not keep.any():
        return 0.0
    return float(start @ np.linalg.solve(np.eye(len(q)) - q, r))


def removal_effects(counts: np.ndarray) -> np.ndarray:
    """Each channel's removal effect: :math:`1 - p_{-c} / p` (0 for all when :math:`p = 0`).

    References
    ----------
    Anderl, Becker, von Wangenheim and Schumann (2016), "Mapping the customer journey:
    lessons learned from graph-based online attribution modeling", *International Journal of
    Research in Marketing* 33(3); the ChannelAttribution package's ``markov_model``.

    Examples
    --------
    Sergey Bryl's worked example (C1 > C2 > C3 converted; C1 and C2 > C3 not):

    >>> counts = np.array([[2, 1, 0, 0, 0], [0, 1, 0, 0, 1], [0, 0, 2, 0, 0], [0, 0, 0, 1, 1]])
    >>> removal_effects(counts).round(12).tolist()
    [0.5, 1.0, 1.0]
    """
    channels = counts.shape[0] - 1
    overall = conversion_probability(counts)
    if overall <= 0:
        return np.zeros(channels)
    without = np.array([conversion_probability(counts, c) for c in range(channels)])
    return np.clip(1.0 - without / overall, 0.0, None)


def credit(counts: np.ndarray, total: float) -> np.ndarray:
    """The revenue ``total`` shared by the channels in proportion to their removal effects.

    The floating-point remainder goes to the channel with the largest share, so the credit
    sums to ``total`` exactly as the engines' sums allow.

    >>> credit(np.array([[2, 1, 0, 0, 0], [0, 1, 0, 0, 1], [0, 0, 2, 0, 0], [0, 0, 0, 1, 1]]),
    ...        1000.0).round(9).tolist()
    [200.0, 400.0, 400.0]
    """
    effects = removal_effects(counts)
    weight = effects.sum()
    if weight <= 0 or total == 0:
        return np.zeros(len(effects))
    shares = effects / weight * total
    shares[int(np.argmax(shares))] += total - shares.sum()
    return shares
