"""``xl-funnel update``: a new channel and a year of history; typed inputs and Q1–Q2 actuals
land by name, and LibreOffice computes the updated plan as the core does."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests import libreoffice
from tests.validated import assert_valid
from xl_funnel.cli import cli
from xl_funnel.io.plan_cells import blocks_of, write_cells
from xl_funnel.plan import Channel, config_toml, example_config, expected_values, write_plan
from xl_funnel.recalc.package import read_package
from xl_funnel.recalc.sheet_xml import SheetXml
from xl_funnel.recalc.writer import write_package

OLD_CHANNELS = [c.name for c in example_config().channels]
# Stage actuals for January–June (Q1–Q2), stages below Visits; spend per channel and month.
VOLUMES = {(s, m): 100.0 * s + m + 1 for s in range(1, 6) for m in range(6)}
SPEND = {(c, m): 1_000.0 * (c + 1) + 10 * m for c in range(6) for m in range(6)}
WEBINAR_REVENUE = {(4, m): 5_000.0 * m for m in range(6)}


def typed_plan(path: Path) -> None:
    """The example plan with Q1–Q2 actuals and three inputs typed in the workbook."""
    write_plan(example_config(), path)
    package = read_package(path)
    names = blocks_of(package, str(path))
    actuals = {
        "ActualVolumes": VOLUMES,
        "ActualChannelSpend": SPEND,
        "ActualChannelRevenue": WEBINAR_REVENUE,
    }
    write_cells(package, names, actuals, path, str(path))
    package = read_package(path)
    assumptions = next(s.part for s in package.sheets if s.name == "Assumptions")
    typed = {
        names["GrowthUplift"].cell(0, 0): 0.07,
        names["ChannelFixedCosts"].cell(4, 0): 55_000.0,  # Webinars
        names["RevenueHistory"].cell(0, 1): 9_500_000.0,  # FY2025
    }
    sheet = SheetXml(package.parts[assumptions]).with_constants(typed)
    write_package(package, {assumptions: sheet}, path)


def new_config():
    base = example_config()
    channels = list(base.channels)
    channels[0] = dataclasses.replace(channels[0], lead_share=0.25)
    channels.insert(2, Channel("Partners", 50_000.0, 0.05))
    return dataclasses.replace(
        base, revenue_history=(11_000_000.0, *base.revenue_history), channels=tuple(channels)
    )


@pytest.fixture(scope="module")
def updated(tmp_path_factory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("update")
    plan = folder / "plan.xlsx"
    typed_plan(plan)
    old = plan.read_bytes()
    (folder / "new.toml").write_text(config_toml(new_config()))
    result = CliRunner().invoke(cli, ["update", str(plan), "--config", str(folder / "new.toml")])
    assert result.exit_code == 0, result.output
    assert (folder / "plan.bak.xlsx").read_bytes() == old
    return plan, result


def rows_of(book, name):
    sheet, ref = next(iter(book.defined_names[name].destinations))
    ref = ref.replace("$", "")
    if ":" not in ref:
        return [[book[sheet][ref].value]]
    return [[cell.value for cell in row] for row in book[sheet][ref]]


def test_everything_lands_by_name(updated):
    plan, result = updated
    assert_valid(plan)
    assert "not carried" not in result.output
    book = load_workbook(plan)
    names = [row[0] for row in rows_of(book, "ChannelNames")]
    assert names == [*OLD_CHANNELS[:2], "Partners", *OLD_CHANNELS[2:]]
    volumes = rows_of(book, "ActualVolumes")
    for (stage, month), value in VOLUMES.items():
        assert volumes[stage][month] == value
    assert volumes[0] == [None] * 12
    assert all(row[6:] == [None] * 6 for row in volumes)
    spend = dict(zip(names, rows_of(book, "ActualChannelSpend"), strict=True))
    for (channel, month), value in SPEND.items():
        assert spend[OLD_CHANNELS[channel]][month] == value
    assert spend["Partners"] == [None] * 12
    revenue = dict(zip(names, rows_of(book, "ActualChannelRevenue"), strict=True))
    assert revenue["Webinars"][:6] == [5_000.0 * m for m in range(6)]
    assert rows_of(book, "GrowthUplift") == [[0.07]]
    fixed = dict(zip(names, (row[0] for row in rows_of(book, "ChannelFixedCosts")), strict=True))
    assert fixed["Webinars"] == 55_000  # typed in the workbook: kept
    assert fixed["Partners"] == 50_000  # new: from the config
    assert rows_of(book, "RevenueHistory") == [[11_000_000, 12_500_000, 9_500_000, 16_000_000]]


def test_a_removed_channel_is_reported(tmp_path):
    plan = tmp_path / "plan.xlsx"
    typed_plan(plan)
    base = example_config()
    channels = [c for c in base.channels if c.name != "Direct mail"]
    channels[0] = dataclasses.replace(channels[0], lead_share=0.35)
    (tmp_path / "new.toml").write_text(
        config_toml(dataclasses.replace(base, channels=tuple(channels)))
    )
    result = CliRunner().invoke(
        cli, ["update", str(plan), "--config", str(tmp_path / "new.toml"), "--no-backup"]
    )
    assert result.exit_code == 0, result.output
    lost = [line for line in result.output.splitlines() if "not carried" in line]
    assert lost == [
        "  not carried: 6 cells of ActualChannelSpend for 'Direct mail' (no longer in the plan)",
        "  not carried: channel 'Direct mail' (removed from the config): fixed cost 100,000, "
        "cost per unit 0, lead share 5 %",
    ]
    assert not (tmp_path / "plan.bak.xlsx").exists()


@pytest.mark.libreoffice
def test_libreoffice_computes_the_updated_plan_as_the_core(updated, tmp_path):
    plan, _ = updated
    carried = dataclasses.replace(
        new_config(),
        growth_uplift=0.07,
        revenue_history=(11_000_000.0, 12_500_000.0, 9_500_000.0, 16_000_000.0),
        channels=tuple(
            dataclasses.replace(c, fixed_cost=55_000.0) if c.name == "Webinars" else c
            for c in new_config().channels
        ),
    )
    expected = expected_values(carried)["names"]
    computed = libreoffice.named_values(libreoffice.recalculate(plan, tmp_path))
    for name in ("TargetRevenue", "NewRevenueGoal", "CustomersNeeded", "TotalBudget", "PlanROI"):
        assert computed[name] == pytest.approx(expected[name], rel=1e-9), name
    assert computed["RequiredVolumes"] == pytest.approx(expected["RequiredVolumes"], rel=1e-9)
    assert computed["ActualVolumes"][1][:6] == [VOLUMES[(1, m)] for m in range(6)]


def test_an_added_stage_and_a_later_fiscal_start(tmp_path):
    plan = tmp_path / "plan.xlsx"
    typed_plan(plan)
    base = example_config()
    stages = ("Visits", "Leads", "MQLs", "SALs", "SQLs", "Opportunities", "Customers")
    rates = (0.02, 0.25, 0.5, 0.4, 0.45, 0.55)
    config = dataclasses.replace(
        base, stage_names=stages, stage_rates=rates, first_month=4, achievable_rates=None
    )
    (tmp_path / "new.toml").write_text(config_toml(config))
    result = CliRunner().invoke(cli, ["update", str(plan), "--config", str(tmp_path / "new.toml")])
    assert result.exit_code == 0, result.output
    # January–March 2027 fall before a fiscal year starting in April 2027: 5 stages × 3
    # months and 6 channels × 3 months of spend, and Webinars' revenue for Jan–Mar.
    lost = [line for line in result.output.splitlines() if "not carried" in line]
    assert lost == [
        f"  not carried: {count} cell{'s' if count > 1 else ''} of {block} in {month} 2027 "
        "(outside the fiscal year)"
        for block, count in (
            ("ActualChannelRevenue", 1),
            ("ActualChannelSpend", 6),
            ("ActualVolumes", 5),
        )
        for month in ("Feb", "Jan", "Mar")
    ]
    book = load_workbook(plan)
    volumes = rows_of(book, "ActualVolumes")
    # April (old fiscal month 3) is the new month 0; rows by stage name, SALs new and blank
    by_stage = dict(zip(stages, volumes, strict=True))
    assert by_stage["Leads"][:3] == [VOLUMES[(1, m)] for m in (3, 4, 5)]
    assert by_stage["SQLs"][:3] == [VOLUMES[(3, m)] for m in (3, 4, 5)]
    assert by_stage["SALs"] == [None] * 12
    assert by_stage["Leads"][3:] == [None] * 9
    carried_rates = [row[0] for row in rows_of(book, "StageRates")]
    # Visits→Leads, Leads→MQLs, SQLs→Opportunities, Opportunities→Customers: the plan's;
    # MQLs→SALs and SALs→SQLs are new: the config's.
    assert carried_rates == [0.015, 0.2, 0.5, 0.4, 0.4, 0.5]


def test_a_second_update_keeps_the_first_backup(tmp_path):
    """The backup of the first update is the only copy of what it did not carry: a second
    update keeps it and writes PLAN.bak-2.xlsx."""
    plan = tmp_path / "plan.xlsx"
    typed_plan(plan)
    original = plan.read_bytes()
    (tmp_path / "new.toml").write_text(config_toml(example_config()))
    command = ["update", str(plan), "--config", str(tmp_path / "new.toml")]
    first = CliRunner().invoke(cli, command)
    after_first = plan.read_bytes()
    second = CliRunner().invoke(cli, command)
    assert first.exit_code == second.exit_code == 0, second.output
    assert (tmp_path / "plan.bak.xlsx").read_bytes() == original
    assert (tmp_path / "plan.bak-2.xlsx").read_bytes() == after_first
    assert f"kept as {tmp_path / 'plan.bak-2.xlsx'}" in second.output
    assert f"xl-funnel recalc {plan} --in-place" in second.output


def test_a_config_in_the_older_budget_form_updates_again_and_again(tmp_path):
    """A channel given a yearly ``budget`` (the older form) in the config, and the plan's
    own cost inputs (fixed cost, cost per unit): the plan's typed costs win, every time."""
    older = config_toml(example_config()).replace(
        "lead_share = 0.3\nfixed_cost = 180_000.0", "lead_share = 0.3\nbudget = 180_000.0", 1
    )
    assert "budget = 180_000.0" in older
    (tmp_path / "older.toml").write_text(older)
    plan = tmp_path / "plan.xlsx"
    made = CliRunner().invoke(cli, ["new", str(plan), "--config", str(tmp_path / "older.toml")])
    assert made.exit_code == 0, made.output
    fixed_before = rows_of(load_workbook(plan), "ChannelFixedCosts")
    command = ["update", str(plan), "--config", str(tmp_path / "older.toml")]
    for backup in ("plan.bak.xlsx", "plan.bak-2.xlsx"):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 0, result.output
        assert (tmp_path / backup).exists()
        assert rows_of(load_workbook(plan), "ChannelFixedCosts") == fixed_before
    assert fixed_before[0] == [180_000]
    assert_valid(plan)


def test_a_config_value_the_workbook_overrides_is_named(tmp_path):
    """The workbook's inputs win over the config's (they were typed last), and each one that
    differs from what the config says is listed, so a config edit never vanishes silently."""
    (tmp_path / "plan.toml").write_text(config_toml(example_config()))
    plan = tmp_path / "plan.xlsx"
    assert CliRunner().invoke(cli, ["new", str(plan), "--config", str(tmp_path / "plan.toml")])
    edited = (
        config_toml(example_config())
        .replace("fixed_cost = 180_000.0", "fixed_cost = 250_000.0", 1)
        .replace("rates = [0.015,", "rates = [0.02,", 1)
    )
    assert "fixed_cost = 250_000.0" in edited
    assert "rates = [0.02," in edited
    (tmp_path / "edited.toml").write_text(edited)
    result = CliRunner().invoke(
        cli, ["update", str(plan), "--config", str(tmp_path / "edited.toml"), "--no-backup"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index(
        "  kept from the workbook, where the config says otherwise (change them in the "
        "workbook, or rebuild with xl-funnel new):"
    )
    assert lines[start + 1 : start + 3] == [
        "    rate Visits → Leads 1.5 % (the config: 2 %)",
        "    channel 'Organic search' fixed cost 180,000 (the config: 250,000)",
    ]
    assert rows_of(load_workbook(plan), "ChannelFixedCosts")[0] == [180_000]
    # the same config again: nothing differs, nothing listed
    again = CliRunner().invoke(
        cli, ["update", str(plan), "--config", str(tmp_path / "plan.toml"), "--no-backup"]
    )
    assert again.exit_code == 0, again.output
    assert "kept from the workbook" not in again.output
