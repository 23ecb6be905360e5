"""Pacing: projected year-end and attainment, evenly or by seasonality (seed 001)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_funnel.errors import InvalidAmountError, ShapeMismatchError
from xl_funnel.pacing import Pace, expected_share, pace

QUARTERS = [20, 25, 25, 30]


# --- worked examples ---------------------------------------------------------------------


def test_even_year_after_one_quarter():
    assert pace(2000, 10_000, 0.25) == Pace(8000.0, 0.8)


def test_seasonal_plan_puts_the_same_quarter_on_track():
    assert pace(2000, 10_000, 1, QUARTERS) == Pace(10_000.0, 1.0)


def test_fractional_periods_count_part_of_the_next_weight():
    # Two quarters and half of the third: 20 + 25 + 12.5 = 57.5 % expected.
    assert expected_share(2.5, QUARTERS) == pytest.approx(0.575)
    result = pace(5750, 10_000, 2.5, QUARTERS)
    assert result.projected == pytest.approx(10_000)
    assert result.attainment == pytest.approx(1.0)


def test_monthly_actuals_count_the_months_elapsed():
    assert pace([700, 650, 650], 10_000) == Pace(8000.0, 0.8)
    # With monthly weights the months elapsed are read against them.
    weights = [6] * 6 + [10] * 6  # a stronger second half: 36 / 96 = 37.5 % by June
    result = pace([625] * 6, 10_000, seasonality=weights)
    assert result.projected == pytest.approx(3750 / 0.375)
    assert result.attainment == pytest.approx(1.0)


def test_nothing_expected_yet_is_undefined_not_infinite():
    result = pace(100, 1000, 1, [0, 1, 1])
    assert math.isnan(result.projected)
    assert math.isnan(result.attainment)


def test_zero_target_has_no_attainment():
    result = pace(2000, 0, 0.25)
    assert result.projected == 8000.0
    assert math.isnan(result.attainment)


def test_scenarios_broadcast():
    result = pace([2000, 3000], 10_000, [0.25, 0.5])
    np.testing.assert_allclose(result.projected, [8000, 6000])
    np.testing.assert_allclose(result.attainment, [0.8, 0.6])


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            (2000, 10_000, 3),
            {},
            InvalidAmountError,
            "elapsed is 3: without seasonality it is the fraction of the year elapsed, at "
            "most 1 (did you mean 3 months, i.e. 0.25?)",
        ),
        (
            (2000, 10_000, 5, QUARTERS),
            {},
            InvalidAmountError,
            "elapsed is 5: with 4 seasonality weights it counts periods, at most 4",
        ),
        (
            (2000, 10_000, 0),
            {},
            InvalidAmountError,
            "elapsed is 0: the time elapsed must be greater than 0",
        ),
        (
            (-1, 10_000, 0.5),
            {},
            InvalidAmountError,
            "actual_to_date is -1: a result cannot be negative",
        ),
        (
            (100, 1000, 1, [1, -1]),
            {},
            InvalidAmountError,
            "seasonality[1] is -1: a seasonality weight cannot be negative",
        ),
        (
            (100, 1000, 1, [0, 0]),
            {},
            InvalidAmountError,
            "seasonality weights are all 0: give each period a weight",
        ),
        (
            (100, 1000, 1, 5),
            {},
            ShapeMismatchError,
            "seasonality must list the weight of every period of the year (12 months, 4 quarters…)",
        ),
        (
            (2000, 10_000),
            {},
            ShapeMismatchError,
            "elapsed is missing: give the fraction of the year elapsed (0.25 after one "
            "quarter), or the actuals month by month",
        ),
        (
            ([100] * 5, 1000),
            {"seasonality": QUARTERS},
            ShapeMismatchError,
            "actual_to_date has 5 periods of actuals but the year has 4",
        ),
    ],
)
def test_bad_input_names_argument_and_value(args, kwargs, error, message):
    with pytest.raises(error) as raised:
        pace(*args, **kwargs)
    assert str(raised.value) == message


# --- properties --------------------------------------------------------------------------

amount_st = st.floats(0, 1e9, allow_nan=False, allow_subnormal=False)


@given(actual=amount_st, target=st.floats(1, 1e9), months=st.integers(1, 12))
def test_flat_seasonality_is_the_even_year(actual, target, months):
    flat = pace(actual, target, months, [1] * 12)
    even = pace(actual, target, months / 12)
    assert flat.projected == pytest.approx(even.projected, rel=1e-12, abs=1e-9)
    assert flat.attainment == pytest.approx(even.attainment, rel=1e-12, abs=1e-12)


@given(
    weights=st.lists(st.floats(0.01, 100), min_size=1, max_size=12),
    target=st.floats(1, 1e9),
    data=st.data(),
)
def test_actuals_exactly_on_plan_attain_the_target(weights, target, data):
    elapsed = data.draw(st.floats(0.01, len(weights)))
    share = expected_share(elapsed, weights)
    assert 0 < share <= 1 + 1e-12
    result = pace(target * share, target, elapsed, weights)
    assert result.attainment == pytest.approx(1.0, rel=1e-9)
    assert result.projected == pytest.approx(target, rel=1e-9)


@given(
    weights=st.lists(st.floats(0, 100, allow_subnormal=False), min_size=2, max_size=12).filter(any)
)
def test_expected_share_grows_through_the_year_and_ends_at_one(weights):
    points = np.linspace(0.01, len(weights), 25)
    shares = np.array([expected_share(point, weights) for point in points])
    assert np.all(np.diff(shares) >= -1e-12)
    assert expected_share(len(weights), weights) == pytest.approx(1.0)
