"""The probability of hitting the plan: a Monte Carlo funnel with uncertain conversion rates.

A plan that multiplies average conversion rates (the "funnel fallacy") reaches its target only
about half the time at best: every rate is uncertain and every stage is a chance process. This
module simulates both, all trials at once in numpy: 100,000 trials of a six-stage funnel take a
fraction of a second, under 0.1 s (``benchmarks/bench_simulation.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import (
    as_array,
    ceil_whole,
    check_nonnegative,
    check_rates,
    fmt,
    position,
    scalar_or_array,
)
from xl_funnel.errors import InvalidAmountError, InvalidRateError, ShapeMismatchError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_STAGES",
    "MAX_TRIALS",
    "MAX_VOLUME",
    "Simulation",
    "rate_draws",
    "simulate",
    "volume_for",
]

#: Upper bound on ``trials``: 5 million trials of a six-stage funnel need about 300 MB.
MAX_TRIALS = 5_000_000
#: Upper bound on stage-to-stage rates: each costs one random draw per trial.
MAX_STAGES = 64
#: Upper bound on volumes and targets: numpy's samplers work on 64-bit integers.
MAX_VOLUME = 1e15
# numpy's hypergeometric sampler needs populations below 1e9; beyond that (a trial needing a
# billion visits for the target) the customers are drawn binomially instead (see _customers).
_HYPERGEOMETRIC_LIMIT = 10**9 - 1
# A trial whose rates would need more than this many top-of-funnel units never reaches the
# target in practice; numpy's negative binomial sampler cannot draw beyond about 1e18.
_NEVER = 1e15


@dataclass(frozen=True)
class Simulation:
    """Outcome of :func:`simulate`: one row per trial, and the statistics a planner reads.

    Attributes
    ----------
    top_volume : float
        Whole top-of-funnel units simulated (the argument rounded up).
    target : float
        Customers the plan needs (whole: the argument rounded up).
    customers : ndarray of float
        Customers won in each trial.
    needed : ndarray of float
        Top-of-funnel volume each trial needs to win `target` customers (``inf`` if its rates
        can never get there); a trial reaches the target exactly when
        ``needed <= top_volume``.
    seed : int or None
        The seed used: the same seed gives the same trials.
    """

    top_volume: float
    target: float
    customers: np.ndarray
    needed: np.ndarray
    seed: int | None

    @property
    def trials(self) -> int:
        """Number of trials."""
        return len(self.customers)

    @property
    def probability(self) -> float:
        """Share of trials that reach the target (at least ``target`` customers)."""
        return float(np.mean(self.needed <= self.top_volume))

    @property
    def mean(self) -> float:
        """Average customers over the trials."""
        return float(self.customers.mean())

    def customers_at(self, probability: ArrayLike) -> float | np.ndarray:
        """Customers reached in at least this share of the trials (P90 → 0.9).

        The largest ``c`` with ``P(customers >= c) >= probability``: a planner's "P90
        customers" is ``customers_at(0.9)``, the 10th percentile of the distribution.
        """
        chance = _probability(probability)
        ordered = np.sort(self.customers)
        index = np.floor(self.trials * (1 - chance) + 1e-9).astype(int)
        return scalar_or_array(ordered[np.clip(index, 0, self.trials - 1)])

    def volume_for(self, probability: ArrayLike) -> float | np.ndarray:
        """Top-of-funnel volume that reaches the target in at least this share of trials.

        Same as :func:`volume_for` with this simulation's arguments and seed.
        """
        return _volume_quantile(self.needed, _probability(probability))

    def histogram(self, max_bins: int = 30) -> pd.DataFrame:
        """Distribution of customers in at most `max_bins` bins of whole customers.

        Returns a DataFrame with ``low`` and ``high`` (customers, inclusive) and
        ``probability`` (share of trials), low to high.
        """
        import pandas as pd

        low, high = int(self.customers.min()), int(self.customers.max())
        width = max(1, -(-(high - low + 1) // max_bins))
        counts = np.bincount(((self.customers - low) // width).astype(int))
        lows = low + width * np.arange(len(counts))
        return pd.DataFrame(
            {"low": lows, "high": lows + width - 1, "probability": counts / self.trials}
        )


def simulate(
    top_volume: float,
    target: float,
    *,
    history: ArrayLike | None = None,
    rates: ArrayLike | None = None,
    rate_ranges: ArrayLike | None = None,
    trials: int = 100_000,
    seed: int | None = None,
) -> Simulation:
    """Simulate the funnel many times: how likely is the target, and how many customers?

    Give the conversion rates in exactly one of three ways: `history` (stage counts of past
    periods: each rate drawn from its beta posterior), `rate_ranges` (each rate drawn
    uniformly between a low and a high) or `rates` (known rates: only the chance of each
    stage remains).

    Parameters
    ----------
    top_volume : float
        Top-of-funnel volume planned (visits), ≥ 0; a fraction is rounded up to whole units.
    target : float
        Customers needed, ≥ 0; reaching 9.1 customers takes 10.
    history : array_like, optional
        Observed stage counts, top → bottom along the last axis; one row per past period
        (months, quarters) or a single row. Each stage's total must not exceed the total of
        the stage above it.
    rates : array_like, optional
        Known stage-to-stage conversion rates, top → bottom, each 0 ≤ r ≤ 1.
    rate_ranges : array_like, optional
        One ``(low, high)`` row per stage-to-stage rate, 0 ≤ low ≤ high ≤ 1.
    trials : int, default 100000
        Number of simulated funnels, 1 to :data:`MAX_TRIALS`. The standard error of the
        probability is at most ``0.5 / sqrt(trials)`` (0.0016 for 100,000 trials).
    seed : int, optional
        Seed for numpy's random generator: the same seed gives the same result.

    Returns
    -------
    Simulation
        ``.probability`` of reaching the target, ``.customers`` per trial,
        ``.customers_at(0.9)``, ``.volume_for(0.8)`` and ``.histogram()``.

    Raises
    ------
    ShapeMismatchError
        Not exactly one of `history`, `rates`, `rate_ranges`; or badly shaped.
    InvalidRateError
        A rate or range bound outside 0–1, or a range with low > high.
    InvalidAmountError
        Negative or non-finite volumes, targets or counts; a stage whose history total
        exceeds the stage above it; `trials` out of range.

    See Also
    --------
    volume_for : the volume that reaches the target with a given probability.

    Notes
    -----
    Each trial draws a rate for every stage :math:`i`. From history with :math:`s_i` units
    reaching stage :math:`i+1` out of :math:`n_i` at stage :math:`i` (summed over the
    periods), the posterior of the rate under a uniform prior is

    .. math:: r_i \\sim \\mathrm{Beta}(s_i + 1,\\; n_i - s_i + 1).

    Given the rates, every unit passes each stage independently, so the stage-by-stage
    binomial draws :math:`v_{i+1} \\sim \\mathrm{Binomial}(v_i, r_i)` compose into one:

    .. math:: C \\sim \\mathrm{Binomial}\\Big(V,\\; q = \\prod_i r_i\\Big).

    The simulation draws, per trial, the volume :math:`W` the trial needs for :math:`T`
    customers (the position of the :math:`T`-th success in a Bernoulli(:math:`q`) sequence:
    :math:`W = T + \\mathrm{NegBinomial}(T, q)`), then the customers consistent with it:
    :math:`C = T + \\mathrm{Binomial}(V - W, q)` when :math:`W \\le V`, otherwise the number of
    the :math:`T - 1` earlier successes that fall in the first :math:`V` units,
    :math:`\\mathrm{Hypergeometric}(T-1, W-T, V)`. That is exactly the same distribution as
    the stage-by-stage draws, and it makes the probability :math:`P(W \\le V)` a monotone step
    function of :math:`V` for a given seed, which :func:`volume_for` inverts exactly.

    References
    ----------
    Seed articles ``000_23589bf1b62aec3e.txt`` (planning up the funnel with average rates)
    and ``001_973ba6308e195158.txt`` (quarterly results say whether the year is on track).

    Examples
    --------
    Seed 000's funnel: 75,000 visits a year at its average rates make exactly the 9
    customers it plans for, on average. Even with the rates known for sure, the chance of
    each stage alone makes the plan miss almost one year in two:

    >>> rates = [0.015, 0.2, 0.2, 0.4, 0.5]
    >>> result = simulate(75_000, 9, rates=rates, seed=0)
    >>> round(result.probability, 2), round(result.mean, 2), result.customers_at(0.9)
    (0.54, 9.0, 5.0)

    With the rates learnt from four quarters of history at those same rates:

    >>> history = [[25_000, 375, 75, 15, 6, 3]] * 4
    >>> round(simulate(75_000, 9, history=history, seed=0).probability, 2)
    0.53
    """
    volume = _whole(top_volume, "top_volume", "a volume")
    goal = _whole(target, "target", "a target")
    count = _trials(trials)
    rng = np.random.default_rng(seed)
    overall = rate_draws(count, rng, history=history, rates=rates, rate_ranges=rate_ranges)
    needed = _needed(goal, overall, rng)
    customers = _customers(volume, goal, overall, needed, rng)
    return Simulation(volume, goal, customers, needed, seed)


def volume_for(
    probability: ArrayLike,
    target: float,
    *,
    history: ArrayLike | None = None,
    rates: ArrayLike | None = None,
    rate_ranges: ArrayLike | None = None,
    trials: int = 100_000,
    seed: int | None = None,
) -> float | np.ndarray:
    """Top-of-funnel volume that reaches the target with a given probability (P50/P80/P90).

    Parameters
    ----------
    probability : array_like
        Wanted chance of reaching the target, 0 < p ≤ 1 (0.9 for a P90 plan). An array
        gives all the volumes from the same trials.
    target : float
        Customers needed, ≥ 0 (rounded up to whole customers).
    history, rates, rate_ranges, trials, seed
        As in :func:`simulate`, exactly one of the three rate sources.

    Returns
    -------
    float or ndarray
        The smallest whole volume :math:`V` with :math:`P(\\text{customers} \\ge T) \\ge p`
        over the simulated trials; ``inf`` when more than ``1 − p`` of the trials can never
        reach the target (rates of 0). Scalars in → a float out.

    Raises
    ------
    InvalidRateError
        A probability outside (0, 1], or a bad rate (as in :func:`simulate`).
    ShapeMismatchError, InvalidAmountError
        As in :func:`simulate`.

    Notes
    -----
    With :math:`W_t` the volume trial :math:`t` needs (see :func:`simulate`), the
    probability of a volume is the step function :math:`P(V) = \\#\\{t : W_t \\le V\\} / N`,
    monotone in :math:`V` because every volume is judged on the same trials (common random
    numbers). Its smallest :math:`V` with :math:`P(V) \\ge p` is the order statistic
    :math:`W_{(\\lceil pN \\rceil)}`: exactly the volume a bisection on common random
    numbers converges to, found with one sort. So ``simulate(volume_for(p, …), …,
    seed=s).probability >= p`` always holds for the same seed and trials.

    References
    ----------
    Seed article ``000_23589bf1b62aec3e.txt``: the reverse funnel from customers to visits.

    Examples
    --------
    Seed 000's 9 customers a year with the rates learnt from four quarters of history: the
    average-rate plan says 75,000 visits; reaching 9 customers 9 years in 10 takes 70 % more:

    >>> history = [[25_000, 375, 75, 15, 6, 3]] * 4
    >>> volume_for([0.5, 0.8, 0.9], 9, history=history, seed=0).tolist()
    [72728.0, 104959.0, 127028.0]
    """
    chance = _probability(probability)
    goal = _whole(target, "target", "a target")
    count = _trials(trials)
    rng = np.random.default_rng(seed)
    overall = rate_draws(count, rng, history=history, rates=rates, rate_ranges=rate_ranges)
    return _volume_quantile(_needed(goal, overall, rng), chance)


def rate_draws(
    trials: int,
    rng: np.random.Generator,
    *,
    history: ArrayLike | None = None,
    rates: ArrayLike | None = None,
    rate_ranges: ArrayLike | None = None,
) -> np.ndarray:
    """Overall top-to-bottom conversion rate of each trial (the product of its stage rates).

    The stage rates come from exactly one source (see :func:`simulate`); the draws use
    `rng` in a fixed order, so a seed reproduces them.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rate_draws(2, rng, rates=[0.5, 0.5]).tolist()
    [0.25, 0.25]
    """
    given = [name for name, value in _sources(history, rates, rate_ranges) if value is not None]
    if len(given) != 1:
        raise ShapeMismatchError(
            "give the conversion rates one way: history (stage counts), rates or rate_ranges"
            + (f", not {' and '.join(given)}" if given else "")
        )
    if rates is not None:
        known = as_array(rates, "rates")
        check_rates(known, allow_zero=True)
        if known.ndim != 1:
            raise ShapeMismatchError(f"rates must be one row of rates, got shape {known.shape}")
        _check_stages(len(known), "rates")
        return np.full(trials, np.prod(known))
    overall = np.ones(trials)
    # One stage at a time: memory stays one number per trial, whatever the stage count.
    if rate_ranges is not None:
        low, high = _ranges(rate_ranges)
        for stage in range(len(low)):
            overall *= rng.uniform(low[stage], high[stage], size=trials)
        return overall
    successes, failures = _history(history)
    for stage in range(len(successes)):
        overall *= rng.beta(successes[stage] + 1, failures[stage] + 1, size=trials)
    return overall


def _check_stages(count: int, name: str) -> None:
    if count > MAX_STAGES:
        raise ShapeMismatchError(
            f"{name} has {count} stage-to-stage rates: xl-funnel simulates funnels of up to "
            f"{MAX_STAGES}"
        )


def _sources(
    history: ArrayLike | None, rates: ArrayLike | None, rate_ranges: ArrayLike | None
) -> tuple[tuple[str, ArrayLike | None], ...]:
    return (("history", history), ("rates", rates), ("rate_ranges", rate_ranges))


def _history(history: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Successes and failures of every stage-to-stage transition, summed over the periods."""
    counts = as_array(history, "history")
    if counts.ndim == 1:
        counts = counts[None, :]
    if counts.ndim != 2 or counts.shape[1] < 2:
        raise ShapeMismatchError(
            "history must list at least two stage counts (top → bottom) per period, got "
            f"shape {counts.shape}"
        )
    check_nonnegative(counts, "history", "a count")
    _check_stages(counts.shape[1] - 1, "history")
    totals = counts.sum(axis=0)
    upper, lower = totals[:-1], totals[1:]
    over = lower > upper
    if over.any():
        stage = int(np.flatnonzero(over)[0])
        raise InvalidAmountError(
            f"history column {stage + 1} totals {fmt(lower[stage])}, more than the "
            f"{fmt(upper[stage])} of column {stage} above it: a stage cannot convert more "
            "than it received (shift the lagged counts to the period they came from)"
        )
    return lower, upper - lower


def _ranges(rate_ranges: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    bounds = as_array(rate_ranges, "rate_ranges")
    if bounds.ndim == 1 and bounds.shape[0] == 2:
        bounds = bounds[None, :]
    if bounds.ndim != 2 or bounds.shape[1] != 2 or bounds.shape[0] == 0:
        raise ShapeMismatchError(
            f"rate_ranges must have one (low, high) row per stage, got shape {bounds.shape}"
        )
    check_rates(bounds, "rate_ranges", allow_zero=True)
    _check_stages(bounds.shape[0], "rate_ranges")
    crossed = bounds[:, 0] > bounds[:, 1]
    if crossed.any():
        stage = int(np.flatnonzero(crossed)[0])
        raise InvalidRateError(
            f"rate_ranges[{stage}] is ({fmt(bounds[stage, 0])}, {fmt(bounds[stage, 1])}): "
            "the low rate must not exceed the high rate"
        )
    return bounds[:, 0], bounds[:, 1]


def _needed(goal: float, overall: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Top-of-funnel volume each trial needs for ``goal`` customers (inf if out of reach)."""
    if goal == 0:
        return np.zeros(len(overall))
    reachable = goal / np.maximum(overall, 1e-300) < _NEVER
    safe = np.where(reachable, overall, 1.0)
    needed = goal + rng.negative_binomial(goal, safe).astype(float)
    return np.where(reachable, needed, np.inf)


def _customers(
    volume: float,
    goal: float,
    overall: np.ndarray,
    needed: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Customers won by ``volume`` units in each trial, consistent with ``needed``."""
    reached = needed <= volume
    # Reached: `goal` customers by unit `needed`, then each later unit converts independently.
    spare = np.where(reached, volume - needed, 0.0).astype(np.int64)
    after = goal + rng.binomial(spare, overall)
    # Missed: the goal − 1 earlier successes fall uniformly among the needed − 1 units before
    # (with a goal of 1 there are none: a missed trial won nothing).
    before = np.zeros(len(overall), dtype=np.int64)
    good = int(goal) - 1
    missed = ~reached
    if good >= 1 and missed.any():
        population = np.where(missed, needed - 1, 0.0)
        exact = missed & (population <= _HYPERGEOMETRIC_LIMIT) & (good <= _HYPERGEOMETRIC_LIMIT)
        if exact.any():
            before[exact] = rng.hypergeometric(
                good,
                (population[exact] - good).astype(np.int64),
                np.minimum(volume, population[exact]).astype(np.int64),
            )
        # Beyond the sampler's range (a billion units) draw binomially below the goal.
        far = missed & ~exact
        if far.any():
            before[far] = np.minimum(rng.binomial(int(volume), overall[far]), good)
    return np.where(reached, after, before).astype(float)


def _volume_quantile(needed: np.ndarray, chance: np.ndarray) -> float | np.ndarray:
    ordered = np.sort(needed)
    index = ceil_whole(chance * len(ordered)).astype(int) - 1
    return scalar_or_array(ordered[np.clip(index, 0, len(ordered) - 1)])


def _probability(probability: ArrayLike) -> np.ndarray:
    chance = as_array(probability, "probability")
    bad = ~((chance > 0) & (chance <= 1))
    if bad.any():
        raise InvalidRateError(
            f"{position('probability', bad)} is {fmt(float(chance[bad].flat[0]))}: a "
            "probability must be greater than 0 and at most 1 (0.9 for P90)"
        )
    return chance


def _whole(value: float, name: str, what: str) -> float:
    amount = as_array(value, name)
    if amount.ndim != 0:
        raise ShapeMismatchError(f"{name} must be a single number, got shape {amount.shape}")
    check_nonnegative(amount, name, what)
    if amount > MAX_VOLUME:
        raise InvalidAmountError(
            f"{name} is {fmt(float(amount))}: xl-funnel simulates up to {MAX_VOLUME:g}"
        )
    return float(ceil_whole(amount))


def _trials(trials: int) -> int:
    count = as_array(trials, "trials")
    if count.ndim != 0 or not 1 <= count <= MAX_TRIALS or count != np.floor(count):
        raise InvalidAmountError(
            f"trials is {trials!r}: give a whole number from 1 to {MAX_TRIALS:,}"
        )
    return int(count)
