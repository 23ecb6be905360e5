"""Channel KPIs (seed 004): the core, the Excel function, and the sheet in LibreOffice, with
every threshold checked on both sides of its boundary."""

from __future__ import annotations

import math

import pytest
from openpyxl import load_workbook

from tests import libreoffice
from tests.validated import assert_opens_in_excel
from xl_funnel.errors import InvalidAmountError, InvalidChoiceError, ShapeMismatchError
from xl_funnel.excel import registry
from xl_funnel.kpis import (
    CHANNEL_KINDS,
    GOOD,
    THRESHOLDS,
    WATCH,
    channel_kpis,
    kpi_status,
)
from xl_funnel.plan import example_config, write_plan
from xl_funnel.plan.kpi_layout import kpi_layout

EMAIL = {
    "sent": 10_000,
    "delivered": 9_900,
    "unique_opens": 2_475,
    "unique_clicks": 495,
    "unsubscribes": 20,
    "replies": 99,
}
#: Per threshold: counts exactly at the aim and one unit under it.
BOUNDARIES = {
    ("email", "delivery_rate"): (
        {**EMAIL, "delivered": 9_500},
        {**EMAIL, "delivered": 9_499},
    ),
    ("webinar", "attendance_rate"): (
        {"registrations": 400, "attendees": 200, "on_demand_views": 60},
        {"registrations": 400, "attendees": 199, "on_demand_views": 60},
    ),
    ("paid_social", "lead_to_mql_rate"): (
        {"impressions": 80_000, "clicks": 800, "spend": 2_800.0, "leads": 40, "mqls": 40},
        {"impressions": 80_000, "clicks": 800, "spend": 2_800.0, "leads": 40, "mqls": 39},
    ),
}


def test_seed_004_delivery_rate_is_99_percent():
    kpis = channel_kpis("email", EMAIL)
    assert kpis["delivery_rate"] == 0.99
    assert kpi_status("email", "delivery_rate", kpis["delivery_rate"]) == GOOD
    assert kpis["click_to_open_rate"] == pytest.approx(0.2)
    assert kpis["unsubscribe_rate"] == pytest.approx(20 / 9_900)


def test_every_threshold_is_tested_on_both_sides():
    assert set(BOUNDARIES) == set(THRESHOLDS)
    for (kind, metric), (at, under) in BOUNDARIES.items():
        aim = THRESHOLDS[kind, metric].aim
        assert channel_kpis(kind, at)[metric] == aim
        assert channel_kpis(kind, under)[metric] < aim
        assert kpi_status(kind, metric, channel_kpis(kind, at)[metric]) == GOOD
        assert kpi_status(kind, metric, channel_kpis(kind, under)[metric]) == WATCH


def test_paid_metrics_and_vectorised_counts():
    kpis = channel_kpis(
        "Paid social",
        {
            "impressions": [80_000, 0],
            "clicks": [800, 0],
            "spend": [2_800, 0],
            "leads": 40,
            "mqls": 30,
        },
    )
    assert kpis["ctr"].tolist()[0] == 0.01
    assert kpis["cpc"].tolist()[0] == 3.5
    assert math.isnan(kpis["cpc"][1])
    assert kpis["cost_per_mql"][0] == pytest.approx(2_800 / 30)


def test_bad_counts_name_the_problem():
    with pytest.raises(InvalidChoiceError, match="kind is 'fax'"):
        channel_kpis("fax", {})
    with pytest.raises(ShapeMismatchError, match="missing attendees"):
        channel_kpis("webinar", {"registrations": 1, "on_demand_views": 0})
    with pytest.raises(InvalidAmountError, match="sent"):
        channel_kpis("direct_mail", {"sent": -1, "claimed": 0, "meetings": 0})


def test_excel_function_equals_the_core():
    function = registry.get("CHANNEL_KPIS")
    header, *rows = function("email", [[float(v)] for v in EMAIL.values()])
    assert header == ["Metric", "Value", "Status"]
    assert rows[0] == ["Delivery rate", 0.99, GOOD]
    kpis = channel_kpis("email", EMAIL)
    assert [row[1] for row in rows] == pytest.approx(list(kpis.values()))
    assert function("email", [[1.0], [2.0]]) == "#VALUE!"
    assert function("fax", [[1.0]]) == "#VALUE!"


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """Three workbooks: seed 004's email; every threshold at its aim; every one just under."""
    folder = tmp_path_factory.mktemp("kpis")
    k = kpi_layout()
    cases = {
        "seed": {"email": EMAIL},
        "at": {kind: counts[0] for (kind, _), counts in BOUNDARIES.items()},
        "under": {kind: counts[1] for (kind, _), counts in BOUNDARIES.items()},
    }
    paths = []
    for name, typed in cases.items():
        path = write_plan(example_config(), folder / f"{name}.xlsx")
        book = load_workbook(path)
        sheet = book["Channel KPIs"]
        for kind, counts in typed.items():
            for count, value in counts.items():
                sheet[k.counts[kind][count].ref] = value
        book.save(path)
        paths.append(path)
    assert_opens_in_excel(*paths)
    out = libreoffice.recalculate_all(paths, tmp_path_factory.mktemp("out"))
    return {name: (cases[name], libreoffice.values(p)) for name, p in zip(cases, out, strict=True)}


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", ["seed", "at", "under"])
def test_sheet_equals_the_core_on_both_sides_of_each_threshold(sheets, case):
    typed, values = sheets[case]
    k = kpi_layout()
    for kind, counts in typed.items():
        kpis = channel_kpis(kind, counts)
        for metric in CHANNEL_KINDS[kind].metrics:
            ref = k.metrics[kind][metric.name]
            got = values[("Channel KPIs", ref.ref)]
            assert math.isclose(got, kpis[metric.name], rel_tol=1e-12), (kind, metric.name)
            status = values.get(("Channel KPIs", ref.cell(0, k.col("status") - ref.col).ref))
            want = kpi_status(kind, metric.name, kpis[metric.name])
            assert (status or "") == want, (kind, metric.name, status)
    if case == "seed":
        assert values[("Channel KPIs", k.metrics["email"]["delivery_rate"].ref)] == 0.99


@pytest.mark.libreoffice
def test_untyped_kinds_show_no_error_and_no_zero(sheets):
    _, values = sheets["seed"]
    k = kpi_layout()
    for metric in CHANNEL_KINDS["webinar"].metrics:
        assert values.get(("Channel KPIs", k.metrics["webinar"][metric.name].ref)) in (None, "")
    errors = [v for key, v in values.items() if key[0] == "Channel KPIs" and str(v).startswith("#")]
    assert errors == []


def test_thresholds_are_conditional_formats_and_cite_their_source(tmp_path):
    book = load_workbook(write_plan(example_config(), tmp_path / "plan.xlsx"))
    sheet, k = book["Channel KPIs"], kpi_layout()
    rules = {
        str(cf.sqref): [rule.formula[0] for rule in cf.rules] for cf in sheet.conditional_formatting
    }
    for (kind, metric), threshold in THRESHOLDS.items():
        ref = k.metrics[kind][metric]
        aim = sheet.cell(ref.row, k.col("aim"))
        assert aim.value == threshold.aim
        assert sheet.cell(ref.row, k.col("note")).value == threshold.source
        covering = [f for cells, formulas in rules.items() if ref.ref in cells for f in formulas]
        assert any(">=" in f for f in covering)
        assert any("<" in f and ">=" not in f for f in covering)
