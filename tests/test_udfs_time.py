"""The Excel functions of issue 7, called as xlwings calls them: exact values and error values.

xlwings (with ``ndim=2``) passes every range as a list of rows, a single cell as ``[[v]]``,
a blank as ``None`` and a date cell as a ``datetime``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import xl_funnel as xf
from xl_funnel import udfs
from xl_funnel.diagnosis import bottleneck_message
from xl_funnel.excel.registry import get
from xl_funnel.flywheel import flywheel_backsolve
from xl_funnel.scheduling import schedule_volumes

SEED_RATES = [0.015, 0.2, 0.2, 0.4, 0.5]
SEED_RATES_COL = [[rate] for rate in SEED_RATES]
SEED_STAGES = ["Visits", "Leads", "MQLs", "SQLs", "Opportunities", "Customers"]
Q1 = [[0.75, 0.75, 0.75]]
SEED_LAGS = [[0], [0.5], [0], [0], [2]]
BEHIND_ON_MQLS = [[6000.0], [90.0], [12.0], [3.0], [1.2], [0.6]]


def body(table: list[list[object]]) -> np.ndarray:
    """The numbers of a spilled table without its header row and name column."""
    return np.array([row[1:] for row in table[1:]], dtype=float)


# --- FUNNEL_SCHEDULE ---------------------------------------------------------------------


def test_schedule_fractional_lag_splits_across_months_with_relative_month_labels():
    result = udfs.FUNNEL_SCHEDULE([[1.0, 1.0, 1.0]], [[0.5]], [[1.5]])
    assert result == [
        ["Stage", "M-1", "M0", "M1", "M2", "M3"],
        ["Stage 1", 1.0, 2.0, 2.0, 1.0, 0.0],
        ["Stage 2", 0.0, 0.0, 1.0, 1.0, 1.0],
    ]


def test_schedule_seed_quarter_with_calendar_labels_equals_the_core():
    result = udfs.FUNNEL_SCHEDULE(Q1, SEED_RATES_COL, SEED_LAGS, None, None, [["2027-01"]])
    months = ["Oct 2026", "Nov 2026", "Dec 2026", "Jan 2027", "Feb 2027", "Mar 2027"]
    assert result[0] == ["Stage", *months]
    assert [row[0] for row in result[1:]] == SEED_STAGES
    expected = schedule_volumes([0.75] * 3, SEED_RATES, [0, 0.5, 0, 0, 2])
    np.testing.assert_array_equal(body(result), expected)
    assert result[2][1:] == pytest.approx([46.875, 93.75, 93.75, 46.875, 0.0, 0.0], rel=1e-12)


@pytest.mark.parametrize(
    "first_month",
    [
        [[dt.datetime(2027, 1, 1)]],  # a date cell, as xlwings passes it
        [[dt.date(2027, 1, 31)]],
        [[46388.0]],  # an unformatted date: Excel's serial number for 1 Jan 2027
        46403.0,  # a bare serial mid-month (16 Jan 2027)
        "Jan 2027",
        " 2027-01 ",
        "2027-01-15",
    ],
)
def test_schedule_first_month_in_every_form_excel_gives(first_month):
    result = udfs.FUNNEL_SCHEDULE([[1.0]], [[0.5]], 1.0, None, None, first_month)
    assert result[0] == ["Stage", "Dec 2026", "Jan 2027"]


def test_schedule_single_lag_cell_is_the_sales_cycle_and_round_up_gives_whole_units():
    result = udfs.FUNNEL_SCHEDULE(Q1, SEED_RATES_COL, [[2.0]], [[True]], [[None]], None)
    assert result[0] == ["Stage", "M-1", "M0", "M1", "M2", "M3"]
    assert result[1] == ["Visits", 8334.0, 8334.0, 8334.0, 0.0, 0.0]
    assert result[-1] == ["Customers", 0.0, 0.0, 1.0, 1.0, 1.0]


def test_schedule_rows_and_columns_and_stage_names_as_a_row():
    result = udfs.FUNNEL_SCHEDULE(
        [[1.0], [2.0]], [[0.5, 0.25]], [[0.0, 1.0]], False, [["SQLs", "Opps", "Won"]]
    )
    assert result == [
        ["Stage", "M0", "M1", "M2"],
        ["SQLs", 8.0, 16.0, 0.0],
        ["Opps", 4.0, 8.0, 0.0],
        ["Won", 0.0, 1.0, 2.0],
    ]


def test_schedule_totals_equal_funnel_backsolve():
    targets = [[0.5, 1.0, 0.75, 0.25, 1.0, 0.5]]
    result = udfs.FUNNEL_SCHEDULE(targets, SEED_RATES_COL, [[0.25, 0.5, 1.5, 0.75, 2.25]])
    totals = body(result).sum(axis=1)
    np.testing.assert_allclose(totals, xf.backsolve(4.0, SEED_RATES), rtol=1e-12)


@pytest.mark.parametrize(
    ("args", "expected", "why"),
    [
        (
            (Q1, SEED_RATES_COL, [[0.0], [1.0]]),
            "#VALUE!",
            "lags has 2 lags for 5 rates: give one lag per transition (0 where a stage follows "
            "in the same month)",
        ),
        (
            (Q1, SEED_RATES_COL, [[0.0], [0.0], [-1.0], [0.0], [0.0]]),
            "#NUM!",
            "lags[2] is -1: a lag cannot be negative",
        ),
        (
            (Q1, [[0.015], [0.0], [0.2], [0.4], [0.5]], 2.0),
            "#NUM!",
            "rates[1] is 0: a stage with a 0 % conversion rate can never reach the target",
        ),
        (
            ([[1.0, None, 1.0]], [[0.5]], 1.0),
            "#VALUE!",
            "monthly_targets[1] is blank: a list cannot have gaps (blanks after the last value "
            "are fine)",
        ),
        (
            ([[1.0, -1.0]], [[0.5]], 1.0),
            "#NUM!",
            "targets[1] is -1: a target cannot be negative",
        ),
        (
            ([[1.0]], [[0.5]], 1.0, None, [["Leads"]]),
            "#VALUE!",
            "stage_names has 1 labels for 2 stages: give one label per stage, one more than "
            "the rates",
        ),
        (
            ([[1.0]], [[0.5]], 1.0, None, None, "next spring"),
            "#VALUE!",
            "first_month is 'next spring': give a date or a month such as 2027-01",
        ),
        (
            # pandas reads these as "no month" (NaT) rather than refusing them
            ([[1.0]], [[0.5]], 1.0, None, None, [["NAN"]]),
            "#VALUE!",
            "first_month is 'NAN': give a date or a month such as 2027-01",
        ),
        (
            ([[1.0]], [[0.5]], 1.0, None, None, [["NaT"]]),
            "#VALUE!",
            "first_month is 'NaT': give a date or a month such as 2027-01",
        ),
        (
            ([[1.0]], [[0.5]], 1.0, None, None, [[-5.0]]),
            "#VALUE!",
            "first_month is -5: not an Excel date",
        ),
        (
            ([[1.0]], [[0.5]], 1.0, None, None, [["2027-01", "2027-02"]]),
            "#VALUE!",
            "first_month is a range: give a single cell holding a date",
        ),
        (([[1.0]], [["#N/A"]], 1.0), "#N/A", "rates holds the error #N/A"),
        (([[1.0]], [[0.5]], "two"), "#VALUE!", "lags is the text 'two', not a number"),
    ],
)
def test_schedule_bad_input(args, expected, why):
    assert udfs.FUNNEL_SCHEDULE(*args) == expected
    assert get("FUNNEL_SCHEDULE").explain(*args) == why


# --- FLYWHEEL_BACKSOLVE ------------------------------------------------------------------


def test_flywheel_referrals_cover_a_third_of_the_target():
    result = udfs.FLYWHEEL_BACKSOLVE(
        [[72.0]], SEED_RATES_COL, [[167.0]], [[0.02]], [["Opportunities"]]
    )
    assert result[0] == ["Stage", *(f"M{month}" for month in range(1, 13)), "Total"]
    assert [row[0] for row in result[1:]] == [*SEED_STAGES, "Referral customers"]
    referral, customers = result[-1], result[-2]
    assert referral[1] == pytest.approx(1.67)
    assert referral[12] == pytest.approx(2.33)
    assert referral[-1] == pytest.approx(24.0)  # a third of 72
    assert customers[-1] == pytest.approx(48.0)
    expected = flywheel_backsolve(72, SEED_RATES, 167, 0.02, "Opportunities")
    np.testing.assert_array_equal(body(result)[:, :-1], expected)


def test_flywheel_entry_stage_number_counts_from_one_like_excel():
    by_number = udfs.FLYWHEEL_BACKSOLVE(9.0, SEED_RATES_COL, 50.0, 0.01, 5.0)
    by_name = udfs.FLYWHEEL_BACKSOLVE(9.0, SEED_RATES_COL, 50.0, 0.01, "opportunities")
    assert by_number == by_name
    assert by_number[-1][1] == pytest.approx(0.25)  # a third of January's 0.75


def test_flywheel_close_rate_periods_and_own_stage_names():
    result = udfs.FLYWHEEL_BACKSOLVE(
        4.0, [[0.1], [0.5]], 10.0, 0.1, "Trials", 0.8, 2.0, [["Signups"], ["Trials"], ["Paid"]]
    )
    assert result[0] == ["Stage", "M1", "M2", "Total"]
    # Month 1: 10 customers × 0.1 × 80 % = 0.8 of the 2 needed; the funnel brings 1.2.
    assert result[3][:2] == ["Paid", pytest.approx(1.2)]
    assert result[4][:2] == ["Referral customers", pytest.approx(0.8)]
    # Month 2: the base is 12, so 0.96 from referrals.
    assert result[4][2] == pytest.approx(0.96)


def test_flywheel_without_referrals_is_funnel_backsolve_each_month():
    result = udfs.FLYWHEEL_BACKSOLVE(9.0, SEED_RATES_COL, 100.0, 0.0, None, None, 2.0)
    monthly = udfs.FUNNEL_BACKSOLVE(9.0, SEED_RATES_COL, 2.0)
    for row, (volume,) in zip(result[1:-1], monthly, strict=True):
        assert row[1:] == [volume, volume, 2 * volume]
    assert result[-1][1:] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("args", "expected", "why"),
    [
        (
            (9.0, SEED_RATES_COL, 50.0, 0.01, "Webinars"),
            "#VALUE!",
            "entry_stage is 'Webinars': not a stage of this funnel (Visits, Leads, MQLs, SQLs, "
            "Opportunities, Customers)",
        ),
        (
            (9.0, SEED_RATES_COL, 50.0, 0.01, 7.0),
            "#VALUE!",
            "entry_stage is 7: this funnel has 6 stages, numbered from 1 at the top",
        ),
        (
            (9.0, SEED_RATES_COL, 50.0, 0.01, 0.0),
            "#VALUE!",
            "entry_stage is 0: count stages from 1 at the top, or use a name",
        ),
        (
            (9.0, SEED_RATES_COL, 50.0, 0.01, None, 1.5),
            "#NUM!",
            "referral_close_rate is 1.5: a close rate is a fraction between 0 and 1",
        ),
        (
            (9.0, SEED_RATES_COL, 50.0, 0.01, None, None, 2.5),
            "#NUM!",
            "periods is 2.5: the flywheel runs period by period, give a whole number of "
            "periods, at least 1",
        ),
        (
            (9.0, SEED_RATES_COL, -50.0, 0.01),
            "#NUM!",
            "customer_base is -50: a customer base cannot be negative",
        ),
        (
            (9.0, SEED_RATES_COL, 50.0, [[0.01, 0.02]]),
            "#VALUE!",
            "referrals_per_customer is a 1×2 range: give a single cell",
        ),
        ((9.0, SEED_RATES_COL, "#REF!", 0.01), "#REF!", "customer_base holds the error #REF!"),
    ],
)
def test_flywheel_bad_input(args, expected, why):
    assert udfs.FLYWHEEL_BACKSOLVE(*args) == expected
    assert get("FLYWHEEL_BACKSOLVE").explain(*args) == why


# --- PACE --------------------------------------------------------------------------------


def test_pace_even_year_and_seasonal_year():
    assert udfs.PACE([[2000.0]], [[10000.0]], [[0.25]]) == [[8000.0, 0.8]]
    assert udfs.PACE(2000.0, 10000.0, 1.0, [[20.0], [25.0], [25.0], [30.0]]) == [[10000.0, 1.0]]


def test_pace_monthly_actuals_in_a_year_long_row_count_the_months_so_far():
    row = [[700.0, 650.0, 650.0, *([None] * 9)]]
    assert udfs.PACE(row, 10000.0) == [[8000.0, 0.8]]
    # Mid-April: the same actuals with 3.5 of 12 months elapsed, given as a fraction.
    result = udfs.PACE(row, 10000.0, 3.5 / 12)
    assert result[0][0] == pytest.approx(2000 / (3.5 / 12))


def test_pace_undefined_share_is_div0_in_its_cell_only():
    assert udfs.PACE(2000.0, 0.0, 0.25) == [[8000.0, "#DIV/0!"]]
    assert udfs.PACE(100.0, 1000.0, 1.0, [[0.0, 1.0, 1.0]]) == [["#DIV/0!", "#DIV/0!"]]


@pytest.mark.parametrize(
    ("args", "expected", "why"),
    [
        (
            (2000.0, 10000.0, 3.0),
            "#NUM!",
            "elapsed is 3: without seasonality it is the fraction of the year elapsed, at most "
            "1 (did you mean 3 months, i.e. 0.25?)",
        ),
        (
            (2000.0, 10000.0),
            "#VALUE!",
            "elapsed is missing: give the fraction of the year elapsed (0.25 after one "
            "quarter), or the actuals month by month",
        ),
        (
            ([[100.0] * 5], 1000.0, None, [[1.0, 1.0, 1.0, 1.0]]),
            "#VALUE!",
            "actual_to_date has 5 periods of actuals but the year has 4",
        ),
        (
            (2000.0, 10000.0, 0.25, [[1.0, -1.0]]),
            "#NUM!",
            "seasonality[1] is -1: a seasonality weight cannot be negative",
        ),
        (
            (2000.0, "ten thousand", 0.25),
            "#VALUE!",
            "annual_target is the text 'ten thousand', not a number",
        ),
        (([[None, None]], 10000.0), "#VALUE!", "actual_to_date is blank: give the result so far"),
    ],
)
def test_pace_bad_input(args, expected, why):
    assert udfs.PACE(*args) == expected
    assert get("PACE").explain(*args) == why


# --- FUNNEL_GAP, FUNNEL_BOTTLENECK -------------------------------------------------------


def test_gap_seed_001_marks_leads_to_mqls():
    result = udfs.FUNNEL_GAP(BEHIND_ON_MQLS, SEED_RATES_COL)
    assert result[0] == ["Transition", "Actual rate", "Plan rate", "Actual / plan", "Status"]
    assert [row[0] for row in result[1:]] == [
        "Visits→Leads",
        "Leads→MQLs",
        "MQLs→SQLs",
        "SQLs→Opportunities",
        "Opportunities→Customers",
    ]
    # 1.2 / 3 is 0.39999999999999997 in floating point: still on a 40 % plan.
    assert [row[-1] for row in result[1:]] == [
        "on plan",
        "bottleneck",
        "on plan",
        "on plan",
        "on plan",
    ]
    assert result[2][1:4] == [pytest.approx(12 / 90), 0.2, pytest.approx(2 / 3)]


def test_gap_behind_but_not_the_worst_and_no_data_after_a_zero_stage():
    result = udfs.FUNNEL_GAP(
        [[1000.0, 150.0, 20.0, 0.0, 0.0]],
        [[0.2, 0.2, 0.4, 0.5]],
        [["Leads", "MQLs", "SQLs", "Opps", "Won"]],
    )
    assert [row[-1] for row in result[1:]] == ["behind", "behind", "bottleneck", "no data"]
    assert result[4][1:4] == ["#DIV/0!", 0.5, "#DIV/0!"]


def test_bottleneck_text_equals_the_core_message():
    text = udfs.FUNNEL_BOTTLENECK(BEHIND_ON_MQLS, SEED_RATES_COL)
    assert text == (
        "Leads→MQLs is furthest behind: review form qualification questions and lead sources."
    )
    assert text == bottleneck_message([row[0] for row in BEHIND_ON_MQLS], SEED_RATES)


def test_bottleneck_on_plan_and_without_actuals():
    on_plan = [[6250.0], [93.75], [18.75], [3.75], [1.5], [0.75]]
    assert udfs.FUNNEL_BOTTLENECK(on_plan, SEED_RATES_COL) == (
        "Every stage converts at or above its plan rate."
    )
    assert udfs.FUNNEL_BOTTLENECK([[0.0, 0.0, 0.0]], [[0.5, 0.5]]) == "No stage has actuals yet."


def test_bottleneck_with_own_stage_names():
    text = udfs.FUNNEL_BOTTLENECK([[500.0, 40.0, 10.0]], [[0.1, 0.5]], [["Signups", "Trials", 3]])
    assert text == "Trials→3 is furthest behind: look at what moves Trials to 3."


@pytest.mark.parametrize("name", ["FUNNEL_GAP", "FUNNEL_BOTTLENECK"])
@pytest.mark.parametrize(
    ("args", "expected", "why"),
    [
        (
            ([[100.0, 50.0, 10.0]], [[0.5]]),
            "#VALUE!",
            "plan_rates has 1 rates for 3 stages: give one rate per transition, one fewer than "
            "the stages",
        ),
        (
            ([[100.0, 50.0]], [[1.5]]),
            "#NUM!",
            "plan_rates[0] is 1.5: a conversion rate is a fraction between 0 and 1 (did you "
            "mean 0.015, i.e. 1.5 %?)",
        ),
        (([[100.0, -5.0]], [[0.5]]), "#NUM!", "counts[1] is -5: a count cannot be negative"),
        (
            ([[100.0, 50.0]], [[0.5]], [["Leads"]]),
            "#VALUE!",
            "stage_names has 1 labels for 2 stages: give one label per stage, one more than "
            "the rates",
        ),
        (([[100.0, "#N/A"]], [[0.5]]), "#N/A", "actual_counts holds the error #N/A"),
    ],
)
def test_diagnosis_bad_input(name, args, expected, why):
    assert getattr(udfs, name)(*args) == expected
    assert get(name).explain(*args) == why


# --- every function, every documented example -------------------------------------------


@pytest.mark.parametrize(
    "name", ["FUNNEL_SCHEDULE", "FLYWHEEL_BACKSOLVE", "PACE", "FUNNEL_GAP", "FUNNEL_BOTTLENECK"]
)
def test_documented_examples_give_values(name):
    spec = get(name)
    assert spec.examples
    for example in spec.examples:
        result = spec(*example.args)
        assert spec.explain(*example.args) is None
        cells = result if isinstance(result, list) else [[result]]
        assert all(isinstance(cell, float | str) for row in cells for cell in row)
        assert not any(isinstance(cell, str) and cell == "#VALUE!" for row in cells for cell in row)
