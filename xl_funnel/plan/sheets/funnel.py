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
from xl_funnel.plan.layout import LABEL_COL, SUBTITLE_ROW, TITLE_ROW, VALUE_COL, Layout, Ref
from xl_funnel.plan.styles import (
    BAD_FONT,
    CURRENCY,
    FINE_PERCENT,
    MONTH,
    NOTE_FONT,
    PERCENT,
    TOTAL_FONT,
    VOLUME,
    WHOLE,
    put_formula,
    put_header_formula,
    put_text,
    put_title,
    set_widths,
    style_header,
    style_subtitle,
    title_formula,
)
from xl_funnel.plan.styles import print_setup as setup_print

__all__ = ["build", "ceil_whole_formula", "lag_formulas"]

#: Absolute tolerance of the core's ``ceil_whole`` (``xl_funnel._checks.CEIL_TOLERANCE``).
CEIL_TOLERANCE = "1E-9"
#: A lag this close to a whole number counts as whole (``schedule.LAG_TOLERANCE``).
LAG_TOLERANCE = "1E-9"


def ceil_whole_formula(x: str) -> str:
    """Round `x` up to a whole number as the core's ``_checks.ceil_whole`` does.

    ``ceil(max(x − 1e-9, 0))``: never below the exact value by more than 1e-9 (absolute), so
    float noise such as ``7.000000000000001`` is 7, while $1,000,000,000.50 at $1M a deal
    (1,000.0000005 customers) is 1,001. ROUNDUP(x, 0) is ceil for x ≥ 0.

    Examples
    --------
    >>> ceil_whole_formula("C7")
    'ROUNDUP(MAX(C7-1E-9,0),0)'
    """
    return f"ROUNDUP(MAX({x}-{CEIL_TOLERANCE},0),0)"


def lag_formulas(x: str) -> tuple[str, str]:
    """Whole months and fraction of lag `x`, as ``schedule.lag_split`` splits them.

    A lag within 1e-9 of a whole number is that number (fraction exactly 0); otherwise
    ``INT`` and the rest. Excel's ROUND and numpy's differ only at exact halves, where the
    lag is not within the tolerance of either neighbour.
    """
    whole_lag = f"ABS({x}-ROUND({x},0))<={LAG_TOLERANCE}"
    return (
        f"=IF({whole_lag},ROUND({x},0),INT({x}))",
        f"=IF({whole_lag},0,{x}-INT({x}))",
    )


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    f = layout.funnel
    put_title(sheet.cell(TITLE_ROW, LABEL_COL), title_formula("Funnel plan"))
    style_subtitle(
        sheet.cell(SUBTITLE_ROW, LABEL_COL),
        "Revenue target → customers → what referrals bring → every stage above the rest, for "
        "the year, by quarter and by month. All formulas: change Assumptions, not this sheet.",
    )
    _headline(sheet, layout)
    _stage_table(sheet, config, layout)
    _monthly_table(sheet, config, layout)
    _flywheel_rows(sheet, layout)

    widths = {"A": 2, "B": 38}
    for col in range(VALUE_COL, max(f.monthly.last_col, f.lag_months.col) + 1):
        widths[get_column_letter(col)] = 13
    set_widths(sheet, widths)
    sheet.freeze_panes = sheet.cell(SUBTITLE_ROW + 1, VALUE_COL).coordinate
    setup_print(sheet, title_rows=f"{TITLE_ROW}:{SUBTITLE_ROW}")


def _headline(sheet: Worksheet, layout: Layout) -> None:
    f = layout.funnel
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
            "TargetRevenue*NewRevenueShare)",
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
            f"INDEX({f.to_customer.abs},MATCH(ReferralEntryStage,StageNames,0)))",
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
        (f.lag_reach, "Months the lags reach back", f"=SUM({f.lag_months.ref})", "0"),
    )
    for ref, label, formula, number_format in headline:
        put_text(sheet.cell(ref.row, LABEL_COL), label)
        put_formula(sheet[ref.ref], formula, number_format)
    for ref in (f.target_revenue, f.new_revenue_goal, f.customers_needed, f.funnel_customers):
        sheet[ref.ref].font = TOTAL_FONT
    for ref in (f.referral_close, f.referral_yield, f.lag_reach):
        sheet.cell(ref.row, LABEL_COL).font = NOTE_FONT
    room = f.lead_months
    warning = put_formula(
        sheet.cell(f.lag_reach.row, f.lag_reach.col + 1),
        f'=IF({f.lag_reach.ref}>{room},"The lags reach back further than the {room} '
        'month(s) this table has room for: regenerate the workbook","")',
    )
    warning.font = BAD_FONT


def _stage_table(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    f = layout.funnel
    stages = len(config.stage_names)
    headers = ["Stage", "Conversion to next", "Conversion to customer", "Year (all months)"]
    headers += [f"{p} volume" for p in f.periods]
    headers += ["Lag to next (months)", "Whole months", "Fraction of a month", "Months reached"]
    for j, text in enumerate(headers):
        style_header(sheet.cell(f.stage_header, LABEL_COL + j), text)
    lead = f.lead_months
    spans = ([(0, lead)] if lead else []) + [(lead + 3 * q, 3) for q in range(4)]
    for i in range(stages):
        put_formula(sheet[f.stage_labels.cell(i).ref], f"=INDEX(StageNames,{i + 1})")
        to_customer = f.to_customer.cell(i)
        if i < stages - 1:
            put_formula(sheet[f.stage_rates.cell(i).ref], f"=INDEX(StageRates,{i + 1})", PERCENT)
            below = f.to_customer.cell(i + 1).ref
            formula = f"={f.stage_rates.cell(i).ref}*{below}"
            put_formula(sheet[to_customer.ref], formula, FINE_PERCENT)
            _lag_cells(sheet, layout, i, last=i == stages - 2)
        else:
            put_formula(sheet[to_customer.ref], "=1", FINE_PERCENT)
        # Stage by stage from the bottom, as backsolve divides: one rounding per stage.
        required = (
            f"={f.required.cell(i + 1).ref}/{f.stage_rates.cell(i).ref}"
            if i < stages - 1
            else "=FunnelCustomersNeeded"
        )
        put_formula(sheet[f.required.cell(i).ref], required, VOLUME)
        month_row = f.monthly.cell(i)
        for p, (offset, width) in enumerate(spans):
            first = month_row.cell(0, offset)
            months = Ref(sheet.title, first.row, first.col, first.row, first.col + width - 1)
            put_formula(sheet[f.period_volumes.cell(i, p).ref], f"=SUM({months.ref})", VOLUME)


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


def _monthly_table(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    """Stages × months: customers from the flywheel rows, every stage above through its lag.

    ``schedule_volumes``' recursion, cell by cell: what stage ``i + 1`` needs in month
    ``m + k`` and ``m + k + 1`` (0 beyond the table), weighted ``1 − f`` and ``f``, ÷ the rate.
    """
    f = layout.funnel
    stages = len(config.stage_names)
    lead = f.lead_months
    months = lead + 12
    style_header(sheet.cell(f.month_header, LABEL_COL), "Stage / month")
    for j, cell in enumerate(f.month_labels.cells()):
        put_header_formula(
            sheet[cell.ref],
            f"=DATE(YEAR(FiscalYearStart),MONTH(FiscalYearStart)+{j - lead},1)",
            MONTH,
        )
    share_label = put_text(sheet.cell(f.season_share_row.row, LABEL_COL), "Seasonality share")
    share_label.font = NOTE_FONT
    for j in range(months):
        share = f.season_share_row.cell(0, j)
        formula = "=0" if j < lead else f"=INDEX(Seasonality,{j - lead + 1})/SUM(Seasonality)"
        put_formula(sheet[share.ref], formula, PERCENT).font = NOTE_FONT
    for i in range(stages):
        put_formula(sheet[f.month_stage_labels.cell(i).ref], f"=INDEX(StageNames,{i + 1})")
        for j in range(months):
            cell = f.monthly.cell(i, j)
            if i == stages - 1:
                formula = "=0" if j < lead else f"={f.funnel_row.cell(0, j - lead).ref}"
            else:
                below = Ref(
                    sheet.title, cell.row + 1, f.monthly.col, cell.row + 1, f.monthly.last_col
                )
                k, part = f.lag_whole.cell(i).abs, f.lag_fraction.cell(i).abs
                row, rate = below.abs, f.stage_rates.cell(i).abs
                formula = (
                    f"=((1-{part})*IF({j + 1}+{k}<={months},INDEX({row},{j + 1}+{k}),0)"
                    f"+{part}*IF({j + 2}+{k}<={months},INDEX({row},{j + 2}+{k}),0))/{rate}"
                )
            put_formula(sheet[cell.ref], formula, VOLUME)


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
    lead = f.lead_months
    for t in range(12):
        goal, base = f.goal_row.cell(0, t), f.base_row.cell(0, t)
        referral, funnel = f.referral_row.cell(0, t), f.funnel_row.cell(0, t)
        share = f.season_share_row.cell(0, lead + t)
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
