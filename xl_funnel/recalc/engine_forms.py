"""Rewrite formulas, in the engine's copy of a workbook, into forms formualizer computes.

The user's file and the written output keep every formula as typed; only the copy the engine
loads changes. Each rewrite gives what Excel gives:

- **Structured references** (Excel Tables): ``Rates[Rate]``, ``[@Rate]``,
  ``Rates[[#This Row],[Rate]]``, ``T[#All]``, ``T[#Headers]``, ``T[#Totals]``, ``T[#Data]``,
  ``T[[Col1]:[Col2]]`` become A1 ranges, from the workbook's table parts.
- **Implicit intersection**: a range used where a plain (non-array) formula expects one value
  (``=P2:P16`` typed in row 5) gets formualizer's ``@`` operator, which takes the cell in the
  formula's own row or column, as Excel does.
- **Whole columns and rows** (``A:A``, ``1:1``, in formulas and defined names) are clipped to
  the used part of their sheet (for an array formula, at least to the array's own size, whose
  cells past the used range read 0 as in Excel), so a few-KB file never makes the engine or an
  xl-funnel function walk a million rows.
- **3-D references** (``SUM(Jan:Mar!B2)``) become one argument per sheet; a **union** passed as
  an argument (``RANK(A1,(B1,B2,B3))``) becomes the areas themselves (for SUM-like functions)
  or one column of their cells (``VSTACK``); an **intersection** of two ranges
  (``(C2:D3 D3:E4)``) becomes the common cells, or ``#NULL!``.
- ``ROW(range)`` and ``COLUMN(range)`` inside an array formula become the array of row or column
  numbers (formualizer returns only the first).

Formulas are read with formualizer's own tokenizer; :mod:`~xl_funnel.recalc.engine_copy`
applies this to the parts of a workbook.

>>> book = BookForms(["S"], [], lambda sheet: (5, 3))
>>> rewrite("A1:A5*2", Position("S", 3, 2), book)
'@A1:A5*2'
>>> rewrite("SUM(A:A)+ROWS(B1:B2)", Position("S", 1, 4), book)
'SUM(A$1:A$5)+ROWS(B1:B2)'
"""

from __future__ import annotations

from xl_funnel.recalc.parameter_kinds import ARRAY_PARAMETERS, SCALAR_PARAMETERS, UNLIFTED
from xl_funnel.recalc.reference_forms import (
    BookForms,
    Position,
    bounds,
    clip_whole,
    external,
    intersection,
    multi_cell,
    structured,
    three_d,
)

__all__ = ["BookForms", "Position", "rewrite"]

# Functions whose arguments may each be a range: a union passed to them is its areas.
_FLATTEN = frozenset(
    {
        "SUM",
        "COUNT",
        "COUNTA",
        "AVERAGE",
        "AVERAGEA",
        "MAX",
        "MAXA",
        "MIN",
        "MINA",
        "PRODUCT",
        "SUMSQ",
        "STDEV",
        "STDEVA",
        "STDEVP",
        "STDEVPA",
        "VAR",
        "VARA",
        "VARP",
        "VARPA",
        "AND",
        "OR",
        "XOR",
        "CONCAT",
        "_XLFN.CONCAT",
        "_XLFN.STDEV.S",
        "_XLFN.STDEV.P",
        "_XLFN.VAR.S",
        "_XLFN.VAR.P",
        "MEDIAN",
        "_XLFN.MAXIFS",
        "COUNTBLANK",
    }
)


class _Group:
    __slots__ = ("argument", "func", "open", "operands", "plain")

    def __init__(self, func: str | None, open_token) -> None:
        self.argument = 0  # which argument of a call is being read
        self.func = func  # the function name for a call, None for a parenthesis
        self.open = open_token
        self.operands: list = []  # a parenthesis' operands when it is a union
        self.plain = True  # only references separated by commas so far


def rewrite(formula: str, at: Position, book: BookForms) -> str:
    """``formula`` (without its ``=``) in a form formualizer computes as Excel would.

    A formula the tokenizer cannot read is returned unchanged (the engine reports it).
    """
    from xl_funnel.recalc.engine import load_formualizer
    from xl_funnel.recalc.formula_tokens import apply_edits, tokenize

    fz = load_formualizer()
    read = tokenize(formula)
    if read is None:
        return formula
    text, tokens = read
    kind, sub = fz.TokenType, fz.TokenSubType
    edits: list[tuple[int, int, str]] = []
    groups: list[_Group] = []
    significant = [t for t in tokens if t.token_type != kind.Whitespace]
    replaced: dict[int, str] = {}  # token start → its A1 form
    found: set[str] = set()  # functions the engine does not apply to each item, once each
    for index, token in enumerate(significant):
        token_type, subtype = token.token_type, token.subtype
        top = groups[-1] if groups else None
        if subtype == sub.Open:
            name = token.value[:-1].upper() if token_type == kind.Func else None
            if top is not None and name is None and top.func is None:
                top.plain = False
            groups.append(_Group(name, token))
            if name in ("ROW", "COLUMN") and at.array is not None:
                _row_column(significant, index, name, at, book, edits, sub.Close)
            continue
        if subtype == sub.Close:
            group = groups.pop() if groups else None
            parent = groups[-1] if groups else None
            if (
                group is not None
                and group.func is None
                and group.plain
                and len(group.operands) > 1
                and parent is not None
                and parent.func is not None
            ):
                _union(group, token, parent.func, edits, replaced)
            if top is not None and top.func is None and parent is not None and parent.func is None:
                parent.plain = False
            continue
        if token_type == kind.Operand and subtype == sub.Range:
            value = token.value
            new = external(value, book) if "[" in value and "!" in value else None
            new = new if new is not None else structured(value, at, book)
            if new is None and top is not None and top.func is not None:
                spread = three_d(value, book)
                if spread is not None:
                    edits.append((token.start, token.end, ",".join(spread)))
                    continue
            if new is None:
                new = clip_whole(value, at, book)
            if new is not None:
                replaced[token.start] = new
            current = new if new is not None else value
            if top is not None and top.func is None:
                top.operands.append(token)
            if (
                at.array is None
                and at.row
                and not _beside_reference_operator(significant, index, kind.OpInfix)
                and _intersected(groups, significant, index, kind)
                and (multi_cell(current) or current.upper() in book.range_names)
            ):
                current = "@" + current
            if (at.array is not None or len(groups) > 1) and (
                multi_cell(current) or current.upper() in book.range_names
            ):
                name = _unlifted(groups, at)
                if name is not None and name not in found:
                    found.add(name)
                    book.unsupported[f"{name} over a range in an array formula or SUMPRODUCT"] += 1
            if current != value:
                edits.append((token.start, token.end, current))
            continue
        if (
            token_type == kind.OpInfix
            and token.value.strip() == ""
            and 0 < index < len(significant) - 1
        ):
            before, after = significant[index - 1], significant[index + 1]
            if before.subtype == sub.Range and after.subtype == sub.Range:
                common = intersection(
                    replaced.get(before.start, before.value), after.value, at, book
                )
                if common is not None:
                    edits = [e for e in edits if e[0] != before.start]
                    edits.append((before.start, after.end, common))
                    significant[index + 1] = _Skip(after)
            continue
        if token_type == kind.Sep and subtype == sub.Arg and top is not None:
            top.argument += 1
        elif (
            top is not None
            and top.func is None
            and not (token_type == kind.OpInfix and token.value == ",")
        ):
            top.plain = False
    return apply_edits(text, edits) if edits else formula


class _Skip:
    """A token already consumed by an intersection."""

    token_type = subtype = None

    def __init__(self, token) -> None:
        self.start, self.end, self.value = token.start, token.end, token.value


def _beside_reference_operator(tokens: list, index: int, infix) -> bool:
    """Whether the operand takes part in a range, intersection or union operator."""
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(tokens):
            token = tokens[neighbour]
            if token.token_type == infix and token.value.strip() in ("", ":", ","):
                return True
    return False


def _intersected(groups: list[_Group], tokens: list, index: int, kind) -> bool:
    """Whether Excel intersects the range at ``tokens[index]`` with the formula's row or
    column in a plain (non-array) formula: outside any function call, or as an operand of an
    operator (``SUM(A1:A5*2)``, ``IF(A1:A5>2, …)``: the reason such formulas needed
    Ctrl+Shift+Enter) inside functions that do not take arrays (``SUMPRODUCT``, ``LOOKUP``,
    ``INDEX``, … evaluate their arguments as arrays)."""
    calls = [group for group in groups if group.func is not None]
    if not calls:
        return True
    for group in calls:
        if group.argument in ARRAY_PARAMETERS.get(group.func.removeprefix("_XLFN."), ()):
            return False
    operators = (kind.OpInfix, kind.OpPrefix, kind.OpPostfix)
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(tokens) and tokens[neighbour].token_type in operators:
            return True
    innermost = groups[-1]
    return innermost.func is not None and innermost.argument in SCALAR_PARAMETERS.get(
        innermost.func.removeprefix("_XLFN."), ()
    )


def _unlifted(groups: list[_Group], at: Position) -> str | None:
    """The function that gets a range where it takes one value, inside an array context (an
    array formula, or SUMPRODUCT's arguments …): Excel applies it to each item, formualizer
    0.13 to the first only (``SUMPRODUCT(LEN(B1:B5))``) or gives ``#VALUE!``."""
    innermost = groups[-1] if groups else None
    if innermost is None or innermost.func is None:
        return None
    name = innermost.func.removeprefix("_XLFN.")
    if name not in UNLIFTED or innermost.argument not in SCALAR_PARAMETERS.get(name, ()):
        return None
    in_array = at.array is not None or any(
        group.func is not None
        and group.argument in ARRAY_PARAMETERS.get(group.func.removeprefix("_XLFN."), ())
        for group in groups[:-1]
    )
    return name if in_array else None


def _union(group: _Group, close, func: str, edits: list, replaced: dict[int, str]) -> None:
    """A union passed as an argument: its areas as arguments (SUM-like functions), else one
    column of its cells."""
    if func in _FLATTEN:
        edits.append((group.open.start, group.open.end, ""))
        edits.append((close.start, close.end, ""))
        return
    edits.append((group.open.start, group.open.end, "_xlfn.VSTACK("))
    for operand in group.operands:
        current = replaced.get(operand.start, operand.value)
        edits.append((operand.start, operand.end, f"_xlfn.TOCOL({current})"))


def _row_column(
    tokens: list, index: int, name: str, at: Position, book: BookForms, edits: list, close
) -> None:
    """``ROW(A1:A3)`` in an array formula → ``{1;2;3}`` (formualizer gives only the first)."""
    if index + 2 >= len(tokens) or tokens[index + 2].subtype != close:
        return
    argument = tokens[index + 1]
    found = bounds(getattr(argument, "value", ""), at, book)
    if found is None:
        return
    top, left, bottom, right = found[1]
    if name == "ROW" and bottom > top:
        constant = "{" + ";".join(str(row) for row in range(top, bottom + 1)) + "}"
    elif name == "COLUMN" and right > left:
        constant = "{" + ",".join(str(col) for col in range(left, right + 1)) + "}"
    else:
        return
    edits.append((tokens[index].start, tokens[index + 2].end, constant))
