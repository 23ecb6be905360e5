"""Rebuild a plan for a new structure, carrying what was typed into it over by name.

``xl-funnel update PLAN --config NEW.toml`` writes the plan NEW.toml describes (more channels,
another stage, a year more of revenue history, another fiscal start) and carries over:

- every Tracking input (contract B's ``Actual…`` blocks) by stage or channel name and calendar
  month: March 2027's MQLs land in March 2027's MQL cell wherever the new layout puts it;
- the Assumptions inputs typed in the workbook, by name: stage rates, lags and achievable
  rates by their two stages, channel costs (per unit and fixed) and MQL rates by channel,
  revenue history by fiscal year, seasonality by calendar month, and every single-cell input
  (``GrowthUplift``, …). For an item both hold, the workbook's value wins (it is what the
  planner typed last); new items take the config's values. Lead shares are carried only when
  the channels stay the same (a new channel mix must sum to 100 %, which only the config can
  say).

What cannot be carried (a removed channel's actuals, a month outside the new fiscal year) is
reported, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from xl_funnel.io.plan_cells import ACTUAL_BLOCKS, Block
from xl_funnel.recalc.package import Package

__all__ = ["Carried", "carry_config", "read_typed", "typed_actuals"]

#: Single-cell inputs: defined name → (config table, key).
SCALARS = {
    "GrowthMethod": ("revenue", "growth_method"),
    "GrowthUplift": ("revenue", "growth_uplift"),
    "NewRevenueShare": ("revenue", "new_revenue_share"),
    "NewRevenueGoalOverride": ("revenue", "new_revenue_goal"),
    "AvgDealSize": ("revenue", "avg_deal_size"),
    "SalesCycleMonths": ("funnel", "sales_cycle_months"),
    "CustomerBase": ("flywheel", "customer_base"),
    "ReferralsPerCustomer": ("flywheel", "referrals_per_customer"),
    "ReferralCloseRate": ("flywheel", "referral_close_rate"),
    "OnTrackThreshold": ("tracking", "on_track_threshold"),
    "SpendFlagRatio": ("tracking", "spend_flag_ratio"),
    "SensitivityStep": ("dashboard", "sensitivity_step"),
    "WholeUnits": ("plan", "whole_units"),
    "StartingARR": ("revenue", "start_arr"),
    "GrossChurn": ("revenue", "gross_churn"),
    "Expansion": ("revenue", "expansion"),
    "NextYearGrowth": ("calendar", "next_year_growth"),
    "BudgetCap": ("budget", "cap"),
    "PipelineCoverage": ("sales", "pipeline_coverage"),
    "RampedReps": ("sales", "ramped_reps"),
    "RepQuota": ("sales", "quota"),
    "SalesCost": ("sales", "sales_cost"),
}
#: Per-channel inputs: config key → defined name. ``ChannelBudgets`` was typed in plans made
#: before channels had cost drivers; it is read only from such a plan, as a fixed cost.
CHANNEL_INPUTS = {
    "lead_share": "ChannelLeadShares",
    "mql_rate": "ChannelMQLRates",
    "cost_per_unit": "ChannelUnitCosts",
    "fixed_cost": "ChannelFixedCosts",
}
_LABELS = {
    "budget": "budget",
    "fixed_cost": "fixed cost",
    "cost_per_unit": "cost per unit",
    "lead_share": "lead share",
    "mql_rate": "MQL rate",
}


@dataclass
class Carried:
    """What the old plan held, keyed by name, and what could not be carried."""

    scalars: dict[str, Any] = field(default_factory=dict)
    rates: dict[tuple[str, str], float] = field(default_factory=dict)
    lags: dict[tuple[str, str], float] = field(default_factory=dict)
    achievable: dict[tuple[str, str], float] = field(default_factory=dict)
    channels: dict[str, dict[str, float]] = field(default_factory=dict)
    history: dict[int, float] = field(default_factory=dict)
    seasonality: dict[int, float] = field(default_factory=dict)
    #: block → (stage or channel name, (year, month)) → value.
    actuals: dict[str, dict[tuple[str, tuple[int, int]], float]] = field(default_factory=dict)
    applied: Counter = field(default_factory=Counter)
    lost: Counter = field(default_factory=Counter)
    #: Inputs the workbook holds and the config gives another value: the workbook's are kept.
    overrode: list[str] = field(default_factory=list)


def _cells(book: Any, block: Block) -> list[list[Any]]:
    rows = book[block.sheet].iter_rows(
        min_row=block[1], max_row=block[3], min_col=block[2], max_col=block[4], values_only=True
    )
    return [list(row) for row in rows]


def _flat(book: Any, names: Mapping[str, Block], name: str) -> list[Any]:
    return [v for row in _cells(book, names[name]) for v in row] if name in names else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _month(start: dt.date, index: int) -> tuple[int, int]:
    total = start.year * 12 + start.month - 1 + index
    return total // 12, total % 12 + 1


def read_typed(package: Package, names: Mapping[str, Block]) -> Carried:
    """The inputs and actuals typed into the plan in ``package``, keyed by name."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(package.raw), read_only=True, data_only=True)
    try:
        carried = Carried()
        for name in SCALARS:
            value = (_flat(book, names, name) or [None])[0]
            if value is not None and not (isinstance(value, str) and not value.strip()):
                carried.scalars[name] = value
        stages = [str(v) for v in _flat(book, names, "StageNames") if v is not None]
        channels = [str(v) for v in _flat(book, names, "ChannelNames") if v is not None]
        pairs = list(itertools.pairwise(stages))
        for target, name in (
            (carried.rates, "StageRates"),
            (carried.lags, "StageLags"),
            (carried.achievable, "AchievableRates"),
        ):
            for pair, value in zip(pairs, _flat(book, names, name), strict=False):
                if _number(value) is not None:
                    target[pair] = float(value)
        inputs = dict(CHANNEL_INPUTS)
        if "ChannelFixedCosts" not in names:
            inputs["budget"] = "ChannelBudgets"
        for key, name in inputs.items():
            for channel, value in zip(channels, _flat(book, names, name), strict=False):
                if _number(value) is not None:
                    carried.channels.setdefault(channel, {})[key] = float(value)
        start = (_flat(book, names, "FiscalYearStart") or [None])[0]
        if isinstance(start, dt.datetime):
            start = start.date()
        if isinstance(start, dt.date):
            history = _flat(book, names, "RevenueHistory")
            for i, value in enumerate(history):
                if _number(value) is not None:
                    carried.history[start.year - len(history) + i] = float(value)
            for i, value in enumerate(_flat(book, names, "Seasonality")):
                if _number(value) is not None:
                    carried.seasonality[_month(start, i)[1]] = float(value)
            for block in ACTUAL_BLOCKS:
                if block not in names:
                    continue
                keys = stages if block == "ActualVolumes" else channels
                for key, row in zip(keys, _cells(book, names[block]), strict=False):
                    for month, value in enumerate(row):
                        if _number(value) is not None:
                            carried.actuals.setdefault(block, {})[(key, _month(start, month))] = (
                                float(value)
                            )
        return carried
    finally:
        book.close()


def carry_config(config: Any, carried: Carried) -> Any:
    """``config`` (a :class:`~xl_funnel.plan.PlanConfig`) with the carried inputs applied."""
    from xl_funnel.plan import PlanConfig

    data = config.to_dict()
    for name, value in carried.scalars.items():
        table, key = SCALARS[name]
        section = data.setdefault(table, {})
        if section.get(key) != value:
            carried.applied[name] += 1
            _conflict(carried, name, section.get(key), value, _plain)
        section[key] = value
    funnel = data["funnel"]
    stages = funnel["stages"]
    pairs = list(itertools.pairwise(stages))
    for table, key, source in (
        (funnel, "rates", carried.rates),
        (funnel, "stage_lags", carried.lags),
        (data.get("dashboard", {}), "achievable_rates", carried.achievable),
    ):
        if key in table:
            shown = _shown if key != "stage_lags" else _months
            for pair, old in zip(pairs, table[key], strict=True):
                if pair in source:
                    label = f"{key.replace('_', ' ')[:-1]} {pair[0]} → {pair[1]}"
                    _conflict(carried, label, old, source[pair], partial(shown, key=key))
            table[key] = [
                source.get(pair, old) for pair, old in zip(pairs, table[key], strict=True)
            ]
            carried.applied[key] += sum(pair in source for pair in pairs)
    same_channels = {c["name"] for c in data["channels"]} == set(carried.channels)
    for channel in data["channels"]:
        typed = carried.channels.get(channel["name"], {})
        for key in ("budget", "mql_rate", "cost_per_unit", "fixed_cost") + (
            ("lead_share",) if same_channels else ()
        ):
            if key in typed:
                label = f"channel {channel['name']!r} {_LABELS[key]}"
                _conflict(carried, label, channel.get(key), typed[key], partial(_shown, key=key))
                channel[key] = typed[key]
                carried.applied[f"channel {key}"] += 1
        if "budget" in typed:  # an older plan's yearly budget is the channel's whole cost
            channel["fixed_cost"] = channel.pop("budget")
            channel.pop("cost_per_unit", None)
        elif "budget" in channel and typed.keys() & {"cost_per_unit", "fixed_cost"}:
            # A config in the older form (budget) and a plan holding the newer inputs (the
            # plan's cost columns): the plan's typed costs replace the config's budget.
            channel.pop("budget")
    start = dt.date(data["plan"]["fiscal_year"], data["plan"]["first_month"], 1)
    history = data["revenue"]["history"]
    years = range(start.year - len(history), start.year)
    for year, old in zip(years, history, strict=True):
        if year in carried.history:
            _conflict(carried, f"revenue of FY{year}", old, carried.history[year], "{:,.0f}".format)
    data["revenue"]["history"] = [
        carried.history.get(year, old) for year, old in zip(years, history, strict=True)
    ]
    carried.applied["revenue history"] += sum(year in carried.history for year in years)
    months = [_month(start, i)[1] for i in range(12)]
    funnel["seasonality"] = [
        carried.seasonality.get(month, old)
        for month, old in zip(months, funnel["seasonality"], strict=True)
    ]
    for name in sorted(set(carried.channels) - {c["name"] for c in data["channels"]}):
        typed = carried.channels[name]
        inputs = ", ".join(
            f"{label} {_shown(typed[key], key)}" for key, label in _LABELS.items() if key in typed
        )
        carried.lost[f"channel {name!r} (removed from the config): {inputs}"] += 1
    return PlanConfig.from_dict(data, "carried")


def _conflict(
    carried: Carried, label: str, config_value: Any, kept: Any, shown: Callable[[Any], str]
) -> None:
    """List ``label`` among the inputs kept from the workbook over the config's value, when
    the config gives one of its own (:func:`_differs`)."""
    if _differs(config_value, kept):
        carried.overrode.append(f"{label} {shown(kept)} (the config: {shown(config_value)})")


def _differs(config_value: Any, kept: Any) -> bool:
    """Whether the config gives a value of its own that the workbook's replaces (a value
    the config leaves out, or the same number, is no conflict)."""
    if config_value is None or isinstance(config_value, (list, dict)):
        return False
    if isinstance(config_value, (int, float)) and isinstance(kept, (int, float)):
        return abs(float(config_value) - float(kept)) > 1e-9 * max(1.0, abs(float(kept)))
    return config_value != kept


def _plain(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,.10g}" if abs(value) >= 1 else f"{value:.10g}"


def _months(value: float, key: str) -> str:
    return f"{value:g} months"


def _shown(value: float, key: str) -> str:
    """An input as the plan shows it: money as amounts, shares and rates as percentages."""
    if key in ("budget", "fixed_cost", "cost_per_unit"):
        return f"{value:,.0f}"
    return f"{value * 100:.4g} %"


def typed_actuals(
    carried: Carried, stages: list[str], channels: list[str], start: dt.date
) -> dict[str, dict[tuple[int, int], float]]:
    """The carried actuals at their places in the new plan: block → (row, month) → value."""
    months = {_month(start, i): i for i in range(12)}
    cells: dict[str, dict[tuple[int, int], float]] = {}
    for block, values in carried.actuals.items():
        keys = stages if block == "ActualVolumes" else channels
        for (key, when), value in values.items():
            if key not in keys:
                carried.lost[f"{block} for {key!r} (no longer in the plan)"] += 1
            elif when not in months:
                carried.lost[f"{block} in {dt.date(*when, 1):%b %Y} (outside the fiscal year)"] += 1
            else:
                cells.setdefault(block, {})[(keys.index(key), months[when])] = value
                carried.applied["actuals"] += 1
    return cells
