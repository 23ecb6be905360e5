"""Numbers joined to text (``&``) written as Excel writes them: 15 significant digits.

formualizer turns a number into text with its shortest exact form: ``="a"&1/3`` gives
``a0.3333333333333333`` and ``=0.1+0.2&""`` gives ``0.30000000000000004``, where Excel (and
LibreOffice) give ``a0.333333333333333`` and ``0.3``: Excel keeps 15 significant digits. So in
the engine's copy of a workbook each operand of ``&`` that is not a text literal is passed
through :func:`joined`, registered with the engine as ``_XLFUNNEL_JOIN``, and CONCATENATE,
CONCAT and TEXTJOIN are registered in the same form (:func:`concatenate`, :func:`concat`,
:func:`textjoin`); the user's file keeps its formulas.

>>> wrap_joins('"Total: "&SUM(A1:A3)&" ("&B1%&")"')
'"Total: "&_XLFUNNEL_JOIN(SUM(A1:A3))&" ("&_XLFUNNEL_JOIN(B1%)&")"'
>>> joined(1 / 3), joined(0.1 + 0.2), joined(123456789012345678.0), joined(5.0), joined(True)
('0.333333333333333', '0.3', '1.23456789012346E+17', '5', 'TRUE')
"""

from __future__ import annotations

import math
from typing import Any

from xl_funnel.recalc.cell_text import MAX_TEXT
from xl_funnel.recalc.cell_values import VALUE_ERROR
from xl_funnel.recalc.corrected_names import JOIN

__all__ = ["JOIN", "concat", "concatenate", "joined", "textjoin", "wrap_joins"]

# Operators that bind less tightly than "&" or as tightly: an operand of "&" stops there.
_LOOSER = frozenset({"&", "=", "<>", "<", ">", "<=", ">="})

# Functions whose value is text, or a whole number far below 10^15, which the engine already
# joins as Excel does ("FY"&YEAR(…) is "FY2026"): their calls are not wrapped, sparing the
# plan's title formulas a Python call each.
_WHOLE_OR_TEXT = frozenset(
    {
        "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "WEEKDAY", "WEEKNUM",
        "ISOWEEKNUM", "ROWS", "COLUMNS", "COUNT", "COUNTA", "COUNTBLANK", "COUNTIF",
        "COUNTIFS", "LEN", "CODE", "TEXT", "FIXED", "DOLLAR", "UPPER", "LOWER", "PROPER",
        "TRIM", "CLEAN", "LEFT", "RIGHT", "MID", "SUBSTITUTE", "REPT", "CHAR",
        "CONCATENATE", "CONCAT", "TEXTJOIN",
    }
)  # fmt: skip


def joined(value: Any) -> Any:
    """``value`` as text the way Excel's ``&`` writes it (numbers: 15 significant digits,
    scientific from 1E+15 and below 1E-9, as Excel's General); other values unchanged."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if value is None:
        return ""  # an empty cell joins as nothing
    if not isinstance(value, int | float):
        return value  # text or an error: the engine joins them as it does
    number = float(value)
    if number == 0 or not math.isfinite(number):
        return "0" if number == 0 else value
    digits, exponent = _significant(abs(number))
    sign = "-" if number < 0 else ""
    if exponent >= 15 or exponent < -9:
        mantissa = f"{digits[0]}.{digits[1:]}" if len(digits) > 1 else digits
        return f"{sign}{mantissa}E{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    whole, fraction = digits[: exponent + 1].ljust(exponent + 1, "0"), digits[exponent + 1 :]
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def _significant(number: float) -> tuple[str, int]:
    """The digits of a positive ``number`` rounded half up to 15 significant ones (trailing
    zeros dropped) and the power of ten of the first: ``("123", -2)`` is 0.0123.

    Rounds the shortest decimal that reads back as the float (its ``repr``), digit by digit
    (the decimal module would do the same at twice the start-up cost of this module).

    >>> _significant(0.1 + 0.2), _significant(2 / 3), _significant(999999999999999.9)
    (('3', -1), ('666666666666667', -1), ('1', 15))
    >>> _significant(123456789012345678.0), _significant(5e-324)
    (('123456789012346', 17), ('5', -324))
    """
    mantissa, _, power = repr(number).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # number == int(digits) * 10 ** (power - len(fraction)): the first digit's power is
    exponent = int(power or 0) - len(fraction) + len(digits) - 1
    if len(digits) > 15:
        kept = int(digits[:15]) + (digits[15] >= "5")
        if kept == 10**15:  # 999…9.5 rounds up to the next power of ten
            kept, exponent = 10**14, exponent + 1
        digits = str(kept)
    return digits.rstrip("0"), exponent


def concatenate(*parts: Any) -> Any:
    """Excel's ``CONCATENATE``: its arguments joined as ``&`` joins them (the first error
    wins)."""
    out = []
    for part in parts:
        if isinstance(part, dict):
            return part
        out.append(joined(part))
    return "".join(out)


def _items(value: Any) -> list[Any]:
    """A range's values row by row (the engine hands a range as rows), or the one value."""
    if isinstance(value, list):
        return [item for row in value for item in (row if isinstance(row, list) else [row])]
    return [value]


def concat(*parts: Any) -> Any:
    """Excel's ``CONCAT``: every value of its arguments (ranges row by row) joined.

    >>> concat([[1 / 3, "a"], [None, True]], 2.5)
    '0.333333333333333aTRUE2.5'
    """
    return textjoin("", False, *parts)


def textjoin(delimiter: Any, ignore_empty: Any, *parts: Any) -> Any:
    """Excel's ``TEXTJOIN``: the values of ``parts`` joined with ``delimiter``, empty texts
    and cells left out when ``ignore_empty``; numbers as ``&`` writes them. Past 32,767
    characters: ``#VALUE!``.

    A range of delimiters is used in turn, as Excel does.

    >>> textjoin(", ", True, [[1, None], ["", 0.1 + 0.2]])
    '1, 0.3'
    >>> textjoin([[",", ";"]], True, [[1, 2, 3, 4]])
    '1,2;3,4'
    """
    delimiters = _items(delimiter)
    for value in (*delimiters, ignore_empty):
        if isinstance(value, dict):
            return value
    if isinstance(ignore_empty, str):
        return VALUE_ERROR
    skip = bool(ignore_empty)
    separators = [joined(item) for item in delimiters] or [""]
    out = []
    for part in parts:
        for item in _items(part):
            if isinstance(item, dict):
                return item
            text = joined(item)
            if skip and text == "":
                continue
            if out:
                out.append(separators[(len(out) // 2) % len(separators)])
            out.append(text)
    result = "".join(out)
    return result if len(result) <= MAX_TEXT else VALUE_ERROR


def wrap_joins(formula: str) -> str:
    """``formula`` (without its ``=``) with each operand of ``&`` other than a text literal
    passed through ``_XLFUNNEL_JOIN``; unchanged when it has no ``&`` or cannot be read."""
    if "&" not in formula:
        return formula
    from xl_funnel.recalc.engine import load_formualizer
    from xl_funnel.recalc.formula_tokens import apply_edits, tokenize

    fz = load_formualizer()
    read = tokenize(formula)
    if read is None:
        return formula
    text = read[0]
    tokens = [t for t in read[1] if t.token_type != fz.TokenType.Whitespace]
    spans: set[tuple[int, int]] = set()
    for index, token in enumerate(tokens):
        if token.token_type == fz.TokenType.OpInfix and token.value == "&":
            for span in (_operand(tokens, index, -1, fz), _operand(tokens, index, 1, fz)):
                if span is not None:
                    spans.add(span)
    if not spans:
        return formula
    edits = []
    for first, last in spans:
        only = tokens[first] if first == last else None
        if only is not None and only.subtype == fz.TokenSubType.Text:
            continue  # a text literal is text already
        if _called_alone(tokens, first, last, fz) in _WHOLE_OR_TEXT:
            continue  # the engine writes a small whole number or a text as Excel does
        edits += [
            (tokens[first].start, tokens[first].start, f"{JOIN}("),
            (tokens[last].end, tokens[last].end, ")"),
        ]
    return apply_edits(text, edits) if edits else formula


def _called_alone(tokens: list, first: int, last: int, fz: Any) -> str | None:
    """The function name (upper case, without ``_xlfn.``) when the operand from token
    ``first`` to ``last`` is one call and nothing else (``YEAR(A1)``, not ``YEAR(A1)+1``)."""
    opening = tokens[first]
    if opening.token_type != fz.TokenType.Func or opening.subtype != fz.TokenSubType.Open:
        return None
    depth = 0
    for index in range(first, last + 1):
        subtype = tokens[index].subtype
        if subtype == fz.TokenSubType.Open:
            depth += 1
        elif subtype == fz.TokenSubType.Close:
            depth -= 1
            if depth == 0:
                if index != last:
                    return None
                return opening.value[:-1].upper().removeprefix("_XLFN.")
    return None


def _operand(tokens: list, at: int, step: int, fz: Any) -> tuple[int, int] | None:
    """First and last token of the operand of the ``&`` at ``at``, on its left (``step``
    -1) or its right (+1); ``None`` if there is none."""
    kind, sub = fz.TokenType, fz.TokenSubType
    depth, index, end = 0, at + step, at
    while 0 <= index < len(tokens):
        token = tokens[index]
        opening, closing = (sub.Open, sub.Close) if step > 0 else (sub.Close, sub.Open)
        if token.subtype == opening:
            depth += 1
        elif token.subtype == closing:
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (
            token.token_type == kind.Sep
            or (token.token_type == kind.OpInfix and token.value in _LOOSER)
        ):
            break
        end = index
        index += step
    if index == at + step:  # nothing there (a formula the engine will report)
        return None
    return (end, at + step) if step < 0 else (at + step, end)
