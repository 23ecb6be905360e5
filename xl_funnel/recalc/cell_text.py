"""How a computed value is written into a cell's XML, as Excel writes it: numbers bare and
shortest, text XML-escaped with Excel's ``_xHHHH_`` escapes, booleans ``t="b"``, errors
``t="e"``; never NaN or infinity; text past Excel's 32,767 characters is ``#VALUE!``."""

from __future__ import annotations

import math
import re
from typing import Any

from xl_funnel.recalc.cell_values import error_text, is_engine_error
from xl_funnel.recalc.lazy_pattern import LazyPattern

__all__ = ["MAX_TEXT", "encode_value", "number_text"]

_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_LITERAL_ESCAPE = LazyPattern("_(x[0-9A-Fa-f]{4}_)")
#: Excel's longest text in a cell: a formula whose result is longer gives #VALUE!.
MAX_TEXT = 32_767


def _xml_text(text: str) -> bytes:
    """Text for a ``<v>`` as Excel writes it: XML-escaped; a carriage return and the control
    characters XML cannot carry as Excel's ``_xHHHH_`` escapes (a raw CR would reach every
    reader as a line feed); and a literal ``_xHHHH_`` escaped as ``_x005F_xHHHH_``, so Excel
    shows it as typed instead of decoding it.

    >>> _xml_text("a\\rb _x0041_ <&>")
    b'a_x000D_b _x005F_x0041_ &lt;&amp;&gt;'
    """
    text = excel_escaped(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.encode("utf-8")


def excel_escaped(text: str) -> str:
    """``text`` with what XML cannot carry (a carriage return, control characters) as Excel's
    ``_xHHHH_`` escapes and a literal ``_xHHHH_`` as ``_x005F_xHHHH_``: the cell text the
    recalculation's writer puts in the file for Excel to read back ``text``.

    >>> excel_escaped("a\\rb\\x01 _x0041_")
    'a_x000D_b_x0001_ _x005F_x0041_'
    """
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    return _NOT_XML_CHAR.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def number_text(value: float) -> str:
    """A finite number as a cell or CSV holds it: a whole number below 10^15 without a point,
    any other the shortest text that reads back as the same float."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _number(value: float) -> bytes:
    return number_text(value).encode()


def encode_value(value: Any) -> tuple[bytes, bytes | None]:
    """The ``t=`` attribute (``b""`` for a number) and ``<v>`` text of a computed value.

    >>> encode_value(0.25), encode_value(True), encode_value("ok")
    ((b'', b'0.25'), (b'b', b'1'), (b'str', b'ok'))
    >>> encode_value({"type": "Error", "kind": "Div"}), encode_value(float("nan"))
    ((b'e', b'#DIV/0!'), (b'e', b'#NUM!'))
    """
    if type(value) is float and math.isfinite(value):  # the common case, first
        return b"", _number(value)
    if value is None:
        return b"", None
    if isinstance(value, bool):
        return b"b", b"1" if value else b"0"
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return b"e", b"#NUM!"
        return b"", _number(number)
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return b"e", b"#VALUE!"
        return b"str", _xml_text(value)
    if is_engine_error(value):
        return b"e", error_text(value).encode()
    return b"e", b"#VALUE!"
