"""A workbook loaded into the engine and computed: :func:`evaluated`.

The engine computes a copy of the workbook made for it (:mod:`~xl_funnel.recalc.engine_copy`):
cells inside array formulas lose their cached values, omitted arguments of xl-funnel calls are
marked, and formulas the engine would compute wrongly are rewritten.

**Rewriting while the engine computes.** Rewriting is Python work (about 10 ms for the built-in
plan's 52 formulas), and the engine holds no Python lock while it computes. When the only
changes to the copy are formulas' texts, the engine loads the file as it is and starts at once;
the formulas are rewritten meanwhile on the other core, then handed to the engine, which
computes again only the cells that depend on them (0.4 ms for the plan). The file's formulas
computed as written cost the engine no more than the rewritten ones, except where rewriting
clips a range: a formula holding a whole column or row, or a sheet-sized range, is rewritten
first, as is a workbook calling xl-funnel functions (whose reasons for error values are
collected while it computes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from xl_funnel.recalc.corrected_names import CORRECTED_ARITY, JOIN
from xl_funnel.recalc.engine import Engine
from xl_funnel.recalc.engine_copy import (
    FormulaEdit,
    names_need_rewrite,
    range_names,
    rewrite_hits,
    rewrite_names,
    rewrite_sheet,
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
from xl_funnel.recalc.sheet_xml import DATA_TABLE, SheetXml, used_extent
from xl_funnel.recalc.writer import package_bytes

if TYPE_CHECKING:
    from xl_funnel.recalc.reference_forms import BookForms

__all__ = ["evaluated", "load_engine"]


def evaluated(
    package: Package, limits: Limits, repeated: bool = False
) -> tuple[Engine, dict[str, SheetXml]]:
    """``package`` loaded into the engine and computed, with the sheets' XML it was read from
    (``repeated``: for many evaluations, see :class:`~xl_funnel.recalc.engine.Engine`)."""
    sheets = {sheet.name: SheetXml(package.parts[sheet.part]) for sheet in package.sheets}
    later_allowed = _REWRITE_WHILE_COMPUTING and not repeated
    engine, later = _load(package, sheets, limits, repeated, rewrite_later=later_allowed)

    def meanwhile() -> None:
        if later is not None:
            later.rewrite()
        # Each sheet's formula cells are placed while the engine computes (1 s at 10k channels).
        for xml in sheets.values():
            xml.finish()

    try:
        engine.evaluate(during=meanwhile)
    except WorkbookError:
        if later is None or not later.rewritten:
            raise
        # The formulas as written failed the engine: the rewritten copy is computed instead.
        engine = later.reloaded()
        engine.evaluate()
        return engine, sheets
    if later is not None:
        engine = later.handed_to(engine)
    return engine, sheets


def load_engine(
    package: Package, sheets: dict[str, SheetXml], limits: Limits, repeated: bool = False
) -> Engine:
    """The engine loaded with a copy of ``package`` made for it, not yet computed.

    In the copy, cells inside array formulas have no cached values (the engine would take them
    for constants), and each omitted argument of an xl-funnel call holds a marker the adapters
    read as "omitted" (:mod:`~xl_funnel.recalc.omitted_args`). Only the xl-funnel functions the
    formulas mention are registered: a workbook of Excel formulas alone never imports numpy.
    """
    return _load(package, sheets, limits, repeated, rewrite_later=False)[0]


class _Part(NamedTuple):
    """A worksheet part of the engine's copy, before its formulas are rewritten."""

    sheet: str
    part: str
    data: bytes  # the part as the engine gets it so far
    xml: SheetXml
    shapes: Sequence[bytes]  # its formula shapes, as in ``data``
    locate: Callable[[set[bytes]], list[int]] | None  # where formulas of given shapes sit


def _rewritten(
    part: _Part, named: frozenset[str], forms: _LazyForms, edits: list[tuple[str, FormulaEdit]]
) -> bytes:
    """``part``'s data with the formulas the engine would compute wrongly rewritten; each
    formula changed is added to ``edits``."""
    data, xml = part.data, part.xml
    hits = rewrite_hits(data, xml.prefix, named, part.shapes, part.locate)
    if not hits:
        return data
    found: list[FormulaEdit] = []
    data = rewrite_sheet(data, part.sheet, forms, xml.formula_pattern, hits, xml.prefix, found)
    edits.extend((part.sheet, edit) for edit in found)
    return data


class _Rewrite:
    """The formulas of a workbook's sheets rewritten for the engine while it computes the file
    as written, then handed to it (:func:`evaluated`)."""

    def __init__(
        self,
        parts: list[_Part],
        named: frozenset[str],
        forms: _LazyForms,
        load: Callable[[dict[str, bytes]], Engine],
    ) -> None:
        self._parts, self._named, self._forms = parts, named, forms
        self._load = load  # the engine loaded with the parts changed
        self.edits: list[tuple[str, FormulaEdit]] = []
        self.changed: dict[str, bytes] | None = None
        self._found: dict[str, int] = {}
        self.rewritten = False

    def rewrite(self) -> None:
        changed = self._rewritten_parts()
        # The rewritten parts are kept only when the engine will load them (``handed_to``):
        # otherwise the edits are all it needs, and the parts (the 10k-channel plan's
        # Channels sheet: 107 MB) would sit in memory while it computes.
        self.changed = changed if self._whole_copy_needed() else None
        self._found = self._forms.found()  # counted once (a second rewrite would add again)
        if any(JOIN in edit.formula for _, edit in self.edits):
            # Its modules are imported now, while the engine computes, not when it is
            # registered after (1 ms of the built-in plan).
            from xl_funnel.recalc.corrected import corrected_function

            corrected_function(JOIN)
        self.rewritten = True

    def _rewritten_parts(self) -> dict[str, bytes]:
        self.edits = []
        changed = {}
        for part in self._parts:
            data = _rewritten(part, self._named, self._forms, self.edits)
            if data is not part.data:
                changed[part.part] = data
        return changed

    def _whole_copy_needed(self) -> bool:
        """Whether the engine must load the rewritten copy rather than be handed the edits:
        too many of them, or one standing for several cells (an array or shared formula)."""
        edits = self.edits
        return len(edits) > _EDITS_CAP or any(edit.spans for _, edit in edits)

    def reloaded(self) -> Engine:
        """The engine loaded with the rewritten copy."""
        changed = self.changed if self.changed is not None else self._rewritten_parts()
        engine = self._load(changed)
        self._prepare(engine)
        return engine

    def _prepare(self, engine: Engine) -> None:
        if any(JOIN in edit.formula for _, edit in self.edits):  # a number joined to text
            engine.use_corrected(JOIN)
        engine.unsupported = dict(self._found)

    def handed_to(self, engine: Engine) -> Engine:
        """``engine``, which computed the file as written, given the rewritten formulas and
        computed again (or, where one formula stands for several cells, the rewritten copy
        loaded and computed)."""
        edits = self.edits
        if not edits:
            self._prepare(engine)
            return engine
        if self._whole_copy_needed() or not {name for name, _ in edits} <= set(engine.sheet_names):
            engine = self.reloaded()
            engine.evaluate()
            return engine
        self._prepare(engine)
        for name, edit in edits:
            engine.set_formula(name, edit.row, edit.col, "=" + edit.formula)
        engine.evaluate()
        return engine


def _load(
    package: Package,
    sheets: dict[str, SheetXml],
    limits: Limits,
    repeated: bool,
    rewrite_later: bool,
) -> tuple[Engine, _Rewrite | None]:
    """The engine loaded (:func:`load_engine`), and the rewriting left for while it computes
    (``None`` when it was done before, as it is unless ``rewrite_later`` and it can be)."""
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
    # built-ins registered in Excel's documented form (a defined name may call one)
    lowered_book = workbook_xml.lower()
    corrected = {name for name, call in _CORRECTED_CALLS if call in lowered_book}
    # ``whole``: the copy changes more than formulas' texts, so the engine loads a rebuilt
    # package. Otherwise it loads the file itself and is handed the rewritten formulas one by
    # one (10,000-channel plan: 1.2 s spared).
    whole = bool(changed)
    parts: list[_Part] = []
    clipped = False  # a formula holds a range rewriting clips
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
        # The formulas found are located from the scan's pieces while the part is unchanged.
        locate = xml.formulas_shaped if data is xml.data else None
        whole = whole or data is not xml.data
        parts.append(_Part(sheet.name, sheet.part, data, xml, shapes, locate))
        joined = b"".join(shapes)
        clipped = clipped or _CLIPPED.search(joined) is not None
        lowered = joined.lower()
        corrected.update(name for name, call in _CORRECTED_CALLS if call in lowered)
        if in_sheet := called_in_lowered([lowered]):
            called |= in_sheet
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

    if rewrite_later and not whole and not called and not clipped:
        return load({}), _Rewrite(parts, named, forms, load)

    edits: list[tuple[str, FormulaEdit]] = []
    for part in parts:
        data = _rewritten(part, named, forms, edits)
        if data is not part.data:
            changed[part.part] = data
    if any(JOIN in edit.formula for _, edit in edits):  # a number joined to text
        corrected.add(JOIN)
    for sheet in package.sheets if called else ():
        xml = sheets[sheet.name]
        lowered = b"".join(xml.formula_shapes).lower()
        if in_sheet := called_in_lowered([lowered]):
            data = changed.get(sheet.part, xml.data)
            marked = single_valued(mark_omitted_in_sheet(data, in_sheet), calls_of(in_sheet))
            if marked != data:
                whole = True
                changed[sheet.part] = marked

    by_edits = not whole and len(edits) <= _EDITS_CAP and not any(e.spans for _, e in edits)
    engine = load({} if by_edits else changed)
    if by_edits and not {name for name, _ in edits} <= set(engine.sheet_names):
        # A sheet the engine holds under another name (set_formula would add a sheet).
        engine, by_edits = load(changed), False
    for name, edit in edits if by_edits else ():
        engine.set_formula(name, edit.row, edit.col, "=" + edit.formula)
    engine.unsupported = forms.found()
    return engine, None


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
# A whole column or row, or a range reaching row 1,000,000 or the last columns, as
# engine_copy's search finds them (in formula shapes, whose digits are all folded to 1): the
# engine is not given such a formula as written, since rewriting clips the range.
_CLIPPED = LazyPattern(
    rb":(?:\$?[A-Z]{1,3}(?![\w(!$])|\$?[0-9]{1,7}(?![\w.:\"'])"
    rb"|\$?[A-Z]{1,3}\$?1[0-9]{6}(?![0-9])|\$?XF[A-D]\$?[0-9])"
)


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
