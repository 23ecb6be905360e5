"""The names and argument counts of xl-funnel's Excel functions, known without importing them.

The registry (:data:`xl_funnel.excel.registry.FUNCTIONS`) is the source of truth, but importing
it loads numpy and every topic module (about 0.15 s). ``xl-funnel recalc`` needs only the names
to tell whether a workbook calls an xl-funnel function at all, and the argument counts to
register it with the engine; the registry is imported on the first call. A test keeps this
table equal to the registry (``tests/test_recalc_startup.py``).

>>> ARITY["FUNNEL_BACKSOLVE"]
(2, 6)
"""

from __future__ import annotations

__all__ = ["ARITY"]

#: Excel name -> (min_args, max_args), in the registry's order.
ARITY: dict[str, tuple[int, int]] = {
    "TARGET_REVENUE": (1, 3),
    "CUSTOMERS_NEEDED": (2, 3),
    "FUNNEL_BACKSOLVE": (2, 6),
    "FUNNEL_FORWARD": (2, 3),
    "FUNNEL_RATES": (1, 1),
    "VALUE_PER_LEAD": (2, 2),
    "VALUE_PER_VISIT": (2, 2),
    "VISITS_PER_LEAD": (2, 2),
    "CHANNEL_ROI": (2, 2),
    "CHANNEL_METRICS": (1, 2),
    "FUNNEL_SCHEDULE": (3, 6),
    "FLYWHEEL_BACKSOLVE": (4, 8),
    "PACE": (2, 4),
    "FUNNEL_GAP": (2, 3),
    "FUNNEL_BOTTLENECK": (2, 3),
    "ATTRIBUTE": (2, 3),
    "FUNNEL_PROBABILITY": (3, 5),
    "FUNNEL_VOLUME_FOR": (3, 5),
    "FUNNEL_SENSITIVITY": (2, 5),
    "FUNNEL_ROLLING_SCHEDULE": (4, 6),
    "TRACKING_VS_PLAN": (2, 2),
    "TRACKING_AT_RATES": (3, 3),
    "CATCH_UP": (4, 4),
    "SHORTFALL": (3, 3),
    "TRACKING_DIAGNOSIS": (3, 4),
    "BUDGET_HINT": (2, 2),
    "CHANNEL_KPIS": (2, 2),
}
