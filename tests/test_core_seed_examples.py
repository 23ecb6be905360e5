"""The seed articles' worked numbers, exactly (see ../shared/seeds/README.md)."""

from __future__ import annotations

import numpy as np
import pytest

import xl_funnel as xf

SEED_000_RATES = [0.015, 0.20, 0.20, 0.40, 0.50]


def test_seed_000_customers_needed_exact_and_rounded_up():
    assert xf.customers_needed(10e6, 1.1e6, round_up=False) == pytest.approx(9.0909090909, 1e-9)
    assert xf.customers_needed(10e6, 1.1e6) == 10.0
    # The article's 9 customers fall short of the goal; 10 reach it.
    assert 9 * 1.1e6 < 10e6 <= 10 * 1.1e6


def test_seed_000_monthly_reverse_funnel_is_exact():
    monthly = xf.backsolve(9, SEED_000_RATES, periods=12)
    np.testing.assert_allclose(monthly, [6250, 93.75, 18.75, 3.75, 1.5, 0.75], rtol=1e-12)


def test_seed_000_table_visits_bring_only_0_72_customers():
    volumes = xf.forward(6000, SEED_000_RATES)
    np.testing.assert_allclose(volumes, [6000, 90, 18, 3.6, 1.44, 0.72], rtol=1e-12)


def test_seed_000_rates_read_back_from_the_exact_funnel():
    rates = xf.conversion_rates([6250, 93.75, 18.75, 3.75, 1.5, 0.75])
    np.testing.assert_allclose(rates, SEED_000_RATES, rtol=1e-12)


def test_seed_000_whole_units_per_month_for_ten_customers():
    np.testing.assert_array_equal(
        xf.backsolve(10, SEED_000_RATES, periods=12, round_up=True), [8334, 125, 25, 5, 2, 1]
    )


def test_seed_002_target_revenue_formula():
    # (last year's revenue × target growth) + last year's revenue
    assert xf.target_revenue(8_000_000, 0.25) == 8_000_000 * 0.25 + 8_000_000
    assert xf.target_revenue(8_000_000, 0.25) == 10_000_000


def test_seed_002_target_from_three_years_of_history_with_five_point_uplift():
    # 5M → 6M → 7.2M: +20 % both years; average 20 % plus five points = 25 %.
    assert xf.target_revenue_from_history([5e6, 6e6, 7.2e6]) == pytest.approx(9e6, rel=1e-12)


def test_seed_002_value_of_leads_and_visits():
    assert xf.value_per_lead(1_500_000, 2_500) == 600.0
    assert xf.value_per_visit(1_500_000, 150_000) == 10.0
    assert xf.visits_per_lead(150_000, 2_500) == 60.0


def test_seed_004_delivery_rate_9900_of_10000_is_99_percent():
    np.testing.assert_allclose(xf.conversion_rates([10_000, 9_900]), [0.99], rtol=1e-15)


def test_seed_004_three_times_the_spend_should_bring_three_times_the_conversions():
    import pandas as pd

    table = pd.DataFrame(
        {
            "spend": [30_000.0, 10_000.0],
            "leads": [300, 100],
            "mqls": [90, 30],
            "customers": [9, 3],
            "revenue": [900_000, 300_000],
        },
        index=["Paid social", "Content syndication"],
    )
    metrics = xf.channel_metrics(table)
    np.testing.assert_allclose(metrics["efficiency_index"], [1.0, 1.0], rtol=1e-12)
