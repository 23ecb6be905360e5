"""Multi-touch attribution: which channels earned the revenue of the buyer journeys.

Seed article 002: last-touch attribution hands all revenue to whoever touched the buyer last
(usually sales); a fairer model spreads the credit across the touches of the whole journey.
Every rule-based model splits each journey's revenue over its touches with weights that sum to
1; the data-driven ones (Markov removal effect, Shapley value) share the total revenue between
the channels. Either way the channels' credit adds up to the revenue.

The models are described once (:mod:`.models`) and run on three engines: in memory with numpy
(:mod:`.memory`, the reference, and what the Excel function uses), on DuckDB and on Apache Spark
(:mod:`.sql`: one set of SQL queries for both, :mod:`.engines`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from xl_funnel.attribution.memory import touch_credit
from xl_funnel.attribution.models import DATA_DRIVEN, MODELS, STAGE_MARKERS, model_name
from xl_funnel.errors import InvalidChoiceError

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

__all__ = ["DATA_DRIVEN", "ENGINES", "MODELS", "STAGE_MARKERS", "attribute", "touch_credit"]

#: Where the work runs: ``duckdb`` (embedded, the default for files), ``spark`` (a cluster, or
#: local mode), ``pandas`` (in memory, numpy: the reference).
ENGINES = ("duckdb", "spark", "pandas")


def attribute(
    touches: pd.DataFrame | str | os.PathLike[str],
    model: str,
    half_life_days: float = 7.0,
    *,
    engine: str | None = None,
    conversions: pd.DataFrame | str | os.PathLike[str] | None = None,
    spark_master: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Revenue credited to each channel under an attribution model.

    Parameters
    ----------
    touches : pandas.DataFrame or path
        One row per marketing or sales touch, as a DataFrame or a ``.parquet`` / ``.csv``
        file (read where it lives by DuckDB or Spark). Columns, matched case-insensitively:

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
                     some of them (they must agree); a journey without any is worth 0 (for
                     ``markov``: it did not convert). Without the column every journey is
                     worth 1, so the credit counts conversions.
        ============ ========================================================================

        Touches with equal times keep their order in the table.
    model : str
        One of :data:`MODELS`: ``first``, ``last``, ``linear``, ``u_shaped``, ``w_shaped``,
        ``full_path`` (Z-shaped), ``j_shaped``, ``inverse_j``, ``time_decay``, ``markov``,
        ``shapley`` (case-insensitive; ``-`` and spaces read as ``_``).
    half_life_days : float, default 7
        ``time_decay`` only: a touch this many days before the journey's last touch gets half
        the weight of the last touch. > 0.
    engine : {'duckdb', 'spark', 'pandas'}, optional
        Where to compute. Default: ``duckdb`` for a file (``pandas`` when DuckDB is not
        installed: ``pip install 'xl-funnel[attribution]'``), ``pandas`` (in memory) for a
        DataFrame. Every engine gives the same credit (to 1e-9 relative).
    conversions : pandas.DataFrame or path, optional
        A separate table of conversions (won deals) with ``journey`` and ``revenue``
        columns: each journey is worth the sum of its rows, a journey without one 0 (did
        not convert). The touches' own ``revenue`` column is then ignored. See
        :mod:`xl_funnel.attribution.conversions`.
    spark_master : str, optional
        ``spark`` only: the cluster's master URL (``spark://host:7077``, ``yarn``, …);
        default local mode on every core.
    progress : callable, optional
        Called with a short message as each step starts (the command line prints them).

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
        An unknown model, engine or stage marker.
    InvalidAmountError
        A blank journey or channel, a missing or non-numeric time, a negative revenue, or
        rows of one journey giving different revenues.

    See Also
    --------
    touch_credit : the credit of every touch, for per-journey reports (rule-based models).

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
    - ``full_path`` (Z-shaped): 22.5 % each to the first, lead-created,
      opportunity-created and last (deal-closed) touches, 10 % over the others;
    - ``j_shaped``: 20 % first, 60 % last, 20 % over the others; ``inverse_j``: 60 % first,
      20 % last, 20 % over the others;
    - ``time_decay``: :math:`w_k \\propto 2^{-a_k / h}` with :math:`a_k` the days from touch
      :math:`k` to the journey's last touch (the conversion) and :math:`h` the half-life.

    Roles: the first touch is the touch marked ``first touch``, else the earliest; the
    lead-created and opportunity-created touches are the touches so marked (the earliest if
    several), else the **last** touch. One touch holding two roles gets both shares. When no
    touch is left for the "rest" share, the role shares are scaled up to sum to 1: a one-touch
    journey gives it 100 %.

    Data-driven models credit channels from all journeys together:

    - ``markov``: first-order Markov chain over ``(start)``, the channels, ``(conversion)``
      and ``(null)`` (a journey with revenue 0); channel :math:`c` gets
      :math:`R_{total}\\,E_c / \\sum_d E_d` with its removal effect
      :math:`E_c = 1 - p_{-c}/p` (see :mod:`xl_funnel.attribution.markov`);
    - ``shapley``: the Shapley value of the game whose coalition worth is the revenue of the
      journeys touched only by channels of the coalition (see
      :mod:`xl_funnel.attribution.shapley`).

    To keep the books exact, floating-point rounding left over is added to the
    largest-weighted touch of each journey (or the largest channel for the data-driven
    models), so the credit sums to the revenue to within 1e-12 relative.

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
    >>> attribute(touches, "shapley", engine="duckdb")["revenue"].round(6).to_dict()
    {'Email': 4500.0, 'Ads': 2500.0, 'Sales': 2500.0, 'Webinar': 2500.0}
    """
    from xl_funnel.attribution import memory
    from xl_funnel.attribution.conversions import conversion_revenue, with_conversions
    from xl_funnel.attribution.engines import read_frame

    name = model_name(model)
    chosen = _engine(engine, touches)
    report = progress or (lambda message: None)
    worth = None
    if conversions is not None:
        worth = conversion_revenue(
            conversions if _is_frame(conversions) else read_frame(conversions)
        )
    if chosen == "pandas":
        if not _is_frame(touches):
            report(f"reading {os.fspath(touches)}")
            touches = read_frame(touches)
        if worth is not None:
            touches = with_conversions(touches, worth)
        report(f"{name}: computing in memory")
        labels, totals, total = memory.channel_credit(touches, name, half_life_days)
    else:
        from xl_funnel.attribution import engines

        labels, totals, total = engines.channel_credit(
            touches,
            name,
            half_life_days,
            chosen,
            conversions=worth,
            spark_master=spark_master,
            progress=report,
        )
    return channel_table(labels, totals, total)


def channel_table(labels: np.ndarray, totals: np.ndarray, total: float) -> pd.DataFrame:
    """The channel table: largest credit first, ties by name; shares of the credited total.

    The channels' credit is nudged so that it adds up to ``total`` (the revenue) exactly as
    floating point allows: the remainder of the engine's sums goes to the largest channel.
    """
    import pandas as pd

    labels = np.asarray(labels, dtype=object).astype(str)
    totals = np.asarray(totals, dtype=float).copy()
    if len(totals) and total > 0:
        totals[int(np.argmax(totals))] += total - totals.sum()
    credited = totals.sum()
    shares = totals / credited if credited > 0 else np.full(len(totals), np.nan)
    # Largest credit first, ties by name; compared at 12 significant digits, so the float noise
    # of one engine's sums (or the remainder above) never decides the order of equal channels.
    scale = float(np.max(np.abs(totals))) if len(totals) else 1.0
    key = -np.round(totals / (scale or 1.0), 12)
    by_name = np.argsort(labels, kind="stable")
    order = by_name[np.argsort(key[by_name], kind="stable")]
    return pd.DataFrame(
        {"revenue": totals[order], "share": shares[order]},
        index=pd.Index(labels[order], name="channel"),
    )


def _is_frame(touches: object) -> bool:
    return hasattr(touches, "columns") and hasattr(touches, "iloc")


#: The package each engine needs, and the extra that installs it.
_PACKAGES = {"duckdb": ("duckdb", "attribution"), "spark": ("pyspark", "spark")}


def default_engine() -> str:
    """``duckdb`` when it is installed, else ``pandas``: the engine for a file by default."""
    import importlib.util

    return "duckdb" if importlib.util.find_spec("duckdb") else "pandas"


def _engine(engine: str | None, touches: object) -> str:
    if engine is None:
        return "pandas" if _is_frame(touches) else default_engine()
    chosen = str(engine).strip().lower()
    if chosen not in ENGINES:
        raise InvalidChoiceError(f"engine is {engine!r}: choose one of {', '.join(ENGINES)}")
    if chosen in _PACKAGES:
        import importlib.util

        package, extra = _PACKAGES[chosen]
        if importlib.util.find_spec(package) is None:
            raise InvalidChoiceError(
                f"engine is {chosen!r} but {package} is not installed: "
                f"pip install 'xl-funnel[{extra}]', or choose engine 'pandas'"
            )
    return chosen
