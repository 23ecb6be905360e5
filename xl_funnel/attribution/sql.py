"""The attribution models as SQL: one set of queries for DuckDB and Spark SQL.

Every query reads a view of the raw touch table (the user's columns plus ``xlf_row``, the row's
1-based position in the table) normalised as the in-memory engine does (:func:`prepared`). The
two dialects differ only in how an identifier is quoted and how a timestamp becomes a number
(:class:`Dialect`); everything else is standard SQL: window functions, ``GROUP BY`` and joins.
Each query returns a small table (a row per channel, or per transition for ``markov``); the
heavy work stays in the engine.

The model shares come from :data:`.models.POSITION_SHARES`, the same table the numpy engine
reads. Channel names and stage markers are few: the engine lists their distinct values once,
Python normalises those (trimming, the marker spellings) exactly as the in-memory engine does,
and the queries map raw values with a ``CASE`` instead of running string functions per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xl_funnel.attribution.models import POSITION_SHARES

__all__ = ["CHECKS", "ROW", "Dialect", "Source", "channel_query", "prepared"]

#: The column holding each raw row's 1-based position in the table.
ROW = "xlf_row"


@dataclass(frozen=True)
class Dialect:
    """What differs between the SQL engines."""

    quote_char: str
    #: SQL turning a TIMESTAMP into microseconds since 1970 (a whole number: exact everywhere).
    micros: str
    #: Spark reads a backslash in a string literal as an escape; DuckDB as itself.
    backslash_escapes: bool
    #: How to name the touches and the per-journey table in ``WITH``: DuckDB is told to read
    #: the touches in place (not to store them) and to keep the journeys it reuses.
    touches_cte: str = "tc AS"
    journeys_cte: str = "jr AS"

    def quote(self, name: str) -> str:
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def literal(self, value: str) -> str:
        if self.backslash_escapes:
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + value.replace("'", "''") + "'"


DUCKDB = Dialect(
    '"',
    "epoch_us({})",
    backslash_escapes=False,
    touches_cte="tc AS NOT MATERIALIZED",
    journeys_cte="jr AS MATERIALIZED",
)
SPARK = Dialect("`", "unix_micros({})", backslash_escapes=True)


@dataclass(frozen=True)
class Source:
    """The raw view, which columns play which part, and how to read them."""

    view: str
    journey: str
    journey_text: bool
    channel: str
    #: Raw channel text → its trimmed name, for the values that need trimming (or whose column
    #: is not text); empty when the raw column can be used as it is.
    channel_names: dict[str, str] | None
    time: str
    time_kind: str  # 'number', 'timestamp' or 'text'
    stage: str | None
    #: Raw stage marker text → role code, for the markers (blank and unknown values map to 0).
    stage_roles: dict[str, int] = field(default_factory=dict)
    revenue: str | None = None
    revenue_numeric: bool = True


def text(dialect: Dialect, column: str) -> str:
    return f"CAST({dialect.quote(column)} AS STRING)"


def prepared(source: Source, dialect: Dialect) -> str:
    """``SELECT`` of the normalised touches: j, ts (days), rn, ch, role, rev."""
    q = dialect.quote
    if source.time_kind == "number":
        ts = f"CAST({q(source.time)} AS DOUBLE)"
    else:
        stamp = f"TRY_CAST({q(source.time)} AS TIMESTAMP)"
        ts = f"{dialect.micros.format(stamp)} / 86400000000.0"
    if source.revenue is None:
        rev = "CAST(1.0 AS DOUBLE)"
    elif source.revenue_numeric:
        rev = f"CAST({q(source.revenue)} AS DOUBLE)"
    else:
        rev = f"TRY_CAST(TRIM({text(dialect, source.revenue)}) AS DOUBLE)"
    if source.channel_names is None:
        channel = q(source.channel)
    else:
        cases = " ".join(
            f"WHEN {dialect.literal(raw)} THEN {dialect.literal(name)}"
            for raw, name in source.channel_names.items()
        )
        raw = text(dialect, source.channel)
        channel = f"CASE {raw} {cases} ELSE {raw} END" if cases else raw
    role = "0"
    if source.stage is not None and source.stage_roles:
        cases = " ".join(
            f"WHEN {dialect.literal(raw)} THEN {code}" for raw, code in source.stage_roles.items()
        )
        role = f"CASE {text(dialect, source.stage)} {cases} ELSE 0 END"
    return (
        f"SELECT {q(source.journey)} AS j, {ts} AS ts, {ROW} AS rn, {channel} AS ch, "
        f"{role} AS role, {rev} AS rev FROM {source.view}"
    )


#: The columns every query returns first: what the checks found (one value for the table).
CHECKS = ("bad_journey", "bad_channel", "bad_time", "bad_revenue", "touches", "total", "differs")


def _head(source: Source, dialect: Dialect) -> str:
    """The touches (``tc``), one row per journey with its checks (``jr``), and the table's
    checks (``checks``): the first bad row of each kind (NULL when none), the number of
    touches, the total revenue and the first journey whose rows give two revenues.

    Checking folds into the one ``GROUP BY`` journey every model needs anyway, so a model
    reads the table once or twice, not once more for the checks.
    """
    tests = {
        "journey": "j IS NULL" + (" OR TRIM(j) = ''" if source.journey_text else ""),
        "channel": "ch IS NULL",
        "time": "ts IS NULL OR isnan(ts)",
        "revenue": "FALSE",
    }
    columns = prepared(source, dialect)
    if source.revenue is not None:
        tests["revenue"] = "rev < 0 OR isnan(rev) OR rev > 1.7e308"
        if not source.revenue_numeric:
            raw = text(dialect, source.revenue)
            tests["revenue"] += f" OR (rev IS NULL AND TRIM({raw}) <> '')"
            columns = columns.replace(
                f" FROM {source.view}", f", {dialect.quote(source.revenue)} FROM {source.view}"
            )
    firsts = ", ".join(
        f"MIN(CASE WHEN {test} THEN rn END) AS bad_{name}" for name, test in tests.items()
    )
    return (
        f"WITH {dialect.touches_cte} ({columns}), "
        f"{dialect.journeys_cte} (SELECT j, COALESCE(MAX(rev), 0.0) AS revenue, MIN(rev) AS lo, "
        "MAX(rev) AS hi, COUNT(*) AS n, MIN(ts) AS first_ts, MAX(ts) AS last_ts, "
        "MIN(CASE WHEN role = 1 THEN ts END) AS first_marked_ts, "
        "MIN(CASE WHEN role = 2 THEN ts END) AS lead_marked_ts, "
        "MIN(CASE WHEN role = 3 THEN ts END) AS opportunity_marked_ts, "
        f"{firsts} FROM tc GROUP BY j), "
        "checks AS (SELECT "
        + ", ".join(f"MIN(bad_{name}) AS bad_{name}" for name in tests)
        + ", SUM(n) AS touches, SUM(revenue) AS total, "
        "MIN(CASE WHEN hi - lo > 1e-12 * ABS(hi) THEN CAST(j AS STRING) END) AS differs "
        "FROM jr)"
    )


def channel_query(source: Source, dialect: Dialect, model: str, half_life: float) -> str:
    """The checks (:data:`CHECKS`) on every row, then the model's result and ``hit`` (NULL
    on the one row of a table without touches): credit per channel (``ch``, ``credit``), or
    for ``markov`` the transition counts (``src``, ``dst``, ``converted``, ``cnt``)."""
    per_touch = "SELECT ch, SUM(credit) AS credit, 1 AS hit FROM c GROUP BY ch"
    if model == "markov":
        result = _markov()
    elif model == "shapley":
        # Each journey's revenue split evenly over its distinct channels (see .shapley).
        result = (
            "d AS (SELECT DISTINCT j, ch FROM tc), "
            "m AS (SELECT j, COUNT(*) AS m FROM d GROUP BY j), "
            "result AS (SELECT d.ch AS ch, SUM(jr.revenue / m.m) AS credit, 1 AS hit "
            "FROM d JOIN m ON d.j = m.j JOIN jr ON d.j = jr.j GROUP BY d.ch)"
        )
    elif model == "time_decay":
        weight = f"POWER(CAST(2 AS DOUBLE), -(MAX(ts) OVER (PARTITION BY j) - ts) / {half_life!r})"
        result = (
            f"w AS (SELECT j, ch, {weight} AS w FROM tc), "
            "c AS (SELECT w.ch AS ch, jr.revenue * w.w / SUM(w.w) OVER (PARTITION BY w.j) AS "
            f"credit FROM w JOIN jr ON w.j = jr.j), result AS ({per_touch})"
        )
    else:
        shares, rest = POSITION_SHARES[model]
        if shares:
            result = _position(shares, rest, per_touch)
        else:  # linear: the rest share over every touch, no order needed
            result = (
                f"c AS (SELECT tc.ch AS ch, jr.revenue * {rest!r} / jr.n AS credit "
                f"FROM tc JOIN jr ON tc.j = jr.j), result AS ({per_touch})"
            )
    return (
        f"{_head(source, dialect)}, {result} "
        "SELECT checks.*, result.* FROM checks LEFT JOIN result ON 1 = 1"
    )


def _position(shares: dict[str, float], rest: float, per_touch: str) -> str:
    """Role-share credit (:data:`.models.POSITION_SHARES`) with group-bys and joins only.

    Each role's holder is found without sorting: the earliest marked touch is the marked
    touch at the journey's earliest marked time with the smallest row number (the table's
    order breaks ties), the first touch the one at the earliest time, the last the one at the
    latest time with the largest row number. A journey's total weight is known from how many
    distinct touches hold the roles, so no window is needed either.
    """
    holder = {
        "first": "COALESCE(MIN(CASE WHEN tc.role = 1 AND tc.ts = jr.first_marked_ts "
        "THEN tc.rn END), MIN(CASE WHEN tc.ts = jr.first_ts THEN tc.rn END))",
        "lead": "COALESCE(MIN(CASE WHEN tc.role = 2 AND tc.ts = jr.lead_marked_ts "
        "THEN tc.rn END), MAX(CASE WHEN tc.ts = jr.last_ts THEN tc.rn END))",
        "opportunity": "COALESCE(MIN(CASE WHEN tc.role = 3 AND tc.ts = "
        "jr.opportunity_marked_ts THEN tc.rn END), "
        "MAX(CASE WHEN tc.ts = jr.last_ts THEN tc.rn END))",
        "last": "MAX(CASE WHEN tc.ts = jr.last_ts THEN tc.rn END)",
    }
    roles = list(shares)
    found = ", ".join(f"{holder[role]} AS at_{role}" for role in roles)
    # How many distinct touches hold the roles: 1 + each role on a touch no earlier role held.
    distinct = " + ".join(
        ["1"]
        + [
            "CASE WHEN "
            + " AND ".join(f"at_{r} <> at_{earlier}" for earlier in roles[:i])
            + " THEN 1 ELSE 0 END"
            for i, r in enumerate(roles)
            if i
        ]
    )
    role_weight = " + ".join(
        f"CASE WHEN tc.rn = h.at_{role} THEN {share!r} ELSE 0.0 END"
        for role, share in shares.items()
    )
    holds = " OR ".join(f"tc.rn = h.at_{role}" for role in roles)
    total = sum(shares.values())
    return (
        f"h0 AS (SELECT tc.j AS j, {found} FROM tc JOIN jr ON tc.j = jr.j GROUP BY tc.j), "
        f"h AS (SELECT h0.*, jr.n - ({distinct}) AS rest_n, jr.revenue FROM h0 "
        "JOIN jr ON h0.j = jr.j), "
        f"c AS (SELECT tc.ch AS ch, h.revenue * (({role_weight}) + CASE WHEN {holds} THEN 0.0 "
        f"ELSE {rest!r} / h.rest_n END) / ({total!r} + CASE WHEN h.rest_n > 0 THEN {rest!r} "
        "ELSE 0.0 END) AS credit FROM tc JOIN h ON tc.j = h.j), "
        f"result AS ({per_touch})"
    )


def _markov() -> str:
    """Transition counts: (src, dst, converted, cnt); src NULL = start, dst NULL = the end."""
    return (
        "o AS (SELECT j, ch, ROW_NUMBER() OVER (PARTITION BY j ORDER BY ts, rn) AS k, "
        "LEAD(ch) OVER (PARTITION BY j ORDER BY ts, rn) AS nxt FROM tc), "
        "e AS (SELECT o.ch AS src, o.nxt AS dst, "
        "CASE WHEN o.nxt IS NULL AND jr.revenue > 0 THEN 1 ELSE 0 END AS converted "
        "FROM o JOIN jr ON o.j = jr.j "
        "UNION ALL SELECT CAST(NULL AS STRING) AS src, ch AS dst, 0 AS converted "
        "FROM o WHERE k = 1), "
        "result AS (SELECT src, dst, converted, COUNT(*) AS cnt, 1 AS hit FROM e "
        "GROUP BY src, dst, converted)"
    )
