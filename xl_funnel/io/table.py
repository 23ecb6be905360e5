"""One reader for every table a command takes: touches, scenario grids, histories, CRM exports.

:func:`read_table` opens a regular file (never a FIFO or a device), reads .xlsx/.xlsm by their
content (any zip) with :mod:`~xl_funnel.io.workbook` and anything else as delimited text with
:mod:`~xl_funnel.io.text`, finds the header row and each expected column:

- a column matches a field by its name or an alias, ignoring case, spaces, ``_`` and ``-``;
  ``--columns channel="Original Source"`` maps a field to any header;
- a missing column is an error listing the columns found and the closest one;
- two columns with one used name are refused (which one would be meant?);
- the header is the first of the first 20 non-blank rows that has every required column (an
  export may start with a title line); in a workbook, the sheet that has them (``--sheet``
  chooses when several do, or to read another);
- a row longer than the header (a trailing delimiter) keeps its columns where the header puts
  them: extra cells are ignored, never shifted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xl_funnel.input_files import InputFileError, read_input_bytes
from xl_funnel.io.errors import TableError
from xl_funnel.recalc.limits import DEFAULT_LIMITS, Limits

__all__ = ["Field", "Table", "cell_text", "parse_mapping", "read_table"]

#: Non-blank rows searched for the header.
HEADER_SEARCH_ROWS = 20
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Field:
    """A column a command reads: its name, other headers that mean it, and whether required."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True


@dataclass
class Table:
    """The rows of a table with its expected columns located.

    ``rows`` hold the data rows (blank rows dropped); ``lines[i]`` is row ``i``'s row number as
    a spreadsheet shows it; ``columns`` maps each found field to its index in ``header``.
    """

    source: str
    header: list[str]
    rows: list[list[Any]]
    lines: list[int]
    columns: dict[str, int] = field(default_factory=dict)

    def values(self, name: str) -> list[Any]:
        """The cells of field ``name`` (``None`` past a short row's end)."""
        index = self.columns[name]
        return [row[index] if index < len(row) else None for row in self.rows]

    def where(self, i: int) -> str:
        """Where data row ``i`` is, for messages: ``export.csv row 7``."""
        return f"{self.source} row {self.lines[i]}"


def normal(text: Any) -> str:
    """A header as compared: case, spaces, ``_`` and ``-`` ignored."""
    return re.sub(r"[\s_\-]+", " ", str(text)).strip().casefold()


def parse_mapping(specs: Sequence[str], fields: Sequence[Field]) -> dict[str, str]:
    """``('channel=Original Source,date="Create Date"',)`` → ``{'channel': 'Original Source', …}``.

    >>> fields = [Field("channel"), Field("time")]
    >>> parse_mapping(['channel="Original Source",time=Create Date'], fields)
    {'channel': 'Original Source', 'time': 'Create Date'}
    """
    known = {f.name: f for f in fields}
    mapping: dict[str, str] = {}
    for spec in specs:
        for part in re.findall(r'(?:[^,"]|"[^"]*")+', spec):
            name, sep, header = part.partition("=")
            name, header = name.strip(), header.strip().strip('"').strip("'").strip()
            if not sep or not name or not header:
                raise TableError(
                    f"--columns {part.strip()!r}: write FIELD=HEADER, e.g. channel=Source"
                )
            if name not in known:
                raise TableError(
                    f"--columns: {name!r} is not a column this command reads{_closest(name, known)}"
                    f" (it reads {', '.join(known)})"
                )
            mapping[name] = header
    return mapping


def closest(text: str, candidates: Sequence[str], cutoff: float = 0.5) -> str | None:
    """The candidate spelled most like ``text``, compared as headers are (:func:`normal`),
    or ``None`` when none is close enough.

    >>> closest("Laeds", ["Leads", "MQLs"]), closest("x", ["Leads"])
    ('Leads', None)
    """
    match = difflib.get_close_matches(
        normal(text), [normal(c) for c in candidates], n=1, cutoff=cutoff
    )
    return next(c for c in candidates if normal(c) == match[0]) if match else None


def _closest(text: str, candidates: Sequence[str]) -> str:
    original = closest(text, candidates)
    return f"; did you mean {original!r}?" if original is not None else ""


def _found(header: Sequence[str]) -> str:
    shown = [repr(h) for h in header if h]
    more = f", … ({len(shown)} in all)" if len(shown) > 30 else ""
    return f"columns found: {', '.join(shown[:30])}{more}" if shown else "no column names found"


def _locate(
    header: list[str], fields: Sequence[Field], mapping: Mapping[str, str]
) -> tuple[dict[str, int], list[str]]:
    """Field → column index, and the required fields not found."""
    by_name: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        if name:
            by_name.setdefault(normal(name), []).append(index)
    columns, missing = {}, []
    for f in fields:
        wanted = [mapping[f.name]] if f.name in mapping else [f.name, *f.aliases]
        hit = next((normal(w) for w in wanted if normal(w) in by_name), None)
        if hit is None:
            if f.required or f.name in mapping:
                missing.append(f.name)
            continue
        columns[f.name] = by_name[hit][0]
    return columns, missing


def _header(row: Sequence[Any]) -> list[str]:
    return ["" if cell is None else str(cell).strip() for cell in row]


def _blank(row: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _find_header(
    rows: list[list[Any]], fields: Sequence[Field], mapping: Mapping[str, str], accept
) -> int | None:
    """Index of the header row, or None when no early row has the columns."""
    seen = 0
    for index, row in enumerate(rows):
        if _blank(row):
            continue
        header = _header(row)
        if fields and not _locate(header, fields, mapping)[1]:
            return index
        if not fields and (accept is None or accept(header)):
            return index
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return None


def _first_row(rows: list[list[Any]]) -> tuple[int, list[str]]:
    for index, row in enumerate(rows):
        if not _blank(row):
            return index, _header(row)
    return 0, []


def _regular_bytes(path: Path, limits: Limits) -> bytes:
    """The file's bytes (:func:`xl_funnel.input_files.read_input_bytes`: a regular file only,
    refused without blocking otherwise, and never past the size cap)."""
    try:
        return read_input_bytes(path, limits.max_file_bytes)
    except InputFileError as error:
        raise TableError(f"{path}: {error}") from None


def read_table(
    path: str | Path,
    fields: Sequence[Field] = (),
    *,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
    accept: Callable[[list[str]], bool] | None = None,
    header: bool = True,
    what: str = "table",
    limits: Limits = DEFAULT_LIMITS,
) -> Table:
    """Read the table at ``path`` and locate ``fields`` in its header.

    Parameters
    ----------
    path : path-like
        A .csv/.tsv/.txt (any delimiter and encoding of :mod:`~xl_funnel.io.text`) or an
        .xlsx/.xlsm workbook.
    fields : sequence of Field
        The columns the command reads. Empty: every named column is used (a scenario grid),
        and ``accept(header)`` says whether a sheet's first row is the header wanted.
    mapping : mapping, optional
        Field name → header text (``--columns``).
    sheet : str, optional
        The worksheet to read (``--sheet``); default: the one sheet having the fields.
    header : bool
        False: no header row is looked for; every non-blank row is data (a history whose
        optional header the caller recognises).
    what : str
        What the table is, for messages (``"table of touches"``).

    Raises
    ------
    TableError
        One line naming the file, sheet, row or column and what is wrong.
    """
    path = Path(path)
    mapping = dict(mapping or {})
    raw = _regular_bytes(path, limits)
    if raw.startswith((_ZIP_MAGIC, _OLE_MAGIC)) or path.suffix.lower() in WORKBOOK_SUFFIXES:
        from xl_funnel.io.workbook import sheets_of

        sheets = sheets_of(str(path), str(path), limits)
        name, rows = _choose_sheet(path, sheets, sheet, fields, mapping, accept, what)
        source = f"{path} sheet {name!r}"
    else:
        if sheet is not None:
            raise TableError(f"--sheet {sheet!r}: {path} is a text file, not a workbook")
        from xl_funnel.io.text import rows_of

        rows = rows_of(raw, str(path), header_first=not fields)
        source = str(path)
    cells = sum(len(row) for row in rows)
    if cells > limits.max_cells:
        raise TableError(f"{source}: has {cells:,} cells; the limit is {limits.max_cells:,}")
    if not header:
        kept = [i for i, row in enumerate(rows) if not _blank(row)]
        return Table(source, [], [rows[i] for i in kept], [i + 1 for i in kept])
    return _table(source, rows, fields, mapping, accept, what)


def cell_text(value: Any) -> str:
    """A cell as the text a CSV would hold: ``1200.0`` → ``'1200'``, ``None`` → ``''``.

    >>> cell_text(1200.0), cell_text(0.125), cell_text(None), cell_text(True), cell_text(" a ")
    ('1200', '0.125', '', 'TRUE', ' a ')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _choose_sheet(path, sheets, sheet, fields, mapping, accept, what):
    if not sheets:
        raise TableError(f"{path}: has no worksheet")
    if sheet is not None:
        if sheet not in sheets:
            raise TableError(
                f"--sheet {sheet!r}: {path} has no such sheet{_closest(sheet, list(sheets))} "
                f"(sheets: {', '.join(map(repr, sheets))})"
            )
        return sheet, sheets[sheet]
    if len(sheets) == 1:
        return next(iter(sheets.items()))
    having = [
        name
        for name, rows in sheets.items()
        if _find_header(rows, fields, mapping, accept) is not None
    ]
    if len(having) == 1:
        return having[0], sheets[having[0]]
    if having:
        raise TableError(
            f"{path}: sheets {', '.join(map(repr, having))} all hold a {what}: choose one with "
            f"--sheet"
        )
    wanted = ", ".join(f.name for f in fields if f.required) or "the expected columns"
    raise TableError(
        f"{path}: no sheet has the columns {wanted} (sheets: {', '.join(map(repr, sheets))}): "
        "choose one with --sheet, map columns with --columns"
    )


def _table(source, rows, fields, mapping, accept, what) -> Table:
    start = _find_header(rows, fields, mapping, accept)
    if start is None:
        start, header = _first_row(rows)
        if not header:
            raise TableError(f"{source}: is empty; its first row names the columns")
        if fields:
            _, missing = _locate(header, fields, mapping)
            wanted = next(f for f in fields if f.name == missing[0])
            raise TableError(_missing_message(source, header, wanted, mapping, what))
    header = _header(rows[start])
    columns, _ = _locate(header, fields, mapping)
    used = set(columns.values()) if fields else {i for i, name in enumerate(header) if name}
    _refuse_duplicates(source, header, used)
    data, lines = [], []
    for index in range(start + 1, len(rows)):
        if not _blank(rows[index]):
            data.append(rows[index])
            lines.append(index + 1)
    if not fields:
        columns = {name: i for i, name in enumerate(header) if name}
    return Table(source, header, data, lines, columns)


def _nearest(names: Sequence[str], header: Sequence[str]) -> str:
    """ "; did you mean 'H'?" for the header closest to any of ``names``, or ""."""
    scored = [
        (difflib.SequenceMatcher(None, normal(n), normal(h)).ratio(), h)
        for n in names
        for h in header
        if h
    ]
    best = max(scored, default=(0.0, ""))
    return f"; did you mean {best[1]!r}?" if best[0] >= 0.5 else ""


def _missing_message(source, header, wanted: Field, mapping, what) -> str:
    name = wanted.name
    if name in mapping:
        return (
            f"{source}: --columns {name}={mapping[name]!r}: no such column"
            f"{_closest(mapping[name], header)} ({_found(header)})"
        )
    return (
        f"{source}: no {name!r} column for a {what}{_nearest([name, *wanted.aliases], header)} "
        f"({_found(header)}); "
        f'map one with --columns {name}="HEADER"'
    )


def _refuse_duplicates(source: str, header: list[str], used: set[int]) -> None:
    for index in sorted(used):
        twins = [i for i, name in enumerate(header) if normal(name) == normal(header[index])]
        if len(twins) > 1:
            raise TableError(
                f"{source}: columns {' and '.join(str(i + 1) for i in twins)} are both named "
                f"{header[index]!r}: rename one (which one is meant?)"
            )
