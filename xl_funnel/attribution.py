"""Multi-touch attribution: which channels earned the revenue of each buyer journey.

Seed article 002: last-touch attribution hands all revenue to whoever touched the buyer last
(usually sales); a fairer model spreads the credit across the touches of the whole journey.
Every model here splits each journey's revenue over its touches with weights that sum to 1,
so the credit of a journey adds up to its revenue, and the channels' credit to the total.

The work is vectorised over all journeys at once (one stable sort, then ``numpy.bincount``
group sums), so a million touches take well under a second; no Python loop runs per journey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from xl_funnel._checks import as_array, check_positive, fmt
from xl_funnel.errors import InvalidAmountError, InvalidChoiceError, ShapeMismatchError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MODELS", "STAGE_MARKERS", "attribute", "touch_credit"]

#: Attribution models, by the name :func:`attribute` takes.
MODELS = ("first", "last", "linear", "u_shaped", "w_shaped", "time_decay")

#: Values of the optional ``stage`` column, after lower-casing and trimming, and the role each
#: marks. Other non-blank values are an error (a typo would silently move credit otherwise).
STAGE_MARKERS = {
    "first touch": "first",
    "first": "first",
    "lead created": "lead",
    "lead": "lead",
    "opportunity created": "opportunity",
    "opportunity": "opportunity",
    "opp created": "opportunity",
}

# Share of each role, then the share spread evenly over the touches holding no role.
_POSITION_SHARES = {
    "u_shaped": ({"first": 0.4, "lead": 0.4}, 0.2),
    "w_shaped": ({"first": 0.3, "lead": 0.3, "opportunity": 0.3}, 0.1),
}
_MODEL_ALIASES = {"first_touch": "first", "last_touch": "last", "u": "u_shaped", "w": "w_shaped"}
_COLUMN_ALIASES = {
    "journey": ("journey", "journey_id"),
    "time": ("time", "date"),
    "order": ("order",),
    "channel": ("channel",),
    "stage": ("stage",),
    "revenue": ("revenue",),
}
_NS_PER_DAY = 86_400e9


def attribute(touches: pd.DataFrame, model: str, half_life_days: float = 7.0) -> pd.DataFrame:
    """Revenue credited to each channel under an attribution model.

    Parameters
    ----------
    touches : pandas.DataFrame
        One row per marketing or sales touch. Columns, matched case-insensitively:

        ============ ========================================================================
        ``journey``  journey (buyer, deal) the touch belongs to; also ``journey_id``
        ``time``     when it happened: datetimes, date strings or numbers of days (Excel
                     date serials work); also ``date``. Needed by ``time_decay``.
        ``order``    instead of ``time``: the touch's position (1, 2, 3, …) in its journey
        ``channel``  the channel credited for the touch (text)
        ``stage``    optional marker: ``first touch``, ``lead created`` or
                     ``opportunity created`` (also ``first``, ``lead``, ``opportunity``);
                     blank for other touches
        ``revenue``  optional: the journey's revenue, on every row of the journey or on
                     some of them (they must agree); a journey without any is worth 0.
                     Without the column every journey is worth 1, so the credit counts
                     conversions.
        ============ ========================================================================

        Touches with equal times keep their order in the table.
    model : {'first', 'last', 'linear', 'u_shaped', 'w_shaped', 'time_decay'}
        Attribution model (case-insensitive; ``-`` and spaces read as ``_``).
    half_life_days : float, default 7
        ``time_decay`` only: a touch this many days before the journey's last touch gets half
        the weight of the last touch. > 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``channel``, one row per channel, the largest credit first (ties by
        name): ``revenue`` (the credited revenue) and ``share`` (of all credited revenue;
        NaN when the total is 0). The ``revenue`` column can be passed straight to
        ``channel_metrics(table, revenue=...)``.

    Raises
    ------
    ShapeMismatchError
        A required column is missing, or ``time_decay`` without ``time``.
    InvalidChoiceError
        An unknown model or stage marker.
    InvalidAmountError
        A blank journey or channel, a missing or non-numeric time, a negative revenue, or
        rows of one journey giving different revenues.

    See Also
    --------
    touch_credit : the credit of every touch, for per-journey reports.

    Notes
    -----
    Each touch :math:`k` of a journey with revenue :math:`R` gets :math:`R\\,w_k` with
    :math:`\\sum_k w_k = 1`. With :math:`n` touches in time order:

    - ``first``: :math:`w = 1` for the first touch; ``last``: 1 for the last touch;
    - ``linear``: :math:`w_k = 1/n`;
    - ``u_shaped``: 40 % to the first touch, 40 % to the lead-created touch, 20 % spread
      evenly over every other touch of the journey;
    - ``w_shaped``: 30 % each to the first, lead-created and opportunity-created touches,
      10 % spread evenly over every other touch;
    - ``time_decay``: :math:`w_k \\propto 2^{-a_k / h}` with :math:`a_k` the days from touch
      :math:`k` to the journey's last touch (the conversion) and :math:`h` the half-life.

    Roles: the first touch is the touch marked ``first touch``, else the earliest; the
    lead-created and opportunity-created touches are the touches so marked (the earliest if
    several), else the **last** touch. So without a ``stage`` column U-shaped is the classic
    position-based 40/20/40 (first / middle / last) and W-shaped gives 30 % to the first
    touch, 60 % to the last and 10 % to those between.

    One touch holding two roles gets both shares. When no touch is left for the "rest" share
    (one or two touches, or every touch holds a role), the role shares are scaled up to sum
    to 1: a one-touch journey gives it 100 %; two touches split U-shaped 50/50; three touches
    with the three W-shaped roles get a third each.

    To keep the books exact, floating-point rounding left over in a journey is added to its
    largest-weighted touch (the first-role touch; the last touch for ``last`` and
    ``time_decay``), so every journey's credit sums to its revenue to within 1e-12 relative.

    References
    ----------
    Seed article ``002_…`` (Russian, "KPIs that prove the value of marketing"): a fairer
    attribution spreads revenue credit across all stages of the process.

    Examples
    --------
    Two journeys: A (Ads → Webinar → Email → Sales, lead created at the webinar, worth
    10,000) and B (Email only, worth 2,000):

    >>> import pandas as pd
    >>> touches = pd.DataFrame({
    ...     "journey": ["A", "A", "A", "A", "B"],
    ...     "order": [1, 2, 3, 4, 1],
    ...     "channel": ["Ads", "Webinar", "Email", "Sales", "Email"],
    ...     "stage": ["", "lead created", "", "", ""],
    ...     "revenue": [10_000, 10_000, 10_000, 10_000, 2_000]})
    >>> attribute(touches, "u_shaped").round(4)
              revenue   share
    channel
    Ads        4000.0  0.3333
    Webinar    4000.0  0.3333
    Email      3000.0  0.2500
    Sales      1000.0  0.0833
    >>> attribute(touches, "last")["revenue"].to_dict()
    {'Sales': 10000.0, 'Email': 2000.0, 'Ads': 0.0, 'Webinar': 0.0}
    """
    import pandas as pd

    credit, codes, labels = _credit(touches, model, half_life_days)
    totals = np.bincount(codes, weights=credit, minlength=len(labels))
    total = totals.sum()
    shares = totals / total if total > 0 else np.full(len(totals), np.nan)
    # Largest credit first; np.unique sorted the names, and a stable sort keeps that for ties.
    order = np.argsort(-totals, kind="stable")
    return pd.DataFrame(
        {"revenue": totals[order], "share": shares[order]},
        index=pd.Index(labels[order], name="channel"),
    )


def touch_credit(touches: pd.DataFrame, model: str, half_life_days: float = 7.0) -> pd.Series:
    """Revenue credited to every touch, aligned with the rows of ``touches``.

    Takes the same arguments as :func:`attribute` (see it for the columns and the models);
    group the result by journey and channel for per-journey reports.

    Returns
    -------
    pandas.Series
        Named ``credit``, with the index of ``touches``.

    Notes
    -----
    Summing the credit over the touches of a journey gives its revenue (to 1e-12
    relative); summing it by channel gives :func:`attribute`.

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

    credit, _, _ = _credit(touches, model, half_life_days)
    return pd.Series(credit, index=touches.index, name="credit")


def _credit(
    touches: pd.DataFrame, model: str, half_life_days: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Credit per touch (table order), each touch's channel code, and the channel names."""
    name = _model_name(model)
    half_life = as_array(half_life_days, "half_life_days")
    if name == "time_decay":  # checked first: no sorting for a call that must fail
        check_positive(half_life, "half_life_days", "a half-life")
    channel_codes, channel_labels = _text_codes(_column(touches, "channel"), "channel")
    if touches.shape[0] == 0:
        return np.zeros(0), channel_codes, channel_labels
    journey_codes, journey_labels = _journey_codes(touches)
    when = _when(touches, required_time=name == "time_decay")
    revenue = _revenue(touches, journey_codes, journey_labels)
    order = _journey_time_order(journey_codes, when)
    journey = journey_codes[order]
    counts = np.bincount(journey, minlength=len(journey_labels))
    starts = np.cumsum(counts) - counts
    last = starts + counts - 1
    rows = np.arange(len(order))
    roles = _roles(touches, order, journey, starts, last)
    if name == "time_decay":
        age = when[order][last[journey]] - when[order]
        weights = np.exp2(-age / float(half_life))
        receiver = last
    elif name == "first":
        receiver = roles["first"]
        weights = (rows == receiver[journey]).astype(float)
    elif name == "last":
        receiver = last
        weights = (rows == last[journey]).astype(float)
    elif name == "linear":
        receiver = starts
        weights = 1.0 / counts[journey]
    else:
        receiver = roles["first"]
        weights = _position_weights(name, roles, journey, counts, rows)
    weights = weights / np.bincount(journey, weights=weights)[journey]
    credit_sorted = weights * revenue[journey]
    # Floating-point leftovers go to the journey's largest-weighted touch: credit stays ≥ 0
    # and each journey sums to its revenue.
    leftover = revenue - np.bincount(journey, weights=credit_sorted, minlength=len(counts))
    credit_sorted[receiver] += leftover
    credit = np.empty_like(credit_sorted)
    credit[order] = credit_sorted
    return credit, channel_codes, channel_labels


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
    """U- and W-shaped weights before scaling each journey to 1."""
    shares, rest_share = _POSITION_SHARES[name]
    weights = np.zeros(len(rows))
    holds_role = np.zeros(len(rows), dtype=bool)
    for role, share in shares.items():
        holder = rows == roles[role][journey]
        weights += share * holder
        holds_role |= holder
    rest = counts - np.bincount(journey, weights=holds_role, minlength=len(counts))
    spread = np.divide(rest_share, rest, out=np.zeros(len(rest)), where=rest > 0)
    return weights + np.where(holds_role, 0.0, spread[journey])


def _roles(
    touches: pd.DataFrame,
    order: np.ndarray,
    journey: np.ndarray,
    starts: np.ndarray,
    last: np.ndarray,
) -> dict[str, np.ndarray]:
    """Sorted-row index of each journey's first, lead-created and opportunity-created touch."""
    roles = {"first": starts.copy(), "lead": last.copy(), "opportunity": last.copy()}
    column = _column(touches, "stage", required=False)
    if column is None:
        return roles
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
    # Code -1 (a missing value) indexes the appended "no role" at the end.
    # Small integer codes (0 = no role) keep the per-row work in numpy, not Python objects.
    number = {role: i + 1 for i, role in enumerate(roles)}
    role_of_code = np.array(
        [number.get(STAGE_MARKERS.get(text, ""), 0) for text in texts] + [0], dtype=np.int8
    )
    role_of_row = role_of_code[codes[order]]
    for role in roles:
        marked = np.flatnonzero(role_of_row == number[role])
        # Rows are sorted by journey then time: the first hit per journey is the earliest.
        hit_journeys, first_hit = np.unique(journey[marked], return_index=True)
        roles[role][hit_journeys] = marked[first_hit]
    return roles


def _model_name(model: str) -> str:
    name = str(model).strip().lower().replace("-", "_").replace(" ", "_")
    name = _MODEL_ALIASES.get(name, name)
    if name not in MODELS:
        raise InvalidChoiceError(f"model is {model!r}: choose one of {', '.join(MODELS)}")
    return name


def _column(touches: pd.DataFrame, name: str, *, required: bool = True) -> pd.Series | None:
    by_name = {str(column).strip().lower(): column for column in touches.columns}
    for alias in _COLUMN_ALIASES[name]:
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
            raise InvalidAmountError(
                f"touches {label} must hold dates or numbers, got {_shown(column.iloc[0])}"
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
