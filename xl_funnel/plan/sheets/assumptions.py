"""Assumptions: every input of the plan, one input style, each validated, explained and named."""

from __future__ import annotations

import datetime

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.annotate import comment, validate, validate_list
from xl_funnel.plan.config import SHARE_SUM_TOLERANCE, PlanConfig
from xl_funnel.plan.layout import LABEL_COL, SUBTITLE_ROW, TITLE_ROW, Layout, Ref
from xl_funnel.plan.styles import (
    BAD_FONT,
    COUNT,
    CURRENCY,
    CURRENCY_CENTS,
    DATE,
    NOTE_FONT,
    PERCENT,
    TOTAL_FONT,
    put_formula,
    put_header_formula,
    put_input,
    put_text,
    put_title,
    set_widths,
    style_group,
    style_header,
    style_subtitle,
    title_formula,
)
from xl_funnel.plan.styles import print_setup as setup_print

__all__ = ["build"]


def _label(sheet: Worksheet, ref: Ref, text: str) -> None:
    put_text(sheet.cell(ref.row, LABEL_COL), text)


def _note(sheet: Worksheet, ref: Ref, text: str) -> None:
    """A short hint to the right of a scalar input."""
    cell = put_text(sheet.cell(ref.row, ref.col + 1), text)
    cell.font = NOTE_FONT


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    a = layout.assumptions
    put_title(sheet.cell(TITLE_ROW, LABEL_COL), title_formula("Assumptions"))
    style_subtitle(
        sheet.cell(SUBTITLE_ROW, LABEL_COL),
        "Type only in the yellow cells; every other sheet follows from them.",
    )
    for name, row in a.groups.items():
        style_group(sheet.cell(row, LABEL_COL), name)

    # Plan.
    _label(sheet, a.company, "Company")
    put_input(sheet[a.company.ref], config.company)
    comment(sheet, a.company, "Company name shown in the titles of every sheet.")
    _label(sheet, a.fiscal_year_start, "Fiscal year starts")
    start = datetime.datetime(config.fiscal_year, config.first_month, 1)
    put_input(sheet[a.fiscal_year_start.ref], start, DATE)
    comment(sheet, a.fiscal_year_start, "First day of the fiscal year the plan covers.")
    validate(sheet, [a.fiscal_year_start], "date", "Fiscal year start")

    # Revenue target.
    _label(sheet, a.history_years, "Year")
    _label(sheet, a.history, "Revenue")
    _label(sheet, a.history_growth, "Year-over-year growth")
    years = a.history.cols
    for i, (year_cell, value_cell) in enumerate(
        zip(a.history_years.cells(), a.history.cells(), strict=True)
    ):
        put_formula(sheet[year_cell.ref], f'="FY"&(YEAR(FiscalYearStart)-{years - i})')
        sheet[year_cell.ref].font = NOTE_FONT
        put_input(sheet[value_cell.ref], config.revenue_history[i], CURRENCY)
    for i, cell in enumerate(a.history_growth.cells()):
        before, after = a.history.cell(0, i), a.history.cell(0, i + 1)
        put_formula(sheet[cell.ref], f"={after.ref}/{before.ref}-1", PERCENT)
    comment(
        sheet,
        a.history.cell(0, 0),
        "Annual revenue of past years, oldest first (seed 002: look at the last three years).",
    )
    validate(sheet, [a.history], "money", "Revenue")

    _label(sheet, a.growth_method, "Growth method")
    put_input(sheet[a.growth_method.ref], config.growth_method)
    _note(sheet, a.growth_method, "mean: average of the yearly rates; cagr: compound rate")
    comment(
        sheet,
        a.growth_method,
        "How past growth is averaged: 'mean' of the year-over-year rates (seed 002) or "
        "'cagr', the compound annual rate (steadier when years alternate up and down).",
    )
    validate_list(sheet, [a.growth_method], '"mean,cagr"', "Growth method")

    _label(sheet, a.historical_growth, "Historical growth")
    first, last = a.history.cell(0, 0).ref, a.history.cell(0, years - 1).ref
    put_formula(
        sheet[a.historical_growth.ref],
        f'=IF(GrowthMethod="cagr",({last}/{first})^(1/{years - 1})-1,'
        f"AVERAGE({a.history_growth.ref}))",
        PERCENT,
    )
    _label(sheet, a.growth_uplift, "Growth uplift")
    put_input(sheet[a.growth_uplift.ref], config.growth_uplift, PERCENT)
    _note(sheet, a.growth_uplift, "percentage points added to historical growth")
    comment(
        sheet,
        a.growth_uplift,
        "Points added to past growth for the target (seed 002: raise it 'maybe by five "
        "percent'): 5 % turns 20 % growth into a 25 % target.",
    )
    validate(sheet, [a.growth_uplift], "uplift", "Growth uplift")

    _label(sheet, a.new_revenue_share, "Share from new customers")
    put_input(sheet[a.new_revenue_share.ref], config.new_revenue_share, PERCENT)
    _note(sheet, a.new_revenue_share, "of the revenue target, won by this plan")
    comment(
        sheet,
        a.new_revenue_share,
        "Share of next year's revenue target that new customers won by this plan must bring.",
    )
    validate(sheet, [a.new_revenue_share], "positive_rate", "Share from new customers")

    _label(sheet, a.new_revenue_goal_override, "New revenue goal (override)")
    put_input(sheet[a.new_revenue_goal_override.ref], config.new_revenue_goal, CURRENCY)
    _note(sheet, a.new_revenue_goal_override, "optional: leave empty to use target × share")
    comment(
        sheet,
        a.new_revenue_goal_override,
        "Optional. A new-revenue goal set directly (e.g. $10M from inbound); when empty the "
        "goal is the revenue target × the share from new customers.",
    )
    validate(sheet, [a.new_revenue_goal_override], "money", "New revenue goal")

    _label(sheet, a.avg_deal_size, "Average deal size")
    put_input(sheet[a.avg_deal_size.ref], config.avg_deal_size, CURRENCY)
    _note(sheet, a.avg_deal_size, "first-year revenue of a new customer")
    comment(sheet, a.avg_deal_size, "Average first-year revenue of one new customer.")
    validate(sheet, [a.avg_deal_size], "money", "Average deal size")

    # Funnel.
    style_header(sheet.cell(a.stage_header, LABEL_COL), "Stage (top to bottom)")
    style_header(sheet.cell(a.stage_header, LABEL_COL + 1), "Conversion to next stage")
    style_header(sheet.cell(a.stage_header, LABEL_COL + 2), "Lag to next stage (months)")
    style_header(sheet.cell(a.stage_header, LABEL_COL + 3), "Achievable rate")
    for rate, cell in zip(config.achievable, a.achievable_rates.cells(), strict=True):
        put_input(sheet[cell.ref], rate, PERCENT)
    comment(
        sheet,
        Ref(sheet.title, a.stage_header, LABEL_COL + 3),
        "The rate each stage could reach with work (default: the plan rate × 1.1). The "
        "Dashboard's tornado ranks the stages by the revenue reaching it brings.",
    )
    validate(sheet, [a.achievable_rates], "rate", "Achievable rate")
    for i, cell in enumerate(a.stage_names.cells()):
        put_input(sheet[cell.ref], config.stage_names[i])
    for i, cell in enumerate(a.stage_rates.cells()):
        put_input(sheet[cell.ref], config.stage_rates[i], PERCENT)
    lags = config.stage_lags or (None,) * a.stage_lags.rows
    for lag, cell in zip(lags, a.stage_lags.cells(), strict=True):
        put_input(sheet[cell.ref], lag, "0.00")
    comment(
        sheet,
        a.stage_names.cell(0, 0),
        "Funnel stages, top to bottom; the last stage is the customers.",
    )
    comment(
        sheet,
        a.stage_rates.cell(0, 0),
        "Share of each stage that reaches the next one (seed 000: visits→leads 1.5 %).",
    )
    validate(sheet, [a.stage_rates], "positive_rate", "Conversion rate")
    room = config.lead_months
    comment(
        sheet,
        a.stage_lags.cell(0, 0),
        "Optional per-stage lags: average months from each stage to the next (0.5 = half "
        "the volume one month earlier). When any is filled in they replace the sales cycle "
        "below. Fractions split between two neighbouring months; the monthly table has room "
        f"for lags reaching back {room} month(s) in all (each rounded up): regenerate the "
        "workbook for longer ones.",
    )
    validate(sheet, [a.stage_lags], "months", "Lag to next stage", upper=str(room))

    _label(sheet, a.lead_stage, "Stage the channels bring")
    put_input(sheet[a.lead_stage.ref], config.lead_stage)
    comment(
        sheet,
        a.lead_stage,
        "The stage whose volume the channels' lead shares split (usually Leads).",
    )
    validate_list(sheet, [a.lead_stage], "StageNames", "Stage the channels bring")

    _label(sheet, a.sales_cycle_months, "Sales cycle (months)")
    put_input(sheet[a.sales_cycle_months.ref], config.sales_cycle_months, "0.0")
    _note(
        sheet,
        a.sales_cycle_months,
        f"0 to {room} months (the room in the monthly plan)"
        if room
        else "0: set sales_cycle_months in the config to plan a cycle",
    )
    comment(
        sheet,
        a.sales_cycle_months,
        "Average months from opportunity to close: every stage above customers happens this "
        "much earlier, so the monthly plan starts before the fiscal year (shorthand for lags "
        "0, …, 0, cycle; ignored when per-stage lags are filled in). Fractions split between "
        f"two months. The monthly table has room for {room} month(s); regenerate the workbook "
        "for a longer cycle.",
    )
    validate(sheet, [a.sales_cycle_months], "months", "Sales cycle", upper=str(room))

    # Seasonality.
    _label(sheet, a.season_months, "Month")
    _label(sheet, a.seasonality, "Weight")
    _label(sheet, a.season_shares, "Share of the year")
    for k, (month, weight, share) in enumerate(
        zip(a.season_months.cells(), a.seasonality.cells(), a.season_shares.cells(), strict=True)
    ):
        put_formula(
            sheet[month.ref],
            f"=DATE(YEAR(FiscalYearStart),MONTH(FiscalYearStart)+{k},1)",
            "mmm",
        )
        put_input(sheet[weight.ref], config.seasonality[k], "0.00")
        put_formula(sheet[share.ref], f"={weight.ref}/SUM(Seasonality)", PERCENT)
    comment(
        sheet,
        a.seasonality.cell(0, 0),
        "Relative weight of each fiscal month; only proportions matter (all 1 = a flat year).",
    )
    validate(sheet, [a.seasonality], "weight", "Seasonality weight")

    # Flywheel.
    _label(sheet, a.customer_base, "Customers at the start of the year")
    put_input(sheet[a.customer_base.ref], config.customer_base, "#,##0")
    _note(sheet, a.customer_base, "0 turns the flywheel off")
    comment(
        sheet,
        a.customer_base,
        "Customers you have when the fiscal year starts (seed 000: in a flywheel, existing "
        "customers feed the top of the funnel). New customers join them month by month.",
    )
    validate(sheet, [a.customer_base], "count", "Customers at the start")
    _label(sheet, a.referrals_per_customer, "Referrals per customer per month")
    put_input(sheet[a.referrals_per_customer.ref], config.referrals_per_customer, "0.000")
    _note(sheet, a.referrals_per_customer, "0.02 = one referral per customer every 50 months")
    comment(
        sheet,
        a.referrals_per_customer,
        "Referrals (introductions, reviews that bring a prospect) each customer brings per "
        "month. Referral customers reduce what the funnel must bring.",
    )
    validate(sheet, [a.referrals_per_customer], "referrals", "Referrals per customer")
    _label(sheet, a.referral_entry_stage, "Stage referrals enter at")
    put_input(sheet[a.referral_entry_stage.ref], config.referral_entry_stage)
    comment(
        sheet,
        a.referral_entry_stage,
        "The stage a referral enters the funnel at (usually Leads or Opportunities); without "
        "a close rate below, referrals convert at the funnel's rates from this stage down.",
    )
    validate_list(sheet, [a.referral_entry_stage], "StageNames", "Stage referrals enter at")
    _label(sheet, a.referral_close_rate, "Referral close rate (optional)")
    put_input(sheet[a.referral_close_rate.ref], config.referral_close_rate, PERCENT)
    _note(sheet, a.referral_close_rate, "empty: the funnel's rates from the entry stage")
    comment(
        sheet,
        a.referral_close_rate,
        "Optional. Share of referrals that become customers; referrals often close better "
        "than cold leads. Empty: the product of the funnel's rates from the entry stage down.",
    )
    validate(sheet, [a.referral_close_rate], "rate", "Referral close rate")

    # Tracking.
    _label(sheet, a.on_track_threshold, "On track at")
    put_input(sheet[a.on_track_threshold.ref], config.on_track_threshold, PERCENT)
    _note(sheet, a.on_track_threshold, "of target: green at or above, red below")
    comment(sheet, a.on_track_threshold, "Tracking marks a figure on track at this % of target.")
    validate(sheet, [a.on_track_threshold], "positive_rate", "On track at")
    _label(sheet, a.spend_flag_ratio, "Flag spend above")
    put_input(sheet[a.spend_flag_ratio.ref], config.spend_flag_ratio, '0.0"×"')
    _note(sheet, a.spend_flag_ratio, "× a channel's share of customers")
    comment(
        sheet,
        a.spend_flag_ratio,
        "Channels flags a channel whose share of spend is more than this multiple of its share "
        "of customers (seed 004: three times the cost should bring three times the results).",
    )
    validate(sheet, [a.spend_flag_ratio], "multiple", "Flag spend above")
    _label(sheet, a.sensitivity_step, "Sensitivity step")
    put_input(sheet[a.sensitivity_step.ref], config.sensitivity_step, PERCENT)
    _note(sheet, a.sensitivity_step, "rate points added to each stage rate (1 % = one point)")
    comment(
        sheet,
        a.sensitivity_step,
        "The Dashboard's tornado chart adds this many rate points to each stage rate alone "
        "(1 % makes a 20 % rate 21 % and a 1.5 % rate 2.5 %, capped at 100 %) and ranks the "
        "levers by the revenue they add: the lowest rates gain most from a point.",
    )
    validate(sheet, [a.sensitivity_step], "positive_rate", "Sensitivity step")

    _bridge(sheet, config, layout)
    _calendar(sheet, config, layout)
    _budget(sheet, config, layout)
    _sales(sheet, config, layout)
    _channels(sheet, config, layout)

    set_widths(sheet, {"A": 2, "B": 32, "C": 16, "D": 16, "E": 16})
    for col in range(6, 6 + 10):
        sheet.column_dimensions[get_column_letter(col)].width = 11
    sheet.freeze_panes = sheet.cell(SUBTITLE_ROW + 1, 1).coordinate
    setup_print(sheet, landscape=False, title_rows=f"{TITLE_ROW}:{SUBTITLE_ROW}")


def _calendar(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    """Whole units, next year's growth and the pipeline the year starts with."""
    a = layout.assumptions
    _label(sheet, a.whole_units, "Whole units")
    put_input(sheet[a.whole_units.ref], config.whole_units)
    _note(sheet, a.whole_units, "TRUE: monthly targets in whole units; FALSE: exact")
    comment(
        sheet,
        a.whole_units,
        "TRUE: every month's target is a whole number, rounded up so that by each month end "
        "the plan is never behind the exact need (the year adds up to the need rounded up). "
        "FALSE: exact fractions.",
    )
    validate_list(sheet, [a.whole_units], '"TRUE,FALSE"', "Whole units")
    _label(sheet, a.next_year_growth, "Next year's growth (optional)")
    put_input(sheet[a.next_year_growth.ref], config.next_year_growth, PERCENT)
    _note(sheet, a.next_year_growth, "empty: the plan's growth (historical + uplift)")
    comment(
        sheet,
        a.next_year_growth,
        "Next year's monthly customers = this year's × (1 + this growth). The year's last "
        "months generate the pipeline next year's first months need (the lags).",
    )
    validate(sheet, [a.next_year_growth], "uplift", "Next year's growth")
    style_header(sheet.cell(a.pipeline_header, LABEL_COL), "Open pipeline closing in month")
    for k, cell in enumerate(
        Ref(sheet.title, a.pipeline_header, a.pipeline.col, None, a.pipeline.last_col).cells()
    ):
        put_header_formula(
            sheet[cell.ref], f"=DATE(YEAR(FiscalYearStart),MONTH(FiscalYearStart)+{k},1)", "mmm"
        )
    grid = config.pipeline_grid
    for i in range(a.pipeline.rows):
        put_formula(sheet[a.pipeline_labels.cell(i).ref], f"=INDEX(StageNames,{i + 1})")
        for m in range(12):
            count = grid[i][m] or None
            put_input(sheet[a.pipeline.cell(i, m).ref], count, COUNT)
    comment(
        sheet,
        a.pipeline.cell(0, 0),
        "Open units at each stage when the year starts, in the fiscal month they are expected "
        "to close (become customers at the plan's rates from that stage). They lower the "
        "customers the year must win from new pipeline.",
    )
    validate(sheet, [a.pipeline], "count", "Open pipeline")


def _budget(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    a = layout.assumptions
    _label(sheet, a.budget_cap, "Budget given (optional)")
    put_input(sheet[a.budget_cap.ref], config.budget_cap, CURRENCY)
    _note(sheet, a.budget_cap, "empty: the plan gets the budget it needs")
    comment(
        sheet,
        a.budget_cap,
        "The money the plan is given for the year. Below the budget needed, channels buy "
        "the same share of their variable volume (fixed costs are paid first), and Channels "
        "shows the customers it buys and the gap to the goal.",
    )
    validate(sheet, [a.budget_cap], "amount", "Budget given")


def _channels(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    a = layout.assumptions
    columns = (
        (a.channel_names, "Channel", "Channel name.", None),
        (
            a.channel_entry_stages,
            "Stage it brings",
            "The stage whose volume this channel brings (visits, leads, MQLs…).",
            None,
        ),
        (
            a.channel_lead_shares,
            "Share",
            "This channel's share of the volume of the stage it brings; shares sum to 100 %.",
            PERCENT,
        ),
        (
            a.channel_mql_rates,
            "Own rate to next stage",
            "Optional: this channel's rate from its stage to the next (seed 004: paid social "
            "often qualifies fewer leads). The plan's rate there is the channels' rates "
            "weighted by share.",
            PERCENT,
        ),
        (
            a.channel_unit_costs,
            "Cost per unit",
            "What one unit of its stage costs (cost per visit, lead or MQL); 0 for organic "
            "or referral channels.",
            CURRENCY_CENTS,
        ),
        (
            a.channel_fixed_costs,
            "Fixed cost (year)",
            "A yearly cost on top (a team, tools).",
            CURRENCY,
        ),
    )
    for ref, title, help_text, _ in columns:
        style_header(sheet.cell(a.channel_header, ref.col), title)
        comment(sheet, Ref(sheet.title, a.channel_header, ref.col), help_text)
    entries = config.entry_stages
    for i, channel in enumerate(config.channels):
        values = (
            channel.name,
            entries[i],
            channel.lead_share,
            channel.mql_rate,
            channel.unit_cost,
            channel.fixed,
        )
        for (ref, _, _, number_format), value in zip(columns, values, strict=True):
            put_input(sheet[ref.cell(i).ref], value, number_format)
    validate_list(sheet, [a.channel_entry_stages], "StageNames", "Stage it brings")
    validate(sheet, [a.channel_lead_shares], "rate", "Share")
    validate(sheet, [a.channel_mql_rates], "positive_rate", "Rate to next stage")
    validate(sheet, [a.channel_unit_costs, a.channel_fixed_costs], "amount", "Cost")
    totals = a.channel_totals_row
    put_text(sheet.cell(totals, LABEL_COL), "Total")
    share_total = Ref(sheet.title, totals, a.channel_lead_shares.col)
    put_formula(sheet[share_total.ref], "=SUM(ChannelLeadShares)", PERCENT).font = TOTAL_FONT
    check = put_formula(
        sheet.cell(totals, a.channel_mql_rates.col),
        f"=IF(ABS(SUM(ChannelLeadShares)-1)>{SHARE_SUM_TOLERANCE},"
        '"Shares do not sum to 100 %: they are scaled to 100 %","")',
    )
    check.font = BAD_FONT


def _bridge(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    """The revenue bridge: starting recurring revenue, churn and expansion (optional)."""
    a = layout.assumptions
    fields = (
        (
            a.start_arr,
            "Recurring revenue at the start (optional)",
            config.start_arr,
            CURRENCY,
            "empty: the share from new customers above",
            "Optional. Recurring revenue when the year starts. Given, the new-logo goal is the "
            "target − this × (1 − churn + expansion), and the share above is not used.",
            "amount",
        ),
        (
            a.gross_churn,
            "Gross churn",
            config.gross_churn,
            PERCENT,
            "of the starting revenue, lost over the year",
            "Share of the starting recurring revenue lost to cancellations and downgrades.",
            "rate",
        ),
        (
            a.expansion,
            "Expansion",
            config.expansion,
            PERCENT,
            "of the starting revenue, added by existing customers",
            "Share of the starting recurring revenue that existing customers add (upsell, "
            "seats, price).",
            "count",
        ),
    )
    _fields(sheet, fields)


def _sales(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    a = layout.assumptions
    fields = (
        (
            a.pipeline_coverage,
            "Pipeline coverage rule",
            config.pipeline_coverage,
            '0.0"×"',
            "× the quarter's new revenue, held as pipeline",
            "The pipeline the team holds itself to, as a multiple of the quarter's new revenue "
            "(3× is common); the Funnel shows it beside what the win rate alone needs.",
            "coverage",
        ),
        (
            a.ramped_reps,
            "Ramped sales reps (optional)",
            config.ramped_reps,
            COUNT,
            "reps at full productivity",
            "Optional, with the quota: sales capacity is ramped reps × quota; the Funnel flags "
            "a new-revenue goal above it.",
            "count",
        ),
        (
            a.rep_quota,
            "Quota per ramped rep (optional)",
            config.rep_quota,
            CURRENCY,
            "new revenue one rep closes in a year",
            "Optional, with the reps: the yearly new revenue one ramped rep closes.",
            "amount",
        ),
        (
            a.sales_cost,
            "Sales cost (optional)",
            config.sales_cost,
            CURRENCY,
            "for a fully loaded CAC",
            "Optional. The year's cost of the sales team: the fully loaded CAC adds it to the "
            "marketing budget.",
            "amount",
        ),
    )
    _fields(sheet, fields)


def _fields(sheet: Worksheet, fields: tuple) -> None:
    """Scalar inputs described as data: (cell, label, value, format, note, help, rule)."""
    for ref, label, value, number_format, note, help_text, rule in fields:
        _label(sheet, ref, label)
        put_input(sheet[ref.ref], value, number_format)
        _note(sheet, ref, note)
        comment(sheet, ref, help_text)
        validate(sheet, [ref], rule, label)
