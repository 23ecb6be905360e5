"""xl_funnel.seasonality: the monthly split (plan, pacing) and the lag shift (schedule)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_funnel.errors import InvalidAmountError, ShapeMismatchError
from xl_funnel.seasonality import seasonal_split, shift_earlier

weights_st = st.lists(
    st.floats(0, 100, allow_nan=False, allow_subnormal=False), min_size=12, max_size=12
).filter(lambda w: sum(w) > 1e-6)
months_st = st.floats(0, 24, allow_nan=False, allow_subnormal=False)
series_st = st.lists(
    st.floats(0, 1e6, allow_nan=False, allow_subnormal=False), min_size=1, max_size=24
)


def test_seed_000_flat_year():
    assert seasonal_split(9, [1] * 12).tolist() == [0.75] * 12


def test_weights_are_proportions_only():
    np.testing.assert_allclose(seasonal_split(12, [5] * 12), seasonal_split(12, [100] * 12))


def test_fractional_lag_splits_between_two_months():
    assert shift_earlier([2, 4], 0.5).tolist() == [1.0, 3.0, 2.0]
    # 2.25 months: 75 % two months earlier, 25 % three months earlier.
    assert shift_earlier([10], 2.25).tolist() == [2.5, 7.5, 0.0, 0.0]


def test_zero_lag_is_identity():
    assert shift_earlier([1.5, 2.5], 0).tolist() == [1.5, 2.5]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: seasonal_split(1, [0] * 12), InvalidAmountError, "weights sum to 0"),
        (lambda: seasonal_split(1, [1, -1]), InvalidAmountError, "weights[1] is -1"),
        (lambda: seasonal_split(-1, [1]), InvalidAmountError, "total is -1"),
        (lambda: seasonal_split(1, []), ShapeMismatchError, "at least one period"),
        (lambda: shift_earlier([1], -1), InvalidAmountError, "months is -1"),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
        call()


@given(st.floats(0, 1e9, allow_nan=False, allow_subnormal=False), weights_st)
def test_split_preserves_the_total(total, weights):
    parts = seasonal_split(total, weights)
    assert parts.shape == (12,)
    assert (parts >= 0).all()
    assert np.isclose(parts.sum(), total, rtol=1e-12, atol=1e-9)


@given(series_st, months_st)
def test_shift_preserves_totals_and_adds_the_lead_months(series, months):
    shifted = shift_earlier(series, months)
    assert shifted.shape == (len(series) + int(np.ceil(months)),)
    assert np.isclose(shifted.sum(), sum(series), rtol=1e-12, atol=1e-6)


@given(series_st, st.integers(0, 24))
def test_whole_month_shift_moves_the_series(series, months):
    shifted = shift_earlier(series, months)
    assert shifted[: len(series)].tolist() == [float(x) for x in series]
    assert (shifted[len(series) :] == 0).all()
