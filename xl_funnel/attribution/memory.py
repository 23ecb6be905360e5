"""The in-memory reference engine: numpy over a pandas table of touches.

Every other engine (DuckDB, Spark) is tested against this one. The work is vectorised over all
journeys at once (one stable sort, then ``numpy.bincount`` group sums), so a million touches
take about a second; no Python loop runs per journey. The Excel function ``ATTRIBUTE`` uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from xl_funnel._checks import as_array, check_positive, fmt
from xl_funnel.attribution.models import (
    DATA_DRIVEN,
    POSITION_SHARES,
    ROLES,
    STAGE_MARKERS,
    model_name,
    receiver_role,
)
from xl_funnel.errors import InvalidAmountError, InvalidChoiceError, ShapeMismatchError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["channel_credit", "touch_credit"]

COLUMN_ALIASES = {
    "journey": ("journey", "journey_id"),
    "time": ("time", "date"),
    "order": ("order",),
    "channel": ("channel",),
    "stage": ("stage",),
    "revenue": ("revenue",),
}
_NS_PER_DAY = 86_400e9


def channel_credit(
    touches: pd.DataFrame, model: str, half_life_days: float = 7.0
) -> tuple[np.ndarray, np.ndarray, float]:
    """Channel names, their credited revenue, and the total revenue, computed in memory."""
    name = model_name(model)
    if name in DATA_DRIVEN:
        return _data_driven(touches, name)
    credit, codes, labels = _credit(touches, name, half_life_days)
    totals = np.bincount(codes, weights=credit, minlength=len(labels))
    return labels, totals, float(credit.sum())


def touch_credit(touches: pd.DataFrame, model: str, half_life_days: float = 7.0) -> pd.Series:
    """Revenue credited to every touch, aligned with the rows of ``touches``.

    Takes the same arguments as :func:`xl_funnel.attribution.attribute` (see it for the
    columns and the models); group the result by journey and channel for per-journey reports.
    The data-driven models (``markov``, ``shapley``) credit channels, not touches, and are
    refused here.

    Returns
    -------
    pandas.Series
        Named ``credit``, with the index of ``touches``.

    Notes
    -----
    Summing the credit over the touches of a journey gives its revenue (to 1e-12
    relative); summing it by channel gives :func:`~xl_funnel.attribution.attribute`.

    References
    ----------
    Seed article ``002_…``: revenue credit spread across the stages of the journey.

    Examples
    --------
    >>> import pandas as pd
    >>> touches = pd.DataFrame({"journey": [1, 1, 1], "time": [0.0, 7.0, 14.0],
    ...                         "channel": ["Ads", "Email", "Sales"], "revenue": 700.0})
    >>> touch_credit(touches, "time_decay", half_life_days=7).tolist()
    [100.0, 200.0, 400.0]
    """
    import pandas as pd

    name = model_name(model)
    if name in DATA_DRIVEN:
        raise InvalidChoiceError(
            f"model is {model!r}: {name} credits channels from the whole table, not single "
            "touches; use attribute() for its channel table"
        )
    credit, _, _ = _credit(touches, name, half_life_days)
    return pd.Series(credit, index=touches.index, name="credit")


class _Sorted:
    """The touches sorted by journey then time, with each journey's bounds."""

    def __init__(self, touches: pd.DataFrame, *, required_time: bool) -> None:
        self.channel_codes, self.channel_labels = _text_codes(
            _column(touches, "channel"), "channel"
        )
        journey_codes, journey_labels = _journey_codes(touches)
        self.when = _when(touches, required_time=required_time)
        self.revenue = _revenue(touches, journey_codes, journey_labels)
        self.order = _journey_time_order(journey_codes, self.when)
        self.journey = journey_codes[self.order]
        self.counts = np.bincount(self.journey, minlength=len(journey_labels))
        self.starts = np.cumsum(self.counts) - self.counts
        self.last = self.starts + self.counts - 1


def _credit(
    touches: pd.DataFrame, name: str, half_life_days: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Credit per touch (table order), each touch's channel code, and the channel names."""
    half_life = as_array(half_life_days, "half_life_days")
    if name == "time_decay":  # checked first: no sorting for a call that must fail
        check_positive(half_life, "half_life_days", "a half-life")
    if touches.shape[0] == 0:
        codes, labels = _text_codes(_column(touches, "channel"), "channel")
        return np.zeros(0), codes, labels
    data = _Sorted(touches, required_time=name == "time_decay")
    journey, order = data.journey, data.order
    rows = np.arange(len(order))
    if name == "time_decay":
        age = data.when[order][data.last[journey]] - data.when[order]
        weights = np.exp2(-age / float(half_life))
        receiver = data.last
    else:
        roles = _roles(touches, data)
        weights = _position_weights(name, roles, journey, data.counts, rows)
        receiver = roles[receiver_role(name)]
    weights = weights / np.bincount(journey, weights=weights)[journey]
    credit_sorted = weights * data.revenue[journey]
    # Floating-point leftovers go to the journey's largest-weighted touch: credit stays ≥ 0
    # and each journey sums to its revenue.
    leftover = data.revenue - np.bincount(
        journey, weights=credit_sorted, minlength=len(data.counts)
    )
    credit_sorted[receiver] += leftover
    credit = np.empty_like(credit_sorted)
    credit[order] = credit_sorted
    return credit, data.channel_codes, data.channel_labels


def _data_driven(touches: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Markov or Shapley channel credit from the sorted touches."""
    from xl_funnel.attribution import markov, shapley

    labels = _text_codes(_column(touches, "channel"), "channel")[1]
    if touches.shape[0] == 0:
        return labels, np.zeros(len(labels)), 0.0
    data = _Sorted(touches, required_time=False)
    channel = data.channel_codes[data.order]
    total = float(data.revenue.sum())
    if name == "markov":
        counts = markov.transition_counts(
            channel, data.starts, data.last, data.revenue > 0, len(labels)
        )
        return labels, markov.credit(counts, total), total
    return labels, shapley.journey_credit(channel, data.journey, data.revenue, len(labels)), total


def _journey_time_order(journeys: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Row order by journey, then time; equal times keep the table's order.

    One integer sort of ``journey × rows + rank of time`` is faster than ``np.lexsort``.
    """
    by_time = np.argsort(when, kind="stable")
    rank = np.empty(len(when), dtype=np.int64)
    rank[by_time] = np.arange(len(when))
    return np.argsort(journeys.astype(np.int64) * len(when) + rank)


def _position_weights(
    name: str,
    roles: dict[str, np.ndarray],
    journey: np.ndarray,
    counts: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """Role-share weights before scaling each journey to 1 (see :mod:`.models`)."""
    shares, rest_share = POSITION_SHARES[name]
    weights = np.zeros(len(rows))
    holds_role = np.zeros(len(rows), dtype=bool)
    for role, share in shares.items():
        holder = rows == roles[role][journey]
        weights += share * holder
        holds_role |= holder
    rest = counts - np.bincount(journey, weights=holds_role, minlength=len(counts))
    spread = np.divide(rest_share, rest, out=np.zeros(len(rest)), where=rest > 0)
    return weights + np.where(holds_role, 0.0, spread[journey])


def _roles(touches: pd.DataFrame, data: _Sorted) -> dict[str, np.ndarray]:
    """Sorted-row index of each journey's first, lead, opportunity and last touch."""
    last = data.last
    roles = {"first": data.starts.copy(), "lead": last.copy(), "opportunity": last.copy()}
    roles["last"] = last
    column = _column(touches, "stage", required=False)
    if column is None:
        return roles
    role_of_row = stage_codes(column)[data.order]
    for role in ("first", "lead", "opportunity"):
        marked = np.flatnonzero(role_of_row == ROLES[role])
        # Rows are sorted by journey then time: the first hit per journey is the earliest.
        hit_journeys, first_hit = np.unique(data.journey[marked], return_index=True)
        roles[role][hit_journeys] = marked[first_hit]
    return roles


def stage_codes(column: pd.Series) -> np.ndarray:
    """The role code (:data:`.models.ROLES`, 0 for blank) of each stage marker."""
    import pandas as pd

    codes, uniques = pd.factorize(column)
    texts = pd.Index(uniques).astype(str).str.strip().str.lower()
    texts = texts.str.replace("_", " ").str.replace("-", " ")
    unknown = ~(texts.isin(list(STAGE_MARKERS)) | (texts == ""))
    if unknown.any():
        row = int(np.flatnonzero(np.isin(codes, np.flatnonzero(unknown)))[0])
        raise InvalidChoiceError(
            f"touches stage (row {row + 1}) is {_shown(column.iloc[row])}: a stage marker is "
            "'first touch', 'lead created', 'opportunity created' or blank"
        )
    # Code -1 (a missing value) indexes the appended "no role" at the end. Small integer
    # codes keep the per-row work in numpy, not Python objects.
    role_of_code = np.array(
        [ROLES.get(STAGE_MARKERS.get(text, ""), 0) for text in texts] + [0], dtype=np.int8
    )
    return role_of_code[codes]


def _column(touches: pd.DataFrame, name: str, *, required: bool = True) -> pd.Series | None:
    by_name = {str(column).strip().lower(): column for column in touches.columns}
    for alias in COLUMN_ALIASES[name]:
        if alias in by_name:
            return touches[by_name[alias]]
    if required:
        raise ShapeMismatchError(
            f"touches has no {name!r} column: attribution needs journey, time (or order) and "
            "channel columns, and optionally stage and revenue"
        )
    return None


def _journey_codes(touches: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    column = _column(touches, "journey")
    codes, labels = pd.factorize(column)
    missing = codes < 0
    if labels.dtype == object:
        blank = np.flatnonzero(pd.Index(labels).astype(str).str.strip() == "")
        missing |= np.isin(codes, blank)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidAmountError(
            f"touches journey (row {row + 1}) is blank: every touch needs a journey"
        )
    return codes, np.asarray(labels)


def _text_codes(column: pd.Series, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the sorted distinct trimmed texts of a column; a blank is an error.

    The text work runs on the distinct values only (a handful of channels, not every row).
    """
    import pandas as pd

    codes, uniques = pd.factorize(column)
    texts = np.asarray(pd.Index(uniques).astype(str).str.strip(), dtype=str)
    names, merged = np.unique(texts, return_inverse=True)
    missing = codes < 0
    if names.size and names[0] == "":
        missing |= merged[np.maximum(codes, 0)] == 0
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidAmountError(
            f"touches {label} (row {row + 1}) is blank: every touch needs a {label}"
        )
    return merged[codes], names


def _when(touches: pd.DataFrame, *, required_time: bool) -> np.ndarray:
    """Each touch's time in days (or its order), as floats for sorting and ageing."""
    import pandas as pd

    column = _column(touches, "time", required=False)
    is_time = column is not None
    if column is None:
        if required_time:
            raise ShapeMismatchError(
                "time_decay needs a 'time' column (dates or days) to age the touches; "
                "an 'order' column is not enough"
            )
        column = _column(touches, "order", required=False)
        if column is None:
            raise ShapeMismatchError(
                "touches has no 'time' or 'order' column: attribution needs to know the "
                "order of the touches in each journey"
            )
    label = "time" if is_time else "order"
    if pd.api.types.is_datetime64_any_dtype(column):
        days = _days(column)
    elif pd.api.types.is_numeric_dtype(column):
        days = column.to_numpy(dtype=float)
    else:
        try:
            days = _days(_dates(column))
        except (TypeError, ValueError):
            import pandas as pd

            unread = pd.to_datetime(column, errors="coerce", format="mixed").isna() & column.notna()
            row = int(np.flatnonzero(unread.to_numpy())[0]) if unread.any() else 0
            raise InvalidAmountError(
                f"touches {label} (row {row + 1}) is {_shown(column.iloc[row])}: {label} must "
                "hold dates or numbers"
            ) from None
    bad = ~np.isfinite(days)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidAmountError(
            f"touches {label} (row {row + 1}) is {_shown(column.iloc[row])}: every touch "
            f"needs a {label}"
        )
    return days


def _dates(column: pd.Series) -> pd.Series:
    """Date texts as datetimes: ISO 8601 fast, any other format element by element."""
    import pandas as pd

    try:
        return pd.to_datetime(column, format="ISO8601")
    except (TypeError, ValueError):
        return pd.to_datetime(column, format="mixed")


def _shown(value: object) -> str:
    """A cell value in a message: numbers as a planner writes them, texts quoted."""
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        return fmt(float(value))
    return repr(value)


def _days(column: pd.Series) -> np.ndarray:
    values = column.to_numpy(dtype="datetime64[ns]")
    days = values.astype(np.int64) / _NS_PER_DAY
    return np.where(np.isnat(values), np.nan, days)


def _revenue(
    touches: pd.DataFrame, journey_codes: np.ndarray, journey_labels: np.ndarray
) -> np.ndarray:
    """Revenue of each journey (indexed by journey code)."""
    import pandas as pd

    column = _column(touches, "revenue", required=False)
    if column is None:
        return np.ones(len(journey_labels))
    if pd.api.types.is_numeric_dtype(column):
        numbers = column.to_numpy(dtype=float)
        typo = np.zeros(len(numbers), dtype=bool)
    else:
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        typo = np.isnan(numbers) & (column.fillna("").astype(str).str.strip() != "").to_numpy()
    bad = typo | (numbers < 0) | np.isinf(numbers)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidAmountError(
            f"touches revenue (row {row + 1}) is {_shown(column.iloc[row])}: revenue must be "
            "a number ≥ 0"
        )
    per_journey = pd.Series(numbers).groupby(journey_codes)
    low = per_journey.min().reindex(range(len(journey_labels))).to_numpy()
    high = per_journey.max().reindex(range(len(journey_labels))).to_numpy()
    differ = np.nan_to_num(high - low) > 1e-12 * np.nan_to_num(np.abs(high))
    if differ.any():
        code = int(np.flatnonzero(differ)[0])
        raise InvalidAmountError(
            f"touches revenue of journey {journey_labels[code]!r} differs between its touches "
            f"({fmt(low[code])} and {fmt(high[code])}): give one revenue per journey"
        )
    return np.nan_to_num(high)
