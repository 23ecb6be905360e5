"""TEXT(value, format) as Excel documents it, registered with the engine in place of its own
(xl_funnel/recalc/corrected_text.py): the documentation's examples, and a grid of values and
formats computed through ``recalculate`` and compared with LibreOffice headless."""

from __future__ import annotations

import itertools
import random

import openpyxl
import pytest

from tests import libreoffice
from tests.validated import assert_valid
from xl_funnel.recalc.corrected_text import text
from xl_funnel.recalc.workflow import recalculate

#: Microsoft's "TEXT function" page and its format-code guidelines (the fraction keeps the
#: leading space the page removes with TRIM).
DOCUMENTED = [
    (1234.567, "$#,##0.00", "$1,234.57"),
    (0.285, "0.0%", "28.5%"),
    (4.34, "# ?/?", "4 1/3"),
    (0.34, "# ?/?", " 1/3"),
    (12200000, "0.00E+00", "1.22E+07"),
    (1234567898, "[<=9999999]###-####;(###) ###-####", "(123) 456-7898"),
    (1234, "0000000", "0001234"),
    (123456, "##0° 00' 00''", "12° 34' 56''"),
    (44927, "mm/dd/yy", "01/01/23"),
    (44927.5, "h:mm AM/PM", "12:00 PM"),
    (44927, "dddd", "Sunday"),
    (1234567, '#,##0,,"M"', "1M"),
    (12345678, '$#,##0.0,,"M"', "$12.3M"),
    (1.5, "[h]:mm", "36:00"),
    (-1234.5, "#,##0.00;(#,##0.00)", "(1,234.50)"),
    (0, '0;-0;"zero"', "zero"),
    (2, "0.##", "2."),  # Excel keeps the point (LibreOffice drops it)
    (12.5, "@", "12.5"),
]


@pytest.mark.parametrize(("value", "code", "shown"), DOCUMENTED)
def test_documented_examples(value, code, shown):
    assert text(value, code) == shown


def test_other_arguments_as_excel_takes_them():
    error = {"type": "Error", "kind": "Div"}
    assert text(error, "0") == error
    assert text(1, error) == error
    assert text(True, "0") == "TRUE"
    assert text("12", "0.0") == "12.0"  # numeric text is a number
    assert text("abc", '0;0;0;"<"@">"') == "<abc>"  # the text section
    assert text("abc", "0.00") == "abc"
    assert text(None, "0.0") == "0.0"
    assert text(-1, "yyyy") == {"type": "Error", "kind": "Value"}


def test_any_format_gives_text_or_an_error_value_never_an_exception():
    rng = random.Random(15)
    alphabet = '0#?.,%E+-/"\\_*@[]<>=;:hmsdyAMP $ab'
    for _ in range(3000):
        code = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        value = rng.choice([0, -1.5, 1234.5678, 1e20, 0.001, 44927.25])
        assert isinstance(text(value, code), str | dict), code


VALUES = [0, 1, -1, 0.5, 1234.5678, -1234.5678, 1234567.891, 0.000123, 12.5, 44927.75, 2, 0.285,
          99.995, 7, 61, 45000.25]  # fmt: skip
FORMATS = [
    "0", "0.00", "#,##0", "#,##0.00", "0%", "0.0%", "0.00E+00", "0.0E+0", "##0.0E+0", "#,##0,",
    '#,##0,,"M"', '$#,##0.0,,"M"', '0;-0;"zero"', "#,##0.00;(#,##0.00)", "0.00;[Red]-0.00",
    "000-00", "00000", "# ?/?", "# ??/??", "?/8", "??.??", '"Q"0', '0 "units"', "\\$0.00",
    "$ #,##0.00", "0.0,", "yyyy-mm-dd", "dd/mm/yyyy", "m/d/yy", "mmm d, yyyy", "mmmm", "ddd",
    "dddd", "h:mm", "hh:mm", "h:mm AM/PM", "[h]:mm", "[mm]:ss", "mm:ss.0", "yyyy-mm-dd hh:mm",
    "d-mmm-yy", "mmmmm", "0.00_);(0.00)", "@",
]  # fmt: skip


def _excel_differs_from_libreoffice(value: float, code: str) -> bool:
    """Where LibreOffice is known to differ from Excel: dates before 1 March 1900 (Excel
    counts a 29 February 1900), a time shown to the second (Excel rounds the seconds,
    LibreOffice cuts them), negative elapsed times (Excel: #VALUE!) and elapsed hours past
    LibreOffice's range."""
    dated = any(c in code.lower() for c in "ymd") and "[" not in code
    elapsed = "[" in code and ("h" in code or "m" in code)
    return (
        (dated and value < 61)
        or ("ss" in code and "." not in code)
        or (elapsed and (value < 0 or value > 1e5))
    )


def test_a_grid_of_values_and_formats_equals_libreoffice(tmp_path):
    pairs = [
        (v, f)
        for v, f in itertools.product(VALUES, FORMATS)
        if not _excel_differs_from_libreoffice(v, f)
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    for row, (value, code) in enumerate(pairs, 1):
        sheet.cell(row, 1, value)
        sheet.cell(row, 2, code)
        sheet.cell(row, 3, f"=TEXT(A{row},B{row})")
    book.save(tmp_path / "text.xlsx")
    recalculate(tmp_path / "text.xlsx", tmp_path / "text.out.xlsx")
    assert_valid(tmp_path / "text.out.xlsx")
    ours = openpyxl.load_workbook(tmp_path / "text.out.xlsx", data_only=True)["S"]
    theirs = libreoffice.values(libreoffice.recalculate(tmp_path / "text.xlsx", tmp_path / "lo"))
    differ = [
        (value, code, ours.cell(row, 3).value, theirs.get(("S", f"C{row}")))
        for row, (value, code) in enumerate(pairs, 1)
        if (ours.cell(row, 3).value or "") != (theirs.get(("S", f"C{row}")) or "")
    ]
    assert len(pairs) > 500
    assert differ == [], "\n".join(map(repr, differ))


def test_over_ranges_item_by_item(tmp_path):
    """In an array formula and inside SUMPRODUCT, TEXT formats each item (Excel), not the
    first one or none."""
    from tests.data.recalc.raw_books import cells, raw_book

    rows = {r: f'<c r="A{r}"><v>{r * 1.5}</v></c>' for r in range(1, 4)}
    rows[1] += '<c r="B1"><f t="array" ref="B1:B3">TEXT(A1:A3,"0.00")</f></c>'
    rows[1] += '<c r="C1"><f>SUMPRODUCT(--(TEXT(A1:A3,"0")="3"))</f></c>'
    source = raw_book(tmp_path / "items.xlsx", sheets={"S": cells(rows)})
    recalculate(source, tmp_path / "items.out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "items.out.xlsx", data_only=True)["S"]
    assert [sheet[f"B{r}"].value for r in range(1, 4)] == ["1.50", "3.00", "4.50"]
    assert sheet["C1"].value == 1
