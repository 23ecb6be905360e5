"""Tracking: quarterly actuals beside the targets, pace to year end, and the quarter's bottleneck.

Pace mirrors :func:`xl_funnel.pacing.pace` with the stage's period targets as the
seasonality: the share of the year expected by now is the target of the periods with actuals
÷ the year's target; projected year end = actual ÷ that share; pace = projected ÷ target.

The diagnosis mirrors :func:`xl_funnel.diagnosis.funnel_gap` (actual rate, plan rate,
actual ÷ plan compared at 9 decimals, ``comparable_ratio``) and the bottleneck sentence
:func:`~xl_funnel.diagnosis.bottleneck_message`: every transition's sentence is written into a
cell when the workbook is generated, and native formulas pick the transition with the lowest
ratio (the first on ties); "on plan" when even the lowest is 1 or more; "no actuals" when none
is defined. A stage counts in a period only when its actual is typed in and the plan expects
some of it in that period, so a stage left empty (customers *Before FY*, when the plan closes
none) is not read as zero conversion.
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.diagnosis import NO_DATA_MESSAGE, ON_PLAN_MESSAGE, transition_message
from xl_funnel.plan.annotate import comment, validate
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import (
    LABEL_COL,
    SUBTITLE_ROW,
    TITLE_ROW,
    TRACKING_YEAR_COLUMNS,
    VALUE_COL,
    Layout,
    Ref,
)
from xl_funnel.plan.styles import (
    BAD_FILL,
    BAD_FONT,
    FINE_PERCENT,
    GOOD_FILL,
    GOOD_FONT,
    NOTE_FONT,
    PERCENT,
    TOTAL_FONT,
    VOLUME,
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

__all__ = ["BEHIND", "ON_TRACK", "build"]

ON_TRACK = "On track"
#: Columns the header over the bottleneck sentences spans (the sentences overflow to the right).
MESSAGE_HEADER_COLUMNS = 6
BEHIND = "Behind"
#: Points: three lines of an 11-point header.
DIAGNOSIS_HEADER_HEIGHT = 45


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    t, f = layout.tracking, layout.funnel
    put_title(sheet.cell(TITLE_ROW, LABEL_COL), title_formula("Tracking"))
    style_subtitle(
        sheet.cell(SUBTITLE_ROW, LABEL_COL),
        "Type each quarter's actual volumes in the yellow cells. Green: at or above "
        "OnTrackThreshold of target; red: below. The bottleneck row names the step furthest "
        "behind its plan rate (seed 001).",
    )
    stages = t.stages

    # Period blocks: target | actual | variance | % of target.
    style_header(sheet.cell(t.column_header, LABEL_COL), "Stage")
    style_header(sheet.cell(t.period_header, LABEL_COL), "")
    for p, name in enumerate(t.periods):
        target_col, actual_col, variance_col, pct_col = t.period_columns[p]
        sheet.merge_cells(
            start_row=t.period_header,
            start_column=target_col,
            end_row=t.period_header,
            end_column=pct_col,
        )
        style_header(sheet.cell(t.period_header, target_col), name)
        for col, text in zip(
            t.period_columns[p], ("Target", "Actual", "Variance", "% of target"), strict=True
        ):
            style_header(sheet.cell(t.column_header, col), text)
    for key, text in TRACKING_YEAR_COLUMNS:
        style_header(sheet.cell(t.column_header, t.year_columns[key]), text)
    year_first = min(t.year_columns.values())
    year_last = max(t.year_columns.values())
    sheet.merge_cells(
        start_row=t.period_header,
        start_column=year_first,
        end_row=t.period_header,
        end_column=year_last,
    )
    style_header(sheet.cell(t.period_header, year_first), "Year")

    pct_cells: list[str] = []
    for i in range(stages):
        row = t.first + i
        put_formula(sheet.cell(row, LABEL_COL), f"=INDEX(StageNames,{i + 1})")
        for p in range(len(t.periods)):
            target_col, actual_col, variance_col, pct_col = t.period_columns[p]
            target = sheet.cell(row, target_col)
            put_formula(target, f"={f.period_volumes.cell(i, p).qualified}", VOLUME)
            actual = sheet.cell(row, actual_col)
            put_input(actual, None, VOLUME)
            a, tg = actual.coordinate, target.coordinate
            put_formula(sheet.cell(row, variance_col), f'=IF(ISNUMBER({a}),{a}-{tg},"")', VOLUME)
            put_formula(
                sheet.cell(row, pct_col),
                f'=IF(ISNUMBER({a}),IF({tg}=0,"n/a",{a}/{tg}),"")',
                PERCENT,
            )
            pct_cells.append(sheet.cell(row, pct_col).coordinate)
        y = {key: sheet.cell(row, col).coordinate for key, col in t.year_columns.items()}
        actuals = [sheet.cell(row, cols[1]).coordinate for cols in t.period_columns]
        targets = [sheet.cell(row, cols[0]).coordinate for cols in t.period_columns]
        put_formula(sheet[y["annual_target"]], f"=INDEX(GeneratedVolumes,{i + 1})", VOLUME)
        put_formula(sheet[y["actual_to_date"]], f"=SUM({','.join(actuals)})", VOLUME)
        put_formula(
            sheet[y["target_to_date"]],
            "="
            + "+".join(f"IF(ISNUMBER({a}),{g},0)" for a, g in zip(actuals, targets, strict=True)),
            VOLUME,
        )
        share, annual = y["expected_share"], y["annual_target"]
        put_formula(
            sheet[share],
            f'=IF(N({annual})=0,"",{y["target_to_date"]}/{annual})',
            PERCENT,
        )
        put_formula(
            sheet[y["projected"]],
            f'=IF(ISNUMBER({share}),IF({share}=0,"",{y["actual_to_date"]}/{share}),"")',
            VOLUME,
        )
        put_formula(
            sheet[y["pace"]],
            f'=IF(ISNUMBER({y["projected"]}),{y["projected"]}/{annual},"")',
            PERCENT,
        )
        put_formula(
            sheet[y["status"]],
            f'=IF(ISNUMBER({y["pace"]}),IF({y["pace"]}>=OnTrackThreshold,"{ON_TRACK}",'
            f'"{BEHIND}"),"")',
        )
        pct_cells.append(y["pace"])

    actual_refs = [t.actuals(p) for p in range(len(t.periods))]
    validate(sheet, actual_refs, "count", "Actual volume")
    comment(
        sheet,
        actual_refs[0].cell(0, 0),
        "Type the actual volume of each stage in the period; leave future periods empty.",
    )

    first_row, last_row = t.first, t.first + stages - 1
    percent_ranges = [
        f"{get_column_letter(cols[3])}{first_row}:{get_column_letter(cols[3])}{last_row}"
        for cols in t.period_columns
    ]
    pace_col = get_column_letter(t.year_columns["pace"])
    percent_ranges.append(f"{pace_col}{first_row}:{pace_col}{last_row}")
    for cells in percent_ranges:
        top_left = cells.split(":")[0]
        sheet.conditional_formatting.add(
            cells,
            FormulaRule(
                formula=[f"AND(ISNUMBER({top_left}),{top_left}>=OnTrackThreshold)"],
                fill=GOOD_FILL,
                font=GOOD_FONT,
            ),
        )
        sheet.conditional_formatting.add(
            cells,
            FormulaRule(
                formula=[f"AND(ISNUMBER({top_left}),{top_left}<OnTrackThreshold)"],
                fill=BAD_FILL,
                font=BAD_FONT,
            ),
        )
    status_col = get_column_letter(t.year_columns["status"])
    status = f"{status_col}{first_row}:{status_col}{last_row}"
    sheet.conditional_formatting.add(
        status,
        FormulaRule(
            formula=[f'{status_col}{first_row}="{ON_TRACK}"'], fill=GOOD_FILL, font=GOOD_FONT
        ),
    )
    sheet.conditional_formatting.add(
        status,
        FormulaRule(formula=[f'{status_col}{first_row}="{BEHIND}"'], fill=BAD_FILL, font=BAD_FONT),
    )

    _diagnosis(sheet, config, layout)

    widths = {"A": 2, "B": 34}
    last_col = max(max(t.year_columns.values()), t.messages.col)
    for col in range(VALUE_COL, last_col + 1):
        widths[get_column_letter(col)] = 12
    widths[get_column_letter(t.messages.col)] = max(
        widths.get(get_column_letter(t.messages.col), 12), 12
    )
    set_widths(sheet, widths)
    sheet.freeze_panes = sheet.cell(t.column_header + 1, VALUE_COL).coordinate
    setup_print(sheet, title_rows=f"{t.period_header}:{t.column_header}")


def _diagnosis(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    t = layout.tracking
    names = config.stage_names
    style_header(sheet.cell(t.diagnosis_header, LABEL_COL), "Conversion vs plan")
    style_header(sheet.cell(t.diagnosis_header, t.plan_rates.col), "Plan rate")
    for p, name in enumerate(t.periods):
        style_header(sheet.cell(t.diagnosis_header, t.actual_rates.col + p), f"Actual rate {name}")
        style_header(sheet.cell(t.diagnosis_header, t.ratios.col + p), f"Actual ÷ plan {name}")
    header = sheet.cell(t.diagnosis_header, t.messages.col)
    style_header(header, "The sentence shown when this step is furthest behind (seed 001)")
    header.alignment = Alignment(horizontal="left", vertical="center")
    sheet.merge_cells(
        start_row=t.diagnosis_header,
        start_column=t.messages.col,
        end_row=t.diagnosis_header,
        end_column=t.messages.col + MESSAGE_HEADER_COLUMNS - 1,
    )
    # Three lines ("Actual ÷ plan Before FY" in a 12-character column), set after every
    # header of the row (each header sets the usual two-line height).
    sheet.row_dimensions[t.diagnosis_header].height = DIAGNOSIS_HEADER_HEIGHT
    for k in range(len(names) - 1):
        row = t.transition_labels.row + k
        put_formula(
            sheet.cell(row, LABEL_COL), f'=INDEX(StageNames,{k + 1})&"→"&INDEX(StageNames,{k + 2})'
        )
        plan = t.plan_rates.cell(k)
        put_formula(sheet[plan.ref], f"=INDEX(StageRatesUsed,{k + 1})", PERCENT)
        for p in range(len(t.periods)):
            target_col, actual_col = t.period_columns[p][:2]
            upper = sheet.cell(t.first + k, actual_col).coordinate
            lower = sheet.cell(t.first + k + 1, actual_col).coordinate
            upper_target = sheet.cell(t.first + k, target_col).coordinate
            lower_target = sheet.cell(t.first + k + 1, target_col).coordinate
            measured = (
                f"AND(ISNUMBER({upper}),ISNUMBER({lower}),N({upper_target})>0,"
                f"N({lower_target})>0,N({upper})>0)"
            )
            rate = t.actual_rates.cell(k, p)
            put_formula(sheet[rate.ref], f'=IF({measured},{lower}/{upper},"")', FINE_PERCENT)
            put_formula(
                sheet[t.ratios.cell(k, p).ref],
                f'=IF(ISNUMBER({rate.ref}),ROUND({rate.ref}/{plan.abs},9),"")',
                PERCENT,
            )
        message = put_text(
            sheet[t.messages.cell(k).ref], transition_message(names[k], names[k + 1])
        )
        message.font = NOTE_FONT
    for ref, label, text in (
        (t.no_data_message, "When no stage has actuals", NO_DATA_MESSAGE),
        (t.on_plan_message, "When every step is at or above plan", ON_PLAN_MESSAGE),
    ):
        put_text(sheet.cell(ref.row, LABEL_COL), label).font = NOTE_FONT
        put_text(sheet[ref.ref], text).font = NOTE_FONT

    messages = t.messages.abs
    for p, name in enumerate(t.periods):
        ratios = Ref(
            sheet.title, t.ratios.row, t.ratios.col + p, t.ratios.last_row, t.ratios.col + p
        )
        r = ratios.abs
        ref = t.bottlenecks.cell(p)
        put_text(sheet.cell(ref.row, LABEL_COL), f"Bottleneck {name}").font = TOTAL_FONT
        cell = sheet[ref.ref]
        put_formula(
            cell,
            f"=IF(COUNT({r})=0,{t.no_data_message.abs},IF(MIN({r})>=1,{t.on_plan_message.abs},"
            f"INDEX({messages},MATCH(MIN({r}),{r},0))))",
        )
        cell.font = TOTAL_FONT
    ratio_range = t.ratios.ref
    top_left = t.ratios.cell(0, 0).ref
    sheet.conditional_formatting.add(
        ratio_range,
        FormulaRule(
            formula=[f"AND(ISNUMBER({top_left}),{top_left}<1)"], fill=BAD_FILL, font=BAD_FONT
        ),
    )
    sheet.conditional_formatting.add(
        ratio_range,
        FormulaRule(
            formula=[f"AND(ISNUMBER({top_left}),{top_left}>=1)"], fill=GOOD_FILL, font=GOOD_FONT
        ),
    )
