"""``workbooks/udf_examples.xlsx``: every Excel function at work, with its expected result.

One sheet per function (named like it), one block per registry example and bad example: the
inputs in cells, the formula, the result the core computes (an error value for bad input)
written beside it as "Expected", and a check cell per result row. Cell B3 of each sheet
(and the Index sheet's column C) is TRUE when every check on the sheet holds; the headless
engine recalculates the workbook and asserts them.

Formulas for functions that return several cells are written as array (CSE) formulas over
exactly the result range. openpyxl cannot write the dynamic-array metadata (``cm`` attribute
and ``metadata.xml``) that makes a formula *from a file* spill in Excel 365: without it Excel
shows ``=@FUNNEL_BACKSOLVE(...)`` and one value. An array formula over the known range shows
every value in every Excel version and in the headless engine alike. Typed by hand
in Excel 365, the plain formula spills as usual.

Regenerate with ``python -m xl_funnel.excel.examples_workbook``; the bytes are deterministic
(fixed document and zip timestamps), so the committed file changes only with its content.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from xl_funnel.atomic import atomic_write_bytes
from xl_funnel.excel.errors import EXCEL_ERRORS
from xl_funnel.excel.registry import FUNCTIONS
from xl_funnel.excel.spec import Example, ExcelFunction

__all__ = ["DEFAULT_PATH", "build_workbook", "main", "workbook_bytes"]

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "workbooks" / "udf_examples.xlsx"
#: Document and zip-entry timestamp of every generated file.
FIXED_TIME = dt.datetime(2026, 1, 1)
#: Relative tolerance of the check cells (results are floats computed two ways).
TOLERANCE = "1E-9"
#: Excel's ERROR.TYPE codes, for checking an expected error value.
_ERROR_TYPE = {"#NULL!": 1, "#DIV/0!": 2, "#VALUE!": 3, "#REF!": 4, "#NAME?": 5, "#NUM!": 6}
_ERROR_TYPE["#N/A"] = 7

#: Arguments holding fractions a planner reads as percentages (besides any "…rate…" name).
_PERCENT_ARGS = frozenset({"growth_or_uplift", "buffer", "uplift", "growth"})

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_FIRST_BLOCK_ROW = 5
_INPUT_COLUMN = 2  # inputs and results start in column B; column A holds the labels


@dataclass(frozen=True)
class _Block:
    """Where a 2-D block of values sits: top-left row and column, height and width."""

    row: int
    column: int
    height: int
    width: int

    @property
    def ref(self) -> str:
        top_left = f"{get_column_letter(self.column)}{self.row}"
        if self.height == 1 and self.width == 1:
            return top_left
        bottom = f"{get_column_letter(self.column + self.width - 1)}{self.row + self.height - 1}"
        return f"{top_left}:{bottom}"

    def cell(self, r: int, c: int) -> str:
        return f"{get_column_letter(self.column + c)}{self.row + r}"


def _rows(value: Any) -> list[list[Any]]:
    if isinstance(value, list):
        return value if value and isinstance(value[0], list) else [value]
    return [[value]]


def _number_format(value: Any, percent: bool) -> str | None:
    """How a planner reads the number: rates as percentages, money and volumes with
    thousands separators; ``None`` keeps Excel's General format."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if percent and abs(value) <= 1:
        return "0.0%"
    if abs(value) >= 1000:
        return "#,##0" if float(value).is_integer() else "#,##0.00"
    return None


def _is_percent(arg_name: str) -> bool:
    return "rate" in arg_name or arg_name in _PERCENT_ARGS


def _write_values(
    sheet: Worksheet, row: int, column: int, rows: list[list[Any]], percent: bool = False
) -> _Block:
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = sheet.cell(row=row + r, column=column + c, value=value)
            number_format = _number_format(value, percent)
            if number_format:
                cell.number_format = number_format
    return _Block(row, column, len(rows), len(rows[0]))


def _check(result: str, expected: str, value: Any) -> str:
    """A formula that is TRUE when the result cell matches the expected value.

    Each check also tests the result's type, so a blank result cell (which Excel reads as 0)
    can never pass for an expected 0.
    """
    if isinstance(value, str) and value in EXCEL_ERRORS:
        return f"IFERROR(ERROR.TYPE({result}),0)={_ERROR_TYPE[value]}"
    if isinstance(value, str):
        return f"IFERROR(AND(ISTEXT({result}),EXACT({result},{expected})),FALSE)"
    return (
        f"IFERROR(AND(ISNUMBER({result}),"
        f"ABS({result}-{expected})<={TOLERANCE}*MAX(1,ABS({expected}))),FALSE)"
    )


def _example_block(
    sheet: Worksheet, spec: ExcelFunction, label: str, example: Example, row: int
) -> tuple[int, list[str]]:
    """Write one example from ``row``; return the next free row and its check-cell refs."""
    sheet.cell(row=row, column=1, value=label).font = _BOLD
    sheet.cell(row=row, column=2, value=example.description)
    row += 1
    refs: list[str] = []
    for arg, value in zip(spec.args, example.args, strict=False):
        if value is None:
            refs.append("")
            continue
        sheet.cell(row=row, column=1, value=arg.name)
        block = _write_values(sheet, row, _INPUT_COLUMN, _rows(value), _is_percent(arg.name))
        refs.append(block.ref)
        row += block.height
    formula = f"={spec.name}({','.join(refs).rstrip(',')})"
    sheet.cell(row=row, column=1, value="Formula")
    text = sheet.cell(row=row, column=2, value=formula)
    text.data_type = "s"  # shown as text; the live formula is in the result cells below
    text.quotePrefix = True
    row += 1

    expected_rows = _rows(spec(*example.args))
    height, width = len(expected_rows), len(expected_rows[0])
    result = _Block(row + 1, _INPUT_COLUMN, height, width)
    expected = _Block(row + 1, _INPUT_COLUMN + width + 1, height, width)
    checks_column = expected.column + width + 1
    for column, label in (
        (result.column, "Result"),
        (expected.column, "Expected"),
        (checks_column, "Check"),
    ):
        sheet.cell(row=row, column=column, value=label).font = _BOLD
    if height == 1 and width == 1:
        sheet[result.ref] = formula
    else:
        sheet[result.cell(0, 0)] = ArrayFormula(result.ref, formula)
    _write_values(sheet, expected.row, expected.column, expected_rows)
    for r, values in enumerate(expected_rows):
        for c, value in enumerate(values):
            number_format = _number_format(value, percent=False)
            if number_format:
                sheet[result.cell(r, c)].number_format = number_format
    checks = []
    for r, values in enumerate(expected_rows):
        conditions = [
            _check(result.cell(r, c), expected.cell(r, c), value) for c, value in enumerate(values)
        ]
        check = conditions[0] if len(conditions) == 1 else f"AND({','.join(conditions)})"
        sheet.cell(row=result.row + r, column=checks_column, value=f"={check}")
        checks.append(f"{get_column_letter(checks_column)}{result.row + r}")
    return result.row + height + 1, checks


def _function_sheet(workbook: Workbook, spec: ExcelFunction) -> None:
    sheet = workbook.create_sheet(spec.name)
    sheet["A1"] = spec.signature()
    sheet["A1"].font = _TITLE
    sheet["A2"] = spec.summary
    sheet["A3"] = "All checks"
    sheet["A3"].font = _BOLD
    row, checks = _FIRST_BLOCK_ROW, []
    labelled = [(f"Example {n}", example) for n, example in enumerate(spec.examples, start=1)]
    labelled += [(f"Bad input {n}", bad) for n, bad in enumerate(spec.bad_examples, start=1)]
    for label, example in labelled:
        row, block_checks = _example_block(sheet, spec, label, example, row)
        checks.extend(block_checks)
    sheet["B3"] = f"=AND({','.join(checks)})"
    sheet.column_dimensions["A"].width = 18
    for column in range(2, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14


def build_workbook() -> Workbook:
    """The examples workbook: an Index sheet, then one sheet per registered function."""
    workbook = Workbook()
    index = workbook.active
    index.title = "Index"
    index["A1"] = "xl-funnel Excel functions: examples and checks"
    index["A1"].font = _TITLE
    index["A2"] = (
        "Each sheet computes its function's examples and compares them with the results "
        "xl-funnel's core computed when this file was generated."
    )
    for column, label in enumerate(("Function", "Summary", "All checks"), start=1):
        index.cell(row=4, column=column, value=label).font = _BOLD
    for row, spec in enumerate(FUNCTIONS, start=5):
        index.cell(row=row, column=1, value=spec.name)
        index.cell(row=row, column=2, value=spec.summary)
        index.cell(row=row, column=3, value=f"='{spec.name}'!B3")
        _function_sheet(workbook, spec)
    index.column_dimensions["A"].width = 20
    index.column_dimensions["B"].width = 90
    workbook.properties.creator = "xl-funnel"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    return workbook


def workbook_bytes() -> bytes:
    """The examples workbook as deterministic .xlsx bytes (fixed document and zip times)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter, not Workbook.save: save() stamps the current time as "modified".
        ExcelWriter(build_workbook(), archive).save()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    """``python -m xl_funnel.excel.examples_workbook [PATH]``: (re)write the workbook."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    atomic_write_bytes(parser.parse_args(argv).path, workbook_bytes())


if __name__ == "__main__":
    main()
