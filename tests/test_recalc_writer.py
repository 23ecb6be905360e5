"""The package writer: parts handed over as pieces are written as the same bytes a whole part
gives, and a failure while they are made or written leaves the target as it was."""

from __future__ import annotations

import os
import signal
import threading
import zipfile

import openpyxl
import pytest

from xl_funnel.recalc import writer
from xl_funnel.recalc.limits import DEFAULT_LIMITS
from xl_funnel.recalc.package import read_package
from xl_funnel.recalc.writer import write_package


@pytest.fixture(params=["this thread", "a second thread"])
def threaded(request, monkeypatch):
    """Each test runs with the small package written in the calling thread (as it is) and
    with the parts compressed by a second thread (as a large package's are)."""
    if request.param == "a second thread":
        monkeypatch.setattr(writer, "_THREADED_BYTES", 0)
    return request.param


@pytest.fixture
def book(tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Plan"
    for row in range(1, 200):
        first.append([row, f"=A{row}*2", f"row {row}"])
    workbook.create_sheet("Notes")["A1"] = "kept"
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    return path


def _sheet_part(package, name):
    return next(sheet.part for sheet in package.sheets if sheet.name == name)


def test_a_part_given_in_pieces_is_written_as_the_whole_part_is(book, tmp_path, threaded):
    package = read_package(book, DEFAULT_LIMITS)
    part = _sheet_part(package, "Plan")
    data = package.parts[part].replace(b"row 7<", b"row seven<")
    write_package(package, {part: data}, tmp_path / "whole.xlsx")
    pieces = [data[i : i + 1000] for i in range(0, len(data), 1000)]
    write_package(package, {part: iter(pieces)}, tmp_path / "pieces.xlsx")
    assert (tmp_path / "whole.xlsx").read_bytes() == (tmp_path / "pieces.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "pieces.xlsx") as archive:
        assert archive.testzip() is None
        assert archive.read(part) == data
    values = openpyxl.load_workbook(tmp_path / "pieces.xlsx")
    assert values["Plan"]["C7"].value == "row seven"
    assert values["Notes"]["A1"].value == "kept"


def test_an_error_while_the_pieces_are_made_leaves_the_target_as_it_was(book, tmp_path, threaded):
    package = read_package(book, DEFAULT_LIMITS)
    part = _sheet_part(package, "Plan")
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the user's file")

    def pieces():
        yield package.parts[part][:500]
        raise ValueError("made badly")

    with pytest.raises(ValueError, match="made badly"):
        write_package(package, {part: pieces()}, target)
    assert target.read_bytes() == b"the user's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "out.xlsx"]


def test_an_error_while_a_piece_is_written_is_raised_and_the_target_kept(book, tmp_path, threaded):
    package = read_package(book, DEFAULT_LIMITS)
    part = _sheet_part(package, "Plan")
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the user's file")
    # text is not bytes: the compressing thread's write fails, and the writer says so
    pieces = [package.parts[part][:500], "not bytes", *[b"x"] * 50]
    with pytest.raises(TypeError):
        write_package(package, {part: iter(pieces)}, target)
    assert target.read_bytes() == b"the user's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "out.xlsx"]


def test_an_interrupt_while_the_last_part_is_compressed_is_raised_as_itself(
    book, tmp_path, monkeypatch
):
    """Ctrl-C while the second thread still compresses the last part: the interrupt comes
    out (not an error about an open zip entry), the target is kept, no temporary file is
    left."""
    monkeypatch.setattr(writer, "_THREADED_BYTES", 0)
    package = read_package(book, DEFAULT_LIMITS)
    last = package.entries[-1].filename
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the user's file")

    def pieces():
        yield package.parts[last]
        yield os.urandom(96 * 1024 * 1024)  # incompressible: the second thread takes a while
        # every piece is given: the interrupt lands while the writer waits for the thread
        main = threading.main_thread().ident
        threading.Timer(0.05, signal.pthread_kill, (main, signal.SIGINT)).start()

    with pytest.raises(KeyboardInterrupt):
        write_package(package, {last: pieces()}, target)
    assert target.read_bytes() == b"the user's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "out.xlsx"]
