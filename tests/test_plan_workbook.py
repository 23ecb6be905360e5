"""Read-back tests of the generated plan workbook (openpyxl and the raw XML, no engine).

Each feature is checked in the file as written, re-opened: defined names, validations,
comments, conditional formats, charts, number formats, frozen panes, print setup, the
functions formulas use, text that looks like a formula, and byte-for-byte determinism.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.worksheet.cell_range import CellRange

from tests.plan_cases import CASES, HOSTILE
from xl_funnel._checks import CEIL_TOLERANCE
from xl_funnel.funnel import backsolve
from xl_funnel.plan import (
    DEFINED_NAMES,
    example_config,
    plan_layout,
    workbook_bytes,
    write_plan,
)
from xl_funnel.plan.layout import SHEETS, Ref
from xl_funnel.plan.styles import CURRENCY, INPUT_FILL, INPUT_STYLE, PERCENT
from xl_funnel.plan_names import TRACKING_INPUT_NAMES
from xl_funnel.recalc.scenarios import ScenarioRunner

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "workbooks" / "annual_plan.xlsx"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

#: Functions every engine knows (Excel 2010+, LibreOffice, Google Sheets) without `_xlfn.`.
PORTABLE_FUNCTIONS = {
    "ABS", "AND", "AVERAGE", "COLUMNS", "COUNT", "COUNTA", "COUNTIF", "DATE", "DAY", "FIXED", "IF",
    "INDEX",
    "INT", "ISNUMBER", "LOG10", "MATCH", "MAX", "MIN", "MONTH", "N", "PRODUCT", "ROUND",
    "ROUNDUP", "ROWS", "SUM", "SUMIF", "SUMPRODUCT", "TODAY", "YEAR",
}  # fmt: skip

#: Inputs: names a planner types into, each needs a validation and a comment.
INPUT_NAMES = (
    "CompanyName", "FiscalYearStart", "RevenueHistory", "GrowthMethod", "GrowthUplift",
    "NewRevenueShare", "NewRevenueGoalOverride", "AvgDealSize", "StageNames", "StageRates",
    "StageLags", "LeadStage", "SalesCycleMonths", "Seasonality", "CustomerBase",
    "ReferralsPerCustomer", "ReferralEntryStage", "ReferralCloseRate", "OnTrackThreshold",
    "SpendFlagRatio", "SensitivityStep", "ChannelNames", "ChannelEntryStages",
    "ChannelLeadShares", "ChannelMQLRates", "ChannelUnitCosts", "ChannelFixedCosts",
    "WholeUnits", "NextYearGrowth", "StartingPipeline", "BudgetCap", "AchievableRates",
    "StartingARR", "GrossChurn", "Expansion", "PipelineCoverage", "RampedReps", "RepQuota",
    "SalesCost",
)  # fmt: skip
#: Free-text inputs (any text is valid, so they get a comment but no validation).
TEXT_INPUTS = ("CompanyName", "StageNames", "ChannelNames")


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    config = CASES[request.param]
    data = workbook_bytes(config)
    return config, data, load_workbook(io.BytesIO(data))


def covered(refs, ranges) -> bool:
    return all(any(CellRange(r).issuperset(CellRange(ref)) for r in ranges) for ref in refs)


def test_sheets_in_order(case):
    _, _, book = case
    assert book.sheetnames == list(SHEETS)


def test_every_defined_name_is_where_the_layout_says(case):
    config, _, book = case
    layout = plan_layout(config)
    assert set(DEFINED_NAMES) <= set(book.defined_names)
    for name, ref in layout.names.items():
        assert book.defined_names[name].attr_text == ref.qualified, name
    assert set(book.defined_names) == set(layout.names)


def test_every_input_is_styled_validated_and_commented(case):
    config, _, book = case
    layout = plan_layout(config)
    for name in INPUT_NAMES:
        ref = layout.names[name]
        sheet = book[ref.sheet]
        for cell in ref.cells():
            assert sheet[cell.ref].style == INPUT_STYLE, name
            assert sheet[cell.ref].fill.fgColor.rgb.endswith(INPUT_FILL.fgColor.rgb[-6:]), name
        if name not in TEXT_INPUTS:
            rules = sheet.data_validations.dataValidation
            ranges = [str(r) for dv in rules if dv.showErrorMessage for r in dv.sqref.ranges]
            assert covered([c.ref for c in ref.cells()], ranges), f"{name} has no validation"
        # A comment on the input itself, or on its table's header cell.
        first = ref.cell(0, 0)
        header = sheet.cell(first.row - 1, first.col)
        assert sheet[first.ref].comment is not None or header.comment is not None, name
    actuals = [layout.names[name].ref for name in TRACKING_INPUT_NAMES]
    tracking = book["Tracking"]
    ranges = [str(r) for dv in tracking.data_validations.dataValidation for r in dv.sqref.ranges]
    assert covered(actuals, ranges)


def rule_for(sheet, ref):
    rules = [
        dv
        for dv in sheet.data_validations.dataValidation
        if any(CellRange(str(r)).issuperset(CellRange(ref.ref)) for r in dv.sqref.ranges)
    ]
    assert len(rules) == 1, ref
    return rules[0]


def test_validation_rules(case):
    config, _, book = case
    layout = plan_layout(config)
    sheet = book["Assumptions"]

    def rule(name):
        found = rule_for(sheet, layout.names[name])
        return found.type, found.operator, found.formula1, found.formula2

    for name in (
        "StageRates",
        "NewRevenueShare",
        "ChannelMQLRates",
        "OnTrackThreshold",
        "SensitivityStep",
    ):
        assert rule(name) == ("decimal", "between", "0.000001", "1"), name
    for name in (
        "ChannelLeadShares",
        "ReferralCloseRate",
        "ReferralsPerCustomer",
        "AchievableRates",
        "GrossChurn",
    ):
        assert rule(name) == ("decimal", "between", "0", "1"), name
    assert rule("CustomerBase") == ("decimal", "greaterThanOrEqual", "0", None)
    assert rule("StageLags") == ("decimal", "between", "0", str(config.lead_months))
    assert rule("ReferralEntryStage") == ("list", None, "StageNames", None)
    for name in ("RevenueHistory", "AvgDealSize", "NewRevenueGoalOverride"):
        assert rule(name) == ("decimal", "greaterThan", "0", None), name
    for name in ("ChannelUnitCosts", "ChannelFixedCosts", "BudgetCap"):
        assert rule(name) == ("decimal", "greaterThanOrEqual", "0", None), name
    assert rule("StartingPipeline") == ("decimal", "greaterThanOrEqual", "0", None)
    assert rule("ChannelEntryStages") == ("list", None, "StageNames", None)
    assert rule("WholeUnits") == ("list", None, '"TRUE,FALSE"', None)
    assert rule("SalesCycleMonths") == ("decimal", "between", "0", str(config.lead_months))
    assert rule("GrowthMethod") == ("list", None, '"mean,cagr"', None)
    assert rule("LeadStage") == ("list", None, "StageNames", None)
    assert rule_for(sheet, layout.names["StageRates"]).error.startswith("Enter a rate above 0 %")


def test_conditional_formats(case):
    _config, _, book = case
    channels = [rule for cf in book["Channels"].conditional_formatting for rule in cf.rules]
    assert {rule.type for rule in channels} == {"expression", "cellIs"}


CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def test_charts(case):
    config, data, _ = case
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        charts = [ElementTree.fromstring(archive.read(n)) for n in names]
    # The plan's four, then the four of the actuals (tests/test_tracking_inputs.py).
    assert len(charts) == 8
    funnel, monthly, roi, tornado = charts[:4]

    def values(chart, tag):
        return [e.get("val") for e in chart.iter(f"{CHART}{tag}")]

    assert values(funnel, "barDir") == ["bar"]
    assert values(funnel, "grouping") == ["stacked"]
    assert values(monthly, "barDir") == ["col"]
    assert len(list(monthly.iter(f"{CHART}lineChart"))) == 1
    assert values(roi, "barDir") == ["bar"]
    assert values(tornado, "barDir") == ["bar"]
    assert values(tornado, "orientation") == ["maxMin", "minMax"]  # biggest lever on top
    formulas = [[f.text for f in chart.iter(f"{CHART}f")] for chart in charts]
    assert all("'Dashboard'!" in f for f in formulas[0])
    assert any(f.startswith("'Funnel'!") for f in formulas[1])
    assert any(f.startswith("'Channels'!") for f in formulas[2])
    # The tornado plots the ranked block: labels and revenue changes in rank order.
    layout = plan_layout(config)
    ranked = layout.dashboard.ranked
    assert sorted(formulas[3]) == sorted(
        [ranked["label"].qualified, ranked["revenue_change"].qualified]
    )
    # Text categories are string references; axes are shown explicitly.
    assert len(list(funnel.iter(f"{CHART}strRef"))) == 2
    assert "0" in values(funnel, "delete")
    assert all("0" in values(chart, "delete") for chart in charts)


def test_number_formats_frozen_panes_and_print_setup(case):
    config, _, book = case
    layout = plan_layout(config)
    assert book["Assumptions"][layout.assumptions.avg_deal_size.ref].number_format == CURRENCY
    assert book["Assumptions"][layout.assumptions.stage_rates.cell(0).ref].number_format == PERCENT
    assert book["Funnel"][layout.funnel.target_revenue.ref].number_format == CURRENCY
    assert book["Funnel"][layout.funnel.month_labels.cell(0).ref].number_format == "mmm yyyy"
    roi = book["Channels"].cell(layout.channels.first, layout.channels.columns["roi"])
    assert roi.number_format == PERCENT
    for name in SHEETS:
        sheet = book[name]
        if name != "Guide":
            assert sheet.freeze_panes, name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.page_setup.fitToWidth == 1, name
        assert sheet.column_dimensions["B"].width > 10, name


def formulas(book) -> list[tuple[str, str, str]]:
    return [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def test_only_portable_functions(case):
    _, _, book = case
    used = set()
    for _, _, formula in formulas(book):
        without_strings = re.sub(r'"[^"]*"', '""', formula)
        used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", without_strings))
    assert used <= PORTABLE_FUNCTIONS, used - PORTABLE_FUNCTIONS
    assert not any("_xlfn" in f for _, _, f in formulas(book))


def test_formulas_refer_to_assumptions_by_name(case):
    _, _, book = case
    for sheet, coordinate, formula in formulas(book):
        assert "Assumptions!" not in formula.replace("'Assumptions'!", "Assumptions!"), (
            sheet,
            coordinate,
        )


def test_monthly_volumes_follow_each_stage_lag(case):
    """Every stage above customers: (1 − f) of the next stage k months later, f of it k + 1
    months later, ÷ the rate (the schedule's recursion), with k and f from the lag columns."""
    config, _, book = case
    f = plan_layout(config).funnel
    months = 2 * f.lead_months + 12
    sheet = book["Funnel"]
    below = Ref("Funnel", f.grid.row + 1, f.grid.col, f.grid.row + 1, f.grid.last_col)
    k, part = f.lag_whole.cell(0).abs, f.lag_fraction.cell(0).abs
    rate = f.stage_rates.cell(0).abs
    assert sheet[f.grid.cell(0, 0).ref].value == (
        f"=((1-{part})*IF(1+{k}<={months},INDEX({below.abs},1+{k}),0)"
        f"+{part}*IF(2+{k}<={months},INDEX({below.abs},2+{k}),0))/{rate}"
    )
    assert sheet[f.lags.cell(0).ref].value == ("=IF(COUNT(StageLags)>0,N(INDEX(StageLags,1)),0)")
    last = f.lags.cell(len(config.stage_rates) - 1)
    assert "N(SalesCycleMonths)" in sheet[last.ref].value


def test_customers_needed_mirrors_the_core_rounding(case):
    """``_checks.ceil_whole`` is ``ceil(max(x − 1e-9, 0))``: the same absolute tolerance."""
    config, _, book = case
    layout = plan_layout(config)
    formula = book["Funnel"][layout.funnel.customers_needed.ref].value
    exact = layout.funnel.customers_exact.ref
    assert formula == f"=ROUNDUP(MAX({exact}-1E-9,0),0)"
    assert CEIL_TOLERANCE == 1e-9
    # Every rounding up in the workbook is that one rule: the whole monthly targets round
    # the running total up (``rolling.whole_months``); Tracking's catch-up volumes round up
    # with the same 1e-9 tolerance.
    everywhere = [(sheet, f) for sheet, _, f in formulas(book) if "ROUNDUP" in f]
    rounding = [f for sheet, f in everywhere if sheet != "Tracking"]
    assert rounding[0] == formula
    for whole in rounding[1:]:
        assert whole.startswith("=IF(WholeUnits,"), whole
        count = whole.count("ROUNDUP")
        assert whole.count("ROUNDUP(MAX(SUM(") == whole.count("-1E-9,0),0)") == count, whole
    catch_up = [f for sheet, f in everywhere if sheet == "Tracking"]
    assert catch_up
    assert all("-1E-9,0),0)" in f for f in catch_up)


def test_year_volumes_divide_stage_by_stage(case):
    """Like ``backsolve``: each stage is the stage below ÷ its own rate (one rounding per
    stage), not the customers ÷ a product of rates."""
    config, _, book = case
    f = plan_layout(config).funnel
    sheet = book["Funnel"]
    stages = len(config.stage_names)
    assert sheet[f.required.cell(stages - 1).ref].value == "=FunnelCustomersNeeded"
    for i in range(stages - 1):
        below, rate = f.required.cell(i + 1).ref, f.stage_rates.cell(i).ref
        assert sheet[f.required.cell(i).ref].value == f"={below}/{rate}"


def test_year_volumes_are_exact_like_backsolve(tmp_path):
    """Recomputed by ``xl-funnel recalc``'s engine, seed 000's 10 customers need exactly the
    core's 20, 50, 250 and 1,250 leads and 83,333.33 visits, bit for bit (one division by
    the product of the rates gives 1,249.9999999999998 leads)."""
    path = write_plan(example_config(), tmp_path / "plan.xlsx")
    volumes = ScenarioRunner(path, ["RequiredVolumes"]).run({})
    core = backsolve(10, example_config().stage_rates).tolist()
    assert volumes == core == [83333.33333333334, 1250.0, 250.0, 50.0, 20.0, 10.0]
    assert 10 / (0.2 * 0.2 * 0.4 * 0.5) == 1249.9999999999998  # what the old formula gave


def test_tornado_moves_each_rate_to_its_achievable_rate(case):
    """The Dashboard's levers: each rate alone at its achievable rate, the basis stated."""
    config, _, book = case
    d = plan_layout(config).dashboard
    sheet = book["Dashboard"]
    rate, improved = d.levers["rate"].cell(0).ref, d.levers["improved_rate"].cell(0).ref
    assert sheet[improved].value == "=INDEX(AchievableRates,1)"
    assert "achievable" in sheet.cell(d.sensitivity_header, d.levers["label"].col).value
    assert sheet[d.levers["customers_change"].cell(0).ref].value == (
        f"={d.base_customers.abs}/{rate}*({improved}-{rate})"
    )


def test_formula_looking_text_is_written_as_text():
    data = workbook_bytes(HOSTILE)
    layout = plan_layout(HOSTILE)
    book = load_workbook(io.BytesIO(data))
    assumptions = book["Assumptions"]
    company = assumptions[layout.assumptions.company.ref]
    assert (company.value, company.data_type) == ("=cmd|' /C calc'!A0", "s")
    assert company.quotePrefix
    for k, name in enumerate(["+SUM(1)", '@HYPERLINK("http://x")', "-2+3"]):
        cell = assumptions[layout.assumptions.channel_names.cell(k).ref]
        assert (cell.value, cell.data_type) == (name, "s")
    # In the XML: a string (openpyxl writes t="inlineStr"), never an <f> formula element.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        sheet_xml = ElementTree.fromstring(archive.read("xl/worksheets/sheet2.xml"))
    assert [e.get("name") for e in workbook.iter(f"{MAIN}sheet")][1] == "Assumptions"
    for ref, text in [
        (layout.assumptions.company, "=cmd|' /C calc'!A0"),
        (layout.assumptions.channel_names.cell(0), "+SUM(1)"),
        (layout.assumptions.stage_names.cell(0), "=1+1"),
    ]:
        element = next(c for c in sheet_xml.iter(f"{MAIN}c") if c.get("r") == ref.ref)
        assert element.get("t") == "inlineStr"
        assert element.find(f"{MAIN}f") is None
        assert "".join(t.text for t in element.iter(f"{MAIN}t")) == text


def test_same_config_gives_identical_bytes(tmp_path):
    first = workbook_bytes(CASES["lagged"])
    assert workbook_bytes(CASES["lagged"]) == first
    written = write_plan(CASES["lagged"], tmp_path / "plan.xlsx").read_bytes()
    assert written == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_committed_example_workbook_is_up_to_date():
    assert COMMITTED.read_bytes() == workbook_bytes(example_config()), (
        "workbooks/annual_plan.xlsx is stale: regenerate it with "
        "`xl-funnel new workbooks/annual_plan.xlsx --force`"
    )


def test_write_plan_is_atomic_and_refuses_to_clobber(tmp_path):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"the planner's own file")
    target.chmod(0o644)
    with pytest.raises(FileExistsError):
        write_plan(example_config(), target, overwrite=False)
    assert target.read_bytes() == b"the planner's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]  # no temp file left
    write_plan(example_config(), target)
    assert target.read_bytes() == workbook_bytes(example_config())
    # Replacing keeps the file's permissions (not the 0600 of a temporary file).
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"last week's plan")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_plan(example_config(), target)
    assert target.read_bytes() == b"last week's plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_every_test_plan_passes_the_ooxml_validator(tmp_path):
    """Every plan configuration the plan tests use, written and checked by the shared
    validator (would Excel open it without a repair prompt?)."""
    from tests.plan_cases import ROUNDING, SATURATED
    from tests.test_plan_money import PATTERN_STAGES
    from tests.validated import assert_opens_in_excel

    configs = {**CASES, "hostile": HOSTILE, "saturated": SATURATED, "rounding": ROUNDING}
    configs["patterns"] = PATTERN_STAGES
    paths = [str(write_plan(c, tmp_path / f"{name}.xlsx")) for name, c in configs.items()]
    assert_opens_in_excel(*paths)
