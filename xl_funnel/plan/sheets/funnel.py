"""Funnel: from the revenue target to the volume every stage needs, by year, quarter and month.

Every figure is a native formula on the Assumptions names, written to mirror the core
(`xl_funnel.revenue`, `xl_funnel.funnel.backsolve`, `xl_funnel.seasonality`,
`xl_funnel.flywheel.flywheel_backsolve`, `xl_funnel.scheduling.schedule_volumes`) operation by
operation, so LibreOffice's results equal the core's to rounding noise. Like ``backsolve``,
each stage's year volume is the stage below divided by its own rate, one division per stage
(seed 000: exactly 6,250 visits, where one division by the product of the rates gives
6,249.999999999998). Customers are rounded up with the core's rule, ``ceil(max(x − 1e-9, 0))``.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import (
    LABEL_COL,
    SUBTITLE_ROW,
    TITLE_ROW,
    VALUE_COL,
    Layout,
    Ref,
)
from xl_funnel.plan.sheets.formulas import ceil_whole_formula, lag_formulas, stage_position
from xl_funnel.plan.sheets.funnel_calendar import (
    bridge_block,
    calendar_rows,
    generated,
    month_label,
)
from xl_funnel.plan.styles import (
    BAD_FONT,
    CURRENCY,
    FINE_PERCENT,
    NOTE_FONT,
    PERCENT,
    TOTAL_FONT,
    VOLUME,
    WHOLE,
    put_formula,
    put_text,
    put_title,
    set_widths,
    style_header,
    style_subtitle,
    title_formula,
)
from xl_funnel.plan.styles import print_setup as setup_print

__all__ = ["build", "ceil_whole_formula", "lag_formulas", "stage_position"]


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    f = layout.funnel
    put_title(sheet.cell(TITLE_ROW, LABEL_COL), title_formula("Funnel plan"))
    style_subtitle(
        sheet.cell(SUBTITLE_ROW, LABEL_COL),
        "Revenue target → customers → what referrals bring → every stage above the rest, for "
        "the year, by quarter and by month. All formulas: change Assumptions, not this sheet.",
    )
    _headline(sheet, layout)
    bridge_block(sheet, layout)
    _stage_table(sheet, config, layout)
    _schedule_grid(sheet, config, layout)
    _flywheel_rows(sheet, layout)
    calendar_rows(sheet, layout)
    generated(sheet, config, layout)

    widths = {"A": 2, "B": 38}
    for col in range(VALUE_COL, max(f.grid.last_col, f.lag_months.col) + 1):
        widths[get_column_letter(col)] = 13
    set_widths(sheet, widths)
    sheet.freeze_panes = sheet.cell(SUBTITLE_ROW + 1, VALUE_COL).coordinate
    setup_print(sheet, title_rows=f"{TITLE_ROW}:{SUBTITLE_ROW}")


def _headline(sheet: Worksheet, layout: Layout) -> None:
    f = layout.funnel
    stages = f.stage_labels.rows
    last = "INDEX(RevenueHistory,COLUMNS(RevenueHistory))"
    headline = (
        (
            f.target_revenue,
            "Target revenue",
            f"={last}*(HistoricalGrowth+GrowthUplift)+{last}",
            CURRENCY,
        ),
        (
            f.new_revenue_goal,
            "New revenue goal",
            "=IF(ISNUMBER(NewRevenueGoalOverride),NewRevenueGoalOverride,"
            "IF(ISNUMBER(StartingARR),"
            "MAX(TargetRevenue-StartingARR*(1-N(GrossChurn)+N(Expansion)),0),"
            "TargetRevenue*NewRevenueShare))",
            CURRENCY,
        ),
        (f.customers_exact, "Customers (exact)", "=NewRevenueGoal/AvgDealSize", VOLUME),
        (
            f.customers_needed,
            "Customers needed (whole)",
            "=" + ceil_whole_formula(f.customers_exact.ref),
            WHOLE,
        ),
        (
            f.referral_close,
            "Referral close rate used",
            "=IF(ISNUMBER(ReferralCloseRate),ReferralCloseRate,"
            f"INDEX({f.to_customer.abs},{stage_position('ReferralEntryStage', stages)}))",
            FINE_PERCENT,
        ),
        (
            f.referral_yield,
            "Referral customers per customer per month",
            f"=N(ReferralsPerCustomer)*{f.referral_close.ref}",
            "0.00000",
        ),
        (
            f.referral_customers,
            "Customers from referrals (flywheel)",
            f"=SUM({f.referral_row.ref})",
            VOLUME,
        ),
        (
            f.funnel_customers,
            "Customers the funnel must bring",
            f"=SUM({f.funnel_row.ref})",
            VOLUME,
        ),
        (
            f.pipeline_customers,
            "Customers the starting pipeline brings",
            f"=SUM({f.pipeline_row.ref})",
            VOLUME,
        ),
        (
            f.new_pipeline_customers,
            "Customers to win from new pipeline",
            f"=SUM({f.net_row.ref})",
            VOLUME,
        ),
        (
            f.next_year_growth,
            "Next year's growth used",
            "=IF(ISNUMBER(NextYearGrowth),NextYearGrowth,HistoricalGrowth+GrowthUplift)",
            PERCENT,
        ),
        (f.lag_reach, "Months the lags reach back", f"=SUM({f.lag_months.ref})", "0"),
    )
    for ref, label, formula, number_format in headline:
        put_text(sheet.cell(ref.row, LABEL_COL), label)
        put_formula(sheet[ref.ref], formula, number_format)
    for ref in (f.target_revenue, f.new_revenue_goal, f.customers_needed, f.funnel_customers):
        sheet[ref.ref].font = TOTAL_FONT
    for ref in (f.referral_close, f.referral_yield, f.lag_reach, f.next_year_growth):
        sheet.cell(ref.row, LABEL_COL).font = NOTE_FONT
    room = f.lead_months
    warning = put_formula(
        sheet.cell(f.lag_reach.row, f.lag_reach.col + 1),
        f'=IF({f.lag_reach.ref}>{room},"The lags reach back further than the {room} '
        'month(s) this table has room for: regenerate the workbook","")',
    )
    warning.font = BAD_FONT


def _stage_table(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    f, c = layout.funnel, layout.channels
    stages = len(config.stage_names)
    headers = [
        "Stage",
        "Conversion to next (plan)",
        "Conversion to customer",
        "Year need (exact)",
        "Generated in the year",
        *(f"{p} generated" for p in f.periods),
        "Carried in (needed before FY)",
        "Starting pipeline (open)",
        "Carried out (for next year)",
        "Lag to next (months)",
        "Whole months",
        "Fraction of a month",
        "Months reached",
    ]
    for j, text in enumerate(headers):
        style_header(sheet.cell(f.stage_header, LABEL_COL + j), text)
    lead = f.lead_months
    positions = c.column("entry_position").qualified
    shares = "ChannelLeadShares"
    own = c.column("mql_rate").qualified
    for i in range(stages):
        put_formula(sheet[f.stage_labels.cell(i).ref], f"=INDEX(StageNames,{i + 1})")
        to_customer = f.to_customer.cell(i)
        if i < stages - 1:
            # At a stage channels bring, the plan's rate is theirs weighted by share, so the
            # channel mix and the funnel agree by construction; elsewhere the typed rate.
            # Written as the typed rate plus the channels' weighted deviations from it, so
            # channels that average the typed rate give it bit for bit.
            at = f"({positions}={i + 1})*{shares}"
            typed = f"INDEX(StageRates,{i + 1})"
            formula = (
                f"=IF(SUMPRODUCT({at})=0,{typed},"
                f"{typed}+SUMPRODUCT({at}*({own}-{typed}))/SUMPRODUCT({at}))"
            )
            put_formula(sheet[f.stage_rates.cell(i).ref], formula, PERCENT)
            below = f.to_customer.cell(i + 1).ref
            formula = f"={f.stage_rates.cell(i).ref}*{below}"
            put_formula(sheet[to_customer.ref], formula, FINE_PERCENT)
            _lag_cells(sheet, layout, i, last=i == stages - 2)
            put_formula(
                sheet[f.pipeline_open.cell(i).ref],
                f"=SUM(INDEX(StartingPipeline,{i + 1},0))",
                WHOLE,
            )
        else:
            put_formula(sheet[to_customer.ref], "=1", FINE_PERCENT)
            put_formula(sheet[f.pipeline_open.cell(i).ref], "=0", WHOLE)
        # Stage by stage from the bottom, as backsolve divides: one rounding per stage.
        required = (
            f"={f.required.cell(i + 1).ref}/{f.stage_rates.cell(i).ref}"
            if i < stages - 1
            else "=FunnelCustomersNeeded"
        )
        put_formula(sheet[f.required.cell(i).ref], required, VOLUME)
        months = Ref(sheet.title, f.monthly.row + i, f.monthly.col, None, f.monthly.last_col)
        targets = WHOLE if config.whole_units else VOLUME
        put_formula(sheet[f.generated_year.cell(i).ref], f"=SUM({months.ref})", targets)
        for q in range(4):
            first = months.cell(0, 3 * q)
            span = Ref(sheet.title, first.row, first.col, first.row, first.col + 2)
            put_formula(sheet[f.period_volumes.cell(i, q).ref], f"=SUM({span.ref})", targets)
        grid_row = f.grid.row + i
        if lead:
            before = Ref(sheet.title, grid_row, f.grid.col, None, f.grid.col + lead - 1)
            after = Ref(sheet.title, grid_row, f.grid.last_col - lead + 1, None, f.grid.last_col)
            carried_in = f"=SUM({before.ref})"
            carried_out = f"=SUM({f.next_row.abs})/{to_customer.ref}-SUM({after.ref})"
        else:
            carried_in = carried_out = "=0"
        put_formula(sheet[f.carried_in.cell(i).ref], carried_in, VOLUME)
        put_formula(sheet[f.carried_out.cell(i).ref], carried_out, VOLUME)


def _lag_cells(sheet: Worksheet, layout: Layout, i: int, *, last: bool) -> None:
    """Transition `i`'s lag: StageLags when any is given, else the sales-cycle shorthand."""
    f = layout.funnel
    shorthand = "N(SalesCycleMonths)" if last else "0"
    lag = f.lags.cell(i)
    put_formula(
        sheet[lag.ref],
        f"=IF(COUNT(StageLags)>0,N(INDEX(StageLags,{i + 1})),{shorthand})",
        "0.00",
    )
    whole, fraction = lag_formulas(lag.ref)
    put_formula(sheet[f.lag_whole.cell(i).ref], whole, "0")
    put_formula(sheet[f.lag_fraction.cell(i).ref], fraction, "0.00")
    put_formula(
        sheet[f.lag_months.cell(i).ref],
        f"={f.lag_whole.cell(i).ref}+IF({f.lag_fraction.cell(i).ref}>0,1,0)",
        "0",
    )
    for ref in (f.lag_whole, f.lag_fraction, f.lag_months):
        sheet[ref.cell(i).ref].font = NOTE_FONT


def _schedule_grid(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    """Stages × months around the year: customers from the calendar rows, every stage above
    through its lag.

    ``schedule_volumes``' recursion, cell by cell: what stage ``i + 1`` needs in month
    ``m + k`` and ``m + k + 1`` (0 beyond the grid), weighted ``1 − f`` and ``f``, ÷ the rate.
    The customers are 0 before the year, this year's customers from new pipeline in it, and
    next year's after it.
    """
    f = layout.funnel
    stages = len(config.stage_names)
    lead = f.lead_months
    months = f.grid.cols
    style_header(sheet.cell(f.grid_header, LABEL_COL), "Schedule: stage / month")
    for j, cell in enumerate(f.grid_labels.cells()):
        month_label(sheet, cell, j - lead)
    for i in range(stages):
        put_formula(sheet[f.grid_stage_labels.cell(i).ref], f"=INDEX(StageNames,{i + 1})")
        for j in range(months):
            cell = f.grid.cell(i, j)
            if i == stages - 1:
                if j < lead:
                    formula = "=0"
                elif j < lead + 12:
                    formula = f"={f.net_row.cell(0, j - lead).ref}"
                else:
                    formula = f"={f.next_row.cell(0, j - lead - 12).ref}"
            else:
                below = Ref(sheet.title, cell.row + 1, f.grid.col, cell.row + 1, f.grid.last_col)
                k, part = f.lag_whole.cell(i).abs, f.lag_fraction.cell(i).abs
                row, rate = below.abs, f.stage_rates.cell(i).abs
                formula = (
                    f"=((1-{part})*IF({j + 1}+{k}<={months},INDEX({row},{j + 1}+{k}),0)"
                    f"+{part}*IF({j + 2}+{k}<={months},INDEX({row},{j + 2}+{k}),0))/{rate}"
                )
            put_formula(sheet[cell.ref], formula, VOLUME).font = NOTE_FONT


def _flywheel_rows(sheet: Worksheet, layout: Layout) -> None:
    """``flywheel_backsolve``'s month recursion over the fiscal months (seasonal goal)."""
    f = layout.funnel
    labels = (
        (f.goal_row, "Customer goal (seasonal)"),
        (f.base_row, "Customer base at month start"),
        (f.referral_row, "Customers from referrals"),
        (f.funnel_row, "Customers the funnel must bring"),
    )
    for ref, text in labels:
        put_text(sheet.cell(ref.row, LABEL_COL), text).font = NOTE_FONT
    sheet.cell(f.funnel_row.row, LABEL_COL).font = TOTAL_FONT
    share_label = put_text(sheet.cell(f.season_share_row.row, LABEL_COL), "Seasonality share")
    share_label.font = NOTE_FONT
    for t, share in enumerate(f.season_share_row.cells()):
        formula = f"=INDEX(Seasonality,{t + 1})/SUM(Seasonality)"
        put_formula(sheet[share.ref], formula, PERCENT).font = NOTE_FONT
    for t in range(12):
        goal, base = f.goal_row.cell(0, t), f.base_row.cell(0, t)
        referral, funnel = f.referral_row.cell(0, t), f.funnel_row.cell(0, t)
        share = f.season_share_row.cell(0, t)
        put_formula(sheet[goal.ref], f"=CustomersNeeded*{share.ref}", VOLUME).font = NOTE_FONT
        if t == 0:
            base_formula = "=N(CustomerBase)"
        else:
            before = (f.base_row.cell(0, t - 1), f.funnel_row.cell(0, t - 1))
            base_formula = f"={before[0].ref}+{before[1].ref}+{f.referral_row.cell(0, t - 1).ref}"
        put_formula(sheet[base.ref], base_formula, VOLUME).font = NOTE_FONT
        put_formula(
            sheet[referral.ref], f"={f.referral_yield.abs}*{base.ref}", VOLUME
        ).font = NOTE_FONT
        put_formula(sheet[funnel.ref], f"=MAX({goal.ref}-{referral.ref},0)", VOLUME)
