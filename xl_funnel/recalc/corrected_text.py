"""Excel's ``TEXT(value, format_text)``, registered with the engine in place of formualizer's.

formualizer 0.13 leaves scientific (``0.00E+00``), fraction (``# ?/?``) and literal-digit
(``000-00``) formats unformatted (``TEXT(1234567,"0.00E+00")`` gives ``1234567.00``) and gives
``#VALUE!`` for scaled thousands (``#,##0,,"M"``), quoted text and a zero section. This follows
Microsoft's "TEXT function" and "Review guidelines for customizing a number format" pages:

- up to four sections ``positive;negative;zero;text``, with ``[>100]``-style conditions;
- digit placeholders ``0`` (always shown), ``#`` (only significant digits) and ``?`` (a space
  for an insignificant zero), a decimal point, a thousands separator between placeholders,
  and a comma after the last placeholder scaling by 1,000 each;
- ``%`` (× 100), ``E+``/``E-`` exponents, fractions (``# ?/?``, ``?/8``);
- literal text in quotes, after ``\\``, and the characters Excel shows as they are
  (``$ - + / ( ) : ! ^ & ' ~ { } < > =`` and space); ``_x`` gives a space, ``*x`` nothing;
  ``[Red]``-style colours are ignored, ``[$€-407]`` gives its symbol;
- dates and times (``d dd ddd dddd m mm mmm mmmm mmmmm yy yyyy h hh m mm s ss .0 AM/PM A/P
  [h] [m] [s]``; ``m`` after an hour or before a second is minutes), on the workbook's date
  system (:func:`text_1904` for one counting from 1904);
- ``General`` and ``@``.

>>> text(1234567, "0.00E+00"), text(0.5, "# ?/?"), text(7, "000-00"), text(1234567, '#,##0,,"M"')
('1.23E+06', ' 1/2', '000-07', '1M')
>>> text(-1234.5, "#,##0.00;(#,##0.00)"), text(0, '0;-0;"zero"'), text(0.285, "0.0%")
('(1,234.50)', 'zero', '28.5%')
>>> text(44927.75, "dddd, mmmm d, yyyy h:mm AM/PM"), text(1.5, "[h]:mm")
('Sunday, January 1, 2023 6:00 PM', '36:00')
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from xl_funnel.recalc.cell_values import VALUE_ERROR
from xl_funnel.recalc.corrected_value import value as excel_value
from xl_funnel.recalc.corrected_value import value_1904
from xl_funnel.recalc.joined_text import joined

__all__ = ["text", "text_1904"]

_VALUE = VALUE_ERROR
_LITERAL_CHARS = set("$-+/():!^&'~{}<>= ")
_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)\]")
_DATE_CODE = re.compile(r"(?i)yy|dd?|hh?|ss?|am/pm|a/p|\[h+\]|\[m+\]|\[s+\]")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MAX_SERIAL = 2958466  # 1 January 10000


def text(value: Any, format_text: Any) -> Any:
    """Excel's ``TEXT``: ``value`` shown with the number format ``format_text``."""
    return _text(value, format_text, excel_value, 0)


def text_1904(value: Any, format_text: Any) -> Any:
    """``TEXT`` in a workbook counting dates from 1904 (``<workbookPr date1904="1"/>``): its
    serial 0 is 1 January 1904, day 1,462 of the 1900 calendar.

    >>> text_1904(0, "yyyy-mm-dd"), text_1904("1/5/1904", "0"), text(0, "0.0")
    ('1904-01-01', '4', '0.0')
    """
    return _text(value, format_text, value_1904, _DAYS_1904)


#: Days from the 1900 system's serial 0 to the 1904 system's (1 January 1904).
_DAYS_1904 = 1462


def _text(value: Any, format_text: Any, reading: Any, days: int) -> Any:
    """:func:`text` with text read as a number by ``reading`` (VALUE in the workbook's date
    system) and date serials ``days`` after the 1900 system's."""
    for argument in (value, format_text):
        if isinstance(argument, dict):
            return argument  # an error passes through
    code = joined(format_text)  # a number as a format: written as & writes it
    sections = _sections(code)
    if isinstance(value, str):
        number = reading(value)  # text Excel reads as a number or a date: "$1,000", "1/5/2020"
        if isinstance(number, dict):
            return _text_section(value, sections)
        value = number
    if value is None:
        value = 0.0
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if not isinstance(value, int | float) or not math.isfinite(value):
        return _VALUE
    try:
        return _format_number(float(value), sections, days)
    except Exception:  # a format this reading does not cover: an error value, never a crash
        return _VALUE


def _sections(code: str) -> list[str]:
    """``code`` split at the semicolons outside quotes, brackets and escapes."""
    sections = [""]
    for token in _tokens(code):
        if token == ";":
            sections.append("")
        else:
            sections[-1] += token
    return sections


def _text_section(value: str, sections: list[str]) -> str:
    """Text shown through the text section (the fourth, or a lone section holding ``@``)."""
    if len(sections) >= 4:
        section = sections[3]
    elif len(sections) == 1 and "@" in _unquoted(sections[0]):
        section = sections[0]
    else:
        return value
    return "".join(value if token == "@" else _literal(token) for token in _tokens(section))


def _choose(number: float, sections: list[str]) -> tuple[str, float, bool]:
    """The section for ``number``, the number it shows and whether a minus sign goes first."""
    conditions = [_CONDITION.search(section) for section in sections]
    if any(conditions[:2]):
        for section, condition in zip(sections[:2], conditions[:2], strict=False):
            if condition and _holds(number, condition[1], float(condition[2])):
                # A matched conditional section shows the number without its sign, as Excel does
                # for [<0]; a plain negative number in the first section keeps it.
                shown_sign = number < 0 and condition[1] not in ("<", "<=")
                return section, abs(number), shown_sign
        rest = [s for s, c in zip(sections, conditions, strict=False) if not c][:1]
        return (rest[0] if rest else sections[-1]), abs(number), number < 0
    number_sections = sections[:3]
    if number < 0 and len(number_sections) >= 2:
        return number_sections[1], -number, False
    if number == 0 and len(number_sections) >= 3:
        return number_sections[2], 0.0, False
    return number_sections[0], abs(number), number < 0


def _holds(number: float, operator: str, limit: float) -> bool:
    return {
        "<": number < limit,
        "<=": number <= limit,
        ">": number > limit,
        ">=": number >= limit,
        "=": number == limit,
        "<>": number != limit,
    }[operator]


def _format_number(number: float, sections: list[str], days: int = 0) -> Any:
    section, shown, negative = _choose(number, sections)
    section = _CONDITION.sub("", section)
    body = _unquoted(section)
    if body.strip() == "@":  # a number through the text section: as General
        return ("-" if negative else "") + _general(shown)
    if (
        not re.search(r"[0#?]|(?i:general)", body)
        and not _DATE_CODE.search(body)
        and "m" not in body.lower()
    ):
        return "".join(_literal(token) for token in _tokens(section))  # text only: "zero"
    if re.search(r"(?i)general", body):
        shown_text = ("-" if negative else "") + _general(shown)
        return re.sub(
            r"(?i)general",
            lambda _: shown_text,
            "".join(_literal(t) for t in _tokens(section)),
            count=1,
        )
    if _DATE_CODE.search(body) or (re.search(r"(?i)m", body) and not re.search(r"[0#?]", body)):
        return _format_date((number if not negative else -shown) + days, section)
    result = _format_digits(shown, section)
    if negative and re.search(r"[1-9]", result):
        result = "-" + result
    return result


def _unquoted(section: str) -> str:
    """``section`` without its quoted text, escapes and bracketed codes (what is a code)."""
    without = re.sub(r'"[^"]*"?|\\.|_.|\*.', "", section)
    return re.sub(r"\[(?!h+\]|m+\]|s+\])[^\]]*\]", "", without, flags=re.I)


def _tokens(section: str) -> list[str]:
    """The section cut into quoted literals, escapes, bracket codes and single characters."""
    return re.findall(r'"[^"]*"?|\\.|_.|\*.|\[[^\]]*\]?|.', section, flags=re.S)


def _literal(token: str) -> str:
    if token.startswith('"'):
        return token[1:-1] if token.endswith('"') and len(token) > 1 else token[1:]
    if token.startswith("\\"):
        return token[1:]
    if token.startswith("_"):
        return " "
    if token.startswith("*"):
        return ""
    if token.startswith("[$"):
        return token[2:-1].split("-")[0]
    if token.startswith("["):
        return ""  # a colour or condition
    return token


def _general(number: float) -> str:
    """Excel's General for TEXT: up to 10 significant digits, scientific past 1e11."""
    if number == 0:
        return "0"
    if abs(number) >= 1e11 or abs(number) < 1e-9:
        mantissa, exponent = f"{number:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}E{int(exponent):+03d}"
    digits = max(0, 10 - (math.floor(math.log10(abs(number))) + 1))
    shown = _round_half_up(number, digits)
    return (
        _plain(shown, digits).rstrip("0").rstrip(".")
        if "." in _plain(shown, digits)
        else (_plain(shown, digits))
    )


def _round_half_up(number: float, digits: int) -> Decimal:
    return Decimal(repr(number)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _plain(number: Decimal, digits: int) -> str:
    return f"{number:.{digits}f}"


def _format_digits(number: float, section: str) -> Any:
    tokens = _tokens(section)
    number *= 100 ** _unquoted(section).count("%")
    if re.search(r"[0#?]\s*/\s*[0-9#?]", _unquoted(section)):
        return _format_fraction(number, tokens)
    exponent_at = next(
        (i for i, t in enumerate(tokens[:-1]) if t in ("E", "e") and tokens[i + 1] in ("+", "-")),
        None,
    )
    mantissa = tokens if exponent_at is None else tokens[:exponent_at]
    digit_at = [i for i, t in enumerate(mantissa) if t in ("0", "#", "?")]
    point_at = mantissa.index(".") if "." in mantissa else len(mantissa)
    integer_at = [i for i in digit_at if i < point_at]
    decimal_places = [mantissa[i] for i in digit_at if i > point_at]
    # A comma between integer placeholders groups thousands; commas right after the last
    # placeholder, or right before the point, divide by 1,000 each.
    grouping = len(integer_at) > 1 and any(
        mantissa[i] == "," for i in range(integer_at[0] + 1, integer_at[-1])
    )
    scale = 0
    if digit_at:
        j = digit_at[-1] + 1
        while j < len(mantissa) and mantissa[j] == ",":
            scale, j = scale + 1, j + 1
    if point_at < len(mantissa) and integer_at:
        k = point_at - 1
        while k > integer_at[-1] and mantissa[k] == ",":
            scale, k = scale + 1, k - 1
    number /= 1000**scale
    exponent_text = ""
    if exponent_at is not None:
        number, exponent_text = _scientific(number, tokens, exponent_at, len(integer_at))
    rounded = _round_half_up(number, len(decimal_places))
    whole, _, fraction = _plain(rounded, len(decimal_places)).partition(".")
    integer = _fill_integer(whole.lstrip("-"), [mantissa[i] for i in integer_at], grouping)
    decimals = _fill_decimals(fraction, decimal_places)
    return _assemble(mantissa, integer, decimals) + exponent_text


def _scientific(number: float, tokens: list[str], at: int, integer_count: int) -> tuple[float, str]:
    """The mantissa and the exponent's text: ``E+06``. With several integer placeholders
    starting with ``#`` (``##0.0E+0``) the exponent is a multiple of their count."""
    exponent_places = [t for t in tokens[at + 2 :] if t in ("0", "#", "?")]
    integer_count = max(integer_count, 1)
    mantissa_tokens = tokens[:at]
    decimals = 0
    if "." in mantissa_tokens:
        point = mantissa_tokens.index(".")
        decimals = sum(1 for t in mantissa_tokens[point + 1 :] if t in ("0", "#", "?"))
    first = next((t for t in mantissa_tokens if t in ("0", "#", "?")), "0")
    step = integer_count if integer_count > 1 and first == "#" else 1
    exponent, mantissa = 0, 0.0
    if number:
        exponent = math.floor(math.log10(number))
        exponent = exponent - exponent % step if step > 1 else exponent - (integer_count - 1)
        mantissa = float(Decimal(repr(number)).scaleb(-exponent))
        if float(_round_half_up(mantissa, decimals)) >= 10 ** (
            integer_count if step == 1 else step
        ):
            exponent += step
            mantissa = float(Decimal(repr(number)).scaleb(-exponent))
    sign = "-" if exponent < 0 else ("+" if tokens[at + 1] == "+" else "")
    digits = str(abs(exponent)).rjust(max(1, exponent_places.count("0")), "0")
    rest = "".join(_literal(t) for t in tokens[at + 2 :] if t not in ("0", "#", "?"))
    return mantissa, f"{tokens[at]}{sign}{digits}{rest}"


def _fill_integer(whole: str, places: list[str], grouping: bool) -> list[str]:
    """What each integer placeholder shows, left to right (the first also takes the digits
    beyond the placeholders)."""
    count = len(places)
    if count == 0:
        return []
    digits = "" if whole == "0" else whole
    if grouping and digits:
        digits = f"{int(digits):,}"
    cut = max(0, len(digits) - count)
    overflow, tail = digits[:cut], digits[cut:]
    padded = [""] * (count - len(tail)) + list(tail)
    out = [
        digit or {"0": "0", "?": " ", "#": ""}[place]
        for place, digit in zip(places, padded, strict=True)
    ]
    out[0] = overflow + out[0]
    return out


def _fill_decimals(fraction: str, places: list[str]) -> list[str]:
    out = list(fraction)
    for i in range(len(places) - 1, -1, -1):
        if places[i] == "0" or out[i] != "0":
            break
        out[i] = " " if places[i] == "?" else ""
    return out


def _assemble(tokens: list[str], integer: list[str], decimals: list[str]) -> str:
    out, i_int, i_dec, after_point = [], 0, 0, False
    for token in tokens:
        if token in ("0", "#", "?"):
            if after_point:
                out.append(decimals[i_dec] if i_dec < len(decimals) else "")
                i_dec += 1
            else:
                out.append(integer[i_int] if i_int < len(integer) else "")
                i_int += 1
        elif token == ".":
            after_point = True
            out.append(".")
        elif token != ",":  # separators and scaling are already applied
            out.append(_literal(token))
    return "".join(out)


def _format_fraction(number: float, tokens: list[str]) -> Any:
    """``# ?/?`` (the closest fraction with as many denominator digits), ``?/8`` (eighths);
    ``?`` places are padded with spaces, so fractions line up in a column."""
    code = "".join(tokens)
    match = re.search(r"(?:([#0?]+)([ ]+))?([#0?]+)([ ]*/[ ]*)([#0?]+|[1-9][0-9]*)", code)
    if match is None:
        return _VALUE
    whole_places, gap, top_places, slash, bottom = match.groups()
    whole = math.floor(number) if whole_places else 0
    rest = number - whole
    if bottom.isdigit():
        q = int(bottom)
        p = int(_round_half_up(rest * q, 0))
    else:
        best = Fraction(rest).limit_denominator(10 ** len(bottom) - 1)
        p, q = best.numerator, best.denominator
    if whole_places and p == q:
        whole, p = whole + 1, 0
    before = "".join(_literal(t) for t in _tokens(code[: match.start()]))
    after = "".join(_literal(t) for t in _tokens(code[match.end() :]))
    width = len(str(q)) if bottom.isdigit() else len(bottom)
    if whole_places and p == 0:  # a whole number: the fraction's place left blank
        middle = str(whole) + " " * len(gap + top_places + slash) + " " * width
    else:
        shown = str(whole) if whole or "0" in (whole_places or "") else ""
        if whole_places:
            shown = shown.rjust(len(whole_places) if "?" in whole_places else 0) + gap
        top = str(p).rjust(len(top_places)) if "?" in top_places else str(p)
        under = str(q).ljust(width) if "?" in bottom else str(q)
        middle = f"{shown}{top}{slash}{under}"
    return before + middle + after


def _format_date(serial: float, section: str) -> Any:
    if serial < 0 or serial >= _MAX_SERIAL:
        return _VALUE
    tokens = _date_tokens(section)
    seconds_places = max((len(t) - 1 for t in tokens if re.fullmatch(r"\.0+", t)), default=0)
    total = _round_half_up(serial * 86400, seconds_places)
    day_count = int(total // 86400)
    seconds = total - day_count * 86400
    date = _date_of(day_count)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    twelve = any(t.upper() in ("AM/PM", "A/P") for t in tokens)
    out = []
    for i, token in enumerate(tokens):
        lower = token.lower()
        if lower in ("yy", "y"):
            out.append(f"{date.year % 100:02d}")
        elif lower.startswith("yyy"):
            out.append(f"{date.year:04d}")
        elif lower in ("m", "mm") and _is_minute(tokens, i):
            out.append(f"{int(minutes):0{len(lower)}d}")
        elif lower == "m":
            out.append(str(date.month))
        elif lower == "mm":
            out.append(f"{date.month:02d}")
        elif lower == "mmm":
            out.append(_MONTHS[date.month - 1][:3])
        elif lower == "mmmmm":
            out.append(_MONTHS[date.month - 1][0])
        elif lower.startswith("mmmm"):
            out.append(_MONTHS[date.month - 1])
        elif lower == "d":
            out.append(str(date.day))
        elif lower == "dd":
            out.append(f"{date.day:02d}")
        elif lower == "ddd":
            out.append(_DAYS[date.weekday()][:3])
        elif lower.startswith("dddd"):
            out.append(_DAYS[date.weekday()])
        elif lower in ("h", "hh"):
            shown = int(hours) % 12 or 12 if twelve else int(hours)
            out.append(f"{shown:0{len(lower)}d}")
        elif lower in ("s", "ss"):
            out.append(f"{int(secs):0{len(lower)}d}")
        elif re.fullmatch(r"\.0+", lower):
            fraction = f"{secs - int(secs):.{len(lower) - 1}f}"[1:]
            out.append(fraction)
        elif lower.startswith("[h"):
            out.append(f"{int(total // 3600):0{len(lower) - 2}d}")
        elif lower.startswith("[m"):
            out.append(f"{int(total // 60):0{len(lower) - 2}d}")
        elif lower.startswith("[s"):
            out.append(f"{int(total):0{len(lower) - 2}d}")
        elif lower == "am/pm":
            pm = hours >= 12
            word = "PM" if pm else "AM"
            out.append(word if token[0].isupper() else word.lower())
        elif lower == "a/p":
            letter = "P" if hours >= 12 else "A"
            out.append(letter if token[0].isupper() else letter.lower())
        else:
            out.append(_literal(token))
    return "".join(out)


def _date_tokens(section: str) -> list[str]:
    pattern = r'"[^"]*"?|\\.|_.|\*.|\[[hms]+\]|\[[^\]]*\]?|(?i:am/pm|a/p)|\.0+|([yYmMdDhHsS])\1*|.'
    return [m.group(0) for m in re.finditer(pattern, section)]


def _is_minute(tokens: list[str], index: int) -> bool:
    """``m``/``mm`` right after an hour or right before a second are minutes."""
    for token in reversed(tokens[:index]):
        lower = token.lower()
        if lower[:1] in ("h", "[") and lower[:2] != "[$":
            return lower.startswith(("h", "[h"))
        if re.fullmatch(r"[ymds].*", lower) or lower in ("am/pm", "a/p"):
            break
    for token in tokens[index + 1 :]:
        lower = token.lower()
        if lower.startswith(("s", "[s")):
            return True
        if re.fullmatch(r"[ymdh].*", lower):
            return False
    return False


def _date_of(day_count: int) -> datetime:
    """The date of a 1900-system serial day (Excel counts 29 February 1900, which was not)."""
    if day_count == 60:
        return datetime(1900, 2, 28)  # shown as 29 February by Excel; no such datetime
    if day_count < 60:
        day_count += 1
    return datetime(1899, 12, 30) + timedelta(days=day_count)
