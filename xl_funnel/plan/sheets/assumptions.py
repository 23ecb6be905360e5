"""Assumptions: every input of the plan, one input style, each validated, explained and named."""

from __future__ import annotations

import datetime

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.annotate import comment, validate, validate_list
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import LABEL_COL, SUBTITLE_ROW, TITLE_ROW, Layout, Ref
from xl_funnel.plan.sheets import assumptions_groups as groups
from xl_funnel.plan.sheets.assumptions_groups import label, note
from xl_funnel.plan.styles import (
    CURRENCY,
    DATE,
    NOTE_FONT,
    PERCENT,
    put_formula,
    put_input,
    put_title,
    set_widths,
    style_group,
    style_header,
    style_subtitle,
    title_formula,
)
from xl_funnel.plan.styles import print_setup as setup_print

__all__ = ["build"]


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
    label(sheet, a.company, "Company")
    put_input(sheet[a.company.ref], config.company)
    comment(sheet, a.company, "Company name shown in the titles of every sheet.")
    label(sheet, a.fiscal_year_start, "Fiscal year starts")
    start = datetime.datetime(config.fiscal_year, config.first_month, 1)
    put_input(sheet[a.fiscal_year_start.ref], start, DATE)
    comment(sheet, a.fiscal_year_start, "First day of the fiscal year the plan covers.")
    validate(sheet, [a.fiscal_year_start], "date", "Fiscal year start")

    # Revenue target.
    label(sheet, a.history_years, "Year")
    label(sheet, a.history, "Revenue")
    label(sheet, a.history_growth, "Year-over-year growth")
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

    label(sheet, a.growth_method, "Growth method")
    put_input(sheet[a.growth_method.ref], config.growth_method)
    note(sheet, a.growth_method, "mean: average of the yearly rates; cagr: compound rate")
    comment(
        sheet,
        a.growth_method,
        "How past growth is averaged: 'mean' of the year-over-year rates (seed 002) or "
        "'cagr', the compound annual rate (steadier when years alternate up and down).",
    )
    validate_list(sheet, [a.growth_method], '"mean,cagr"', "Growth method")

    label(sheet, a.historical_growth, "Historical growth")
    first, last = a.history.cell(0, 0).ref, a.history.cell(0, years - 1).ref
    put_formula(
        sheet[a.historical_growth.ref],
        f'=IF(GrowthMethod="cagr",({last}/{first})^(1/{years - 1})-1,'
        f"AVERAGE({a.history_growth.ref}))",
        PERCENT,
    )
    label(sheet, a.growth_uplift, "Growth uplift")
    put_input(sheet[a.growth_uplift.ref], config.growth_uplift, PERCENT)
    note(sheet, a.growth_uplift, "percentage points added to historical growth")
    comment(
        sheet,
        a.growth_uplift,
        "Points added to past growth for the target (seed 002: raise it 'maybe by five "
        "percent'): 5 % turns 20 % growth into a 25 % target.",
    )
    validate(sheet, [a.growth_uplift], "uplift", "Growth uplift")

    label(sheet, a.new_revenue_share, "Share from new customers")
    put_input(sheet[a.new_revenue_share.ref], config.new_revenue_share, PERCENT)
    note(sheet, a.new_revenue_share, "of the revenue target, won by this plan")
    comment(
        sheet,
        a.new_revenue_share,
        "Share of next year's revenue target that new customers won by this plan must bring.",
    )
    validate(sheet, [a.new_revenue_share], "positive_rate", "Share from new customers")

    label(sheet, a.new_revenue_goal_override, "New revenue goal (override)")
    put_input(sheet[a.new_revenue_goal_override.ref], config.new_revenue_goal, CURRENCY)
    note(sheet, a.new_revenue_goal_override, "optional: leave empty to use target × share")
    comment(
        sheet,
        a.new_revenue_goal_override,
        "Optional. A new-revenue goal set directly (e.g. $10M from inbound); when empty the "
        "goal is the revenue target × the share from new customers.",
    )
    validate(sheet, [a.new_revenue_goal_override], "money", "New revenue goal")

    label(sheet, a.avg_deal_size, "Average deal size")
    put_input(sheet[a.avg_deal_size.ref], config.avg_deal_size, CURRENCY)
    note(sheet, a.avg_deal_size, "first-year revenue of a new customer")
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

    label(sheet, a.lead_stage, "Stage the channels bring")
    put_input(sheet[a.lead_stage.ref], config.lead_stage)
    comment(
        sheet,
        a.lead_stage,
        "The stage whose volume the channels' lead shares split (usually Leads).",
    )
    validate_list(sheet, [a.lead_stage], "StageNames", "Stage the channels bring")

    label(sheet, a.sales_cycle_months, "Sales cycle (months)")
    put_input(sheet[a.sales_cycle_months.ref], config.sales_cycle_months, "0.0")
    note(
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
    label(sheet, a.season_months, "Month")
    label(sheet, a.seasonality, "Weight")
    label(sheet, a.season_shares, "Share of the year")
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
    label(sheet, a.customer_base, "Customers at the start of the year")
    put_input(sheet[a.customer_base.ref], config.customer_base, "#,##0")
    note(sheet, a.customer_base, "0 turns the flywheel off")
    comment(
        sheet,
        a.customer_base,
        "Customers you have when the fiscal year starts (seed 000: in a flywheel, existing "
        "customers feed the top of the funnel). New customers join them month by month.",
    )
    validate(sheet, [a.customer_base], "count", "Customers at the start")
    label(sheet, a.referrals_per_customer, "Referrals per customer per month")
    put_input(sheet[a.referrals_per_customer.ref], config.referrals_per_customer, "0.000")
    note(sheet, a.referrals_per_customer, "0.02 = one referral per customer every 50 months")
    comment(
        sheet,
        a.referrals_per_customer,
        "Referrals (introductions, reviews that bring a prospect) each customer brings per "
        "month. Referral customers reduce what the funnel must bring.",
    )
    validate(sheet, [a.referrals_per_customer], "referrals", "Referrals per customer")
    label(sheet, a.referral_entry_stage, "Stage referrals enter at")
    put_input(sheet[a.referral_entry_stage.ref], config.referral_entry_stage)
    comment(
        sheet,
        a.referral_entry_stage,
        "The stage a referral enters the funnel at (usually Leads or Opportunities); without "
        "a close rate below, referrals convert at the funnel's rates from this stage down.",
    )
    validate_list(sheet, [a.referral_entry_stage], "StageNames", "Stage referrals enter at")
    label(sheet, a.referral_close_rate, "Referral close rate (optional)")
    put_input(sheet[a.referral_close_rate.ref], config.referral_close_rate, PERCENT)
    note(sheet, a.referral_close_rate, "empty: the funnel's rates from the entry stage")
    comment(
        sheet,
        a.referral_close_rate,
        "Optional. Share of referrals that become customers; referrals often close better "
        "than cold leads. Empty: the product of the funnel's rates from the entry stage down.",
    )
    validate(sheet, [a.referral_close_rate], "rate", "Referral close rate")

    # Tracking.
    label(sheet, a.on_track_threshold, "On track at")
    put_input(sheet[a.on_track_threshold.ref], config.on_track_threshold, PERCENT)
    note(sheet, a.on_track_threshold, "of target: green at or above, red below")
    comment(sheet, a.on_track_threshold, "Tracking marks a figure on track at this % of target.")
    validate(sheet, [a.on_track_threshold], "positive_rate", "On track at")
    label(sheet, a.spend_flag_ratio, "Flag spend above")
    put_input(sheet[a.spend_flag_ratio.ref], config.spend_flag_ratio, '0.0"×"')
    note(sheet, a.spend_flag_ratio, "× a channel's share of customers")
    comment(
        sheet,
        a.spend_flag_ratio,
        "Channels flags a channel whose share of spend is more than this multiple of its share "
        "of customers (seed 004: three times the cost should bring three times the results).",
    )
    validate(sheet, [a.spend_flag_ratio], "multiple", "Flag spend above")
    label(sheet, a.sensitivity_step, "Sensitivity step")
    put_input(sheet[a.sensitivity_step.ref], config.sensitivity_step, PERCENT)
    note(sheet, a.sensitivity_step, "rate points added to each stage rate (1 % = one point)")
    comment(
        sheet,
        a.sensitivity_step,
        "The Dashboard's tornado chart adds this many rate points to each stage rate alone "
        "(1 % makes a 20 % rate 21 % and a 1.5 % rate 2.5 %, capped at 100 %) and ranks the "
        "levers by the revenue they add: the lowest rates gain most from a point.",
    )
    validate(sheet, [a.sensitivity_step], "positive_rate", "Sensitivity step")

    groups.bridge(sheet, config, layout)
    groups.calendar(sheet, config, layout)
    groups.budget(sheet, config, layout)
    groups.sales(sheet, config, layout)
    groups.channels(sheet, config, layout)

    set_widths(sheet, {"A": 2, "B": 32, "C": 16, "D": 16, "E": 16})
    for col in range(6, 6 + 10):
        sheet.column_dimensions[get_column_letter(col)].width = 11
    sheet.freeze_panes = sheet.cell(SUBTITLE_ROW + 1, 1).coordinate
    setup_print(sheet, landscape=False, title_rows=f"{TITLE_ROW}:{SUBTITLE_ROW}")
