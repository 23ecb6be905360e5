"""The one table reader: dialects, encodings, sheets, column mapping, dates and numbers."""

from __future__ import annotations

import datetime as dt
import os
import zipfile

import pytest
from openpyxl import Workbook

from xl_funnel.io import Field, TableError, parse_dates, parse_mapping, parse_number, read_table

FIELDS = (Field("journey"), Field("channel"), Field("revenue", required=False))


def table_of(tmp_path, raw: bytes, name: str = "t.csv", **kwargs):
    path = tmp_path / name
    path.write_bytes(raw)
    return read_table(path, FIELDS, **kwargs)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected(tmp_path, delimiter):
    text = delimiter.join(["Journey", "Channel", "Revenue"]) + "\n"
    text += delimiter.join(["A", "Paid search", "1,5"]) + "\n"
    table = table_of(tmp_path, text.encode())
    assert table.values("channel") == ["Paid search"]
    # a comma inside a semicolon file is part of the value, not a delimiter
    if delimiter != ",":
        assert table.values("revenue") == ["1,5"]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]
)
def test_encodings_and_byte_order_marks(tmp_path, encoding):
    text = "journey\tchannel\nA\tMessen München — Café\n"
    if encoding == "cp1252":
        text = text.replace("—", "-")
    table = table_of(tmp_path, text.encode(encoding))
    assert table.header == ["journey", "channel"]
    assert table.values("channel")[0].startswith("Messen München")


def test_undecodable_bytes_are_refused_not_guessed(tmp_path):
    with pytest.raises(TableError, match=r"t.csv: byte 16 \(0x81\) cannot be read"):
        table_of(tmp_path, b"journey,channel\n\x81A,Ads\n")


def test_quoted_newlines_excel_sep_hint_and_row_numbers(tmp_path):
    raw = b'sep=;\r\njourney;channel\r\n"A\r\nB";"x;y"\r\n\r\nC;Ads\r\n'
    table = table_of(tmp_path, raw)
    assert table.values("journey") == ["A\r\nB", "C"]
    assert table.values("channel") == ["x;y", "Ads"]
    assert [table.where(i) for i in range(2)] == [
        f"{tmp_path}/t.csv row 2",
        f"{tmp_path}/t.csv row 4",
    ]


def test_a_trailing_extra_column_never_shifts_columns(tmp_path):
    table = table_of(tmp_path, b"journey,channel,revenue\nA,Ads,5,\nB,Email,,\n")
    assert table.values("channel") == ["Ads", "Email"]
    assert table.values("revenue") == ["5", ""]


def test_title_lines_before_the_header_are_skipped(tmp_path):
    table = table_of(tmp_path, b"Contacts report\nExported 2026-03-01\n\njourney,channel\nA,Ads\n")
    assert table.values("journey") == ["A"]
    assert table.lines == [5]


def test_missing_column_lists_what_was_found_and_the_closest(tmp_path):
    with pytest.raises(TableError) as error:
        table_of(tmp_path, b"Journey,Channels,Amount\nA,Ads,5\n")
    message = str(error.value)
    assert "no 'channel' column" in message
    assert "did you mean 'Channels'?" in message
    assert "columns found: 'Journey', 'Channels', 'Amount'" in message
    assert '--columns channel="HEADER"' in message


def test_column_mapping(tmp_path):
    mapping = parse_mapping(['channel="Original Source",journey=Record ID'], FIELDS)
    table = table_of(
        tmp_path, b"Record ID,Original Source,Channel\n7,Ads,ignored\n", mapping=mapping
    )
    assert table.values("channel") == ["Ads"]
    assert table.values("journey") == ["7"]
    with pytest.raises(
        TableError,
        match=r"--columns channel='Orignal Source': no such column; "
        r"did you mean 'Original Source'\?",
    ):
        table_of(
            tmp_path,
            b"Record ID,Original Source\n7,Ads\n",
            mapping={"channel": "Orignal Source", "journey": "Record ID"},
        )
    with pytest.raises(
        TableError,
        match=r"'chanel' is not a column this command reads; did you "
        r"mean 'channel'\?",
    ):
        parse_mapping(["chanel=Source"], FIELDS)


def test_duplicate_used_headers_are_refused(tmp_path):
    with pytest.raises(TableError, match=r"columns 2 and 3 are both named 'Channel'"):
        table_of(tmp_path, b"journey,Channel,channel\nA,Ads,Email\n")
    # a duplicate the command does not read is harmless
    table = table_of(tmp_path, b"journey,channel,Notes,Notes\nA,Ads,x,y\n")
    assert table.values("channel") == ["Ads"]


def workbook(path, sheets: dict[str, list[list]]):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_default_sheet_is_the_one_with_the_columns(tmp_path):
    path = workbook(
        tmp_path / "export.xlsx",
        {
            "Info": [["Exported by"], ["CRM"]],
            "Contacts": [["Journey", "Channel", "Revenue"], ["A", "Ads", 1200.5]],
        },
    )
    table = read_table(path, FIELDS)
    assert table.values("revenue") == [1200.5]
    assert table.source == f"{path} sheet 'Contacts'"
    assert table.where(0) == f"{path} sheet 'Contacts' row 2"


def test_xlsx_asks_when_several_sheets_fit_and_sheet_chooses(tmp_path):
    rows = [["Journey", "Channel"], ["A", "Ads"]]
    path = workbook(tmp_path / "two.xlsx", {"Q1": rows, "Q2": [rows[0], ["B", "Email"]]})
    with pytest.raises(
        TableError, match=r"sheets 'Q1', 'Q2' all hold a table: choose one with --sheet"
    ):
        read_table(path, FIELDS)
    assert read_table(path, FIELDS, sheet="Q2").values("journey") == ["B"]
    with pytest.raises(TableError, match=r"--sheet 'q3': .* no such sheet; did you mean 'Q\d'\?"):
        read_table(path, FIELDS, sheet="q3")


def test_a_zip_bomb_is_refused_before_inflating(tmp_path):
    source = workbook(tmp_path / "ok.xlsx", {"Data": [["journey", "channel"], ["A", "Ads"]]})
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b"\0" * (20 << 20)
            new.writestr(info.filename, data)
    with pytest.raises(
        TableError, match=r"bomb.xlsx: part 'xl/worksheets/sheet1.xml' inflates .* a zip bomb"
    ):
        read_table(bomb, FIELDS)


def test_only_regular_files_are_opened(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(
        TableError, match=r"pipe\.csv: is a FIFO \(named pipe\), not a regular file"
    ):
        read_table(fifo, FIELDS)
    with pytest.raises(TableError, match="is a directory"):
        read_table(tmp_path, FIELDS)


# --- dates ---------------------------------------------------------------------------------


def test_iso_dates_and_offsets_across_daylight_saving():
    dates = parse_dates(
        [
            "2026-03-28T23:30:00+01:00",
            "2026-03-29T23:30:00+02:00",
            "2026/04/01",
            "",
            None,
            "2026-04-02 09:15Z",
            dt.datetime(2026, 1, 5, 8),
            dt.date(2026, 1, 6),
        ],
        "date",
    )
    assert dates == [
        dt.datetime(2026, 3, 28, 22, 30),
        dt.datetime(2026, 3, 29, 21, 30),
        dt.datetime(2026, 4, 1),
        None,
        None,
        dt.datetime(2026, 4, 2, 9, 15),
        dt.datetime(2026, 1, 5, 8),
        dt.datetime(2026, 1, 6),
    ]


def test_day_month_order_from_unambiguous_evidence():
    assert parse_dates(["20.02.2026", "13/03/2026 2:05 PM", "01.01.2026"], "date") == [
        dt.datetime(2026, 2, 20),
        dt.datetime(2026, 3, 13, 14, 5),
        dt.datetime(2026, 1, 1),
    ]
    assert parse_dates(["02/20/2026", "Mar 12, 2026", "12 Mar 2026"], "date") == [
        dt.datetime(2026, 2, 20),
        dt.datetime(2026, 3, 12),
        dt.datetime(2026, 3, 12),
    ]


def test_an_ambiguous_date_without_an_option_is_an_error_naming_its_row():
    with pytest.raises(TableError) as error:
        parse_dates(["20.02.2026", "12.03.2026"], "date")
    assert str(error.value) == (
        "row 3: date '12.03.2026' could be day 12 of month 3 or month 12, day 3: add "
        "--dayfirst or --monthfirst (row 2 has '20.02.2026': did you mean --dayfirst?)"
    )
    assert parse_dates(["20.02.2026", "12.03.2026"], "date", "dayfirst")[1] == dt.datetime(
        2026, 3, 12
    )
    assert parse_dates(["12.03.2026"], "date", "monthfirst")[0] == dt.datetime(2026, 12, 3)
    with pytest.raises(
        TableError,
        match=r"row 2: date '20.02.2026' has no month 20 .* "
        r"did you mean --dayfirst\?",
    ):
        parse_dates(["20.02.2026"], "date", "monthfirst")
    with pytest.raises(TableError, match="mixes day-first dates"):
        parse_dates(["20.02.2026", "02.20.2026"], "date")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("9999-12-31", "is in year 9999: xl-funnel reads dates from 1900 to 2100"),
        ("0001-01-01", "is in year 1"),
        ("31.02.2026", "is not a calendar date"),
        ("12.03.26", "two-digit year"),
        ("soon", "is not a date"),
        (dt.datetime(2300, 1, 1), "is in year 2300"),
    ],
)
def test_bad_dates_are_refused_never_wrapped(value, fragment):
    with pytest.raises(TableError, match=fragment):
        parse_dates([value], "date")


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("$90,000", ".", 90_000.0),
        ("90.000,00", ",", 90_000.0),
        ("€ 1.234.567,89", ",", 1_234_567.89),
        ("1 234,5", ",", 1234.5),
        ("USD 1,200.50", ".", 1200.5),
        ("(1,200)", ".", -1200.0),
        ("-£5", ".", -5.0),
        ("12.5%", ".", 0.125),
        ("1e6", ".", 1e6),
        ("1.500", ",", 1500.0),
        ("", ".", None),
        (42, ",", 42.0),
    ],
)
def test_numbers_as_exports_write_them(text, decimal, expected):
    assert parse_number(text, decimal=decimal) == expected


@pytest.mark.parametrize(
    ("text", "decimal", "fragment"),
    [
        ("90.000,00", ".", "did you mean --decimal ,?"),
        ("0,5", ".", "did you mean --decimal ,?"),
        ("1.5", ",", "did you mean --decimal .?"),
        ("12,34,5", ".", "is not a number"),
        ("ten", ".", "is not a number"),
    ],
)
def test_numbers_that_would_be_misread_are_refused(text, decimal, fragment):
    with pytest.raises(TableError, match=fragment.replace("?", r"\?").replace(".", r"\.")):
        parse_number(text, decimal=decimal, where="x.csv row 2", label="amount")


def test_a_history_in_any_dialect(tmp_path):
    from xl_funnel.io.history import read_history

    path = tmp_path / "history.csv"
    path.write_bytes("Visits;Leads;Customers;\n1.200;30;2;\n\n1.000;25;1;\n".encode("utf-16"))
    assert read_history(path, 3, decimal=",") == [[1200.0, 30.0, 2.0], [1000.0, 25.0, 1.0]]
    # under --decimal . the same text is 1.2: the option is the user's statement of the format
    assert read_history(path, 3)[0] == [1.2, 30.0, 2.0]
    with pytest.raises(TableError, match=r"history\.csv row 2 has 3 counts, the plan has 4 stages"):
        read_history(path, 4, decimal=",")
