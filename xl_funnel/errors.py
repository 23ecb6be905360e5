"""The exceptions xl-funnel raises for input it cannot plan with.

Every one is a :class:`ValueError`, so code that already guards against bad values keeps working,
and every message names the argument, the position and the value, e.g.
``rates[2] is 0: a stage with a 0 % conversion rate can never reach the target``.
The Excel layer maps them to Excel error values (see ``docs/functions.md``).
"""

from __future__ import annotations

__all__ = [
    "FunnelError",
    "InvalidAmountError",
    "InvalidChoiceError",
    "InvalidRateError",
    "ShapeMismatchError",
]


class FunnelError(ValueError):
    """Base class of every error xl-funnel raises for bad input."""


class InvalidRateError(FunnelError):
    """A conversion or growth rate outside the range the formula allows (Excel: ``#NUM!``)."""


class InvalidAmountError(FunnelError):
    """A negative, zero or non-finite amount where the formula needs a valid one (``#NUM!``)."""


class ShapeMismatchError(FunnelError):
    """Arguments whose lengths or shapes do not fit together (Excel: ``#VALUE!``)."""


class InvalidChoiceError(FunnelError):
    """An argument that must be one of a fixed set of words, given another (Excel: ``#VALUE!``).

    A growth method, an attribution model, a stage marker or a stage name: the message lists
    the words that are allowed.
    """
