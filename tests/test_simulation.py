"""The Monte Carlo funnel: closed forms, the deterministic limit, monotonicity, consistency."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xl_funnel as xf
from xl_funnel.errors import InvalidAmountError, InvalidRateError, ShapeMismatchError
from xl_funnel.simulation import simulate, volume_for

SEED_RATES = [0.015, 0.2, 0.2, 0.4, 0.5]
# Four quarters of the seed 000 funnel, at exactly its rates.
QUARTERS = [[25_000, 375, 75, 15, 6, 3]] * 4


def binomial_tail(n: int, p: float, k: int) -> float:
    """P(Binomial(n, p) >= k), summed exactly in log space (no scipy)."""
    if k <= 0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    below = sum(
        math.exp(
            math.lgamma(n + 1)
            - math.lgamma(i + 1)
            - math.lgamma(n - i + 1)
            + i * log_p
            + (n - i) * log_q
        )
        for i in range(k)
    )
    return 1.0 - below


def beta_binomial_tail(n: int, a: float, b: float, k: int) -> float:
    """P(X >= k) for X ~ BetaBinomial(n, a, b): a Binomial(n, p) with p ~ Beta(a, b)."""

    def log_beta(x: float, y: float) -> float:
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    below = sum(
        math.exp(
            math.lgamma(n + 1)
            - math.lgamma(i + 1)
            - math.lgamma(n - i + 1)
            + log_beta(i + a, n - i + b)
            - log_beta(a, b)
        )
        for i in range(k)
    )
    return 1.0 - below


def within(estimate: float, exact: float, trials: int, sigmas: float = 4.5) -> bool:
    return abs(estimate - exact) <= sigmas * math.sqrt(max(exact * (1 - exact), 1e-6) / trials)


@pytest.mark.parametrize(
    ("volume", "rate", "target"),
    [(100, 0.3, 30), (1_000, 0.02, 25), (40, 0.5, 1), (5_000, 0.001, 3)],
)
def test_one_stage_matches_the_binomial_closed_form(volume, rate, target):
    trials = 200_000
    result = simulate(volume, target, rates=[rate], trials=trials, seed=11)
    exact = binomial_tail(volume, rate, target)
    assert within(result.probability, exact, trials), (result.probability, exact)
    # The whole distribution, not only the tail at the target: mean and variance.
    assert result.mean == pytest.approx(volume * rate, rel=4.5 / math.sqrt(trials * volume * rate))
    assert result.customers.var() == pytest.approx(volume * rate * (1 - rate), rel=0.03)


def test_one_stage_history_matches_the_beta_binomial_closed_form():
    # 40 of 200 converted: rate ~ Beta(41, 161); 150 units, target 30.
    trials = 200_000
    result = simulate(150, 30, history=[[120, 25], [80, 15]], trials=trials, seed=5)
    exact = beta_binomial_tail(150, 41, 161, 30)
    assert within(result.probability, exact, trials), (result.probability, exact)


def test_many_stages_equal_one_stage_at_the_product_rate():
    # Binomial thinning: each unit passes every stage independently.
    trials = 200_000
    result = simulate(75_000, 9, rates=SEED_RATES, trials=trials, seed=2)
    exact = binomial_tail(75_000, float(np.prod(SEED_RATES)), 9)
    assert within(result.probability, exact, trials)


def test_stage_by_stage_binomial_draws_agree():
    """The naive simulation: rates from the beta posterior, then one binomial per stage."""
    trials = 200_000
    rng = np.random.default_rng(99)
    counts = np.asarray(QUARTERS, dtype=float).sum(axis=0)
    rates = rng.beta(counts[1:] + 1, counts[:-1] - counts[1:] + 1, size=(trials, 5))
    volume = np.full(trials, 75_000)
    for stage in range(5):
        volume = rng.binomial(volume, rates[:, stage])
    naive = np.mean(volume >= 9)
    ours = simulate(75_000, 9, history=QUARTERS, trials=trials, seed=3)
    assert within(ours.probability, naive, trials, sigmas=6)
    assert ours.mean == pytest.approx(volume.mean(), rel=0.02)
    assert ours.customers.std() == pytest.approx(volume.std(), rel=0.03)


def test_zero_uncertainty_reproduces_the_deterministic_funnel():
    # Every rate certain and 1: the funnel is deterministic, to the unit.
    result = simulate(500, 500, rates=[1.0, 1.0, 1.0], trials=1_000, seed=0)
    assert np.all(result.customers == 500)
    assert result.probability == 1.0
    assert simulate(499, 500, rates=[1.0, 1.0], trials=1_000, seed=0).probability == 0.0
    # Certain rates: the average is the deterministic forward funnel ...
    expected = float(xf.forward(75_000, SEED_RATES)[-1])
    result = simulate(75_000, 9, rates=SEED_RATES, trials=200_000, seed=4)
    assert result.mean == pytest.approx(expected, abs=4.5 * math.sqrt(expected / 200_000))
    # ... and a range of zero width is the same as a known rate.
    same = simulate(75_000, 9, rate_ranges=[[r, r] for r in SEED_RATES], trials=200_000, seed=4)
    assert within(same.probability, result.probability, 200_000, sigmas=6)
    # For a large target the median volume converges on backsolve's.
    median = volume_for(0.5, 2_000, rates=SEED_RATES, trials=20_000, seed=1)
    assert median == pytest.approx(float(xf.backsolve(2_000, SEED_RATES)[0]), rel=0.01)


def test_probability_is_monotone_in_volume_for_a_seed():
    volumes = np.arange(40_000, 140_000, 1_750)
    chances = [simulate(v, 9, history=QUARTERS, trials=20_000, seed=8).probability for v in volumes]
    assert chances == sorted(chances)
    assert chances[0] < 0.3
    assert chances[-1] > 0.9


@settings(max_examples=40, deadline=None)
@given(
    rates=st.lists(st.floats(0.05, 1.0), min_size=1, max_size=4),
    target=st.integers(0, 30),
    volumes=st.lists(st.integers(0, 3_000), min_size=2, max_size=5),
    seed=st.integers(0, 2**32),
)
def test_monotone_and_consistent_for_any_plan(rates, target, volumes, seed):
    ranges = [[r * 0.7, r] for r in rates]
    runs = [
        simulate(v, target, rate_ranges=ranges, trials=2_000, seed=seed) for v in sorted(volumes)
    ]
    chances = [run.probability for run in runs]
    assert chances == sorted(chances)
    for run in runs:
        # The customers drawn agree trial by trial with the volume each trial needs.
        np.testing.assert_array_equal(run.customers >= target, run.needed <= run.top_volume)
        assert np.all(run.customers >= 0)
        assert np.all(run.customers <= run.top_volume)


@pytest.mark.parametrize("chance", [0.5, 0.8, 0.9, 0.97])
def test_volume_for_is_the_smallest_volume_reaching_the_probability(chance):
    kwargs = {"history": QUARTERS, "trials": 30_000, "seed": 21}
    volume = volume_for(chance, 9, **kwargs)
    assert volume == int(volume)
    assert simulate(volume, 9, **kwargs).probability >= chance
    assert simulate(volume - 1, 9, **kwargs).probability < chance


def test_volume_for_is_monotone_in_probability_and_deterministic():
    kwargs = {"history": QUARTERS, "trials": 20_000, "seed": 7}
    volumes = volume_for([0.5, 0.8, 0.9], 9, **kwargs)
    assert list(volumes) == sorted(volumes)
    np.testing.assert_array_equal(volumes, volume_for([0.5, 0.8, 0.9], 9, **kwargs))
    result = simulate(75_000, 9, **kwargs)
    np.testing.assert_array_equal(result.volume_for([0.5, 0.8, 0.9]), volumes)
    assert isinstance(volume_for(0.8, 9, **kwargs), float)


def test_the_funnel_fallacy_in_numbers():
    # Seed 000: $10M at $1.1M a customer is 9.09 customers; 10 are needed. The average-rate
    # plan for 9.09 customers makes 9.09 on average and reaches 10 well under half the time.
    planned = float(xf.backsolve(10e6 / 1.1e6, SEED_RATES)[0])
    result = simulate(planned, 10e6 / 1.1e6, history=QUARTERS, seed=0)
    assert result.target == 10
    assert result.probability < 0.45
    assert result.mean == pytest.approx(10e6 / 1.1e6, rel=0.05)


def test_customers_at_and_histogram():
    result = simulate(75_000, 9, rates=SEED_RATES, trials=50_000, seed=1)
    for chance in (0.5, 0.8, 0.9):
        c = result.customers_at(chance)
        assert np.mean(result.customers >= c) >= chance
        assert np.mean(result.customers >= c + 1) < chance
    histogram = result.histogram()
    assert histogram["probability"].sum() == pytest.approx(1.0)
    assert histogram["low"].iloc[0] == result.customers.min()
    assert histogram["high"].iloc[-1] >= result.customers.max()
    assert len(result.histogram(max_bins=5)) <= 5
    assert result.trials == 50_000


def test_same_seed_same_trials():
    one = simulate(75_000, 9, history=QUARTERS, trials=5_000, seed=42)
    two = simulate(75_000, 9, history=QUARTERS, trials=5_000, seed=42)
    np.testing.assert_array_equal(one.customers, two.customers)
    assert one.seed == 42


def test_zero_target_and_unreachable_target():
    assert simulate(0, 0, rates=[0.5], trials=100, seed=0).probability == 1.0
    assert volume_for(0.9, 0, rates=[0.5], trials=100, seed=0) == 0.0
    never = simulate(1_000, 1, rates=[0.5, 0.0], trials=100, seed=0)
    assert never.probability == 0.0
    assert np.all(never.customers == 0)
    assert volume_for(0.5, 1, rates=[0.5, 0.0], trials=100, seed=0) == math.inf


def test_fractions_round_up_to_whole_units():
    result = simulate(99.2, 9.1, rates=[1.0], trials=10, seed=0)
    assert (result.top_volume, result.target) == (100.0, 10.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ShapeMismatchError, "give the conversion rates one way"),
        ({"rates": [0.5], "history": [[2, 1]]}, ShapeMismatchError, "not history and rates"),
        ({"rates": [0.5, 1.5]}, InvalidRateError, r"rates\[1\] is 1.5"),
        ({"rates": [[0.5]]}, ShapeMismatchError, "one row of rates"),
        (
            {"history": [[100, 120], [10, 30]]},
            InvalidAmountError,
            "history column 1 totals 150, more than the 110 of column 0",
        ),
        ({"history": [[100, -1]]}, InvalidAmountError, r"history\[0, 1\] is -1"),
        ({"history": [100]}, ShapeMismatchError, "at least two stage counts"),
        ({"rate_ranges": [[0.3, 0.2]]}, InvalidRateError, r"rate_ranges\[0\] is \(0.3, 0.2\)"),
        ({"rate_ranges": [[0.3, 0.2, 0.1]]}, ShapeMismatchError, "one \\(low, high\\) row"),
        ({"rates": [0.5], "trials": 0}, InvalidAmountError, "trials is 0: give a whole number"),
        ({"rates": [0.5], "trials": 2.5}, InvalidAmountError, "trials is 2.5"),
    ],
)
def test_bad_input_is_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        simulate(100, 5, **kwargs)


def test_bad_volume_target_and_probability():
    with pytest.raises(InvalidAmountError, match="top_volume is -5: a volume cannot be negative"):
        simulate(-5, 1, rates=[0.5])
    with pytest.raises(ShapeMismatchError, match="target must be a single number"):
        simulate(5, [1, 2], rates=[0.5])
    with pytest.raises(InvalidRateError, match=r"probability\[1\] is 1.5: a probability"):
        volume_for([0.5, 1.5], 5, rates=[0.5])
    with pytest.raises(InvalidRateError, match="probability is 0"):
        volume_for(0, 5, rates=[0.5])
