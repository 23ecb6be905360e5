r"""Mark the omitted arguments of xl-funnel calls in the engine's copy of a workbook.

Excel hands an add-in function an omitted argument (``=FUNNEL_BACKSOLVE(C1, B2:B6,,,,A2:A7)``)
as a blank, xlwings passes it as ``None``, and the adapters read ``None`` as "use the default".
formualizer passes it as the number 0, so ``periods`` would be 0 and the cell ``#NUM!``. The
engine is therefore loaded from a copy of the workbook in which each empty argument of a call to
an xl-funnel function holds the string literal :data:`~xl_funnel.recalc.cell_values.OMITTED`,
which :func:`~xl_funnel.recalc.cell_values.to_adapter` turns back into ``None``. The user's file
and the written output keep the original formula text.

Formulas are read with formualizer's own tokenizer, not with patterns over the text, so commas
inside string literals, array constants (``{1,2;3,4}``), unions (``(A1,B1)``) and calls to other
functions nested inside an xl-funnel call (or around it) are left alone.

>>> mark_omitted("FUNNEL_BACKSOLVE(C1, B2:B6,,,,A2:A7)", {"FUNNEL_BACKSOLVE"})
'FUNNEL_BACKSOLVE(C1, B2:B6,"\ue000","\ue000","\ue000",A2:A7)'
>>> mark_omitted('IF(A1,,funnel_rates(B1:B4))&TEXT(1,"0,0")', {"FUNNEL_RATES"})
'IF(A1,,funnel_rates(B1:B4))&TEXT(1,"0,0")'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from xl_funnel.recalc.cell_values import OMITTED
from xl_funnel.recalc.engine import load_formualizer
from xl_funnel.recalc.formula_tokens import apply_edits, tokenize
from xl_funnel.recalc.function_names import ARITY
from xl_funnel.recalc.lazy_pattern import LazyPattern
from xl_funnel.recalc.part_xml import escaped as escaped_text
from xl_funnel.recalc.part_xml import unescaped

__all__ = [
    "called_functions",
    "called_in_lowered",
    "calls_of",
    "mark_omitted",
    "mark_omitted_in_sheet",
]

_LITERAL = f'"{OMITTED}"'
# A formula element with text (a shared formula's followers, <f t="shared" si="0"/>, have none;
# their master's text is the one the engine shifts to them).
_FORMULA = LazyPattern(rb"(<(?:[\w.-]+:)?f(?:\s[^>]*[^/>])?>)([^<]+)(</(?:[\w.-]+:)?f>)")
_CALLS = {name: name.lower().encode() + b"(" for name in ARITY}


def _by_first_word() -> dict[bytes, dict[str, bytes]]:
    """The calls grouped by their first word (``funnel_``): one search for the word rules out
    a whole group, which halves the passes over a large part that calls none of them."""
    groups: dict[bytes, dict[str, bytes]] = {}
    for name, call in _CALLS.items():
        word, underscore, _ = call.partition(b"_")
        groups.setdefault(word + underscore if underscore else call, {})[name] = call
    return groups


_GROUPS = _by_first_word()


def called_functions(parts: Iterable[bytes]) -> frozenset[str]:
    """The xl-funnel functions whose name followed by ``(`` appears in ``parts``, in any case.

    A superset of the functions the formulas call (the name may sit in a string literal): it
    decides which functions the engine registers, and which formulas are worth tokenizing.

    >>> sorted(called_functions([b"<f>Funnel_Rates(A1:A5)*2</f>", b"<f>SUM(A1)</f>"]))
    ['FUNNEL_RATES']
    """
    return called_in_lowered(data.lower() for data in parts)


def called_in_lowered(lowered_parts: Iterable[bytes]) -> frozenset[str]:
    """:func:`called_functions` of parts already in lower case (lowering an 11 MB sheet
    takes 10 ms: the caller lowers it once for every search)."""
    found: set[str] = set()
    for lowered in lowered_parts:
        # Most group words end in "_": a part without any "_" (a one-byte search, ten times
        # faster than a word's) holds none of them. A plan of 10,000 channels has none.
        underscore = b"_" in lowered
        for word, calls in _GROUPS.items():
            if (underscore or word[-1:] != b"_") and word in lowered:
                found.update(name for name, call in calls.items() if call in lowered)
    return frozenset(found)


class _Group:
    """An open call, parenthesis or array constant while a formula is read. (A plain class:
    a dataclass would cost every ``recalc`` a millisecond of start-up to build.)"""

    __slots__ = ("empty", "ours", "separators")

    def __init__(self, ours: bool) -> None:
        self.ours = ours  # a call to one of the names being marked
        self.empty = True  # nothing but whitespace since the opening or the last separator
        self.separators = 0


def mark_omitted(formula: str, names: Collection[str]) -> str:
    """``formula`` (its text without the leading ``=``) with every empty argument of a call to
    one of ``names`` (upper case; calls match in any case) replaced by the ``OMITTED`` literal.

    A call without arguments (``NOW()``) has none to mark; a formula the tokenizer cannot read
    is returned unchanged (the engine reports it).
    """
    fz = load_formualizer()
    read = tokenize(formula)
    if read is None:
        return formula
    text, tokens = read
    kind, sub = fz.TokenType, fz.TokenSubType
    groups: list[_Group] = []
    marks: list[int] = []  # byte offsets of the separators and closings to mark before
    for token in tokens:
        token_type, subtype = token.token_type, token.subtype
        if token_type == kind.Whitespace:
            continue
        top = groups[-1] if groups else None
        if subtype == sub.Open:
            if top:
                top.empty = False
            ours = token_type == kind.Func and token.value[:-1].upper() in names
            groups.append(_Group(ours))
        elif subtype == sub.Close:
            if top and top.ours and top.empty and top.separators:
                marks.append(token.start)
            if groups:
                groups.pop()
        elif token_type == kind.Sep and subtype == sub.Arg and top:
            if top.ours and top.empty:
                marks.append(token.start)
            top.empty = True
            top.separators += 1
        elif top:
            top.empty = False
    if not marks:
        return formula
    return apply_edits(text, [(mark, mark, _LITERAL) for mark in marks])


def calls_of(names: Collection[str]) -> list[bytes]:
    """``name(`` in lower case for each of ``names``, as found in lowered formula text."""
    return [_CALLS[name] for name in names]


def mark_omitted_in_sheet(data: bytes, names: Collection[str]) -> bytes:
    """A worksheet part with :func:`mark_omitted` applied to the text of every formula that may
    call one of ``names``; the same bytes when none has an omitted argument.

    Only the formula texts change. A shared formula's text sits on its master cell and the
    engine shifts it to the followers; an array formula's text sits on its anchor.

    >>> mark_omitted_in_sheet(b'<c r="A1"><f>PACE(1,,&quot;a,b&quot;)</f><v>0</v></c>', {"PACE"})
    b'<c r="A1"><f>PACE(1,"\xee\x80\x80","a,b")</f><v>0</v></c>'
    """
    calls = [_CALLS[name] for name in names]
    rewritten = 0

    def rewrite(match: re.Match[bytes]) -> bytes:
        escaped = match[2]
        if b"," not in escaped:  # every omitted argument is next to a separator
            return match[0]
        lowered = escaped.lower()
        if not any(call in lowered for call in calls):
            return match[0]
        formula = unescaped(escaped)
        marked = mark_omitted(formula, names)
        if marked == formula:
            return match[0]
        nonlocal rewritten
        rewritten += 1
        return match[1] + escaped_text(marked) + match[3]

    result = _FORMULA.sub(rewrite, data)
    return result if rewritten else data
