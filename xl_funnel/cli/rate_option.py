"""A click option type for rates under the one percent rule (:mod:`xl_funnel.io.rates`)."""

from __future__ import annotations

from typing import Any

import click

from xl_funnel.cli.errors import InputError
from xl_funnel.errors import InvalidRateError
from xl_funnel.io.rates import parse_rate

__all__ = ["Rate"]


class Rate(click.ParamType):
    """``0.2`` or ``20%``; a bare ``20`` is refused with "did you mean 0.2 (20 %)?"."""

    name = "rate"

    def __init__(self, *, low: float = 0.0, high: float | None = 1.0, below_high: bool = False):
        self.low, self.high, self.below_high = low, high, below_high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, float):
            return value  # the default, already a fraction
        name = param.opts[0] if param is not None and param.opts else "value"
        try:
            number = parse_rate(value, name, low=self.low, high=self.high)
        except InvalidRateError as error:
            raise InputError(str(error)) from None
        if self.below_high and self.high is not None and number >= self.high:
            raise InputError(f"{name} is {value}: it must be below {self.high:.0%}")
        return number

    def parts(self, text: str, name: str) -> list[float]:
        """A comma-separated list (``--rates 1.5%,0.2``), each item named ``NAME[i]``."""
        try:
            return [
                parse_rate(part, f"{name}[{i}]", low=self.low, high=self.high)
                for i, part in enumerate(p for p in text.split(",") if p.strip())
            ]
        except InvalidRateError as error:
            raise InputError(str(error)) from None
