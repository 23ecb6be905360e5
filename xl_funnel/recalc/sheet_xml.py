"""Find the formula cells of a worksheet's XML and rewrite only their cached values.

A worksheet part is not parsed into a tree: one regular expression finds the formula cells
(``<c …><f …>…</f><v>…</v></c>``), and the new part is the old bytes with just those cells'
``<v>`` and ``t=`` replaced. Everything else (styles, validations, conditional formats, column
widths, panes, unknown extensions) is copied byte for byte, and the pass runs at the speed of
the regex engine instead of an XML object model. Cells inside a multi-cell array formula
(``<f t="array" ref="D1:D3">``) get their values too, added when the file has no ``<c>`` for
them yet, as Excel writes them.

>>> sheet = SheetXml(b'<worksheet><sheetData><row r="1"><c r="A1"><f>1+1</f><v></v></c>'
...                  b'</row></sheetData></worksheet>')
>>> sheet.rows, sheet.columns
([1], [1])
>>> sheet.rewrite([2.0])
b'<worksheet><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from itertools import compress, repeat
from typing import Any, NamedTuple

from xl_funnel.recalc.a1 import column_letters, column_number
from xl_funnel.recalc.cell_text import encode_value
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.lazy_pattern import LazyPattern

__all__ = [
    "DATA_TABLE",
    "FOLD_DIGITS",
    "FormulaCell",
    "SheetXml",
    "count_cells",
    "encode_value",
    "used_extent",
]

#: ``bytes.translate`` table writing every digit as ``1``: formulas filled down a block differ
#: only in their row numbers, so folded they are a handful of shapes. A search that keeps
#: digits as a class (``[0-9]``, never a particular one other than ``1``) finds in the folded
#: text whatever it finds in the original.
FOLD_DIGITS = bytes.maketrans(b"0123456789", b"1111111111")

_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_REF = LazyPattern(rb"""\sr=["']([A-Z]{1,3})([0-9]{1,7})["']""")
_CELL_REF = LazyPattern(rb"""<(?:\w+:)?c\s[^>]*?\br=["']([A-Z]{1,3})([0-9]{1,7})["']""")
_DIMENSION = LazyPattern(
    rb"""<(?:\w+:)?dimension\s+ref=["'][^"':]*?:?\$?([A-Z]{1,3})\$?([0-9]{1,7})["']"""
)
_LAST_ROW = LazyPattern(rb"""<(?:\w+:)?row\b[^>]*?\sr=["']([0-9]{1,7})["']""")
_REF_ROW = LazyPattern(rb"""\sr=["']([0-9]{1,7})["']""")
_TYPE_ATTR = LazyPattern(rb"""\s+t=(?:"[^"]*"|'[^']*')""")
_F_TYPE = LazyPattern(rb"""\st=["']array["']""")
_F_RANGE = LazyPattern(
    rb"""\sref=["']\$?([A-Z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?["']"""
)
_EMPTY_FORMULA = LazyPattern(
    rb"\s*+<(?:\w+:)?f\b[^>]*+(?<=/)>\s*+(?:<(?:\w+:)?v\b[^>]*+>[^<]*+</(?:\w+:)?v>)?\s*+"
)
_F_TEXT_OF = LazyPattern(rb"<(?:\w+:)?f\b[^>]*+(?<!/)>([^<]*+)<")
_SHARED_INDEX = LazyPattern(rb"""\ssi=["']([0-9]+)["']""")  # with t="shared" on the element
_MAX_ARRAY_CELLS = 1_000_000


@cache
def _tag(tag: bytes, endings: bytes) -> re.Pattern[bytes]:
    """``tag`` followed by one of ``endings`` (a pattern). Counting a tag's rare spellings with
    one pattern scans a large part faster than one ``bytes.count`` per spelling."""
    return re.compile(re.escape(tag) + endings)


def count_cells(data: bytes) -> int:
    """Number of ``<c>`` elements in a worksheet part (a fast byte count, no parsing).

    >>> count_cells(b'<worksheet><sheetData><row><c r="A1"/><c r="B1"><v>2</v></c></row>')
    2
    """
    head = _PREFIX.search(data)
    tag = b"<" + (head[1] or b"" if head else b"") + b"c"
    return data.count(tag + b" ") + len(_tag(tag, rb"(?:[>\t\n\r]|/>)").findall(data))


def used_extent(data: bytes) -> tuple[int, int]:
    """The last row and column holding a cell in a worksheet part (0, 0 when empty).

    The ``<dimension>`` Excel and openpyxl write gives it at once (widened by the last
    ``<row>``, in case it is stale); without one, every cell reference is read.

    >>> used_extent(b'<sheetData><row r="2"><c r="C2"/><c r="AA2"/></row></sheetData>')
    (2, 27)
    >>> used_extent(b'<dimension ref="B1:P10"/><sheetData><row r="12"><c r="B12"/></row>')
    (12, 16)
    """
    dimension = _DIMENSION.search(data, 0, 4096)
    if dimension is not None:
        last = _LAST_ROW.search(data, max(0, data.rfind(b"row ") - 16))
        rows = max(int(dimension[2]), int(last[1]) if last else 0)
        return rows, column_number(dimension[1])
    rows = cols = 0
    for letters, digits in _CELL_REF.findall(data):
        rows = max(rows, int(digits))
        cols = max(cols, column_number(letters))
    return rows, cols


@cache
def _patterns(prefix: bytes) -> tuple[re.Pattern[bytes], LazyPattern, LazyPattern]:
    p = re.escape(prefix)
    # groups: (start tag without ">", column letters, row digits, the <f> element)
    # Every repetition is possessive or bounded by the next "<": a damaged part (a cell or row
    # never closed) costs one failed match up to the next tag, never a rescan to the end of
    # the part for each cell (quadratic on a large sheet). Whitespace between the elements
    # (pretty-printed XML) is allowed; it stays with the <f> element's piece.
    formula_cell = re.compile(
        rb"(<" + p + rb"c\b[^>\s]*+(?:\s++(?!r=)[^>\s]++)*+\s++r=[\"']([A-Z]{1,3})([0-9]{1,7})"
        rb"[\"'][^>]*+)>"
        rb"(\s*+<" + p + rb"f\b[^>]*+(?:(?<=/)>|>[^<]*+</" + p + rb"f>))"
        rb"\s*+(?:<" + p + rb"v\b[^>]*+(?:(?<=/)>|>[^<]*+</" + p + rb"v>))?\s*+"
        rb"</" + p + rb"c>"
    )
    # <row> and <c> elements: only for array formulas and typed-in values (compiled then)
    row = LazyPattern(
        rb"<"
        + p
        + rb"row\b(?P<attrs>[^>]*+)(?<!/)(?:>(?P<body>(?:[^<]++|<(?!/?"
        + p
        + rb"row\b))*+)"
        rb"</" + p + rb"row>)|<" + p + rb"row\b(?P<empty>[^>]*+)(?<=/)>"
    )
    cell = LazyPattern(
        rb"<" + p + rb"c\b(?P<attrs>[^>]*+)(?<!/)(?:>(?P<body>(?:[^<]++|<(?!/?" + p + rb"c\b))*+)"
        rb"</" + p + rb"c>)|<" + p + rb"c\b(?P<empty>[^>]*+)(?<=/)>"
    )
    return formula_cell, row, cell


def _attrs(match: re.Match[bytes]) -> bytes:
    """The attributes of a matched ``<row>`` or ``<c>``, whichever of its two forms matched."""
    return match["attrs"] if match["attrs"] is not None else match["empty"]


class FormulaCell(NamedTuple):
    """A formula cell: its position (1-based), for a multi-cell array formula the range
    ``(first_row, first_col, last_row, last_col)`` its ``ref`` covers, where it sits in the
    part (``start``/``end``), its start tag without ``t=`` and its ``<f>`` element."""

    row: int
    col: int
    array_range: tuple[int, int, int, int] | None
    start: int
    end: int
    head: bytes
    formula: bytes


def _array_range(formula: bytes) -> tuple[int, int, int, int] | None:
    if b"array" not in formula:
        return None
    head = formula[: formula.find(b">")]
    if not _F_TYPE.search(head):
        return None
    match = _F_RANGE.search(head)
    if match is None or match[3] is None:
        return None
    first = (int(match[2]), column_number(match[1]))
    last = (int(match[4]), column_number(match[3]))
    if first == last:
        return None
    if (last[0] - first[0] + 1) * (last[1] - first[1] + 1) > _MAX_ARRAY_CELLS:
        raise WorkbookError(f"has an array formula over {_MAX_ARRAY_CELLS:,} cells")
    return (*first, *last)


#: The end of a formula cell's start tag for each ``t=`` kind.
_TAG_END = {b"": b">", b"b": b' t="b">', b"e": b' t="e">', b"str": b' t="str">'}


def _data_table_range(cell: FormulaCell) -> tuple[int, int, int, int]:
    match = _F_RANGE.search(cell.formula)
    if match is None:
        return (cell.row, cell.col, cell.row, cell.col)
    first = (int(match[2]), column_number(match[1]))
    last = (int(match[4]), column_number(match[3])) if match[3] else first
    return (*first, *last)


#: A What-If data table's formula element, which the engine cannot compute.
DATA_TABLE = LazyPattern(
    rb"""<(?:\w+:)?f\b[^>]*?\st=["']dataTable["'][^>]*+(?:(?<=/)>|>[^<]*+</(?:\w+:)?f>)"""
)


class SheetXml:
    """One worksheet part, scanned for formula cells.

    Parameters
    ----------
    data : bytes
        The part as stored in the zip (UTF-8 XML).
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        head = _PREFIX.search(data)
        self.prefix = head[1] or b"" if head else b""
        self._formula_cell, self._row_pattern, self._cell_pattern = _patterns(self.prefix)
        #: The pattern finding formula cells (groups: start tag, column, row, <f> element).
        self.formula_pattern = self._formula_cell
        # One pass cuts the part around its formula cells, into [text, start tag, column
        # letters, row digits, <f> element, text, ...] (the old cached values between are
        # dropped): the same pieces, rejoined with new values, are the rewritten part.
        self._pieces = self._formula_cell.split(data)
        self._column_numbers: dict[bytes, int] = {}
        self._shapes: tuple[bytes, ...] | None = None
        self._rows: list[int] | None = None
        self._columns: list[int] = []
        #: What-If data tables (``<f t="dataTable" ref=…/>``): their cells' ranges.
        self.data_tables = (
            [_data_table_range(cell) for cell in self._scan() if b"dataTable" in cell.formula]
            if b"dataTable" in data
            else []
        )
        #: The multi-cell array formulas (rare: found only when the part mentions one).
        self.arrays = (
            [cell for cell in self._scan() if cell.array_range] if (b"array" in data) else []
        )

    def finish(self) -> None:
        """Read every formula cell's row and column, check that the scan found every formula
        cell, and prepare the rewrite's pieces: the slower half of reading a part, which needs
        no engine (a recalculation runs it while the engine computes).

        Raises
        ------
        WorkbookError
            A formula cell the scan cannot place (no ``r=`` reference, unexpected content).
        """
        if self._rows is not None:
            return
        pieces = self._pieces
        letters = pieces[2::5]
        numbers = self._column_numbers
        numbers.update((name, column_number(name)) for name in set(letters) - numbers.keys())
        rows = list(map(int, pieces[3::5]))
        tag = b"<" + self.prefix + b"f"
        declared = self.data.count(tag + b">") + len(_tag(tag, rb"(?: |/>)").findall(self.data))
        if declared != len(rows):
            raise WorkbookError(
                f"has {declared - len(rows):,} formula cells xl-funnel cannot read (no r= "
                "reference, or unexpected content in the cell): open and save the workbook in "
                "Excel first"
            )
        self._columns = list(map(numbers.__getitem__, letters))
        # The pieces become the rewrite's: each formula cell's start tag without its t= (the
        # rewrite writes the new one), its <f> element one place earlier, and the places of
        # the new start-tag end and value empty till then (the references need no memory).
        pieces[1::5] = [h if b"t=" not in h else _TYPE_ATTR.sub(b"", h) for h in pieces[1::5]]
        pieces[3::5] = pieces[4::5]
        pieces[2::5] = pieces[4::5] = [b""] * len(rows)
        self._rows = rows

    @property
    def rows(self) -> list[int]:
        """Row of every formula cell (1-based), in file order."""
        if self._rows is None:
            self.finish()
        return self._rows

    @property
    def columns(self) -> list[int]:
        """Column of every formula cell (1-based), in the order of :attr:`rows`."""
        if self._rows is None:
            self.finish()
        return self._columns

    @property
    def formula_count(self) -> int:
        """How many formula cells the scan found."""
        return len(self._pieces) // 5

    @property
    def formula_shapes(self) -> tuple[bytes, ...]:
        """The part's distinct ``<f>`` elements with their digits folded (:data:`FOLD_DIGITS`),
        in file order: what the searches for formulas worth rewriting run over. A
        10,000-channel plan's 1.8 million Tracking formulas fold to 139 shapes."""
        if self._shapes is None:
            folded = map(bytes.translate, self._elements(), repeat(FOLD_DIGITS))
            self._shapes = tuple(dict.fromkeys(folded))
        return self._shapes

    def _elements(self) -> list[bytes]:
        """The ``<f>`` elements, in file order (:meth:`finish` moves them one place)."""
        return self._pieces[3::5] if self._rows is not None else self._pieces[4::5]

    def formulas_shaped(self, shapes: set[bytes]) -> list[int]:
        """Where the ``<f>`` elements whose folded shape is one of ``shapes`` start in the
        part, in file order."""
        elements = self._elements()
        folded = map(bytes.translate, elements, repeat(FOLD_DIGITS))
        starts, position, data = [], 0, self.data
        for element in compress(elements, map(shapes.__contains__, folded)):
            # Elements are found in file order: an equal one before is another cell's, and
            # is among the chosen too (same text, same shape).
            position = data.find(element, position)
            starts.append(position)
            position += len(element)
        return starts

    def _column(self, letters: bytes) -> int:
        number = self._column_numbers.get(letters)
        if number is None:
            number = self._column_numbers[letters] = column_number(letters)
        return number

    def _scan(self) -> list[FormulaCell]:
        """Every formula cell with where it sits: for the slower paths only."""
        return [
            FormulaCell(
                int(match[3]),
                self._column(match[2]),
                _array_range(match[4]),
                match.start(),
                match.end(),
                _TYPE_ATTR.sub(b"", match[1]),
                match[4],
            )
            for match in self._formula_cell.finditer(self.data)
        ]

    def array_members(self) -> list[tuple[int, int]]:
        """Cells of multi-cell array formulas other than their anchors (top-left cells)."""
        members = []
        for cell in self.arrays:
            top, left, bottom, right = cell.array_range
            members.extend(
                (row, col)
                for row in range(top, bottom + 1)
                for col in range(left, right + 1)
                if (row, col) != (cell.row, cell.col)
            )
        return members

    def _cell(self, attrs: bytes, inner: bytes, value: Any) -> bytes:
        """A value cell (inside an array formula's range) from its attributes."""
        return self._render(b"<" + self.prefix + b"c" + _TYPE_ATTR.sub(b"", attrs), inner, value)

    def _render(self, head: bytes, inner: bytes, value: Any) -> bytes:
        kind, text = encode_value(value)
        p = self.prefix
        out = [head]
        if kind:
            out += [b' t="', kind, b'"']
        out += [b">", inner]
        if text is not None:
            out += [b"<", p, b"v>", text, b"</", p, b"v>"]
        out += [b"</", p, b"c>"]
        return b"".join(out)

    def calling(self, names_in: Any) -> set[tuple[int, int]]:
        """The formula cells whose formula ``names_in`` (formula element → names it calls)
        finds a call in, with the followers of such shared formulas."""
        cells, shared = set(), set()
        scanned = self._scan()
        for cell in scanned:
            found = _F_TEXT_OF.search(cell.formula)
            if found and names_in(found[1]):
                cells.add((cell.row, cell.col))
                si = _SHARED_INDEX.search(cell.formula)
                if si and b"shared" in cell.formula:
                    shared.add(si[1])
        for cell in scanned if shared else ():
            si = _SHARED_INDEX.search(cell.formula)
            if si and si[1] in shared and b"shared" in cell.formula:
                cells.add((cell.row, cell.col))
        return cells

    def _render_value(self, head: bytes, value: Any) -> bytes:
        """A formula cell turned into a plain value: text as an inline string, as a typed
        value is stored."""
        kind, text = encode_value(value)
        p = self.prefix
        if kind == b"str":
            return b"".join(
                [
                    head,
                    b' t="inlineStr"><',
                    p,
                    b"is><",
                    p,
                    b't xml:space="preserve">',
                    text,
                    b"</",
                    p,
                    b"t></",
                    p,
                    b"is></",
                    p,
                    b"c>",
                ]
            )
        out = [head]
        if kind:
            out += [b' t="', kind, b'"']
        if text is None:
            return b"".join([*out, b"/>"])
        return b"".join([*out, b"><", p, b"v>", text, b"</", p, b"v></", p, b"c>"])

    def rewrite(
        self,
        values: Sequence[Any],
        members: Mapping[tuple[int, int], Any] | None = None,
        frozen: set[tuple[int, int]] | None = None,
    ) -> bytes:
        """The part with the cached value of every formula cell set from ``values`` (one per
        cell, in the order of :attr:`rows` and :attr:`columns`) and array members from
        ``members``; the formula cells in ``frozen`` become plain values (``--freeze``)."""
        return b"".join(self.rewritten(values, members, frozen))

    def rewritten(
        self,
        values: Sequence[Any],
        members: Mapping[tuple[int, int], Any] | None = None,
        frozen: set[tuple[int, int]] | None = None,
    ) -> Iterator[bytes]:
        """:meth:`rewrite`'s part in consecutive pieces, each made when it is asked for (a
        writer compresses one while the next is made)."""
        if members or frozen:
            frozen = frozen or set()
            edits = [
                (
                    cell.start,
                    cell.end,
                    self._render_value(cell.head, value)
                    if (cell.row, cell.col) in frozen
                    else self._render(cell.head, cell.formula, value),
                )
                for cell, value in zip(self._scan(), values, strict=True)
            ]
            edits.extend(self._member_edits(members or {}))
            # An insertion before a cell sorts ahead of an edit of that cell: (start, end).
            edits.sort(key=lambda edit: edit[:2])
            yield self._apply(edits)
            return
        # The common case: the pieces the scan cut, rejoined with each cell's new start-tag end
        # (its t=) and value in place of the old ones.
        p = self.prefix
        open_v, close_c = b"<" + p + b"v>", b"</" + p + b"c>"
        close_v = b"</" + p + b"v>" + close_c

        def encode(value: Any) -> tuple[bytes, bytes]:
            kind, text = encode_value(value)
            return _TAG_END[kind], close_c if text is None else open_v + text + close_v

        # Cells share many values (a rate, "n/a", ""), and turning a float into its shortest
        # text is the costly step, so each distinct number or text is encoded once. Only
        # these two types are memoised: True == 1.0 would share 1.0's entry.
        if set(map(type, values)) <= {float, str}:
            # Only numbers and text (a computed plan): each distinct value encoded once, then
            # every cell's pieces looked up in C. The first of equal values (0.0 and -0.0)
            # gives the text, as in the loop below.
            ending, tail = {}, {}
            for value in dict.fromkeys(values):
                ending[value], tail[value] = encode(value)
            ends = list(map(ending.__getitem__, values))
            tails = list(map(tail.__getitem__, values))
            yield from self._joined(ends, tails)
            return
        memo: dict[float | str, tuple[bytes, bytes]] = {}
        remembered = memo.get
        ends: list[bytes] = []
        tails: list[bytes] = []
        for value in values:
            kind = type(value)
            if kind is float or kind is str:
                pair = remembered(value)
                if pair is None:
                    pair = memo[value] = encode(value)
            else:
                pair = encode(value)
            ends.append(pair[0])
            tails.append(pair[1])
        yield from self._joined(ends, tails)

    def _joined(self, ends: list[bytes], tails: list[bytes]) -> Iterator[bytes]:
        """The part rejoined from the scan's pieces with each formula cell's start-tag end
        ``ends`` and the rest of the cell after its ``<f>`` element ``tails``, in pieces."""
        self.finish()
        out = self._pieces  # laid out by finish(): only the new pieces go in
        out[2::5] = ends
        out[4::5] = tails
        # Joined in slices: bytes.join holds an 80-byte buffer record per piece while it runs,
        # which for a whole large sheet at once would be the peak memory of the recalculation.
        step = 40_000
        for i in range(0, len(out), step):
            yield b"".join(out[i : i + step])

    def without_values(self, cells: list[tuple[int, int]]) -> bytes:
        """The part with the cached values of ``cells`` removed (their styles kept).

        Used on the engine's copy: the cells inside an array formula belong to the array, and
        the engine would take values left in them for constants blocking it.
        """
        return self._apply(self._member_edits(dict.fromkeys(cells), insert=False))

    def _apply(self, edits: list[tuple[int, int, bytes]]) -> bytes:
        out, position = [], 0
        for start, end, replacement in edits:
            out += [self.data[position:start], replacement]
            position = end
        out.append(self.data[position:])
        return b"".join(out)

    def _member_edits(
        self, members: Mapping[tuple[int, int], Any], insert: bool = True
    ) -> list[tuple[int, int, bytes]]:
        """Edits that set the value cells inside array-formula ranges, adding the rows and
        cells the part lacks unless ``insert`` is false."""
        p = self.prefix
        open_tag = re.search(rb"<" + re.escape(p) + rb"sheetData\b[^>]*>", self.data)
        close = self.data.find(b"</" + p + b"sheetData>")
        if open_tag is None or close < 0:
            return []
        by_row: dict[int, dict[int, Any]] = {}
        for (row, col), value in members.items():
            by_row.setdefault(row, {})[col] = value
        edits: list[tuple[int, int, bytes]] = []
        for match in self._row_pattern.finditer(self.data, open_tag.end(), close):
            row_match = _REF_ROW.search(_attrs(match))
            row = int(row_match[1]) if row_match else 0
            for missing_row in sorted(r for r in by_row if r < row and insert):
                edits.append((match.start(), match.start(), self._new_row(missing_row, by_row)))
            if row in by_row:
                wanted = by_row.pop(row)
                edits.extend(self._row_edits(match, row, wanted, insert))
        for missing_row in sorted(by_row) if insert else ():
            edits.append((close, close, self._new_row(missing_row, by_row)))
        return edits

    def _new_row(self, row: int, by_row: dict[int, dict[int, Any]]) -> bytes:
        cells = by_row.pop(row)
        body = b"".join(
            self._cell(f' r="{column_letters(col)}{row}"'.encode(), b"", cells[col])
            for col in sorted(cells)
        )
        return (
            b"<" + self.prefix + f'row r="{row}">'.encode() + body + b"</" + self.prefix + b"row>"
        )

    def _row_edits(
        self,
        match: re.Match[bytes],
        row: int,
        wanted: dict[int, Any],
        insert: bool,
    ) -> list[tuple[int, int, bytes]]:
        p = self.prefix
        edits = []
        if match["body"] is None:  # <row …/>: reopen it with the member cells inside
            if not insert:
                return []
            cells = b"".join(
                self._cell(f' r="{column_letters(col)}{row}"'.encode(), b"", wanted[col])
                for col in sorted(wanted)
            )
            attrs = _attrs(match).rstrip(b"/").rstrip()
            text = b"<" + p + b"row" + attrs + b">" + cells + b"</" + p + b"row>"
            return [(match.start(), match.end(), text)]
        body_start = match.start("body")
        pending = sorted(wanted)
        for cell in self._cell_pattern.finditer(self.data, body_start, match.end("body")):
            ref = _REF.search(_attrs(cell))
            col = column_number(ref[1]) if ref else 0
            while pending and pending[0] < col:
                new = pending.pop(0)
                ref = f' r="{column_letters(new)}{row}"'.encode()
                if insert:
                    edits.append((cell.start(), cell.start(), self._cell(ref, b"", wanted[new])))
            if pending and pending[0] == col:
                pending.pop(0)
                body = cell["body"] or b""
                if b"<" + p + b"f" not in body:  # never a formula cell
                    attrs = _attrs(cell).rstrip(b"/")
                    edits.append((cell.start(), cell.end(), self._cell(attrs, b"", wanted[col])))
                elif not insert and _EMPTY_FORMULA.fullmatch(body):
                    # Excel writes <f ca="1"/> in the other cells of a volatile array formula;
                    # the engine would take it for a formula of its own, blocking the array.
                    attrs = _attrs(cell).rstrip(b"/")
                    edits.append((cell.start(), cell.end(), self._cell(attrs, b"", None)))
        end = match.end("body")
        for new in pending if insert else ():
            ref = f' r="{column_letters(new)}{row}"'.encode()
            edits.append((end, end, self._cell(ref, b"", wanted[new])))
        return edits

    def with_constants(self, cells: Mapping[tuple[int, int], Any]) -> bytes:
        """The part with ``cells`` (row, column → value) typed in as constants, their styles
        kept and the rows and cells the part lacks added; every other byte unchanged. Formula
        cells are left alone: callers refuse them first (``xl-funnel actuals``)."""
        return self._apply(self._member_edits(cells))
