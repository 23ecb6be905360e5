"""Channel KPIs: per channel type, the counts a marketer types and the rates seed 004 names.

Built in one loop from :data:`xl_funnel.kpis.CHANNEL_KINDS`: a header per type, a
yellow input per count (whole numbers, spend in money; never negative), then each metric as
``numerator / denominator`` (empty until both are typed). A metric with a threshold in the
seeds shows its aim, a status (``Good`` / ``Below aim``, as :func:`~xl_funnel.kpis.
kpi_status`) and the source, and is coloured by conditional formats on both.
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.kpis import CHANNEL_KINDS, GOOD, THRESHOLDS, WATCH
from xl_funnel.plan.annotate import comment, validate
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.kpi_layout import KPI_COLUMNS, kpi_layout
from xl_funnel.plan.layout import LABEL_COL, SUBTITLE_ROW, TITLE_ROW, VALUE_COL, Layout
from xl_funnel.plan.styles import (
    BAD_FILL,
    BAD_FONT,
    CURRENCY,
    CURRENCY_CENTS,
    GOOD_FILL,
    GOOD_FONT,
    NOTE_FONT,
    PERCENT,
    WHOLE,
    put_formula,
    put_input,
    put_text,
    put_title,
    set_widths,
    style_header,
    style_subtitle,
    title_formula,
)
from xl_funnel.plan.styles import print_setup as setup_print

__all__ = ["build"]

FORMATS = {"percent": PERCENT, "money": CURRENCY_CENTS}


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    k = kpi_layout()
    put_title(sheet.cell(TITLE_ROW, LABEL_COL), title_formula("Channel KPIs"))
    style_subtitle(
        sheet.cell(SUBTITLE_ROW, LABEL_COL),
        "Type each channel's counts (a campaign, a month) in the yellow cells; the rates follow, "
        "coloured where seed 004 sets an aim.",
    )
    whole, money = [], []
    for key, kind in CHANNEL_KINDS.items():
        header = k.headers[key]
        style_header(sheet.cell(header, LABEL_COL), kind.label)
        for col_key, text in KPI_COLUMNS:
            style_header(sheet.cell(header, k.col(col_key)), text)
        for name, label in kind.counts:
            ref = k.counts[key][name]
            put_text(sheet.cell(ref.row, LABEL_COL), label)
            put_input(sheet[ref.ref], None, CURRENCY if name == "spend" else WHOLE)
            (money if name == "spend" else whole).append(ref)
        first = k.counts[key][kind.counts[0][0]]
        comment(sheet, first, f"Type the {kind.label.lower()} counts; leave blank what you lack.")
        for metric in kind.metrics:
            ref = k.metrics[key][metric.name]
            top = k.counts[key][metric.numerator].ref
            bottom = k.counts[key][metric.denominator].ref
            put_text(sheet.cell(ref.row, LABEL_COL), metric.label)
            put_formula(
                sheet[ref.ref],
                f'=IF(AND(ISNUMBER({top}),ISNUMBER({bottom}),N({bottom})>0),{top}/{bottom},"")',
                FORMATS[metric.unit],
            )
            threshold = THRESHOLDS.get((key, metric.name))
            if threshold is None:
                continue
            aim = sheet.cell(ref.row, k.col("aim"))
            aim.value, aim.number_format = threshold.aim, PERCENT
            status = sheet.cell(ref.row, k.col("status"))
            put_formula(
                status,
                f'=IF(ISNUMBER({ref.ref}),IF({ref.ref}>={aim.coordinate},"{GOOD}","{WATCH}"),"")',
            )
            put_text(sheet.cell(ref.row, k.col("note")), threshold.source).font = NOTE_FONT
            _colour(sheet, ref.ref, aim.coordinate, status.coordinate)
    validate(sheet, whole, "whole", "Count")
    validate(sheet, money, "amount", "Spend")
    widths = {"A": 2, get_column_letter(LABEL_COL): 28}
    for key, _ in KPI_COLUMNS:
        widths[get_column_letter(k.col(key))] = 14
    widths[get_column_letter(k.col("note"))] = 80
    set_widths(sheet, widths)
    sheet.freeze_panes = sheet.cell(SUBTITLE_ROW + 1, VALUE_COL).coordinate
    setup_print(sheet, landscape=False)


def _absolute(ref: str) -> str:
    column = ref.rstrip("0123456789")
    return f"${column}${ref[len(column) :]}"


def _colour(sheet: Worksheet, value: str, aim: str, status: str) -> None:
    """Green at the aim or above, red below: on the value and on its status."""
    for test, fill, font in ((">=", GOOD_FILL, GOOD_FONT), ("<", BAD_FILL, BAD_FONT)):
        rule = FormulaRule(
            formula=[f"AND(ISNUMBER({value}),{value}{test}{aim})"], fill=fill, font=font
        )
        sheet.conditional_formatting.add(f"{value} {status}", rule)
