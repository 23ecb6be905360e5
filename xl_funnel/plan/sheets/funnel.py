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
    FUNNEL,
    LABEL_COL,
    SUBTITLE_ROW,
    TITLE_ROW,
    VALUE_COL,
    Layout,
    Ref,
)
from xl_funnel.plan.layout_plan import BRIDGE_ROWS
from xl_funnel.plan.styles import (
    BAD_FONT,
    CURRENCY,
    FINE_PERCENT,
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
    put_title,
    set_widths,
    style_header,
    style_subtitle,
    title_formula,
)
from xl_funnel.plan.styles import print_setup as setup_print

__all__ = ["build", "ceil_whole_formula", "lag_formulas", "stage_position"]


def stage_position(name: str, stages: int) -> str:
    """Position (1-based) of the stage called `name` in ``StageNames``, never a pattern.

    ``MATCH(x, range, 0)`` reads ``*``, ``?`` and ``~`` in text as wildcards, so a stage
    called ``Le?ds`` would match ``Leads``. Comparing with ``=`` inside ``SUMPRODUCT`` is an
    exact (case-insensitive) comparison in every engine; stage names are unique. 0 when no
    stage has that name.

    Examples
    --------
    >>> stage_position("LeadStage", 3)
    'SUMPRODUCT((StageNames=LeadStage)*{1;2;3})'
    """
    positions = ";".join(str(i + 1) for i in range(stages))
    return f"SUMPRODUCT((StageNames={name})*{{{positions}}})"


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
    _bridge(sheet, layout)
    _stage_table(sheet, config, layout)
    _schedule_grid(sheet, config, layout)
    _flywheel_rows(sheet, layout)
    _calendar_rows(sheet, layout)
    _generated(sheet, config, layout)

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


def _bridge(sheet: Worksheet, layout: Layout) -> None:
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
    sheet[b["capacity_check"].ref].font = BAD_FONT
    for ref in (b["retained"], b["win_rate"]):
        sheet.cell(ref.row, LABEL_COL).font = NOTE_FONT


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


def _month_label(sheet: Worksheet, cell: Ref, offset: int) -> None:
    put_header_formula(
        sheet[cell.ref],
        f"=DATE(YEAR(FiscalYearStart),MONTH(FiscalYearStart)+{offset},1)",
        MONTH,
    )


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
        _month_label(sheet, cell, j - lead)
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


def _generated(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    """``MonthlyVolumes``: the grid's fiscal months, in whole units when ``WholeUnits``.

    Whole units are ``rolling.whole_months``: the running total rounded up with the core's
    rule, month minus the month before, so no month-end falls behind the exact plan.
    """
    f = layout.funnel
    lead = f.lead_months
    targets = WHOLE if config.whole_units else VOLUME
    style_header(sheet.cell(f.month_header, LABEL_COL), "Stage must generate / month")
    for t, cell in enumerate(f.month_labels.cells()):
        _month_label(sheet, cell, t)
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


def _calendar_rows(sheet: Worksheet, layout: Layout) -> None:
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
