"""The plan figures Tracking compares actuals with: the one place that reads the plan's names.

Per-channel monthly figures come from the plan's channel model. Until the plan publishes
``ChannelMonthlyVolumes`` / ``ChannelMonthlyBudget`` (contract A), they are derived here from
the existing names: a channel brings its lead share of the entry stage's monthly volume, and
spends its budget in proportion to the seasonality shares. Switching to contract A is an edit
of :func:`channel_volume` and :func:`channel_budget` only (and their mirror in
:mod:`xl_funnel.plan.expected_tracking`).

``MonthlyVolumes`` and ``MonthLabels`` may start before the fiscal year (the sales-cycle
lead-in); the fiscal months are always their last twelve columns, so every reference counts
from the right and holds whether or not the lead-in columns are there.
"""

from __future__ import annotations

from xl_funnel.plan.layout import Layout

__all__ = ["channel_budget", "channel_volume", "month_label", "stage_month"]

MONTHS = 12


def _fiscal_column(names: str, month: int) -> str:
    return f"COLUMNS({names})-{MONTHS - 1 - month}"


def month_label(month: int) -> str:
    """Formula (no ``=``) for the first day of fiscal month ``month`` (0-based)."""
    return f"INDEX(MonthLabels,1,{_fiscal_column('MonthLabels', month)})"


def stage_month(stage: int, month: int) -> str:
    """Formula for the plan's volume of stage ``stage`` in fiscal month ``month`` (0-based)."""
    return f"INDEX(MonthlyVolumes,{stage + 1},{_fiscal_column('MonthlyVolumes', month)})"


def channel_volume(layout: Layout, channel: int, month: int) -> str:
    """Formula for the entry-stage units channel ``channel`` must bring in fiscal month `month`."""
    position = layout.channels.lead_stage_position.qualified
    return (
        f"INDEX(ChannelLeadShares,{channel + 1})*INDEX(MonthlyVolumes,{position},"
        f"{_fiscal_column('MonthlyVolumes', month)})"
    )


def channel_budget(layout: Layout, channel: int, month: int) -> str:
    """Formula for the budget channel ``channel`` plans to spend in fiscal month ``month``."""
    return f"INDEX(ChannelBudgets,{channel + 1})*INDEX(Seasonality,1,{month + 1})/SUM(Seasonality)"
