"""The Excel functions of issue 3, called as xlwings calls them: exact values and error values.

xlwings (with ``ndim=2``) passes every range as a list of rows and a single cell as ``[[v]]``;
Python callers may pass bare values and flat lists. Each test names the Excel situation.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import xl_funnel as xf
from xl_funnel import udfs
from xl_funnel.channels import channel_metrics
from xl_funnel.excel.registry import get

SEED_RATES_COL = [[0.015], [0.2], [0.2], [0.4], [0.5]]
SEED_RATES_ROW = [[0.015, 0.2, 0.2, 0.4, 0.5]]
SEED_STAGES = [["Visits"], ["Leads"], ["MQLs"], ["SQLs"], ["Opportunities"], ["Customers"]]
SEED_MONTHLY = [6250.0, 93.75, 18.75, 3.75, 1.5, 0.75]


def column(values: list[float]) -> list[list[float]]:
    return [[value] for value in values]


def assert_column(result: object, expected: list[float]) -> None:
    assert isinstance(result, list)
    assert [len(row) for row in result] == [1] * len(expected)
    for (got,), want in zip(result, expected, strict=True):
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


# --- FUNNEL_BACKSOLVE ------------------------------------------------------------------


def test_backsolve_seed_000_spills_the_exact_monthly_funnel_as_a_column():
    result = udfs.FUNNEL_BACKSOLVE([[9.0]], SEED_RATES_COL, [[12.0]])
    assert_column(result, SEED_MONTHLY)
    assert result == xf.backsolve(9, [0.015, 0.2, 0.2, 0.4, 0.5], periods=12)[:, None].tolist()


def test_backsolve_with_stage_names_gives_a_two_column_table():
    result = udfs.FUNNEL_BACKSOLVE(9.0, SEED_RATES_COL, 12.0, None, None, SEED_STAGES)
    assert [row[0] for row in result] == [name for (name,) in SEED_STAGES]
    for (_, got), want in zip(result, SEED_MONTHLY, strict=True):
        assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(
    "rates",
    [
        SEED_RATES_ROW,  # a row
        SEED_RATES_COL,  # a column
        [[0.015, 0.2, 0.2], [0.4, 0.5, None]],  # a 2-D block read row by row, trailing blank
        [*SEED_RATES_COL, [None], [None], [""]],  # a column drawn longer than the list
        [0.015, 0.2, 0.2, 0.4, 0.5],  # a flat Python list
        [["1.5%"], ["20%"], ["0.2"], [" 40 % "], ["5e-1"]],  # numbers typed as text
    ],
    ids=["row", "column", "block", "trailing-blanks", "flat", "text-numbers"],
)
def test_backsolve_reads_rates_in_every_excel_shape(rates):
    assert_column(udfs.FUNNEL_BACKSOLVE(9.0, rates, 12.0), SEED_MONTHLY)


def test_backsolve_blank_optional_arguments_take_their_defaults():
    # =FUNNEL_BACKSOLVE(C1, B2:B6,,,,A2:A7): xlwings passes None or [[None]] for the gaps.
    plain = udfs.FUNNEL_BACKSOLVE(9.0, SEED_RATES_COL)
    assert plain == udfs.FUNNEL_BACKSOLVE(9.0, SEED_RATES_COL, [[None]], [[None]], [[None]])
    assert_column(plain, xf.backsolve(9, [0.015, 0.2, 0.2, 0.4, 0.5]).tolist())
    named = udfs.FUNNEL_BACKSOLVE(9.0, SEED_RATES_COL, None, None, None, SEED_STAGES)
    assert [row[1] for row in named] == [row[0] for row in plain]


def test_backsolve_round_up_and_buffer():
    assert udfs.FUNNEL_BACKSOLVE(10.0, SEED_RATES_COL, 12.0, True) == column(
        [8334.0, 125.0, 25.0, 5.0, 2.0, 1.0]
    )
    # round_up as Excel numbers and texts: 1 and "TRUE" are TRUE, 0 is FALSE
    assert udfs.FUNNEL_BACKSOLVE(10.0, SEED_RATES_COL, 12.0, 1.0) == udfs.FUNNEL_BACKSOLVE(
        10.0, SEED_RATES_COL, 12.0, "TRUE"
    )
    assert udfs.FUNNEL_BACKSOLVE(9.0, SEED_RATES_COL, 12.0, 0.0) == udfs.FUNNEL_BACKSOLVE(
        9.0, SEED_RATES_COL, 12.0
    )
    buffered = udfs.FUNNEL_BACKSOLVE(9.0, SEED_RATES_COL, 12.0, False, 0.2)
    assert_column(buffered, [value * 1.2 for value in SEED_MONTHLY])


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        ([[0.015], [0.0]], "#NUM!"),  # a 0 % stage can never reach the target
        ([[0.015], [1.2]], "#NUM!"),  # 120 % is not a conversion rate
        ([[0.015], [-0.2]], "#NUM!"),
        ([[20.0]], "#NUM!"),  # 20 typed for 20 %
        ([[0.015], [None], [0.2]], "#VALUE!"),  # a hole in the list
        ([[None], [0.2]], "#VALUE!"),  # a leading blank is a hole too
        ([[None]], "#VALUE!"),  # no rates at all
        ([[0.015], ["abc"]], "#VALUE!"),
        ([[0.015], ["1,5%"]], "#VALUE!"),  # locale-dependent text is refused
        ([[0.015], [True]], "#VALUE!"),  # TRUE is not 100 %
        ([[0.015], ["#N/A"]], "#N/A"),  # an error in the input is passed on
        ([[0.015, "#REF!"], ["#N/A", 0.2]], "#REF!"),  # the first in reading order
        ([[0.2], [math.nan]], "#NUM!"),
        ([[0.2], [math.inf]], "#NUM!"),
    ],
)
def test_backsolve_bad_rates(rates, expected):
    assert udfs.FUNNEL_BACKSOLVE(9.0, rates, 12.0) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((-9.0, SEED_RATES_COL), "#NUM!"),  # negative target
        ((9.0, SEED_RATES_COL, 0.0), "#NUM!"),  # 0 periods
        ((9.0, SEED_RATES_COL, -12.0), "#NUM!"),
        ((9.0, SEED_RATES_COL, 12.0, None, -0.1), "#NUM!"),  # negative buffer
        ((9.0, SEED_RATES_COL, 12.0, "maybe"), "#VALUE!"),  # round_up must be TRUE/FALSE
        (("nine", SEED_RATES_COL), "#VALUE!"),
        ((True, SEED_RATES_COL), "#VALUE!"),
        (([[9.0, 10.0]], SEED_RATES_COL), "#VALUE!"),  # a range where one cell belongs
        (("#DIV/0!", SEED_RATES_COL), "#DIV/0!"),
        ((9.0, SEED_RATES_COL, None, None, None, SEED_STAGES[:-1]), "#VALUE!"),  # 5 names
        ((9.0, SEED_RATES_COL, None, None, None, [["A"], [None], ["C"]]), "#VALUE!"),
        # overflow: the core refuses a funnel whose top exceeds a float; never inf in a cell
        ((1e300, [[1e-300], [1e-300]]), "#NUM!"),
    ],
)
def test_backsolve_bad_arguments(args, expected):
    assert udfs.FUNNEL_BACKSOLVE(*args) == expected


def test_backsolve_blank_target_is_zero_as_in_excel_arithmetic():
    assert udfs.FUNNEL_BACKSOLVE([[None]], SEED_RATES_COL) == column([0.0] * 6)


def test_stage_names_may_be_numbers_and_a_row():
    result = udfs.FUNNEL_FORWARD(100.0, [[0.5]], [[2026.0, "Next"]])
    assert result == [[2026.0, 100.0], ["Next", 50.0]]


# --- FUNNEL_FORWARD and FUNNEL_RATES ---------------------------------------------------


def test_forward_seed_000_table_visits():
    result = udfs.FUNNEL_FORWARD([[6000.0]], SEED_RATES_COL)
    assert_column(result, [6000.0, 90.0, 18.0, 3.6, 1.44, 0.72])
    named = udfs.FUNNEL_FORWARD(6000.0, SEED_RATES_ROW, SEED_STAGES)
    assert named[0] == ["Visits", 6000.0]
    assert named[-1][0] == "Customers"
    assert named[-1][1] == pytest.approx(0.72)


def test_forward_allows_a_zero_rate_but_not_a_negative_top():
    assert udfs.FUNNEL_FORWARD(100.0, [[0.5], [0.0]]) == column([100.0, 50.0, 0.0])
    assert udfs.FUNNEL_FORWARD(-1.0, [[0.5]]) == "#NUM!"
    assert udfs.FUNNEL_FORWARD(100.0, [[0.5]], [["only one"]]) == "#VALUE!"


def test_rates_from_counts_undefined_after_a_zero_stage():
    assert_column(udfs.FUNNEL_RATES(column(SEED_MONTHLY)), [0.015, 0.2, 0.2, 0.4, 0.5])
    assert udfs.FUNNEL_RATES([[10000.0, 9900.0, 0.0, 0.0]]) == [[0.99], [0.0], ["#DIV/0!"]]
    assert udfs.FUNNEL_RATES([[10.0]]) == "#VALUE!"  # one stage has no rate
    assert udfs.FUNNEL_RATES([[10.0], [-1.0]]) == "#NUM!"
    assert udfs.FUNNEL_RATES([[10.0], [None], [1.0]]) == "#VALUE!"


# --- TARGET_REVENUE and CUSTOMERS_NEEDED -----------------------------------------------


def test_target_revenue_last_year_form():
    assert udfs.TARGET_REVENUE(8e6, 0.25) == 10_000_000.0
    assert udfs.TARGET_REVENUE([[8e6]], [["25%"]]) == 10_000_000.0
    assert udfs.TARGET_REVENUE(8e6, None) == "#VALUE!"  # growth is required
    assert udfs.TARGET_REVENUE(8e6, 0.25, "cagr") == "#VALUE!"  # method needs a history
    assert udfs.TARGET_REVENUE(8e6, -1.0) == "#NUM!"
    assert udfs.TARGET_REVENUE(-8e6, 0.1) == "#NUM!"


def test_target_revenue_history_form_seed_002():
    history = [[5e6], [6e6], [7.2e6]]
    assert udfs.TARGET_REVENUE(history) == pytest.approx(9_000_000.0, rel=1e-12)
    assert udfs.TARGET_REVENUE([[5e6, 6e6, 7.2e6]], 0.0) == pytest.approx(8_640_000.0)
    assert udfs.TARGET_REVENUE([*history, [None]], [[None]], [[None]]) == udfs.TARGET_REVENUE(
        history
    )
    cagr = udfs.TARGET_REVENUE([[100.0, 150.0, 150.0]], 0.0, "CAGR")
    assert cagr == pytest.approx(150 * (1.5**0.5))
    assert udfs.TARGET_REVENUE(history, 0.05, "median") == "#VALUE!"
    assert udfs.TARGET_REVENUE([[5e6], [0.0], [7e6]], 0.05) == "#NUM!"
    assert udfs.TARGET_REVENUE([[5e6], [None], [7e6]]) == "#VALUE!"
    assert udfs.TARGET_REVENUE([[5e6, None]], 0.1) == pytest.approx(5.5e6)  # one year left
    assert udfs.TARGET_REVENUE([[None, None]]) == "#VALUE!"


def test_customers_needed_seed_000_rounds_up_to_ten():
    assert udfs.CUSTOMERS_NEEDED(10e6, 1.1e6) == 10.0
    assert udfs.CUSTOMERS_NEEDED(10e6, 1.1e6, False) == pytest.approx(10 / 1.1)
    assert udfs.CUSTOMERS_NEEDED(4.4e6, 1.1e6) == 4.0  # no float-noise 5th customer
    assert udfs.CUSTOMERS_NEEDED(10e6, 0.0) == "#NUM!"
    assert udfs.CUSTOMERS_NEEDED(10e6, None) == "#NUM!"  # a blank deal size is 0
    assert udfs.CUSTOMERS_NEEDED("1,000", 1.0) == "#VALUE!"
    assert udfs.CUSTOMERS_NEEDED(-1.0, 1.0) == "#NUM!"


# --- element-wise ratios ---------------------------------------------------------------


def test_value_per_lead_single_cells_give_a_number():
    assert udfs.VALUE_PER_LEAD(1.5e6, 2500.0) == 600.0
    assert udfs.VALUE_PER_LEAD([[1.5e6]], [[2500.0]]) == 600.0
    assert udfs.VALUE_PER_VISIT(1.5e6, 150000.0) == 10.0
    assert udfs.VISITS_PER_LEAD(6250.0, 93.75) == pytest.approx(200 / 3)
    assert udfs.CHANNEL_ROI(250000.0, 100000.0) == 1.5


def test_elementwise_ranges_keep_their_shape_cell_by_cell():
    row = udfs.VALUE_PER_LEAD([[1.5e6, 1.8e6, 0.0]], [[2500.0, 3000.0, 0.0]])
    assert row == [[600.0, 600.0, "#DIV/0!"]]
    col = udfs.CHANNEL_ROI([[250e3], [50e3], [1e3]], [[100e3], [100e3], [0.0]])
    assert col == [[1.5], [-0.5], ["#DIV/0!"]]
    block = udfs.VISITS_PER_LEAD([[100.0, 200.0], [300.0, 400.0]], [[1.0, 2.0], [3.0, 0.0]])
    assert block == [[100.0, 100.0], [100.0, "#DIV/0!"]]


def test_elementwise_broadcasts_like_excel():
    # a cell against a range, and a row against a column (=A1:C1/E1:E2 in Excel)
    assert udfs.VALUE_PER_LEAD([[600.0, 1200.0]], 3.0) == [[200.0, 400.0]]
    assert udfs.VALUE_PER_LEAD([[6.0, 12.0]], [[1.0], [2.0]]) == [[6.0, 12.0], [3.0, 6.0]]


def test_elementwise_bad_cells_spoil_only_their_own_result():
    result = udfs.VALUE_PER_LEAD(
        [[1000.0, -5.0, "x", "#N/A", None, "2,000", True]],
        [[10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]],
    )
    assert result == [[100.0, "#NUM!", "#VALUE!", "#N/A", 0.0, "#VALUE!", "#VALUE!"]]
    # the numerator's error wins over the denominator's, as Excel evaluates left to right
    assert udfs.CHANNEL_ROI([["#REF!"]], [["#N/A"]]) == "#REF!"
    assert udfs.CHANNEL_ROI(5.0, -1.0) == "#NUM!"
    assert udfs.CHANNEL_ROI(None, None) == "#DIV/0!"  # =A1/B1 with both blank


def test_elementwise_mismatched_ranges_are_value_errors():
    assert udfs.VALUE_PER_LEAD([[1.0, 2.0, 3.0]], [[1.0, 2.0]]) == "#VALUE!"
    assert udfs.CHANNEL_ROI([[1.0], [2.0]], [[1.0], [2.0], [3.0]]) == "#VALUE!"
    assert udfs.CHANNEL_ROI([[1.0, 2.0], [3.0]], 1.0) == "#VALUE!"  # ragged


def test_explain_names_the_argument_and_the_value():
    from xl_funnel.excel.registry import get

    assert get("CHANNEL_ROI").explain(5.0, 1.0) is None
    assert get("FUNNEL_BACKSOLVE").explain(9.0, [[0.2], [None], [0.4]]) == (
        "rates[1] is blank: a list cannot have gaps (blanks after the last value are fine)"
    )
    assert "'1,500'" in get("CUSTOMERS_NEEDED").explain("1,500", 1.0)


# --- CHANNEL_METRICS -------------------------------------------------------------------

SEED_004_TABLE = [
    ["Channel", "Spend", "Leads", "MQLs", "Customers", "Revenue"],
    ["Paid social", 30000.0, 300.0, 60.0, 3.0, 330000.0],
    ["Content syndication", 10000.0, 200.0, 80.0, 3.0, 330000.0],
]


def test_channel_metrics_seed_004_table_with_header():
    result = udfs.CHANNEL_METRICS(SEED_004_TABLE)
    assert result[0] == [
        *SEED_004_TABLE[0],
        "cpl",
        "cost_per_mql",
        "cac",
        "roi",
        "roas",
        "share_of_spend",
        "share_of_customers",
        "efficiency_index",
    ]
    assert result[1][:6] == SEED_004_TABLE[1]
    assert result[1][6:] == pytest.approx([100.0, 500.0, 10000.0, 10.0, 11.0, 0.75, 0.5, 2 / 3])
    assert result[2][6:] == pytest.approx([50.0, 125.0, 10000 / 3, 32.0, 33.0, 0.25, 0.5, 2.0])


def test_channel_metrics_any_column_order_and_case_with_blank_margins():
    shuffled = [
        ["REVENUE", "customers", "Notes", "mqls", "LEADS", "spend", None],
        [330000.0, 3.0, True, 60.0, 300.0, 30000.0, None],
        [330000.0, 3.0, None, 80.0, 200.0, 10000.0, None],
        [None, None, None, None, None, None, None],
    ]
    result = udfs.CHANNEL_METRICS(shuffled)
    assert len(result) == 3
    assert result[0][:6] == shuffled[0][:6]
    assert result[1][2] == "TRUE"  # a boolean in an extra column is kept as text
    assert result[2][2] == ""  # a blank in an extra column stays blank
    cac = result[0].index("cac")
    assert [row[cac] for row in result[1:]] == pytest.approx([10000.0, 10000 / 3])


def test_channel_metrics_zero_denominators_and_blanks():
    table = [
        ["spend", "leads", "mqls", "customers", "revenue"],
        [0.0, 0.0, None, 0.0, 0.0],
    ]
    result = udfs.CHANNEL_METRICS(table)
    assert result[1][:5] == [0.0, 0.0, 0.0, 0.0, 0.0]  # a blank count is 0
    assert result[1][5:] == ["#DIV/0!"] * 8


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ([["spend", "leads", "mqls", "customers"], [1.0, 1.0, 1.0, 1.0]], "#VALUE!"),
        ([["spend", "leads", "mqls", "customers", "revenue"]], "#VALUE!"),  # no channels
        ([["spend", "Spend", "leads", "mqls", "customers", "revenue"], [1.0] * 6], "#VALUE!"),
        ([["spend", None, "leads", "mqls", "customers", "revenue"], [1.0] * 6], "#VALUE!"),
        ([["spend", "leads", "mqls", "customers", "revenue"], [-1.0, 1, 1, 1, 1]], "#NUM!"),
        ([["spend", "leads", "mqls", "customers", "revenue"], ["a", 1, 1, 1, 1]], "#VALUE!"),
        ([["spend", "leads", "mqls", "customers", "revenue"], [1, 1, "#N/A", 1, 1]], "#N/A"),
        (5.0, "#VALUE!"),
        ([[None]], "#VALUE!"),
    ],
)
def test_channel_metrics_bad_tables(table, expected):
    assert udfs.CHANNEL_METRICS(table) == expected


ATTRIBUTED = [
    ["Channel", "Credited revenue", "Share"],  # ATTRIBUTE's spill, header and all
    ["Paid social", 420000.0, 0.636],
    ["Content syndication", 240000.0, 0.364],
    [None, None, None],  # a spill range drawn longer
]


def test_channel_metrics_with_attributed_revenue_replaces_the_revenue_column():
    result = udfs.CHANNEL_METRICS(SEED_004_TABLE, ATTRIBUTED)
    table = pd.DataFrame(SEED_004_TABLE[1:], columns=SEED_004_TABLE[0])
    credit = {"Paid social": 420_000.0, "Content syndication": 240_000.0}
    core = channel_metrics(table, revenue=credit)
    assert result[0] == [*SEED_004_TABLE[0], *list(core.columns[6:])]
    assert [row[:6] for row in result[1:]] == [
        ["Paid social", 30000.0, 300.0, 60.0, 3.0, 420000.0],
        ["Content syndication", 10000.0, 200.0, 80.0, 3.0, 240000.0],
    ]
    assert [row[6:] for row in result[1:]] == core.iloc[:, 6:].to_numpy().tolist()
    roi, roas = result[0].index("roi"), result[0].index("roas")
    assert [(row[roi], row[roas]) for row in result[1:]] == [(13.0, 14.0), (23.0, 24.0)]


def test_attributed_revenue_without_header_or_revenue_column_and_missing_channels():
    table = [row[:5] for row in SEED_004_TABLE]  # no revenue column at all
    result = udfs.CHANNEL_METRICS(table, [["Paid social", 420000.0]])
    # The credited revenue is added as a revenue column; a channel without credit gets 0.
    assert result[0][4:7] == ["Customers", "revenue", "cpl"]
    assert [row[5] for row in result[1:]] == [420000.0, 0.0]
    assert [row[result[0].index("roi")] for row in result[1:]] == [13.0, -1.0]
    # Blank optional argument: the table's own revenue column, as before.
    assert udfs.CHANNEL_METRICS(SEED_004_TABLE, [[None, None]]) == udfs.CHANNEL_METRICS(
        SEED_004_TABLE
    )


@pytest.mark.parametrize(
    ("table", "credit", "value", "reason"),
    [
        (
            SEED_004_TABLE,
            [["Webinars", 1.0]],
            "#VALUE!",
            "revenue credits channel 'Webinars', which the table does not list",
        ),
        (
            SEED_004_TABLE,
            [["Paid social", 1.0], ["Paid social", 2.0]],
            "#VALUE!",
            "attributed_revenue lists channel 'Paid social' twice",
        ),
        (SEED_004_TABLE, [["Paid social", -1.0]], "#NUM!", "revenue[0] is -1"),
        (SEED_004_TABLE, [["Paid social", "lots"]], "#VALUE!", "attributed_revenue"),
        (SEED_004_TABLE, [["Paid social", "#N/A"]], "#N/A", "holds the error #N/A"),
        (SEED_004_TABLE, [["Paid social"]], "#VALUE!", "needs two columns"),
        (SEED_004_TABLE, [[None, 5.0]], "#VALUE!", "attributed_revenue channel[0] is blank"),
        (
            [row[1:] for row in SEED_004_TABLE],
            [["Paid social", 1.0]],
            "#VALUE!",
            "table has no 'channel' column",
        ),
        (
            [row[:4] for row in SEED_004_TABLE],
            [["Paid social", 1.0]],
            "#VALUE!",
            "table has no column 'customers'",
        ),
    ],
)
def test_attributed_revenue_errors(table, credit, value, reason):
    spec = get("CHANNEL_METRICS")
    assert spec(table, credit) == value
    assert reason in spec.explain(table, credit)


# --- every function: documented examples never fail ------------------------------------


def test_every_documented_example_gives_a_value_not_a_whole_error():
    from xl_funnel.excel.errors import is_excel_error
    from xl_funnel.excel.registry import FUNCTIONS

    for spec in FUNCTIONS:
        for example in spec.examples:
            result = spec(*example.args)
            assert not is_excel_error(result), (spec.name, example.description, result)
            assert spec.explain(*example.args) is None


def test_every_bad_example_gets_an_error_value_and_a_reason():
    from xl_funnel.excel.errors import is_excel_error
    from xl_funnel.excel.registry import FUNCTIONS

    for spec in FUNCTIONS:
        for example in spec.bad_examples:
            result = spec(*example.args)
            assert is_excel_error(result), (spec.name, example.description, result)
            documented = {value for value, _ in spec.errors}
            assert result in documented or "input error" in documented, (spec.name, result)
            assert spec.explain(*example.args), (spec.name, example.description)
