"""Open an .xlsx/.xlsm package safely: every check runs before the engine sees a byte.

Refused, each with a one-line reason: a file that is not a zip, a truncated or damaged zip, a
password-encrypted workbook (Excel wraps those in an OLE compound file), an old .xls, encrypted
zip entries, a zip bomb or a part past the caps of :mod:`~xl_funnel.recalc.limits`, and any XML
part with a document type declaration (the carrier of external entities and entity expansion:
no part Excel writes has one). The XML this module interprets is parsed by
:mod:`~xl_funnel.recalc.part_xml`, which refuses those too.
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import threading
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

from xl_funnel.input_files import InputFileError, read_input_bytes
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.limits import DEFAULT_LIMITS, Limits, MiB, array_formula_cells
from xl_funnel.recalc.part_xml import Element, XmlError, XmlRefusedError, parse
from xl_funnel.recalc.sheet_xml import count_cells

__all__ = ["Package", "Sheet", "Table", "read_package"]

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream name as an encrypted file's OLE directory holds it (UTF-16LE), spelled out: the
# codec's module would be one more import for every recalc.
_ENCRYPTED_STREAM = b"".join(bytes((char, 0)) for char in b"EncryptedPackage")
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_WORKSHEET = "/worksheet"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DECLARATIONS = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_SHARED_READ_BYTES = 16 * 1024 * 1024  # inflated bytes past which two threads read the parts
_STRICT = "{http://purl.oclc.org/ooxml/"
_TABLE = "/table"
_DATE1904 = re.compile(rb"""<(?:\w+:)?workbookPr\b[^>]*?\sdate1904=["'](?:1|true)["']""")


class Sheet(NamedTuple):
    """A worksheet: its name as Excel shows it and the zip part holding its XML."""

    name: str
    part: str


class Table(NamedTuple):
    """An Excel Table (a ``<table>`` part): its cells (1-based, inclusive, header and totals
    rows included) and column names, for resolving structured references."""

    name: str
    sheet: str
    top: int
    left: int
    bottom: int
    right: int
    columns: tuple[str, ...]
    header_rows: int
    totals_rows: int


class Package(NamedTuple):
    """The parts of a workbook, read into memory and checked.

    ``raw`` is the file as read (handed to the engine, so both see one snapshot);
    ``entries`` keeps the zip's order and metadata for the writer; ``workbook`` names the
    part holding the sheet list and defined names (``xl/workbook.xml`` in most files).
    """

    raw: bytes
    entries: tuple[zipfile.ZipInfo, ...]
    parts: dict[str, bytes]
    sheets: tuple[Sheet, ...]
    cells: int
    workbook: str
    date1904: bool = False
    tables: tuple[Table, ...] = ()
    #: The values cached for each external workbook (``[1]`` is the first): sheet name (upper
    #: case) → {(row, column): value}.
    externals: tuple[dict[str, dict[tuple[int, int], object]], ...] = ()

    @property
    def has_macros(self) -> bool:
        """Whether the package carries a VBA project (copied unchanged, never run)."""
        return any(name.endswith("vbaProject.bin") for name in self.parts)


def _megabytes(size: int) -> str:
    return f"{size / MiB:,.1f} MB"


def _read_file(path: Path, limits: Limits) -> bytes:
    # Only a regular file, opened without blocking (a FIFO or device is refused at once).
    try:
        size = path.stat().st_size
        if stat.S_ISREG(path.stat().st_mode) and size > limits.max_file_bytes:
            raise WorkbookError(
                f"is {_megabytes(size)}; xl-funnel reads workbooks up to "
                f"{_megabytes(limits.max_file_bytes)}"
            )
        return read_input_bytes(path, limits.max_file_bytes)
    except (InputFileError, OSError) as error:
        message = str(error) if isinstance(error, InputFileError) else ""
        if isinstance(error, FileNotFoundError) or message == "does not exist":
            raise WorkbookError("does not exist") from None
        if message.startswith("is a directory"):
            raise WorkbookError(
                "is a directory, not a workbook (for every workbook in it: "
                f"xl-funnel recalc {Path(path) / '*.xlsx'})"
            ) from None
        if isinstance(error, OSError):
            raise WorkbookError(f"cannot be read: {error.strerror or error}") from None
        raise WorkbookError(message) from None


def _refuse_ole(raw: bytes) -> None:
    if not raw.startswith(_CFB_MAGIC):
        return
    if _ENCRYPTED_STREAM in raw:
        raise WorkbookError(
            "is encrypted with a password: open it in Excel, remove the password "
            "(File > Info > Protect Workbook) and save it, then run again"
        )
    raise WorkbookError(
        "is an OLE compound file (an Excel 97-2003 .xls?), not an .xlsx/.xlsm workbook: "
        "save it as .xlsx first"
    )


def _open_zip(raw: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as error:
        if raw.startswith(b"PK"):
            raise WorkbookError(f"is damaged or truncated (zip: {error})") from None
        raise WorkbookError(f"is not an Excel workbook (.xlsx/.xlsm): {_what_it_is(raw)}") from None


def _as_text(head: bytes) -> str | None:
    """The first bytes of a file as text: UTF-16 with its byte-order mark, UTF-8 (a character
    cut at the end forgiven), else Windows-1252 (Excel's "CSV" on Windows); ``None`` for
    bytes that are none of these."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore")
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:
                break  # not a character cut at the end
    try:
        return head.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _what_it_is(raw: bytes) -> str:
    """What a file that is not a zip looks like, with what to do about it (a CSV or an HTML
    table exported under an .xlsx name is the usual case)."""
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = head.lower()
    if lowered.startswith(b"%pdf"):
        return "it is a PDF file"
    if lowered.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            return "it is an Excel 2003 XML spreadsheet: open it in Excel and save it as .xlsx"
        if b"<html" in lowered or b"<table" in lowered or lowered.startswith(b"<!doctype html"):
            return (
                "it is an HTML page (some tools export a table as HTML under an Excel name): "
                "open it in Excel and save it as .xlsx"
            )
        return "it is an XML or HTML text file, not a zip file"
    text = _as_text(head)
    if text is None or any(ord(char) < 32 and char not in "\t\r\n" for char in text):
        return "it is not a zip file"  # binary, whatever it is
    first = text.splitlines()[0] if text else ""
    for separator, name in ((",", "comma"), (";", "semicolon"), ("\t", "tab")):
        if separator in first:
            return (
                f"it is text with {name}-separated columns (a CSV file named .xlsx?): open it "
                "in Excel and save it as .xlsx"
            )
    return "it is a text file, not a zip file"


def _check_entries(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(entries) > limits.max_entries:
        raise WorkbookError(
            f"has {len(entries):,} zip entries; the limit is {limits.max_entries:,}"
        )
    names: set[str] = set()
    total = 0
    for info in entries:
        name = info.filename
        if name in names:
            raise WorkbookError(f"has two zip entries named {name!r}: refusing an ambiguous file")
        names.add(name)
        if info.flag_bits & 0x1:
            raise WorkbookError(f"has an encrypted zip entry {name!r}: remove the password first")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookError(
                f"part {name!r} uses zip compression method {info.compress_type}, which Excel "
                "never writes"
            )
        if info.file_size > limits.max_part_bytes:
            raise WorkbookError(
                f"part {name!r} inflates to {_megabytes(info.file_size)}, past the "
                f"{_megabytes(limits.max_part_bytes)} limit per part (a zip bomb, or a sheet "
                "too large to compute in memory)"
            )
        if info.file_size > MiB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise WorkbookError(
                f"part {name!r} inflates {info.file_size // max(info.compress_size, 1):,} times "
                f"its compressed size (limit {limits.max_ratio:,}): a zip bomb"
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise WorkbookError(
            f"inflates to {_megabytes(total)} in all, past the "
            f"{_megabytes(limits.max_total_bytes)} limit (a zip bomb, or a workbook too large "
            "to compute in memory)"
        )


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        data = archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise WorkbookError(
            f"is damaged or truncated: part {info.filename!r} cannot be read ({error})"
        ) from None
    if info.filename.endswith(_XML_SUFFIXES):
        _refuse_declarations(info.filename, data)
    return data


def _read_parts(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Every part, inflated and checked; a large package's parts by two threads (zlib
    inflates without holding Python's lock: 0.3 s of the 10,000-channel plan's 0.6 s)."""
    if sum(info.file_size for info in entries) < _SHARED_READ_BYTES:
        return {info.filename: _read_part(archive, info) for info in entries}
    # Largest first, each taken by whichever thread is free (ZipFile reads members from
    # several threads: each has its own position, the file is read under a lock).
    waiting = iter(sorted(entries, key=lambda info: info.file_size, reverse=True))
    taking = threading.Lock()
    read: dict[str, bytes] = {}
    failed: list[BaseException] = []

    def work() -> None:
        while not failed:
            with taking:
                info = next(waiting, None)
            if info is None:
                return
            try:
                read[info.filename] = _read_part(archive, info)
            except BaseException as error:  # raised in the calling thread
                failed.append(error)

    helper = threading.Thread(target=work, name="xl-funnel read", daemon=True)
    helper.start()
    work()
    helper.join()
    if failed:
        raise failed[0]
    return {info.filename: read[info.filename] for info in entries}


def _refuse_declarations(name: str, data: bytes) -> None:
    if b"<!" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # no declaration can start (one search at memory speed)
    text = data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace").encode("utf-8")
    if _DECLARATIONS.search(text):
        raise WorkbookError(
            f"part {name!r} declares a DTD or entities (<!DOCTYPE/<!ENTITY), which Excel never "
            "writes: refusing it (external entities and entity expansion are attack vectors)"
        )


def _parse(name: str, parts: dict[str, bytes]) -> Element:
    try:
        return parse(parts[name])
    except KeyError:
        raise WorkbookError(f"is a zip file but not an Excel workbook: no part {name!r}") from None
    except XmlRefusedError as error:
        raise WorkbookError(f"part {name!r} is refused: it holds {error}") from None
    except XmlError as error:
        raise WorkbookError(f"part {name!r} is not well-formed XML ({error})") from None
    except ValueError as error:  # expat: "multi-byte encodings are not supported"
        raise WorkbookError(
            f"part {name!r} declares an encoding xl-funnel cannot read ({error}): Excel writes "
            "UTF-8; open and save the workbook in Excel first"
        ) from None


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _relationships(part: str, parts: dict[str, bytes]) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target part) of ``part`` ('' is the package itself)."""
    rels_name = _rels_name(part) if part else "_rels/.rels"
    root = _parse(rels_name, parts)
    folder = posixpath.dirname(part)
    result = {}
    for rel in root.iter(f"{_REL_NS}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        result[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(resolved))
    return result


def _worksheets(parts: dict[str, bytes]) -> tuple[str, tuple[Sheet, ...]]:
    """The workbook part's name and its worksheets."""
    package_rels = _relationships("", parts)
    workbook_part = next(
        (target for kind, target in package_rels.values() if kind.endswith(_OFFICE_DOCUMENT)),
        None,
    )
    if workbook_part is None:
        raise WorkbookError("is a zip file but not an Excel workbook: no officeDocument part")
    workbook = _parse(workbook_part, parts)
    if workbook.tag.startswith(_STRICT):
        raise WorkbookError(
            "is a Strict Open XML workbook, which xl-funnel does not read: open it in Excel and "
            "save it with File > Save As > 'Excel Workbook (*.xlsx)' (not 'Strict Open XML "
            "Spreadsheet'), then run again"
        )
    rels = _relationships(workbook_part, parts)
    sheets = []
    for element in workbook.iter():
        if not element.tag.endswith("}sheet"):
            continue
        kind, target = rels.get(element.get(_R_ID, ""), ("", ""))
        if not kind.endswith(_WORKSHEET):
            continue  # chart sheets and dialog sheets hold no cells
        if target not in parts:
            raise WorkbookError(f"is damaged: sheet {element.get('name')!r} has no part {target!r}")
        sheets.append(Sheet(element.get("name", ""), target))
    return workbook_part, tuple(sheets)


def read_package(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Package:
    """Read and check the workbook at ``path``.

    Parameters
    ----------
    path : path-like
        An .xlsx or .xlsm file.
    limits : Limits
        Size caps (:data:`~xl_funnel.recalc.limits.DEFAULT_LIMITS` unless testing).

    Returns
    -------
    Package
        Its parts, worksheets and cell count.

    Raises
    ------
    WorkbookError
        The file is not a workbook xl-funnel can read safely; the message says why.
    """
    raw = _read_file(Path(path), limits)
    if not raw:
        raise WorkbookError("is empty (0 bytes): not an Excel workbook")
    _refuse_ole(raw)
    with _open_zip(raw) as archive:
        entries = archive.infolist()
        _check_entries(entries, limits)
        parts = _read_parts(archive, entries)
    workbook, sheets = _worksheets(parts)
    cells = sum(count_cells(parts[sheet.part]) for sheet in sheets)
    # Cells the array formulas fill count too (an upper bound: some are stored already).
    cells += sum(array_formula_cells(parts[sheet.part]) for sheet in sheets)
    if cells > limits.max_cells:
        raise WorkbookError(
            f"has {cells:,} cells (counting the cells array formulas fill); xl-funnel computes "
            f"workbooks up to {limits.max_cells:,} cells"
        )
    date1904 = _DATE1904.search(parts[workbook]) is not None
    return Package(
        raw,
        tuple(entries),
        parts,
        sheets,
        cells,
        workbook,
        date1904,
        _tables(sheets, parts),
        _externals(workbook, parts),
    )


def _externals(workbook: str, parts: dict[str, bytes]) -> tuple[dict, ...]:
    """The cached values of the external workbooks, in the order formulas number them."""
    if b"externalReference" not in parts[workbook]:
        return ()
    rels = _relationships(workbook, parts)
    books = []
    for element in _parse(workbook, parts).iter():
        if not element.tag.endswith("}externalReference"):
            continue
        _, target = rels.get(element.get(_R_ID, ""), ("", ""))
        books.append(_external_values(_parse(target, parts)) if target in parts else {})
    return tuple(books)


def _external_values(root: Element) -> dict[str, dict[tuple[int, int], object]]:
    from xl_funnel.recalc.a1 import parse_a1

    names = [e.get("val", "") for e in root.iter() if e.tag.endswith("}sheetName")]
    sheets: dict[str, dict[tuple[int, int], object]] = {name.upper(): {} for name in names}
    for data in root.iter():
        if not data.tag.endswith("}sheetData"):
            continue
        index = int(data.get("sheetId", "0"))
        if index >= len(names):
            continue
        cells = sheets[names[index].upper()]
        for cell in data.iter():
            if not cell.tag.endswith("}cell"):
                continue
            value = next((v.text for v in cell if v.tag.endswith("}v")), None)
            kind = cell.get("t", "n")
            try:
                position = parse_a1(cell.get("r", ""))
            except ValueError:
                continue
            if kind == "n" and value is not None:
                try:
                    cells[position] = float(value)
                except ValueError:
                    continue
            elif kind == "b":
                cells[position] = value == "1"
            elif kind == "e":
                cells[position] = ("#error", value or "#N/A")
            elif value is not None:
                cells[position] = value
    return sheets


def _tables(sheets: tuple[Sheet, ...], parts: dict[str, bytes]) -> tuple[Table, ...]:
    """Every Excel Table of the worksheets (found through each sheet's relationships)."""
    from xl_funnel.recalc.a1 import parse_a1

    tables = []
    for sheet in sheets:
        # A table is a relationship of its sheet: the small .rels part is searched, not the
        # sheet (a 188 MB Tracking sheet takes 0.1 s to search).
        rels = parts.get(_rels_name(sheet.part))
        if rels is None or b"table" not in rels:
            continue
        for kind, target in _relationships(sheet.part, parts).values():
            if not kind.endswith(_TABLE) or target not in parts:
                continue
            root = _parse(target, parts)
            first, _, last = root.get("ref", "").partition(":")
            try:
                (top, left), (bottom, right) = parse_a1(first), parse_a1(last or first)
            except ValueError:
                raise WorkbookError(f"part {target!r} has no valid ref= range") from None
            columns = tuple(
                column.get("name", "")
                for column in root.iter()
                if column.tag.endswith("}tableColumn")
            )
            tables.append(
                Table(
                    root.get("displayName") or root.get("name", ""),
                    sheet.name,
                    top,
                    left,
                    bottom,
                    right,
                    columns,
                    int(root.get("headerRowCount", "1")),
                    int(root.get("totalsRowCount", "0")),
                )
            )
    return tuple(tables)
