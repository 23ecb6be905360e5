"""Channel economics: return on spend and the per-channel KPIs of seed article 004."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, check_nonnegative, divide, scalar_or_array
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError

if TYPE_CHECKING:  # pandas is imported lazily: the Excel functions and the CLI start faster
    import pandas as pd

__all__ = ["CHANNEL_COLUMNS", "METRIC_COLUMNS", "channel_metrics", "channel_roi"]

#: Columns :func:`channel_metrics` needs, in the order it reports them.
CHANNEL_COLUMNS = ("spend", "leads", "mqls", "customers", "revenue")
#: Columns :func:`channel_metrics` adds.
METRIC_COLUMNS = (
    "cpl",
    "cost_per_mql",
    "cac",
    "roi",
    "roas",
    "share_of_spend",
    "share_of_customers",
    "efficiency_index",
)


def channel_roi(revenue: ArrayLike, cost: ArrayLike) -> float | np.ndarray:
    """Return on investment of a channel: profit per unit of cost.

    Parameters
    ----------
    revenue : array_like
        Revenue credited to the channel (money, ≥ 0).
    cost : array_like
        What the channel cost (money, ≥ 0). Broadcasts against `revenue`.

    Returns
    -------
    float or ndarray
        ``(revenue − cost) / cost`` as a fraction (1.5 = 150 %); NaN where `cost` is 0
        (a free channel has no defined ROI).

    Raises
    ------
    InvalidAmountError
        A negative or non-finite argument.

    Notes
    -----
    .. math:: \\text{ROI} = \\frac{\\text{revenue} - \\text{cost}}{\\text{cost}}

    ROAS (revenue / cost) is ``ROI + 1``; :func:`channel_metrics` reports both.

    References
    ----------
    Seed article ``004_b937e714abc4dca0.txt``: "the most important KPI is ROI".

    Examples
    --------
    >>> channel_roi(250_000, 100_000)
    1.5
    >>> channel_roi([250e3, 50e3, 1e3], [100e3, 100e3, 0])
    array([ 1.5, -0.5,  nan])
    """
    gain = as_array(revenue, "revenue")
    spend = as_array(cost, "cost")
    check_nonnegative(gain, "revenue", "revenue")
    check_nonnegative(spend, "cost", "a cost")
    return scalar_or_array(np.asarray(divide(gain - spend, spend, in_place=True)))


def channel_metrics(
    table: pd.DataFrame, *, revenue: pd.Series | Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Per-channel cost, return and efficiency KPIs.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per channel with at least the columns ``spend``, ``leads``, ``mqls``,
        ``customers`` and ``revenue`` (matched case-insensitively; other columns are kept
        as they are). All five must be numeric and ≥ 0.
    revenue : pandas.Series or mapping, optional
        Attributed revenue by channel name (e.g. ``attribute(touches, "w_shaped")["revenue"]``)
        replacing the table's ``revenue`` column, which may then be absent, so ROI follows
        the attribution model. Channels are matched by the table's ``channel`` column if it
        has one (case-insensitive), else by its index, after trimming spaces; a channel the
        mapping does not list gets 0. Every channel it lists must be in the table.

    Returns
    -------
    pandas.DataFrame
        The input columns followed by:

        ===================== ==================================================
        ``cpl``                spend / leads (cost per lead)
        ``cost_per_mql``       spend / mqls
        ``cac``                spend / customers (customer acquisition cost)
        ``roi``                (revenue − spend) / spend
        ``roas``               revenue / spend (return on ad spend)
        ``share_of_spend``     spend / total spend
        ``share_of_customers`` customers / total customers
        ``efficiency_index``   share_of_customers / share_of_spend
        ===================== ==================================================

        A ratio whose denominator is 0 is NaN.

    Raises
    ------
    ShapeMismatchError
        A required column is missing; `revenue` names a channel the table lacks, or the
        table lists a channel twice.
    InvalidAmountError
        A required column holds a negative, non-finite or non-numeric value.

    Notes
    -----
    The efficiency index reads seed 004's rule "if paid social costs three times what
    content syndication costs, it should bring three times the conversions": a channel with
    30 % of the spend should bring 30 % of the customers, an index of 1. Below 1 a channel
    gets more budget than results; 0.5 means half the customers its spend would justify.

    .. math:: \\text{efficiency} = \\frac{c_k / \\sum c}{s_k / \\sum s}

    References
    ----------
    Seed article ``004_b937e714abc4dca0.txt`` (KPIs by channel, ROI, budget re-allocation).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame(
    ...     {"spend": [30_000, 10_000], "leads": [300, 200], "mqls": [60, 80],
    ...      "customers": [3, 3], "revenue": [330_000, 330_000]},
    ...     index=["Paid social", "Content syndication"])
    >>> channel_metrics(table)[["cac", "roi", "efficiency_index"]].round(2)
                              cac   roi  efficiency_index
    Paid social          10000.00  10.0              0.67
    Content syndication   3333.33  32.0              2.00

    With the revenue a W-shaped attribution credits to each channel instead:

    >>> credit = {"Paid social": 420_000, "Content syndication": 240_000}
    >>> channel_metrics(table, revenue=credit)[["revenue", "roi"]]
                         revenue   roi
    Paid social         420000.0  13.0
    Content syndication 240000.0  23.0
    """
    columns = {str(column).strip().lower(): column for column in table.columns}
    needed = CHANNEL_COLUMNS if revenue is None else CHANNEL_COLUMNS[:-1]
    missing = [name for name in needed if name not in columns]
    if missing:
        raise ShapeMismatchError(
            f"table has no column {', '.join(repr(m) for m in missing)}: channel_metrics needs "
            f"{', '.join(CHANNEL_COLUMNS)}"
        )
    values = {}
    for name in needed:
        column = table[columns[name]]
        try:
            numbers = column.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise InvalidAmountError(f"table column {name!r} must hold numbers only") from None
        check_nonnegative(numbers, name)
        values[name] = numbers
    if revenue is not None:
        values["revenue"] = _attributed(table, columns, revenue)
        table = table.assign(**{str(columns.get("revenue", "revenue")): values["revenue"]})
    spend, customers = values["spend"], values["customers"]
    total_spend, total_customers = spend.sum(), customers.sum()
    share_of_spend = spend / total_spend if total_spend else np.full(len(spend), np.nan)
    share_of_customers = (
        customers / total_customers if total_customers else np.full(len(spend), np.nan)
    )
    metrics = {
        "cpl": _per(spend, values["leads"]),
        "cost_per_mql": _per(spend, values["mqls"]),
        "cac": _per(spend, customers),
        "roi": _per(values["revenue"] - spend, spend, in_place=True),
        "roas": _per(values["revenue"], spend),
        "share_of_spend": share_of_spend,
        "share_of_customers": share_of_customers,
        "efficiency_index": _per(share_of_customers, share_of_spend),
    }
    return table.assign(**metrics)


def _attributed(
    table: pd.DataFrame, columns: dict[str, object], revenue: pd.Series | Mapping[str, float]
) -> np.ndarray:
    """The attributed revenue of each row of ``table``, matched by channel name."""
    import pandas as pd

    credit = pd.Series(revenue, dtype=object)
    names = [str(name).strip() for name in credit.index]
    amounts = as_array(credit.to_numpy(dtype=object), "revenue")
    check_nonnegative(amounts, "revenue")
    channels = table[columns["channel"]] if "channel" in columns else table.index
    rows = [str(name).strip() for name in channels]
    twice = sorted(name for name, count in Counter(rows).items() if count > 1)
    if twice:
        raise ShapeMismatchError(
            f"table lists channel {twice[0]!r} twice: attributed revenue needs one row each"
        )
    unknown = [name for name in names if name not in rows]
    if unknown:
        raise ShapeMismatchError(
            f"revenue credits channel {unknown[0]!r}, which the table does not list: add a "
            "row for it (spend 0 is fine)"
        )
    by_name = dict(zip(names, amounts, strict=True))
    return np.array([by_name.get(name, 0.0) for name in rows])


def _per(numerator: np.ndarray, denominator: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    return divide(numerator, denominator, in_place=in_place)
