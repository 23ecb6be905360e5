"""Tracking, per channel: budget and volume against plan, cost and ROI by month, budget hints.

Mirrors :func:`xl_funnel.channels.channel_metrics` on the year-to-date sums (cost per lead,
per MQL, CAC, ROI, shares and the efficiency index) and seed 004's budget hint
(:func:`xl_funnel.tracking_diagnosis.reallocation_hint`); the monthly and quarterly grids
apply the same ratios to each month's and quarter's figures, beside the plan's.
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import LABEL_COL, Layout, Ref
from xl_funnel.plan.layout_base import nth
from xl_funnel.plan.sheets.tracking_grid import grid_header, month_range
from xl_funnel.plan.sheets.tracking_plan import channel_budget, channel_volume
from xl_funnel.plan.sheets.tracking_review import year_table
from xl_funnel.plan.styles import (
    BAD_FILL,
    BAD_FONT,
    CURRENCY,
    GOOD_FILL,
    GOOD_FONT,
    MULTIPLE,
    PERCENT,
    VOLUME,
    put_formula,
    style_header,
)
from xl_funnel.plan.tracking_layout import CHANNEL_COLUMNS, MONTHS
from xl_funnel.tracking_diagnosis import IN_LINE, LESS_BUDGET, MORE_BUDGET

__all__ = ["RATIO_GRIDS", "build"]

#: The monthly/quarterly cost and return grids: key, title, numerator and denominator blocks,
#: the Channels sheet's plan column, format. ROI's numerator is revenue − spend.
RATIO_GRIDS = (
    ("cpl", "Cost per lead by channel", "ActualChannelSpend", "ActualChannelVolume", CURRENCY),
    (
        "cost_per_mql",
        "Cost per MQL by channel",
        "ActualChannelSpend",
        "ActualChannelMQLs",
        CURRENCY,
    ),
    ("cac", "CAC by channel", "ActualChannelSpend", "ActualChannelCustomers", CURRENCY),
    ("roi", "ROI by channel", "ActualChannelRevenue", "ActualChannelSpend", PERCENT),
)
#: Plan grids per channel: key, title, the plan formula, the input block whose reported
#: months make the plan to date.
PLAN_GRIDS = (
    ("plan_channel_budget", "Budget by channel (plan)", channel_budget, "ActualChannelSpend"),
    (
        "plan_channel_volume",
        "Entry-stage volume by channel (plan)",
        channel_volume,
        "ActualChannelVolume",
    ),
)


def _at(sheet: Worksheet, row: int, col: int) -> str:
    return sheet.cell(row, col).coordinate


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    t = layout.tracking
    for key, title, plan, inputs in PLAN_GRIDS:
        grid_header(sheet, t, t.headers[key], title, "Year plan")
        style_header(sheet.cell(t.headers[key], t.ytd_col), "Plan of the months reported")
        fmt = CURRENCY if inputs == "ActualChannelSpend" else VOLUME
        for c in range(t.channels):
            row = t.first(key) + c
            put_formula(sheet.cell(row, LABEL_COL), "=" + nth("ChannelNames", t.first(key), row))
            for m in range(MONTHS):
                put_formula(sheet.cell(row, t.month_col(m)), f"={plan(layout, c, m)}", fmt)
            for q, col in enumerate(t.quarter_cols):
                put_formula(sheet.cell(row, col), f"=SUM({month_range(t, row, 3 * q, 3)})", fmt)
            typed = month_range(t, t.input_first[inputs] + c)
            put_formula(
                sheet.cell(row, t.ytd_col),
                f'=IF(COUNT({typed})=0,"",SUMIF({typed},"<>",{month_range(t, row)}))',
                fmt,
            )
            put_formula(sheet.cell(row, t.year_col), f"=SUM({month_range(t, row)})", fmt)
    year_table(
        sheet,
        t,
        "year_channels",
        "Entry-stage volume by channel: the year",
        "ActualChannelVolume",
        "plan_channel_volume",
        "ChannelNames",
    )
    _year_to_date(sheet, layout)
    _ratio_grids(sheet, layout)


def _year_to_date(sheet: Worksheet, layout: Layout) -> None:
    t = layout.tracking
    header = t.headers["channels_ytd"]
    style_header(sheet.cell(header, LABEL_COL), "Channels, year to date")
    for key, text in CHANNEL_COLUMNS:
        style_header(sheet.cell(header, t.col(key)), text)
    first, last = t.first("channels_ytd"), t.first("channels_ytd") + t.channels - 1

    def ytd(block: str, c: int) -> str:
        return _at(sheet, t.input_first[block] + c, t.ytd_col)

    def column(block: str) -> str:  # absolute: every row of the table divides by one total
        first = t.input_first[block]
        return Ref(t.sheet, first, t.ytd_col, first + t.channels - 1, t.ytd_col).abs

    spend_all, won_all = column("ActualChannelSpend"), column("ActualChannelCustomers")
    plan_cols = layout.channels
    for c in range(t.channels):
        row = first + c
        k = {key: _at(sheet, row, t.col(key)) for key, _ in CHANNEL_COLUMNS}
        spend = ytd("ActualChannelSpend", c)
        budget = _at(sheet, t.first("plan_channel_budget") + c, t.ytd_col)

        def per(numerator: str, denominator: str, *, net: bool = False) -> str:
            top = f"({numerator}-{denominator})" if net else numerator
            return (
                f"=IF(AND(ISNUMBER({numerator}),ISNUMBER({denominator}),N({denominator})>0),"
                f'{top}/{denominator},"")'
            )

        index = k["efficiency_index"]
        formulas = {
            "spend": (f'=IF(ISNUMBER({spend}),{spend},"")', CURRENCY),
            "budget_to_date": (f'=IF(ISNUMBER({spend}),{budget},"")', CURRENCY),
            "spend_vs_budget": (per(spend, budget), PERCENT),
            "cpl": (per(spend, ytd("ActualChannelVolume", c)), CURRENCY),
            "cost_per_mql": (per(spend, ytd("ActualChannelMQLs", c)), CURRENCY),
            "cac": (per(spend, ytd("ActualChannelCustomers", c)), CURRENCY),
            "roi": (per(ytd("ActualChannelRevenue", c), spend, net=True), PERCENT),
            "share_of_spend": (
                f'=IF(SUM({spend_all})>0,N({spend})/SUM({spend_all}),"")',
                PERCENT,
            ),
            "share_of_customers": (
                f'=IF(SUM({won_all})>0,N({ytd("ActualChannelCustomers", c)})/SUM({won_all}),"")',
                PERCENT,
            ),
            "efficiency_index": (
                f"=IF(AND(ISNUMBER({k['share_of_spend']}),ISNUMBER({k['share_of_customers']})),"
                f'IF({k["share_of_spend"]}>0,{k["share_of_customers"]}/{k["share_of_spend"]},""),"")',
                MULTIPLE,
            ),
            "hint": (
                f'=IF(ISNUMBER({index}),IF(ROUND({index},9)>1,"{MORE_BUDGET}",'
                f'IF(ROUND({index},9)<1,"{LESS_BUDGET}","{IN_LINE}")),"")',
                None,
            ),
        }
        for key in ("cpl", "cost_per_mql", "cac", "roi"):
            formulas[f"{key}_plan"] = (
                "=" + plan_cols.column(key).cell(c).seen_from(t.sheet),
                PERCENT if key == "roi" else CURRENCY,
            )
        for key, (formula, fmt) in formulas.items():
            put_formula(sheet[k[key]], formula, fmt)
    hints = f"{_at(sheet, first, t.col('hint'))}:{_at(sheet, last, t.col('hint'))}"
    top = _at(sheet, first, t.col("hint"))
    for text, fill, font in (
        (MORE_BUDGET, GOOD_FILL, GOOD_FONT),
        (LESS_BUDGET, BAD_FILL, BAD_FONT),
    ):
        sheet.conditional_formatting.add(
            hints, FormulaRule(formula=[f'{top}="{text}"'], fill=fill, font=font)
        )


def _ratio_grids(sheet: Worksheet, layout: Layout) -> None:
    t = layout.tracking
    for key, title, numerator, denominator, fmt in RATIO_GRIDS:
        grid_header(sheet, t, t.headers[key], title, "Plan")
        net = key == "roi"
        for c in range(t.channels):
            row = t.first(key) + c
            put_formula(sheet.cell(row, LABEL_COL), "=" + nth("ChannelNames", t.first(key), row))
            for col in (*(t.month_col(m) for m in range(MONTHS)), *t.quarter_cols, t.ytd_col):
                top = _at(sheet, t.input_first[numerator] + c, col)
                bottom = _at(sheet, t.input_first[denominator] + c, col)
                value = f"({top}-{bottom})" if net else top
                put_formula(
                    sheet.cell(row, col),
                    f"=IF(AND(ISNUMBER({top}),ISNUMBER({bottom}),N({bottom})>0),"
                    f'{value}/{bottom},"")',
                    fmt,
                )
            put_formula(
                sheet.cell(row, t.year_col),
                "=" + layout.channels.column(key).cell(c).seen_from(t.sheet),
                fmt,
            )
