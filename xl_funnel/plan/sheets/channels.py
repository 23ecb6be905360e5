"""Channels: what each channel's budget buys (leads → customers → revenue) and what it returns.

The formulas mirror ``xl_funnel.channels.channel_metrics``: CPL, cost per MQL, CAC, ROI, share
of spend, share of customers and their ratio (the efficiency index). A ratio with nothing to
divide by shows ``n/a`` instead of an error value. A channel is flagged when its share of spend
exceeds ``SpendFlagRatio`` × its share of customers (seed 004: three times the cost should bring
three times the conversions).

A check above the table compares the customers the channel mix brings (each channel's leads at
its own rate to the next stage) with the customers the plan's funnel must bring: when the
channels' rates do not average the plan's rate, weighted by their lead shares, the two differ,
and so do the revenue, ROI and CAC computed from the channels. More than ``MIX_TOLERANCE``
apart, the check says so in red (and the Dashboard repeats it under its KPIs).
"""

from __future__ import annotations

from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import (
    CHANNEL_COLUMNS,
    CHANNEL_MONEY,
    CHANNELS,
    LABEL_COL,
    SUBTITLE_ROW,
    TITLE_ROW,
    ChannelsLayout,
    Layout,
    Ref,
)
from xl_funnel.plan.layout_base import nth
from xl_funnel.plan.sheets.formulas import ceil_whole_formula, stage_position
from xl_funnel.plan.styles import (
    BAD_FILL,
    BAD_FONT,
    CURRENCY,
    MONTH,
    MULTIPLE,
    NOTE_FONT,
    PERCENT,
    RIGHT,
    TOTAL_BORDER,
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

__all__ = [
    "FLAG_TEXT",
    "MIX_OFF_PLAN",
    "MIX_ON_PLAN",
    "MIX_TOLERANCE",
    "NOT_AVAILABLE",
    "build",
    "mix_off_plan",
]

FLAG_TEXT = "Spend far exceeds results"
NOT_AVAILABLE = "n/a"
#: The channel mix is off plan when its customers and the funnel's differ by more than this.
MIX_TOLERANCE = 0.01
#: The check's sentences; ``{mix}`` and ``{plan}`` are customers to one decimal, ``{ratio}``
#: the mix's share of the plan in percent to one decimal (the sheet writes them with FIXED).
MIX_ON_PLAN = "The channel mix brings {mix} customers; at the plan's rates {plan}."
MIX_OFF_PLAN = (
    "Off plan: the channel mix brings {mix} customers, {ratio} % of the {plan} the plan's "
    "rates give. Revenue, ROI, CAC and Plan ROI count the channels' customers: check the "
    "channels' stages, shares and rates."
)

FORMATS = {
    "budget": CURRENCY,
    "share_of_spend": PERCENT,
    "leads": VOLUME,
    "units_bought": VOLUME,
    "mql_rate": PERCENT,
    "mqls": VOLUME,
    "customers": VOLUME,
    "revenue": CURRENCY,
    "cpl": CURRENCY,
    "cost_per_mql": CURRENCY,
    "cac": CURRENCY,
    "roi": PERCENT,
    "share_of_customers": PERCENT,
    "efficiency_index": MULTIPLE,
}


def _ratio(numerator: str, denominator: str) -> str:
    return f'IF(N({denominator})=0,"{NOT_AVAILABLE}",{numerator}/{denominator})'


def _flag(share_of_spend: str, share_of_customers: str) -> str:
    both = f"AND(ISNUMBER({share_of_spend}),ISNUMBER({share_of_customers}))"
    far = f"{share_of_spend}>SpendFlagRatio*{share_of_customers}"
    return f'=IF({both},IF({far},"{FLAG_TEXT}",""),"")'


def mix_off_plan(ratio: str) -> str:
    """True when the channel mix ÷ plan `ratio` (a cell) is more than 1 % from 1."""
    return f"AND(ISNUMBER({ratio}),ABS({ratio}-1)>{MIX_TOLERANCE})"


def _sentence(template: str, parts: dict[str, str]) -> str:
    """`template` as a text formula, each ``{key}`` replaced by the expression ``parts[key]``."""
    pieces = [parts.get(text, f'"{text}"') for text in template.replace("}", "{").split("{")]
    return "&".join(piece for piece in pieces if piece != '""')


def _mix_check(sheet: Worksheet, c: ChannelsLayout, to_customer: Ref) -> None:
    ratio = c.mix_ratio.ref
    positions, units = c.column("entry_position").abs, c.column("leads").abs
    plan = "=" + "+".join(
        f"SUMPRODUCT(({positions}={i + 1})*{units})*{to_customer.cell(i).qualified}"
        for i in range(to_customer.rows - 1)
    )
    rows = (
        (c.mix_customers, "Customers the channel mix brings", f"={c.total('customers').ref}"),
        (c.plan_customers, "Customers those units bring at the plan's rates", plan),
        (
            c.mix_ratio,
            "Channel mix ÷ plan",
            "=" + _ratio(c.mix_customers.ref, c.plan_customers.ref),
        ),
    )
    for ref, label, formula in rows:
        put_text(sheet.cell(ref.row, LABEL_COL), label).font = TOTAL_FONT
        number_format = PERCENT if ref is c.mix_ratio else VOLUME
        put_formula(sheet[ref.ref], formula, number_format).alignment = RIGHT
    parts = {
        "mix": f"FIXED({c.mix_customers.ref},1)",
        "plan": f"FIXED({c.plan_customers.ref},1)",
        "ratio": f"FIXED({ratio}*100,1)",
    }
    put_text(sheet.cell(c.mix_check.row, LABEL_COL), "Check").font = TOTAL_FONT
    put_formula(
        sheet[c.mix_check.ref],
        f"=IF(ISNUMBER({ratio}),IF({mix_off_plan(ratio)},{_sentence(MIX_OFF_PLAN, parts)},"
        f'{_sentence(MIX_ON_PLAN, parts)}),"")',
    )
    sheet.conditional_formatting.add(
        c.mix_check.ref,
        FormulaRule(formula=[mix_off_plan(c.mix_ratio.abs)], fill=BAD_FILL, font=BAD_FONT),
    )


def _money(sheet: Worksheet, c: ChannelsLayout) -> None:
    """Budget needed for the plan against the budget given, and what the budget buys."""
    m = c.money
    variable = f"({m['needed'].ref}-{m['fixed'].ref})"
    formulas = {
        "needed": ("=TotalBudget", CURRENCY),
        "fixed": ("=SUM(ChannelFixedCosts)", CURRENCY),
        "cap": (f"=IF(ISNUMBER(BudgetCap),BudgetCap,{m['needed'].ref})", CURRENCY),
        "gap": (f"=MAX({m['needed'].ref}-{m['cap'].ref},0)", CURRENCY),
        # Fixed costs are paid first; the rest buys the same share of every channel's
        # variable volume.
        "bought": (
            f"=IF({variable}<=0,1,MIN(1,MAX({m['cap'].ref}-{m['fixed'].ref},0)/{variable}))",
            PERCENT,
        ),
        "customers_bought": (
            f"=CustomersNeeded-(1-{m['bought'].ref})*NewPipelineCustomers",
            VOLUME,
        ),
        "customer_gap": (f"=CustomersNeeded-{m['customers_bought'].ref}", VOLUME),
    }
    for key, label in CHANNEL_MONEY:
        formula, number_format = formulas[key]
        put_text(sheet.cell(m[key].row, LABEL_COL), label).font = (
            TOTAL_FONT if key in ("needed", "cap", "customers_bought") else NOTE_FONT
        )
        put_formula(sheet[m[key].ref], formula, number_format).alignment = RIGHT
    for key in ("gap", "customer_gap"):
        sheet.conditional_formatting.add(
            m[key].ref, CellIsRule(operator="greaterThan", formula=["0"], font=BAD_FONT)
        )


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    c, f = layout.channels, layout.funnel
    put_title(sheet.cell(TITLE_ROW, LABEL_COL), title_formula("Channels"))
    style_subtitle(
        sheet.cell(SUBTITLE_ROW, LABEL_COL),
        "What each channel must bring of the stage it enters at, what that costs (units × cost "
        f'per unit + fixed) and what it returns. "{FLAG_TEXT}": its share of spend is more '
        "than SpendFlagRatio × its share of customers.",
    )
    _mix_check(sheet, c, f.to_customer)
    _money(sheet, c)

    for key, title in CHANNEL_COLUMNS:
        style_header(sheet.cell(c.header, c.columns[key]), title)

    col = {key: get_column_letter(index) for key, index in c.columns.items()}
    total_customers = c.total("customers").abs
    stages = len(config.stage_names)
    for k in range(c.count):
        row = c.first + k

        def at(key: str, row: int = row) -> str:
            return f"{col[key]}{row}"

        volumes = Ref(
            CHANNELS,
            c.monthly_volumes.row + k,
            c.monthly_volumes.col,
            None,
            c.monthly_volumes.last_col,
        )
        budget = Ref(
            CHANNELS,
            c.monthly_budget.row + k,
            c.monthly_budget.col,
            None,
            c.monthly_budget.last_col,
        )
        own_rate = nth("ChannelMQLRates", c.first, row)
        formulas = {
            "name": "=" + nth("ChannelNames", c.first, row),
            "entry_stage": "=" + nth("ChannelEntryStages", c.first, row),
            "entry_position": "=" + stage_position(at("entry_stage"), stages),
            "budget": f"=SUM({budget.ref})",
            "share_of_spend": "=" + _ratio(at("budget"), "TotalBudget"),
            "leads": f"=SUM({volumes.ref})",
            "units_bought": f"={at('leads')}*{c.money['bought'].abs}",
            # The channel's own rate, or the typed plan rate at its stage (not the derived
            # one: the Funnel derives the plan's rate from these).
            "mql_rate": f"=IF(ISNUMBER({own_rate}),{own_rate},"
            f"INDEX(StageRates,{at('entry_position')}))",
            "mqls": f"={at('leads')}*{at('mql_rate')}",
            "customers": f"={at('mqls')}*INDEX({f.to_customer.qualified},{at('entry_position')}+1)",
            "revenue": f"={at('customers')}*AvgDealSize",
            "cpl": "=" + _ratio(at("budget"), at("leads")),
            "cost_per_mql": "=" + _ratio(at("budget"), at("mqls")),
            "cac": "=" + _ratio(at("budget"), at("customers")),
            "roi": "=" + _ratio(f"({at('revenue')}-{at('budget')})", at("budget")),
            "share_of_customers": "=" + _ratio(at("customers"), total_customers),
            "efficiency_index": f"=IF(AND(ISNUMBER({at('share_of_customers')}),"
            f"N({at('share_of_spend')})>0),{at('share_of_customers')}/{at('share_of_spend')},"
            f'"{NOT_AVAILABLE}")',
            "flag": _flag(at("share_of_spend"), at("share_of_customers")),
        }
        for key, formula in formulas.items():
            cell = put_formula(sheet.cell(row, c.columns[key]), formula, FORMATS.get(key))
            if key in FORMATS:
                cell.alignment = RIGHT  # "n/a" lines up with the numbers
        sheet.cell(row, c.columns["entry_position"]).font = NOTE_FONT

    totals = c.totals
    first, last = c.first, c.first + c.count - 1

    def total(key: str) -> str:
        return f"{col[key]}{totals}"

    def column_sum(key: str) -> str:
        return f"=SUM({col[key]}{first}:{col[key]}{last})"

    total_formulas = {
        "budget": column_sum("budget"),
        "share_of_spend": column_sum("share_of_spend"),
        "leads": column_sum("leads"),
        "units_bought": column_sum("units_bought"),
        "mql_rate": "=" + _ratio(total("mqls"), total("leads")),
        "mqls": column_sum("mqls"),
        "customers": column_sum("customers"),
        "revenue": column_sum("revenue"),
        "cpl": "=" + _ratio(total("budget"), total("leads")),
        "cost_per_mql": "=" + _ratio(total("budget"), total("mqls")),
        "cac": "=" + _ratio(total("budget"), total("customers")),
        "roi": "=" + _ratio(f"({total('revenue')}-{total('budget')})", total("budget")),
        "share_of_customers": column_sum("share_of_customers"),
    }
    label = put_text(sheet.cell(totals, c.columns["name"]), "Total")
    label.font, label.border = TOTAL_FONT, TOTAL_BORDER
    for key in (k for k, _ in CHANNEL_COLUMNS if k != "name"):
        cell = sheet.cell(totals, c.columns[key])
        if key in total_formulas:
            put_formula(cell, total_formulas[key], FORMATS.get(key))
        cell.font, cell.border = TOTAL_FONT, TOTAL_BORDER

    flag_range = f"{col['flag']}{first}:{col['flag']}{last}"
    sheet.conditional_formatting.add(
        flag_range,
        FormulaRule(formula=[f'{col["flag"]}{first}<>""'], fill=BAD_FILL, font=BAD_FONT),
    )
    roi_range = f"{col['roi']}{first}:{col['roi']}{totals}"
    sheet.conditional_formatting.add(
        roi_range,
        CellIsRule(operator="lessThan", formula=["0"], font=BAD_FONT),
    )
    _monthly_blocks(sheet, config, layout)

    widths = {"A": 2, "B": 30}
    for key, index in c.columns.items():
        if key != "name":
            widths[get_column_letter(index)] = 14
    widths[col["flag"]] = 26
    set_widths(sheet, widths)
    sheet.freeze_panes = sheet.cell(c.header + 1, LABEL_COL + 1).coordinate
    setup_print(sheet, title_rows=f"{c.header}:{c.header}")


def _so_far(position: str, month: str) -> str:
    """The stage's generated volume from the first fiscal month through ``month``."""
    return f"SUM(INDEX(MonthlyVolumes,{position},1):INDEX(MonthlyVolumes,{position},{month}))"


def _monthly_blocks(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    """Channels × fiscal months: the units each must bring, then the budget that needs.

    Units = the month's generated volume of the channel's stage × its share; budget = units ×
    cost per unit + a twelfth of the fixed cost (``ChannelMonthlyVolumes``,
    ``ChannelMonthlyBudget``; quarters and the year beside the budget).
    """
    c = layout.channels
    units_format = WHOLE if config.whole_units else VOLUME
    blocks = (
        (c.volume_header, "Units each channel must bring / month", c.monthly_volumes),
        (c.budget_header, "Budget needed / month", c.monthly_budget),
    )
    for header, title, block in blocks:
        style_header(sheet.cell(header, LABEL_COL), title)
        for t in range(12):
            cell = sheet.cell(header, block.col + t)
            put_header_formula(
                cell, f"=DATE(YEAR(FiscalYearStart),MONTH(FiscalYearStart)+{t},1)", MONTH
            )
    for q in range(4):
        style_header(sheet.cell(c.budget_header, c.quarterly_budget.col + q), f"Q{q + 1}")
    for k in range(c.count):
        for block in (c.monthly_volumes, c.monthly_budget):
            name = "=" + nth("ChannelNames", block.row, block.row + k)
            put_formula(sheet.cell(block.row + k, LABEL_COL), name)
        position = f"${get_column_letter(c.columns['entry_position'])}{c.first + k}"
        units_row = c.monthly_volumes.row + k
        share = (
            f"{nth('ChannelLeadShares', c.monthly_volumes.row, units_row)}/SUM(ChannelLeadShares)"
        )
        budget_row = c.monthly_budget.row + k
        unit_cost = nth("ChannelUnitCosts", c.monthly_budget.row, budget_row)
        fixed_cost = nth("ChannelFixedCosts", c.monthly_budget.row, budget_row)
        for t in range(12):
            units = c.monthly_volumes.cell(k, t)
            # The month's number counted along the header row from the block's first column,
            # so that every cell of the block has one formula (see layout_base.nth); not along
            # its own row, which would hold the cell itself (a circular reference).
            first, here = get_column_letter(c.monthly_volumes.col), get_column_letter(units.col)
            header = c.volume_header
            month = f"COLUMNS(${first}${header}:{here}${header})"
            exact = f"INDEX(MonthlyVolumes,{position},{month})*{share}"
            # Whole units: the channel's running total rounded up, less the running total up
            # to the month before (channel_units).
            whole = (
                ceil_whole_formula(f"{_so_far(position, month)}*{share}")
                + f"-IF({month}=1,0,"
                + ceil_whole_formula(f"{_so_far(position, f'MAX(1,{month}-1)')}*{share}")
                + ")"
            )
            put_formula(sheet[units.ref], f"=IF(WholeUnits,{whole},{exact})", units_format)
            put_formula(
                sheet[c.monthly_budget.cell(k, t).ref],
                f"={units.ref}*N({unit_cost})+N({fixed_cost})/12",
                CURRENCY,
            )
        for q in range(4):
            first = c.monthly_budget.cell(k, 3 * q)
            span = Ref(CHANNELS, first.row, first.col, None, first.col + 2)
            put_formula(sheet[c.quarterly_budget.cell(k, q).ref], f"=SUM({span.ref})", CURRENCY)
    put_text(sheet.cell(c.budget_month_totals.row, LABEL_COL), "Total").font = TOTAL_FONT
    for j in range(16):
        column = c.monthly_budget.col + j
        cells = Ref(CHANNELS, c.monthly_budget.row, column, c.monthly_budget.last_row, column)
        total = put_formula(
            sheet.cell(c.budget_month_totals.row, column), f"=SUM({cells.ref})", CURRENCY
        )
        total.font, total.border = TOTAL_FONT, TOTAL_BORDER
