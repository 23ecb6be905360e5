"""The flywheel: referrals from a growing customer base reduce what the funnel must bring."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xl_funnel as xf
from tests.strategies import funnel_st, periods_st, target_st
from xl_funnel.errors import (
    InvalidAmountError,
    InvalidChoiceError,
    InvalidRateError,
    ShapeMismatchError,
)
from xl_funnel.flywheel import entry_index, flywheel_backsolve

SEED_RATES = [0.015, 0.2, 0.2, 0.4, 0.5]


# --- worked examples ---------------------------------------------------------------------


def test_referrals_cover_a_third_of_the_target():
    # 72 customers a year (6 a month); 167 customers bring 0.02 referrals a month each,
    # entering as opportunities that close at 50 %: 0.01 customers per customer per month.
    plan = flywheel_backsolve(72, SEED_RATES, 167, 0.02, entry_stage="Opportunities")
    assert plan.shape == (7, 12)
    # The base grows by the 6 new customers of every month, so referrals grow by 0.06.
    expected_referred = 0.01 * (167 + 6 * np.arange(12))
    np.testing.assert_allclose(plan[-1], expected_referred, rtol=1e-12)
    assert plan[-1].sum() == pytest.approx(24)  # a third of 72
    assert plan[-2].sum() == pytest.approx(48)  # the funnel brings the other two thirds
    np.testing.assert_allclose(plan[:-1, 0], xf.backsolve(6 - 1.67, SEED_RATES), rtol=1e-12)
    np.testing.assert_allclose(plan[:-1, -1], xf.backsolve(6 - 2.33, SEED_RATES), rtol=1e-12)


def test_seed_target_with_a_third_covered_in_the_first_month():
    # Seed 000: 9 customers a year = 0.75 a month. 50 customers × 0.01 referral × 50 % close
    # = 0.25 referral customers in January: a third of the month's goal.
    plan = flywheel_backsolve(9, SEED_RATES, 50, 0.01, entry_stage=4)
    assert plan[-1, 0] == pytest.approx(0.25)
    np.testing.assert_allclose(
        plan[:-1, 0], [4166.666666666667, 62.5, 12.5, 2.5, 1.0, 0.5], rtol=1e-12
    )
    # February's base is 50.75: 0.5 from the funnel and 0.25 from referrals joined it.
    assert plan[-1, 1] == pytest.approx(50.75 * 0.005)


def test_referral_close_rate_overrides_the_funnel_rates():
    # Referred SQLs close at 50 %, far better than the funnel's 0.4 × 0.5 = 20 %.
    default = flywheel_backsolve(12, SEED_RATES, 100, 0.01, "SQLs", periods=1)
    better = flywheel_backsolve(12, SEED_RATES, 100, 0.01, "SQLs", 0.5, periods=1)
    assert default[-1, 0] == pytest.approx(0.2)
    assert better[-1, 0] == pytest.approx(0.5)
    np.testing.assert_allclose(better[:-1, 0], xf.backsolve(11.5, SEED_RATES), rtol=1e-12)


def test_referrals_entering_as_customers_close_at_100_percent():
    plan = flywheel_backsolve(12, [0.5], 10, 0.1, entry_stage=1, periods=2)
    # Month 1: 1 referral customer of the 6 needed; the base is then 10 + 6 = 16.
    np.testing.assert_allclose(plan[:, 0], [10, 5, 1])
    np.testing.assert_allclose(plan[:, 1], [8.8, 4.4, 1.6])


def test_a_loop_bigger_than_the_goal_leaves_the_funnel_nothing_to_do():
    plan = flywheel_backsolve(12, [0.5], 100, 0.2, entry_stage=1, periods=2)
    # 20 referral customers against a goal of 6: the funnel needs nothing, and all 20 join.
    np.testing.assert_allclose(plan[:, 0], [0, 0, 20])
    np.testing.assert_allclose(plan[:, 1], [0, 0, 24])


def test_round_up_rounds_what_the_funnel_must_still_bring():
    plan = flywheel_backsolve(9, SEED_RATES, 50, 0.01, "Opportunities", round_up=True)
    # 0.75 − 0.25 = 0.5 customers → 1 whole customer → 2 opportunities … 8,334 visits.
    assert plan[:-1, 0].tolist() == [8334, 125, 25, 5, 2, 1]
    assert plan[-1, 0] == pytest.approx(0.25)
    # The base grows by the whole customer won: February's referrals come from 51.25.
    assert plan[-1, 1] == pytest.approx(51.25 * 0.005)


def test_scenarios_broadcast():
    plan = flywheel_backsolve(9, SEED_RATES, [0, 50, 100], 0.01, "Opportunities")
    assert plan.shape == (3, 7, 12)
    np.testing.assert_allclose(plan[:, -1, 0], [0, 0.25, 0.5])
    np.testing.assert_array_equal(
        plan[1], flywheel_backsolve(9, SEED_RATES, 50, 0.01, "Opportunities")
    )


def test_entry_stage_by_name_is_case_insensitive_and_uses_given_names():
    assert entry_index(" mqls ", 6, None) == 2
    names = ["Signups", "Trials", "Paid"]
    assert entry_index("trials", 3, names) == 1
    plan = flywheel_backsolve(4, [0.1, 0.5], 10, 0.1, "Trials", stage_names=names, periods=1)
    assert plan[-1, 0] == pytest.approx(0.5)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"entry_stage": "Webinars"},
            InvalidChoiceError,
            "entry_stage is 'Webinars': not a stage of this funnel (Visits, Leads, MQLs, SQLs, "
            "Opportunities, Customers)",
        ),
        (
            {"entry_stage": 6},
            ShapeMismatchError,
            "entry_stage is 6: give a stage index from 0 (top) to 5 (customers) or a stage name",
        ),
        (
            {"entry_stage": 1.5},
            ShapeMismatchError,
            "entry_stage is 1.5: give a stage index from 0 (top) to 5",
        ),
        (
            {"periods": 2.5},
            InvalidAmountError,
            "periods is 2.5: the flywheel runs period by period, give a whole number of "
            "periods, at least 1",
        ),
        ({"periods": 0}, InvalidAmountError, "periods is 0: the flywheel runs period by period"),
        (
            {"periods": 1e9},
            InvalidAmountError,
            "periods is 1e+09: at most 1200 periods (100 years of months)",
        ),
        (
            {"periods": [12, 24]},
            ShapeMismatchError,
            "periods must be one whole number: the table has one width",
        ),
        (
            {"referral_close_rate": 1.5},
            InvalidRateError,
            "referral_close_rate is 1.5: a close rate is a fraction between 0 and 1",
        ),
        (
            {"referrals_per_customer": -0.1},
            InvalidAmountError,
            "referrals_per_customer is -0.1: a referral rate cannot be negative",
        ),
        (
            {"customer_base": [10, -1]},
            InvalidAmountError,
            "customer_base[1] is -1: a customer base cannot be negative",
        ),
        (
            {"rates": [0.5, 2]},
            InvalidRateError,
            "rates[1] is 2: a conversion rate is a fraction between 0 and 1",
        ),
        (
            {"stage_names": ["a"]},
            ShapeMismatchError,
            "stage_names has 1 names for 6 stages",
        ),
        (
            {"customer_base": [1, 2], "referrals_per_customer": [1, 2, 3]},
            ShapeMismatchError,
            "target, customer_base, referrals_per_customer, referral_close_rate and the",
        ),
    ],
)
def test_bad_input_names_argument_position_and_value(kwargs, error, message):
    arguments = {
        "target": 9,
        "rates": SEED_RATES,
        "customer_base": 50,
        "referrals_per_customer": 0.01,
    }
    arguments.update(kwargs)
    with pytest.raises(error) as raised:
        flywheel_backsolve(**arguments)
    assert str(raised.value).startswith(message)


# --- properties --------------------------------------------------------------------------

base_st = st.floats(0, 1e5, allow_nan=False, allow_subnormal=False)
referral_st = st.floats(0, 0.5, allow_nan=False, allow_subnormal=False)


@given(
    target=target_st,
    rates=funnel_st,
    base=base_st,
    periods=periods_st,
    round_up=st.booleans(),
    data=st.data(),
)
def test_zero_referrals_reproduce_backsolve(target, rates, base, periods, round_up, data):
    entry = data.draw(st.integers(0, len(rates)))
    plan = flywheel_backsolve(target, rates, base, 0, entry, periods=periods, round_up=round_up)
    expected = xf.backsolve(target, rates, periods=periods, round_up=round_up)
    for month in range(periods):
        np.testing.assert_array_equal(plan[:-1, month], expected)
    assert not plan[-1].any()


@given(target=target_st, rates=funnel_st, base=base_st, referrals=referral_st, data=st.data())
def test_the_loop_only_ever_helps(target, rates, base, referrals, data):
    entry = data.draw(st.integers(0, len(rates)))
    plan = flywheel_backsolve(target, rates, base, referrals, entry)
    alone = xf.backsolve(target, rates, periods=12)
    funnel_customers, referred = plan[-2], plan[-1]
    # The funnel never needs more than without referrals, and the two together meet the goal.
    assert np.all(plan[:-1] <= alone[:, None] * (1 + 1e-12))
    np.testing.assert_allclose(
        funnel_customers + referred, np.maximum(target / 12, referred), rtol=1e-9, atol=1e-9
    )
    # A growing base brings at least as many referrals every month.
    assert np.all(np.diff(referred) >= -1e-12 * np.maximum(1, referred[1:]))
