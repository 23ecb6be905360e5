"""Tracking, per stage: plan against actual, where the year is heading, catch-up, diagnosis.

Native formulas mirroring the core (:mod:`xl_funnel.tracking`, :mod:`xl_funnel.
tracking_diagnosis`); the tests recalculate them in LibreOffice and ``xl-funnel recalc`` and
compare every figure with the core to 1e-9:

- the plan, variance and % of plan grids: :func:`~xl_funnel.tracking.plan_vs_actual` per
  month, per quarter (the months reported in it) and for the year to date;
- the year table: expected share, projected year end at the current pace
  (:func:`~xl_funnel.tracking.plan_vs_actual`) and at the current rates
  (:func:`~xl_funnel.tracking.projected_at_rates`), status, and the catch-up volumes
  (:func:`~xl_funnel.tracking.catch_up`) at plan and at actual rates;
- the conversion block and the two diagnosis sentences
  (:func:`~xl_funnel.tracking_diagnosis.diagnosis_sentences`).

A figure that needs actuals is an empty cell until they are typed: no error value, no 0.
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.diagnosis import NO_DATA_MESSAGE, ON_PLAN_MESSAGE, advice
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import LABEL_COL, Layout
from xl_funnel.plan.layout_base import nth
from xl_funnel.plan.sheets.tracking_grid import grid_header, month_range
from xl_funnel.plan.sheets.tracking_plan import PLAN_RATES, stage_month
from xl_funnel.plan.styles import (
    BAD_FILL,
    BAD_FONT,
    CURRENCY,
    FINE_PERCENT,
    GOOD_FILL,
    GOOD_FONT,
    NOTE_FONT,
    PERCENT,
    TOTAL_FONT,
    VOLUME,
    put_formula,
    put_text,
    style_header,
)
from xl_funnel.plan.tracking_layout import (
    MONTHS,
    RATE_COLUMNS,
    SUMMARY_ROWS,
    YEAR_COLUMNS,
    TrackingLayout,
)
from xl_funnel.tracking import BEHIND, ON_TRACK

__all__ = ["build", "year_table"]

#: Rounding up ignores this much noise, as the core's ``ceil_whole``.
CEIL = "1E-9"
#: How each year-table column is formatted.
YEAR_FORMATS = {"expected_share": PERCENT, "percent_of_plan": PERCENT, "pace": PERCENT}


def _at(sheet: Worksheet, row: int, col: int) -> str:
    return sheet.cell(row, col).coordinate


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    t = layout.tracking
    _plan_grid(sheet, t)
    _variance_grids(sheet, t)
    year_table(
        sheet,
        t,
        "year_stages",
        "The year by stage",
        "ActualVolumes",
        "plan_stages",
        "StageNames",
    )
    _rates(sheet, config, t)
    _summary(sheet, t)
    _stage_extras(sheet, t)


def _plan_grid(sheet: Worksheet, t: TrackingLayout) -> None:
    header = t.headers["plan_stages"]
    grid_header(sheet, t, header, "Plan by stage", "Year plan")
    style_header(sheet.cell(header, t.ytd_col), "Plan of the months reported")
    actual = t.input_first["ActualVolumes"]
    for i in range(t.stages):
        row = t.first("plan_stages") + i
        put_formula(sheet.cell(row, LABEL_COL), f"=INDEX(StageNames,{i + 1})")
        for m in range(MONTHS):
            put_formula(sheet.cell(row, t.month_col(m)), f"={stage_month(i, m)}", VOLUME)
        for q, col in enumerate(t.quarter_cols):
            put_formula(sheet.cell(row, col), f"=SUM({month_range(t, row, 3 * q, 3)})", VOLUME)
        typed = month_range(t, actual + i)
        put_formula(
            sheet.cell(row, t.ytd_col),
            f'=IF(COUNT({typed})=0,"",SUMIF({typed},"<>",{month_range(t, row)}))',
            VOLUME,
        )
        put_formula(sheet.cell(row, t.year_col), f"=SUM({month_range(t, row)})", VOLUME)


def _variance_grids(sheet: Worksheet, t: TrackingLayout) -> None:
    """Variance and % of plan, per month, per quarter (months reported), to date, year."""
    for key, title, fmt in (
        ("variance_stages", "Variance by stage (actual − plan)", VOLUME),
        ("percent_stages", "% of plan by stage", PERCENT),
    ):
        grid_header(sheet, t, t.headers[key], title)
        for i in range(t.stages):
            row = t.first(key) + i
            actual, plan = t.input_first["ActualVolumes"] + i, t.first("plan_stages") + i
            put_formula(sheet.cell(row, LABEL_COL), f"=INDEX(StageNames,{i + 1})")
            cells = []
            for m in range(MONTHS):
                col = t.month_col(m)
                cells.append((col, _at(sheet, actual, col), _at(sheet, plan, col)))
            for q, col in enumerate(t.quarter_cols):
                typed, planned = month_range(t, actual, 3 * q, 3), month_range(t, plan, 3 * q, 3)
                cells.append((col, _at(sheet, actual, col), f'SUMIF({typed},"<>",{planned})'))
            for col in (t.ytd_col, t.year_col):
                cells.append((col, _at(sheet, actual, col), _at(sheet, plan, col)))
            for col, a, p in cells:
                if key == "variance_stages":
                    formula = f'=IF(ISNUMBER({a}),{a}-{p},"")'
                else:
                    formula = f'=IF(ISNUMBER({a}),IF({p}=0,"",{a}/{p}),"")'
                put_formula(sheet.cell(row, col), formula, fmt)
    _pace_colours(sheet, t, t.first("percent_stages"), t.stages, t.month_col(0), t.year_col)


def _pace_colours(sheet: Worksheet, t: TrackingLayout, first: int, rows: int, c0: int, c1: int):
    top_left = _at(sheet, first, c0)
    cells = f"{top_left}:{_at(sheet, first + rows - 1, c1)}"
    for test, fill, font in (
        (">=", GOOD_FILL, GOOD_FONT),
        ("<", BAD_FILL, BAD_FONT),
    ):
        sheet.conditional_formatting.add(
            cells,
            FormulaRule(
                formula=[f"AND(ISNUMBER({top_left}),{top_left}{test}OnTrackThreshold)"],
                fill=fill,
                font=font,
            ),
        )


def year_table(
    sheet: Worksheet,
    t: TrackingLayout,
    key: str,
    title: str,
    inputs: str,
    plan_block: str,
    names: str,
) -> None:
    """Actual to date against the plan, expected share, pace and status, one row per input row.

    Stages get the whole of :data:`YEAR_COLUMNS`; channels the first nine
    (:data:`~xl_funnel.plan.tracking_layout.CHANNEL_YEAR_COLUMNS`).
    """
    header = t.headers[key]
    stages = key == "year_stages"
    columns = YEAR_COLUMNS if stages else YEAR_COLUMNS[:9]
    style_header(sheet.cell(header, LABEL_COL), title)
    for name, text in columns:
        style_header(sheet.cell(header, t.col(name)), text)
    for i in range(t.block_rows(inputs)):
        row = t.first(key) + i
        ytd = _at(sheet, t.input_first[inputs] + i, t.ytd_col)
        planned = t.first(plan_block) + i
        c = {name: _at(sheet, row, t.col(name)) for name, _ in columns}
        put_formula(sheet.cell(row, LABEL_COL), "=" + nth(names, t.first(key), row))
        formulas = {
            "year_plan": f"={_at(sheet, planned, t.year_col)}",
            "plan_to_date": f'=IF(ISNUMBER({ytd}),{_at(sheet, planned, t.ytd_col)},"")',
            "actual_to_date": f'=IF(ISNUMBER({ytd}),{ytd},"")',
            "variance": f'=IF(ISNUMBER({ytd}),{ytd}-{c["plan_to_date"]},"")',
            "percent_of_plan": (
                f'=IF(ISNUMBER({ytd}),IF({c["plan_to_date"]}=0,"",{ytd}/{c["plan_to_date"]}),"")'
            ),
            "expected_share": (
                f"=IF(AND(ISNUMBER({ytd}),{c['year_plan']}>0),"
                f'{c["plan_to_date"]}/{c["year_plan"]},"")'
            ),
            "projected": (
                f"=IF(ISNUMBER({c['expected_share']}),IF({c['expected_share']}>0,"
                f'{ytd}/{c["expected_share"]},""),"")'
            ),
            "pace": f'=IF(ISNUMBER({c["projected"]}),{c["projected"]}/{c["year_plan"]},"")',
            "status": (
                f'=IF(ISNUMBER({c["pace"]}),IF({c["pace"]}>=OnTrackThreshold,"{ON_TRACK}",'
                f'"{BEHIND}"),"")'
            ),
        }
        for name, _ in columns:
            if name in formulas:
                fmt = YEAR_FORMATS.get(name, None if name == "status" else VOLUME)
                put_formula(sheet[c[name]], formulas[name], fmt)
    first, last = t.first(key), t.first(key) + t.block_rows(inputs) - 1
    _pace_colours(sheet, t, first, last - first + 1, t.col("pace"), t.col("pace"))
    status = f"{_at(sheet, first, t.col('status'))}:{_at(sheet, last, t.col('status'))}"
    top = _at(sheet, first, t.col("status"))
    for text, fill, font in ((ON_TRACK, GOOD_FILL, GOOD_FONT), (BEHIND, BAD_FILL, BAD_FONT)):
        sheet.conditional_formatting.add(
            status, FormulaRule(formula=[f'{top}="{text}"'], fill=fill, font=font)
        )


def _stage_extras(sheet: Worksheet, t: TrackingLayout) -> None:
    """Year-table columns only stages have: the projection at current rates and catch-up."""
    rates = t.first("rates")
    plan_col, actual_col = t.col("plan"), t.col("to_date")
    target, won = t.summary("target").ref, t.summary("won").ref
    left = t.summary("months_left").ref
    for i in range(t.stages):
        row = t.first("year_stages") + i
        c = {name: _at(sheet, row, t.col(name)) for name, _ in YEAR_COLUMNS}
        factors = "".join(
            f"*({_at(sheet, rates + k, actual_col)}/{_at(sheet, rates + k, plan_col)})"
            for k in range(i)
        )
        measured = (
            f"COUNT({_at(sheet, rates, actual_col)}:{_at(sheet, rates + i - 1, actual_col)})={i}"
            if i
            else "TRUE"
        )
        put_formula(
            sheet[c["projected_rates"]],
            f"=IF(AND(ISNUMBER({c['actual_to_date']}),{measured}),{c['actual_to_date']}+"
            f'({c["year_plan"]}-{c["plan_to_date"]}){factors},"")',
            VOLUME,
        )
    # Catch-up, bottom-up: the customers still needed, then each stage above at a rate.
    for name, rate_col in (("catch_up_plan", plan_col), ("catch_up_actual", actual_col)):
        col = t.col(name)
        bottom = t.first("year_stages") + t.stages - 1
        put_formula(
            sheet.cell(bottom, col),
            f"=ROUNDUP(MAX(MAX({target}-N({won}),0)-{CEIL},0),0)",
            VOLUME,
        )
        for i in range(t.stages - 2, -1, -1):
            row = t.first("year_stages") + i
            below = _at(sheet, row + 1, col)
            rate = _at(sheet, rates + i, rate_col)
            put_formula(
                sheet.cell(row, col),
                f"=IF(AND(ISNUMBER({below}),ISNUMBER({rate}),N({rate})>0),"
                f'ROUNDUP(MAX({below}/{rate}-{CEIL},0),0),"")',
                VOLUME,
            )
        per_month = t.col(name.replace("catch_up", "per_month"))
        for i in range(t.stages):
            row = t.first("year_stages") + i
            volume = _at(sheet, row, col)
            put_formula(
                sheet.cell(row, per_month),
                f"=IF(AND(ISNUMBER({volume}),{left}>0),"
                f'ROUNDUP(MAX({volume}/{left}-{CEIL},0),0),"")',
                VOLUME,
            )


def _rates(sheet: Worksheet, config: PlanConfig, t: TrackingLayout) -> None:
    header = t.headers["rates"]
    style_header(sheet.cell(header, LABEL_COL), "Conversion against plan (steps)")
    for name, text in RATE_COLUMNS:
        style_header(sheet.cell(header, t.col(name)), text)
    first, steps = t.first("rates"), t.stages - 1
    actual = t.input_first["ActualVolumes"]
    ratio_range = (
        f"{_at(sheet, first, t.col('ratio'))}:{_at(sheet, first + steps - 1, t.col('ratio'))}"
    )
    names = config.stage_names
    target = t.summary("target").ref
    for k in range(steps):
        row = first + k
        c = {name: _at(sheet, row, t.col(name)) for name, _ in RATE_COLUMNS}
        put_formula(
            sheet.cell(row, LABEL_COL),
            f'=INDEX(StageNames,{k + 1})&"→"&INDEX(StageNames,{k + 2})',
        )
        put_formula(sheet[c["plan"]], f"=INDEX({PLAN_RATES},{k + 1})", PERCENT)
        quarters = zip(("q1", "q2", "q3", "q4"), t.quarter_cols, strict=True)
        for key, col in (*quarters, ("to_date", t.ytd_col)):
            upper, lower = _at(sheet, actual + k, col), _at(sheet, actual + k + 1, col)
            put_formula(
                sheet[c[key]],
                f'=IF(AND(ISNUMBER({upper}),ISNUMBER({lower}),N({upper})>0),{lower}/{upper},"")',
                FINE_PERCENT,
            )
        put_formula(
            sheet[c["ratio"]],
            f'=IF(ISNUMBER({c["to_date"]}),ROUND({c["to_date"]}/{c["plan"]},9),"")',
            PERCENT,
        )
        above = (
            f"+COUNTIF({_at(sheet, first, t.col('ratio'))}:{_at(sheet, row - 1, t.col('ratio'))},"
            f"{c['ratio']})"
            if k
            else ""
        )
        put_formula(
            sheet[c["rank"]],
            f'=IF(ISNUMBER({c["ratio"]}),IF({c["ratio"]}<1,COUNTIF({ratio_range},"<"&'
            f'{c["ratio"]}){above}+1,""),"")',
            "0",
        )
        put_formula(
            sheet[c["cost"]],
            f'=IF(ISNUMBER({c["ratio"]}),{target}*MAX(0,1-{c["ratio"]}),"")',
            VOLUME,
        )
        put_text(sheet[c["advice"]], advice(names[k], names[k + 1])).font = NOTE_FONT
        lost = f"ROUND({c['cost']},0)"
        put_formula(
            sheet[c["sentence"]],
            f'=IF(AND(ISNUMBER({c["ratio"]}),{c["ratio"]}<1),{_at(sheet, row, LABEL_COL)}&" at "&'
            f'ROUND({c["to_date"]}*100,1)&" % against "&ROUND({c["plan"]}*100,1)&" % costs "&'
            f'IF({lost}<1,"less than one customer","about "&{lost}&IF({lost}=1," customer",'
            f'" customers"))&" by year end: "&{c["advice"]}&".","")',
        )
    ratio_top = _at(sheet, first, t.col("ratio"))
    for test, fill, font in (("<1", BAD_FILL, BAD_FONT), (">=1", GOOD_FILL, GOOD_FONT)):
        sheet.conditional_formatting.add(
            ratio_range,
            FormulaRule(
                formula=[f"AND(ISNUMBER({ratio_top}),{ratio_top}{test})"], fill=fill, font=font
            ),
        )


def _summary(sheet: Worksheet, t: TrackingLayout) -> None:
    header = t.headers["summary"]
    style_header(sheet.cell(header, LABEL_COL), "Where the year is heading")
    style_header(sheet.cell(header, t.first_month_col), "Value")
    last_stage = t.stages - 1
    year_row = t.first("year_stages") + last_stage
    ytd = _at(sheet, t.input_first["ActualVolumes"] + last_stage, t.ytd_col)
    actual = t.input_first["ActualVolumes"]
    first, steps = t.first("rates"), t.stages - 1

    def rate_range(name: str) -> str:
        col = t.col(name)
        return f"{_at(sheet, first, col)}:{_at(sheet, first + steps - 1, col)}"

    reported = ",".join(
        f"IF(COUNT({_at(sheet, actual, t.month_col(m))}:"
        f"{_at(sheet, actual + t.stages - 1, t.month_col(m))})>0,{m + 1},0)"
        for m in range(MONTHS)
    )
    s = {key: t.summary(key).ref for key, _ in SUMMARY_ROWS}
    sentences, ranks = rate_range("sentence"), rate_range("rank")
    formulas = {
        "target": (f"={_at(sheet, t.first('plan_stages') + last_stage, t.year_col)}", VOLUME),
        "won": (f'=IF(ISNUMBER({ytd}),{ytd},"")', VOLUME),
        "months_reported": (f"=MAX({reported})", "0"),
        "months_left": (f"={MONTHS}-{s['months_reported']}", "0"),
        "projected": (f"={_at(sheet, year_row, t.col('projected'))}", VOLUME),
        "projected_rates": (f"={_at(sheet, year_row, t.col('projected_rates'))}", VOLUME),
        "shortfall_customers": (
            f'=IF(ISNUMBER({s["projected"]}),MAX({s["target"]}-{s["projected"]},0),"")',
            VOLUME,
        ),
        "shortfall_revenue": (
            f'=IF(ISNUMBER({s["shortfall_customers"]}),{s["shortfall_customers"]}*AvgDealSize,"")',
            CURRENCY,
        ),
        "diagnosis_1": (
            f'=IF(COUNT({rate_range("to_date")})=0,"{NO_DATA_MESSAGE}",IF(COUNT({ranks})=0,'
            f'"{ON_PLAN_MESSAGE}",INDEX({sentences},MATCH(1,{ranks},0))))',
            None,
        ),
        "diagnosis_2": (
            f'=IF(COUNT({ranks})<2,"",INDEX({sentences},MATCH(2,{ranks},0)))',
            None,
        ),
    }
    for key, label in SUMMARY_ROWS:
        ref = t.summary(key)
        put_text(sheet.cell(ref.row, LABEL_COL), label)
        formula, fmt = formulas[key]
        cell = put_formula(sheet[ref.ref], formula, fmt)
        if key.startswith(("diagnosis", "shortfall")):
            cell.font = TOTAL_FONT
