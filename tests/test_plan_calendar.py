"""The rolling calendar: a year that starts with pipeline and ends preparing the next.

Worked by hand on the built-in plan (seed 000): 10 customers a year, 0.8333 a month, rates
1.5 %, 20 %, 20 %, 40 %, 50 % (0.024 % from visit to customer), growth 20 % + 5 points, so
next year's months need 1.25 × 0.8333 = 1.0417 customers each.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import libreoffice
from tests.strategies import funnel_st, target_st
from xl_funnel import seed
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError
from xl_funnel.excel.registry import get
from xl_funnel.funnel import backsolve
from xl_funnel.plan import example_config, expected_values, plan_layout, write_plan
from xl_funnel.plan.config import PipelineItem
from xl_funnel.rolling import net_customers, pipeline_customers, rolling_schedule, whole_months
from xl_funnel.scheduling import lead_months, schedule_volumes

MONTH = 10 / 12
NEXT = 1.25 * MONTH
VISIT_TO_CUSTOMER = 0.015 * 0.2 * 0.2 * 0.4 * 0.5

CYCLE = dataclasses.replace(example_config(), sales_cycle_months=3.0, whole_units=False)
LAGS = dataclasses.replace(example_config(), stage_lags=(0.0, 0.5, 1.0, 1.0, 3.0))
CYCLE_WHOLE = dataclasses.replace(example_config(), sales_cycle_months=3.0)
LAGS_EXACT = dataclasses.replace(LAGS, whole_units=False)
#: Four open opportunities when the year starts, two closing in each of its first months.
PIPELINE = dataclasses.replace(
    example_config(),
    whole_units=False,
    pipeline=(PipelineItem("Opportunities", 4.0, (1, 2)),),
)
CASES = {
    "cycle": CYCLE,
    "cycle_whole": CYCLE_WHOLE,
    "lags": LAGS,
    "lags_exact": LAGS_EXACT,
    "pipeline": PIPELINE,
}


def test_sales_cycle_of_three_months_by_hand():
    """Opportunities close three months later: months 1–9 generate this year's 1.6667 a
    month (0.8333 / 50 %), months 10–12 next year's 2.0833; the year starts needing 5 open
    opportunities (January–March's deals) and ends with 6.25 for next January–March."""
    plan = rolling_schedule([MONTH] * 12, seed.SEED_RATES, 3, [NEXT] * 3)
    opportunities, visits = plan.generated[4], plan.generated[0]
    assert opportunities == pytest.approx([MONTH / 0.5] * 9 + [NEXT / 0.5] * 3, rel=1e-12)
    assert visits[:9] == pytest.approx([6944.444444444444] * 9, rel=1e-12)
    assert visits[9:] == pytest.approx([8680.555555555555] * 3, rel=1e-12)
    assert plan.carried_in[4] == pytest.approx(5.0, rel=1e-12)
    assert plan.carried_out[4] == pytest.approx(6.25, rel=1e-12)
    # What next year's first three months need, exactly: 3 × 1.0417 customers ÷ 50 %.
    assert plan.carried_out[4] == pytest.approx(3 * NEXT / 0.5, rel=1e-12)
    assert plan.carried_out[0] == pytest.approx(3 * NEXT / VISIT_TO_CUSTOMER, rel=1e-12)
    assert (plan.generated[0] > 0).all()


def test_stage_lags_by_hand():
    """Lags 0, ½, 1, 1, 3 months: an MQL of month m closes in m + 5, and a lead splits
    half into its own month's MQLs, half into the next's. Visits: months 1–6 serve this
    year's 20.83 MQLs a month (6,944.44), month 7 half this year's and half next year's
    26.04 (7,812.50), months 8–12 next year's (8,680.56). Before the year: 5½ months of
    104.17 leads (572.92); carried out: 5½ months of 130.21 (716.15)."""
    plan = rolling_schedule([MONTH] * 12, seed.SEED_RATES, [0, 0.5, 1, 1, 3], [NEXT] * 6)
    visits = plan.generated[0]
    assert visits[:6] == pytest.approx([6944.444444444444] * 6, rel=1e-12)
    assert visits[6] == pytest.approx(7812.5, rel=1e-12)
    assert visits[7:] == pytest.approx([8680.555555555555] * 5, rel=1e-12)
    assert plan.carried_in[1] == pytest.approx(5.5 * MONTH / 0.008, rel=1e-12)
    assert plan.carried_out[1] == pytest.approx(5.5 * NEXT / 0.008, rel=1e-12)
    assert round(plan.carried_in[1], 2) == 572.92
    assert round(plan.carried_out[1], 2) == 716.15


def test_open_opportunities_lower_what_the_year_generates():
    """N = 4 open opportunities closing in months 1 and 2 at a 50 % win rate bring 2
    customers: the year wins 8 from new pipeline and generates 20 − 4 = 16 opportunities."""
    open_counts = np.zeros((5, 12))
    open_counts[4, :2] = 2.0
    delivered = pipeline_customers(open_counts, seed.SEED_RATES)
    assert delivered.tolist() == [1.0, 1.0] + [0.0] * 10
    plan = rolling_schedule([MONTH] * 12, seed.SEED_RATES, 0, [], delivered)
    assert plan.net_targets.sum() == pytest.approx(10 - 4 * 0.5, rel=1e-12)
    assert plan.generated[4].sum() == pytest.approx(20 - 4, rel=1e-12)
    assert plan.generated[0].sum() == pytest.approx((10 - 2) / VISIT_TO_CUSTOMER, rel=1e-12)


def test_whole_months_never_fall_behind_and_add_up():
    rng = np.random.default_rng(11)
    volumes = rng.uniform(0, 50, size=(200, 12))
    whole = whole_months(volumes)
    assert (whole == np.round(whole)).all()
    assert (whole >= 0).all()
    assert (np.cumsum(whole, axis=1) >= np.cumsum(volumes, axis=1) - 1e-9).all()
    assert (np.cumsum(whole, axis=1) < np.cumsum(volumes, axis=1) + 1).all()
    assert whole_months([7.000000000000001, 0.0]).tolist() == [7.0, 0.0]


def test_bad_input_names_the_argument():
    with pytest.raises(InvalidAmountError, match="delivered"):
        net_customers([1, 1], [-1, 0])
    with pytest.raises(ShapeMismatchError, match="open_counts"):
        pipeline_customers([[1, 2]], [0.5, 0.5])
    with pytest.raises(ShapeMismatchError, match="targets"):
        rolling_schedule([], [0.5], 0, [])


def test_excel_function_spills_what_the_core_computes():
    function = get("FUNNEL_ROLLING_SCHEDULE")
    rates = [[r] for r in seed.SEED_RATES]
    table = function([[MONTH] * 12], rates, 3.0, [[NEXT] * 3])
    plan = rolling_schedule([MONTH] * 12, seed.SEED_RATES, 3, [NEXT] * 3)
    assert table[0][-2:] == ["Carried in", "Carried out"]
    assert [row[1:13] for row in table[1:]] == plan.generated.tolist()
    assert [row[-1] for row in table[1:]] == plan.carried_out.tolist()
    assert function([[1.0]], [[-0.5]], 0.0, None) == "#NUM!"


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("calendar")
    paths = [write_plan(config, folder / f"{name}.xlsx") for name, config in CASES.items()]
    out = libreoffice.recalculate_all(paths, folder / "lo")
    return {name: libreoffice.named_values(path) for name, path in zip(CASES, out, strict=True)}


def _flat(value) -> list:
    if isinstance(value, list) and value and isinstance(value[0], list):
        return [v for row in value for v in row]
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("name", list(CASES))
def test_workbook_calendar_equals_the_core(recalculated, name):
    """Every plan output, LibreOffice against the core: 1e-9 relative, whole units exactly."""
    names = recalculated[name]
    expected = expected_values(CASES[name])["names"]
    for key, want in expected.items():
        got = _flat(names[key])
        want = _flat(want)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9), key
    if CASES[name].whole_units:
        monthly = _flat(names["MonthlyVolumes"])
        assert monthly == _flat(expected["MonthlyVolumes"])  # exactly
        assert all(v == int(v) for v in monthly)


@pytest.mark.parametrize("name", ["cycle", "cycle_whole", "lags", "lags_exact"])
def test_no_fiscal_month_plans_zero_visits(recalculated, name):
    assert all(v > 0 for v in recalculated[name]["MonthlyVolumes"][0])


def test_workbook_worked_examples(recalculated):
    cycle = recalculated["cycle"]
    assert cycle["MonthlyVolumes"][4] == pytest.approx([MONTH / 0.5] * 9 + [NEXT / 0.5] * 3)
    assert cycle["PipelineCarriedIn"][4] == pytest.approx(5.0, rel=1e-12)
    assert cycle["PipelineCarriedOut"][4] == pytest.approx(6.25, rel=1e-12)
    lags = recalculated["lags_exact"]
    assert lags["MonthlyVolumes"][0][6] == pytest.approx(7812.5, rel=1e-12)
    assert round(lags["PipelineCarriedOut"][1], 2) == 716.15
    # Whole units: the year's customers are the goal's 10, never 12 (one a month).
    assert sum(recalculated["cycle_whole"]["MonthlyVolumes"][5]) == 10
    pipeline = recalculated["pipeline"]
    assert pipeline["PipelineCustomers"] == pytest.approx(2.0, rel=1e-12)
    assert pipeline["NewPipelineCustomers"] == pytest.approx(8.0, rel=1e-12)
    assert pipeline["GeneratedVolumes"][4] == pytest.approx(16.0, rel=1e-12)
    assert pipeline["CustomersNeeded"] == 10


def test_pipeline_is_an_input_grid():
    layout = plan_layout(PIPELINE)
    ref = layout.names["StartingPipeline"]
    assert (ref.rows, ref.cols) == (5, 12)
    assert PIPELINE.pipeline_grid[4][:3] == [2.0, 2.0, 0.0]


def test_generated_plans_pass_the_ooxml_validator(tmp_path):

    from tests.validated import assert_opens_in_excel

    paths = [write_plan(config, tmp_path / f"{name}.xlsx") for name, config in CASES.items()]
    assert_opens_in_excel(*paths)
    assert Path(paths[0]).stat().st_size > 10_000


lags_st = st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, 3.0]), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(
    funnel=funnel_st,
    lags=lags_st,
    targets=st.lists(target_st, min_size=12, max_size=12),
    growth=st.floats(min_value=-0.5, max_value=1.0),
)
def test_rolling_schedule_keeps_every_customer(funnel, lags, targets, growth):
    """Whatever the lags: each stage's volume before, in and after the year adds up to what
    this year's and next year's customers need; nothing carried is negative; whole months
    never fall behind the exact ones."""
    lags = (lags * len(funnel))[: len(funnel)]
    reach = lead_months(lags)
    after = [t * (1 + growth) for t in targets][:reach] + [0.0] * max(0, reach - 12)
    plan = rolling_schedule(targets, funnel, lags, after)
    full = schedule_volumes(np.concatenate([targets, after]), funnel, lags)
    need = np.asarray(backsolve(sum(targets) + sum(after), funnel))
    assert full.sum(axis=1) == pytest.approx(need, rel=1e-9, abs=1e-6)
    assert plan.generated.sum(axis=1) + plan.carried_in + full[:, reach + 12 :].sum(
        axis=1
    ) == pytest.approx(need, rel=1e-9, abs=1e-6)
    assert (plan.carried_out >= -1e-6 * np.maximum(need, 1)).all()
    whole = rolling_schedule(targets, funnel, lags, after, round_up=True).generated
    running = np.cumsum(whole, axis=1) - np.cumsum(plan.generated, axis=1)
    assert (running >= -1e-9).all()
    assert (running < 1 + 1e-9).all()
