"""The plan workbook's contract: the defined names scripts rely on.

Kept apart from :mod:`xl_funnel.plan` so that ``xl-funnel recalc`` and ``scenarios`` can know
the plan's outputs without importing the generator (and openpyxl). The workbook defines more
names than these (``docs/plan.md``); these never change.
"""

from __future__ import annotations

__all__ = ["DEFINED_NAMES", "INPUT_NAMES", "OUTPUT_NAMES"]

#: Inputs, on the Assumptions sheet.
INPUT_NAMES = (
    "RevenueHistory",
    "GrowthUplift",
    "NewRevenueShare",
    "AvgDealSize",
    "StageRates",
    "StageNames",
    "Seasonality",
    "SalesCycleMonths",
)
#: Headline outputs: what `recalc` summarises and `scenarios` collects by default.
OUTPUT_NAMES = (
    "TargetRevenue",
    "NewRevenueGoal",
    "CustomersNeeded",
    "RequiredVolumes",
    "TotalBudget",
    "PlanROI",
)
DEFINED_NAMES = INPUT_NAMES + OUTPUT_NAMES
