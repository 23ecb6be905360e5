"""The Funnel sheet's calendar rows and its revenue bridge block.

The customer rows the schedule stands on (the starting pipeline's customers, the customers to
win from new pipeline, next year's run-rate: ``rolling.pipeline_customers``,
``net_customers``), what each stage must generate each fiscal month (``MonthlyVolumes``,
``rolling.whole_months`` in whole units) and the revenue bridge and sales block
(``revenue_bridge``).
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import FUNNEL, LABEL_COL, Layout, Ref
from xl_funnel.plan.layout_plan import BRIDGE_ROWS
from xl_funnel.plan.sheets.formulas import ceil_whole_formula
from xl_funnel.plan.styles import (
    BAD_FILL,
    BAD_FONT,
    CURRENCY,
    MONTH,
    NOTE_FONT,
    PERCENT,
    RIGHT,
    TOTAL_FONT,
    VOLUME,
    WHOLE,
    put_formula,
    put_header_formula,
    put_text,
    style_header,
)

__all__ = ["bridge_block", "calendar_rows", "generated", "month_label"]


def month_label(sheet: Worksheet, cell: Ref, offset: int) -> None:
    put_header_formula(
        sheet[cell.ref],
        f"=DATE(YEAR(FiscalYearStart),MONTH(FiscalYearStart)+{offset},1)",
        MONTH,
    )


def generated(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    """``MonthlyVolumes``: the grid's fiscal months, in whole units when ``WholeUnits``.

    Whole units are ``rolling.whole_months``: the running total rounded up with the core's
    rule, month minus the month before, so no month-end falls behind the exact plan.
    """
    f = layout.funnel
    lead = f.lead_months
    targets = WHOLE if config.whole_units else VOLUME
    style_header(sheet.cell(f.month_header, LABEL_COL), "Stage must generate / month")
    for t, cell in enumerate(f.month_labels.cells()):
        month_label(sheet, cell, t)
    for i in range(len(config.stage_names)):
        label = put_formula(sheet[f.month_stage_labels.cell(i).ref], f"=INDEX(StageNames,{i + 1})")
        label.font = TOTAL_FONT
        start = f.grid.cell(i, lead)
        for t in range(12):
            exact = f.grid.cell(i, lead + t).ref
            to_now = Ref(sheet.title, start.row, start.col, None, start.col + t)
            whole = ceil_whole_formula(f"SUM({to_now.ref})")
            if t:
                before = Ref(sheet.title, start.row, start.col, None, start.col + t - 1)
                whole += "-" + ceil_whole_formula(f"SUM({before.ref})")
            cell = f.monthly.cell(i, t)
            put_formula(sheet[cell.ref], f"=IF(WholeUnits,{whole},{exact})", targets)


def calendar_rows(sheet: Worksheet, layout: Layout) -> None:
    """The starting pipeline's customers, the customers won from new pipeline (net of it,
    a running maximum as ``rolling.net_customers``) and next year's run-rate."""
    f = layout.funnel
    labels = (
        (f.pipeline_row, "Customers the starting pipeline closes"),
        (f.won_row, "Won from new pipeline, running total"),
        (f.net_row, "Customers to win from new pipeline"),
    )
    for ref, text in labels:
        put_text(sheet.cell(ref.row, LABEL_COL), text).font = NOTE_FONT
    sheet.cell(f.net_row.row, LABEL_COL).font = TOTAL_FONT
    for t in range(12):
        delivered, won, net = (r.cell(0, t) for r in (f.pipeline_row, f.won_row, f.net_row))
        column = f"INDEX(StartingPipeline,0,{t + 1})"
        top = f.to_customer.cell(0).abs
        to_customer = f"{top}:{f.to_customer.cell(f.to_customer.rows - 2).abs}"
        put_formula(
            sheet[delivered.ref], f"=SUMPRODUCT({column},{to_customer})", VOLUME
        ).font = NOTE_FONT
        goal_so_far = Ref(
            sheet.title, f.funnel_row.row, f.funnel_row.col, None, f.funnel_row.col + t
        )
        pipe_so_far = Ref(
            sheet.title, f.pipeline_row.row, f.pipeline_row.col, None, f.pipeline_row.col + t
        )
        short = f"SUM({goal_so_far.ref})-SUM({pipe_so_far.ref})"
        before = f.won_row.cell(0, t - 1).ref if t else "0"
        put_formula(sheet[won.ref], f"=MAX({before},{short},0)", VOLUME).font = NOTE_FONT
        put_formula(sheet[net.ref], f"={won.ref}-{before}", VOLUME)
    if f.next_row is not None:
        put_text(
            sheet.cell(f.next_row.row, LABEL_COL), "Next year's customers (run-rate)"
        ).font = NOTE_FONT
        for j, cell in enumerate(f.next_row.cells()):
            this_year = f.funnel_row.cell(0, j % 12).ref
            put_formula(
                sheet[cell.ref], f"={this_year}*(1+{f.next_year_growth.abs})", VOLUME
            ).font = NOTE_FONT


def bridge_block(sheet: Worksheet, layout: Layout) -> None:
    """Revenue bridge and sales: what stays, the pipeline each quarter needs, capacity, CAC
    (``revenue_bridge.new_logo_goal``, ``pipeline_needed``, ``acquisition_cost``)."""
    f = layout.funnel
    b = f.bridge
    win = f.stage_rates.cell(f.stage_rates.rows - 1).abs
    shares = f.season_share_row
    quarter = [
        f"SUM({Ref(FUNNEL, shares.row, shares.col + 3 * q, None, shares.col + 3 * q + 2).ref})"
        for q in range(4)
    ]
    capacity = b["capacity"].ref
    over = (
        f'"Over capacity: the new-revenue goal is "&FIXED(NewRevenueGoal/{capacity}*100,0)'
        '&" % of what the reps can close"'
    )
    formulas = {
        "retained": (
            '=IF(ISNUMBER(StartingARR),StartingARR*(1-N(GrossChurn)+N(Expansion)),"")',
            CURRENCY,
        ),
        "win_rate": (f"={win}", PERCENT),
        "capacity": (
            '=IF(AND(ISNUMBER(RampedReps),ISNUMBER(RepQuota)),RampedReps*RepQuota,"")',
            CURRENCY,
        ),
        "capacity_check": (
            f"=IF(ISNUMBER({b['capacity'].ref}),IF(NewRevenueGoal>{b['capacity'].ref},{over},"
            '"Within sales capacity"),"")',
            None,
        ),
        "marketing_cac": ('=IF(CustomersNeeded>0,BudgetNeeded/CustomersNeeded,"n/a")', CURRENCY),
        "loaded_cac": (
            "=IF(AND(ISNUMBER(SalesCost),CustomersNeeded>0),"
            '(BudgetNeeded+SalesCost)/CustomersNeeded,"")',
            CURRENCY,
        ),
    }
    for key, label in BRIDGE_ROWS:
        put_text(sheet.cell(b[key].row, LABEL_COL), label)
        if key in formulas:
            formula, number_format = formulas[key]
            put_formula(sheet[b[key].ref], formula, number_format).alignment = RIGHT
    for q in range(4):
        needed = f"NewRevenueGoal*{quarter[q]}"
        put_formula(
            sheet[b["pipeline_needed"].cell(0, q).ref], f"={needed}/{b['win_rate'].ref}", CURRENCY
        )
        put_formula(sheet[b["coverage"].cell(0, q).ref], f"=PipelineCoverage*{needed}", CURRENCY)
    # Red only when over: "Within sales capacity" is good news.
    over_capacity = f"AND(ISNUMBER({b['capacity'].abs}),NewRevenueGoal>{b['capacity'].abs})"
    sheet.conditional_formatting.add(
        b["capacity_check"].ref,
        FormulaRule(formula=[over_capacity], fill=BAD_FILL, font=BAD_FONT),
    )
    for ref in (b["retained"], b["win_rate"]):
        sheet.cell(ref.row, LABEL_COL).font = NOTE_FONT
