"""Sensitivity: the change in customers and revenue when one stage rate improves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xl_funnel as xf
from tests.strategies import funnel_st
from xl_funnel.errors import InvalidAmountError, InvalidRateError, ShapeMismatchError
from xl_funnel.rate_sensitivity import SENSITIVITY_COLUMNS, sensitivity

SEED_RATES = [0.015, 0.2, 0.2, 0.4, 0.5]


def test_seed_funnel_relative_step_moves_every_uncapped_stage_equally():
    # 75,000 visits make 9 customers; any one rate 10 % better makes 9.9: +0.9 customers.
    table = sensitivity(75_000, SEED_RATES, deal_size=1.1e6)
    assert list(table.columns) == list(SENSITIVITY_COLUMNS)
    np.testing.assert_allclose(table["customers_change"], [0.9] * 5, rtol=1e-12)
    np.testing.assert_allclose(table["revenue_change"], [990_000] * 5, rtol=1e-12)
    # A tie keeps funnel order.
    assert list(table.index) == [
        "Visits→Leads",
        "Leads→MQLs",
        "MQLs→SQLs",
        "SQLs→Opportunities",
        "Opportunities→Customers",
    ]
    np.testing.assert_allclose(table["improved_rate"], np.array(SEED_RATES) * 1.1)


def test_cap_at_one_ranks_a_nearly_exhausted_stage_last():
    rates = [0.02, 0.95, 0.5]
    table = sensitivity(10_000, rates, deal_size=100.0, step=0.10, names=["a", "b", "c"])
    base = 10_000 * 0.02 * 0.95 * 0.5  # 95 customers
    assert list(table.index) == ["a", "c", "b"]
    assert table.loc["b", "improved_rate"] == 1.0
    assert table.loc["b", "customers_change"] == pytest.approx(base * (1 / 0.95 - 1))
    assert table.loc["a", "customers_change"] == pytest.approx(base * 0.1)
    assert table.loc["a", "revenue_change"] == pytest.approx(base * 0.1 * 100)
    assert table.loc["a", "customers"] == pytest.approx(base * 1.1)


def test_absolute_points_favour_the_lowest_rate():
    table = sensitivity(75_000, SEED_RATES, 1.0, 0.01, absolute=True)
    assert table.index[0] == "Visits→Leads"
    # C · s / r: 9 · 0.01 / 0.015 = 6 more customers.
    assert table["customers_change"].iloc[0] == pytest.approx(6.0)
    assert table["customers_change"].iloc[-1] == pytest.approx(9 * 0.01 / 0.5)


def test_negative_step_shows_the_cost_of_a_worse_rate():
    table = sensitivity(75_000, SEED_RATES, 1.0, -0.10)
    np.testing.assert_allclose(table["customers_change"], [-0.9] * 5, rtol=1e-12)


def test_default_labels_for_other_funnel_lengths():
    assert list(sensitivity(100, [0.5, 0.5]).index) == ["Stage 1→Stage 2", "Stage 2→Stage 3"]


@given(
    rates=funnel_st,
    top=st.floats(0, 1e7, allow_subnormal=False),
    step=st.floats(-0.9, 2.0),
    deal=st.floats(0, 1e6, allow_subnormal=False),
)
def test_each_row_is_the_forward_funnel_with_one_rate_changed(rates, top, step, deal):
    table = sensitivity(top, rates, deal, step)
    base = float(xf.forward(top, rates)[-1])
    for position, label in enumerate(xf.diagnosis.default_stage_names(len(rates) + 1)[:-1]):
        row = table.loc[f"{label}→{xf.diagnosis.default_stage_names(len(rates) + 1)[position + 1]}"]
        changed = list(rates)
        changed[position] = min(1.0, rates[position] * (1 + step))
        expected = float(xf.forward(top, changed)[-1])
        assert row["customers"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
        # The difference of two products cancels: allow 1e-9 of the products' scale.
        scale = max(expected, base) * deal
        assert row["revenue_change"] == pytest.approx((expected - base) * deal, abs=1e-9 * scale)
    if step == 0:
        assert (table["customers_change"] == 0).all()
    gains = table["revenue_change"].to_numpy()
    scale = max(np.abs(gains).max(), 1e-300)
    assert np.all(np.diff(gains) <= 1e-9 * scale)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((100, [0.5, 1.2]), {}, InvalidRateError, r"rates\[1\] is 1.2"),
        ((100, [[0.5]]), {}, ShapeMismatchError, "one row of rates"),
        ((-1, [0.5]), {}, InvalidAmountError, "top_volume is -1"),
        ((100, [0.5], -2.0), {}, InvalidAmountError, "deal_size is -2"),
        ((100, [0.5], 1.0, -1.0), {}, InvalidAmountError, "step is -1: a relative step"),
        ((100, [0.5], 1.0, float("nan")), {}, InvalidAmountError, "step is nan"),
        ((100, [0.5, 0.5]), {"names": ["a"]}, ShapeMismatchError, "names has 1 labels for 2"),
    ],
)
def test_bad_input_is_named(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        sensitivity(*args, **kwargs)
