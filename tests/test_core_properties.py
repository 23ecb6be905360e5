"""Properties of the core functions, for any valid input hypothesis can think of."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import xl_funnel as xf
from tests.strategies import funnel_st, money_st, periods_st, positive_money_st, target_st


@given(target=target_st, rates=funnel_st, periods=periods_st)
def test_forward_undoes_backsolve(target, rates, periods):
    volumes = xf.backsolve(target, rates, periods=periods)
    np.testing.assert_allclose(xf.forward(volumes[0], rates), volumes, rtol=1e-9, atol=1e-12)
    assert volumes[-1] == np.float64(target) / periods


@given(
    target=target_st,
    rates=funnel_st,
    periods=periods_st,
    buffer=st.floats(0, 1, allow_subnormal=False),
)
def test_round_up_is_whole_and_never_less_than_exact(target, rates, periods, buffer):
    exact = xf.backsolve(target, rates, periods=periods, buffer=buffer)
    whole = xf.backsolve(target, rates, periods=periods, buffer=buffer, round_up=True)
    np.testing.assert_array_equal(whole, np.round(whole))
    # Rounding ignores 1e-9 of float noise at the bottom, which the rates magnify upward.
    assert np.all(whole >= exact - 1e-9 * xf.backsolve(1.0, rates))
    # And each stage is enough for the rounded stage below it.
    assert np.all(whole[:-1] * np.asarray(rates) >= whole[1:] - 1e-9 * np.maximum(1, whole[1:]))


@given(target=target_st, rates=funnel_st, scale=st.floats(0.01, 100))
def test_backsolve_scales_linearly_in_target(target, rates, scale):
    np.testing.assert_allclose(
        xf.backsolve(target * scale, rates), xf.backsolve(target, rates) * scale, rtol=1e-12
    )


@given(counts=st.lists(st.floats(1e-3, 1e9), min_size=2, max_size=8))
def test_rates_from_counts_rebuild_the_counts(counts):
    rates = xf.conversion_rates(counts)
    np.testing.assert_allclose(np.cumprod(np.r_[counts[0], rates]), counts, rtol=1e-9)


@given(revenue=money_st, deal=positive_money_st)
def test_customers_needed_rounded_up_reach_the_goal(revenue, deal):
    customers = xf.customers_needed(revenue, deal)
    assert customers == int(customers)
    assert customers * deal >= revenue * (1 - 1e-9) - 1e-9 * deal
    assert (customers - 1) * deal < revenue or customers == 0


@given(last=money_st, growth=st.floats(-0.99, 10))
def test_target_revenue_matches_seed_formula(last, growth):
    assert np.isclose(xf.target_revenue(last, growth), last * growth + last, rtol=1e-12)


@given(revenue=money_st, cost=positive_money_st)
def test_roi_plus_one_is_roas(revenue, cost):
    assert np.isclose(xf.channel_roi(revenue, cost) + 1, revenue / cost, rtol=1e-9, atol=1e-9)
