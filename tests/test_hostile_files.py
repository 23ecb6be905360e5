"""Hostile and broken files: one line on stderr naming the file, exit 2, nothing touched or left.

Every file is built here (no binaries committed). Each case runs the real command line in a
subprocess and checks: exit code 2, exactly one line on stderr naming the file and the problem,
no traceback, the input byte-for-byte unchanged, and no output or temporary file left behind.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.cli_process import run_cli
from tests.data.recalc.books import mini_plan
from xl_funnel.cli import cli
from xl_funnel.recalc.a1 import column_letters
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.limits import DEFAULT_LIMITS, Limits
from xl_funnel.recalc.package import read_package

MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def assert_refused(result: subprocess.CompletedProcess, name: str, fragment: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def rezip(source: Path, target: Path, changes: dict[str, bytes]) -> Path:
    """``source`` with some parts replaced (or added)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, changes.pop(info.filename, old.read(info)))
        for name, data in changes.items():
            new.writestr(name, data)
    return target


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory) -> Path:
    return mini_plan(tmp_path_factory.mktemp("plan") / "plan.xlsx")


def _not_a_zip(folder, plan):
    path = folder / "book.xlsx"
    path.write_bytes(b"Channel,Spend\nSearch,1000\n")
    return path


def _empty(folder, plan):
    path = folder / "book.xlsx"
    path.write_bytes(b"")
    return path


def _truncated(folder, plan):
    path = folder / "book.xlsx"
    data = plan.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _corrupted(folder, plan):
    """A flipped byte inside a deflated part: the CRC check catches it."""
    data = bytearray(plan.read_bytes())
    info = zipfile.ZipFile(plan).getinfo("xl/worksheets/sheet2.xml")
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    data[offset] ^= 0xFF
    path = folder / "book.xlsx"
    path.write_bytes(bytes(data))
    return path


def _zip_bomb(folder, plan):
    """A worksheet inflating to 300 MiB of zeros from a 1.4 MB file."""
    path = folder / "book.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        with zipfile.ZipFile(plan) as source:
            for info in source.infolist():
                if info.filename != "xl/worksheets/sheet1.xml":
                    bomb.writestr(info.filename, source.read(info))
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(300):
                part.write(b"\0" * (1 << 20))
    return path


def _ratio_bomb(folder, plan):
    """Under the per-part cap, but 20 MiB of zeros compress ~1000:1, which XML never does."""
    return rezip(plan, folder / "book.xlsx", {"xl/worksheets/sheet1.xml": b"\0" * (20 << 20)})


def _too_many_entries(folder, plan):
    extra = {f"customXml/item{i}.bin": b"" for i in range(DEFAULT_LIMITS.max_entries + 1)}
    return rezip(plan, folder / "book.xlsx", extra)


def _too_many_cells(folder, plan):
    """5,013,504 cells (306 rows of all 16,384 columns): past the 5,000,000-cell cap."""
    row = b"<row>" + b"".join(
        b'<c r="%s1"><v>1</v></c>' % column_letters(col).encode() for col in range(1, 16385)
    )
    sheet = b"<worksheet " + MAIN_NS + b"><sheetData>" + (row + b"</row>") * 306
    sheet += b"</sheetData></worksheet>"
    return rezip(plan, folder / "book.xlsx", {"xl/worksheets/sheet1.xml": sheet})


def _external_entity(folder, plan):
    workbook = zipfile.ZipFile(plan).read("xl/workbook.xml")
    evil = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    evil += workbook.replace(b"<sheets>", b"<sheets>&x;", 1)
    return rezip(plan, folder / "book.xlsx", {"xl/workbook.xml": evil})


def _billion_laughs(folder, plan):
    """Ten levels of ten-fold entity expansion: 10^9 "lol"s from a few hundred bytes."""
    declarations = b'<!ENTITY e0 "lol">' + b"".join(
        b'<!ENTITY e%d "%s">' % (level, b"&e%d;" % (level - 1) * 10) for level in range(1, 10)
    )
    strings = (
        b'<?xml version="1.0"?><!DOCTYPE sst ['
        + declarations
        + b"]><sst "
        + MAIN_NS
        + b' count="1"><si><t>&e9;</t></si></sst>'
    )
    return rezip(plan, folder / "book.xlsx", {"xl/sharedStrings.xml": strings})


def _entity_in_sheet_utf16(folder, plan):
    sheet = zipfile.ZipFile(plan).read("xl/worksheets/sheet2.xml").decode()
    sheet = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "e">]>' + sheet
    return rezip(plan, folder / "book.xlsx", {"xl/worksheets/sheet2.xml": sheet.encode("utf-16")})


def _encrypted(folder, plan):
    from msoffcrypto.format.ooxml import OOXMLFile

    path = folder / "book.xlsx"
    with plan.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("s3cret", target)
    return path


def _not_a_workbook_zip(folder, plan):
    path = folder / "book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return path


def _sheet_part_missing(folder, plan):
    path = folder / "book.xlsx"
    with zipfile.ZipFile(plan) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":
                new.writestr(info.filename, old.read(info))
    return path


def _malformed_workbook_xml(folder, plan):
    return rezip(plan, folder / "book.xlsx", {"xl/workbook.xml": b"<workbook><sheets>"})


CASES = {
    "not a zip": (_not_a_zip, "comma-separated columns (a CSV file named .xlsx?)"),
    "empty file": (_empty, "is empty"),
    "truncated": (_truncated, "damaged or truncated"),
    "corrupted part": (_corrupted, "damaged or truncated"),
    "zip bomb": (_zip_bomb, "past the 256.0 MB limit per part"),
    "ratio bomb": (_ratio_bomb, "a zip bomb"),
    "too many entries": (_too_many_entries, "zip entries; the limit is 10,000"),
    "too many cells": (_too_many_cells, "workbooks up to 5,000,000 cells"),
    "external entity": (_external_entity, "declares a DTD or entities"),
    "entity expansion": (_billion_laughs, "declares a DTD or entities"),
    "utf-16 entity": (_entity_in_sheet_utf16, "declares a DTD or entities"),
    "encrypted": (_encrypted, "encrypted with a password"),
    "zip but no workbook": (_not_a_workbook_zip, "not an Excel workbook"),
    "sheet part missing": (_sheet_part_missing, "is damaged"),
    "malformed xml": (_malformed_workbook_xml, "not well-formed XML"),
}


@pytest.mark.parametrize("case", CASES)
def test_recalc_refuses_hostile_file_cleanly(case, tmp_path, plan_file):
    build, fragment = CASES[case]
    path = build(tmp_path, plan_file)
    before = snapshot(tmp_path)
    result = run_cli("recalc", path.name, cwd=tmp_path)
    assert_refused(result, "book.xlsx", fragment)
    assert snapshot(tmp_path) == before  # input unchanged, no output, no temp file


@pytest.mark.parametrize("case", ["not a zip", "external entity", "encrypted", "zip bomb"])
def test_scenarios_refuses_hostile_plan_cleanly(case, tmp_path, plan_file):
    build, fragment = CASES[case]
    path = build(tmp_path, plan_file)
    (tmp_path / "grid.csv").write_text("AvgDealSize\n100000\n")
    before = snapshot(tmp_path)
    result = run_cli("scenarios", path.name, "grid.csv", "-o", "out.csv", cwd=tmp_path)
    assert_refused(result, "book.xlsx", fragment)
    assert snapshot(tmp_path) == before


def test_missing_file_and_directory_are_named(tmp_path):
    result = run_cli("recalc", "nowhere.xlsx", cwd=tmp_path)
    assert_refused(result, "nowhere.xlsx", "does not exist")
    (tmp_path / "folder.xlsx").mkdir()
    result = run_cli("recalc", "folder.xlsx", cwd=tmp_path)
    assert_refused(result, "folder.xlsx", "is a directory")


def test_total_inflated_size_is_capped(tmp_path, plan_file):
    limits = Limits(max_total_bytes=10_000)
    with pytest.raises(WorkbookError, match=r"inflates to .* in all, past the"):
        read_package(plan_file, limits)


def test_file_size_is_capped_before_reading(tmp_path, plan_file):
    with pytest.raises(WorkbookError, match="xl-funnel reads workbooks up to"):
        read_package(plan_file, Limits(max_file_bytes=1_000))


def test_xlsm_macros_are_kept_byte_for_byte_and_never_run(tmp_path, plan_file):
    # A VBA project whose Workbook_Open would create a file if anything ever ran it.
    marker = tmp_path / "macro-ran.txt"
    vba = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + (
            f'Attribute VB_Name = "ThisWorkbook"\nSub Workbook_Open()\n'
            f'Open "{marker}" For Output As #1\nEnd Sub\n'
        ).encode()
    )
    source = zipfile.ZipFile(plan_file)
    types = source.read("[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    types = types.replace(
        b"<Default ",
        b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ',
        1,
    )
    rels = source.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
        b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
    )
    book = rezip(
        plan_file,
        tmp_path / "book.xlsm",
        {
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/vbaProject.bin": vba,
        },
    )
    original = book.read_bytes()
    result = run_cli("recalc", "book.xlsm", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"macros_kept": true' in result.stdout
    output = tmp_path / "book.recalc.xlsm"
    assert book.read_bytes() == original
    assert zipfile.ZipFile(output).read("xl/vbaProject.bin") == vba
    assert not marker.exists()
    kept = openpyxl.load_workbook(output, keep_vba=True)
    assert kept.vba_archive is not None
    assert openpyxl.load_workbook(output, data_only=True)["Funnel"]["B1"].value == 10


@contextlib.contextmanager
def tmpfs(folder: Path, options: str):
    """A tiny tmpfs mounted at ``folder`` (root only; the test machines and CI run as root)."""
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_disk_full_leaves_no_partial_output(tmp_path, plan_file):
    assert os.geteuid() == 0, "mounting a tiny tmpfs needs root, as on the test machines"
    book = tmp_path / "book.xlsx"
    book.write_bytes(plan_file.read_bytes())
    with tmpfs(tmp_path / "full", "size=8k") as full:
        result = run_cli("recalc", "book.xlsx", "-o", str(full / "out.xlsx"), cwd=tmp_path)
        assert_refused(result, "out.xlsx", "No space left on device")
        assert list(full.iterdir()) == []
    assert book.read_bytes() == plan_file.read_bytes()


def test_read_only_folder_is_refused(tmp_path, plan_file):
    assert os.geteuid() == 0, "mounting a read-only tmpfs needs root, as on the test machines"
    book = tmp_path / "book.xlsx"
    book.write_bytes(plan_file.read_bytes())
    with tmpfs(tmp_path / "ro", "size=1m,ro") as read_only:
        result = run_cli("recalc", "book.xlsx", "-o", str(read_only / "out.xlsx"), cwd=tmp_path)
        assert_refused(result, "out.xlsx", "Read-only file system")
        assert list(read_only.iterdir()) == []
    assert book.read_bytes() == plan_file.read_bytes()


def test_scenarios_results_on_a_full_disk_are_refused(tmp_path, plan_file):
    assert os.geteuid() == 0, "mounting a tiny tmpfs needs root, as on the test machines"
    (tmp_path / "plan.xlsx").write_bytes(plan_file.read_bytes())
    grid = "AvgDealSize\n" + "".join(f"{100_000 + i}\n" for i in range(500))
    (tmp_path / "grid.csv").write_text(grid)
    with tmpfs(tmp_path / "full", "size=4k") as full:
        result = run_cli(
            "scenarios", "plan.xlsx", "grid.csv", "-o", str(full / "out.csv"), cwd=tmp_path
        )
        assert result.returncode == 2
        assert (
            result.stderr.strip()
            .splitlines()[-1]
            .endswith("out.csv: cannot be written: No space left on device")
        )
        assert "Traceback" not in result.stderr
        assert list(full.iterdir()) == []


def test_disk_full_injected_at_write_time_keeps_the_old_file(tmp_path, plan_file, monkeypatch):
    """The same guarantee without a mount: the write fails half way (ENOSPC) under --in-place."""
    book = tmp_path / "book.xlsx"
    book.write_bytes(plan_file.read_bytes())
    real_open = os.fdopen

    class FullDisk(io.RawIOBase):
        def __init__(self, handle):
            self.handle, self.written = handle, 0

        def write(self, data):
            self.written += len(data)
            if self.written > 2048:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self.handle.write(data)

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *a: FullDisk(real_open(fd, mode, *a)))
    result = CliRunner().invoke(cli, ["recalc", str(book), "--in-place"])
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert book.read_bytes() == plan_file.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def _big_book(path: Path, rows: int = 8_000) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in range(1, rows + 1):
        sheet.cell(row, 1, row)
        sheet.cell(row, 2, f"=A{row}*2")
        sheet.cell(row, 3, f"=VALUE_PER_LEAD(B{row}, A{row})")
        sheet.cell(row, 4, f"=SUM($B$1:B{row})/{row}")
    book.save(path)
    return path


def test_sigkill_mid_recalc_leaves_old_or_complete_new_file(tmp_path):
    book = _big_book(tmp_path / "big.xlsx")
    old = book.read_bytes()
    reference = tmp_path / "reference.xlsx"
    started = time.perf_counter()
    assert run_cli("recalc", "big.xlsx", "-o", reference.name, cwd=tmp_path).returncode == 0
    duration = time.perf_counter() - started
    new = reference.read_bytes()
    assert new != old
    outcomes = []
    for fraction in (0.2, 0.6, 0.85, 1.0):
        book.write_bytes(old)
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from xl_funnel.cli import main; main()",
                "recalc",
                "big.xlsx",
                "--in-place",
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        content = book.read_bytes()
        assert content in (old, new), f"partial file after SIGKILL at {fraction:.0%}"
        outcomes.append(content == new)
        for orphan in tmp_path.glob(".big.xlsx.*.tmp"):  # what a killed writer can leave
            orphan.unlink()
    # the file always opens, whatever the moment of the kill
    assert openpyxl.load_workbook(book, data_only=True).active["B2"].value in (None, 4)
    assert outcomes[0] is False  # killed while still computing: the old file is intact
