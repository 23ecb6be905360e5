"""Formula pieces the plan sheets share: the core's rounding, lag split and exact lookups."""

from __future__ import annotations

__all__ = ["ceil_whole_formula", "lag_formulas", "stage_position"]

#: Absolute tolerance of the core's ``ceil_whole`` (``xl_funnel._checks.CEIL_TOLERANCE``).
CEIL_TOLERANCE = "1E-9"
#: A lag this close to a whole number counts as whole (``schedule.LAG_TOLERANCE``).
LAG_TOLERANCE = "1E-9"


def ceil_whole_formula(x: str) -> str:
    """Round `x` up to a whole number as the core's ``_checks.ceil_whole`` does.

    ``ceil(max(x − 1e-9, 0))``: never below the exact value by more than 1e-9 (absolute), so
    float noise such as ``7.000000000000001`` is 7, while $1,000,000,000.50 at $1M a deal
    (1,000.0000005 customers) is 1,001. ROUNDUP(x, 0) is ceil for x ≥ 0.

    Examples
    --------
    >>> ceil_whole_formula("C7")
    'ROUNDUP(MAX(C7-1E-9,0),0)'
    """
    return f"ROUNDUP(MAX({x}-{CEIL_TOLERANCE},0),0)"


def lag_formulas(x: str) -> tuple[str, str]:
    """Whole months and fraction of lag `x`, as ``schedule.lag_split`` splits them.

    A lag within 1e-9 of a whole number is that number (fraction exactly 0); otherwise
    ``INT`` and the rest. Excel's ROUND and numpy's differ only at exact halves, where the
    lag is not within the tolerance of either neighbour.
    """
    whole_lag = f"ABS({x}-ROUND({x},0))<={LAG_TOLERANCE}"
    return (
        f"=IF({whole_lag},ROUND({x},0),INT({x}))",
        f"=IF({whole_lag},0,{x}-INT({x}))",
    )


def stage_position(name: str, stages: int) -> str:
    """Position (1-based) of the stage called `name` in ``StageNames``, never a pattern.

    ``MATCH(x, range, 0)`` reads ``*``, ``?`` and ``~`` in text as wildcards, so a stage
    called ``Le?ds`` would match ``Leads``. Comparing with ``=`` inside ``SUMPRODUCT`` is an
    exact (case-insensitive) comparison in every engine; stage names are unique. 0 when no
    stage has that name.

    Examples
    --------
    >>> stage_position("LeadStage", 3)
    'SUMPRODUCT((StageNames=LeadStage)*{1;2;3})'
    """
    positions = ";".join(str(i + 1) for i in range(stages))
    return f"SUMPRODUCT((StageNames={name})*{{{positions}}})"
