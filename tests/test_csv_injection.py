"""Scenario results never carry a live formula into a spreadsheet (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from xl_funnel.recalc.scenario_output import (
    FORMULA_TRIGGERS,
    csv_text,
    neutralise,
    write_csv,
    write_xlsx,
)

PAYLOADS = [
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "=1,2\n=3",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_like_text_is_prefixed_with_an_apostrophe(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Q1", "Paid search", "#NUM!", "50%", "a=b", ""])
def test_plain_text_is_unchanged(text):
    assert neutralise(text) == text


def test_every_owasp_trigger_is_covered():
    assert {"=", "+", "-", "@", "\t", "\r"} <= set(FORMULA_TRIGGERS)


def test_numbers_stay_numbers_in_csv():
    text = csv_text(["Name", "Value"], [["-5", -5.0], ["=1+1", 2.5], [None, 1e-9], [True, 3.0]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'-5", "-5"]
    assert rows[2] == ["'=1+1", "2.5"]
    assert rows[3] == ["", "1e-09"]
    assert rows[4] == ["TRUE", "3"]
    assert float(rows[1][1]) == -5.0


def test_csv_round_trip_keeps_every_payload_as_inert_text(tmp_path):
    path = tmp_path / "results.csv"
    write_csv(path, ["Channel", "ROI"], [[payload, 1.5] for payload in PAYLOADS])
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows[1:]] == ["'" + p for p in PAYLOADS]
    assert all(row[1] == "1.5" for row in rows[1:])


def test_xlsx_output_stores_payloads_as_text_not_formulas(tmp_path):
    path = tmp_path / "results.xlsx"
    write_xlsx(path, ["Channel", "ROI", "Check"], [[p, -1.25, "#NUM!"] for p in PAYLOADS])
    sheet = openpyxl.load_workbook(path).active
    for row, payload in enumerate(PAYLOADS, start=2):
        cell = sheet.cell(row, 1)
        assert cell.data_type == "s"
        # openpyxl on lxml (a dependency) writes a CR as &#13;, so it reads back exactly
        assert cell.value == payload
        assert sheet.cell(row, 2).value == -1.25
        assert sheet.cell(row, 3).data_type == "e"
    # nothing in the sheet XML is a formula
    import zipfile

    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml
