"""The Tracking sheet's monthly inputs (contract B): names, validation, and sums by quarter."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.cell_range import CellRange

from tests import libreoffice
from tests.tracking_cases import EXAMPLE, TRACKED, fill_actuals
from tests.validated import assert_opens_in_excel
from xl_funnel.plan import plan_layout, write_plan
from xl_funnel.plan.tracking_layout import TRACKING_INPUTS
from xl_funnel.plan_names import TRACKING_INPUT_NAMES


def test_every_input_block_is_a_named_rows_by_twelve_months_range():
    config = EXAMPLE
    layout = plan_layout(config)
    assert tuple(block.name for block in TRACKING_INPUTS) == TRACKING_INPUT_NAMES
    for block in TRACKING_INPUTS:
        ref = layout.names[block.name]
        rows = len(config.stage_names) if block.rows == "stages" else len(config.channels)
        assert (ref.sheet, ref.rows, ref.cols) == ("Tracking", rows, 12), block.name


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = write_plan(EXAMPLE, tmp_path_factory.mktemp("inputs") / "plan.xlsx")
    return load_workbook(path)


def _rule(sheet, ref):
    for rule in sheet.data_validations.dataValidation:
        if any(CellRange(str(r)).issuperset(CellRange(ref.ref)) for r in rule.sqref.ranges):
            return rule
    raise AssertionError(f"no validation covers {ref.ref}")


def test_counts_are_whole_and_nothing_is_negative(book):
    layout, sheet = plan_layout(EXAMPLE), book["Tracking"]
    for block in TRACKING_INPUTS:
        ref = layout.names[block.name]
        rule = _rule(sheet, ref)
        want = "whole" if block.unit == "count" else "decimal"
        assert (rule.type, rule.operator, rule.formula1) == (want, "greaterThanOrEqual", "0")
        assert rule.showErrorMessage, block.name
        assert rule.allow_blank, block.name
        first = sheet[ref.cell(0, 0).ref]
        assert first.style == "Plan input"
        assert first.value is None
        assert first.comment is not None, block.name


def _typed(blocks: dict, name: str) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in blocks[name]], float)


def _blank(value) -> bool:
    return value in (None, "")


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tracked")
    paths = [write_plan(EXAMPLE, folder / "empty.xlsx")]
    for name, (config, blocks) in TRACKED.items():
        paths.append(write_plan(config, folder / f"{name}.xlsx"))
        fill_actuals(paths[-1], config, blocks)
    assert_opens_in_excel(*paths)
    results = libreoffice.recalculate_all(paths, tmp_path_factory.mktemp("out"))
    return {path.stem: libreoffice.values(out) for path, out in zip(paths, results, strict=True)}


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", list(TRACKED))
def test_quarters_year_to_date_and_full_year_come_from_the_months(recalculated, case):
    config, blocks = TRACKED[case]
    t, values = plan_layout(config).tracking, recalculated[case]
    for name in TRACKING_INPUT_NAMES:
        typed, ref = _typed(blocks, name), plan_layout(config).names[name]
        for i, row in enumerate(typed):
            r = ref.row + i
            for q, col in enumerate(t.quarter_cols):
                months = row[3 * q : 3 * q + 3]
                got = values.get(("Tracking", ref.cell(i, col - ref.col).ref))
                if np.isnan(months).all():
                    assert _blank(got), (name, r, q)
                else:
                    assert math.isclose(got, np.nansum(months), rel_tol=1e-12), (name, r, q)
            ytd = values.get(("Tracking", ref.cell(i, t.ytd_col - ref.col).ref))
            assert math.isclose(ytd, np.nansum(row), rel_tol=1e-12), (name, r)
            # The year is not over: the full year stays empty rather than a misleading sum.
            assert _blank(values.get(("Tracking", ref.cell(i, t.year_col - ref.col).ref)))


@pytest.mark.libreoffice
def test_empty_tracking_shows_no_error_and_no_zero(recalculated):
    layout, values = plan_layout(EXAMPLE), recalculated["empty"]
    t = layout.tracking
    tracking = {k: v for k, v in values.items() if k[0] == "Tracking"}
    assert not [v for v in tracking.values() if str(v).startswith(libreoffice.EXCEL_ERRORS)]
    for name in TRACKING_INPUT_NAMES:
        ref = layout.names[name]
        for i in range(ref.rows):
            for col in (*t.quarter_cols, t.ytd_col, t.year_col):
                assert _blank(values.get(("Tracking", ref.cell(i, col - ref.col).ref)))


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", list(TRACKED))
def test_month_headers_are_the_fiscal_months(recalculated, case):
    config, _ = TRACKED[case]
    t = plan_layout(config).tracking
    header = t.input_headers["ActualVolumes"]
    ref = plan_layout(config).names["ActualVolumes"]
    got = [recalculated[case][("Tracking", ref.cell(header - ref.row, m).ref)] for m in range(12)]
    start = config.first_month - 1
    want = [
        datetime.datetime(config.fiscal_year + (start + m) // 12, (start + m) % 12 + 1, 1)
        for m in range(12)
    ]
    assert got == want


def test_dashboard_charts_of_the_actuals():
    """Actual columns against a plan line (customers, top of funnel, spend) and ROI bars."""
    import io
    import zipfile

    from defusedxml import ElementTree

    from xl_funnel.plan import workbook_bytes

    chart_ns = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(EXAMPLE))) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        charts = [ElementTree.fromstring(archive.read(n)) for n in names[4:]]
    assert len(charts) == 4
    for chart in charts[:3]:
        assert [e.get("val") for e in chart.iter(f"{chart_ns}barDir")] == ["col"]
        assert len(list(chart.iter(f"{chart_ns}lineChart"))) == 1
        refs = [f.text for f in chart.iter(f"{chart_ns}f")]
        assert all(ref.startswith("'Dashboard'!") for ref in refs)
    roi = charts[3]
    assert len(list(roi.iter(f"{chart_ns}ser"))) == 2


def test_tracking_prints_one_page_wide_in_blocks(book):
    from xl_funnel.plan.sheets.tracking import PAGE_STARTS

    sheet, t = book["Tracking"], plan_layout(EXAMPLE).tracking
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_cols == "$A:$B"
    breaks = [brk.id for brk in sheet.row_breaks.brk]
    assert breaks == [t.headers[key] - 1 for key in PAGE_STARTS]
    # Every column printed is sized: the page is the label and the 18 grid columns.
    widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(t.last_col)]
    assert all(width and width <= 36 for width in widths)


def test_every_new_sheet_prints_and_freezes(book):
    for name in ("Tracking", "Channel KPIs", "Objectives"):
        sheet = book[name]
        assert sheet.freeze_panes, name
        assert sheet.page_setup.fitToWidth == 1, name


def test_dashboard_prints_the_actuals_on_a_page_of_their_own(book):
    from xl_funnel.plan.sheets.dashboard_actuals import actuals_layout

    a = actuals_layout(plan_layout(EXAMPLE))
    areas = book["Dashboard"].print_area.split(",")
    assert len(areas) == 2
    assert areas[1].startswith(f"'Dashboard'!$A${a.header}:")
    assert book["Dashboard"].page_setup.fitToWidth == 1
