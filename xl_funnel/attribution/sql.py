"""The attribution models as SQL: one set of queries for DuckDB and Spark SQL.

Every query reads a view of the raw touch table (the user's columns plus ``xlf_row``, the row's
1-based position in the table) and normalises it the same way the in-memory engine does (see
:func:`prepared`). The two dialects differ only in how an identifier is quoted and how a
timestamp becomes a number of days (:class:`Dialect`); everything else is standard SQL: window
functions, ``GROUP BY`` and joins. Each query returns a small table (a row per channel, or per
transition for ``markov``); the heavy work stays in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from xl_funnel.attribution.models import POSITION_SHARES, ROLES, STAGE_MARKERS

__all__ = ["ROW", "Dialect", "Source", "channel_query", "checks_query", "journey_query"]

#: The column holding each raw row's 1-based position in the table.
ROW = "xlf_row"


@dataclass(frozen=True)
class Dialect:
    """What differs between the SQL engines."""

    quote_char: str
    #: SQL turning a TIMESTAMP into microseconds since 1970 (a whole number: exact everywhere).
    micros: str

    def quote(self, name: str) -> str:
        q = self.quote_char
        return q + name.replace(q, q + q) + q


DUCKDB = Dialect('"', "epoch_us({})")
SPARK = Dialect("`", "unix_micros({})")


@dataclass(frozen=True)
class Source:
    """The raw view and what its columns are: names (as in the table) and kinds."""

    view: str
    journey: str
    channel: str
    time: str
    time_kind: str  # 'number', 'timestamp' or 'text'
    stage: str | None
    revenue: str | None
    revenue_numeric: bool


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
        rev = f"TRY_CAST(TRIM(CAST({q(source.revenue)} AS STRING)) AS DOUBLE)"
    return (
        f"SELECT CAST({q(source.journey)} AS STRING) AS j, {ts} AS ts, {ROW} AS rn, "
        f"TRIM(CAST({q(source.channel)} AS STRING)) AS ch, {_role(source, dialect)} AS role, "
        f"{rev} AS rev FROM {source.view}"
    )


def _stage_text(source: Source, dialect: Dialect) -> str:
    column = f"CAST({dialect.quote(source.stage or '')} AS STRING)"
    return f"LOWER(TRIM(REPLACE(REPLACE({column}, '_', ' '), '-', ' ')))"


def _role(source: Source, dialect: Dialect) -> str:
    if source.stage is None:
        return "0"
    cases = " ".join(
        f"WHEN '{marker}' THEN {ROLES[role]}" for marker, role in STAGE_MARKERS.items()
    )
    return f"CASE {_stage_text(source, dialect)} {cases} ELSE 0 END"


def checks_query(source: Source, dialect: Dialect) -> str:
    """One pass of checks: the first bad row (NULL when none) of each kind of problem, the row
    count, the total revenue and the first journey giving two revenues (see
    :func:`journey_query`)."""
    q = dialect.quote
    journey = f"TRIM(CAST({q(source.journey)} AS STRING))"
    checks = {
        "journey": f"{q(source.journey)} IS NULL OR {journey} = ''",
        "channel": "ch IS NULL OR ch = ''",
        "time": "ts IS NULL OR isnan(ts)",
    }
    if source.stage is not None:
        markers = ", ".join(f"'{marker}'" for marker in STAGE_MARKERS)
        checks["stage"] = (
            f"{q(source.stage)} IS NOT NULL AND {_stage_text(source, dialect)} <> '' "
            f"AND {_stage_text(source, dialect)} NOT IN ({markers})"
        )
    if source.revenue is not None:
        typo = (
            ""
            if source.revenue_numeric
            else f" OR (rev IS NULL AND TRIM(CAST({q(source.revenue)} AS STRING)) <> '')"
        )
        checks["revenue"] = f"rev < 0 OR isnan(rev) OR rev > 1.7e308 OR rev < -1.7e308{typo}"
    columns = ", ".join(
        f"MIN(CASE WHEN {test} THEN rn END) AS {name}" for name, test in checks.items()
    )
    selected = prepared(source, dialect).replace(" FROM ", f", {_raw_columns(source, q)} FROM ", 1)
    rows = f"SELECT {columns}, COUNT(*) AS touches FROM ({selected}) AS t"
    return f"SELECT * FROM ({rows}) AS a CROSS JOIN ({journey_query(source, dialect)}) AS b"


def _raw_columns(source: Source, q) -> str:
    names = [source.journey] + [c for c in (source.stage, source.revenue) if c is not None]
    return ", ".join(q(name) for name in dict.fromkeys(names))


def journey_query(source: Source, dialect: Dialect) -> str:
    """Total revenue, and the first journey whose rows give two different revenues."""
    return (
        f"WITH jr AS (SELECT j, MIN(rev) AS lo, MAX(rev) AS hi FROM ({prepared(source, dialect)})"
        " AS t GROUP BY j) "
        "SELECT SUM(COALESCE(hi, 0.0)) AS total, "
        "MIN(CASE WHEN hi - lo > 1e-12 * ABS(hi) THEN j END) AS differs FROM jr"
    )


def _with(source: Source, dialect: Dialect) -> str:
    return (
        f"WITH tc AS ({prepared(source, dialect)}), "
        "jr AS (SELECT j, COALESCE(MAX(rev), 0.0) AS revenue FROM tc GROUP BY j), "
        "o AS (SELECT j, ch, role, ts, "
        "ROW_NUMBER() OVER (PARTITION BY j ORDER BY ts, rn) AS k, "
        "COUNT(*) OVER (PARTITION BY j) AS n, "
        "MAX(ts) OVER (PARTITION BY j) AS last_ts, "
        "LEAD(ch) OVER (PARTITION BY j ORDER BY ts, rn) AS nxt FROM tc)"
    )


def channel_query(source: Source, dialect: Dialect, model: str, half_life: float) -> str:
    """Credit per channel (``ch``, ``credit``); for ``markov``, the transition counts."""
    if model == "markov":
        return _markov(source, dialect)
    if model == "shapley":
        return (
            f"WITH tc AS ({prepared(source, dialect)}), "
            "jr AS (SELECT j, COALESCE(MAX(rev), 0.0) AS revenue FROM tc GROUP BY j), "
            "d AS (SELECT DISTINCT j, ch FROM tc), "
            "m AS (SELECT j, COUNT(*) AS m FROM d GROUP BY j) "
            "SELECT d.ch AS ch, SUM(jr.revenue / m.m) AS credit "
            "FROM d JOIN m ON d.j = m.j JOIN jr ON d.j = jr.j GROUP BY d.ch"
        )
    if model == "time_decay":
        weight = f"POWER(CAST(2 AS DOUBLE), -(last_ts - ts) / {float(half_life)!r})"
        weighted = f"SELECT j, ch, {weight} AS w FROM o"
    else:
        weighted = _position(model)
    return (
        f"{_with(source, dialect)}, w AS ({weighted}), "
        "c AS (SELECT w.ch AS ch, jr.revenue * w.w / SUM(w.w) OVER (PARTITION BY w.j) AS credit"
        " FROM w JOIN jr ON w.j = jr.j) "
        "SELECT ch, SUM(credit) AS credit FROM c GROUP BY ch"
    )


def _position(model: str) -> str:
    """Role-share weights (:data:`.models.POSITION_SHARES`) of every touch."""
    shares, rest = POSITION_SHARES[model]
    at = {
        "first": "COALESCE(MIN(CASE WHEN role = 1 THEN k END) OVER (PARTITION BY j), 1)",
        "lead": "COALESCE(MIN(CASE WHEN role = 2 THEN k END) OVER (PARTITION BY j), n)",
        "opportunity": "COALESCE(MIN(CASE WHEN role = 3 THEN k END) OVER (PARTITION BY j), n)",
        "last": "n",
    }
    roles = ", ".join(f"{at[role]} AS at_{role}" for role in shares) or "0 AS no_role"
    holds = " OR ".join(f"k = at_{role}" for role in shares) or "FALSE"
    role_weight = " + ".join(
        f"CASE WHEN k = at_{role} THEN {share!r} ELSE 0.0 END" for role, share in shares.items()
    )
    return (
        f"SELECT j, ch, ({role_weight or '0.0'}) + CASE WHEN holds = 0 THEN "
        f"COALESCE({rest!r} / NULLIF(n - SUM(holds) OVER (PARTITION BY j), 0), 0.0) "
        "ELSE 0.0 END AS w FROM ("
        f"SELECT *, CASE WHEN {holds} THEN 1 ELSE 0 END AS holds FROM ("
        f"SELECT j, ch, k, n, {roles} FROM o) AS r) AS h"
    )


def _markov(source: Source, dialect: Dialect) -> str:
    """Transition counts: (src, dst, converted, n); src NULL = start, dst NULL = the end."""
    return (
        f"{_with(source, dialect)}, "
        "e AS (SELECT o.ch AS src, o.nxt AS dst, "
        "CASE WHEN o.nxt IS NULL AND jr.revenue > 0 THEN 1 ELSE 0 END AS converted "
        "FROM o JOIN jr ON o.j = jr.j "
        "UNION ALL SELECT CAST(NULL AS STRING) AS src, ch AS dst, 0 AS converted "
        "FROM o WHERE k = 1) "
        "SELECT src, dst, converted, COUNT(*) AS n FROM e GROUP BY src, dst, converted"
    )
