"""Workbooks the recalc tests build with openpyxl (no binary fixtures are committed)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula

RATES = [0.015, 0.2, 0.2, 0.4, 0.5]
STAGES = ["Visits", "Leads", "MQLs", "SQLs", "Opportunities", "Customers"]


def mini_plan(path: Path, revenue: float = 10e6, deal: float = 1.1e6) -> Path:
    """A small plan: inputs as defined names, native formulas and xl-funnel functions mixed,
    with the features ``recalc`` must keep (styles, formats, validation, conditional format,
    comment, column width, freeze panes, a chart)."""
    book = openpyxl.Workbook()
    inputs = book.active
    inputs.title = "Inputs"
    inputs["A1"], inputs["B1"] = "New revenue", revenue
    inputs["A2"], inputs["B2"] = "Average deal", deal
    inputs["A3"] = "Stage rates"
    for row, rate in enumerate(RATES, start=4):
        inputs.cell(row, 1, STAGES[row - 4])
        inputs.cell(row, 2, rate).number_format = "0.0%"
    inputs["B1"].number_format = '#,##0 "€"'
    inputs["A1"].font = Font(bold=True)
    inputs["B1"].fill = PatternFill("solid", fgColor="FFF2CC")
    inputs["B1"].comment = Comment("Revenue from new customers", "xl-funnel")
    inputs.column_dimensions["A"].width = 24
    inputs.freeze_panes = "B2"
    rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="1")
    rule.add("B4:B8")
    inputs.add_data_validation(rule)
    inputs.conditional_formatting.add(
        "B4:B8", CellIsRule(operator="lessThan", formula=["0.05"], fill=PatternFill("solid"))
    )
    names = {
        "NewRevenueGoal": "Inputs!$B$1",
        "AvgDealSize": "Inputs!$B$2",
        "StageRates": "Inputs!$B$4:$B$8",
        "CustomersNeeded": "Funnel!$B$1",
        "RequiredVolumes": "Funnel!$B$3:$B$8",
        "TotalVisits": "Funnel!$C$3",
    }
    funnel = book.create_sheet("Funnel")
    funnel["A1"], funnel["B1"] = "Customers", "=CUSTOMERS_NEEDED(NewRevenueGoal, AvgDealSize)"
    funnel["A2"] = "Required volumes"
    funnel["B3"] = ArrayFormula("B3:B8", "=FUNNEL_BACKSOLVE(CustomersNeeded, StageRates)")
    # The same funnel in native formulas, bottom-up: volume above = volume below / rate.
    funnel["C8"] = "=B1"
    for row in range(7, 2, -1):
        funnel[f"C{row}"] = f"=C{row + 1}/INDEX(StageRates,{row - 2})"
    funnel["D3"] = "=SUM(B3:B8)"
    funnel["D4"] = '=IF(ABS(B3-C3)<1E-6,"match","differ")'
    funnel["D5"] = "=VALUE_PER_LEAD(NewRevenueGoal, B4)"
    funnel["D6"] = "=B1>5"
    for name, ref in names.items():
        book.defined_names[name] = DefinedName(name, attr_text=ref)
    chart = openpyxl.chart.BarChart()
    chart.add_data(openpyxl.chart.Reference(funnel, min_col=2, min_row=3, max_row=8))
    funnel.add_chart(chart, "F2")
    book.save(path)
    return path
