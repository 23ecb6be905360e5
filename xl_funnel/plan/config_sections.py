"""The optional and repeated sections of a plan configuration, one checker each.

Each function reads one table (``[flywheel]``, ``[[channels]]``, ``[budget]``, …) through the
shared :class:`~xl_funnel.plan.config_checks._Checker`, recording every problem with its key
path and returning the values it could read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from xl_funnel.plan.config import Channel, PipelineItem
from xl_funnel.plan.config_checks import (
    _BUDGET_KEYS,
    _CALENDAR_KEYS,
    _CHANNEL_KEYS,
    _FLYWHEEL_KEYS,
    _MISSING,
    _PIPELINE_KEYS,
    _SALES_KEYS,
    MAX_CHANNELS,
    MAX_LEAD_MONTHS,
    MAX_PIPELINE_ITEMS,
    MAX_REFERRALS_PER_CUSTOMER,
    MAX_SALES_CYCLE_MONTHS,
    SHARE_SUM_TOLERANCE,
    _Checker,
    _shown,
)
from xl_funnel.scheduling import lead_months


def _sensitivity_step(check: _Checker, value: Any) -> float | None:
    """The tornado's step in rate points, with a hint when points were typed as a number."""
    path, wanted = (
        "dashboard.sensitivity_step",
        "rate points from more than 0 to 1 (0.01 = one point)",
    )
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value <= 100:
        check.add(
            path,
            f"must be {wanted}, got {_shown(value)} "
            f"(did you mean {value / 100:g}, i.e. {value:g} points?)",
        )
        return None
    return check.number(value, path, lambda s: 0 < s <= 1, wanted)


def _stage_lags(
    check: _Checker,
    funnel: Mapping[str, Any],
    raw_rates: Any,
    rates: list[float] | None,
    cycle: float | None,
) -> tuple[float, ...] | None:
    """Per-stage lags: one per rate, each 0 to 24 months, reaching back at most 24 in all."""
    if "stage_lags" not in funnel:
        return None
    lags = check.numbers(
        funnel,
        "stage_lags",
        "funnel.stage_lags",
        lambda v, p: check.number(
            v,
            p,
            lambda m: 0 <= m <= MAX_SALES_CYCLE_MONTHS,
            f"a number of months from 0 to {MAX_SALES_CYCLE_MONTHS}",
        ),
    )
    if lags is None:
        return None
    problems = len(check.problems)
    if isinstance(raw_rates, list) and len(lags) != len(raw_rates):
        check.add(
            "funnel.stage_lags",
            f"has {len(lags)} lags for {len(raw_rates)} rates: give one lag per step between "
            "stages (0 where the next stage follows in the same month)",
        )
    if cycle:
        check.add(
            "funnel.stage_lags",
            "give either stage_lags or sales_cycle_months, not both (the cycle is the "
            "shorthand for lags of 0, …, 0, cycle)",
        )
    if rates is not None and len(lags) == len(rates) and lead_months(lags) > MAX_LEAD_MONTHS:
        check.add(
            "funnel.stage_lags",
            f"reach back {lead_months(lags)} months in all (Σ of each lag rounded up): at "
            f"most {MAX_LEAD_MONTHS}",
        )
    return tuple(lags) if len(check.problems) == problems else None


def _flywheel(check: _Checker, data: Mapping[str, Any], names: list[str] | None) -> dict[str, Any]:
    """The optional [flywheel] table; every key defaults to "no referrals"."""
    flywheel = check.table(data, "flywheel", _FLYWHEEL_KEYS) or {}
    base = check.number(
        flywheel.get("customer_base", 0.0),
        "flywheel.customer_base",
        lambda b: b >= 0,
        "a number of customers, 0 or more",
    )
    per_customer = check.number(
        flywheel.get("referrals_per_customer", 0.0),
        "flywheel.referrals_per_customer",
        lambda r: 0 <= r <= MAX_REFERRALS_PER_CUSTOMER,
        f"referrals per customer per month, from 0 to {MAX_REFERRALS_PER_CUSTOMER:g}",
    )
    entry = check.text(flywheel, "entry_stage", "flywheel.entry_stage", None)
    if entry is not None and names is not None and entry not in names:
        check.add("flywheel.entry_stage", f"{entry!r} is not one of the stages {names}")
    close = flywheel.get("referral_close_rate", None)
    if close is not None:
        close = check.rate(close, "flywheel.referral_close_rate", zero_ok=True)
    return {
        "customer_base": base,
        "referrals_per_customer": per_customer,
        "entry_stage": entry,
        "referral_close_rate": close,
    }


def _channels(check: _Checker, data: Mapping[str, Any], names: list[str] | None) -> list[Channel]:
    """The [[channels]] tables: who brings which stage's volume, and at what cost."""
    raw = data.get("channels", _MISSING)
    if raw is _MISSING:
        check.add("channels", "missing: list at least one [[channels]] table")
        return []
    if not isinstance(raw, list) or not raw:
        check.add("channels", "must be a list of [[channels]] tables")
        return []
    if len(raw) > MAX_CHANNELS:
        check.add("channels", f"at most {MAX_CHANNELS} channels, got {len(raw)}")
        return []
    channels: list[Channel] = []
    seen: dict[str, int] = {}
    shares: list[float] = []
    for i, item in enumerate(raw):
        path = f"channels[{i}]"
        if not isinstance(item, Mapping):
            check.add(path, f"must be a table with name, lead_share and its costs, got {item!r}")
            continue
        check.unknown(item, _CHANNEL_KEYS, path)
        before = len(check.problems)
        name = check.text(item, "name", f"{path}.name")
        if name is not None:
            key = name.strip().lower()
            if key in seen:
                check.add(f"{path}.name", f"{name!r} is also channels[{seen[key]}]: names differ")
            seen.setdefault(key, i)
        share = check.rate(item.get("lead_share", _MISSING), f"{path}.lead_share", zero_ok=True)
        if share is not None:
            shares.append(share)
        costs = {key: _cost(check, item, key, f"{path}.{key}") for key in _COST_KEYS}
        if costs["budget"] is not None and (
            costs["cost_per_unit"] is not None or costs["fixed_cost"] is not None
        ):
            check.add(
                f"{path}.budget",
                "give either budget (a fixed yearly cost, the older form) or cost_per_unit "
                "and fixed_cost, not both",
            )
        mql = item.get("mql_rate", None)
        mql_rate = None if mql is None else check.rate(mql, f"{path}.mql_rate")
        entry = check.text(item, "entry_stage", f"{path}.entry_stage", None)
        if entry is not None and names is not None:
            if entry not in names:
                check.add(f"{path}.entry_stage", f"{entry!r} is not one of the stages {names}")
            elif entry == names[-1]:
                check.add(f"{path}.entry_stage", "cannot be the last stage (the customers)")
        if len(check.problems) == before:
            channels.append(
                Channel(
                    name,
                    costs["budget"],
                    share,
                    mql_rate,
                    entry_stage=entry,
                    cost_per_unit=costs["cost_per_unit"],
                    fixed_cost=costs["fixed_cost"],
                )
            )
    if len(shares) == len(raw):
        total = math.fsum(shares)
        if abs(total - 1) > SHARE_SUM_TOLERANCE:
            check.add(
                "channels",
                f"lead_share values sum to {total:.4g} ({total * 100:.4g} %): they must sum "
                "to 1 (100 %)",
            )
    return channels


#: A channel's money keys, all optional: zero-spend channels (organic, referral) are allowed.
_COST_KEYS = ("budget", "cost_per_unit", "fixed_cost")


def _cost(check: _Checker, item: Mapping[str, Any], key: str, path: str) -> float | None:
    value = item.get(key, None)
    if value is None:
        return None
    return check.number(value, path, lambda x: x >= 0, "an amount of money, 0 or more")


def _budget(check: _Checker, data: Mapping[str, Any]) -> float | None:
    """The optional [budget] table: the money the plan is given (None = not capped)."""
    table = check.table(data, "budget", _BUDGET_KEYS) or {}
    cap = table.get("cap", None)
    if cap is None:
        return None
    return check.number(cap, "budget.cap", lambda x: x >= 0, "an amount of money, 0 or more")


def _calendar(check: _Checker, data: Mapping[str, Any]) -> float | None:
    """The optional [calendar] table: next year's growth (None = the plan's growth)."""
    table = check.table(data, "calendar", _CALENDAR_KEYS) or {}
    growth = table.get("next_year_growth", None)
    if growth is None:
        return None
    return check.number(
        growth,
        "calendar.next_year_growth",
        lambda g: -1 < g <= 10,
        "a growth rate from above -1 to 10 (0.25 = 25 %)",
    )


def _pipeline(
    check: _Checker, data: Mapping[str, Any], names: list[str] | None
) -> list[PipelineItem]:
    """The optional [[pipeline]] tables: open units at a stage and the months they close in."""
    raw = data.get("pipeline", [])
    if not isinstance(raw, list):
        check.add("pipeline", "must be a list of [[pipeline]] tables")
        return []
    if len(raw) > MAX_PIPELINE_ITEMS:
        check.add("pipeline", f"at most {MAX_PIPELINE_ITEMS} items, got {len(raw)}")
        return []
    items: list[PipelineItem] = []
    for i, item in enumerate(raw):
        path = f"pipeline[{i}]"
        if not isinstance(item, Mapping):
            check.add(path, f"must be a table with stage, count and months, got {item!r}")
            continue
        check.unknown(item, _PIPELINE_KEYS, path)
        before = len(check.problems)
        stage = check.text(item, "stage", f"{path}.stage")
        if stage is not None and names is not None:
            if stage not in names:
                check.add(f"{path}.stage", f"{stage!r} is not one of the stages {names}")
            elif stage == names[-1]:
                check.add(f"{path}.stage", "cannot be the customers: list open pipeline")
        count = check.number(
            item.get("count", _MISSING), f"{path}.count", lambda c: c >= 0, "a count, 0 or more"
        )
        months = item.get("months", [1])
        if (
            not isinstance(months, list)
            or not months
            or not all(isinstance(m, int) and not isinstance(m, bool) for m in months)
            or not all(1 <= m <= 12 for m in months)
        ):
            check.add(
                f"{path}.months",
                f"must list fiscal months from 1 to 12 (e.g. [1, 2]), got {_shown(months)}",
            )
        if len(check.problems) == before:
            items.append(PipelineItem(stage, count, tuple(months)))
    return items


def _bridge(check: _Checker, revenue: Mapping[str, Any]) -> dict[str, Any]:
    """The revenue bridge keys of [revenue]: start_arr (optional), gross_churn, expansion."""
    start = revenue.get("start_arr", None)
    if start is not None:
        start = check.number(
            start, "revenue.start_arr", lambda x: x >= 0, "an amount of money, 0 or more"
        )
    churn = check.rate(revenue.get("gross_churn", 0.0), "revenue.gross_churn", zero_ok=True)
    expansion = revenue.get("expansion", 0.0)
    if isinstance(expansion, str):  # "5%": the one percent rule
        expansion = check.rate(expansion, "revenue.expansion", zero_ok=True)
    else:
        expansion = check.number(
            expansion,
            "revenue.expansion",
            lambda x: 0 <= x <= 10,
            "a fraction from 0 to 10 (0.05 = 5 % of the starting revenue)",
        )
    return {"start_arr": start, "gross_churn": churn, "expansion": expansion}


def _sales(check: _Checker, data: Mapping[str, Any]) -> dict[str, Any]:
    """The optional [sales] table: coverage rule, ramped reps × quota, sales cost."""
    table = check.table(data, "sales", _SALES_KEYS) or {}
    coverage = check.number(
        table.get("pipeline_coverage", 3.0),
        "sales.pipeline_coverage",
        lambda x: 0 < x <= 100,
        "a multiple from more than 0 to 100 (3 = three times the quarter's goal)",
    )
    found: dict[str, Any] = {"pipeline_coverage": coverage}
    for key, wanted in (
        ("ramped_reps", "a number of reps, 0 or more"),
        ("quota", "an amount of money, 0 or more"),
        ("sales_cost", "an amount of money, 0 or more"),
    ):
        value = table.get(key, None)
        found[key] = (
            None if value is None else check.number(value, f"sales.{key}", lambda x: x >= 0, wanted)
        )
    if (found["ramped_reps"] is None) != (found["quota"] is None):
        check.add("sales", "give ramped_reps and quota together (capacity = reps × quota)")
    return found
