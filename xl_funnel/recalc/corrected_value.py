"""Excel's ``VALUE``: text to number, registered with the engine in place of formualizer's.

formualizer 0.13 refuses ``VALUE("$1,000")``, ``VALUE("1,000")`` and ``VALUE("(5)")``
(``#VALUE!``); Excel gives 1000, 1000 and -5. Microsoft's "VALUE function" page: the text
may be "any of the constant number, date, or time formats recognized by Microsoft Excel".
Registration replaces the built-in for every call, so this module also reads the date and
time texts the built-in read (each form below was checked against formualizer and
LibreOffice, ``tests/test_recalc_corrected.py``):

- numbers: sign, a leading ``$`` (before or after the sign), ``,`` between groups of three
  digits, parentheses for a negative, a trailing ``%``, an exponent, surrounding spaces;
- dates: ``2020-01-05``, ``1/5/2020``, ``1/5/20``, ``5-Jan-2020``, ``Jan 5, 2020``,
  ``January 5, 2020``, ``Jan-2020`` (the 1st), each optionally followed by a time;
- times: ``12:00``, ``3:30:15``, ``10:00:00.5``, ``3:30 PM``, ``12 PM``; hours past 23 count
  days (``25:00`` is 1 day and 1 hour).

Dates count from 1900 with Excel's phantom 29 February 1900 (serial 60), or from 1904.

>>> value("$1,000"), value("1,000"), value("(5)"), value("12%"), value(" 3 "), value("1e3")
(1000.0, 1000.0, -5.0, 0.12, 3.0, 1000.0)
>>> value("2020-01-05"), value("1/5/2020"), value("12:00"), value("1/5/2020 6:00 PM")
(43835.0, 43835.0, 0.5, 43835.75)
>>> value("1,00"), value("abc"), value("")
({'type': 'Error', 'kind': 'Value'}, {'type': 'Error', 'kind': 'Value'}, \
{'type': 'Error', 'kind': 'Value'})
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from xl_funnel.recalc.cell_values import VALUE_ERROR

__all__ = ["parse_number", "value", "value_1904"]

_VALUE = VALUE_ERROR

_NUMBER = re.compile(
    r"(?P<open>\()?\s*(?P<sign1>[+-])?\s*\$?\s*(?P<sign2>[+-])?\s*"
    r"(?P<digits>(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?)"
    r"(?P<exp>[eE][+-]?\d+)?\s*(?P<close>\))?\s*(?P<pct>%)?"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<mon>[A-Za-z]+)"
_DATES = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})"),
    re.compile(r"(?P<d>\d{1,2})-" + _MONTH + r"-(?P<y>\d{4}|\d{2})"),
    re.compile(_MONTH + r"\s+(?P<d>\d{1,2}),\s*(?P<y>\d{4})"),
    re.compile(_MONTH + r"-(?P<y>\d{4})"),
]
_TIME = re.compile(
    r"(?P<h>\d{1,4})(?::(?P<mi>\d{1,2})(?::(?P<s>\d{1,2}(?:\.\d+)?))?)?"
    r"\s*(?P<ampm>[AaPp][Mm])?"
)
_1900 = dt.date(1899, 12, 30)  # serial 0 once the phantom 29 Feb 1900 is counted
_1904 = dt.date(1904, 1, 1)


def parse_number(text: str) -> float | None:
    """The number a text reads as in Excel's number formats, or None.

    >>> parse_number("-$5"), parse_number("($5)"), parse_number("1,000.50"), parse_number("5 %")
    (-5.0, -5.0, 1000.5, 0.05)
    >>> parse_number("1 000"), parse_number("(-5)"), parse_number("1e400"), parse_number(".")
    (None, None, None, None)
    """
    match = _NUMBER.fullmatch(text.strip())
    if match is None or match["digits"] in ("", "."):
        return None
    if bool(match["open"]) != bool(match["close"]):
        return None
    signs = [sign for sign in (match["sign1"], match["sign2"]) if sign]
    if len(signs) > 1 or (match["open"] and signs):
        return None  # "--5", "(-5)": #VALUE! in Excel
    number = float(match["digits"].replace(",", "") + (match["exp"] or ""))
    if not math.isfinite(number):
        return None
    if match["open"] or signs == ["-"]:
        number = -number
    return number / 100 if match["pct"] else number


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # Excel's two-digit years: 00-29 are 2000-2029, 30-99 are 1930-1999
        year += 2000 if year < 30 else 1900
    return year


def _date_serial(text: str, epoch: dt.date) -> float | None:
    for pattern in _DATES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        groups = match.groupdict()
        month = _MONTHS.get(groups["mon"].lower()) if "mon" in groups else int(groups["m"])
        day = int(groups.get("d") or 1)
        if month is None:
            return None
        year = _year(groups["y"])
        if epoch == _1900 and (year, month, day) == (1900, 2, 29):
            return 60.0  # Excel keeps Lotus 1-2-3's 29 February 1900
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None
        serial = (date - epoch).days
        if epoch == _1900 and date < dt.date(1900, 3, 1):
            serial -= 1
        return float(serial) if serial >= (1 if epoch == _1900 else 0) else None
    return None


def _time_fraction(text: str) -> float | None:
    match = _TIME.fullmatch(text)
    if match is None or (match["mi"] is None and match["ampm"] is None):
        return None  # a bare number is not a time
    hours, minutes = int(match["h"]), int(match["mi"] or 0)
    seconds = float(match["s"] or 0)
    if minutes > 59 or seconds >= 60:
        return None
    if match["ampm"]:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    return (hours * 3600 + minutes * 60 + seconds) / 86400


def _date_time(text: str, epoch: dt.date) -> float | None:
    text = " ".join(text.split())
    if (serial := _date_serial(text, epoch)) is not None:
        return serial
    if (fraction := _time_fraction(text)) is not None:
        return fraction
    head, _, tail = text.rpartition(" ")
    if tail.lower() in ("am", "pm"):  # "1/5/2020 6:00 PM": the time is the last two words
        head, _, time = head.rpartition(" ")
        tail = f"{time} {tail}"
    serial = _date_serial(head, epoch) if head else None
    fraction = _time_fraction(tail) if serial is not None else None
    return None if fraction is None or fraction >= 1 else serial + fraction


def _value(text: Any, epoch: dt.date) -> Any:
    if isinstance(text, dict):
        return text  # an error passes through
    if text is None:
        return 0.0  # an empty cell
    if isinstance(text, bool):
        return _VALUE
    if isinstance(text, int | float):
        return float(text)
    if not isinstance(text, str):
        return _VALUE
    number = parse_number(text)
    if number is None:
        number = _date_time(text.strip(), epoch)
    return _VALUE if number is None else number


def value(text: Any) -> Any:
    """Excel's ``VALUE`` in a workbook counting dates from 1900."""
    return _value(text, _1900)


def value_1904(text: Any) -> Any:
    """Excel's ``VALUE`` in a workbook counting dates from 1904 (``date1904="1"``).

    >>> value_1904("1/5/1904"), value_1904("12:00")
    (4.0, 0.5)
    """
    return _value(text, _1904)
