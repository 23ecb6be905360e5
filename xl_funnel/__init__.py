"""xl-funnel: B2B marketing-plan math for Python and Excel.

Plan a year backwards, from a revenue target to the customers, opportunities, SQLs, MQLs,
leads and website visits it takes, and measure channels by what they return.

>>> import xl_funnel as xf
>>> xf.customers_needed(10e6, 1.1e6)
10.0
>>> xf.backsolve(9, [0.015, 0.2, 0.2, 0.4, 0.5], periods=12).tolist()
[6250.0, 93.75, 18.75, 3.75, 1.5, 0.75]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name → the module that defines it. Attributes load on first use (PEP 562), so
# `import xl_funnel.cli.recalc` and friends start without numpy when they do not need it.
_EXPORTS = {
    "FunnelError": "xl_funnel.errors",
    "InvalidAmountError": "xl_funnel.errors",
    "InvalidChoiceError": "xl_funnel.errors",
    "InvalidRateError": "xl_funnel.errors",
    "ShapeMismatchError": "xl_funnel.errors",
    "Pace": "xl_funnel.pacing",
    "Simulation": "xl_funnel.simulation",
    "touch_credit": "xl_funnel.attribution.memory",
    "acquisition_cost": "xl_funnel.revenue_bridge",
    "advice": "xl_funnel.diagnosis",
    "attribute": "xl_funnel.attribution",
    "backsolve": "xl_funnel.funnel",
    "bottleneck": "xl_funnel.diagnosis",
    "bottleneck_message": "xl_funnel.diagnosis",
    "budget_share_bought": "xl_funnel.channel_money",
    "channel_budget": "xl_funnel.channel_money",
    "channel_metrics": "xl_funnel.channels",
    "channel_plan_rates": "xl_funnel.channel_money",
    "channel_roi": "xl_funnel.channels",
    "channel_units": "xl_funnel.channel_money",
    "conversion_rates": "xl_funnel.funnel",
    "customers_needed": "xl_funnel.revenue",
    "flywheel_backsolve": "xl_funnel.flywheel",
    "forward": "xl_funnel.funnel",
    "funnel_gap": "xl_funnel.diagnosis",
    "growth_rate": "xl_funnel.revenue",
    "net_customers": "xl_funnel.rolling",
    "new_logo_goal": "xl_funnel.revenue_bridge",
    "pace": "xl_funnel.pacing",
    "pipeline_customers": "xl_funnel.rolling",
    "pipeline_needed": "xl_funnel.revenue_bridge",
    "rolling_schedule": "xl_funnel.rolling",
    "schedule": "xl_funnel.scheduling",
    "schedule_volumes": "xl_funnel.scheduling",
    "seasonal_split": "xl_funnel.seasonality",
    "sensitivity": "xl_funnel.rate_sensitivity",
    "simulate": "xl_funnel.simulation",
    "target_revenue": "xl_funnel.revenue",
    "target_revenue_from_history": "xl_funnel.revenue",
    "value_per_lead": "xl_funnel.lead_value",
    "value_per_visit": "xl_funnel.lead_value",
    "visits_per_lead": "xl_funnel.lead_value",
    "volume_for": "xl_funnel.simulation",
    "catch_up": "xl_funnel.tracking",
    "months_reported": "xl_funnel.tracking",
    "plan_vs_actual": "xl_funnel.tracking",
    "projected_at_rates": "xl_funnel.tracking",
    "shortfall": "xl_funnel.tracking",
    "tracking_status": "xl_funnel.tracking",
    "diagnosis_sentences": "xl_funnel.tracking_diagnosis",
    "reallocation_hint": "xl_funnel.tracking_diagnosis",
    "channel_kpis": "xl_funnel.kpis",
    "kpi_status": "xl_funnel.kpis",
    "objective_progress": "xl_funnel.objectives",
    "expected_progress": "xl_funnel.objectives",
    "objective_status": "xl_funnel.objectives",
    "whole_months": "xl_funnel.rolling",
}

# Literal, so that linters and IDEs see it; a test checks it equals _EXPORTS.
__all__ = [
    "FunnelError",
    "InvalidAmountError",
    "InvalidChoiceError",
    "InvalidRateError",
    "Pace",
    "ShapeMismatchError",
    "Simulation",
    "__version__",
    "acquisition_cost",
    "advice",
    "attribute",
    "backsolve",
    "bottleneck",
    "bottleneck_message",
    "budget_share_bought",
    "catch_up",
    "channel_budget",
    "channel_kpis",
    "channel_metrics",
    "channel_plan_rates",
    "channel_roi",
    "channel_units",
    "conversion_rates",
    "customers_needed",
    "diagnosis_sentences",
    "expected_progress",
    "flywheel_backsolve",
    "forward",
    "funnel_gap",
    "growth_rate",
    "kpi_status",
    "months_reported",
    "net_customers",
    "new_logo_goal",
    "objective_progress",
    "objective_status",
    "pace",
    "pipeline_customers",
    "pipeline_needed",
    "plan_vs_actual",
    "projected_at_rates",
    "reallocation_hint",
    "rolling_schedule",
    "schedule",
    "schedule_volumes",
    "seasonal_split",
    "sensitivity",
    "shortfall",
    "simulate",
    "target_revenue",
    "target_revenue_from_history",
    "touch_credit",
    "tracking_status",
    "value_per_lead",
    "value_per_visit",
    "visits_per_lead",
    "volume_for",
    "whole_months",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'xl_funnel' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from xl_funnel.attribution import attribute, touch_credit
    from xl_funnel.channel_money import (
        budget_share_bought,
        channel_budget,
        channel_plan_rates,
        channel_units,
    )
    from xl_funnel.channels import channel_metrics, channel_roi
    from xl_funnel.diagnosis import advice, bottleneck, bottleneck_message, funnel_gap
    from xl_funnel.errors import (
        FunnelError,
        InvalidAmountError,
        InvalidChoiceError,
        InvalidRateError,
        ShapeMismatchError,
    )
    from xl_funnel.flywheel import flywheel_backsolve
    from xl_funnel.funnel import backsolve, conversion_rates, forward
    from xl_funnel.kpis import channel_kpis, kpi_status
    from xl_funnel.lead_value import value_per_lead, value_per_visit, visits_per_lead
    from xl_funnel.objectives import expected_progress, objective_progress, objective_status
    from xl_funnel.pacing import Pace, pace
    from xl_funnel.rate_sensitivity import sensitivity
    from xl_funnel.revenue import (
        customers_needed,
        growth_rate,
        target_revenue,
        target_revenue_from_history,
    )
    from xl_funnel.revenue_bridge import acquisition_cost, new_logo_goal, pipeline_needed
    from xl_funnel.rolling import net_customers, pipeline_customers, rolling_schedule, whole_months
    from xl_funnel.scheduling import schedule, schedule_volumes
    from xl_funnel.seasonality import seasonal_split
    from xl_funnel.simulation import Simulation, simulate, volume_for
    from xl_funnel.tracking import (
        catch_up,
        months_reported,
        plan_vs_actual,
        projected_at_rates,
        shortfall,
        tracking_status,
    )
    from xl_funnel.tracking_diagnosis import diagnosis_sentences, reallocation_hint
