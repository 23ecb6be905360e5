"""Dashboard: the headline KPIs and four charts (funnel, monthly plan, channel ROI, tornado).

The funnel chart is a stacked horizontal bar chart whose first series is an invisible pad of
``(widest − width) / 2``, which centres the bars into a funnel. Stage volumes span orders of
magnitude (83,333 visits, 10 customers), so bar width is ``1 + log10(volume)``; the real
volume is in each bar's label.

Under the KPI tiles a note repeats the Channels sheet's check: the customers the channel mix
brings against the customers the plan's funnel needs, in red when they are more than 1 % apart
(Plan ROI counts the channel mix's customers). The budget tiles show the budget the plan
needs beside the budget it is given.

The tornado chart ranks the stage-rate levers: each rate alone at its achievable rate
(``AchievableRates``), the customers and revenue that adds, ranked largest first with ties in
funnel order, exactly as :func:`xl_funnel.rate_sensitivity.sensitivity` with ``targets``.
A fixed step would rank by which rate is smallest (a point on 2 % is worth 25 points on
50 %); what each stage can reach is the planner's knowledge, so it is an input. The table
beside it keeps the older what-if: ``SensitivityStep`` rate points on each rate alone.
A helper block under the charts keys each lever by ``ROUND(change / largest change, 9)`` (so
float noise cannot break a tie), ranks it by counting the keys above it plus the equal keys
before it (``SUMPRODUCT`` of comparisons, exact in every engine), and the ranked rows find
rank 1, 2, … with ``MATCH`` on those whole numbers. ``MATCH`` is never asked to find a
fraction: some engines match fractions within a tolerance, which would merge near-ties.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout import (
    DASHBOARD_TILE_WIDTH,
    LABEL_COL,
    RANKED_COLUMNS,
    SENSITIVITY_COLUMNS,
    SUBTITLE_ROW,
    TITLE_ROW,
    Layout,
    Ref,
)
from xl_funnel.plan.sheets import dashboard_actuals
from xl_funnel.plan.sheets.channels import mix_off_plan
from xl_funnel.plan.styles import (
    BAD_FILL,
    BAD_FONT,
    CENTER,
    CURRENCY,
    KPI_FILL,
    KPI_FONT,
    KPI_LABEL_FONT,
    NAVY,
    NOTE_FONT,
    PERCENT,
    VOLUME,
    WHOLE,
    put_formula,
    put_text,
    put_title,
    set_widths,
    style_header,
    style_subtitle,
    title_formula,
)

__all__ = ["MAX_CHART_CHANNELS", "build"]

#: The ROI chart shows at most this many channels (the first ones); the table has them all.
MAX_CHART_CHANNELS = 40
MILLIONS = '"$"#,##0.0,,"M"'
MILLIONS_FINE = '"$"#,##0.00,,"M"'
ACCENT = "ED7D31"
#: Space left of each chart, in EMU (1 cm = 360,000 EMU).
GUTTER_EMU = 72_000
#: Column width (characters) of the Dashboard grid; a chart spans six columns.
TILE_COLUMN_WIDTH = 13


def _kpi_formulas(layout: Layout) -> dict[str, tuple[str, str]]:
    channels = layout.channels
    return {
        "Target revenue": ("=TargetRevenue", MILLIONS),
        "New revenue goal": ("=NewRevenueGoal", MILLIONS),
        "Customers needed": ("=CustomersNeeded", WHOLE),
        "Budget needed": ("=BudgetNeeded", CURRENCY),
        "Budget given": (f"={channels.money['cap'].qualified}", CURRENCY),
        "Plan ROI": ("=PlanROI", PERCENT),
    }


def build(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    d = layout.dashboard
    put_title(sheet.cell(TITLE_ROW, LABEL_COL), title_formula("Dashboard"))
    style_subtitle(
        sheet.cell(SUBTITLE_ROW, LABEL_COL),
        "Headline figures of the plan; everything here follows the Assumptions sheet.",
    )
    formulas = _kpi_formulas(layout)
    for label, col in d.kpis:
        last = col + DASHBOARD_TILE_WIDTH - 1
        for row in (d.kpi_label_row, d.kpi_value_row):
            sheet.merge_cells(start_row=row, start_column=col, end_row=row, end_column=last)
            for c in range(col, last + 1):
                sheet.cell(row, c).fill = KPI_FILL
        title = put_text(sheet.cell(d.kpi_label_row, col), label.upper())
        title.font, title.alignment = KPI_LABEL_FONT, CENTER
        formula, number_format = formulas[label]
        value = put_formula(sheet.cell(d.kpi_value_row, col), formula, number_format)
        value.font, value.alignment = KPI_FONT, CENTER
    sheet.row_dimensions[d.kpi_value_row].height = 34
    _mix_note(sheet, layout)

    _funnel_data(sheet, layout)
    _sensitivity_data(sheet, config, layout)
    charts = {
        "funnel": _funnel_chart(sheet, layout),
        "monthly": _monthly_chart(config, layout, sheet.parent),
        "roi": _roi_chart(layout, sheet.parent),
        "tornado": _tornado_chart(sheet, layout),
    }
    for key, chart in charts.items():
        chart.anchor = _anchor(d.chart_anchors[key])
        sheet.add_chart(chart)

    widths = {"A": 2}
    for col in range(LABEL_COL, LABEL_COL + 2 * len(d.kpis)):
        widths[get_column_letter(col)] = TILE_COLUMN_WIDTH
    set_widths(sheet, widths)
    sheet.freeze_panes = sheet.cell(SUBTITLE_ROW + 1, 1).coordinate
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_area = f"A1:{get_column_letter(LABEL_COL + 2 * len(d.kpis) - 1)}{d.data_header - 2}"
    dashboard_actuals.build(sheet, config, layout)  # the Tracking sheet's actuals (issue 12)


def _mix_note(sheet: Worksheet, layout: Layout) -> None:
    """The Channels check under the KPIs, red when the channel mix is off plan."""
    d, c = layout.dashboard, layout.channels
    note = d.kpi_note
    sheet.merge_cells(
        start_row=note.row,
        start_column=note.col,
        end_row=note.row,
        end_column=LABEL_COL + DASHBOARD_TILE_WIDTH * len(d.kpis) - 1,
    )
    put_formula(sheet[note.ref], f"={c.mix_check.qualified}").font = NOTE_FONT
    label = put_text(sheet.cell(d.mix_ratio.row, LABEL_COL), "Channel mix ÷ plan (customers)")
    label.font = NOTE_FONT
    put_formula(sheet[d.mix_ratio.ref], f"={c.mix_ratio.qualified}", PERCENT).font = NOTE_FONT
    sheet.conditional_formatting.add(
        note.ref,
        FormulaRule(formula=[mix_off_plan(d.mix_ratio.abs)], fill=BAD_FILL, font=BAD_FONT),
    )


def _anchor(cells: Ref) -> TwoCellAnchor:
    """A chart stretched over `cells` (0-based markers; the far corner is exclusive).

    The top-left corner is nudged by a small gutter so side-by-side charts do not touch.
    """
    return TwoCellAnchor(
        _from=AnchorMarker(col=cells.col - 1, colOff=GUTTER_EMU, row=cells.row - 1),
        to=AnchorMarker(col=cells.last_col, row=cells.last_row),
    )


def _funnel_data(sheet: Worksheet, layout: Layout) -> None:
    d = layout.dashboard
    style_header(sheet.cell(d.data_header, LABEL_COL), "Chart data: stage")
    style_header(sheet.cell(d.data_header, LABEL_COL + 1), "Pad")
    style_header(sheet.cell(d.data_header, LABEL_COL + 2), "Width (1 + log10)")
    widths = d.funnel_width.abs
    for i, (label, pad, width) in enumerate(
        zip(d.funnel_labels.cells(), d.funnel_pad.cells(), d.funnel_width.cells(), strict=True)
    ):
        volume = f"INDEX(RequiredVolumes,{i + 1})"
        put_formula(
            sheet[label.ref], f'=INDEX(StageNames,{i + 1})&"  "&FIXED({volume},0)'
        ).font = NOTE_FONT
        put_formula(sheet[width.ref], f"=1+LOG10(MAX({volume},1))", "0.00").font = NOTE_FONT
        put_formula(sheet[pad.ref], f"=(MAX({widths})-{width.ref})/2", "0.00").font = NOTE_FONT


def _sensitivity_data(sheet: Worksheet, config: PlanConfig, layout: Layout) -> None:
    d = layout.dashboard
    style_header(
        sheet.cell(d.sensitivity_header, LABEL_COL),
        "Levers: each stage rate alone at its achievable rate (AchievableRates)",
    )
    sheet.merge_cells(
        start_row=d.sensitivity_header,
        start_column=LABEL_COL,
        end_row=d.sensitivity_header,
        end_column=LABEL_COL + len(SENSITIVITY_COLUMNS) - 1,
    )
    for ref, label, formula in (
        (d.top_volume, "Top-of-funnel volume", "=INDEX(RequiredVolumes,1)"),
        (
            d.base_customers,
            "Customers at plan rates",
            f"={d.top_volume.ref}*PRODUCT(StageRatesUsed)",
        ),
    ):
        put_text(sheet.cell(ref.row, LABEL_COL), label).font = NOTE_FONT
        put_formula(sheet[ref.ref], formula, VOLUME).font = NOTE_FONT
    for j, (_, text) in enumerate(SENSITIVITY_COLUMNS):
        style_header(sheet.cell(d.lever_header, LABEL_COL + j), text)
    lever = d.levers
    changes = lever["customers_change"].abs
    largest = f"MAX(MAX({changes}),-MIN({changes}))"
    scale = f"IF({largest}=0,1,{largest})"
    keys = lever["rank_key"]
    for i in range(len(config.stage_rates)):
        cells = {key: ref.cell(i).ref for key, ref in lever.items()}
        key = cells["rank_key"]
        ties_before = (
            f"+SUMPRODUCT(--({keys.cell(0).abs}:{keys.cell(i - 1).abs}={key}))" if i else ""
        )
        formulas = {
            "label": (f'=INDEX(StageNames,{i + 1})&"→"&INDEX(StageNames,{i + 2})', None),
            "rate": (f"=INDEX(StageRatesUsed,{i + 1})", PERCENT),
            "improved_rate": (f"=INDEX(AchievableRates,{i + 1})", PERCENT),
            # The change from the rate's own difference, as the core computes it: exactly
            # 0 for a rate already at 100 %.
            "customers": (f"={d.base_customers.abs}+{cells['customers_change']}", VOLUME),
            "customers_change": (
                f"={d.base_customers.abs}/{cells['rate']}*({cells['improved_rate']}-{cells['rate']})",
                VOLUME,
            ),
            "revenue_change": (f"={cells['customers_change']}*AvgDealSize", CURRENCY),
            "rank_key": (f"=ROUND({cells['customers_change']}/{scale},9)", "0.000000000"),
            "rank": (f"=1+SUMPRODUCT(--({keys.abs}>{key})){ties_before}", "0"),
            # The older what-if beside it: SensitivityStep rate points on this rate alone.
            "step_revenue_change": (
                f"={d.base_customers.abs}/{cells['rate']}"
                f"*(MIN(1,{cells['rate']}+SensitivityStep)-{cells['rate']})*AvgDealSize",
                CURRENCY,
            ),
        }
        for key, (formula, number_format) in formulas.items():
            put_formula(sheet[cells[key]], formula, number_format).font = NOTE_FONT

    for j, (_, text) in enumerate(RANKED_COLUMNS):
        style_header(sheet.cell(d.ranked_header, LABEL_COL + j), text)
    ranks = lever["rank"].abs
    for r in range(len(config.stage_rates)):
        cells = {key: ref.cell(r).ref for key, ref in d.ranked.items()}
        position = cells["position"]
        formulas = {
            "rank": (f"={r + 1}", "0"),
            "position": (f"=MATCH({r + 1},{ranks},0)", "0"),
            "label": (f"=INDEX({lever['label'].abs},{position})", None),
            "customers_change": (f"=INDEX({changes},{position})", VOLUME),
            "revenue_change": (f"=INDEX({lever['revenue_change'].abs},{position})", CURRENCY),
        }
        for key, (formula, number_format) in formulas.items():
            put_formula(sheet[cells[key]], formula, number_format).font = NOTE_FONT


def _tornado_chart(sheet: Worksheet, layout: Layout) -> BarChart:
    d = layout.dashboard
    values, labels = d.ranked["revenue_change"], d.ranked["label"]
    chart = BarChart()
    chart.type = "bar"
    chart.gapWidth = 40
    chart.title = "Revenue gained at achievable rates (each stage alone)"
    chart.add_data(
        Reference(sheet, min_col=values.col, min_row=values.row, max_row=values.last_row)
    )
    _text_categories(chart, labels.qualified)
    series = chart.series[0]
    series.tx = SeriesLabel(v="Revenue change")
    series.graphicalProperties.solidFill = ACCENT
    series.graphicalProperties.line.solidFill = ACCENT
    series.invertIfNegative = False
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    _style_axes(chart)
    chart.x_axis.scaling.orientation = "maxMin"  # the biggest lever on top
    # Bars start at 0: equal levers (rates that are equal, or all capped) would otherwise
    # sit on an axis that starts at their common value and vanish.
    chart.y_axis.scaling.min = 0
    chart.y_axis.number_format = MILLIONS_FINE
    chart.y_axis.majorGridlines = None
    chart.legend = None
    return chart


def _text_categories(chart: BarChart, cells: str) -> None:
    """Label categories from text cells (a string reference: openpyxl assumes numbers)."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=cells))


def _style_axes(chart: BarChart | LineChart) -> None:
    # openpyxl leaves <c:delete> unset, which newer Excel reads as "hide the axis".
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _funnel_chart(sheet: Worksheet, layout: Layout) -> BarChart:
    d = layout.dashboard
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 25
    chart.title = "Required volume by stage"
    first, last = d.funnel_pad.row, d.funnel_pad.last_row
    for ref in (d.funnel_pad, d.funnel_width):
        chart.add_data(Reference(sheet, min_col=ref.col, min_row=first, max_row=last))
    _text_categories(chart, d.funnel_labels.qualified)
    pad, bar = chart.series
    pad.tx = SeriesLabel(v="Pad")
    pad.graphicalProperties.noFill = True
    pad.graphicalProperties.line.noFill = True
    bar.tx = SeriesLabel(v="Volume")
    bar.graphicalProperties.solidFill = NAVY
    bar.graphicalProperties.line.solidFill = NAVY
    _style_axes(chart)
    chart.x_axis.scaling.orientation = "maxMin"  # top of the funnel at the top
    chart.y_axis.delete = True
    chart.y_axis.majorGridlines = None
    chart.legend = None
    return chart


def _monthly_chart(config: PlanConfig, layout: Layout, workbook) -> BarChart:
    f = layout.funnel
    funnel = workbook[f.monthly.sheet]
    lead_row = f.monthly.row + config.lead_index
    customer_row = f.monthly.last_row
    first_col, last_col = f.monthly.col, f.monthly.last_col
    bars = BarChart()
    bars.type = "col"
    bars.title = f"Monthly plan: {config.lead_stage} and {config.stage_names[-1]}"
    bars.add_data(
        Reference(funnel, min_col=first_col, max_col=last_col, min_row=lead_row),
        from_rows=True,
    )
    bars.series[0].tx = SeriesLabel(
        strRef=StrRef(f.month_stage_labels.cell(config.lead_index).qualified)
    )
    bars.series[0].graphicalProperties.solidFill = NAVY
    bars.set_categories(
        Reference(funnel, min_col=first_col, max_col=last_col, min_row=f.month_labels.row)
    )
    bars.y_axis.title = config.lead_stage
    bars.y_axis.number_format = "#,##0"
    # From 0: whole-unit months differ by one unit, which an auto-scaled axis blows up.
    bars.y_axis.scaling.min = 0
    bars.x_axis.number_format = "mmm yy"
    line = LineChart()
    line.add_data(
        Reference(funnel, min_col=first_col, max_col=last_col, min_row=customer_row),
        from_rows=True,
    )
    line.series[0].tx = SeriesLabel(
        strRef=StrRef(f.month_stage_labels.cell(-1 + f.monthly.rows).qualified)
    )
    line.series[0].graphicalProperties.line.solidFill = ACCENT
    line.series[0].graphicalProperties.line.width = 28575
    line.series[0].smooth = False
    line.y_axis.axId = 200
    line.y_axis.title = config.stage_names[-1]
    line.y_axis.number_format = "0.0"
    line.y_axis.scaling.min = 0
    line.y_axis.crosses = "max"
    line.y_axis.majorGridlines = None
    _style_axes(bars)
    _style_axes(line)
    bars += line
    bars.legend.position = "b"
    return bars


def _roi_chart(layout: Layout, workbook) -> BarChart:
    c = layout.channels
    channels = workbook[c.column("roi").sheet]
    shown = min(c.count, MAX_CHART_CHANNELS)
    last = c.first + shown - 1
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Channel ROI" + ("" if shown == c.count else f" (first {shown} channels)")
    chart.add_data(Reference(channels, min_col=c.columns["roi"], min_row=c.first, max_row=last))
    names = Reference(channels, min_col=c.columns["name"], min_row=c.first, max_row=last)
    _text_categories(chart, str(names))
    series = chart.series[0]
    series.tx = SeriesLabel(v="ROI")
    series.graphicalProperties.solidFill = NAVY
    series.invertIfNegative = False
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
    chart.dataLabels.numFmt = "0%"
    _style_axes(chart)
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    chart.legend = None
    return chart
