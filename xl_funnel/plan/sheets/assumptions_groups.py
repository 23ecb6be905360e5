"""Assumptions input groups added for the rolling calendar, money and sales: described as
data where they share a shape (label, value, format, note, help, validation)."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.annotate import comment, validate, validate_list
from xl_funnel.plan.config import SHARE_SUM_TOLERANCE, PlanConfig
from xl_funnel.plan.layout import LABEL_COL, Layout, Ref
from xl_funnel.plan.styles import (
    BAD_FONT,
    COUNT,
    CURRENCY,
    CURRENCY_CENTS,
    NOTE_FONT,
    PERCENT,
    TOTAL_FONT,
    put_formula,
    put_header_formula,
    put_input,
    put_text,
    style_header,
)

__all__ = ["bridge", "budget", "calendar", "channels", "label", "note", "sales"]


def label(sheet: Worksheet, ref: Ref, text: str) -> None:
    put_text(sheet.cell(ref.row, LABEL_COL), text)


def note(sheet: Worksheet, ref: Ref, text: str) -> None:
    """A short hint to the right of a scalar input."""
    cell = put_text(sheet.cell(ref.row, ref.col + 1), text)
    cell.font = NOTE_FONT


def calendar(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    """Whole units, next year's growth and the pipeline the year starts with."""
    a = layout.assumptions
    label(sheet, a.whole_units, "Whole units")
    put_input(sheet[a.whole_units.ref], config.whole_units)
    note(sheet, a.whole_units, "TRUE: monthly targets in whole units; FALSE: exact")
    comment(
        sheet,
        a.whole_units,
        "TRUE: every month's target is a whole number, rounded up so that by each month end "
        "the plan is never behind the exact need (the year adds up to the need rounded up). "
        "FALSE: exact fractions.",
    )
    validate_list(sheet, [a.whole_units], '"TRUE,FALSE"', "Whole units")
    label(sheet, a.next_year_growth, "Next year's growth (optional)")
    put_input(sheet[a.next_year_growth.ref], config.next_year_growth, PERCENT)
    note(sheet, a.next_year_growth, "empty: the plan's growth (historical + uplift)")
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


def budget(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    a = layout.assumptions
    label(sheet, a.budget_cap, "Budget given (optional)")
    put_input(sheet[a.budget_cap.ref], config.budget_cap, CURRENCY)
    note(sheet, a.budget_cap, "empty: the plan gets the budget it needs")
    comment(
        sheet,
        a.budget_cap,
        "The money the plan is given for the year. Below the budget needed, channels buy "
        "the same share of their variable volume (fixed costs are paid first), and Channels "
        "shows the customers it buys and the gap to the goal.",
    )
    validate(sheet, [a.budget_cap], "amount", "Budget given")


def channels(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
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
    share_total = a.channel_share_total
    put_formula(sheet[share_total.ref], "=SUM(ChannelLeadShares)", PERCENT).font = TOTAL_FONT
    check = put_formula(
        sheet.cell(totals, a.channel_mql_rates.col),
        f"=IF(ABS(SUM(ChannelLeadShares)-1)>{SHARE_SUM_TOLERANCE},"
        '"Shares do not sum to 100 %: they are scaled to 100 %","")',
    )
    check.font = BAD_FONT


def bridge(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
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


def sales(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
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
    for ref, title, value, number_format, hint, help_text, rule in fields:
        label(sheet, ref, title)
        put_input(sheet[ref.ref], value, number_format)
        note(sheet, ref, hint)
        comment(sheet, ref, help_text)
        validate(sheet, [ref], rule, title)
