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
    "advice": "xl_funnel.diagnosis",
    "attribute": "xl_funnel.attribution",
    "backsolve": "xl_funnel.funnel",
    "bottleneck": "xl_funnel.diagnosis",
    "bottleneck_message": "xl_funnel.diagnosis",
    "channel_metrics": "xl_funnel.channels",
    "channel_roi": "xl_funnel.channels",
    "conversion_rates": "xl_funnel.funnel",
    "customers_needed": "xl_funnel.revenue",
    "flywheel_backsolve": "xl_funnel.flywheel",
    "forward": "xl_funnel.funnel",
    "funnel_gap": "xl_funnel.diagnosis",
    "growth_rate": "xl_funnel.revenue",
    "pace": "xl_funnel.pacing",
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
    "advice",
    "attribute",
    "backsolve",
    "bottleneck",
    "bottleneck_message",
    "channel_metrics",
    "channel_roi",
    "conversion_rates",
    "customers_needed",
    "flywheel_backsolve",
    "forward",
    "funnel_gap",
    "growth_rate",
    "pace",
    "schedule",
    "schedule_volumes",
    "seasonal_split",
    "sensitivity",
    "simulate",
    "target_revenue",
    "target_revenue_from_history",
    "touch_credit",
    "value_per_lead",
    "value_per_visit",
    "visits_per_lead",
    "volume_for",
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
    from xl_funnel.lead_value import value_per_lead, value_per_visit, visits_per_lead
    from xl_funnel.pacing import Pace, pace
    from xl_funnel.rate_sensitivity import sensitivity
    from xl_funnel.revenue import (
        customers_needed,
        growth_rate,
        target_revenue,
        target_revenue_from_history,
    )
    from xl_funnel.scheduling import schedule, schedule_volumes
    from xl_funnel.seasonality import seasonal_split
    from xl_funnel.simulation import Simulation, simulate, volume_for
