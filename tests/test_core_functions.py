"""Core functions: values, broadcasting, scalar/array behaviour and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xl_funnel as xf
from xl_funnel.errors import (
    InvalidAmountError,
    InvalidChoiceError,
    InvalidRateError,
    ShapeMismatchError,
)

RATES = [0.015, 0.2, 0.2, 0.4, 0.5]


class TestScalarsAndArrays:
    def test_scalar_in_python_float_out(self):
        for value in (
            xf.target_revenue(100.0, 0.1),
            xf.customers_needed(10.0, 2.0),
            xf.value_per_lead(10.0, 2.0),
            xf.channel_roi(10.0, 2.0),
            xf.target_revenue_from_history([1.0, 2.0]),
        ):
            assert type(value) is float

    def test_lists_and_series_give_arrays(self):
        out = xf.value_per_lead(pd.Series([10.0, 20.0]), [2, 4])
        assert isinstance(out, np.ndarray)
        np.testing.assert_array_equal(out, [5.0, 5.0])

    def test_broadcasting_scalar_against_array(self):
        np.testing.assert_allclose(xf.target_revenue([100.0, 200.0], 0.5), [150.0, 300.0])
        np.testing.assert_allclose(xf.channel_roi(300.0, [100.0, 150.0]), [2.0, 1.0])

    def test_backsolve_broadcasts_targets_against_scenario_rates(self):
        rates = np.array([[0.5, 0.5], [0.25, 1.0]])
        out = xf.backsolve([[4.0], [8.0]], rates)
        assert out.shape == (2, 2, 3)
        np.testing.assert_allclose(out[0, 0], [16, 8, 4])
        np.testing.assert_allclose(out[1, 1], [32, 8, 8])

    def test_forward_broadcasts_tops(self):
        np.testing.assert_allclose(
            xf.forward([100.0, 200.0], [0.5, 0.5]), [[100, 50, 25], [200, 100, 50]]
        )

    def test_history_along_last_axis(self):
        out = xf.target_revenue_from_history([[100.0, 110.0], [100.0, 90.0]], uplift=0.0)
        np.testing.assert_allclose(out, [121.0, 81.0])


class TestRevenue:
    def test_growth_mean_vs_cagr(self):
        history = [100.0, 200.0, 100.0]  # +100 %, -50 %: mean 25 %, CAGR 0 %
        assert xf.growth_rate(history) == pytest.approx(0.25)
        assert xf.growth_rate(history, method="cagr") == pytest.approx(0.0, abs=1e-15)
        assert xf.target_revenue_from_history(history, uplift=0.05) == pytest.approx(130.0)
        assert xf.target_revenue_from_history(history, 0.05, "cagr") == pytest.approx(105.0)

    def test_unknown_method(self):
        with pytest.raises(InvalidChoiceError, match="method is 'median': use 'mean' or 'cagr'"):
            xf.target_revenue_from_history([1.0, 2.0], method="median")
        with pytest.raises(InvalidChoiceError, match="method is 'median'"):
            xf.growth_rate([1.0, 2.0], method="median")

    def test_history_too_short(self):
        with pytest.raises(ShapeMismatchError, match="history has 1 year"):
            xf.target_revenue_from_history([5e6])

    def test_history_with_zero_year(self):
        with pytest.raises(InvalidAmountError, match=r"history\[1\] is 0"):
            xf.growth_rate([5e6, 0.0, 6e6])

    def test_growth_of_minus_100_percent(self):
        with pytest.raises(InvalidRateError, match="growth is -1: growth of -100 %"):
            xf.target_revenue(1e6, -1.0)

    def test_negative_revenue(self):
        with pytest.raises(InvalidAmountError, match=r"last_revenue\[1\] is -5"):
            xf.target_revenue([1.0, -5.0], 0.1)

    def test_zero_deal_size(self):
        with pytest.raises(InvalidAmountError, match="avg_deal_size is 0"):
            xf.customers_needed(1e6, 0.0)

    def test_rounding_ignores_float_noise(self):
        assert 2.1 / 0.3 > 7  # the noise we guard against
        assert xf.customers_needed(2.1, 0.3) == 7.0
        assert xf.customers_needed(0.0, 1.0) == 0.0
        np.testing.assert_array_equal(xf.customers_needed([1.0, 1.0000001, 2.5], 1.0), [1, 2, 3])


class TestFunnel:
    def test_buffer_adds_margin_at_every_stage(self):
        plain = xf.backsolve(9, RATES, periods=12)
        np.testing.assert_allclose(xf.backsolve(9, RATES, periods=12, buffer=0.2), plain * 1.2)

    def test_round_up_works_upward_from_rounded_bottom(self):
        # 0.5 customer → 1; /0.5 → 2 opportunities; /0.4 → 5 SQLs; /0.2 → 25; → 125; → 8334
        np.testing.assert_array_equal(
            xf.backsolve(0.5, RATES, round_up=True), [8334, 125, 25, 5, 2, 1]
        )

    @pytest.mark.parametrize(
        ("rates", "message"),
        [
            ([0.2, 0.0, 0.5], r"rates\[1\] is 0: a stage with a 0 % conversion rate can never"),
            ([0.2, -0.1], r"rates\[1\] is -0.1: a conversion rate cannot be negative"),
            ([20, 0.5], r"rates\[0\] is 20: .* \(did you mean 0.2, i.e. 20 %\?\)"),
            ([0.2, float("nan")], r"rates\[1\] is nan: a rate must be a finite number"),
        ],
    )
    def test_impossible_rates_name_position_and_value(self, rates, message):
        with pytest.raises(InvalidRateError, match=message):
            xf.backsolve(10, rates)

    def test_rate_of_zero_is_fine_going_forward(self):
        np.testing.assert_array_equal(xf.forward(100, [0.5, 0.0]), [100, 50, 0])

    def test_no_rates(self):
        with pytest.raises(ShapeMismatchError, match="at least one"):
            xf.backsolve(10, [])

    def test_shapes_that_do_not_broadcast(self):
        with pytest.raises(ShapeMismatchError, match="do not fit"):
            xf.backsolve([1.0, 2.0, 3.0], [[0.5, 0.5], [0.5, 0.5]])

    def test_negative_target_and_zero_periods(self):
        with pytest.raises(InvalidAmountError, match="target is -1: a target cannot be negative"):
            xf.backsolve(-1, RATES)
        with pytest.raises(InvalidAmountError, match="periods is 0"):
            xf.backsolve(1, RATES, periods=0)

    def test_conversion_rates_zero_stage_is_nan(self):
        out = xf.conversion_rates([100, 0, 0])
        assert out[0] == 0.0
        assert np.isnan(out[1])

    def test_conversion_rates_needs_two_stages(self):
        with pytest.raises(ShapeMismatchError):
            xf.conversion_rates([5])

    def test_conversion_rates_rejects_negative_counts(self):
        with pytest.raises(InvalidAmountError, match=r"counts\[2\] is -3"):
            xf.conversion_rates([10, 5, -3])


class TestRatios:
    def test_zero_denominators_are_nan(self):
        out = xf.value_per_lead([100.0, 0.0, 5.0], [0.0, 0.0, 5.0])
        assert np.isnan(out[0])
        assert np.isnan(out[1])
        assert out[2] == 1.0
        assert np.isnan(xf.value_per_visit(1.0, 0.0))
        assert np.isnan(xf.channel_roi(1.0, 0.0))

    def test_roi_can_be_negative(self):
        assert xf.channel_roi(50.0, 100.0) == -0.5

    def test_negative_cost(self):
        with pytest.raises(InvalidAmountError, match="cost is -1: a cost cannot be negative"):
            xf.channel_roi(10.0, -1.0)

    def test_infinite_input(self):
        with pytest.raises(InvalidAmountError, match="must be a finite number"):
            xf.value_per_lead(float("inf"), 10.0)

    def test_text_input(self):
        with pytest.raises(InvalidAmountError, match="leads must be numeric"):
            xf.value_per_lead(10.0, "ten")

    def test_mismatched_lengths(self):
        with pytest.raises(ValueError, match="broadcast"):
            xf.value_per_lead([1.0, 2.0], [1.0, 2.0, 3.0])


class TestChannelMetrics:
    @pytest.fixture
    def table(self):
        return pd.DataFrame(
            {
                "Channel": ["Email", "Paid social", "Webinars"],
                "Spend": [10_000.0, 60_000.0, 30_000.0],
                "Leads": [500, 600, 150],
                "MQLs": [100, 60, 75],
                "Customers": [4, 3, 3],
                "Revenue": [440_000.0, 330_000.0, 330_000.0],
            }
        ).set_index("Channel")

    def test_every_metric(self, table):
        m = xf.channel_metrics(table)
        np.testing.assert_allclose(m["cpl"], [20, 100, 200])
        np.testing.assert_allclose(m["cost_per_mql"], [100, 1000, 400])
        np.testing.assert_allclose(m["cac"], [2500, 20000, 10000])
        np.testing.assert_allclose(m["roi"], [43, 4.5, 10])
        np.testing.assert_allclose(m["roas"], [44, 5.5, 11])
        np.testing.assert_allclose(m["share_of_spend"], [0.1, 0.6, 0.3])
        np.testing.assert_allclose(m["share_of_customers"], [0.4, 0.3, 0.3])
        np.testing.assert_allclose(m["efficiency_index"], [4.0, 0.5, 1.0])
        assert list(m.index) == ["Email", "Paid social", "Webinars"]
        assert list(m.columns[:5]) == ["Spend", "Leads", "MQLs", "Customers", "Revenue"]

    def test_extra_columns_kept(self, table):
        m = xf.channel_metrics(table.assign(owner=["a", "b", "c"]))
        assert list(m["owner"]) == ["a", "b", "c"]

    def test_zero_denominators(self, table):
        table.loc["Email", "Customers"] = 0
        table.loc["Email", "Spend"] = 0
        m = xf.channel_metrics(table)
        assert np.isnan(m.loc["Email", "cac"])
        assert np.isnan(m.loc["Email", "roi"])
        assert m.loc["Email", "share_of_customers"] == 0.0

    def test_missing_column(self, table):
        with pytest.raises(ShapeMismatchError, match="no column 'mqls'"):
            xf.channel_metrics(table.drop(columns="MQLs"))

    def test_negative_and_text_values(self, table):
        bad = table.copy()
        bad.loc["Webinars", "Spend"] = -1.0
        with pytest.raises(InvalidAmountError, match=r"spend\[2\] is -1"):
            xf.channel_metrics(bad)
        with pytest.raises(InvalidAmountError, match="'leads' must hold numbers"):
            xf.channel_metrics(table.assign(Leads=["x", "y", "z"]))
