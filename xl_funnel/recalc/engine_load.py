"""A workbook loaded into the engine and computed: :func:`evaluated`.

The engine computes a copy of the workbook made for it (:mod:`~xl_funnel.recalc.engine_copy`):
cells inside array formulas lose their cached values, omitted arguments of xl-funnel calls are
marked, and formulas the engine would compute wrongly are rewritten.

**Rewriting while the engine computes.** Most rewritten formulas of a plan only join a
number to text (``"FY"&YEAR(…)``, titles and notes): each number is wrapped in
``_XLFUNNEL_JOIN`` so it reads as Excel writes it. That is Python work (about 10 ms for the
built-in plan's 52 formulas found, with the patterns and modules it needs), and the engine
holds no Python lock while it computes. So when the copy differs from the file only by
formula texts, the engine starts on the file as written; the formulas are rewritten meanwhile
on the other core, then handed to the engine, which computes again only what depends on them
(0.4 ms for the plan). Joining costs the engine the same either way. Other formulas to rewrite
(implicit intersection, 3-D and union references …) are left for later only when, computed as
written, they cannot cost much: no table or external reference, and at most 100,000 cells
referenced by all of them together, since a range in a plain formula spills whole as written
(8,000 rows of ``=$A$1:$A$8000*2`` take 8.8 s and 3.6 GB as written, 2.5 s and 54 MB
rewritten). Otherwise they are rewritten before the engine starts, and the joins alone are
left. Nothing is left for later where two computations could differ or one would be wasted: a
workbook calling xl-funnel functions (whose reasons for error values are collected as it
computes) or INDIRECT or OFFSET (whose references the engine resolves as it computes), an
array or shared formula among those rewritten, a range rewriting clips, more than 20,000
formulas to hand over, or a copy changed otherwise. If the file as written stops the engine,
or it refuses a rewritten formula after computing (one naming its own cell), the copy is
rewritten whole and computed again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from xl_funnel.recalc.a1 import area
from xl_funnel.recalc.corrected_names import CORRECTED_ARITY, JOIN
from xl_funnel.recalc.engine import Engine
from xl_funnel.recalc.engine_copy import (
    CLIPPED,
    FormulaEdit,
    named_sizes,
    names_need_rewrite,
    range_names,
    rewrite_hits,
    rewrite_names,
    rewrite_sheet,
    shapes_hit,
    single_valued,
)
from xl_funnel.recalc.errors import WorkbookError
from xl_funnel.recalc.lazy_pattern import LazyPattern
from xl_funnel.recalc.limits import Limits
from xl_funnel.recalc.omitted_args import (
    called_functions,
    called_in_lowered,
    calls_of,
    mark_omitted_in_sheet,
)
from xl_funnel.recalc.package import Package
from xl_funnel.recalc.sheet_xml import DATA_TABLE, FOLD_DIGITS, SheetXml, used_extent
from xl_funnel.recalc.writer import package_bytes

if TYPE_CHECKING:
    from xl_funnel.recalc.reference_forms import BookForms

__all__ = ["evaluated"]


def evaluated(
    package: Package, limits: Limits, repeated: bool = False
) -> tuple[Engine, dict[str, SheetXml]]:
    """``package`` loaded into the engine and computed, with the sheets' XML it was read from
    (``repeated``: for many evaluations, see :class:`~xl_funnel.recalc.engine.Engine`)."""
    sheets = {sheet.name: SheetXml(package.parts[sheet.part]) for sheet in package.sheets}
    later_allowed = _REWRITE_WHILE_COMPUTING and not repeated
    engine, later = _load(package, sheets, limits, repeated, rewrite_later=later_allowed)
    done = False

    def meanwhile() -> None:
        nonlocal done
        if later is not None:
            later.rewrite()
        # Each sheet's formula cells are placed while the engine computes (1 s at 10k channels).
        for xml in sheets.values():
            xml.finish()
        done = True

    try:
        engine.evaluate(during=meanwhile)
    except WorkbookError:
        if later is None or not done:
            raise  # the workbook's own fault (or ours), not the formulas as written
        # The formulas as written stopped the engine: the rewritten copy is computed instead.
        engine = later.reload()
        engine.evaluate()
        return engine, sheets
    if later is not None:
        engine = later.handed_to(engine)
    return engine, sheets


class _Part(NamedTuple):
    """A worksheet part of the engine's copy, before its formulas are rewritten."""

    sheet: str
    part: str
    data: bytes  # the part as the engine gets it so far
    xml: SheetXml
    shapes: Sequence[bytes]  # its formula shapes, as in ``data``
    structural: set[bytes]  # the shapes worth rewriting for more than joins (shapes_hit)
    joins: set[bytes]  # those worth rewriting for joins of numbers to text only
    called: set[str]  # the xl-funnel functions its formulas call

    def hits(self, named: frozenset[str]) -> list[int]:
        """Where its formulas worth rewriting are: located from the scan's pieces while the
        part is as scanned, else found by the searches over the part."""
        found = self.structural | self.joins
        if not found:
            return []
        if self.data is self.xml.data:
            return self.xml.formulas_shaped(found)
        return rewrite_hits(self.data, self.xml.prefix, named, self.shapes)


def _rewritten(
    part: _Part, forms: _LazyForms, edits: list[tuple[str, FormulaEdit]], hits: list[int]
) -> bytes:
    """``part``'s data with the formulas at ``hits`` rewritten where the engine would compute
    them wrongly; each formula changed is added to ``edits``."""
    if not hits:
        return part.data
    found: list[FormulaEdit] = []
    xml = part.xml
    data = rewrite_sheet(part.data, part.sheet, forms, xml.formula_pattern, hits, xml.prefix, found)
    edits.extend((part.sheet, edit) for edit in found)
    return data


def _joins_numbers(edits: list[tuple[str, FormulaEdit]]) -> bool:
    """Whether a rewritten formula joins a number to text (``_XLFUNNEL_JOIN``)."""
    return any(JOIN in edit.formula for _, edit in edits)


class _Later:
    """Formulas rewritten while the engine computes them as written (those rewritten first,
    if any, already handed to it), then handed to it (:func:`evaluated`)."""

    def __init__(
        self,
        parts: list[tuple[_Part, list[int]]],
        forms: _LazyForms,
        reload: Callable[[], Engine],
    ) -> None:
        self._parts, self._forms = parts, forms  # each part with where its formulas are
        #: The engine loaded with the whole copy rewritten first (the rare path: the
        #: rewriting is done again).
        self.reload = reload
        self.edits: list[tuple[str, FormulaEdit]] = []

    def rewrite(self) -> None:
        for part, hits in self._parts:
            _rewritten(part, self._forms, self.edits, hits)
        if _joins_numbers(self.edits):
            # Its modules are imported now, while the engine computes, not when it is
            # registered after (1 ms of the built-in plan).
            from xl_funnel.recalc.corrected import corrected_function

            corrected_function(JOIN)

    def handed_to(self, engine: Engine) -> Engine:
        """``engine``, which computed the formulas as written, given them rewritten and
        computed again (only what depends on them)."""
        edits = self.edits
        engine.unsupported = self._forms.found()
        if not edits:
            return engine
        if not {name for name, _ in edits} <= set(engine.sheet_names):
            engine = self.reload()  # a sheet the engine holds under another name
            engine.evaluate()
            return engine
        if _joins_numbers(edits):
            engine.use_corrected(JOIN)
        try:
            for name, edit in edits:
                engine.set_formula(name, edit.row, edit.col, "=" + edit.formula)
        except Exception:  # formualizer's own types: e.g. a formula naming its own cell,
            # which it takes before a computation and refuses after one
            engine = self.reload()
        engine.evaluate()
        return engine


def _load(
    package: Package,
    sheets: dict[str, SheetXml],
    limits: Limits,
    repeated: bool,
    rewrite_later: bool,
) -> tuple[Engine, _Later | None]:
    """The engine loaded with a copy of ``package`` made for it, not yet computed, and the
    formulas left to rewrite while it computes (``None`` when there are none, or unless
    ``rewrite_later`` and the copy allows it).

    In the copy, cells inside array formulas have no cached values (the engine would take them
    for constants), and each omitted argument of an xl-funnel call holds a marker the adapters
    read as "omitted" (:mod:`~xl_funnel.recalc.omitted_args`). Only the xl-funnel functions the
    formulas mention are registered: a workbook of Excel formulas alone never imports numpy.
    """
    changed = {}
    workbook_xml = package.parts[package.workbook]
    named = range_names(workbook_xml) if b"definedName" in workbook_xml else frozenset()
    forms = _LazyForms(package, named)
    if b"_xlfn.SINGLE(" in workbook_xml:
        workbook_xml = workbook_xml.replace(b"_xlfn.SINGLE(", b"@(")
        changed[package.workbook] = workbook_xml
    if names_need_rewrite(workbook_xml):
        workbook_xml = rewrite_names(workbook_xml, forms)
        if workbook_xml != package.parts[package.workbook]:
            changed[package.workbook] = workbook_xml
    first = package.sheets[0].name if package.sheets else ""
    if first.lower() == "sheet1" and first != "Sheet1":
        # formualizer 0.13 starts from a sheet called "Sheet1" and, when the first sheet is
        # "sheet1" in another case, loads its cells into that one without the formulas. Sheet
        # names are case-insensitive in formulas, so the engine's copy spells it "Sheet1".
        workbook_xml = _FIRST_SHEET_NAME.sub(rb"\1Sheet1\2", workbook_xml, count=1)
        changed[package.workbook] = workbook_xml
    called = set(called_functions([workbook_xml]))  # a defined name may call one
    # built-ins registered in Excel's documented form (a defined name may call one too)
    lowered_book = workbook_xml.lower()
    corrected = {name for name, call in _CORRECTED_CALLS if call in lowered_book}
    volatile = any(call in lowered_book for call in _VOLATILE_REFERENCES)
    # ``whole``: the copy changes more than formulas' texts, so the engine loads a rebuilt
    # package. Otherwise it loads the file itself and is handed the rewritten formulas one by
    # one (10,000-channel plan: 1.2 s spared).
    whole = bool(changed)
    parts: list[_Part] = []
    for sheet in package.sheets:
        xml = sheets[sheet.name]
        members = xml.array_members()
        data = xml.without_values(members) if members else xml.data
        if xml.data_tables:  # the engine reads the values Excel cached for a data table
            data = DATA_TABLE.sub(b"", data)
        # What the copy needs is decided on the part's formula shapes (its distinct formulas,
        # digits folded): a few hundred for a plan's two million formulas.
        shapes = xml.formula_shapes
        if any(b"_xlfn.SINGLE(" in shape for shape in shapes):  # Excel's spelling of @
            data = data.replace(b"_xlfn.SINGLE(", b"@(")
            shapes = tuple(shape.replace(b"_xlfn.SINGLE(", b"@(") for shape in shapes)
        whole = whole or data is not xml.data
        lowered = b"".join(shapes).lower()
        corrected.update(name for name, call in _CORRECTED_CALLS if call in lowered)
        volatile = volatile or any(call in lowered for call in _VOLATILE_REFERENCES)
        in_sheet = called_in_lowered([lowered])
        called |= in_sheet
        structural, joins = shapes_hit(shapes, len(data), xml.prefix, named)
        parts.append(_Part(sheet.name, sheet.part, data, xml, shapes, structural, joins, in_sheet))
        if data is not xml.data:
            changed[sheet.part] = data
    formulas = sum(xml.formula_count for xml in sheets.values())

    def load(changed: dict[str, bytes]) -> Engine:
        workbook = package_bytes(package, changed) if changed else package.raw
        if len(workbook) > limits.max_file_bytes:
            # The engine's loader caps its input at the file-size limit the original met
            # compressed.
            workbook = package_bytes(package, changed, compressed=True)
        return Engine(
            workbook,
            limits,
            parallel=not repeated and formulas >= _PARALLEL_FORMULAS,
            functions=sorted(called),
            repeated=repeated,
            date1904=package.date1904,
            corrected=sorted(corrected),
        )

    def rewritten_first() -> tuple[Engine, None]:
        return _load(package, sheets, limits, repeated, rewrite_later=False)

    # Formulas are left for later only where computing them as written first cannot cost
    # much more or leave a trace (the module's docstring).
    later_allowed = rewrite_later and not (whole or called or volatile)
    split = _split(parts, workbook_xml) if later_allowed else {}
    edits: list[tuple[str, FormulaEdit]] = []
    for part in parts:
        now = split[part.part][0] if split else part.hits(named)
        data = _rewritten(part, forms, edits, now)
        if part.called:
            marked = single_valued(mark_omitted_in_sheet(data, part.called), calls_of(part.called))
            whole = whole or marked != data
            data = marked
        if data is not part.data and data != part.data:
            changed[part.part] = data
    if _joins_numbers(edits):
        corrected.add(JOIN)

    by_edits = not whole and len(edits) <= _EDITS_CAP and not any(e.spans for _, e in edits)
    if split and not by_edits:
        return rewritten_first()  # not expected: the formulas rewritten first are single cells
    engine = load({} if by_edits else changed)
    if by_edits and not {name for name, _ in edits} <= set(engine.sheet_names):
        # A sheet the engine holds under another name (set_formula would add a sheet).
        if split:
            return rewritten_first()
        engine, by_edits = load(changed), False
    for name, edit in edits if by_edits else ():
        engine.set_formula(name, edit.row, edit.col, "=" + edit.formula)
    engine.unsupported = forms.found()
    joins = [(part, split[part.part][1]) for part in parts if split and split[part.part][1]]
    if not joins:
        return engine, None
    return engine, _Later(joins, forms, lambda: rewritten_first()[0])


def _split(parts: list[_Part], workbook_xml: bytes) -> dict[str, tuple[list[int], list[int]]]:
    """Where each part's formulas to rewrite before the engine computes are, and where those
    left for later are, by part; nothing when none can be left for later: a formula to
    rewrite holds a range rewriting clips or stands for several cells (an array or shared
    formula), or there are too many to hand over one by one.

    Joins of numbers to text are left for later. So are the other formulas to rewrite when,
    computed as written, they cannot cost much: no table or external reference, and all of
    them together reference at most :data:`_AS_WRITTEN_CELLS` cells (a range in a plain
    formula, computed as written, spills whole)."""
    found = {}
    count = cells = 0
    sizes: dict[bytes, int] | None = None
    for part in parts:
        structural, joins = part.structural, part.joins - part.structural
        hit = structural | joins
        if any(map(_SPANS.match, hit)) or CLIPPED.search(b"".join(hit)) is not None:
            return {}
        where = part.xml.formulas_shaped(hit) if hit else []
        now = [at for at in where if _shape_at(part.data, at) in structural] if structural else []
        later = sorted(set(where) - set(now)) if now else where
        count += len(where)
        found[part.part] = (now, later)
        if any(b"[" in shape for shape in structural):
            cells = _AS_WRITTEN_CELLS + 1
        elif now and cells <= _AS_WRITTEN_CELLS:
            if sizes is None:
                named = named_sizes(workbook_xml)
                sizes = {name.upper().encode(): size for name, size in named.items()}
            cells += sum(_referenced_cells(part.data, at, sizes) for at in now)
    if count > _EDITS_CAP:
        return {}
    if cells <= _AS_WRITTEN_CELLS:
        return {name: ([], sorted(now + later)) for name, (now, later) in found.items()}
    return found


def _shape_at(data: bytes, start: int) -> bytes:
    """The shape of the ``<f>`` element starting at ``start`` (its digits folded)."""
    end = data.find(b">", data.find(b"</", start)) + 1
    return data[start:end].translate(FOLD_DIGITS)


def _referenced_cells(data: bytes, start: int, sizes: dict[bytes, int]) -> int:
    """How many cells the formula whose ``<f>`` element starts at ``start`` references (its
    ranges, and the range names among ``sizes`` it mentions, each once per mention)."""
    element = data[start : data.find(b"</", start)]
    total = 0
    for match in _RANGE.finditer(element):
        total += area(*match.groups())
    if sizes:
        upper = element.upper()
        total += sum(upper.count(name) * size for name, size in sizes.items() if name in upper)
    return total


#: At most this many cells referenced by the formulas to rewrite, they are computed as written
#: first (each spill of a range in a plain formula costs the engine the range's cells).
_AS_WRITTEN_CELLS = 100_000

#: Whether formulas are rewritten while the engine computes the file as written (when they
#: can be); the tests turn it off to compare.
_REWRITE_WHILE_COMPUTING = True

#: From this many formula cells, one evaluation is spread over the engine's threads: the
#: 10,000-channel plan's 2.3 million take 1 s less (19.4–19.8 s against 20.5–20.7 s in all);
#: the 1,000-channel plan's 233,000 gain nothing measurable, and smaller books lose.
_PARALLEL_FORMULAS = 1_000_000

#: Past this many rewritten formulas, the engine loads a rebuilt package instead (one
#: ``set_formula`` call each; a rebuilt package costs about 4 ms per MB of sheet XML).
_EDITS_CAP = 20_000

# Registering a corrected built-in slows the engine's evaluation a little: only those called.
_CORRECTED_CALLS = tuple((name, name.lower().encode() + b"(") for name in CORRECTED_ARITY)
_FIRST_SHEET_NAME = LazyPattern(rb"""(<(?:\w+:)?sheet\b[^>]*?\sname=["'])sheet1(["'])""", re.I)
# An array or shared formula (its edit would stand for several cells).
_SPANS = LazyPattern(rb"""<[^>]*?\st=["'](?:array|shared)["']""")
# Functions whose references the engine resolves as it computes (not tracked as
# dependencies): a cell computed twice may read another state the second time.
_VOLATILE_REFERENCES = (b"indirect(", b"offset(")
_RANGE = LazyPattern(rb"(\$?[A-Z]{1,3}\$?[0-9]{1,7}):(\$?[A-Z]{1,3}\$?[0-9]{1,7})")


class _LazyForms:
    """:func:`_book_forms`, built the first time a part needs rewriting (most workbooks need
    none: the rewriting module and its patterns are then never loaded)."""

    def __init__(self, package: Package, range_names: frozenset[str]) -> None:
        self._package = package
        self._range_names = range_names
        self._forms: BookForms | None = None

    def found(self) -> dict[str, int]:
        """What rewriting found the engine computes wrongly (nothing when nothing was
        rewritten)."""
        return dict(self._forms.unsupported) if self._forms is not None else {}

    def __getattr__(self, name: str) -> Any:
        if self._forms is None:
            self._forms = _book_forms(self._package, self._range_names)
        return getattr(self._forms, name)


def _book_forms(package: Package, range_names: frozenset[str] = frozenset()) -> BookForms:
    """What rewriting the engine's copy needs: sheet order, tables, each sheet's used extent."""
    from xl_funnel.recalc.reference_forms import BookForms

    parts = {sheet.name: sheet.part for sheet in package.sheets}

    def extent(sheet: str) -> tuple[int, int]:
        return used_extent(package.parts[parts[sheet]])

    return BookForms(
        [sheet.name for sheet in package.sheets],
        package.tables,
        extent,
        package.externals,
        frozenset(name.upper() for name in range_names),
    )
