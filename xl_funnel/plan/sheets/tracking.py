"""Tracking: the monthly actuals by stage and by channel (contract B), summed by quarter.

Every input block is described once, as data (:data:`~xl_funnel.plan.tracking_layout.
TRACKING_INPUTS`), and built by one loop: a header of month labels, one row of yellow input
cells per stage or channel, validated (whole counts or amounts, never negative), then the
quarters, the year to date and the full year computed from the months, never typed twice.
A blank month is "not reported yet": a quarter with no month reported stays empty rather than
showing a misleading 0, and the full year appears only once all twelve months are in.

The comparisons with the plan, the catch-up and the channel review below the inputs are built
by :mod:`xl_funnel.plan.sheets.tracking_review` and
:mod:`xl_funnel.plan.sheets.tracking_channels`.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.annotate import comment, validate
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import LABEL_COL, SUBTITLE_ROW, TITLE_ROW, Layout
from xl_funnel.plan.layout_base import nth
from xl_funnel.plan.sheets import tracking_channels, tracking_review
from xl_funnel.plan.sheets.tracking_grid import grid_header, grid_totals
from xl_funnel.plan.styles import (
    CURRENCY,
    WHOLE,
    put_formula,
    put_input,
    put_title,
    set_widths,
    style_subtitle,
    title_formula,
)
from xl_funnel.plan.styles import print_setup as setup_print
from xl_funnel.plan.tracking_layout import MONTHS, TRACKING_INPUTS, TrackingLayout

__all__ = ["PAGE_STARTS", "build"]

FORMATS = {"count": WHOLE, "money": CURRENCY}
#: Column widths: the label column, then every grid column.
LABEL_WIDTH = 36
#: Tables whose headers need three lines, and that height in points.
TALL_HEADERS = ("year_stages", "rates", "summary", "year_channels", "channels_ytd")
TALL_HEADER_HEIGHT = 60
GRID_WIDTH = 10
FIRST_GRID_WIDTH = 13


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    t = layout.tracking
    put_title(sheet.cell(TITLE_ROW, LABEL_COL), title_formula("Tracking"))
    style_subtitle(
        sheet.cell(SUBTITLE_ROW, LABEL_COL),
        "Type each month's actuals in the yellow cells as the year goes (leave months not "
        "reported yet empty); quarters, year to date and the comparison with the plan follow.",
    )
    for block in TRACKING_INPUTS:
        inputs = t.inputs(block.name)
        grid_header(sheet, t, t.input_headers[block.name], block.title)
        fmt = FORMATS[block.unit]
        for i in range(inputs.rows):
            row = inputs.row + i
            names = "StageNames" if block.rows == "stages" else "ChannelNames"
            put_formula(sheet.cell(row, LABEL_COL), "=" + nth(names, inputs.row, row))
            for m in range(MONTHS):
                put_input(sheet.cell(row, t.month_col(m)), None, fmt)
            grid_totals(sheet, t, row, fmt)
        validate(sheet, [inputs], block.kind, block.title)
        comment(sheet, inputs.cell(0, 0), block.help)

    tracking_review.build(sheet, config, layout)
    tracking_channels.build(sheet, config, layout)
    # The tables' headers are sentences ("Projected year end (rates so far)"): three lines.
    for key in TALL_HEADERS:
        sheet.row_dimensions[t.headers[key]].height = TALL_HEADER_HEIGHT

    widths = {"A": 2, get_column_letter(LABEL_COL): LABEL_WIDTH}
    for col in range(t.first_month_col, t.last_col + 1):
        widths[get_column_letter(col)] = GRID_WIDTH
    # The first grid column also holds the summary's money (a $2,200,000 shortfall).
    widths[get_column_letter(t.first_month_col)] = FIRST_GRID_WIDTH
    set_widths(sheet, widths)
    first = t.input_headers[TRACKING_INPUTS[0].name]
    sheet.freeze_panes = sheet.cell(first + 1, t.first_month_col).coordinate
    _print_in_blocks(sheet, t)


#: Computed blocks that start a new printed page (the inputs print together first).
PAGE_STARTS = ("plan_stages", "year_stages", "plan_channel_budget", "channels_ytd")


def _print_in_blocks(sheet: Worksheet, t: TrackingLayout) -> None:
    """Landscape, one page wide; a page per group of blocks, the labels on every page."""
    setup_print(sheet)
    sheet.print_title_cols = f"A:{get_column_letter(LABEL_COL)}"
    for key in PAGE_STARTS:
        sheet.row_breaks.append(Break(id=t.headers[key] - 1))
