"""Cross-engine: LibreOffice recalculates generated plans; every figure equals the core's.

One LibreOffice start recalculates every workbook these tests need (session fixture); each
test then compares the recalculated cells with :func:`xl_funnel.plan.expected_values`, which
computes them with the core library, to 1e-9 relative.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from typing import Any

import pytest
from openpyxl.utils import get_column_letter

from tests import libreoffice
from tests.plan_cases import (
    CASES,
    FLYWHEEL,
    HOSTILE,
    LAGGED,
    ROUNDING,
    SATURATED,
)
from xl_funnel.flywheel import flywheel_backsolve
from xl_funnel.plan import DEFINED_NAMES, PlanConfig, expected_values, plan_layout, write_plan
from xl_funnel.plan.layout import CHANNEL_COLUMNS, RANKED_COLUMNS, SENSITIVITY_COLUMNS, Ref
from xl_funnel.plan.sheets.channels import NOT_AVAILABLE
from xl_funnel.rate_sensitivity import sensitivity
from xl_funnel.revenue import customers_needed

pytestmark = pytest.mark.libreoffice

REL = 1e-9
#: Plans at the edge of the model, checked for error values and outputs.
EDGE_CASES = {"saturated": SATURATED, "rounding": ROUNDING}


@pytest.fixture(scope="session")
def recalculated(tmp_path_factory) -> dict[str, dict[tuple[str, str], Any]]:
    """Every case's workbook, recalculated by LibreOffice in one start: case → cell values."""
    folder = tmp_path_factory.mktemp("plans")
    cases: dict[str, PlanConfig] = {**CASES, "hostile": HOSTILE, **EDGE_CASES}
    paths = [write_plan(config, folder / f"{name}.xlsx") for name, config in cases.items()]
    results = libreoffice.recalculate_all(paths, tmp_path_factory.mktemp("recalculated"))
    return {name: libreoffice.values(path) for name, path in zip(cases, results, strict=True)} | {
        f"{name}:names": libreoffice.named_values(path)
        for name, path in zip(cases, results, strict=True)
    }


def close(got: Any, want: float) -> bool:
    if isinstance(want, float) and math.isnan(want):
        return got == NOT_AVAILABLE
    return isinstance(got, int | float) and math.isclose(got, want, rel_tol=REL, abs_tol=1e-12)


def cell(values: dict, ref: Ref, i: int = 0, j: int = 0) -> Any:
    target = ref.cell(i, j)
    return values.get((target.sheet, target.ref))


def assert_block(values: dict, ref: Ref, expected: list[list[float]], what: str) -> None:
    bad = [
        (ref.cell(i, j).ref, cell(values, ref, i, j), want)
        for i, row in enumerate(expected)
        for j, want in enumerate(row)
        if not close(cell(values, ref, i, j), want)
    ]
    assert not bad, f"{what}: LibreOffice differs from the core at {bad[:5]}"


@pytest.mark.parametrize("case", [*CASES, "hostile", *EDGE_CASES])
def test_no_cell_holds_an_error(recalculated, case):
    errors = [
        (k, v)
        for k, v in recalculated[case].items()
        if isinstance(v, str) and v.startswith(libreoffice.EXCEL_ERRORS)
    ]
    assert errors == []
    # And the workbook did compute: the headline is there.
    assert recalculated[f"{case}:names"]["CustomersNeeded"] > 0


@pytest.mark.parametrize("case", [*CASES, *EDGE_CASES])
def test_defined_outputs_equal_the_core(recalculated, case):
    names = recalculated[f"{case}:names"]
    expected = expected_values({**CASES, **EDGE_CASES}[case])["names"]
    for name, want in expected.items():
        got = names[name]
        if isinstance(want, list):
            assert len(got) == len(want), name
            if want and isinstance(want[0], list):
                got, want = [g for row in got for g in row], [w for row in want for w in row]
            assert all(close(g, w) for g, w in zip(got, want, strict=True)), (name, got, want)
        else:
            assert close(got, want), (name, got, want)
    assert set(DEFINED_NAMES) <= set(names)
    assert names["CustomersNeeded"] == math.ceil(names["CustomersNeeded"])


@pytest.mark.parametrize("case", list(CASES))
def test_funnel_sheet_equals_the_core(recalculated, case):
    config = CASES[case]
    values, layout = recalculated[case], plan_layout(config)
    expected = expected_values(config)
    f = layout.funnel
    assert close(cell(values, f.customers_exact), expected["customers_exact"])
    assert_block(values, f.to_customer, [[v] for v in expected["to_customer"]], "to customer")
    assert_block(values, f.monthly, expected["monthly"], "monthly volumes")
    assert_block(values, f.season_share_row, [expected["season_shares"]], "seasonality")
    lags = expected["lags"]
    for ref, key in ((f.lags, "lags"), (f.lag_whole, "whole"), (f.lag_fraction, "fraction")):
        assert_block(values, ref, [[v] for v in lags[key]], f"lag {key}")
    assert close(cell(values, f.lag_reach), lags["reach"])
    assert lags["reach"] == f.lead_months
    flywheel = expected["flywheel"]
    for ref, key in (
        (f.goal_row, "goal"),
        (f.base_row, "base"),
        (f.referral_row, "referrals"),
        (f.funnel_row, "funnel"),
    ):
        assert_block(values, ref, [flywheel[key]], f"flywheel {key}")
    assert close(cell(values, f.referral_close), flywheel["close_rate"])
    assert close(cell(values, f.referral_yield), flywheel["yield"])
    periods = [list(row) for row in zip(*expected["periods"].values(), strict=True)]
    assert_block(values, f.period_volumes, periods, "quarterly volumes")
    labels = [cell(values, f.month_labels, 0, j) for j in range(f.month_labels.cols)]
    assert [label.date() for label in labels] == expected["month_labels"]
    calendar = expected["calendar"]
    assert_block(values, f.grid, calendar["grid"], "schedule grid")
    for ref, key in ((f.pipeline_row, "delivered"), (f.won_row, "won"), (f.net_row, "net")):
        assert_block(values, ref, [calendar[key]], key)
    if f.next_row is not None:
        assert_block(values, f.next_row, [calendar["next"]], "next year")
    for ref, key in (
        (f.carried_in, "carried_in"),
        (f.carried_out, "carried_out"),
        (f.pipeline_open, "pipeline_open"),
    ):
        assert_block(values, ref, [[v] for v in calendar[key]], key)
    # Each stage's months add up to what it generates in the year; the year's need (exact,
    # whole customers) is met: whole units round the running total up, never down.
    for i, generated in enumerate(expected["names"]["GeneratedVolumes"]):
        months = sum(cell(values, f.monthly, i, j) for j in range(f.monthly.cols))
        assert math.isclose(months, generated, rel_tol=1e-9)
        assert close(cell(values, f.generated_year, i), generated)


def test_lag_rolls_the_year_into_the_next(recalculated):
    """LAGGED's 2.5-month cycle: the schedule starts three months before July 2027; the year
    needs opportunities open before it starts (carried in), and its last months generate
    next year's (carried out), so no fiscal month's top of funnel is 0."""
    layout = plan_layout(LAGGED)
    values = recalculated["lagged"]
    f = layout.funnel
    assert f.lead_months == 3
    assert cell(values, f.grid_labels).date() == datetime.date(2027, 4, 1)
    assert cell(values, f.month_labels).date() == datetime.date(2027, 7, 1)
    assert [cell(values, f.grid, 5, j) for j in range(3)] == [0, 0, 0]
    assert all(cell(values, f.monthly, 0, t) > 0 for t in range(12))
    assert cell(values, f.carried_in, 4) > 0
    assert cell(values, f.carried_out, 4) > 0


@pytest.mark.parametrize("case", list(CASES))
def test_channels_sheet_equals_the_core(recalculated, case):
    config = CASES[case]
    values, layout = recalculated[case], plan_layout(config)
    expected = expected_values(config)
    c = layout.channels
    numeric = [key for key, _ in CHANNEL_COLUMNS if key not in ("name", "entry_stage", "flag")]
    for k, row in enumerate(expected["channels"]):
        sheet_row = c.first + k
        assert values[(c.column("name").sheet, c.column("name").cell(k).ref)] == row["name"]
        for key in numeric:
            got = values.get(("Channels", f"{_col(c, key)}{sheet_row}"))
            assert close(got, row[key]), (row["name"], key, got, row[key])
        flag = values.get(("Channels", f"{_col(c, 'flag')}{sheet_row}"))
        assert (flag or "") == row["flag"], row["name"]
    for key, want in expected["channel_totals"].items():
        got = values.get(("Channels", f"{_col(c, key)}{c.totals}"))
        assert close(got, want), ("total", key, got, want)


def _col(channels, key: str) -> str:
    return get_column_letter(channels.columns[key])


def test_example_flags_the_channels_that_spend_more_than_they_bring(recalculated):
    layout = plan_layout(CASES["example"])
    values = recalculated["example"]
    flagged = [
        values[("Channels", f"B{layout.channels.first + k}")]
        for k in range(layout.channels.count)
        if values.get(("Channels", f"{_col(layout.channels, 'flag')}{layout.channels.first + k}"))
    ]
    assert flagged == ["Paid social", "Direct mail"]


def test_zero_share_channel_shows_not_available(recalculated):
    layout = plan_layout(LAGGED)
    row = layout.channels.first + 3
    values = recalculated["lagged"]
    for key in ("cpl", "cost_per_mql", "cac"):
        assert values[("Channels", f"{_col(layout.channels, key)}{row}")] == NOT_AVAILABLE


def test_fractional_stage_lags_reach_back_before_the_fiscal_year(recalculated):
    layout = plan_layout(FLYWHEEL)
    values, f = recalculated["flywheel"], layout.funnel
    # Σ ⌈lag⌉ = 0 + 1 + 1 + 1 + 1 + 2: six months before January 2027.
    assert f.lead_months == 6
    assert cell(values, f.grid_labels).date() == datetime.date(2026, 7, 1)
    assert cell(values, f.grid, 0, 0) > 0  # visits already in July
    # Opportunities → customers takes 1.5 months: the opportunities for January's deals are
    # needed half in November (column 4), half in December (column 5): carried in.
    expected = expected_values(FLYWHEEL)["calendar"]["grid"]
    assert expected[5][5] > 0
    assert expected[5][4] > 0
    assert close(cell(values, f.grid, 5, 4), expected[5][4])


def test_flywheel_brings_a_third_of_the_customers(recalculated):
    names = recalculated["flywheel:names"]
    needed, referrals = names["CustomersNeeded"], names["ReferralCustomers"]
    assert needed == 72
    assert 0.3 < referrals / needed < 0.36
    assert close(names["FunnelCustomersNeeded"] + referrals, needed)
    # The funnel's required volumes are net of the referral customers.
    assert close(names["RequiredVolumes"][-1], names["FunnelCustomersNeeded"])
    # Referrals beyond the goal: the funnel brings nothing, the extra referrals still count.
    saturated = recalculated["saturated:names"]
    assert saturated["FunnelCustomersNeeded"] == 0
    assert saturated["RequiredVolumes"] == [0] * len(FLYWHEEL.stage_names)
    assert saturated["ReferralCustomers"] > saturated["CustomersNeeded"]
    # Without the flywheel the other plans are unchanged: the funnel brings every customer.
    for case in ("example", "more_stages", "lagged"):
        plan = recalculated[f"{case}:names"]
        assert plan["ReferralCustomers"] == 0
        assert plan["FunnelCustomersNeeded"] == plan["CustomersNeeded"]


def test_flat_flywheel_months_equal_one_core_call():
    """The plan chains one-month core calls (its goal is seasonal); flat, that is the core."""
    flat = dataclasses.replace(FLYWHEEL, seasonality=(1.0,) * 12, stage_lags=None)
    flywheel = expected_values(flat)["flywheel"]
    core = flywheel_backsolve(
        72,
        flat.stage_rates,
        flat.customer_base,
        flat.referrals_per_customer,
        entry_stage="Opportunities",
        referral_close_rate=0.5,
        stage_names=flat.stage_names,
    )
    assert flywheel["referrals"] == pytest.approx(core[-1].tolist(), rel=1e-12)
    assert flywheel["funnel"] == pytest.approx(core[-2].tolist(), rel=1e-12)


@pytest.mark.parametrize("case", list(CASES))
def test_sensitivity_tornado_data_equals_the_core(recalculated, case):
    config = CASES[case]
    d = plan_layout(config).dashboard
    values = recalculated[case]
    expected = expected_values(config)["sensitivity"]
    assert close(cell(values, d.top_volume), expected["top_volume"])
    assert close(cell(values, d.base_customers), expected["base_customers"])
    for key, _ in SENSITIVITY_COLUMNS:
        if key == "rank_key":
            continue
        got = [cell(values, d.levers[key], i) for i in range(len(expected["levers"]))]
        want = [lever[key] for lever in expected["levers"]]
        if key == "label":
            assert got == want
        else:
            assert all(close(g, w) for g, w in zip(got, want, strict=True)), (key, got, want)
    for key, _ in RANKED_COLUMNS:
        got = [cell(values, d.ranked[key], r) for r in range(len(expected["ranked"]))]
        want = [row[key] for row in expected["ranked"]]
        if key == "label":
            assert got == want
        else:
            assert all(close(g, w) for g, w in zip(got, want, strict=True)), (key, got, want)


def test_tornado_ranks_a_capped_lever_last(recalculated):
    """Default achievable rates, each plan rate × 1.1: every uncapped lever adds the same
    tenth of the customers (ties keep funnel order); MQLs→SALs at 93 % can reach only 100 %,
    7.5 % more, and ranks last."""
    d = plan_layout(FLYWHEEL).dashboard
    values = recalculated["flywheel"]
    labels = [cell(values, d.ranked["label"], r) for r in range(6)]
    assert labels == [
        "Visits→Leads",
        "Leads→MQLs",
        "SALs→SQLs",
        "SQLs→Opportunities",
        "Opportunities→Customers",
        "MQLs→SALs",  # 93 %, capped
    ]
    assert cell(values, d.levers["improved_rate"], 2) == 1
    base = cell(values, d.base_customers)
    assert close(cell(values, d.levers["customers_change"], 2), base * (1 / 0.93 - 1))
    assert cell(values, d.levers["customers_change"], 0) == pytest.approx(base * 0.1, rel=1e-9)
    # The older what-if beside it: ten points on 2 % is worth the most.
    step = [cell(values, d.levers["step_revenue_change"], i) for i in range(6)]
    assert step[0] == max(step)


def test_example_tornado_ranks_the_levers_at_achievable_rates(recalculated):
    """The built-in achievable rates (1.5 % → 1.8 %, 20 % → 25 %, 20 % → 22 %, 40 % → 45 %,
    50 % → 55 %) against the core's ``sensitivity(..., targets=…)``: 10 customers × 25 % more
    = 2.5 customers ($2.75M) from lead scoring first, then the landing page ($2.2M), then
    SQLs→Opportunities ($1.375M) and the two ten-percent levers ($1.1M each, funnel order).
    One point on each rate would rank by smallest rate: $7.3M for 1.5 % → 2.5 %."""
    config = CASES["example"]
    d = plan_layout(config).dashboard
    values, names = recalculated["example"], recalculated["example:names"]
    labels = [
        f"{a}→{b}" for a, b in zip(config.stage_names[:-1], config.stage_names[1:], strict=True)
    ]
    core = sensitivity(
        names["RequiredVolumes"][0],
        names["StageRatesUsed"],
        1.1e6,
        names=labels,
        targets=names["AchievableRates"],
    )
    got = [cell(values, d.ranked["label"], r) for r in range(5)]
    assert (
        got
        == list(core.index)
        == [
            "Leads→MQLs",
            "Visits→Leads",
            "SQLs→Opportunities",
            "MQLs→SQLs",
            "Opportunities→Customers",
        ]
    )
    revenue = [cell(values, d.ranked["revenue_change"], r) for r in range(5)]
    assert all(close(g, w) for g, w in zip(revenue, core["revenue_change"], strict=True))
    assert [round(r) for r in revenue] == [2_750_000, 2_200_000, 1_375_000, 1_100_000, 1_100_000]
    step = [cell(values, d.levers["step_revenue_change"], i) for i in range(5)]
    assert [round(r) for r in step] == [7_333_333, 550_000, 550_000, 275_000, 220_000]


def test_dashboard_labels_show_each_stage_volume(recalculated):
    config = CASES["example"]
    layout = plan_layout(config)
    volumes = expected_values(config)["names"]["RequiredVolumes"]
    labels = [cell(recalculated["example"], layout.dashboard.funnel_labels, i) for i in range(6)]
    assert labels == [
        f"{name}  {volume:,.0f}" for name, volume in zip(config.stage_names, volumes, strict=True)
    ]
    tiles = recalculated["example"]
    row = layout.dashboard.kpi_value_row
    assert [tiles[("Dashboard", f"{_letter(col)}{row}")] for _, col in layout.dashboard.kpis][
        :3
    ] == [20_000_000, 10_000_000, 10]


def _letter(col: int) -> str:
    return get_column_letter(col)


def test_formula_looking_text_stays_text_after_recalculation(recalculated):
    values = recalculated["hostile"]
    layout = plan_layout(HOSTILE)
    assert values[("Assumptions", layout.assumptions.company.ref)] == "=cmd|' /C calc'!A0"
    assert values[("Channels", f"B{layout.channels.first}")] == "+SUM(1)"
    assert values[("Funnel", "B1")] == "=cmd|' /C calc'!A0 · Funnel plan · FY2027"
    assert values[("Funnel", layout.funnel.stage_labels.cell(0).ref)] == "=1+1"


def test_missing_libreoffice_fails_loudly(monkeypatch):
    monkeypatch.setattr(libreoffice.shutil, "which", lambda name: None)
    with pytest.raises(libreoffice.LibreOfficeMissingError, match="ensure-libreoffice"):
        libreoffice.recalculate("plan.xlsx")


def test_customers_round_up_like_the_core(recalculated):
    """$1,000,000,000.50 at $1M a deal: 1,000.0000005 customers is 1,001 whole customers in
    the core (1e-9 absolute) and in LibreOffice; a relative tolerance would have kept 1,000."""
    names = recalculated["rounding:names"]
    exact = 1_000_000_000.5 / 1_000_000.0
    assert abs(exact - 1000) <= 1e-9 * exact  # within a 1e-9 relative tolerance of 1,000
    assert customers_needed(1_000_000_000.5, 1_000_000.0) == 1001
    assert names["CustomersNeeded"] == 1001
    assert names["RequiredVolumes"][-1] == 1001
    # Ten customers of $1.1M for seed 000's $10M, and noise below 1e-9 is not a customer.
    assert recalculated["example:names"]["CustomersNeeded"] == 10


@pytest.mark.parametrize("case", [*CASES, *EDGE_CASES])
def test_channel_mix_check_equals_the_core(recalculated, case):
    config = {**CASES, **EDGE_CASES}[case]
    layout, values = plan_layout(config), recalculated[case]
    c, d = layout.channels, layout.dashboard
    mix = expected_values(config)["channel_mix"]
    assert close(cell(values, c.mix_customers), mix["customers"])
    assert close(cell(values, c.plan_customers), mix["plan"])
    assert close(cell(values, c.mix_ratio), mix["ratio"])
    assert (cell(values, c.mix_check) or "") == mix["message"]
    # The Dashboard repeats the check under its KPI tiles.
    assert (cell(values, d.kpi_note) or "") == mix["message"]
    assert close(cell(values, d.mix_ratio), mix["ratio"])


def test_example_channels_add_up_to_the_funnel(recalculated):
    """The built-in channels' own rates average the plan's 20 %. In whole leads each channel
    keeps up with its share of the running total: email's 187.5 and the mailing's 62.5 leads
    round up to 188 and 63, so 1,251 leads bring 75 + 56.4 + 25 + 50 + 31.25 + 12.6 = 250.25
    MQLs and 10.01 customers ($11.011M): Plan ROI ($11.011M − $1.15M) / $1.15M = 857.5 %.
    Exact units give the Funnel's 250 MQLs, 10 customers and 856.5 %."""
    config = CASES["example"]
    layout, values = plan_layout(config), recalculated["example"]
    c = layout.channels
    totals = {
        key: values[("Channels", f"{_col(c, key)}{c.totals}")]
        for key in ("leads", "mqls", "customers", "revenue")
    }
    assert totals == pytest.approx(
        {"leads": 1251, "mqls": 250.25, "customers": 10.01, "revenue": 11_011_000}, rel=1e-12
    )
    names = recalculated["example:names"]
    assert names["PlanROI"] == pytest.approx((11_011_000 - 1_150_000) / 1_150_000, rel=1e-12)
    assert round(names["PlanROI"], 4) == 8.5748
    assert cell(values, c.mix_check) == (
        "The channel mix brings 10.0 customers; at the plan's rates 10.0."
    )
    exact = expected_values(dataclasses.replace(config, whole_units=False))["names"]
    assert exact["PlanROI"] == pytest.approx((11_000_000 - 1_150_000) / 1_150_000, rel=1e-12)


def test_channel_rates_set_the_plan_rate(recalculated):
    """LAGGED's sign-up channels' own rates (25 % on 45 %, the typed 35 % on 25 %, 45 % on
    30 %, nothing from the 0 % podcast) set the plan's Sign-ups→MQLs rate:
    0.45 × 0.25 + 0.25 × 0.35 + 0.30 × 0.45 = 33.5 %, so the channel mix brings exactly the
    plan's customers (once a two-sources-of-truth "Off plan" of 95.7 %)."""
    names = recalculated["lagged:names"]
    assert names["StageRatesUsed"][1] == pytest.approx(0.335, rel=1e-12)
    assert names["StageRatesUsed"][0] == LAGGED.stage_rates[0]
    c = plan_layout(LAGGED).channels
    assert cell(recalculated["lagged"], c.mix_ratio) == pytest.approx(1, rel=1e-12)
    assert cell(recalculated["lagged"], c.mix_check).startswith("The channel mix brings")
