"""The Tracking sheet's grid: every block shares its columns (months, Q1–Q4, year to date,
full year); these helpers write a block's header and a row's sums."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.layout import LABEL_COL, Ref
from xl_funnel.plan.sheets.tracking_plan import month_label
from xl_funnel.plan.styles import MONTH, put_formula, put_header_formula, style_header
from xl_funnel.plan.tracking_layout import GRID_COLUMNS, MONTHS, TrackingLayout

__all__ = ["grid_header", "grid_totals", "month_range"]


def grid_header(sheet: Worksheet, t: TrackingLayout, row: int, title: str, last: str = "") -> None:
    """A block's header: its title, the fiscal months, Q1–Q4, year to date, full year.

    ``last`` renames the last column (``Plan`` where a block compares with the year's plan).
    """
    style_header(sheet.cell(row, LABEL_COL), title)
    for m in range(MONTHS):
        put_header_formula(sheet.cell(row, t.month_col(m)), f"={month_label(m)}", MONTH)
    for col, text in zip((*t.quarter_cols, t.ytd_col, t.year_col), GRID_COLUMNS, strict=True):
        style_header(sheet.cell(row, col), text)
    if last:
        style_header(sheet.cell(row, t.year_col), last)


def month_range(t: TrackingLayout, row: int, first: int = 0, count: int = MONTHS) -> str:
    return Ref(t.sheet, row, t.month_col(first), row, t.month_col(first + count - 1)).ref


def grid_totals(sheet: Worksheet, t: TrackingLayout, row: int, fmt: str) -> None:
    """Quarters, year to date and full year of one row of months (empty until reported)."""
    for q, col in enumerate(t.quarter_cols):
        months = month_range(t, row, 3 * q, 3)
        put_formula(sheet.cell(row, col), f'=IF(COUNT({months})=0,"",SUM({months}))', fmt)
    months = month_range(t, row)
    put_formula(sheet.cell(row, t.ytd_col), f'=IF(COUNT({months})=0,"",SUM({months}))', fmt)
    put_formula(sheet.cell(row, t.year_col), f'=IF(COUNT({months})={MONTHS},SUM({months}),"")', fmt)
