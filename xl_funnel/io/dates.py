"""Dates from a column of cells, never silently in the wrong order or the wrong century.

Rules (``docs/data.md``):

- ISO 8601 (``2026-03-12``, ``2026-03-12T14:05:00+01:00``, ``2026/03/12``) is always read,
  whatever the options.
- ``12.03.2026``, ``12/03/2026`` and ``12-03-2026`` are day-first or month-first. The order is
  ``--dayfirst`` / ``--monthfirst`` when given; otherwise the column's own evidence, but only
  when *every* such date in the column reads one way only (a day above 12). One ambiguous date
  (both numbers 12 or less, and different) without an option is an error naming its row: a
  file mixing ``12.03.2026`` and ``20.02.2026`` may come from two systems, and a wrong guess
  moves credit between channels without a word.
- ``12 Mar 2026``, ``Mar 12, 2026`` and ``12-Mar-2026`` name their month.
- A time may follow (``14:05``, ``2:05 PM``); an offset (``Z``, ``+01:00``, ``-0500``) is
  converted to UTC, so summer and winter time of one zone compare correctly (touches are
  ordered in time). With ``local=True`` the offset is dropped instead: the date and time as
  written, so a month total (``actuals``) counts ``2027-01-31T23:30:00-05:00`` in January,
  the month the record's own system showed, not in February (its UTC date).
- Years outside 1900–2100 are refused (``9999-12-31`` is a placeholder, not a date), as are
  two-digit years and dates that do not exist (``31.02.2026``).

>>> [d.isoformat() for d in parse_dates(["2026-03-29T01:30:00+01:00", "20.02.2026"], "x")]
['2026-03-29T00:30:00', '2026-02-20T00:00:00']
>>> parse_dates(["2027-01-31T23:30:00-05:00"], "x", local=True)[0].isoformat()
'2027-01-31T23:30:00'
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from xl_funnel.io.errors import TableError

__all__ = ["MAX_YEAR", "MIN_YEAR", "ORDERS", "parse_dates"]

MIN_YEAR, MAX_YEAR = 1900, 2100
#: Day/month orders an option may give.
ORDERS = ("dayfirst", "monthfirst")

_TIME = (
    r"(?:[T ]\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d+)?)?"
    r"\s*(?P<ampm>[AaPp][Mm])?)?\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
)
_ISO = re.compile(r"(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})" + _TIME + r"$")
_NUMERIC = re.compile(
    r"(?P<first>\d{1,2})(?P<sep>[./-])(?P<second_>\d{1,2})(?P=sep)(?P<year>\d{2,4})" + _TIME + "$"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DAY_MONTH = re.compile(
    r"(?P<day>\d{1,2})[ -](?P<name>[A-Za-z]+)\.?[ -,]\s*(?P<year>\d{2,4})" + _TIME + "$"
)
_MONTH_DAY = re.compile(
    r"(?P<name>[A-Za-z]+)\.? (?P<day>\d{1,2}),? (?P<year>\d{2,4})" + _TIME + "$"
)


def _where_default(row: int) -> str:
    return f"row {row + 2}"


def parse_dates(
    values: Sequence[Any],
    label: str,
    order: str | None = None,
    where: Callable[[int], str] = _where_default,
    *,
    local: bool = False,
) -> list[dt.datetime | None]:
    """The dates in ``values`` as naive UTC datetimes (``None`` for blank cells).

    Parameters
    ----------
    values : sequence
        Cell values: texts, ``datetime``/``date`` objects (from .xlsx cells) or blanks.
    label : str
        The column in messages (``"date"``).
    order : {None, 'dayfirst', 'monthfirst'}
        How ``12.03.2026`` reads; ``None`` takes the column's evidence (see the module).
    where : callable
        Index in ``values`` → where that cell is, for messages (``"export.csv row 4"``).
    local : bool
        Keep each date and time as written, dropping its offset (month totals), instead of
        converting it to UTC (ordering touches).

    Raises
    ------
    TableError
        A value that is not a date, an out-of-range year, an impossible date, or an ambiguous
        day/month order; the message names the row and the value.
    """
    parsed: list[Any] = [_one(value, label, i, where, local) for i, value in enumerate(values)]
    numeric = [(i, p) for i, p in enumerate(parsed) if isinstance(p, dict)]
    if numeric:
        order = _order(numeric, values, label, order, where)
    result: list[dt.datetime | None] = []
    for i, p in enumerate(parsed):
        if isinstance(p, dict):
            day, month = (
                (p["first"], p["second_"])
                if order == "dayfirst"
                else (
                    p["second_"],
                    p["first"],
                )
            )
            try:
                p = _build(p, int(p["year"]), month, day, local)
            except _RefusedError as reason:
                raise TableError(f"{where(i)}: {label} {values[i]!r} {reason}") from None
        result.append(p)
    return result


def _order(
    numeric: list[tuple[int, dict]],
    values: Sequence[Any],
    label: str,
    order: str | None,
    where: Callable[[int], str],
) -> str:
    day_first = next((i for i, p in numeric if p["first"] > 12), None)
    month_first = next((i for i, p in numeric if p["second_"] > 12), None)
    if order == "dayfirst" and month_first is not None:
        raise TableError(
            f"{where(month_first)}: {label} {values[month_first]!r} has no month "
            f"{_parts(numeric, month_first)['second_']} when the day comes first "
            "(--dayfirst): did you mean --monthfirst?"
        )
    if order == "monthfirst" and day_first is not None:
        raise TableError(
            f"{where(day_first)}: {label} {values[day_first]!r} has no month "
            f"{_parts(numeric, day_first)['first']} when the month comes first "
            "(--monthfirst): did you mean --dayfirst?"
        )
    if order is not None:
        return order
    if day_first is not None and month_first is not None:
        raise TableError(
            f"{label} mixes day-first dates ({where(day_first)}: {values[day_first]!r}) and "
            f"month-first dates ({where(month_first)}: {values[month_first]!r}): make the "
            "column one format"
        )
    ambiguous = next(
        (
            i
            for i, p in numeric
            if p["first"] <= 12 and p["second_"] <= 12 and p["first"] != p["second_"]
        ),
        None,
    )
    if ambiguous is None:
        return "monthfirst" if month_first is not None else "dayfirst"
    hint = ""
    if day_first is not None:
        hint = f" ({where(day_first)} has {values[day_first]!r}: did you mean --dayfirst?)"
    elif month_first is not None:
        hint = f" ({where(month_first)} has {values[month_first]!r}: did you mean --monthfirst?)"
    p = _parts(numeric, ambiguous)
    raise TableError(
        f"{where(ambiguous)}: {label} {values[ambiguous]!r} could be day {p['first']} of month "
        f"{p['second_']} or month {p['first']}, day {p['second_']}: add --dayfirst or "
        f"--monthfirst{hint}"
    )


def _parts(numeric: list[tuple[int, dict]], index: int) -> dict:
    return next(p for i, p in numeric if i == index)


class _RefusedError(Exception):
    """Why a text is not a date; worded after ``"{where}: {label} {value!r} "``."""


def _one(value: Any, label: str, i: int, where: Callable[[int], str], local: bool) -> Any:
    """A datetime, ``None``, or (for ``12.03.2026``) the parts still waiting for an order."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, str):
            return _text(value.strip(), local)
        if isinstance(value, dt.datetime):
            moment = value
            if moment.tzinfo is not None:
                moment = (moment if local else moment.astimezone(dt.UTC)).replace(tzinfo=None)
            return _in_range(moment)
        if isinstance(value, dt.date):
            return _in_range(dt.datetime(value.year, value.month, value.day))
    except _RefusedError as reason:
        raise TableError(f"{where(i)}: {label} {str(value)!r} {reason}") from None
    raise TableError(f"{where(i)}: {label} is {value!r}, not a date (e.g. 2026-03-12)")


@functools.lru_cache(maxsize=1 << 16)
def _text(text: str, local: bool = False) -> Any:
    """One date text parsed (exports repeat their dates: each distinct text once)."""
    if match := _ISO.match(text):
        p = match.groupdict()
        return _build(p, int(p["year"]), int(p["month"]), int(p["day"]), local)
    if match := _NUMERIC.match(text):
        p = match.groupdict()
        _full_year(p["year"])
        p["first"], p["second_"] = int(p["first"]), int(p["second_"])
        return p
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        if (match := pattern.match(text)) and match["name"].lower() in _MONTHS:
            p = match.groupdict()
            _full_year(p["year"])
            return _build(p, int(p["year"]), _MONTHS[p["name"].lower()], int(p["day"]), local)
    raise _RefusedError("is not a date (e.g. 2026-03-12)")


def _full_year(year: str) -> None:
    if len(year) != 4:
        raise _RefusedError("has a two-digit year: export four-digit years")


def _build(p: dict, year: int, month: int, day: int, local: bool = False) -> dt.datetime:
    hour = int(p.get("hour") or 0)
    if p.get("ampm"):
        if not 1 <= hour <= 12:
            raise _RefusedError(f"has hour {hour} with AM/PM")
        hour = hour % 12 + (12 if p["ampm"].lower() == "pm" else 0)
    fraction = p.get("fraction") or ""
    try:
        moment = dt.datetime(
            year,
            month,
            day,
            hour,
            int(p.get("minute") or 0),
            int(p.get("second") or 0),
            round(float("0" + fraction) * 1e6) if fraction else 0,
        )
    except ValueError:
        raise _RefusedError("is not a calendar date") from None
    zone = (p.get("zone") or "").upper()
    if zone and zone not in ("Z", "UTC", "GMT") and not local:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment -= sign * offset
    return _in_range(moment)


def _in_range(moment: dt.datetime) -> dt.datetime:
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise _RefusedError(
            f"is in year {moment.year}: xl-funnel reads dates from {MIN_YEAR} to {MAX_YEAR} "
            "(a placeholder date? leave the cell blank)"
        )
    return moment
