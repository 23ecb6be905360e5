"""The plan workbook's look: one input style, one formula style, and the number formats.

Inputs are blue text on pale yellow with a thin border (the convention financial models use),
formulas black on white, so a planner sees at a glance where to type.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "CURRENCY",
    "DATE",
    "MONTH",
    "MULTIPLE",
    "PERCENT",
    "THOUSANDS",
    "VOLUME",
    "WHOLE",
    "put_formula",
    "put_input",
    "put_text",
    "set_widths",
    "style_header",
    "style_subtitle",
    "style_title",
]

#: Number formats a planner expects.
CURRENCY = '"$"#,##0'
THOUSANDS = "#,##0"
WHOLE = "#,##0"
VOLUME = "#,##0.00"
#: Counts of people and things typed in: whole numbers.
COUNT = "#,##0"
CURRENCY_CENTS = '"$"#,##0.00'
PERCENT = "0.0%"
FINE_PERCENT = "0.000%"
MULTIPLE = '0.00"×"'
DATE = "yyyy-mm-dd"
MONTH = "mmm yyyy"

NAVY = "1F3864"
#: Points: two lines of an 11-point header.
HEADER_ROW_HEIGHT = 30
RIGHT = Alignment(horizontal="right")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_FONT = Font(name="Calibri", size=11, color="1F4E9A")
INPUT_BORDER = Border(*(Side(style="thin", color="BFBFBF"),) * 4)
#: Name of the input cell style in the workbook's style gallery.
INPUT_STYLE = "Plan input"
TOTAL_FONT = Font(name="Calibri", size=11, bold=True)
TOTAL_BORDER = Border(top=Side(style="thin", color="000000"))
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
HEADER_FONT = Font(name="Calibri", size=11, bold=True, color="FFFFFF")
GROUP_FONT = Font(name="Calibri", size=12, bold=True, color=NAVY)
TITLE_FONT = Font(name="Calibri", size=16, bold=True, color=NAVY)
SUBTITLE_FONT = Font(name="Calibri", size=10, italic=True, color="595959")
NOTE_FONT = Font(name="Calibri", size=10, color="595959")
KPI_FONT = Font(name="Calibri", size=18, bold=True, color=NAVY)
KPI_LABEL_FONT = Font(name="Calibri", size=10, bold=True, color="595959")
KPI_FILL = PatternFill("solid", fgColor="DEEAF6")
GOOD_FILL = PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE")
GOOD_FONT = Font(color="006100")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center")


def put_text(cell: Cell, text: str) -> Cell:
    """Write `text` as a string, never as a formula, even when it starts with ``=``.

    Free text from a configuration (a company named ``=cmd|' /C calc'!A0``) would otherwise
    become a formula; the cell type ``s`` stores it as a shared string and the quote prefix
    keeps Excel from re-reading it as a formula when the cell is edited.
    """
    cell.value = text
    cell.data_type = "s"
    if text[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True
    return cell


def input_style() -> NamedStyle:
    """The one input style, registered in each workbook (Excel lists it under Cell Styles)."""
    return NamedStyle(name=INPUT_STYLE, font=INPUT_FONT, fill=INPUT_FILL, border=INPUT_BORDER)


def put_input(cell: Cell, value: Any, number_format: str | None = None) -> Cell:
    """An input cell in the one input style (registered with :func:`input_style`)."""
    cell.style = INPUT_STYLE  # first: a named style resets the quote prefix put_text sets
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value
    if number_format:
        cell.number_format = number_format
    return cell


def put_formula(cell: Cell, formula: str, number_format: str | None = None) -> Cell:
    """A computed cell (black on white, the workbook's default font): `formula` starts with =."""
    cell.value = formula
    if number_format:
        cell.number_format = number_format
    return cell


def style_header(cell: Cell, text: str) -> Cell:
    """A table header: white on navy, wrapped into a row tall enough for two lines."""
    put_text(cell, text)
    cell.fill = HEADER_FILL
    cell.font = HEADER_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.parent.row_dimensions[cell.row].height = HEADER_ROW_HEIGHT
    return cell


def title_formula(what: str) -> str:
    """A sheet title that follows the company name and fiscal year typed on Assumptions."""
    return f'=CompanyName&" · {what} · FY"&YEAR(FiscalYearStart)'


def put_title(cell: Cell, formula: str) -> Cell:
    """A sheet title computed by `formula` (it follows the company name)."""
    cell.value = formula
    cell.font = TITLE_FONT
    return cell


def put_header_formula(cell: Cell, formula: str, number_format: str) -> Cell:
    """A header cell whose text is computed (month labels, stage names)."""
    cell.value = formula
    cell.fill = HEADER_FILL
    cell.font = HEADER_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center")
    cell.number_format = number_format
    return cell


def style_title(cell: Cell, text: str) -> Cell:
    put_text(cell, text)
    cell.font = TITLE_FONT
    return cell


def style_subtitle(cell: Cell, text: str) -> Cell:
    put_text(cell, text)
    cell.font = SUBTITLE_FONT
    return cell


def style_group(cell: Cell, text: str) -> Cell:
    put_text(cell, text)
    cell.font = GROUP_FONT
    return cell


def set_widths(sheet: Worksheet, widths: dict[str, float]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width


def print_setup(sheet: Worksheet, *, landscape: bool = True, title_rows: str | None = None) -> None:
    """Fit to one page wide, as tall as needed; repeat header rows on every page."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    if title_rows:
        sheet.print_title_rows = title_rows
