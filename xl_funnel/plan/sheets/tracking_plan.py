"""The plan figures Tracking compares actuals with: the one place that reads the plan's names.

Per-channel monthly figures come from the plan's channel model: ``ChannelMonthlyVolumes`` and
``ChannelMonthlyBudget`` (contract A: channels × 12 fiscal months, rows in ChannelNames order).
Stage rates are the ones the plan uses (``StageRatesUsed``: at a stage channels bring, the
channels' own rates weighted by share).

``MonthlyVolumes`` and ``MonthLabels`` may start before the fiscal year (the sales-cycle
lead-in); the fiscal months are always their last twelve columns, so every reference counts
from the right and holds whether or not the lead-in columns are there.
"""

from __future__ import annotations

from xl_funnel.plan.layout import Layout

__all__ = ["PLAN_RATES", "channel_budget", "channel_volume", "month_label", "stage_month"]

#: The stage-to-stage rates Tracking compares actual rates with.
PLAN_RATES = "StageRatesUsed"

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
    """Formula for the entry-stage units channel ``channel`` must bring in fiscal month `month`
    (its cell of ``ChannelMonthlyVolumes``, addressed relatively: see ``Ref.seen_from``)."""
    return layout.channels.monthly_volumes.cell(channel, month).seen_from(layout.tracking.sheet)


def channel_budget(layout: Layout, channel: int, month: int) -> str:
    """Formula for the budget channel ``channel`` needs in fiscal month ``month`` (its cell of
    ``ChannelMonthlyBudget``)."""
    return layout.channels.monthly_budget.cell(channel, month).seen_from(layout.tracking.sheet)
