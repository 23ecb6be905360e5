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

__all__ = ["ROW", "Dialect", "Source", "channel_query", "checks_query", "prepared"]

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

    def quote(self, name: str) -> str:
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def literal(self, value: str) -> str:
        if self.backslash_escapes:
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + value.replace("'", "''") + "'"


DUCKDB = Dialect('"', "epoch_us({})", backslash_escapes=False)
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


def checks_query(source: Source, dialect: Dialect) -> str:
    """One pass of checks: the first bad row (NULL when none) of each kind of problem, the row
    count, the total revenue and the first journey whose rows give two different revenues."""
    checks = {
        "journey": "j IS NULL" + (" OR TRIM(j) = ''" if source.journey_text else ""),
        "channel": "ch IS NULL",
        "time": "ts IS NULL OR isnan(ts)",
    }
    if source.revenue is not None:
        typo = (
            ""
            if source.revenue_numeric
            else f" OR (rev IS NULL AND TRIM({text(dialect, source.revenue)}) <> '')"
        )
        checks["revenue"] = f"rev < 0 OR isnan(rev) OR rev > 1.7e308{typo}"
    columns = ", ".join(
        f"MIN(CASE WHEN {test} THEN rn END) AS bad_{name}" for name, test in checks.items()
    )
    extra = ""
    if source.revenue is not None and not source.revenue_numeric:
        extra = f", {dialect.quote(source.revenue)}"
    rows = prepared(source, dialect).replace(f" FROM {source.view}", f"{extra} FROM {source.view}")
    return (
        f"WITH t AS ({rows}), "
        "jr AS (SELECT j, MIN(rev) AS lo, MAX(rev) AS hi FROM t GROUP BY j) "
        f"SELECT * FROM (SELECT {columns}, COUNT(*) AS touches FROM t) AS a CROSS JOIN "
        "(SELECT SUM(COALESCE(hi, 0.0)) AS total, "
        "MIN(CASE WHEN hi - lo > 1e-12 * ABS(hi) THEN CAST(j AS STRING) END) AS differs "
        "FROM jr) AS b"
    )


def channel_query(source: Source, dialect: Dialect, model: str, half_life: float) -> str:
    """Credit per channel (``ch``, ``credit``); for ``markov``, the transition counts."""
    head = (
        f"WITH tc AS ({prepared(source, dialect)}), "
        "jr AS (SELECT j, COALESCE(MAX(rev), 0.0) AS revenue, COUNT(*) AS n FROM tc GROUP BY j)"
    )
    per_touch = "SELECT ch, SUM(credit) AS credit FROM c GROUP BY ch"
    if model == "markov":
        return head + ", " + _markov()
    if model == "shapley":
        # Each journey's revenue split evenly over its distinct channels (see .shapley).
        return (
            f"{head}, d AS (SELECT DISTINCT j, ch FROM tc), "
            "m AS (SELECT j, COUNT(*) AS m FROM d GROUP BY j) "
            "SELECT d.ch AS ch, SUM(jr.revenue / m.m) AS credit "
            "FROM d JOIN m ON d.j = m.j JOIN jr ON d.j = jr.j GROUP BY d.ch"
        )
    if model == "time_decay":
        weight = f"POWER(CAST(2 AS DOUBLE), -(MAX(ts) OVER (PARTITION BY j) - ts) / {half_life!r})"
        return (
            f"{head}, w AS (SELECT j, ch, {weight} AS w FROM tc), "
            "c AS (SELECT w.ch AS ch, jr.revenue * w.w / SUM(w.w) OVER (PARTITION BY w.j) AS "
            "credit FROM w JOIN jr ON w.j = jr.j) " + per_touch
        )
    shares, rest = POSITION_SHARES[model]
    if not shares:  # linear: the rest share over every touch, no order needed
        return (
            f"{head}, c AS (SELECT tc.ch AS ch, jr.revenue * {rest!r} / jr.n AS credit "
            "FROM tc JOIN jr ON tc.j = jr.j) " + per_touch
        )
    return (
        f"{head}, o AS (SELECT j, ch, role, "
        "ROW_NUMBER() OVER (PARTITION BY j ORDER BY ts, rn) AS k, "
        "COUNT(*) OVER (PARTITION BY j) AS n FROM tc), "
        f"w AS ({_position(shares, rest)}), "
        "c AS (SELECT w.ch AS ch, jr.revenue * w.w / SUM(w.w) OVER (PARTITION BY w.j) AS credit"
        " FROM w JOIN jr ON w.j = jr.j) " + per_touch
    )


def _position(shares: dict[str, float], rest: float) -> str:
    """Role-share weights (:data:`.models.POSITION_SHARES`) of every touch of ``o``."""
    at = {
        "first": "COALESCE(MIN(CASE WHEN role = 1 THEN k END) OVER (PARTITION BY j), 1)",
        "lead": "COALESCE(MIN(CASE WHEN role = 2 THEN k END) OVER (PARTITION BY j), n)",
        "opportunity": "COALESCE(MIN(CASE WHEN role = 3 THEN k END) OVER (PARTITION BY j), n)",
        "last": "n",
    }
    roles = ", ".join(f"{at[role]} AS at_{role}" for role in shares)
    holds = " OR ".join(f"k = at_{role}" for role in shares)
    role_weight = " + ".join(
        f"CASE WHEN k = at_{role} THEN {share!r} ELSE 0.0 END" for role, share in shares.items()
    )
    return (
        f"SELECT j, ch, ({role_weight}) + CASE WHEN holds = 0 THEN "
        f"COALESCE({rest!r} / NULLIF(n - SUM(holds) OVER (PARTITION BY j), 0), 0.0) "
        "ELSE 0.0 END AS w FROM ("
        f"SELECT *, CASE WHEN {holds} THEN 1 ELSE 0 END AS holds FROM ("
        f"SELECT j, ch, k, n, {roles} FROM o) AS r) AS h"
    )


def _markov() -> str:
    """Transition counts: (src, dst, converted, n); src NULL = start, dst NULL = the end."""
    return (
        "o AS (SELECT j, ch, ROW_NUMBER() OVER (PARTITION BY j ORDER BY ts, rn) AS k, "
        "LEAD(ch) OVER (PARTITION BY j ORDER BY ts, rn) AS nxt FROM tc), "
        "e AS (SELECT o.ch AS src, o.nxt AS dst, "
        "CASE WHEN o.nxt IS NULL AND jr.revenue > 0 THEN 1 ELSE 0 END AS converted "
        "FROM o JOIN jr ON o.j = jr.j "
        "UNION ALL SELECT CAST(NULL AS STRING) AS src, ch AS dst, 0 AS converted "
        "FROM o WHERE k = 1) "
        "SELECT src, dst, converted, COUNT(*) AS n FROM e GROUP BY src, dst, converted"
    )
