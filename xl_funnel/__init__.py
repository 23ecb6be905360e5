"""xl-funnel: B2B marketing-plan math for Python and Excel.

Plan a year backwards, from a revenue target to the customers, opportunities, SQLs, MQLs,
leads and website visits it takes, and measure channels by what they return.

>>> import xl_funnel as xf
>>> xf.customers_needed(10e6, 1.1e6)
10.0
>>> xf.backsolve(9, [0.015, 0.2, 0.2, 0.4, 0.5], periods=12).tolist()
[6250.0, 93.75, 18.75, 3.75, 1.5, 0.75]
"""

from xl_funnel.channels import channel_metrics, channel_roi
from xl_funnel.diagnosis import advice, bottleneck, bottleneck_message, funnel_gap
from xl_funnel.errors import FunnelError, InvalidAmountError, InvalidRateError, ShapeMismatchError
from xl_funnel.funnel import backsolve, conversion_rates, forward
from xl_funnel.lead_value import value_per_lead, value_per_visit, visits_per_lead
from xl_funnel.revenue import (
    customers_needed,
    growth_rate,
    target_revenue,
    target_revenue_from_history,
)

__version__ = "0.1.0"

__all__ = [
    "FunnelError",
    "InvalidAmountError",
    "InvalidRateError",
    "ShapeMismatchError",
    "__version__",
    "advice",
    "backsolve",
    "bottleneck",
    "bottleneck_message",
    "channel_metrics",
    "channel_roi",
    "conversion_rates",
    "customers_needed",
    "forward",
    "funnel_gap",
    "growth_rate",
    "target_revenue",
    "target_revenue_from_history",
    "value_per_lead",
    "value_per_visit",
    "visits_per_lead",
]
