"""Argument coercion and validation shared by the core functions.

Checks run as one or two whole-array reductions so that validation costs little next to the
arithmetic; only when a fast check fails do we look for the first offending element to name it
(or find, as with -0.0, that nothing is wrong after all).
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


# Validation fast paths read float64 bit patterns as unsigned integers: for non-negative
# finite floats the integer order is the float order, while negative numbers (sign bit set),
# infinities and NaN (all-ones exponent) all land at or above the bits of +inf. So a single
# integer max() tells "every element is finite and >= 0", about twice as fast as the NaN-aware
# float min() and max() it replaces. -0.0 fails the fast path and is accepted by the slow one.
_INF_BITS = np.float64(np.inf).view(np.uint64)
_ONE_BITS = np.float64(1.0).view(np.uint64)


def _bits(values: np.ndarray) -> np.ndarray:
    return values.view(np.uint64) if values.ndim else values.reshape(1).view(np.uint64)


def _fails(values: np.ndarray, bad: np.ndarray, name: str, error: type, reason: str) -> None:
    if bad.any():
        raise error(f"{position(name, bad)} is {fmt(first_bad(values, bad))}: {reason}")


def check_finite(values: np.ndarray, name: str) -> None:
    """Reject NaN and infinities."""
    if values.size == 0 or (np.isfinite(values.min()) and np.isfinite(values.max())):
        return
    _fails(values, ~np.isfinite(values), name, InvalidAmountError, "it must be a finite number")


def check_nonnegative(values: np.ndarray, name: str, what: str = "an amount") -> None:
    """Reject NaN, infinities and negative values."""
    if values.size == 0 or _bits(values).max() < _INF_BITS:
        return
    check_finite(values, name)
    _fails(values, values < 0, name, InvalidAmountError, f"{what} cannot be negative")


def check_positive(values: np.ndarray, name: str, what: str = "it") -> None:
    """Reject NaN, infinities, zero and negative values."""
    bits = _bits(values)
    if values.size == 0 or (bits.max() < _INF_BITS and bits.min() > 0):
        return
    check_finite(values, name)
    _fails(values, values <= 0, name, InvalidAmountError, f"{what} must be greater than 0")


def check_rates(rates: np.ndarray, name: str = "rates", *, allow_zero: bool = False) -> None:
    """Conversion rates are fractions: 0 < r <= 1 (0 <= r <= 1 when ``allow_zero``)."""
    if rates.ndim == 0 or rates.shape[-1] == 0:
        raise ShapeMismatchError(f"{name} must list at least one stage-to-stage conversion rate")
    bits = _bits(rates)
    if bits.max() <= _ONE_BITS and (allow_zero or bits.min() > 0):
        return
    _fails(rates, ~np.isfinite(rates), name, InvalidRateError, "a rate must be a finite number")
    bad = rates > 1
    if bad.any():
        value = first_bad(rates, bad)
        hint = f" (did you mean {fmt(value / 100)}, i.e. {fmt(value)} %?)" if value <= 100 else ""
        raise InvalidRateError(
            f"{position(name, bad)} is {fmt(value)}: a conversion rate is a fraction "
            f"between 0 and 1{hint}"
        )
    _fails(rates, rates < 0, name, InvalidRateError, "a conversion rate cannot be negative")
    if not allow_zero:
        _fails(
            rates,
            rates == 0,
            name,
            InvalidRateError,
            "a stage with a 0 % conversion rate can never reach the target",
        )


def divide(
    numerator: np.ndarray,
    denominator: np.ndarray,
    smallest: float | None = None,
    *,
    in_place: bool = False,
) -> np.ndarray:
    """``numerator / denominator`` with NaN wherever the denominator is 0.

    ``smallest`` is the denominator's minimum when the caller already knows it (computed
    here otherwise): when it is positive no element needs the slow path. ``in_place`` reuses
    ``numerator`` (a temporary the caller owns) for the result, saving an allocation.
    """
    if smallest is None:
        smallest = float(denominator.min()) if denominator.size else 0.0
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
