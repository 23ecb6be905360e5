"""Stage lags: the reverse funnel spread over the calendar (issue 7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xl_funnel as xf
from tests.strategies import funnel_st
from xl_funnel.errors import FunnelError, InvalidAmountError, InvalidRateError, ShapeMismatchError
from xl_funnel.scheduling import lag_split, lead_months, month_labels, schedule, schedule_volumes

SEED_RATES = [0.015, 0.2, 0.2, 0.4, 0.5]


# --- worked examples ---------------------------------------------------------------------


def test_fractional_lag_splits_volume_between_two_months():
    # 1 customer a month needs 2 opportunities 1.5 months before: 1 of them one month
    # before and 1 two months before.
    volumes = schedule_volumes([1, 1, 1], [0.5], [1.5])
    np.testing.assert_array_equal(volumes, [[1, 2, 2, 1, 0], [0, 0, 1, 1, 1]])


def test_two_half_month_lags_spread_the_top_stage_over_three_months():
    volumes = schedule_volumes([1], [0.5, 0.5], [0.5, 0.5])
    np.testing.assert_array_equal(volumes, [[1, 2, 1], [0, 1, 1], [0, 0, 1]])
    assert lead_months([0.5, 0.5]) == 2


def test_seed_quarter_with_sales_cycle_and_half_month_mql_lag():
    plan = schedule([0.75] * 3, SEED_RATES, [0, 0.5, 0, 0, 2], start="2027-01")
    assert list(plan.columns.astype(str)) == [
        "2026-10",
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
    ]
    assert plan.index.name == "stage"
    assert plan.columns.name == "month"
    expected = {
        "Visits": [3125, 6250, 6250, 3125, 0, 0],
        "Leads": [46.875, 93.75, 93.75, 46.875, 0, 0],
        "MQLs": [0, 18.75, 18.75, 18.75, 0, 0],
        "SQLs": [0, 3.75, 3.75, 3.75, 0, 0],
        "Opportunities": [0, 1.5, 1.5, 1.5, 0, 0],
        "Customers": [0, 0, 0, 0.75, 0.75, 0.75],
    }
    for stage, row in expected.items():
        np.testing.assert_allclose(plan.loc[stage].to_numpy(), row, rtol=1e-12)


def test_round_up_rounds_each_month_from_the_whole_volumes_below():
    plan = schedule([0.75] * 3, SEED_RATES, [0, 0.5, 0, 0, 2], round_up=True, start="2027-01")
    # 1 customer a month → 2 opportunities → 5 SQLs → 25 MQLs → 125 leads, half of which
    # arrive the month before: 62.5 rounds up to 63 at the edges; 125 / 0.015 → 8,334 visits.
    assert plan.loc["Customers"].tolist() == [0, 0, 0, 1, 1, 1]
    assert plan.loc["Opportunities"].tolist() == [0, 2, 2, 2, 0, 0]
    assert plan.loc["MQLs"].tolist() == [0, 25, 25, 25, 0, 0]
    assert plan.loc["Leads"].tolist() == [63, 125, 125, 63, 0, 0]
    assert plan.loc["Visits"].tolist() == [4200, 8334, 8334, 4200, 0, 0]


def test_single_number_is_the_sales_cycle_shorthand():
    np.testing.assert_array_equal(
        schedule_volumes([1, 2], SEED_RATES, 2), schedule_volumes([1, 2], SEED_RATES, [0] * 4 + [2])
    )
    assert lag_split(2.5, transitions=3)[0].tolist() == [0, 0, 2]


def test_lags_within_float_noise_of_whole_months_are_whole():
    whole, fraction = lag_split([0.1 + 0.2 + 0.7, 2.9999999999999996])
    assert whole.tolist() == [1, 3]
    assert fraction.tolist() == [0.0, 0.0]
    assert lead_months([0.1 + 0.2 + 0.7, 2.9999999999999996]) == 4


def test_series_with_period_index_sets_the_calendar():
    targets = pd.Series([1.0, 2.0], index=pd.period_range("2027-03", periods=2, freq="M"))
    plan = schedule(targets, [0.5], [1])
    assert [str(month) for month in plan.columns] == ["2027-02", "2027-03", "2027-04"]
    assert plan.loc["Stage 1"].tolist() == [2, 4, 0]
    assert plan.index.tolist() == ["Stage 1", "Stage 2"]


def test_series_with_datetime_index_is_read_as_months():
    targets = pd.Series([1.0, 1.0], index=pd.to_datetime(["2027-01-31", "2027-02-28"]))
    plan = schedule(targets, [0.5], [0], stage_names=["SQLs", "Won"])
    assert [str(month) for month in plan.columns] == ["2027-01", "2027-02"]
    assert plan.loc["SQLs"].tolist() == [2, 2]


def test_array_without_start_numbers_the_months_from_one():
    plan = schedule([1, 1], [0.5], [1.5])
    assert plan.columns.tolist() == [-1, 0, 1, 2]
    assert month_labels(plan.columns) == [-1, 0, 1, 2]


def test_month_labels_read_as_a_planner_writes_them():
    plan = schedule([1], [0.5], [1], start=pd.Timestamp("2027-01-15"))
    assert month_labels(plan.columns) == ["Dec 2026", "Jan 2027"]


def test_scenarios_broadcast_along_leading_axes():
    targets = np.array([[1.0, 1.0], [2.0, 0.0]])
    rates = np.array([[0.5], [0.25]])
    volumes = schedule_volumes(targets, rates, [1])
    assert volumes.shape == (2, 2, 3)
    for scenario in range(2):
        np.testing.assert_array_equal(
            volumes[scenario], schedule_volumes(targets[scenario], rates[scenario], [1])
        )


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"lags": [0, 1]},
            ShapeMismatchError,
            "lags has 2 lags for 5 rates: give one lag per transition (0 where a stage follows "
            "in the same month)",
        ),
        ({"lags": [0, 0, -1, 0, 0]}, InvalidAmountError, "lags[2] is -1: a lag cannot be negative"),
        (
            {"lags": [0, 0, np.inf, 0, 0]},
            InvalidAmountError,
            "lags[2] is inf: it must be a finite number",
        ),
        (
            {"rates": [0.015, 0, 0.2, 0.4, 0.5]},
            InvalidRateError,
            "rates[1] is 0: a stage with a 0 % conversion rate can never reach the target",
        ),
        (
            {"customer_targets": [1, -2]},
            InvalidAmountError,
            "targets[1] is -2: a target cannot be negative",
        ),
        (
            {"stage_names": ["a", "b"]},
            ShapeMismatchError,
            "stage_names has 2 names for 6 stages: give one name per stage",
        ),
        (
            {"customer_targets": [[1, 1]]},
            ShapeMismatchError,
            "customer_targets must be one list of monthly targets, got shape (1, 2)",
        ),
        ({"start": "next spring"}, FunnelError, "start is 'next spring': give a month such as"),
        ({"start": "nan"}, FunnelError, "start is 'nan': give a month such as"),  # not NaT
        (
            {"lags": [0, 0, 0, 0, 30 * 365]},
            InvalidAmountError,
            "lags[4] is 10950: a lag is in months, at most 1200 (100 years)",
        ),
        ({"lags": 1e300}, InvalidAmountError, "lags is 1e+300: a lag is in months, at most 1200"),
    ],
)
def test_bad_input_names_argument_position_and_value(kwargs, error, message):
    arguments = {"customer_targets": [1, 1], "rates": SEED_RATES, "lags": [0, 0, 0, 0, 1]}
    arguments.update(kwargs)
    with pytest.raises(error) as raised:
        schedule(**arguments)
    assert str(raised.value).startswith(message)


def test_months_must_be_consecutive():
    index = pd.PeriodIndex(["2027-01", "2027-03"], freq="M")
    with pytest.raises(ShapeMismatchError, match="consecutive months, got 2027-01, 2027-03"):
        schedule(pd.Series([1.0, 1.0], index=index), [0.5], [0])


def test_start_must_agree_with_the_series():
    targets = pd.Series([1.0], index=pd.period_range("2027-01", periods=1, freq="M"))
    with pytest.raises(FunnelError, match="start is 2027-02 but customer_targets begins in 2027"):
        schedule(targets, [0.5], [0], start="2027-02")
    assert schedule(targets, [0.5], [0], start="2027-01").shape == (2, 1)


def test_no_target_months():
    with pytest.raises(ShapeMismatchError, match="at least one month"):
        schedule_volumes([], [0.5], [0])


# --- properties --------------------------------------------------------------------------

months_st = st.lists(
    st.floats(0, 1e4, allow_nan=False, allow_subnormal=False), min_size=1, max_size=14
)
lag_st = st.one_of(
    st.integers(0, 3).map(float), st.floats(0, 3, allow_nan=False, allow_subnormal=False)
)


@st.composite
def funnel_with_lags(draw):
    rates = draw(funnel_st)
    lags = draw(st.lists(lag_st, min_size=len(rates), max_size=len(rates)))
    return rates, lags


@given(targets=months_st, rates=funnel_st, round_up=st.booleans())
def test_zero_lags_reproduce_backsolve_month_by_month(targets, rates, round_up):
    volumes = schedule_volumes(targets, rates, [0] * len(rates), round_up=round_up)
    expected = xf.backsolve(np.asarray(targets)[:, None], rates, round_up=round_up)[:, 0, :]
    np.testing.assert_array_equal(volumes, expected.T)


@given(targets=months_st, funnel=funnel_with_lags())
def test_totals_equal_the_unlagged_totals(targets, funnel):
    rates, lags = funnel
    volumes = schedule_volumes(targets, rates, lags)
    assert volumes.shape[-1] == len(targets) + lead_months(lags)
    np.testing.assert_allclose(
        volumes.sum(axis=-1), xf.backsolve(sum(targets), rates), rtol=1e-9, atol=1e-9
    )


@given(targets=months_st, funnel=funnel_with_lags())
def test_average_lead_time_of_each_stage_is_the_sum_of_the_lags_below_it(targets, funnel):
    rates, lags = funnel
    if sum(targets) == 0:
        return
    volumes = schedule_volumes(targets, rates, lags)
    months = np.arange(volumes.shape[-1])
    mean_month = (volumes * months).sum(axis=-1) / volumes.sum(axis=-1)
    downstream = np.cumsum(np.asarray(lags, dtype=float)[::-1])[::-1]
    np.testing.assert_allclose(mean_month[-1] - mean_month[:-1], downstream, rtol=1e-9, atol=1e-9)


@given(targets=months_st, rates=funnel_st, data=st.data())
def test_whole_lags_shift_the_rounded_rows_without_changing_them(targets, rates, data):
    lags = data.draw(st.lists(st.integers(0, 3), min_size=len(rates), max_size=len(rates)))
    lagged = schedule_volumes(targets, rates, lags, round_up=True)
    unlagged = schedule_volumes(targets, rates, [0] * len(rates), round_up=True)
    reach = [*np.cumsum(lags[::-1])[::-1].tolist(), 0]
    lead = sum(lags)
    for stage, shift in enumerate(reach):
        start = lead - shift
        np.testing.assert_array_equal(lagged[stage, start : start + len(targets)], unlagged[stage])


@given(targets=months_st, funnel=funnel_with_lags())
def test_round_up_is_whole_and_never_below_the_exact_schedule(targets, funnel):
    rates, lags = funnel
    exact = schedule_volumes(targets, rates, lags)
    whole = schedule_volumes(targets, rates, lags, round_up=True)
    np.testing.assert_array_equal(whole, np.round(whole))
    # 1e-9 of float noise ignored at each rounding, magnified by the rates above it.
    slack = 1e-9 * xf.backsolve(1.0, rates)[:, None] * (len(rates) + 1)
    assert np.all(whole >= exact - slack * np.maximum(1, exact))
