"""The engine's copy of a workbook's parts: formulas rewritten (:mod:`~xl_funnel.recalc.
engine_forms`) only where a cheap search finds something to rewrite, and plain formulas that
call xl-funnel functions kept to one value.

The user's file and the written output never see these changes.

>>> needs_rewrite(b"<f>SUM(B2:B6)*C1</f>"), needs_rewrite(b"<f>SUM(A:A)</f>")
(False, True)
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from functools import cache, partial
from itertools import accumulate
from typing import TYPE_CHECKING, NamedTuple

from xl_funnel.recalc.a1 import a1, area, column_number, parse_a1
from xl_funnel.recalc.lazy_pattern import LazyPattern
from xl_funnel.recalc.parameter_kinds import SCALAR_PARAMETERS, first_scalar_functions
from xl_funnel.recalc.part_xml import escaped, unescaped
from xl_funnel.recalc.sheet_xml import FOLD_DIGITS

if TYPE_CHECKING:  # the rewriting itself is imported only when a part needs it
    from xl_funnel.recalc.reference_forms import BookForms

__all__ = [
    "CLIPPED",
    "FormulaEdit",
    "name_trigger",
    "named_sizes",
    "names_need_rewrite",
    "needs_rewrite",
    "range_names",
    "rewrite_hits",
    "rewrite_names",
    "rewrite_sheet",
    "shapes_hit",
    "single_valued",
]

# A formula worth tokenizing holds a "[" (tables), a colon in a sheet name (3-D), a whole
# column or row, a range before any parenthesis or followed by an operator (implicit
# intersection), a range followed by a space and a reference (intersection), a parenthesis
# holding references and commas right after "," or "(" (a union), a range ending past row
# 999,999 or in the last columns (a sheet-sized range), or, in an array formula,
# ROW( or COLUMN(. Excel writes references in capitals. Each pattern starts with one specific
# character and has bounded repetitions: separate searches of this kind run at memory speed
# (an 11 MB sheet: ~35 ms in all on a quiet machine), where one alternation of them takes
# three times as long. A false hit only costs tokenizing.
# After a colon: a whole column or row, or a range ending past row 999,999 or in the last
# columns (rewriting clips these to the used range).
_CLIPPED_AFTER_COLON = (
    rb"\$?[A-Z]{1,3}(?![\w(!$])|\$?[0-9]{1,7}(?![\w.:\"'])"
    rb"|\$?[A-Z]{1,3}\$?1[0-9]{6}(?![0-9])|\$?XF[A-D]\$?[0-9]"
)
_COLON = LazyPattern(
    rb":(?:[\w.]{1,31}!|[^'!<>]{0,31}'!|\$?[A-Z]{1,3}\$?[0-9]{1,7}(?: +[$A-Z']|[-+*/^&=%]|&[lg]t;)|"
    + _CLIPPED_AFTER_COLON
    + rb")"
)
#: A range rewriting clips (a whole column or row, or a sheet-sized range).
CLIPPED = LazyPattern(rb":(?:" + _CLIPPED_AFTER_COLON + rb")")


# A call whose first argument is a bare range (``ABS(A1:A5``, ``VLOOKUP(A:A``): found from
# its "(" (a literal first character searches fast), then the name before it is looked up
# among the functions taking one value there.
_RANGE_FIRST = LazyPattern(rb"\((?=\$?[A-Z]{1,3}(?:\$?[0-9]{1,7})?:)")
_CALLED = LazyPattern(rb"(?<![\w.])([A-Z][A-Z0-9.]{0,15})$")
_SCALAR_FIRST_LIMIT = 1_000_000  # bytes


def _scalar_first(data: bytes, size: int | None = None, folded: bool = False) -> Iterator[int]:
    """Where ``data`` passes a bare range to a function taking one value first. Only for
    parts of hand-sized sheets (``size`` bytes), where such formulas are typed. ``folded``:
    ``data`` has its digits folded (:data:`~xl_funnel.recalc.sheet_xml.FOLD_DIGITS`), and so
    are the names looked up (``LOG10`` is ``LOG11`` there)."""
    if (len(data) if size is None else size) >= _SCALAR_FIRST_LIMIT:
        return
    names = _first_scalar_names(folded)
    for match in _RANGE_FIRST.finditer(data):
        start = match.start()
        called = _CALLED.search(data, max(0, start - 17), start)
        if called is not None and called[1] in names:
            yield start


@cache
def _first_scalar_names(folded: bool = False) -> frozenset[bytes]:
    names = (name.encode() for name in first_scalar_functions())
    return frozenset(name.translate(FOLD_DIGITS) if folded else name for name in names)


@cache
def _scalar_parameters(folded: bool) -> dict[str, frozenset[int]]:
    if not folded:
        return SCALAR_PARAMETERS
    folded_names: dict[str, set[int]] = {}
    for name, places in SCALAR_PARAMETERS.items():
        folded_names.setdefault(name.translate(_FOLD_TEXT), set()).update(places)
    return {name: frozenset(places) for name, places in folded_names.items()}


_FOLD_TEXT = str.maketrans("0123456789", "1111111111")


# A range right after a comma (``ROUND(x,B1:B5)``, ``COUNTIF(A:A,A1:A5)``), optionally on
# another sheet. Plans hold few (SUMIF's sum range): each is looked at, up to a cap. Commas
# are common, so the search is run on parts of hand-sized sheets only (16 MB of XML: 0.05 s;
# the 188 MB Tracking sheet of a 10,000-channel plan would take 0.8 s).
_RANGE_LATER = LazyPattern(
    rb",(?=(?:'(?:[^'<]|'')+'!|[\w.]{1,31}!)?(?:\$?[A-Z]{1,3}(?:\$?[0-9]{1,7})?|\$?[0-9]{1,7}):)"
)
_SCALAR_LATER_LIMIT = 16_000_000  # bytes
_CALL_NAME = LazyPattern(rb"(?<![\w.])(?:_xlfn\.)?([A-Z][A-Z0-9.]{0,15})$")
_LATER_CANDIDATES = 200_000  # past this, found only when something else needs rewriting


def _scalar_later(data: bytes, size: int | None = None, folded: bool = False) -> Iterator[int]:
    """Where ``data`` passes a bare range as a later argument of a function taking one value
    there (``=ROUND(x,B1:B5)``, a criterion of COUNTIF): the call and the argument's place are
    read backwards from the comma, skipping strings, array constants and nested calls. Only
    for parts under a size (``size`` bytes); ``folded`` as for :func:`_scalar_first`."""
    if (len(data) if size is None else size) >= _SCALAR_LATER_LIMIT:
        return
    parameters = _scalar_parameters(folded)
    for count, match in enumerate(_RANGE_LATER.finditer(data)):
        if count == _LATER_CANDIDATES:
            return
        call = _enclosing_call(data, match.start())
        if call is not None and call[1] in parameters.get(call[0], ()):
            yield match.start()


def _enclosing_call(data: bytes, comma: int) -> tuple[str, int] | None:
    """The function whose argument list holds the comma at ``comma`` and the place (0-based)
    of the argument after it; ``None`` outside a call (a union ``(A1,B1)``, an array
    constant) or when the formula's text is not plain. Scans back at most to the element's
    start (a ``<``: never raw in XML text)."""
    start = data.rfind(b"<", max(0, comma - 8192), comma)
    if start < 0:
        return None
    depth, commas, i = 0, 1, comma - 1
    while i > start:
        char = data[i]
        if char == 0x22:  # '"': jump over the string ("" inside it included)
            i = data.rfind(b'"', start, i) - 1
            if i < start:
                return None
            continue
        if char in (0x29, 0x7D):  # ')' '}'
            depth += 1
        elif char in (0x28, 0x7B):  # '(' '{'
            if depth == 0:
                if char == 0x7B:
                    return None
                name = _CALL_NAME.search(data, max(start, i - 24), i)
                if name is None:
                    return None
                return name[1].decode(), commas
            depth -= 1
        elif char == 0x2C and depth == 0:  # ','
            commas += 1
        i -= 1
    return None


_UNION = LazyPattern(rb"\((?<=[,(]\()\$?[A-Z]{1,3}\$?[0-9]{1,7}(?::\$?[A-Z]{1,3}\$?[0-9]{1,7})?,")
_ARRAY_ROWS = LazyPattern(rb"<(?:\w+:)?f\b[^>]*?\st=[\"']array[^>]*+>[^<]*?(?i:\b(?:ROW|COLUMN)\()")


@cache
def _leading_range(prefix: bytes) -> re.Pattern[bytes]:
    """A formula whose first colon comes before any parenthesis (``=P2:P16*2``)."""
    return re.compile(rb"<" + re.escape(prefix) + rb"f(?:>| [^>]*+(?<!/)>)[^<(:]*+:")


#: A search for formulas worth rewriting: the positions it finds in ``data``, a part of
#: ``size`` bytes or that part's folded formula shapes (size gates go by the part's size).
Search = Callable[[bytes, int], Iterator[int]]


def _found(needle: bytes) -> Search:
    def search(data: bytes, size: int) -> Iterator[int]:
        position = data.find(needle)
        while position >= 0:
            yield position
            position = data.find(needle, position + len(needle))

    return search


def _matched(pattern: re.Pattern[bytes] | None) -> Search:
    def search(data: bytes, size: int) -> Iterator[int]:
        return (match.start() for match in pattern.finditer(data)) if pattern else iter(())

    return search


_AMPERSANDS = _found(b"&amp;")


def _joins(data: bytes, size: int) -> Iterator[int]:
    """A number joined to text (:mod:`~xl_funnel.recalc.joined_text`), in hand-sized parts."""
    return _AMPERSANDS(data, size) if size < _SCALAR_LATER_LIMIT else iter(())


def _array_rows(data: bytes, size: int) -> Iterator[int]:
    if b"array" not in data:
        return iter(())
    return (match.start() for match in _ARRAY_ROWS.finditer(data))


def _searches(prefix: bytes, names: frozenset[str], folded: bool = False) -> tuple[Search, ...]:
    """The searches for formulas worth rewriting, in one order whether ``folded`` or not;
    ``folded``: for formula shapes, the prefix and names folded as their digits are."""
    if folded:
        prefix = prefix.translate(FOLD_DIGITS)
        names = frozenset(name.translate(_FOLD_TEXT) for name in names)
    patterns = (_COLON, _UNION, _leading_range(prefix), name_trigger(names, prefix))
    return (
        _found(b"["),
        *map(_matched, patterns),
        partial(_scalar_first, folded=folded),
        partial(_scalar_later, folded=folded),
        _joins,
        _array_rows,
    )


def needs_rewrite(data: bytes, prefix: bytes = b"", names: frozenset[str] = frozenset()) -> bool:
    """Whether a worksheet part (its elements written with namespace ``prefix``, as ``x:``)
    may hold a formula :func:`rewrite` changes; ``names`` are the defined names standing for
    a range (:func:`range_names`): a formula starting with one is rewritten."""
    size = len(data)
    return any(next(search(data, size), None) is not None for search in _searches(prefix, names))


def rewrite_hits(
    data: bytes,
    prefix: bytes = b"",
    names: frozenset[str] = frozenset(),
    shapes: Sequence[bytes] | None = None,
    locate: Callable[[set[bytes]], list[int]] | None = None,
) -> list[int]:
    """Where the formulas worth rewriting are (sorted positions in ``data``; empty when there
    are none): only the formulas holding one are tokenized.

    ``shapes``, the part's distinct formula elements with their digits folded
    (:attr:`~xl_funnel.recalc.sheet_xml.SheetXml.formula_shapes`), are searched instead of
    the part: a search finds a formula's shape whenever it finds the formula (each search
    takes digits as a class; folding may make it find a few more, which only costs
    tokenizing). ``locate`` gives where the formulas of the shapes found sit in ``data``;
    without it, the searches that found a shape are run over the part (a 188 MB Tracking
    sheet takes 0.1 to 1 s a search; its 139 shapes, nothing).
    """
    size, searches = len(data), _searches(prefix, names)
    if shapes is None:
        return sorted({hit for search in searches for hit in search(data, size)})
    by_search = _shapes_by_search(shapes, size, prefix, names)
    found = set().union(*(hit for _, hit in by_search))
    if not found:
        return []
    if locate is not None:
        return locate(found)
    return sorted({hit for search, _ in by_search for hit in search(data, size)})


def shapes_hit(
    shapes: Sequence[bytes], size: int, prefix: bytes = b"", names: frozenset[str] = frozenset()
) -> tuple[set[bytes], set[bytes]]:
    """The formula shapes (:attr:`~xl_funnel.recalc.sheet_xml.SheetXml.formula_shapes`) of a
    part of ``size`` bytes worth rewriting: those a search other than the joins' finds, and
    those the joins' search finds (a number joined to text)."""
    structural: set[bytes] = set()
    joins: set[bytes] = set()
    for search, hit in _shapes_by_search(shapes, size, prefix, names):
        (joins if search is _joins else structural).update(hit)
    return structural, joins


def _shapes_by_search(
    shapes: Sequence[bytes], size: int, prefix: bytes, names: frozenset[str]
) -> list[tuple[Search, set[bytes]]]:
    """Each search (for the part itself) that finds a shape, with the shapes it finds: a
    search finds a formula's shape whenever it finds the formula (each takes digits as a
    class; folding may make it find a few more, which only costs tokenizing)."""
    joined, ends = b"".join(shapes), list(accumulate(map(len, shapes)))
    found = []
    for search, on_shapes in zip(
        _searches(prefix, names), _searches(prefix, names, folded=True), strict=True
    ):
        hit = {shapes[bisect_right(ends, at)] for at in on_shapes(joined, size)}
        if hit:
            found.append((search, hit))
    return found


_NAME_ATTR = LazyPattern(rb"""\sname=["']([^"']+)["']""")
_MULTI_CELL = LazyPattern(
    rb"^(?:'(?:[^']|'')+'|[^'!]+)!\$?[A-Z]{1,3}\$?[0-9]{1,7}:\$?[A-Z]{1,3}\$?[0-9]{1,7}$"
)


def named_sizes(workbook_xml: bytes) -> dict[str, int]:
    """Each defined name standing for a range of several cells (:func:`range_names`), with
    how many cells it holds.

    >>> named_sizes(b'<definedName name="Price">S!$A$1:$A$5</definedName>'
    ...             b'<definedName name="Rate">S!$B$1</definedName>')
    {'Price': 5}
    """
    sizes = {}
    for match in _NAME.finditer(workbook_xml):
        name = _NAME_ATTR.search(match[1])
        text = match[2].strip()
        if name and not name[1].startswith(b"_xlnm.") and _MULTI_CELL.match(text):
            first, last = text.rpartition(b"!")[2].split(b":")
            sizes[name[1].decode("utf-8", "replace")] = area(first, last)
    return sizes


def range_names(workbook_xml: bytes) -> frozenset[str]:
    """Defined names that stand for a range of several cells (as defined): where a plain
    formula expects one value, Excel intersects them with the formula's row, as it does a
    range (``=Price*Qty`` in row 3 multiplies the third price and quantity)."""
    return frozenset(named_sizes(workbook_xml))


@cache
def name_trigger(names: frozenset[str], prefix: bytes = b"") -> re.Pattern[bytes] | None:
    """A search for formulas that start with one of ``names`` followed by an operator or
    nothing (``=Price*Qty``, ``=Price``); ``None`` without names."""
    if not names:
        return None
    spelled = b"|".join(re.escape(name.encode()) for name in sorted(names, key=len, reverse=True))
    # Excel writes a name in formulas as it was defined; case-insensitive matching would
    # triple the cost of the search on a large sheet.
    return re.compile(
        rb"<" + re.escape(prefix) + rb"f(?:>| [^>]*+(?<!/)>)(?:" + spelled + rb")"
        rb"(?:[-+*/^&=%]|&[lg]t;|</)"
    )


# A defined name standing for one rectangle of a sheet (``'Funnel'!$C$27:$C$31``), as most
# names are: rewriting leaves it as it is (a name has no row to intersect with, and the area is
# neither a whole column or row nor sheet-sized), so it is not tokenized.
_ONE_AREA = LazyPattern(
    rb"(?:'(?:[^'\[\]]|'')+'|[A-Za-z_][\w.]*)!(\$?[A-Z]{1,3}\$?[0-9]{1,7}):(\$?[A-Z]{1,3}\$?[0-9]{1,7})"
)
_AREA_CELLS = 1_000_000  # reference_forms clips areas past this


def _one_area(text: bytes) -> bool:
    match = _ONE_AREA.fullmatch(text)
    if match is None:
        return False
    (top, left), (bottom, right) = (parse_a1(ref.decode()) for ref in match.groups())
    return bottom >= top and right >= left and area(*match.groups()) <= _AREA_CELLS


def _name_needs_rewrite(start_tag: bytes, text: bytes) -> bool:
    if b'"_xlnm.' in start_tag:
        return False  # print titles and areas: no formula reads them
    if _one_area(text):  # the cheaper test first
        return False
    # A defined name's joins are not rewritten (rewrite_names applies no wrap_joins): the
    # joins' search would only tokenize "FY"&… names for nothing.
    data = b"<f>" + text
    return any(
        next(search(data, len(data)), None) is not None
        for search in _searches(b"", frozenset())
        if search is not _joins
    )


def names_need_rewrite(data: bytes) -> bool:
    """Whether ``workbook.xml`` may hold a defined name :func:`rewrite` changes."""
    return any(_name_needs_rewrite(match[1], match[2]) for match in _NAME.finditer(data))


_F_TEXT = LazyPattern(rb"(<(?:[\w.-]+:)?f\b[^>]*+(?<!/)>)([^<]++)(</(?:[\w.-]+:)?f>)")
_F_ARRAY = LazyPattern(rb"""\st=["']array["']""")
_F_REF = LazyPattern(rb"""\sref=["']([^"']+)["']""")
_NAME = LazyPattern(
    rb"(<(?:[\w.-]+:)?definedName\b[^>]*+(?<!/)>)([^<]++)(</(?:[\w.-]+:)?definedName>)"
)
_LOCAL_SHEET = LazyPattern(rb"""\slocalSheetId=["']([0-9]+)["']""")


class FormulaEdit(NamedTuple):
    """A formula :func:`rewrite_sheet` changed: the cell (1-based), the new formula's text
    (without ``=``), and whether it is an array or shared formula (other cells follow it)."""

    row: int
    col: int
    formula: str
    spans: bool


def rewrite_sheet(
    data: bytes,
    sheet: str,
    book: BookForms,
    cell_pattern: re.Pattern,
    hits: list[int],
    prefix: bytes = b"",
    edits: list[FormulaEdit] | None = None,
) -> bytes:
    """A worksheet part with :func:`rewrite` applied to every formula holding one of ``hits``
    (:func:`rewrite_hits`).

    ``cell_pattern`` finds the formula cells (:mod:`~xl_funnel.recalc.sheet_xml`'s pattern:
    groups start tag, column letters, row digits, ``<f>`` element) of a part whose elements
    carry the namespace ``prefix``. Each formula changed is added to ``edits``, if given.
    """
    from xl_funnel.recalc.engine_forms import rewrite
    from xl_funnel.recalc.joined_text import wrap_joins
    from xl_funnel.recalc.reference_forms import Position

    def one(match: re.Match[bytes]) -> bytes:
        element = match[4]
        found = _F_TEXT.search(element)
        if found is None:
            return match[0]
        row, col = int(match[3]), column_number(match[2])
        array = None
        if _F_ARRAY.search(found[1]):
            ref = _F_REF.search(found[1])
            first, _, last = (ref[1].decode() if ref else a1(row, col)).partition(":")
            (top, left), (bottom, right) = parse_a1(first), parse_a1(last or first)
            array = (top, left, bottom, right)
        formula = unescaped(found[2])
        new = wrap_joins(rewrite(formula, Position(sheet, row, col, array), book))
        if new == formula:
            return match[0]
        if edits is not None:
            edits.append(FormulaEdit(row, col, new, array is not None or b"shared" in found[1]))
        start, end = match.start(4) - match.start(), match.end(4) - match.start()
        cell = match[0]
        element = element[: found.start(2)] + escaped(new) + element[found.end(2) :]
        return cell[:start] + element + cell[end:]

    out, position = [], 0
    for match in _cells_hit(data, cell_pattern, hits, b"<" + prefix + b"c"):
        out += [data[position : match.start()], one(match)]
        position = match.end()
    out.append(data[position:])
    return b"".join(out)


def _cells_hit(
    data: bytes, cell_pattern: re.Pattern, hits: list[int], tag: bytes
) -> Iterator[re.Match[bytes]]:
    """The formula cells (in order, each once) whose ``<f>`` element holds one of ``hits``.

    Each hit is traced back to the nearest cell start tag before it, instead of matching every
    formula cell of the part (half a million on a 10,000-channel plan): a cell holds no other
    ``<c>``, and a formula cell match never reaches past its own ``</c>``, so the cell a hit
    sits in is the one starting there, as a scan from the start would find it.
    """
    last_end = -1
    for hit in hits:
        if hit < last_end:
            continue  # in the cell already given
        start = data.rfind(tag, 0, hit)
        while start >= 0 and _WORD_BYTE.match(data, start + len(tag)):
            start = data.rfind(tag, 0, start)  # <col …>, <cfRule …>: not a cell
        if start < 0:
            continue
        match = cell_pattern.match(data, start)
        if match is None or match.end() <= hit:
            continue
        last_end = match.end()
        if match.start(4) <= hit < match.end(4):
            yield match
        else:  # in the start tag: a later hit may still be in the formula
            for later in hits[bisect_left(hits, hit) :]:
                if later >= last_end:
                    break
                if match.start(4) <= later < match.end(4):
                    yield match
                    break


_WORD_BYTE = LazyPattern(rb"\w")


def rewrite_names(data: bytes, book: BookForms) -> bytes:
    """``workbook.xml`` with whole columns, rows and sheets in defined names clipped (and their
    other references rewritten as in cells)."""
    from xl_funnel.recalc.engine_forms import rewrite
    from xl_funnel.recalc.reference_forms import Position

    def one(match: re.Match[bytes]) -> bytes:
        if not _name_needs_rewrite(match[1], match[2]):
            return match[0]
        local = _LOCAL_SHEET.search(match[1])
        index = int(local[1]) if local else 0
        sheet = book.sheets[index] if index < len(book.sheets) else ""
        formula = unescaped(match[2])
        new = rewrite(formula, Position(sheet, 0, 0), book)
        return match[0] if new == formula else match[1] + escaped(new) + match[3]

    return _NAME.sub(one, data)


def single_valued(data: bytes, calls: Sequence[bytes]) -> bytes:
    """A worksheet part with each plain (non-array) formula that may call one of ``calls``
    (lower-case ``name(``) wrapped in ``@( … )``.

    In a plain formula Excel keeps one value: an xl-funnel function returning a list shows
    its first item, and the cells below stay empty. formualizer would spill the list into
    them, and formulas reading those cells (``SUM(B1:B3)``) would count values Excel never
    put there; its ``@`` takes the top-left value, as Excel does.
    """

    def one(match: re.Match[bytes]) -> bytes:
        if b"array" in match[1]:
            return match[0]
        lowered = match[2].lower()
        if not any(call in lowered for call in calls):
            return match[0]
        return match[1] + b"@(" + match[2] + b")" + match[3]

    return _F_TEXT.sub(one, data)
