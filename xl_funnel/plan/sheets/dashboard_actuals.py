"""The Dashboard's actuals: cumulative customers and top of funnel against plan, spend against
budget, and channel ROI actual against plan, from the Tracking sheet.

The actual series are columns, the plan a line: a month not reported yet is an empty cell,
which draws no column (an empty line point would sag to 0). With no actuals at all the note
above the charts says so, and the charts show the plan alone.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import LABEL_COL, Layout, Ref
from xl_funnel.plan.layout_base import nth
from xl_funnel.plan.sheets.tracking_plan import month_label
from xl_funnel.plan.styles import (
    CURRENCY,
    MONTH,
    NAVY,
    NOTE_FONT,
    PERCENT,
    TOTAL_FONT,
    VOLUME,
    put_formula,
    put_header_formula,
    put_text,
    style_group,
    style_header,
)
from xl_funnel.plan.tracking_layout import (
    DASHBOARD_ACTUAL_ROWS,
    MONTHS,
    DashboardActualsLayout,
    dashboard_actuals_layout,
)

__all__ = ["NO_ACTUALS", "actuals_layout", "build"]

NO_ACTUALS = (
    "No actuals yet: type them month by month on the Tracking sheet; these charts fill in as "
    "you do."
)
ACCENT = "ED7D31"
#: Blank rows between the plan part of the Dashboard and the actuals.
GAP_ROWS = 3


def actuals_layout(layout: Layout) -> DashboardActualsLayout:
    """The actuals block's layout: below the last row the plan part of the Dashboard uses."""
    d = layout.dashboard
    last = max(ref.last_row or ref.row for ref in d.ranked.values())
    return dashboard_actuals_layout(
        d.mix_ratio.sheet, last + GAP_ROWS, LABEL_COL, layout.tracking.channels
    )


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    a, t = actuals_layout(layout), layout.tracking
    style_group(sheet.cell(a.header, LABEL_COL), "Actuals against plan")
    reported = t.summary("months_reported").qualified
    put_formula(
        sheet[a.note.ref],
        f'=IF(N({reported})=0,"{NO_ACTUALS}","Actuals for "&{reported}&" of {MONTHS} months. "&'
        f"{t.summary('diagnosis_1').qualified})",
    ).font = TOTAL_FONT

    style_header(sheet.cell(a.month_header, LABEL_COL), "Chart data: month")
    for m in range(MONTHS):
        put_header_formula(
            sheet.cell(a.month_header, LABEL_COL + 1 + m), f"={month_label(m)}", MONTH
        )
    last_stage = t.stages - 1
    plan_first = t.first("plan_stages")
    actual_first = t.input_first["ActualVolumes"]
    spend_rows = (t.input_first["ActualChannelSpend"], t.channels)
    budget_rows = (t.first("plan_channel_budget"), t.channels)
    sources = {
        "customers_plan": ((plan_first + last_stage, 1), False, VOLUME),
        "customers_actual": ((actual_first + last_stage, 1), True, VOLUME),
        "top_plan": ((plan_first, 1), False, VOLUME),
        "top_actual": ((actual_first, 1), True, VOLUME),
        "budget": (budget_rows, False, CURRENCY),
        "spend": (spend_rows, True, CURRENCY),
    }
    for key, label in DASHBOARD_ACTUAL_ROWS:
        row = a.rows[key]
        put_text(sheet.cell(row.row, LABEL_COL), label).font = NOTE_FONT
        (first, count), actual, fmt = sources[key]
        for m in range(MONTHS):
            cells = Ref(t.sheet, first, t.month_col(0), first + count - 1, t.month_col(m))
            total = f"SUM({cells.qualified})"
            formula = f'=IF({m + 1}<=N({reported}),{total},"")' if actual else f"={total}"
            put_formula(sheet.cell(row.row, row.col + m), formula, fmt).font = NOTE_FONT

    for col, text in zip(
        (a.roi_names.col, a.roi_actual.col, a.roi_plan.col),
        ("Channel", "ROI to date", "ROI plan"),
        strict=True,
    ):
        style_header(sheet.cell(a.roi_header, col), text)
    roi, roi_plan = t.col("roi"), t.col("roi_plan")
    for c in range(t.channels):
        row = a.roi_names.row + c
        source = t.first("channels_ytd") + c
        name = nth("ChannelNames", a.roi_names.row, row)
        put_formula(sheet.cell(row, a.roi_names.col), "=" + name)
        for col, src in ((a.roi_actual.col, roi), (a.roi_plan.col, roi_plan)):
            cell = Ref(t.sheet, source, src).seen_from(sheet.title)
            put_formula(sheet.cell(row, col), f'=IF(ISNUMBER({cell}),{cell},"")', PERCENT)

    charts = {
        "customers": _plan_and_actual(sheet, a, "customers", f"{config.stage_names[-1]}"),
        "top": _plan_and_actual(sheet, a, "top", f"{config.stage_names[0]}"),
        "spend": _plan_and_actual(sheet, a, "spend", "Spend against budget", plan="budget"),
        "roi": _roi(sheet, a),
    }
    from xl_funnel.plan.sheets.dashboard import _anchor  # here: dashboard imports this module

    for key, chart in charts.items():
        chart.anchor = _anchor(a.charts[key])
        sheet.add_chart(chart)
    _print_too(sheet, a)


def _print_too(sheet: Worksheet, a: DashboardActualsLayout) -> None:
    """The actuals print as a page of their own after the plan's (the helper data does not)."""
    last = max(ref.last_col or ref.col for ref in a.charts.values())
    bottom = max(ref.last_row or ref.row for ref in a.charts.values())
    mine = f"A{a.header}:{get_column_letter(last)}{bottom}"
    plan = sheet.print_area
    areas = [area.split("!")[-1].replace("$", "") for area in plan.split(",")] if plan else []
    sheet.print_area = [*areas, mine]
    # One page wide, each area on its own page.
    sheet.page_setup.fitToHeight = 0


def _series_row(sheet: Worksheet, ref: Ref) -> Reference:
    return Reference(sheet, min_col=ref.col, max_col=ref.last_col, min_row=ref.row)


def _plan_and_actual(
    sheet: Worksheet, a: DashboardActualsLayout, key: str, title: str, plan: str = ""
) -> BarChart:
    """The actual as columns, the plan as a line, both cumulative by month."""
    plan_row = a.rows[plan or f"{key}_plan"]
    actual_row = a.rows["spend" if key == "spend" else f"{key}_actual"]
    bars = BarChart()
    bars.type = "col"
    bars.title = title if key == "spend" else f"{title}: actual against plan (cumulative)"
    bars.add_data(_series_row(sheet, actual_row), from_rows=True)
    bars.series[0].tx = SeriesLabel(v="Actual")
    bars.series[0].graphicalProperties.solidFill = NAVY
    months = Ref(sheet.title, a.month_header, actual_row.col, a.month_header, actual_row.last_col)
    bars.set_categories(
        Reference(sheet, min_col=months.col, max_col=months.last_col, min_row=months.row)
    )
    line = LineChart()
    line.add_data(_series_row(sheet, plan_row), from_rows=True)
    line.series[0].tx = SeriesLabel(v="Plan")
    line.series[0].graphicalProperties.line.solidFill = ACCENT
    line.series[0].smooth = False
    fmt = "#,##0" if key != "spend" else '"$"#,##0'
    for chart in (bars, line):
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.number_format = fmt
    bars.x_axis.number_format = "mmm yy"
    bars += line
    bars.legend.position = "b"
    return bars


def _roi(sheet: Worksheet, a: DashboardActualsLayout) -> BarChart:
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Channel ROI: to date against plan"
    for ref, label, colour in (
        (a.roi_actual, "To date", NAVY),
        (a.roi_plan, "Plan", ACCENT),
    ):
        chart.add_data(Reference(sheet, min_col=ref.col, min_row=ref.row, max_row=ref.last_row))
        series = chart.series[-1]
        series.tx = SeriesLabel(v=label)
        series.graphicalProperties.solidFill = colour
        series.invertIfNegative = False
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=a.roi_names.qualified))
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.number_format = "0%"
    chart.legend.position = "b"
    return chart
