"""Objectives: SMART objectives with a baseline, target, deadline, owner and progress.

One row per objective (seed 003's six examples in the built-in plan, from
:data:`xl_funnel.objectives.SEED_OBJECTIVES`), built in one loop. Baselines and current values
link to the plan or the Tracking sheet where one exists (monthly new revenue, spend, the cost
per click on Channel KPIs); the rest are yellow inputs. Progress, expected progress by the
"as of" day (linear) and status mirror :func:`~xl_funnel.objectives.objective_progress`,
:func:`~xl_funnel.objectives.expected_progress` and :func:`~xl_funnel.objectives.
objective_status`.
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.objectives import ACHIEVED, BEHIND, ON_TRACK, SEED_OBJECTIVES
from xl_funnel.plan.annotate import comment
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.kpi_layout import OBJECTIVE_COLUMNS, kpi_layout, objectives_layout
from xl_funnel.plan.layout import LABEL_COL, SUBTITLE_ROW, TITLE_ROW, Layout
from xl_funnel.plan.styles import (
    BAD_FILL,
    BAD_FONT,
    CURRENCY,
    CURRENCY_CENTS,
    DATE,
    GOOD_FILL,
    GOOD_FONT,
    PERCENT,
    WRAP,
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

__all__ = ["build", "current_formula"]

FORMATS = {"money": CURRENCY, "cents": CURRENCY_CENTS, "number": "#,##0"}
WIDTHS = {"objective": 34, "metric": 30, "owner": 16}


def current_formula(layout: Layout, link: str) -> str | None:
    """The formula linking an objective's current value to a tracked figure (None: typed)."""
    t = layout.tracking
    latest = t.summary("months_reported").qualified
    if link in ("revenue", "spend"):
        name = "ActualChannelRevenue" if link == "revenue" else "ActualChannelSpend"
        return f'=IF(N({latest})>0,SUM(INDEX({name},0,{latest})),"")'
    if link == "cpc":
        cpc = kpi_layout().metrics["paid_social"]["cpc"].qualified
        return f'=IF(ISNUMBER({cpc}),{cpc},"")'
    return None


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    o = objectives_layout(len(SEED_OBJECTIVES))
    put_title(sheet.cell(TITLE_ROW, LABEL_COL), title_formula("Objectives"))
    style_subtitle(
        sheet.cell(SUBTITLE_ROW, LABEL_COL),
        "SMART objectives (seed 003): what moves from which baseline to which target by when, "
        "and who owns it. Progress is against a straight line from start to deadline.",
    )
    put_text(sheet.cell(o.today.row, LABEL_COL), "As of")
    put_input(sheet[o.today.ref], None, DATE).value = "=TODAY()"
    comment(sheet, o.today, "Today by default; type a date to see progress as of that day.")
    for key, text in OBJECTIVE_COLUMNS:
        style_header(sheet.cell(o.header, o.col(key)), text)
    today = o.today.abs
    for i, item in enumerate(SEED_OBJECTIVES):
        c = {key: o.cell(i, key).ref for key, _ in OBJECTIVE_COLUMNS}
        fmt = FORMATS[item.unit]
        for key in ("objective", "metric", "owner"):
            put_input(sheet[c[key]], getattr(item, key)).alignment = WRAP
        if isinstance(item.baseline, str):
            put_formula(sheet[c["baseline"]], f"={item.baseline}", fmt)
        else:
            put_input(sheet[c["baseline"]], item.baseline, fmt)
        if item.target is None:
            put_formula(sheet[c["target"]], f"={c['baseline']}*{item.change}", fmt)
        else:
            put_input(sheet[c["target"]], item.target, fmt)
        put_formula(sheet[c["start"]], "=FiscalYearStart", DATE)
        put_formula(
            sheet[c["deadline"]],
            f"=DATE(YEAR({c['start']}),MONTH({c['start']})+{item.months},DAY({c['start']}))",
            DATE,
        )
        linked = current_formula(layout, item.current)
        if linked:
            put_formula(sheet[c["current"]], linked, fmt)
        else:
            put_input(sheet[c["current"]], None, fmt)
        b, t, now = c["baseline"], c["target"], c["current"]
        put_formula(
            sheet[c["progress"]],
            f"=IF(AND(ISNUMBER({now}),ISNUMBER({b}),ISNUMBER({t})),IF({t}<>{b},"
            f'({now}-{b})/({t}-{b}),""),"")',
            PERCENT,
        )
        s, d = c["start"], c["deadline"]
        put_formula(
            sheet[c["expected"]],
            f"=IF(AND(ISNUMBER({today}),ISNUMBER({s}),ISNUMBER({d})),IF({d}>{s},"
            f'MIN(1,MAX(0,({today}-{s})/({d}-{s}))),""),"")',
            PERCENT,
        )
        p, e = c["progress"], c["expected"]
        put_formula(
            sheet[c["status"]],
            f'=IF(AND(ISNUMBER({p}),ISNUMBER({e})),IF(ROUND({p},9)>=1,"{ACHIEVED}",'
            f'IF(ROUND({p},9)>=ROUND({e},9),"{ON_TRACK}","{BEHIND}")),"")',
        )
    first = o.cell(0, "status")
    status = f"{first.ref}:{o.cell(o.rows - 1, 'status').ref}"
    for text, fill, font in (
        (ACHIEVED, GOOD_FILL, GOOD_FONT),
        (ON_TRACK, GOOD_FILL, GOOD_FONT),
        (BEHIND, BAD_FILL, BAD_FONT),
    ):
        sheet.conditional_formatting.add(
            status, FormulaRule(formula=[f'{first.ref}="{text}"'], fill=fill, font=font)
        )
    widths = {"A": 2}
    for key, _ in OBJECTIVE_COLUMNS:
        widths[get_column_letter(o.col(key))] = WIDTHS.get(key, 13)
    set_widths(sheet, widths)
    sheet.freeze_panes = sheet.cell(o.first, LABEL_COL + 1).coordinate
    setup_print(sheet, title_rows=f"{o.header}:{o.header}")
