"""How Excel arguments are read and how results are shaped for a cell."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from xl_funnel.errors import InvalidAmountError, InvalidRateError, ShapeMismatchError
from xl_funnel.excel import coerce
from xl_funnel.excel.errors import EXCEL_ERRORS, CellError, error_for, is_excel_error
from xl_funnel.excel.results import to_cell, to_cells, to_result


def cell_error(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(CellError) as caught:
        call(*args, **kwargs)
    return caught.value.value, str(caught.value)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1500", 1500.0),
        (" 0.2 ", 0.2),
        ("1e6", 1e6),
        ("20%", 0.2),
        ("20 %", 0.2),
        ("-3.5", -3.5),
        ("+.5", 0.5),
        ("7.", 7.0),
    ],
)
def test_unambiguous_numbers_typed_as_text_are_read(text, number):
    assert coerce.cell_number(text, "x") == pytest.approx(number)


@pytest.mark.parametrize(
    "text", ["1,500", "$1500", "1.500,00", "1_000", "abc", "", "nan", "inf", "0x10", "%", "1e"]
)
def test_other_text_is_a_value_error_that_says_why(text):
    value, message = cell_error(coerce.cell_number, text, "leads")
    assert value == "#VALUE!"
    assert message.startswith(f"leads is the text {text!r}, not a number")


def test_locale_dependent_text_gets_a_hint():
    _, message = cell_error(coerce.cell_number, "1,500", "leads")
    assert message.endswith("write it without thousands separators or currency, e.g. 1500")


def test_text_too_large_for_a_float_is_num():
    assert cell_error(coerce.cell_number, "1e999", "x")[0] == "#NUM!"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (True, "#VALUE!"),
        (np.bool_(False), "#VALUE!"),
        (math.nan, "#NUM!"),
        (-math.inf, "#NUM!"),
        (10**400, "#NUM!"),
        (dt.datetime(2026, 1, 1), "#VALUE!"),
        (object(), "#VALUE!"),
        ("#N/A", "#N/A"),
        ("#REF!", "#REF!"),
    ],
)
def test_cells_that_are_not_numbers(value, error):
    assert cell_error(coerce.cell_number, value, "x")[0] == error


def test_numpy_and_int_cells_are_floats():
    assert coerce.cell_number(np.int64(3), "x") == 3.0
    assert coerce.cell_number(np.float32(0.5), "x") == 0.5
    assert coerce.cell_number(7, "x") == 7.0


def test_grid_shapes():
    assert coerce.grid(1.0, "x") == [[1.0]]
    assert coerce.grid([1.0, 2.0], "x") == [[1.0, 2.0]]
    assert coerce.grid(((1.0,), (2.0,)), "x") == [[1.0], [2.0]]
    assert coerce.grid(np.array([[1.0, 2.0]]), "x") == [[1.0, 2.0]]
    assert cell_error(coerce.grid, [], "x") == ("#VALUE!", "x is an empty range")
    assert cell_error(coerce.grid, [[1.0], 2.0], "x")[0] == "#VALUE!"
    assert cell_error(coerce.grid, [[1.0, 2.0], [3.0]], "x") == (
        "#VALUE!",
        "x is not a rectangular range",
    )
    assert cell_error(coerce.grid, [[]], "x")[0] == "#VALUE!"
    assert cell_error(coerce.grid, [[[1.0]]], "x")[0] == "#VALUE!"


def test_vector_reads_row_by_row_and_drops_trailing_blanks_only():
    assert coerce.vector([[1.0, 2.0], [3.0, None]], "r").tolist() == [1.0, 2.0, 3.0]
    assert coerce.vector([[1.0], [""], [None]], "r").tolist() == [1.0]
    assert coerce.vector([[None, None]], "r").tolist() == []
    assert cell_error(coerce.vector, [[1.0, None], [3.0, 4.0]], "rates") == (
        "#VALUE!",
        "rates[1] is blank: a list cannot have gaps (blanks after the last value are fine)",
    )
    # an error anywhere wins over a gap: the user fixes the error first
    assert cell_error(coerce.vector, [[None], ["#N/A"]], "rates")[0] == "#N/A"


def test_number_and_defaults():
    assert coerce.number(None, "x") == 0.0
    assert coerce.number([[None]], "x", default=1.0) == 1.0
    assert coerce.number([[""]], "x", default=1.0) == 1.0
    assert coerce.number([["12"]], "x") == 12.0
    assert cell_error(coerce.number, [[1.0, 2.0]], "periods") == (
        "#VALUE!",
        "periods is a 1×2 range: give a single cell",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), (True, True), (False, False), (0.0, False), (2.0, True), (" false ", False)],
)
def test_flags(value, expected):
    assert coerce.flag(value, "round_up", default=True) is expected


def test_bad_flags():
    assert cell_error(coerce.flag, "yes", "round_up", default=False)[0] == "#VALUE!"
    assert cell_error(coerce.flag, "#N/A", "round_up", default=False)[0] == "#N/A"


def test_choice():
    assert coerce.choice(None, "m", ("mean", "cagr"), "mean") == "mean"
    assert coerce.choice(" Cagr ", "m", ("mean", "cagr"), "mean") == "cagr"
    assert cell_error(coerce.choice, 1.0, "method", ("mean", "cagr"), "mean") == (
        "#VALUE!",
        "method is 1.0: use 'mean' or 'cagr'",
    )
    assert cell_error(coerce.choice, "#NAME?", "m", ("mean",), "mean")[0] == "#NAME?"


def test_labels_keep_text_and_numbers():
    assert coerce.labels([["A", 2026.0, None]], "names") == ["A", 2026.0]
    assert cell_error(coerce.labels, [["A", True]], "names")[0] == "#VALUE!"


def test_numbers_grid_marks_each_bad_cell():
    numbers, errors = coerce.numbers_grid([[1.0, None], ["#N/A", "5%"]], "x")
    assert numbers.tolist() == [[1.0, 0.0], [0.0, 0.05]]
    assert [[error and error.value for error in row] for row in errors] == [
        [None, None],
        ["#N/A", None],
    ]
    numbers, errors = coerce.numbers_grid([[1.0, 2.0]], "x")  # the all-float fast path
    assert numbers.tolist() == [[1.0, 2.0]]
    assert errors == [[None, None]]


# --- results ---------------------------------------------------------------------------


def test_results_never_hold_nan_inf_or_negative_zero():
    assert to_cell(math.nan) == "#DIV/0!"
    assert to_cell(math.inf) == "#NUM!"
    cells = to_cells(np.array([[-0.0, math.nan], [-math.inf, 1.0]]))
    assert cells == [[0.0, "#DIV/0!"], ["#NUM!", 1.0]]
    assert math.copysign(1.0, cells[0][0]) == 1.0
    assert to_cells([["a", math.nan]]) == [["a", "#DIV/0!"]]
    assert to_result(np.float64(2.0)) == 2.0
    assert to_result(np.array(3.0)) == 3.0
    assert to_result([1.0, 2.0]) == [[1.0], [2.0]]
    with pytest.raises(TypeError):
        to_cell(True)


def test_error_mapping():
    assert error_for(InvalidRateError("r")) == "#NUM!"
    assert error_for(InvalidAmountError("a")) == "#NUM!"
    assert error_for(ShapeMismatchError("s")) == "#VALUE!"
    assert error_for(CellError("#N/A", "x")) == "#N/A"
    with pytest.raises(TypeError):
        error_for(KeyError("k"))
    assert is_excel_error("#SPILL!")
    assert not is_excel_error("#n/a")  # Excel's error texts are upper case
    assert {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"} <= EXCEL_ERRORS
