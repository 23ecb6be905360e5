"""Numbers joined to text (``&``, CONCATENATE, CONCAT, TEXTJOIN) keep Excel's 15 significant digits
(xl_funnel/recalc/joined_text.py), checked against LibreOffice headless."""

from __future__ import annotations

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import libreoffice
from tests.validated import assert_valid
from xl_funnel.recalc.joined_text import joined, wrap_joins
from xl_funnel.recalc.workflow import recalculate

FORMULAS = [
    '1/3&""',
    '2/3&""',
    '0.1+0.2&""',
    '-0.1-0.2&""',
    '0.1*3&""',
    '0.000123456789012345678&""',
    '12345.678901234567&""',
    '99999999999999.9&""',
    '123456789012345&""',
    '1E+300&""',
    '1.1E-300&""',
    '"x"&A1',
    '-1/3&"x"',
    'IF(A1>0,"p"&A1,"n")',
    '"a"&B1&A1&"b"',  # B1 is empty: it joins as nothing
    'CONCATENATE("a",1/3,"b")',
    'LEN(1/3&"")',
    '"v"&TEXT(1/3,"0.00")',
    '"a"&"b"',
    '_xlfn.TEXTJOIN(", ",TRUE,D1:D3,1/3)',  # D2 is empty: left out
    '_xlfn.TEXTJOIN("-",FALSE,D1:D3)',
    "_xlfn.CONCAT(D1:E3,0.1+0.2)",
    "_xlfn.TEXTJOIN(D1:E1,TRUE,1,2,3)",  # a range of delimiters, used in turn
    '"FY"&YEAR(DATE(2026,3,1))',  # whole numbers and texts are not wrapped: same text
    '"n"&COUNTA(D1:D3)&" of "&ROWS(D1:D3)',
    '"m"&MONTH(45000)&"/"&DAY(45000)&" "&FIXED(A1,3)',
]


def test_joined_numbers_equal_libreoffice(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    sheet["A1"] = 1 / 7
    sheet["D1"], sheet["D3"], sheet["E1"] = 2 / 3, "x", 0.5
    for row, formula in enumerate(FORMULAS, 1):
        sheet.cell(row, 3, "=" + formula)
    book.save(tmp_path / "joins.xlsx")
    recalculate(tmp_path / "joins.xlsx", tmp_path / "joins.out.xlsx")
    assert_valid(tmp_path / "joins.out.xlsx")
    ours = openpyxl.load_workbook(tmp_path / "joins.out.xlsx", data_only=True)["S"]
    theirs = libreoffice.values(libreoffice.recalculate(tmp_path / "joins.xlsx", tmp_path / "lo"))
    got = {f: ours.cell(row, 3).value for row, f in enumerate(FORMULAS, 1)}
    assert got == {f: theirs[("S", f"C{row}")] for row, f in enumerate(FORMULAS, 1)}
    assert got['1/3&""'] == "0.333333333333333"
    assert got['"x"&A1'] == "x0.142857142857143"
    assert got["_xlfn.TEXTJOIN(D1:E1,TRUE,1,2,3)"] == "1" + "0.666666666666667" + "2" + "0.5" + "3"
    # the file keeps its formulas: the wrapping lives in the engine's copy only
    formulas = openpyxl.load_workbook(tmp_path / "joins.out.xlsx")["S"]
    assert formulas["C3"].value == '=0.1+0.2&""'
    assert all("_XLFUNNEL" not in str(c.value) for row in formulas.iter_rows() for c in row)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e15, "1E+15"),  # Excel's General: scientific from 15 integer digits
        (1234567890123456.0, "1.23456789012346E+15"),
        (999999999999999.0, "999999999999999"),
        (1e-9, "0.000000001"),
        (1e-10, "1E-10"),
        (0.0, "0"),
        (-2.5, "-2.5"),
        (True, "TRUE"),
        (None, ""),
        ("7", "7"),
    ],
)
def test_numbers_as_excel_writes_them(value, text):
    assert joined(value) == text


@pytest.mark.parametrize(
    ("formula", "wrapped"),
    [
        ('A1&B1="x"', '_XLFUNNEL_JOIN(A1)&_XLFUNNEL_JOIN(B1)="x"'),  # & binds before =
        ("A1&-B2%&(C1+1)", "_XLFUNNEL_JOIN(A1)&_XLFUNNEL_JOIN(-B2%)&_XLFUNNEL_JOIN((C1+1))"),
        ('SUM(A1,"a&b")', 'SUM(A1,"a&b")'),  # an & inside text is not an operator
        ('"a"&"b"', '"a"&"b"'),
        ('"· é"&A1&"→"&B1', '"· é"&_XLFUNNEL_JOIN(A1)&"→"&_XLFUNNEL_JOIN(B1)'),  # UTF-8 bytes
        ("F(1,2)&G(3)", "_XLFUNNEL_JOIN(F(1,2))&_XLFUNNEL_JOIN(G(3))"),
        ('"FY"&YEAR(A1)&_xlfn.CONCAT(B1)', '"FY"&YEAR(A1)&_xlfn.CONCAT(B1)'),  # whole or text
        ('"FY"&YEAR(A1)+1', '"FY"&_XLFUNNEL_JOIN(YEAR(A1)+1)'),  # not the call alone
        ('"x"&LEN(A1)*ROWS(B1:B2)', '"x"&_XLFUNNEL_JOIN(LEN(A1)*ROWS(B1:B2))'),
        ('"x"&YEAR(A1)+ROWS(B1:B2)', '"x"&_XLFUNNEL_JOIN(YEAR(A1)+ROWS(B1:B2))'),
    ],
)
def test_operands_of_and_are_wrapped(formula, wrapped):
    assert wrap_joins(formula) == wrapped


def _joined_by_decimal(number: float) -> str:
    """The rule written with the decimal module: the shortest decimal of the float rounded
    half up to 15 significant digits."""
    from decimal import ROUND_HALF_UP, Decimal

    digits = Decimal(repr(number))
    rounded = digits.quantize(Decimal(1).scaleb(digits.adjusted() - 14), rounding=ROUND_HALF_UP)
    exponent = rounded.adjusted()
    if exponent >= 15 or exponent < -9:
        text = f"{rounded.scaleb(-exponent):f}".rstrip("0").rstrip(".")
        return f"{text}E{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    text = f"{rounded:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@settings(max_examples=3000)
@given(st.floats(allow_nan=False, allow_infinity=False).filter(bool))
def test_fifteen_digits_equal_decimal_rounding(number):
    assert joined(number) == _joined_by_decimal(number)


@pytest.mark.parametrize(
    "number",
    [
        999999999999999.9,
        9.9999999999999995,
        0.15,
        2.5e-10,
        1e-9 * 0.99999999999999995,
        -1e300,
        5e-324,
    ],
)
def test_fifteen_digits_at_the_edges(number):
    assert joined(number) == _joined_by_decimal(number)
