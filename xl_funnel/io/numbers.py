"""Numbers as exports write them: currency symbols, thousands separators, decimal commas.

``decimal`` says which of ``.`` and ``,`` ends the whole part (``--decimal``, default ``.``); the
other one may only group thousands, in groups of three, so ``0,5`` under ``--decimal .`` is an
error that suggests ``--decimal ,`` instead of the number 5. Spaces, no-break spaces and ``'``
group thousands too. A currency symbol (``$ € £ ¥ ₹``) or ISO code (``USD``) before or after
the number is dropped, ``(1,200)`` is −1,200 (accounting style), and ``20%`` is 0.2.

>>> parse_number("$90,000"), parse_number("90.000,00 €", decimal=","), parse_number("(1,200)")
(90000.0, 90000.0, -1200.0)
>>> parse_number("20%"), parse_number("1 234,5", decimal=","), parse_number(7)
(0.2, 1234.5, 7.0)
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from xl_funnel.io.errors import TableError

__all__ = ["DECIMALS", "parse_number"]

DECIMALS = (".", ",")
_CURRENCY = re.compile(r"^(?:[$€£¥₹]|[A-Z]{3}\s)\s*|\s*(?:[$€£¥₹]|\s[A-Z]{3})$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_PLAIN = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+")


def _grouped(sep: str, point: str) -> re.Pattern[str]:
    return re.compile(rf"\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+(?:{re.escape(point)}\d+)?")


_GROUPED = {".": _grouped(",", "."), ",": _grouped(".", ",")}
_COMMA_DECIMAL = re.compile(r"\d*,\d+")


def parse_number(value: Any, *, decimal: str = ".", where: str = "", label: str = "value"):
    """``value`` as a float (``None`` for a blank cell).

    Raises
    ------
    TableError
        Text that is not a number under ``decimal``; the message names ``where`` and ``label``
        and suggests the other ``--decimal`` when that would read it.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise TableError(f"{where}: {label} is {value}, not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        number = _text(text, decimal)
        if number is None:
            other = "," if decimal == "." else "."
            hint = f": did you mean --decimal {other}?" if _text(text, other) is not None else ""
            raise TableError(f"{where}: {label} {text!r} is not a number{hint}")
    if not math.isfinite(number):
        raise TableError(f"{where}: {label} {value!r} is not a finite number")
    return number


@functools.lru_cache(maxsize=1 << 16)
def _text(text: str, decimal: str) -> float | None:
    sign = 1.0
    body = _CURRENCY.sub("", text).strip()
    if body.startswith("(") and body.endswith(")"):
        sign, body = -1.0, body[1:-1].strip()
    body = _CURRENCY.sub("", body).strip()
    if body[:1] in "+-":
        sign, body = (-sign if body[0] == "-" else sign), body[1:].strip()
    body = _CURRENCY.sub("", body).strip()
    scale = 1.0
    if body.endswith("%"):
        scale, body = 0.01, body[:-1].strip()
    body = (
        _SPACES.sub("", body)
        if re.fullmatch(r"\d{1,3}(?:[\s\u00a0\u202f\u2009']\d{3})+\S*", body)
        else body
    )
    if decimal == "," and _COMMA_DECIMAL.fullmatch(body):
        return sign * scale * float(body.replace(",", "."))
    if decimal == "." and _PLAIN.fullmatch(body):
        return sign * scale * float(body)
    if decimal == "," and re.fullmatch(r"\d+", body):
        return sign * scale * float(body)
    if _GROUPED[decimal].fullmatch(body):
        other = "," if decimal == "." else "."
        return sign * scale * float(body.replace(other, "").replace(decimal, "."))
    return None
