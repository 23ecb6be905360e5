"""Revenue from a separate table of conversions (deals), joined to the touches by journey.

A warehouse keeps touches and deals apart: the touch log has no revenue, the CRM's deals table
has one row per won deal. ``attribute(touches, model, conversions=deals)`` gives each journey
the sum of its deals' revenue, and every journey without a deal 0 (it did not convert: the
``(null)`` state of the Markov model). Journeys are matched as trimmed text, so ``17`` in one
table finds ``"17"`` in the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from xl_funnel.attribution.memory import COLUMN_ALIASES, _shown
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["conversion_revenue", "with_conversions"]


def _find(frame: pd.DataFrame, role: str) -> pd.Series:
    by_name = {str(column).strip().lower(): column for column in frame.columns}
    for alias in COLUMN_ALIASES[role]:
        if alias in by_name:
            return frame[by_name[alias]]
    raise ShapeMismatchError(
        f"conversions has no {role!r} column: a conversions table needs journey and revenue"
    )


def conversion_revenue(conversions: pd.DataFrame) -> pd.Series:
    """Revenue per journey (indexed by the journey as trimmed text), summed over its rows.

    >>> import pandas as pd
    >>> deals = pd.DataFrame({"Journey": ["A", "B", "A"], "Revenue": [100, 50, 25]})
    >>> conversion_revenue(deals).to_dict()
    {'A': 125.0, 'B': 50.0}
    """
    import pandas as pd

    journey, revenue = _find(conversions, "journey"), _find(conversions, "revenue")
    key = journey.astype(str).str.strip()
    blank = (journey.isna() | (key == "")).to_numpy()
    if blank.any():
        row = int(np.flatnonzero(blank)[0])
        raise InvalidAmountError(f"conversions journey (row {row + 1}) is blank")
    numbers = pd.to_numeric(revenue, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(numbers) | (numbers < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidAmountError(
            f"conversions revenue (row {row + 1}) is {_shown(revenue.iloc[row])}: revenue "
            "must be a number ≥ 0"
        )
    return pd.Series(numbers, index=key.to_numpy()).groupby(level=0).sum()


def with_conversions(touches: pd.DataFrame, revenue: pd.Series) -> pd.DataFrame:
    """The touches with their journey's conversion revenue (0 without one) as ``revenue``."""
    own = [c for c in touches.columns if str(c).strip().lower() in COLUMN_ALIASES["revenue"]]
    journey = _find(touches, "journey")
    key = journey.astype(str).str.strip()
    worth = key.map(revenue).fillna(0.0).astype(float)
    return touches.drop(columns=own).assign(revenue=worth.to_numpy())
