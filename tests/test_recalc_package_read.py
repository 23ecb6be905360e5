"""Reading a large package with two threads gives the same parts, and the same refusals, as
reading it part by part."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from xl_funnel.recalc import package as package_module
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.limits import DEFAULT_LIMITS
from xl_funnel.recalc.package import read_package


@pytest.fixture
def book(tmp_path):
    workbook = openpyxl.Workbook()
    for name in ("Plan", "Tracking", "Notes"):
        sheet = workbook.create_sheet(name)
        for row in range(1, 300):
            sheet.append([row, f"=A{row}*2", f"{name} {row}"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    return path


def test_two_threads_read_the_same_parts(book, monkeypatch):
    alone = read_package(book, DEFAULT_LIMITS)
    monkeypatch.setattr(package_module, "_SHARED_READ_BYTES", 0)
    shared = read_package(book, DEFAULT_LIMITS)
    assert shared.parts == alone.parts
    assert list(shared.parts) == list(alone.parts)  # in the package's order
    assert shared.sheets == alone.sheets
    assert shared.cells == alone.cells > 900


def _damaged(book, tmp_path, name):
    """``book`` with the stored data of part ``name`` altered (its CRC no longer matches)."""
    with zipfile.ZipFile(book) as archive:
        info = archive.getinfo(name)
    data = bytearray(book.read_bytes())
    # local header: 30 bytes, then the name and the extra field, then the data
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 20 : start + 40] = bytes(20)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("shared", [False, True])
def test_a_damaged_part_is_named_whichever_thread_reads_it(book, tmp_path, monkeypatch, shared):
    if shared:
        monkeypatch.setattr(package_module, "_SHARED_READ_BYTES", 0)
    path = _damaged(book, tmp_path, "xl/worksheets/sheet3.xml")
    with pytest.raises(WorkbookError, match=r"part 'xl/worksheets/sheet3.xml' cannot be read"):
        read_package(path, DEFAULT_LIMITS)


@pytest.mark.parametrize("shared", [False, True])
def test_a_part_declaring_entities_is_refused_whichever_thread_reads_it(
    book, tmp_path, monkeypatch, shared
):
    if shared:
        monkeypatch.setattr(package_module, "_SHARED_READ_BYTES", 0)
    path = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "b">]>' + data
            target.writestr(info, data)
    with pytest.raises(WorkbookError, match=r"sheet2.xml' declares a DTD or entities"):
        read_package(path, DEFAULT_LIMITS)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"Channel,Spend\nSearch,1000\n", "text with comma-separated columns (a CSV file named"),
        (b"\xef\xbb\xbfMonth;Leads\r\nJan;12\r\n", "text with semicolon-separated columns"),
        (b"Month\tLeads\nJan\t12\n", "text with tab-separated columns"),
        (b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table>", "it is an HTML page"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "it is an Excel 2003 XML spreadsheet: open it in Excel and save it as .xlsx",
        ),
        (b"%PDF-1.7\n", "it is a PDF file"),
        (b"\x00\x01\x02binary", "it is not a zip file"),
        # a UTF-8 character cut by the 4,096 bytes looked at
        (("ville,lead\n" + "é" * 3000).encode(), "comma-separated columns"),  # odd: cut
        ("Région;Leads\r\nÎle;3\r\n".encode("cp1252"), "semicolon-separated columns"),
        ("Month\tLeads\r\nJan\t12\r\n".encode("utf-16"), "tab-separated columns"),
        (b"just some words", "it is a text file, not a zip file"),
    ],
)
def test_a_file_that_is_no_zip_is_named_for_what_it_looks_like(tmp_path, content, said):
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookError, match="is not an Excel workbook") as refused:
        read_package(path, DEFAULT_LIMITS)
    assert said in str(refused.value)


def test_a_part_in_a_multibyte_encoding_is_refused_in_one_line(book, tmp_path):
    """expat reads UTF-8, UTF-16 and single-byte encodings; a relationships part declaring
    Shift_JIS is named, not a ValueError from the parser."""
    path = tmp_path / "sjis.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b'encoding="UTF-8"', b'encoding="Shift_JIS"', 1)
                if b"Shift_JIS" not in data:
                    data = b'<?xml version="1.0" encoding="Shift_JIS"?>' + data
            target.writestr(info, data)
    with pytest.raises(WorkbookError, match=r"workbook.xml.rels' declares an encoding"):
        read_package(path, DEFAULT_LIMITS)
