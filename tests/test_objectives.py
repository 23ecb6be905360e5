"""SMART objectives (seed 003): progress and status of the six examples on a fixed day, in the
core and on the Objectives sheet (LibreOffice and xl-funnel recalc)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from openpyxl import load_workbook

from tests import libreoffice
from tests.validated import assert_opens_in_excel
from xl_funnel.objectives import (
    ACHIEVED,
    BEHIND,
    ON_TRACK,
    SEED_OBJECTIVES,
    expected_progress,
    objective_progress,
    objective_status,
)
from xl_funnel.plan import example_config, expected_values, plan_layout, write_plan
from xl_funnel.plan.kpi_layout import kpi_layout, objectives_layout
from xl_funnel.recalc.workflow import recalculate

START = dt.date(2027, 1, 1)
TODAY = dt.date(2027, 3, 1)
#: Seed 003's examples on 1 March 2027 (59 days into the year): baseline, target, deadline,
#: current, and the progress, expected progress and status worked by hand.
WORKED = [
    # +15 % monthly revenue next quarter: $900k of $833k → $958k, 53 % against 66 % expected.
    (10e6 / 12, 10e6 / 12 * 1.15, dt.date(2027, 4, 1), 900_000.0, 0.5333333, 59 / 90, BEHIND),
    # −10 % ad spend within a year: $90k of $95.8k → $86.3k, 61 % against 16 %.
    (1.15e6 / 12, 1.15e6 / 12 * 0.9, dt.date(2028, 1, 1), 90_000.0, 0.6086957, 59 / 365, ON_TRACK),
    # Halve a 90-day sales cycle in 6 months: 70 days, 44 % against 33 %.
    (90.0, 45.0, dt.date(2027, 7, 1), 70.0, 0.4444444, 59 / 181, ON_TRACK),
    # +20 % SQLs from the next email campaign (by March): 52 of 50 → 60, 20 % at the deadline.
    (50.0, 60.0, dt.date(2027, 3, 1), 52.0, 0.2, 1.0, BEHIND),
    # Cost per click $3.50 → $0.50: still $3.50.
    (3.5, 0.5, dt.date(2028, 1, 1), 3.5, 0.0, 59 / 365, BEHIND),
    # Weekly reach 500 → 1,000: 1,000 reached.
    (500.0, 1000.0, dt.date(2028, 1, 1), 1000.0, 1.0, 59 / 365, ACHIEVED),
]


def test_six_seed_examples_on_a_fixed_day():
    assert len(WORKED) == len(SEED_OBJECTIVES) == 6
    for baseline, target, deadline, current, progress, expected, status in WORKED:
        got = objective_progress(baseline, target, current)
        assert got == pytest.approx(progress, abs=1e-7)
        assert expected_progress(START, deadline, TODAY) == pytest.approx(expected)
        assert objective_status(got, expected_progress(START, deadline, TODAY)) == status


def test_vectorised_and_edges():
    assert np.isnan(objective_progress(5, 5, 6))
    assert expected_progress(10, 20, [5, 15, 25]).tolist() == [0.0, 0.5, 1.0]
    assert np.isnan(expected_progress(20, 10, 15))
    assert objective_status(float("nan"), 0.5) == ""


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    """The example plan on 1 March 2027: two months of revenue and spend on Tracking, a cost
    per click on Channel KPIs, the other current values typed."""
    config = example_config()
    folder = tmp_path_factory.mktemp("objectives")
    path = write_plan(config, folder / "plan.xlsx")
    layout, o, k = plan_layout(config), objectives_layout(6), kpi_layout()
    book = load_workbook(path)
    book["Objectives"][o.today.ref] = dt.datetime(2027, 3, 1)
    tracking = book["Tracking"]
    for name, first, second in (
        ("ActualChannelRevenue", 1_100_000.0, 900_000.0),
        ("ActualChannelSpend", 95_000.0, 90_000.0),
    ):
        ref = layout.names[name]
        tracking[ref.cell(0, 0).ref], tracking[ref.cell(0, 1).ref] = first, second
    # Months reported: the latest month with stage actuals on Tracking (here February).
    stages = layout.names["ActualVolumes"]
    for m in range(2):
        for i, count in enumerate((7_000, 100, 20, 4, 2, 1)):
            tracking[stages.cell(i, m).ref] = count
    kpis = book["Channel KPIs"]
    paid = k.counts["paid_social"]
    for count, value in (("impressions", 80_000), ("clicks", 800), ("spend", 2_800.0)):
        kpis[paid[count].ref] = value
    for i, current in ((2, 70.0), (3, 52.0), (5, 1000.0)):
        book["Objectives"][o.cell(i, "current").ref] = current
    book.save(path)
    assert_opens_in_excel(path)
    lo = libreoffice.values(libreoffice.recalculate(path, folder / "lo"))
    target = folder / "plan.recalc.xlsx"
    recalculate(path, target)
    return {"libreoffice": lo, "recalc": libreoffice.values(target)}


@pytest.mark.libreoffice
@pytest.mark.parametrize("engine", ["libreoffice", "recalc"])
def test_sheet_equals_the_core(computed, engine):
    values, o = computed[engine], objectives_layout(6)
    budget = sum(map(sum, expected_values(example_config())["names"]["ChannelMonthlyBudget"]))
    currents = [900_000.0, 90_000.0, 70.0, 52.0, 3.5, 1000.0]
    baselines = [10e6 / 12, budget / 12, 90.0, 50.0, 3.5, 500.0]
    for i, (row, current, baseline) in enumerate(zip(WORKED, currents, baselines, strict=True)):
        _, _, deadline, _, _, _, _ = row

        def get(key, i=i):
            return values.get(("Objectives", o.cell(i, key).ref))

        assert math.isclose(get("baseline"), baseline, rel_tol=1e-9), i
        assert math.isclose(get("current"), current, rel_tol=1e-9), i
        target = get("target")
        progress = objective_progress(baseline, target, current)
        expected = expected_progress(START, deadline, TODAY)
        assert math.isclose(get("progress"), progress, rel_tol=1e-9, abs_tol=1e-12), i
        assert math.isclose(get("expected"), expected, rel_tol=1e-9), i
        assert get("status") == objective_status(progress, expected), i
    statuses = [values[("Objectives", o.cell(i, "status").ref)] for i in range(6)]
    assert statuses[0] == BEHIND
    assert statuses[5] == ACHIEVED
