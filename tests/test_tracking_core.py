"""The tracking core: worked examples first, then properties, then the Excel adapters."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xl_funnel as xf
from tests.strategies import funnel_st, target_st
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError
from xl_funnel.excel import registry
from xl_funnel.tracking import (
    catch_up,
    months_reported,
    plan_vs_actual,
    projected_at_rates,
    shortfall,
    tracking_status,
)
from xl_funnel.tracking_diagnosis import (
    IN_LINE,
    LESS_BUDGET,
    MORE_BUDGET,
    diagnosis_sentences,
    half_up,
    reallocation_hint,
    step_cost,
    step_sentence,
    weakest_steps,
)

NAN = float("nan")
SEED_RATES = [0.015, 0.2, 0.2, 0.4, 0.5]


def test_seasonal_plan_expects_less_by_a_slow_month():
    # A plan of 100 a month and 300 in December: by June only 600 / 1,400 is expected.
    plan = [100] * 11 + [300]
    result = plan_vs_actual([100] * 6 + [NAN] * 6, plan)
    assert result.expected_share == pytest.approx(600 / 1400)
    assert result.projected == pytest.approx(1400)
    assert result.attainment == pytest.approx(1.0)
    assert result.variance == 0.0


def test_nothing_reported_is_unknown_not_zero():
    result = plan_vs_actual([NAN] * 12, [10] * 12)
    assert all(math.isnan(v) for v in result)
    assert tracking_status(result.attainment) == ""


def test_rows_broadcast_like_a_ufunc():
    actual = np.array([[10, 20, NAN], [NAN, NAN, NAN]])
    result = plan_vs_actual(actual, [10, 10, 10])
    assert result.actual.tolist()[0] == 30.0
    assert math.isnan(result.actual[1])
    assert result.percent_of_plan[0] == pytest.approx(1.5)


def test_bad_input_names_the_argument():
    with pytest.raises(InvalidAmountError, match=r"actual\[1\] is -1"):
        plan_vs_actual([5, -1], [1, 1])
    with pytest.raises(ShapeMismatchError):
        plan_vs_actual([1, 2, 3], [1, 2])
    with pytest.raises(ShapeMismatchError, match="plan_rates has 2 rates for 2 stages"):
        projected_at_rates([[1, 2], [1, 2]], [[1, 2], [1, 2]], [0.1, 0.2])


def test_projection_at_rates_scales_the_rest_of_the_year():
    actual = [[100, 100, NAN, NAN], [10, 8, NAN, NAN], [5, 4, NAN, NAN]]
    plan = [[100] * 4, [10] * 4, [5] * 4]
    # Leads at 9 % against 10 %: the rest of the year brings 0.9 × 20 leads, and customers
    # convert at 50 % as planned: 0.9 × 10 more.
    assert projected_at_rates(actual, plan, [0.1, 0.5]).tolist() == pytest.approx(
        [400.0, 18 + 18.0, 9 + 9.0]
    )


def test_months_reported_is_the_latest_month_with_any_actual():
    assert months_reported([[NAN] * 12]) == 0
    assert months_reported([[1, NAN, NAN], [NAN, NAN, 3]]) == 3


def test_catch_up_equals_backsolve_rounded_up_at_plan_rates():
    result = catch_up(10, 3, SEED_RATES, 6)
    assert result.volumes.tolist() == xf.backsolve(7, SEED_RATES, round_up=True).tolist()
    # Whole people each month left, rounded up: the six months bring at least the volumes.
    assert result.per_month.tolist() == [9723.0, 146.0, 30.0, 6.0, 3.0, 2.0]
    assert (result.per_month * 6 >= result.volumes).all()


def test_catch_up_above_a_zero_rate_is_unknown_and_nothing_left_divides_by_nothing():
    result = catch_up(10, 3, [0.1, 0.0, 0.5], 0)
    assert np.isnan(result.volumes[:2]).all()
    assert result.volumes[2:].tolist() == [14.0, 7.0]
    assert np.isnan(result.per_month).all()


def test_target_already_reached_needs_nothing():
    assert catch_up(10, 12, SEED_RATES, 3).volumes.tolist() == [0.0] * 6


@settings(max_examples=200, deadline=None)
@given(target=target_st, won=target_st, rates=funnel_st)
def test_catch_up_run_forward_is_never_short(target, won, rates):
    volumes = catch_up(target, won, rates, 6).volumes
    delivered = xf.forward(volumes[0], rates)[-1]
    needed = max(target - won, 0.0)
    assert delivered >= math.ceil(max(needed - 1e-9, 0)) * (1 - 1e-12) - 1e-6
    assert (volumes == np.ceil(volumes)).all()


@settings(max_examples=200, deadline=None)
@given(
    actual=st.lists(st.floats(0, 1e6), min_size=12, max_size=12),
    plan=st.lists(st.floats(1e-3, 1e6), min_size=12, max_size=12),
    reported=st.integers(1, 12),
)
def test_pace_is_actual_over_plan_to_date(actual, plan, reported):
    typed = actual[:reported] + [NAN] * (12 - reported)
    result = plan_vs_actual(typed, plan)
    assert result.attainment == pytest.approx(sum(actual[:reported]) / sum(plan[:reported]))
    # The projection is PACE with the plan's months as the seasonality.
    assert result.projected == pytest.approx(
        xf.pace(sum(actual[:reported]), sum(plan), reported, plan).projected
    )


def test_shortfall_in_customers_and_revenue():
    assert shortfall(10, 8, 1_100_000) == (2.0, 2_200_000.0)
    assert shortfall(10, 11, 1_100_000) == (0.0, 0.0)


def test_step_cost_and_sentence_as_the_issue_words_it():
    assert step_cost(0.24, 0.30, 70) == pytest.approx(14.0)
    assert step_sentence("MQLs", "SQLs", 0.24, 0.30, 14.0) == (
        "MQLs→SQLs at 24 % against 30 % costs about 14 customers by year end: "
        "nurture MQLs with email and lead scoring."
    )
    assert "less than one customer" in step_sentence("A", "B", 0.29, 0.3, 0.49)
    assert half_up(0.5) == 1.0
    assert half_up(17.85, 1) == 17.9


def test_two_weakest_steps_ties_go_to_the_top():
    assert weakest_steps([0.9, 0.9, 0.95]).tolist() == [0, 1]
    assert weakest_steps([0.9]).tolist() == [0, -1]


def test_diagnosis_when_nothing_is_measured_or_all_on_plan():
    assert diagnosis_sentences([NAN] * 6, SEED_RATES, 10) == ["No stage has actuals yet.", ""]
    on_plan = diagnosis_sentences([6000, 90, 18, 3.6, 1.44, 0.72], SEED_RATES, 10)
    assert on_plan == ["Every stage converts at or above its plan rate.", ""]


def test_budget_hint_seed_004_three_times_the_spend_three_times_the_conversions():
    # 60 % / 20 % / 20 % of the spend bring 6/9, 2/9 and 1/9 of the customers.
    index, hint = reallocation_hint([30_000, 10_000, 10_000], [6, 2, 1])
    assert index.tolist() == pytest.approx([10 / 9, 10 / 9, 5 / 9])
    assert hint.tolist() == [MORE_BUDGET, MORE_BUDGET, LESS_BUDGET]
    index, hint = reallocation_hint([30_000, 10_000], [3, 1])
    assert hint.tolist() == [IN_LINE, IN_LINE]
    _, hint = reallocation_hint([0, 0], [0, 0])
    assert hint.tolist() == ["", ""]


def test_excel_functions_equal_the_core():
    actual = [[100.0, 100.0, None, None], [10.0, 8.0, None, None]]
    plan = [[100.0] * 4, [10.0] * 4]
    header, _visits, leads = registry.get("TRACKING_VS_PLAN")(actual, plan)
    core = plan_vs_actual([[100, 100, NAN, NAN], [10, 8, NAN, NAN]], [[100] * 4, [10] * 4])
    assert header[0] == "Actual to date"
    assert leads == pytest.approx([float(np.asarray(f)[1]) for f in core])
    empty = registry.get("TRACKING_VS_PLAN")([[None, None]], [[1.0, 1.0]])
    assert empty[1] == [""] * 7
    assert registry.get("TRACKING_AT_RATES")(actual, plan, 0.1) == [[400.0], [36.0]]
    [_, *rows] = registry.get("CATCH_UP")(10, 3, [[r] for r in SEED_RATES], 6)
    assert [row[0] for row in rows] == catch_up(10, 3, SEED_RATES, 6).volumes.tolist()
    assert registry.get("SHORTFALL")(10, 8, 1_100_000) == [[2.0, 2_200_000.0]]
    sentences = registry.get("TRACKING_DIAGNOSIS")(
        [[6000.0], [90.0], [16.0], [3.0], [1.2], [0.6]], [[r] for r in SEED_RATES], 10
    )
    assert [s[0] for s in sentences] == diagnosis_sentences(
        [6000, 90, 16, 3, 1.2, 0.6], SEED_RATES, 10
    )
    assert registry.get("BUDGET_HINT")([[30000.0], [10000.0]], [[3.0], [3.0]])[1][1] == (
        LESS_BUDGET
    )


def test_excel_functions_answer_bad_input_with_error_values():
    assert registry.get("TRACKING_VS_PLAN")([[-1.0]], [[1.0]]) == "#NUM!"
    assert registry.get("TRACKING_VS_PLAN")([[1.0, 2.0]], [[1.0]]) == "#VALUE!"
    assert registry.get("CATCH_UP")("ten", 3, 0.5, 6) == "#VALUE!"
    assert registry.get("SHORTFALL")(10, 8, -5) == "#NUM!"
