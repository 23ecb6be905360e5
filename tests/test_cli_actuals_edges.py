"""``xl-funnel actuals`` where a new user's exports went wrong: a second import over the same
months, won words in five languages, local-time months, a year of nothing, swapped arguments,
report footers, channel suggestions and exports missing the preset's columns."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.actuals_cases import (  # noqa: F401  (fixtures)
    blank_plan_fixture,
    block,
    channel_rows,
    plan_fixture,
    run,
)
from xl_funnel.plan import example_config, write_plan

DEALS = "channel,amount,created,closed,won\n"


def export(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_refused(plan: Path, export: Path, *args: str, stderr: str) -> None:
    """``xl-funnel actuals PLAN EXPORT ARGS`` exits 2 with exactly ``stderr``, and the plan
    stays byte for byte what it was."""
    before = plan.read_bytes()
    result = run(plan, export, *args)
    assert result.exit_code == 2
    assert result.stderr == stderr
    assert plan.read_bytes() == before


def test_a_second_export_replaces_customers_and_revenue_of_its_months(plan, tmp_path):
    won = export(
        tmp_path,
        "won.csv",
        DEALS + "Webinars,1000,2027-01-05,2027-01-20,yes\n"
        "Webinars,2000,2027-01-06,2027-02-20,yes\n"
        "Paid social,3000,2027-02-06,2027-02-21,yes\n",
    )
    assert run(plan, won).exit_code == 0
    book = load_workbook(plan)
    assert block(book, "ActualVolumes")[5][:3] == [1, 2, None]
    # the same deals, all lost after all: every block a deals export speaks for is rewritten
    lost = export(tmp_path, "lost.csv", won.read_text().replace(",yes\n", ",no\n"))
    result = run(plan, lost)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:-1] == [
        "  blocks written for Jan 2027–Feb 2027 (0 where none):",
        "    ActualVolumes: Opportunities, Customers",
        "    ActualChannelCustomers: 6 channels",
        "    ActualChannelPipeline: 6 channels",
        "    ActualChannelRevenue: 6 channels",
    ]
    book = load_workbook(plan)
    volumes = block(book, "ActualVolumes")
    assert volumes[4][:3] == [2, 1, None]  # opportunities created: Jan Jan | Feb
    assert volumes[5][:3] == [0, 0, None]  # customers: none won any more
    for name in ("ActualChannelCustomers", "ActualChannelRevenue"):
        assert [row[:3] for row in block(book, name)] == [[0, 0, None]] * 6, name
    assert block(book, "ActualChannelPipeline")[4][:3] == [3_000, 0, None]  # Webinars


def test_won_words_of_five_languages_are_read(plan, tmp_path):
    words = ["ja", "oui", "Sí", "WAHR", "waar", "Closed Won", "1", "x", "true", "gewonnen"]
    lost = ["nein", "non", "no", "falsch", "nee", "Closed Lost", "0", "", "false", "lost"]
    rows = "".join(f"Webinars,{i + 1},2027-01-05,2027-01-20,{w}\n" for i, w in enumerate(words))
    rows += "".join(f"Paid social,100,2027-01-05,2027-01-20,{w}\n" for w in lost)
    result = run(plan, export(tmp_path, "words.csv", DEALS + rows))
    assert result.exit_code == 0, result.output
    revenue = channel_rows(load_workbook(plan), "ActualChannelRevenue")
    assert revenue["Webinars"][0] == sum(range(1, 11))  # all ten won
    assert revenue["Paid social"][0] == 0  # all ten lost


def test_a_won_value_not_recognised_is_refused(plan, tmp_path):
    rows = (
        "Webinars,1,2027-01-05,2027-01-20,yes\n"
        "Webinars,1,2027-01-05,2027-01-20,maybe\n"
        "Webinars,1,2027-01-05,2027-01-20,2\n"
        "Webinars,1,2027-01-05,2027-01-20,maybe\n"
    )
    path = export(tmp_path, "maybe.csv", DEALS + rows)
    assert_refused(
        plan,
        path,
        stderr=f"Error: {path} row 3: won column 'won' holds 'maybe', '2' (3 rows), not read as "
        "won or lost: write yes/no, true/false, 1/0 or won/lost (docs/data.md lists every word "
        "read); if it holds deal stages, map it: --columns deal_stage='won'\n",
    )


def test_a_date_counts_in_its_own_local_month(plan, tmp_path):
    rows = (
        "channel,Customers\nWebinars,2027-01-31T23:30:00-05:00\nWebinars,2027-02-10T10:00+01:00\n"
    )
    result = run(plan, export(tmp_path, "zones.csv", rows))
    assert result.exit_code == 0, result.output
    book = load_workbook(plan)
    assert block(book, "ActualVolumes")[5][:3] == [1, 1, None]  # Jan (as written) | Feb
    assert channel_rows(book, "ActualChannelCustomers")["Webinars"][:2] == [1, 1]


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_every_row_outside_the_fiscal_year_is_one_line(tmp_path, dry_run):
    path = tmp_path / "april.xlsx"
    write_plan(dataclasses.replace(example_config(), first_month=4), path)
    rows = "Original Source,Became a Lead Date\nWebinars,2026-12-03\nPaid Social,2027-03-30\n"
    contacts = export(tmp_path, "contacts.csv", rows)
    assert_refused(
        path,
        contacts,
        "--preset",
        "hubspot",
        *dry_run,
        stderr=f"Error: {contacts}: every dated row (Dec 2026–Mar 2027) is outside the plan's "
        "fiscal year (Apr 2027–Mar 2028); nothing written (an export of another year, or "
        "another plan?)\n",
    )


def test_swapped_arguments_say_the_plan_comes_first(plan, tmp_path):
    contacts = export(tmp_path, "contacts.csv", "Original Source,Became a Lead Date\n")
    before = plan.read_bytes()
    result = run(contacts, plan)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {contacts} is a CSV file: the plan workbook comes first: "
        f"xl-funnel actuals {plan} {contacts}\n"
    )
    assert plan.read_bytes() == before


def test_undated_records_are_not_footer_lines(plan, tmp_path):
    rows = (
        "Original Source,Became a Lead Date\nWebinars,2027-01-03\nWebinars,\nPaid Social,\n"
        "Total,2\n\nCopyright (c) 2027 HubSpot\n"
    )
    result = run(plan, export(tmp_path, "c.csv", rows), "--preset", "hubspot")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(
        "c.csv: 1 row used, 2 skipped (2 no date in any stage or deal column); 2 footer lines "
        "ignored"
    )


def test_unknown_sources_get_close_suggestions_only(plan, tmp_path):
    rows = "Original Source,Became a Lead Date\n" + "".join(
        f"{source},2027-01-03\n"
        for source in ("Direct Traffic", "Email Marketing", "Paid Search", "Webinar")
    )
    result = run(plan, export(tmp_path, "s.csv", rows), "--preset", "hubspot")
    assert result.exit_code == 0, result.output
    unknown = sorted(line for line in result.stdout.splitlines() if "unknown channel" in line)
    assert unknown == [
        "  unknown channel 'Direct Traffic' (1 row, in stage totals only)",
        "  unknown channel 'Email Marketing' (1 row, in stage totals only); did you mean "
        "'Email nurture'?",
        "  unknown channel 'Paid Search' (1 row, in stage totals only)",
        "  unknown channel 'Webinar' (1 row, in stage totals only); did you mean 'Webinars'?",
    ]


def test_a_hubspot_export_without_became_dates_names_them(plan, tmp_path):
    rows = "Original Source,Create Date,Lifecycle Stage\nWebinars,2027-01-31,lead\n"
    result = run(plan, export(tmp_path, "h.csv", rows), "--preset", "hubspot")
    assert result.exit_code == 2
    assert "choose --preset" not in result.stderr
    assert (
        'a HubSpot contacts export needs the "Became a … Date" properties of the plan\'s stages '
        '("Became a Lead Date", "Became a Marketing Qualified Lead Date", "Became a Sales '
        'Qualified Lead Date", "Became an Opportunity Date", "Became a Customer Date"): add '
        "them to the export's columns in HubSpot"
    ) in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_one_row_is_one_row(plan, tmp_path):
    result = run(plan, export(tmp_path, "one.csv", "channel,Leads\nWebinars,2027-01-03\n"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:4] == [
        f"{tmp_path / 'one.csv'}: 1 row used, 0 skipped",
        "  blocks written for Jan 2027 (0 where none):",
        "    ActualVolumes: Leads",
        "    ActualChannelVolume: 6 channels",
    ]


def test_deal_stages_in_a_won_column_are_read_when_mapped(plan, tmp_path):
    rows = (
        "Webinars,5,2027-01-05,2027-01-09,Closed Won\n"
        "Webinars,7,2027-01-05,2027-01-09,Negotiation\n"
    )
    path = export(tmp_path, "stages.csv", DEALS + rows)
    refused = run(plan, path)
    assert refused.exit_code == 2
    assert refused.stderr.endswith("map it: --columns deal_stage='won'\n")
    result = run(plan, path, "--columns", "deal_stage='won'")
    assert result.exit_code == 0, result.output
    revenue = channel_rows(load_workbook(plan), "ActualChannelRevenue")
    assert revenue["Webinars"][0] == 5  # Closed Won only; Negotiation is open


def test_a_column_spelled_almost_like_one_it_reads_is_named(plan, tmp_path):
    # "amont" and "Laeds" are read as nothing: their data would be dropped without a word
    typos = export(
        tmp_path,
        "typos.csv",
        "channel,Laeds,MQLs,created,closed,amont,won\n"
        "Webinars,2027-01-05,2027-01-20,2027-01-20,2027-02-01,1000,yes\n",
    )
    result = run(plan, typos, "--dry-run")
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if "not read" in line] == [
        "  column 'Laeds' not read: did you mean 'Leads'? (if so: --columns \"Leads=Laeds\")",
        "  column 'amont' not read: did you mean 'amount'? (if so: --columns \"amount=amont\")",
    ]
    fixed = run(plan, typos, "--dry-run", "--columns", "Leads=Laeds", "--columns", "amount=amont")
    assert fixed.exit_code == 0, fixed.output
    assert "not read" not in fixed.stdout
    assert "    ActualVolumes: Leads, MQLs, Opportunities, Customers" in fixed.stdout


def test_a_stage_column_with_date_words_around_it_is_named(plan, tmp_path):
    """ "Lead date", "MQL_Datum", "Became a SQL Date" (HubSpot's without --preset hubspot):
    each is named with the stage it is, also when nothing else is dated (then nothing is
    written and the exit code is 2)."""
    dated = export(
        tmp_path,
        "dated.csv",
        "channel,Leads,MQL_Datum,Became a SQL Date\nWebinars,2027-01-05,2027-01-20,2027-01-25\n",
    )
    result = run(plan, dated, "--dry-run")
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if "not read" in line] == [
        "  column 'MQL_Datum' not read: did you mean 'MQLs'? (if so: --columns \"MQLs=MQL_Datum\")",
        "  column 'Became a SQL Date' not read: did you mean 'SQLs'? (if so: --columns "
        '"SQLs=Became a SQL Date")',
    ]
    only = export(tmp_path, "only.csv", "channel,Lead date,amount\nWebinars,2027-01-05,\n")
    before = plan.read_bytes()
    refused = run(plan, only)
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        f"Error: {only}: no dated row to count; nothing written",
        f"Error: {only}: column 'Lead date' not read: did you mean 'Leads'? (if so: --columns "
        '"Leads=Lead date")',
    ]
    assert plan.read_bytes() == before


def test_a_column_feeding_two_fields_is_named_once(plan, tmp_path):
    """The mapping Salesforce's message suggests (opportunities from the created date) reads
    one column twice: an ambiguous date in it is one line, not two."""
    sf = export(
        tmp_path,
        "sf.csv",
        "Lead Source,Created Date,Close Date,Amount,Won\nWebinars,03/01/2027,03/02/2027,100,yes\n",
    )
    result = run(plan, sf, "--preset", "salesforce", "--columns", "Opportunities=Created Date")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == len(set(lines)) == 2  # Created Date, Close Date
    assert all("add --dayfirst or --monthfirst" in line for line in lines)
