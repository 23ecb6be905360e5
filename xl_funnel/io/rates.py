"""The one percent rule, wherever a rate or share is typed: option, config key or grid cell.

A rate is a fraction: ``0.2`` and ``"20%"`` (or ``"20 %"``) both mean 20 %. A bare number
above 1 where a fraction is expected is almost always a percentage typed without its sign, so
it is refused with the fraction it probably meant, never read as 2,000 %:

>>> parse_rate("20%", "--buffer"), parse_rate(0.2, "--buffer"), parse_rate("0.2", "--buffer")
(0.2, 0.2, 0.2)
>>> parse_rate(20, "--buffer")
Traceback (most recent call last):
...
xl_funnel.errors.InvalidRateError: --buffer is 20: a rate is a fraction; did you mean 0.2 (20 %)?

Written with ``%``, a rate may pass 100 % where the quantity allows it (a 150 % buffer is
``"150%"``); a bare number may not, so the rule never guesses.
"""

from __future__ import annotations

import math
from typing import Any

from xl_funnel.errors import InvalidRateError

__all__ = ["parse_rate", "percent_hint"]


def _shown(number: float) -> str:
    return f"{number:g}"


def parse_rate(
    value: Any,
    name: str,
    *,
    low: float = 0.0,
    high: float | None = 1.0,
    low_open: bool = False,
) -> float:
    """``value`` as a fraction under the percent rule.

    Parameters
    ----------
    value : float, int or str
        ``0.2``, ``"0.2"``, ``"20%"`` or ``"20 %"``.
    name : str
        What the value is, for messages (``"--buffer"``, ``"revenue.growth_uplift"``).
    low, high : float
        Allowed range of the fraction (``high=None``: no upper bound when written with ``%``;
        a bare number is still at most 1).
    low_open : bool
        Whether ``low`` itself is excluded (a conversion rate of 0 is not a rate).

    Raises
    ------
    InvalidRateError
        Not a number, outside the range, or a bare number above 1 (with "did you mean").
    """
    percent = False
    if isinstance(value, bool):
        raise InvalidRateError(f"{name} is {value}: give a fraction such as 0.2 or 20%")
    if isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        try:
            number = float(text[:-1] if percent else text)
        except ValueError:
            raise InvalidRateError(
                f"{name} is {value!r}: give a fraction such as 0.2 or 20%"
            ) from None
        number = number / 100 if percent else number
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise InvalidRateError(f"{name} is {value!r}: give a fraction such as 0.2 or 20%")
    if not math.isfinite(number):
        raise InvalidRateError(f"{name} is {value!r}: give a finite fraction such as 0.2")
    if not percent and number > 1 and (high is None or high <= 1 or number > high):
        if number <= 100:
            raise InvalidRateError(
                f"{name} is {_shown(number)}: a rate is a fraction; did you mean "
                f"{_shown(number / 100)} ({_shown(number)} %)?"
            )
        raise InvalidRateError(f"{name} is {_shown(number)}: a rate is a fraction such as 0.2")
    too_low = number <= low if low_open else number < low
    if too_low or (high is not None and number > high):
        above = "more than" if low_open else "at least"
        upper = f" and at most {_shown(high * 100)} %" if high is not None else ""
        raise InvalidRateError(
            f"{name} is {_shown(number * 100)} %: it must be {above} {_shown(low * 100)} %{upper}"
        )
    return number


def percent_hint(value: Any, allows: Any) -> str:
    """``"; did you mean 0.05 (5 %)?"`` when ``value`` is refused but ``value / 100`` is allowed.

    ``allows`` is the check that refused ``value`` (a cell's data validation); only a check
    of fractions (allowing 0.5, refusing 1.5) gets the hint: 30 refused as months is not 30 %.

    >>> percent_hint(5.0, lambda v: -0.99 <= v <= 1), percent_hint(500.0, lambda v: v <= 1)
    ('; did you mean 0.05 (5 %)?', '')
    >>> percent_hint(30.0, lambda v: 0 <= v <= 24)
    ''
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 < value <= 100:
        return ""
    if not (allows(0.5) and not allows(1.5) and allows(value / 100)):
        return ""
    return f"; did you mean {_shown(value / 100)} ({_shown(value)} %)?"
