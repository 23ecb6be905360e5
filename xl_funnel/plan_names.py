"""The plan workbook's contract: the defined names scripts rely on.

Kept apart from :mod:`xl_funnel.plan` so that ``xl-funnel recalc`` and ``scenarios`` can know
the plan's outputs without importing the generator (and openpyxl). The workbook defines more
names than these (``docs/plan.md``); these never change.
"""

from __future__ import annotations

__all__ = ["DEFINED_NAMES", "INPUT_NAMES", "OUTPUT_NAMES", "TRACKING_INPUT_NAMES"]

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

#: The Tracking sheet's monthly inputs (rows × 12 fiscal months; a blank cell is a month not
#: reported yet): stages in StageNames order, then per channel in ChannelNames order.
TRACKING_INPUT_NAMES = (
    "ActualVolumes",
    "ActualChannelSpend",
    "ActualChannelVolume",
    "ActualChannelMQLs",
    "ActualChannelCustomers",
    "ActualChannelRevenue",
    "ActualChannelPipeline",
)
