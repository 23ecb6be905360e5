"""The options every command that reads a table shares: --sheet, --columns, dates, decimals."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

__all__ = ["Reading", "table_options"]


@dataclass(frozen=True)
class Reading:
    """How to read the user's table: the sheet, column mapping, day/month order, decimal mark."""

    sheet: str | None = None
    columns: tuple[str, ...] = ()
    order: str | None = None
    decimal: str = "."


def table_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the reading options to a click command; it receives them as ``reading=Reading(…)``."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        dayfirst, monthfirst = kwargs.pop("dayfirst"), kwargs.pop("monthfirst")
        if dayfirst and monthfirst:
            raise click.UsageError("--dayfirst and --monthfirst: give one of them")
        kwargs["reading"] = Reading(
            sheet=kwargs.pop("sheet"),
            columns=kwargs.pop("columns"),
            order="dayfirst" if dayfirst else "monthfirst" if monthfirst else None,
            decimal=kwargs.pop("decimal"),
        )
        return command(*args, **kwargs)

    for option in reversed(
        (
            click.option(
                "--sheet", help="Worksheet of an .xlsx [default: the one with the columns]."
            ),
            click.option(
                "--columns",
                multiple=True,
                metavar="FIELD=HEADER,…",
                help='Map columns, e.g. --columns channel="Original Source",time="Create Date".',
            ),
            click.option("--dayfirst", is_flag=True, help="12.03.2026 is 12 March."),
            click.option("--monthfirst", is_flag=True, help="03/12/2026 is 12 March."),
            click.option(
                "--decimal",
                type=click.Choice([".", ","]),
                default=".",
                show_default=True,
                help="Decimal mark of numbers in the table (1.234,50 needs --decimal ,).",
            ),
        )
    ):
        wrapper = option(wrapper)
    return wrapper
