"""A table of touches (``xl-funnel attribute``) read into the frame attribution takes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from xl_funnel.io.dates import parse_dates
from xl_funnel.io.errors import TableError
from xl_funnel.io.numbers import parse_number
from xl_funnel.io.table import Field, Table, parse_mapping, read_table

__all__ = ["CONVERSION_FIELDS", "TOUCH_FIELDS", "read_conversions", "read_touches"]

#: The columns of a table of touches (``docs/attribution.md``).
TOUCH_FIELDS = (
    Field("journey", ("journey id",)),
    Field("channel"),
    Field("time", ("date",), required=False),
    Field("order", required=False),
    Field("stage", required=False),
    Field("revenue", required=False),
)

#: The columns of a separate table of conversions (``attribute --conversions``).
CONVERSION_FIELDS = (Field("journey", ("journey id",)), Field("revenue"))


def read_conversions(path: str | Path, *, decimal: str = "."):  # -> pandas.DataFrame
    """Journey and revenue of each conversion at ``path``, read by the one table reader."""
    import pandas as pd

    table = read_table(path, CONVERSION_FIELDS, what="table of conversions")
    journeys = [v.strip() if isinstance(v, str) else v for v in table.values("journey")]
    _refuse_blanks(table, "journey", journeys)
    revenue = [
        parse_number(v, decimal=decimal, where=table.where(i), label="revenue")
        for i, v in enumerate(table.values("revenue"))
    ]
    return pd.DataFrame({"journey": journeys, "revenue": pd.Series(revenue, dtype=float)})


def read_touches(
    path: str | Path,
    *,
    sheet: str | None = None,
    columns: Sequence[str] = (),
    order: str | None = None,
    decimal: str = ".",
):  # -> pandas.DataFrame
    """The touches at ``path`` as a frame with the canonical column names.

    ``time`` becomes datetimes (UTC) unless every value is a number (days); ``order`` and
    ``revenue`` become floats. Raises :class:`~xl_funnel.io.TableError` naming file and row.
    """
    import pandas as pd

    mapping = parse_mapping(columns, TOUCH_FIELDS)
    table = read_table(path, TOUCH_FIELDS, mapping=mapping, sheet=sheet, what="table of touches")
    frame = {}
    for name in table.columns:
        values = table.values(name)
        if name == "time":
            frame[name] = _times(table, values, order)
        elif name in ("order", "revenue"):
            frame[name] = [
                parse_number(v, decimal=decimal, where=table.where(i), label=name)
                for i, v in enumerate(values)
            ]
        else:
            frame[name] = [v.strip() if isinstance(v, str) else v for v in values]
            if name in ("journey", "channel"):
                _refuse_blanks(table, name, frame[name])
    result = pd.DataFrame(frame)
    for name in ("order", "revenue"):
        if name in result:
            result[name] = result[name].astype(float)
    return result


def _refuse_blanks(table: Table, name: str, values: list) -> None:
    """A blank journey or channel, named by its row in the file (the frame's rows skip blanks)."""
    for i, value in enumerate(values):
        if value is None or value == "":
            raise TableError(f"{table.where(i)}: {name} is blank: every touch needs a {name}")


def _times(table: Table, values: list, order: str | None):
    import pandas as pd

    days = _numbers(values)
    if days is not None:
        return pd.Series(days, dtype=float)
    dates = parse_dates(values, "time", order, table.where)
    return pd.Series(pd.to_datetime(dates))


def _numbers(values: list) -> list[float] | None:
    """Every value as a number of days (Excel serials included), or None if any is not one."""
    days = []
    for v in values:
        if v is None or (isinstance(v, str) and not v.strip()):
            days.append(float("nan"))
        elif isinstance(v, int | float) and not isinstance(v, bool):
            days.append(float(v))
        else:
            try:
                days.append(float(str(v).strip()))
            except ValueError:
                return None
    return days
