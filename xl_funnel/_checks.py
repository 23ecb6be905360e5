"""Argument coercion and validation shared by the core functions.

Checks run as whole-array numpy reductions (one pass each) so that validation costs little next
to the arithmetic; only when a check fails do we look for the first offending element to name it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xl_funnel.errors import InvalidAmountError, InvalidRateError, ShapeMismatchError


def as_array(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as a float array, naming ``name`` when it is not numeric."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidAmountError(f"{name} must be numeric, got {value!r}") from None


def position(name: str, bad: np.ndarray) -> str:
    """``name`` with the index of the first True in ``bad`` (``rates[2]``, ``table[1, 3]``)."""
    if bad.ndim == 0:
        return name
    index = np.argwhere(bad)[0]
    return f"{name}[{', '.join(str(i) for i in index)}]"


def first_bad(values: np.ndarray, bad: np.ndarray) -> float:
    return float(values[bad].flat[0]) if values.ndim else float(values)


def fmt(value: float) -> str:
    """A number as a planner reads it: ``0`` not ``0.0``, ``1.5`` not ``1.5000``."""
    return f"{value:g}"


def _bounds(values: np.ndarray) -> tuple[float, float]:
    """Smallest and largest element in two fast reductions; NaN anywhere makes both NaN."""
    if values.size == 0:
        return 0.0, 0.0
    return float(values.min()), float(values.max())


def check_finite(values: np.ndarray, name: str) -> None:
    lo, hi = _bounds(values)
    if np.isfinite(lo) and np.isfinite(hi):
        return
    bad = ~np.isfinite(values)
    raise InvalidAmountError(
        f"{position(name, bad)} is {fmt(first_bad(values, bad))}: it must be a finite number"
    )


def check_nonnegative(values: np.ndarray, name: str, what: str = "an amount") -> float:
    """Reject NaN, infinities and negative values; return the smallest value."""
    lo, hi = _bounds(values)
    if lo >= 0 and hi < np.inf:
        return lo
    check_finite(values, name)
    bad = values < 0
    raise InvalidAmountError(
        f"{position(name, bad)} is {fmt(first_bad(values, bad))}: {what} cannot be negative"
    )


def check_positive(values: np.ndarray, name: str, what: str = "it") -> None:
    """Reject NaN, infinities, zero and negative values."""
    lo, hi = _bounds(values)
    if lo > 0 and hi < np.inf:
        return
    check_finite(values, name)
    bad = values <= 0
    raise InvalidAmountError(
        f"{position(name, bad)} is {fmt(first_bad(values, bad))}: {what} must be greater than 0"
    )


def check_rates(rates: np.ndarray, name: str = "rates", *, allow_zero: bool = False) -> None:
    """Conversion rates are fractions: 0 < r <= 1 (0 <= r <= 1 when ``allow_zero``)."""
    if rates.ndim == 0 or rates.shape[-1] == 0:
        raise ShapeMismatchError(f"{name} must list at least one stage-to-stage conversion rate")
    lo, hi = _bounds(rates)
    if (lo >= 0 if allow_zero else lo > 0) and hi <= 1:
        return
    bad = ~np.isfinite(rates)
    if bad.any():
        raise InvalidRateError(
            f"{position(name, bad)} is {fmt(first_bad(rates, bad))}: a rate must be a finite number"
        )
    bad = rates > 1
    if bad.any():
        value = first_bad(rates, bad)
        hint = f" (did you mean {fmt(value / 100)}, i.e. {fmt(value)} %?)" if value <= 100 else ""
        raise InvalidRateError(
            f"{position(name, bad)} is {fmt(value)}: a conversion rate is a fraction "
            f"between 0 and 1{hint}"
        )
    bad = rates < 0 if allow_zero else rates <= 0
    value = first_bad(rates, bad)
    reason = (
        "a conversion rate cannot be negative"
        if value < 0
        else "a stage with a 0 % conversion rate can never reach the target"
    )
    raise InvalidRateError(f"{position(name, bad)} is {fmt(value)}: {reason}")


def divide(
    numerator: np.ndarray, denominator: np.ndarray, smallest: float, *, in_place: bool = False
) -> np.ndarray:
    """``numerator / denominator`` with NaN wherever the denominator is 0.

    ``smallest`` is the denominator's minimum, already known from validation: when it is
    positive no element needs the slow path. ``in_place`` reuses ``numerator`` (a temporary
    the caller owns) for the result, saving an allocation on large arrays.
    """
    if smallest > 0:
        reuse = (
            in_place
            and numerator.ndim
            and numerator.shape == np.broadcast_shapes(numerator.shape, denominator.shape)
        )
        return np.true_divide(numerator, denominator, out=numerator if reuse else None)
    numerator, denominator = np.broadcast_arrays(numerator, denominator)
    out = np.full(numerator.shape, np.nan)
    return np.true_divide(numerator, denominator, out=out, where=denominator != 0)


def scalar_or_array(result: np.ndarray) -> float | np.ndarray:
    """Scalars in → a Python float out, like a ufunc called on scalars."""
    return float(result) if result.ndim == 0 else result


#: Rounding up ignores this much floating-point noise above a whole number.
CEIL_TOLERANCE = 1e-9


def ceil_whole(values: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """Round non-negative values up to whole units, ignoring floating-point noise.

    ``2.1 / 0.3`` is ``7.000000000000001`` in binary floating point; a planner means 7
    customers, not 8. So the rule is ``ceil(max(value − 1e-9, 0))``: never less than the
    exact value by more than 1e-9. The plan workbook mirrors it as
    ``ROUNDUP(MAX(x - 1E-9, 0), 0)``.
    ``in_place`` reuses ``values`` (a temporary the caller owns) for the result.
    """
    if values.ndim == 0 or not in_place:
        values = np.array(values, dtype=float)
    np.subtract(values, CEIL_TOLERANCE, out=values)
    np.maximum(values, 0.0, out=values)
    return np.ceil(values, out=values)
