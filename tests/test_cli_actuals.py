"""``xl-funnel actuals``: CRM exports typed into the plan's monthly Tracking inputs, in place.

Every fixture's monthly counts are worked out by hand in the comments; every part of the plan
other than the written input cells stays byte for byte what it was.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.actuals_cases import (  # noqa: F401  (fixtures)
    blank_plan_fixture,
    block,
    channel_rows,
    plan_fixture,
    run,
)
from tests.validated import assert_valid

DATA = Path(__file__).parent / "data" / "crm"
STAGES = ["Visits", "Leads", "MQLs", "SQLs", "Opportunities", "Customers"]
TRACKING = "xl/worksheets/sheet5.xml"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def written(before: bytes, after: bytes) -> set[str]:
    """The cells whose XML changed; fails unless everything else is byte for byte the same."""
    cell = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)')
    old = {m[1]: m[0] for m in cell.finditer(before)}
    changed = set()

    def restore(match: re.Match) -> bytes:
        if match[0] != old.get(match[1]):
            changed.add(match[1].decode())
        return old.get(match[1], match[0])

    assert cell.sub(restore, after) == before
    return changed


def check_only_inputs_changed(before: dict, after: dict, expected_cells: set[str]) -> None:
    assert set(after) == set(before)
    for name in before:
        if name != TRACKING:
            assert after[name] == before[name], name
    assert written(before[TRACKING], after[TRACKING]) == expected_cells


def months(first: int, last: int, rows: range, top: int) -> set[str]:
    """Cell refs of rows × fiscal months first..last (0-based) of a block starting at row top."""
    return {f"{'CDEFGHIJKLMN'[m]}{top + r}" for r in rows for m in range(first, last + 1)}


#: The Tracking sheet's first row of each per-channel block (one row per channel follows).
CHANNEL_BLOCK_TOPS = {
    "ActualChannelVolume": 21,
    "ActualChannelMQLs": 29,
    "ActualChannelCustomers": 37,
    "ActualChannelRevenue": 45,
    "ActualChannelPipeline": 53,
}


def channel_months(first: int, last: int, *names: str) -> set[str]:
    """Cell refs of fiscal months first..last (0-based) of every channel of the blocks named."""
    return set().union(*(months(first, last, range(6), CHANNEL_BLOCK_TOPS[n]) for n in names))


def test_hubspot_contacts(plan):
    before = parts(plan)
    result = run(plan, DATA / "hubspot_contacts.csv", "--preset", "hubspot")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # 109 has no stage date, 108 became a lead in Nov 2026, before the fiscal year.
    assert lines[0] == (
        f"{DATA / 'hubspot_contacts.csv'}: 8 rows used, 2 skipped (1 dated outside the fiscal "
        "year (Jan 2027–Dec 2027); 1 no date in any stage or deal column)"
    )
    assert lines[1] == (
        "  unknown channel 'Email Marketing' (1 row, in stage totals only); did you mean "
        "'Email nurture'?"
    )
    assert lines[-1] == f"wrote 69 cells of {plan}"  # 5 stages + 3 blocks × 6 channels, × 3
    assert_valid(plan)
    book = load_workbook(plan)
    volumes = block(book, "ActualVolumes")
    empty = [None] * 9
    assert volumes[0] == [None] * 12  # visits: not in a CRM
    assert volumes[1] == [3, 2, 2, *empty]  # leads: 101 102 103 | 104 105 | 106 110
    assert volumes[2] == [2, 2, 2, *empty]  # MQLs: 101 107 | 102 104 | 105 106
    assert volumes[3] == [0, 1, 2, *empty]  # SQLs: – | 101 | 104 105
    assert volumes[4] == [0, 1, 1, *empty]  # opportunities: – | 101 | 105
    assert volumes[5] == [0, 0, 2, *empty]  # customers: 101 105 in March
    by_channel = channel_rows(book, "ActualChannelVolume")
    assert by_channel["Organic search"][:3] == [2, 0, 0]
    assert by_channel["Paid social"][:3] == [1, 1, 1]
    assert by_channel["Webinars"][:3] == [0, 1, 0]
    assert by_channel["Direct mail"] == [0, 0, 0, *empty]
    mqls = channel_rows(book, "ActualChannelMQLs")
    assert (mqls["Organic search"][:3], mqls["Paid social"][:3]) == ([2, 1, 0], [0, 1, 0])
    customers = channel_rows(book, "ActualChannelCustomers")
    assert (customers["Organic search"][:3], customers["Webinars"][:3]) == ([0, 0, 1], [0, 0, 1])
    assert block(book, "ActualChannelRevenue")[0] == [None] * 12  # no amounts: untouched
    expected = months(0, 2, range(1, 6), 5) | channel_months(
        0, 2, "ActualChannelVolume", "ActualChannelMQLs", "ActualChannelCustomers"
    )
    check_only_inputs_changed(before, parts(plan), expected)


def test_salesforce_opportunities(plan):
    before = parts(plan)
    export = DATA / "salesforce_opportunities.csv"
    ambiguous = run(plan, export, "--preset", "salesforce")
    assert ambiguous.exit_code == 2
    assert "could be day 3 of month 20" not in ambiguous.stderr
    assert "add --dayfirst or --monthfirst" in ambiguous.stderr
    assert parts(plan) == before
    result = run(plan, export, "--preset", "salesforce", "--monthfirst")
    assert result.exit_code == 0, result.output
    # the footer: Grand Totals, copyright, confidentiality, generated by, company (" " is blank)
    first = result.stdout.splitlines()[0]
    assert first.endswith(": 6 rows used, 0 skipped; 5 footer lines ignored")
    assert "unknown channel 'Partner Referral'" in result.stdout
    book = load_workbook(plan)
    volumes = block(book, "ActualVolumes")
    assert volumes[1] == [None] * 12  # leads: an opportunities export has none
    assert volumes[4][:4] == [2, 2, 1, None]  # created: Acme Zeta | Beta Gamma | Epsilon
    assert volumes[5][:4] == [1, 1, 1, None]  # won: Delta | Gamma | Acme
    pipeline = channel_rows(book, "ActualChannelPipeline")
    assert pipeline["Paid social"][:3] == [12_000, 0, 0]
    assert pipeline["Webinars"][:3] == [0, 38_500.5, 0]  # 30,000 + 8,500.50
    assert pipeline["Email nurture"][:3] == [4_000, 0, 0]
    assert pipeline["Organic search"][:3] == [0, 0, 0]  # created in Dec 2026
    revenue = channel_rows(book, "ActualChannelRevenue")
    assert revenue["Organic search"][:3] == [20_000, 0, 0]
    assert revenue["Webinars"][:3] == [0, 8_500.5, 0]
    assert revenue["Paid social"][:3] == [0, 0, 12_000]
    assert block(book, "ActualChannelVolume")[0] == [None] * 12  # no lead dates: untouched
    expected = months(0, 2, range(4, 6), 5) | channel_months(
        0, 2, "ActualChannelCustomers", "ActualChannelRevenue", "ActualChannelPipeline"
    )
    check_only_inputs_changed(before, parts(plan), expected)
    assert_valid(plan)


def test_european_excel_export_with_mapped_columns(plan):
    before = parts(plan)
    mapping = (
        "channel=Kanal,Leads=Lead-Datum,MQLs=MQL-Datum,created=Erstellt,closed=Abschluss,"
        "amount=Betrag,won=Gewonnen"
    )
    export = DATA / "european_excel.csv"
    # Without --dayfirst and --decimal: both are asked for in one run, one line each, and
    # the plan is not touched.
    both = run(plan, export, "--columns", mapping)
    assert both.exit_code == 2
    lines = both.stderr.splitlines()
    assert all(line.startswith(f"Error: {export}") for line in lines)
    assert sum("add --dayfirst or --monthfirst" in line for line in lines) >= 2
    assert lines[-1].endswith("amount '1.234,50 €' is not a number: did you mean --decimal ,?")
    assert parts(plan) == before
    args = ("--columns", mapping, "--dayfirst")
    comma = run(plan, export, *args)
    assert comma.exit_code == 2
    assert comma.stderr.splitlines() == [
        f"Error: {export} row 3: amount '1.234,50 €' is not a number: did you mean --decimal ,?"
    ]
    result = run(plan, export, *args, "--decimal", ",")
    assert result.exit_code == 0, result.output
    book = load_workbook(plan)
    volumes = block(book, "ActualVolumes")
    assert [row[:3] for row in volumes[1:]] == [
        [2, 1, 1],  # leads 03.01 20.01 | 13.02 | 01.03
        [1, 1, 1],  # MQLs
        [None, None, None],  # SQLs: no column
        [0, 1, 1],  # opportunities created 05.02 | 10.03
        [0, 1, 0],  # won 28.02
    ]
    revenue = channel_rows(book, "ActualChannelRevenue")
    assert revenue["Webinars"][:3] == [0, 1_234.5, 0]
    pipeline = channel_rows(book, "ActualChannelPipeline")
    assert pipeline["Content syndication"][:3] == [0, 0, 2_000]
    assert channel_rows(book, "ActualChannelVolume")["Paid social"][:3] == [0, 1, 0]
    expected = (
        months(0, 2, range(1, 3), 5)
        | months(0, 2, range(4, 6), 5)
        | channel_months(0, 2, *CHANNEL_BLOCK_TOPS)
    )
    check_only_inputs_changed(before, parts(plan), expected)


def test_utf16_tab_separated_unicode_text(plan):
    before = parts(plan)
    result = run(plan, DATA / "unicode_text_utf16.txt", "--preset", "hubspot")
    assert result.exit_code == 0, result.output
    book = load_workbook(plan)
    volumes = block(book, "ActualVolumes")
    # April and May (fiscal months 4–5) only: leads 2 | 1, customers 0 | 1
    assert volumes[1] == [None, None, None, 2, 1, *[None] * 7]
    assert volumes[5] == [None, None, None, 0, 1, *[None] * 7]
    assert volumes[2] == [None] * 12
    channel = channel_rows(book, "ActualChannelVolume")
    assert channel["Organic search"][3:5] == [2, 0]
    assert channel["Direct mail"][3:5] == [0, 1]
    expected = (
        months(3, 4, range(1, 2), 5)
        | months(3, 4, range(5, 6), 5)
        | channel_months(3, 4, "ActualChannelVolume", "ActualChannelCustomers")
    )
    check_only_inputs_changed(before, parts(plan), expected)


def test_xlsx_export_with_an_info_sheet_first(plan, tmp_path):
    export = tmp_path / "export.xlsx"
    book = Workbook()
    info = book.active
    info.title = "Export info"
    info.append(["Contacts export"])
    info.append(["Generated", dt.datetime(2027, 8, 1, 9, 0)])
    contacts = book.create_sheet("Contacts")
    contacts.append(
        ["Original Source", "Became a Lead Date", "Became a Marketing Qualified Lead Date"]
    )
    contacts.append(["Paid Social", dt.datetime(2027, 6, 3, 10), dt.datetime(2027, 6, 20)])
    contacts.append(["Paid Social", dt.datetime(2027, 6, 30, 23), None])
    contacts.append(["Webinars", dt.datetime(2027, 7, 1), dt.datetime(2027, 7, 15)])
    book.save(export)
    before = parts(plan)
    result = run(plan, export, "--preset", "hubspot")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{export} sheet 'Contacts': 3 rows used, 0 skipped"
    values = load_workbook(plan)
    volumes = block(values, "ActualVolumes")
    assert volumes[1][5:7] == [2, 1]  # leads June | July
    assert volumes[2][5:7] == [1, 1]  # MQLs
    assert volumes[1][4] is None
    assert volumes[1][7] is None
    mqls = channel_rows(values, "ActualChannelMQLs")
    assert (mqls["Paid social"][5:7], mqls["Webinars"][5:7]) == ([1, 0], [0, 1])
    expected = months(5, 6, range(1, 3), 5) | channel_months(
        5, 6, "ActualChannelVolume", "ActualChannelMQLs"
    )
    check_only_inputs_changed(before, parts(plan), expected)


def test_nothing_is_written_when_the_export_cannot_be_read(plan, tmp_path):
    before = plan.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("Original Source,Became a Lead Date\nPaid Social,9999-12-31\n")
    result = run(plan, bad, "--preset", "hubspot")
    assert result.exit_code == 2
    assert "is in year 9999" in result.stderr
    missing = tmp_path / "nochannel.csv"
    missing.write_text("Source Name,Became a Lead Date\nPaid Social,2027-01-02\n")
    result = run(plan, missing, "--preset", "hubspot")
    assert result.exit_code == 2
    assert "no 'channel' column for a hubspot export; did you mean 'Source Name'?" in (
        result.stderr
    )
    assert plan.read_bytes() == before


def test_dry_run_writes_nothing(plan):
    before = plan.read_bytes()
    result = run(plan, DATA / "hubspot_contacts.csv", "--preset", "hubspot", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"would write 69 cells of {plan}"
    assert plan.read_bytes() == before


@pytest.mark.libreoffice
def test_libreoffice_computes_the_plan_with_the_actuals(plan, tmp_path):
    from tests import libreoffice

    assert run(plan, DATA / "hubspot_contacts.csv", "--preset", "hubspot").exit_code == 0
    recalculated = libreoffice.recalculate(plan, tmp_path / "lo")
    assert libreoffice.error_cells(recalculated) == []
    names = libreoffice.named_values(recalculated)
    assert names["ActualVolumes"][1][:4] == [3, 2, 2, None]
    assert names["ActualChannelVolume"][2][:3] == [1, 1, 1]


def test_a_source_named_otherwise_is_mapped_to_a_channel(plan):
    export = DATA / "hubspot_contacts.csv"
    mapped = run(plan, export, "--preset", "hubspot", "--channel", "email marketing=Email nurture")
    assert mapped.exit_code == 0, mapped.output
    assert "unknown channel" not in mapped.stdout
    book = load_workbook(plan)
    email = channel_rows(book, "ActualChannelMQLs")["Email nurture"]
    assert email[:3] == [0, 0, 1]  # 106: MQL on 10 March
    wrong = run(plan, export, "--preset", "hubspot", "--channel", "Email Marketing=Email")
    assert wrong.exit_code == 2
    assert "did you mean 'Email nurture'?" in wrong.stderr
