"""``xl-funnel risk``: the plan's chance of hitting its target, and the Risk sheet it writes."""

from __future__ import annotations

import io
import json
import math
import re
import sys
import zipfile

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from tests import libreoffice
from xl_funnel.cli import cli
from xl_funnel.cli.risk import COMPUTED
from xl_funnel.cli.risk_sheet import RiskSheet, WorkbookEditError, add_risk_sheet
from xl_funnel.plan import config_toml, example_config, expected_values, parse_config, write_plan
from xl_funnel.simulation import simulate, volume_for

RATES = [0.015, 0.2, 0.2, 0.4, 0.5]
STAGES = ["Visits", "Leads", "MQLs", "SQLs", "Opportunities", "Customers"]
HISTORY = "Visits,Leads,MQLs,SQLs,Opportunities,Customers\n" + "25000,375,75,15,6,3\n" * 4


def run(*args: str):
    return CliRunner().invoke(cli, ["risk", *args])


def small_plan(path, customers=9.0, volumes=None):
    """A workbook with the plan's defined names (values cached as plain numbers) and one of
    everything a plan holds that a careless writer could lose."""
    book = Workbook()
    inputs = book.active
    inputs.title = "Inputs"
    inputs["A1"] = "Stage"
    for i, (stage, rate) in enumerate(zip(STAGES, [*RATES, None], strict=True), start=2):
        inputs[f"A{i}"] = stage
        if rate is not None:
            inputs[f"B{i}"] = rate
    inputs["D2"] = customers
    for i, volume in enumerate(volumes or [75_000, 1_125, 225, 45, 18, 9], start=2):
        inputs[f"E{i}"] = volume
    book.defined_names["StageRates"] = DefinedName("StageRates", attr_text="Inputs!$B$2:$B$6")
    book.defined_names["StageNames"] = DefinedName("StageNames", attr_text="Inputs!$A$2:$A$7")
    book.defined_names["CustomersNeeded"] = DefinedName("CustomersNeeded", attr_text="Inputs!$D$2")
    book.defined_names["RequiredVolumes"] = DefinedName(
        "RequiredVolumes", attr_text="Inputs!$E$2:$E$7"
    )
    validation = DataValidation(type="decimal", operator="between", formula1="0", formula2="1")
    validation.add("B2:B6")
    inputs.add_data_validation(validation)
    inputs.conditional_formatting.add(
        "B2:B6",
        CellIsRule(operator="lessThan", formula=["0.1"], fill=PatternFill("solid", "FFC7CE")),
    )
    inputs["B2"].comment = Comment("Visits → leads", "planner")
    inputs.print_area = "A1:E7"
    dashboard = book.create_sheet("Dashboard")
    chart = BarChart()
    chart.add_data(Reference(inputs, min_col=5, min_row=2, max_row=7))
    dashboard.add_chart(chart, "B2")
    book.save(path)
    return path


@pytest.fixture
def plan(tmp_path):
    return small_plan(tmp_path / "plan.xlsx")


def test_prints_probability_and_volumes_equal_to_the_core(plan):
    result = run(str(plan))
    assert result.exit_code == 0, result.output
    core = simulate(75_000, 9, rates=RATES, seed=0)
    levels = volume_for([0.5, 0.8, 0.9], 9, rates=RATES, seed=0)
    out = result.stdout
    assert f"Probability of reaching the target: {core.probability:.1%}" in out
    assert "Customers needed: 9; planned Visits: 75,000" in out
    for name, volume in zip(("P50", "P80", "P90"), levels, strict=True):
        assert f"{name} Visits: {volume:,.0f}" in out
    assert "(cached values)" in out
    assert "Trials: 100,000; seed: 0" in out


def test_json_with_history_spread_trials_and_seed(plan, tmp_path):
    history = tmp_path / "history.csv"
    history.write_text(HISTORY)
    result = run(str(plan), "--history", str(history), "--trials", "20000", "--seed", "7", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    counts = [[25_000, 375, 75, 15, 6, 3]] * 4
    core = simulate(75_000, 9, history=counts, trials=20_000, seed=7)
    assert data["probability"] == core.probability
    assert list(data["volumes"].values()) == core.volume_for([0.5, 0.8, 0.9]).tolist()
    assert data["uncertainty"] == "beta posterior from history.csv (4 periods)"
    assert (data["trials"], data["seed"], data["customers_needed"]) == (20_000, 7, 9.0)
    spread = json.loads(run(str(plan), "--spread", "0.2", "--trials", "5000", "--json").stdout)
    ranges = [[r * 0.8, min(1.0, r * 1.2)] for r in RATES]
    expected = simulate(75_000, 9, rate_ranges=ranges, trials=5_000, seed=0).probability
    assert spread["probability"] == expected


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


CHANGED = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "xl/styles.xml",
}


def test_write_adds_a_risk_sheet_and_keeps_everything_else(plan):
    before = parts(plan)
    result = run(str(plan), "--write", "--trials", "20000")
    assert result.exit_code == 0, result.output
    assert "wrote the Risk sheet" in result.stderr
    after = parts(plan)
    # Every part of the original is still there; all but four byte for byte.
    assert set(before) <= set(after)
    for name in set(before) - CHANGED:
        assert after[name] == before[name], name
    # The four edited parts are the originals plus insertions only.
    workbook = after["xl/workbook.xml"].decode()
    inserted = re.search(
        r'<sheet xmlns:r="[^"]+" name="Risk" sheetId="3" r:id="rId\d+"/>', workbook
    )
    assert inserted
    # ... and xl-funnel's mark on it (xl_funnel.sheet_marks), so a later --write may refresh it
    mark = (
        '<definedName name="_xlfunnel_sheet" localSheetId="2" hidden="1">'
        "'Risk'!$A$1</definedName>"
    )
    assert mark in workbook
    unmarked = workbook.replace(inserted.group(0), "").replace(mark, "")
    assert unmarked == before["xl/workbook.xml"].decode()
    types = re.sub(
        r'<Override PartName="/xl/(worksheets/sheet3|drawings/drawing2|charts/chart2)'
        r'\.xml" ContentType="[^"]+"/>',
        "",
        after["[Content_Types].xml"].decode(),
    )
    assert types == before["[Content_Types].xml"].decode()
    added = set(after) - set(before)
    assert added == {
        "xl/worksheets/sheet3.xml",
        "xl/worksheets/_rels/sheet3.xml.rels",
        "xl/drawings/drawing2.xml",
        "xl/drawings/_rels/drawing2.xml.rels",
        "xl/charts/chart2.xml",
    }
    book = load_workbook(plan)
    assert book.sheetnames == ["Inputs", "Dashboard", "Risk"]
    inputs = book["Inputs"]
    assert len(inputs.data_validations.dataValidation) == 1
    assert len(inputs.conditional_formatting) == 1
    assert inputs["B2"].comment.text == "Visits → leads"
    assert inputs.print_area == "'Inputs'!$A$1:$E$7"
    assert len(book["Dashboard"]._charts) == 1
    assert set(book.defined_names) == {
        "StageRates",
        "StageNames",
        "CustomersNeeded",
        "RequiredVolumes",
    }
    risk = book["Risk"]
    assert len(risk._charts) == 1
    core = simulate(75_000, 9, rates=RATES, trials=20_000, seed=0)
    summary = {risk[f"A{r}"].value: risk[f"B{r}"] for r in range(3, 14)}
    assert summary["Customers needed"].value == 9
    assert summary["Probability of reaching the target"].value == core.probability
    assert summary["Probability of reaching the target"].number_format == "0.00%"
    assert summary["P90 volume (reaches the target 90 % of the time)"].value == (
        core.volume_for(0.9)
    )
    assert summary["P90 volume (reaches the target 90 % of the time)"].number_format == "#,##0"
    assert summary["Seed"].value == 0
    assert summary["Date"].is_date
    shares = [risk[f"E{r}"].value for r in range(4, risk.max_row + 1) if risk[f"E{r}"].value]
    assert sum(shares) == pytest.approx(1.0)
    assert risk["D3"].value == "Customers"


def test_write_again_refreshes_the_same_sheet(plan):
    assert run(str(plan), "--write", "--trials", "5000").exit_code == 0
    first = parts(plan)
    assert run(str(plan), "--write", "--trials", "5000", "--seed", "3").exit_code == 0
    second = parts(plan)
    assert set(second) == set(first)
    # Only the sheet and its chart (whose range follows the histogram's length) change.
    for name in set(first) - {"xl/worksheets/sheet3.xml", "xl/charts/chart2.xml"}:
        assert second[name] == first[name], name
    book = load_workbook(plan)
    assert book.sheetnames == ["Inputs", "Dashboard", "Risk"]
    assert book["Risk"]["B12"].value == 3  # the seed
    expected = simulate(75_000, 9, rates=RATES, trials=5_000, seed=3).probability
    assert book["Risk"]["B5"].value == expected


def test_the_generated_plan_computed_and_cached(tmp_path):
    """The real plan workbook: without cached values the plan is computed in memory, and
    after xl-funnel recalc the cached values give the same answer."""
    path = tmp_path / "plan.xlsx"
    write_plan(example_config(), path)
    names = expected_values(example_config())["names"]
    computed = json.loads(run(str(path), "--trials", "5000", "--json").stdout)
    assert computed["values"] == COMPUTED
    assert computed["customers_needed"] == names["CustomersNeeded"] == 10
    assert computed["funnel_customers_needed"] == names["FunnelCustomersNeeded"] == 10
    # The simulation draws whole visits: the plan's volume rounded up.
    assert computed["planned_volume"] == math.ceil(names["RequiredVolumes"][0]) == 83_334
    recalc = CliRunner().invoke(cli, ["recalc", str(path), "--in-place"])
    assert recalc.exit_code == 0, recalc.output
    cached = json.loads(run(str(path), "--trials", "5000", "--json").stdout)
    assert cached["values"] == "cached values"
    assert {k: v for k, v in cached.items() if k != "values"} == {
        k: v for k, v in computed.items() if k != "values"
    }


#: new_revenue_goal overrides target × share, growth by CAGR, the flywheel on, a stage lag:
#: everything the old re-derivation of CustomersNeeded ignored.
FLYWHEEL_PLAN = (
    config_toml(example_config())
    .replace(
        "# new_revenue_goal = 10_000_000  # set to override target × share",
        "new_revenue_goal = 7_700_000",
    )
    .replace('growth_method = "mean"', 'growth_method = "cagr"')
    .replace("customer_base = 0.0", "customer_base = 100.0")
    .replace("referrals_per_customer = 0.0", "referrals_per_customer = 0.1")
    .replace("# referral_close_rate = 0.25", "referral_close_rate = 0.05")
    .replace("sales_cycle_months = 0.0", "sales_cycle_months = 2.0")
)


def test_flywheel_plan_targets_what_the_funnel_must_bring(tmp_path):
    config = parse_config(FLYWHEEL_PLAN, "flywheel.toml")
    assert (
        config.new_revenue_goal,
        config.growth_method,
        config.customer_base,
        config.referrals_per_customer,
        config.referral_close_rate,
        config.sales_cycle_months,
    ) == (7_700_000, "cagr", 100.0, 0.1, 0.05, 2.0)
    names = expected_values(config)["names"]
    # 7 customers at $1.1M; 100 customers × 0.1 referrals × 5 % close bring 0.5 a month.
    assert names["CustomersNeeded"] == 7
    assert 0 < names["FunnelCustomersNeeded"] < 7
    path = tmp_path / "plan.xlsx"
    write_plan(config, path)
    fresh = run(str(path), "--trials", "5000", "--json")
    assert fresh.exit_code == 0, fresh.output
    computed = json.loads(fresh.stdout)
    assert computed["values"] == COMPUTED
    assert computed["customers_needed"] == 7
    # Whole customers and visits, as the simulation draws them.
    funnel = math.ceil(names["FunnelCustomersNeeded"])
    assert computed["funnel_customers_needed"] == funnel
    assert computed["planned_volume"] == math.ceil(names["RequiredVolumes"][0])
    core = simulate(
        names["RequiredVolumes"][0],
        names["FunnelCustomersNeeded"],
        rates=list(config.stage_rates),
        trials=5_000,
        seed=0,
    )
    assert computed["probability"] == pytest.approx(core.probability, abs=1e-12)
    # The funnel is planned for its own share: reaching it is a coin flip or better, not
    # the near-certain miss of comparing the funnel's volume with all 7 customers.
    assert computed["probability"] > 0.4
    text = run(str(path), "--trials", "5000").stdout
    assert text.splitlines()[0] == f"Plan: {path} ({COMPUTED})"
    assert (
        f"Customers needed: 7, {funnel} of them from the funnel (referrals bring the rest)" in text
    )
    recalc = CliRunner().invoke(cli, ["recalc", str(path), "--in-place"])
    assert recalc.exit_code == 0, recalc.output
    cached = json.loads(run(str(path), "--trials", "5000", "--json").stdout)
    assert cached["values"] == "cached values"
    assert {k: v for k, v in cached.items() if k != "values"} == {
        k: v for k, v in computed.items() if k != "values"
    }
    assert run(str(path), "--write", "--trials", "5000").exit_code == 0
    risk = load_workbook(path)["Risk"]
    assert risk["A3"].value == "Customers the funnel must bring (referrals bring the rest)"
    assert risk["B3"].value == pytest.approx(funnel, rel=1e-12)


def test_a_fresh_plan_without_the_recalc_extra_says_how_to_install_it(tmp_path, monkeypatch):
    path = tmp_path / "plan.xlsx"
    write_plan(example_config(), path)
    monkeypatch.setitem(sys.modules, "formualizer", None)  # what `import` sees when absent
    result = run(str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {path}: has no cached values (never computed), and computing them needs "
        "pip install 'xl-funnel[recalc]'; or open and save the plan in Excel first"
    )


@pytest.mark.libreoffice
def test_libreoffice_opens_the_written_plan_and_it_still_computes(tmp_path):
    path = tmp_path / "plan.xlsx"
    write_plan(example_config(), path)
    assert run(str(path), "--write", "--trials", "5000").exit_code == 0
    recalculated = libreoffice.recalculate(path, tmp_path / "lo")
    values = libreoffice.values(recalculated)
    names = libreoffice.named_values(recalculated)
    expected = expected_values(example_config())["names"]
    assert names["CustomersNeeded"] == pytest.approx(expected["CustomersNeeded"], rel=1e-9)
    assert names["TotalBudget"] == pytest.approx(expected["TotalBudget"], rel=1e-9)
    assert values[("Risk", "A5")] == "Probability of reaching the target"
    probability = simulate(83_334, 10, rates=example_config().stage_rates, trials=5_000, seed=0)
    assert values[("Risk", "B5")] == pytest.approx(probability.probability)
    assert libreoffice.error_cells(recalculated) == []


def test_bad_input_exits_2_and_leaves_the_file_untouched(tmp_path, plan):
    missing = run(str(tmp_path / "nope.xlsx"))
    assert missing.exit_code == 2
    assert "nope.xlsx: does not exist" in missing.stderr
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK not really")
    result = run(str(garbage), "--write")
    assert result.exit_code == 2
    assert "garbage.xlsx: is damaged or truncated" in result.stderr
    assert garbage.read_bytes() == b"PK not really"
    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    result = run(str(empty))
    assert result.exit_code == 2
    assert "defined name StageRates is missing or empty" in result.stderr
    before = plan.read_bytes()
    history = tmp_path / "history.csv"
    history.write_text("1,2,3\n")
    result = run(str(plan), "--history", str(history), "--write")
    assert result.exit_code == 2
    assert "history.csv row 1 has 3 counts, the plan has 6 stages" in result.stderr
    history.write_text("100,20,x,1,1,1\n")
    assert "row 1: column 3 'x' is not a number" in run(str(plan), "--history", str(history)).stderr
    history.write_text("100,200,20,1,1,1\n")
    result = run(str(plan), "--history", str(history), "--write")
    assert "history.csv: history column 1 totals 200, more than the 100" in result.stderr
    assert plan.read_bytes() == before


def test_a_plan_whose_target_stays_empty_says_so(tmp_path):
    path = small_plan(tmp_path / "plan.xlsx", customers=None)
    result = run(str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {path}: defined name CustomersNeeded is missing or holds no number: is this "
        "an xl-funnel plan (xl-funnel new)?"
    )


def test_package_editor_refuses_what_it_cannot_edit_safely():
    sheet = RiskSheet("t", (("a", 1.0, ""),), (("0", 1.0),))
    with pytest.raises(WorkbookEditError, match=r"not a readable \.xlsx package"):
        add_risk_sheet(b"nonsense", sheet)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_rels/.rels", "<Relationships/>")
    with pytest.raises(WorkbookEditError, match="names no workbook part"):
        add_risk_sheet(buffer.getvalue(), sheet)


def test_help_explains_itself_and_the_command_is_listed():
    text = run("--help").stdout
    assert "xl-funnel risk plan.xlsx --history history.csv --write" in text
    assert "Chance of hitting a plan" in CliRunner().invoke(cli, ["--help"]).stdout
