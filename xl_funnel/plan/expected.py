"""What the plan workbook must show, computed by the core library (the cross-check's answer key).

Every figure here comes from the core functions (``xl_funnel.revenue``, ``funnel``,
``channels``, ``seasonality``, ``flywheel``, ``schedule``, ``pacing``, ``diagnosis``,
``sensitivity``) and never from a re-derivation of the workbook's formulas; the tests
recalculate the workbook in LibreOffice and compare cell by cell.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from xl_funnel.channels import channel_metrics, channel_roi
from xl_funnel.flywheel import flywheel_backsolve
from xl_funnel.funnel import backsolve, conversion_rates, forward
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.sheets.channels import (
    FLAG_TEXT,
    MIX_OFF_PLAN,
    MIX_ON_PLAN,
    MIX_TOLERANCE,
)
from xl_funnel.rate_sensitivity import sensitivity
from xl_funnel.revenue import customers_needed, growth_rate, target_revenue_from_history
from xl_funnel.scheduling import lag_split, lead_months, schedule_volumes
from xl_funnel.seasonality import seasonal_split

__all__ = ["expected_values", "period_names"]

#: Per-channel figures the Channels sheet shows, in its column order.
METRICS = ("cpl", "cost_per_mql", "cac", "roi", "share_of_customers", "efficiency_index")


def period_names(config: PlanConfig) -> tuple[str, ...]:
    """The planning periods: ``Before FY`` when the sales cycle needs it, then Q1 to Q4."""
    return (("Before FY",) if config.lead_months else ()) + ("Q1", "Q2", "Q3", "Q4")


def expected_values(config: PlanConfig) -> dict[str, Any]:
    """Every figure the plan workbook computes for `config`, from the core library.

    Parameters
    ----------
    config : PlanConfig
        The plan.

    Returns
    -------
    dict
        ``names`` (defined output name → value; ``RequiredVolumes`` a list top → bottom),
        ``customers_exact``, ``to_customer`` (per stage), ``month_labels`` (dates),
        ``season_shares`` and ``monthly`` (stages × months, ``schedule_volumes`` of the
        customers the funnel must bring), ``lags`` (``lags``, ``whole``, ``fraction`` per
        transition, ``reach``), ``flywheel`` (``goal``, ``base``, ``referrals``, ``funnel``
        per fiscal month, ``close_rate``, ``yield``), ``periods`` (period name → per-stage
        volumes), ``channels`` (one dict per channel, keys as the Channels sheet's columns;
        NaN where a ratio is undefined), ``channel_totals``, ``channel_mix`` (the channels'
        ``customers``, the funnel's ``plan``, their ``ratio`` and the check's ``message``),
        (the Tracking sheet's answer key is :mod:`xl_funnel.plan.expected_tracking`) and
        ``sensitivity`` (``levers`` in funnel order, ``ranked`` by revenue change; the step
        in rate points, ``absolute=True``).

    Examples
    --------
    >>> from xl_funnel.plan.config import example_config
    >>> values = expected_values(example_config())
    >>> values["names"]["CustomersNeeded"], round(values["names"]["RequiredVolumes"][0], 2)
    (10.0, 83333.33)
    >>> round(values["monthly"][-1][0], 4)
    0.8333
    >>> values["names"]["ReferralCustomers"], values["sensitivity"]["ranked"][0]["label"]
    (0.0, 'Visits→Leads')
    """
    history = np.asarray(config.revenue_history, dtype=float)
    rates = np.asarray(config.stage_rates, dtype=float)
    growth = growth_rate(history, config.growth_method)
    target = target_revenue_from_history(history, config.growth_uplift, config.growth_method)
    goal = (
        config.new_revenue_goal
        if config.new_revenue_goal is not None
        else target * config.new_revenue_share
    )
    exact = customers_needed(goal, config.avg_deal_size, round_up=False)
    needed = customers_needed(goal, config.avg_deal_size)
    stages = len(config.stage_names)
    to_customer = [float(forward(1.0, rates[i:])[-1]) for i in range(stages - 1)] + [1.0]

    lead = config.lead_months
    shares = np.concatenate([np.zeros(lead), seasonal_split(1.0, config.seasonality)])
    flywheel = _flywheel(config, seasonal_split(needed, config.seasonality), rates)
    funnel_customers = float(np.sum(flywheel["funnel"]))
    required = backsolve(funnel_customers, rates)
    monthly = schedule_volumes(flywheel["funnel"], rates, config.lags)
    spans = ([(0, lead)] if lead else []) + [(lead + 3 * q, 3) for q in range(4)]
    names = period_names(config)
    periods = {
        name: monthly[:, start : start + width].sum(axis=1).tolist()
        for name, (start, width) in zip(names, spans, strict=True)
    }
    start = datetime.date(config.fiscal_year, config.first_month, 1)
    month_labels = [_add_months(start, j - lead) for j in range(lead + 12)]

    channels, totals, budget_total, plan_roi = _channels(config, required, rates)
    return {
        "names": {
            "HistoricalGrowth": float(growth),
            "TargetRevenue": float(target),
            "NewRevenueGoal": float(goal),
            "CustomersNeeded": float(needed),
            "ReferralCustomers": float(np.sum(flywheel["referrals"])),
            "FunnelCustomersNeeded": funnel_customers,
            "RequiredVolumes": required.tolist(),
            "TotalBudget": budget_total,
            "PlanROI": plan_roi,
        },
        "customers_exact": float(exact),
        "to_customer": to_customer,
        "month_labels": month_labels,
        "season_shares": shares.tolist(),
        "monthly": monthly.tolist(),
        "lags": _lags(config),
        "flywheel": flywheel,
        "periods": periods,
        "channels": channels,
        "channel_totals": totals,
        "channel_mix": _channel_mix(totals["customers"], funnel_customers),
        "sensitivity": _sensitivity(config, required, rates),
    }


def _lags(config: PlanConfig) -> dict[str, Any]:
    whole, fraction = lag_split(config.lags, len(config.stage_rates))
    return {
        "lags": list(config.lags),
        "whole": whole.astype(float).tolist(),
        "fraction": fraction.tolist(),
        "reach": float(lead_months(config.lags)),
    }


def _flywheel(config: PlanConfig, goals: np.ndarray, rates: np.ndarray) -> dict[str, Any]:
    """``flywheel_backsolve`` one fiscal month at a time, on the seasonal customer goal.

    The core splits its target evenly over the periods; the plan's goal follows the
    seasonality, so each month is one core period (``periods=1``) started from the base the
    months before left: ``B_t = B_{t-1} + f_t + c_t``, the core's own update (a test checks
    that a flat year equals one 12-period core call).
    """
    base = float(config.customer_base)
    rows: dict[str, list[float]] = {"goal": [], "base": [], "referrals": [], "funnel": []}
    for goal in goals:
        month = flywheel_backsolve(
            goal,
            rates,
            base,
            config.referrals_per_customer,
            entry_stage=config.referral_entry_index,
            referral_close_rate=config.referral_close_rate,
            periods=1,
        )
        funnel, referred = float(month[-2, 0]), float(month[-1, 0])
        for key, value in zip(rows, (float(goal), base, referred, funnel), strict=True):
            rows[key].append(value)
        base = base + funnel + referred
    # The core's own close rate: what one customer bringing one referral a month yields.
    close = float(
        flywheel_backsolve(
            0.0,
            rates,
            1.0,
            1.0,
            entry_stage=config.referral_entry_index,
            referral_close_rate=config.referral_close_rate,
            periods=1,
        )[-1, 0]
    )
    return {**rows, "close_rate": close, "yield": config.referrals_per_customer * close}


def _sensitivity(config: PlanConfig, required: np.ndarray, rates: np.ndarray) -> dict[str, Any]:
    names = config.stage_names
    labels = [f"{names[i]}→{names[i + 1]}" for i in range(len(rates))]
    table = sensitivity(
        required[0],
        rates,
        config.avg_deal_size,
        config.sensitivity_step,
        absolute=True,
        names=labels,
    )
    columns = ("rate", "improved_rate", "customers", "customers_change", "revenue_change")
    ranks = {label: rank for rank, label in enumerate(table.index, start=1)}
    levers = [
        {
            "label": label,
            **{key: float(table.loc[label, key]) for key in columns},
            "rank": float(ranks[label]),
        }
        for label in labels
    ]
    ranked = [
        {
            "rank": float(rank),
            "position": float(labels.index(label) + 1),
            "label": label,
            "customers_change": float(table.loc[label, "customers_change"]),
            "revenue_change": float(table.loc[label, "revenue_change"]),
        }
        for rank, label in enumerate(table.index, start=1)
    ]
    return {
        "top_volume": float(required[0]),
        "base_customers": float(forward(required[0], rates)[-1]),
        "levers": levers,
        "ranked": ranked,
    }


def _add_months(start: datetime.date, months: int) -> datetime.date:
    index = start.year * 12 + start.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _channels(
    config: PlanConfig, required: np.ndarray, rates: np.ndarray
) -> tuple[list[dict[str, Any]], dict[str, float], float, float]:
    lead = config.lead_index
    plan_rate = float(rates[lead])
    shares = np.array([c.lead_share for c in config.channels])
    leads = required[lead] * (shares / shares.sum())
    mql_rates = np.array([plan_rate if c.mql_rate is None else c.mql_rate for c in config.channels])
    below = np.broadcast_to(rates[lead + 1 :], (len(config.channels), len(rates) - lead - 1))
    volumes = forward(leads, np.column_stack([mql_rates, below]))
    budget = np.array([c.budget for c in config.channels])
    table = pd.DataFrame(
        {
            "spend": budget,
            "leads": leads,
            "mqls": volumes[:, 1],
            "customers": volumes[:, -1],
            "revenue": volumes[:, -1] * config.avg_deal_size,
        }
    )
    metrics = channel_metrics(table)
    rows = []
    for k, channel in enumerate(config.channels):
        row = metrics.iloc[k]
        share_spend, share_customers = row["share_of_spend"], row["share_of_customers"]
        rows.append(
            {
                "name": channel.name,
                "budget": float(row["spend"]),
                "share_of_spend": float(share_spend),
                "leads": float(row["leads"]),
                "mql_rate": float(mql_rates[k]),
                "mqls": float(row["mqls"]),
                "customers": float(row["customers"]),
                "revenue": float(row["revenue"]),
                **{key: float(row[key]) for key in METRICS},
                "flag": FLAG_TEXT
                if share_spend > config.spend_flag_ratio * share_customers
                else "",
            }
        )
    sums = table.sum()
    total = channel_metrics(sums.to_frame().T).iloc[0]
    totals = {
        "budget": float(sums["spend"]),
        "share_of_spend": float(metrics["share_of_spend"].sum()),
        "leads": float(sums["leads"]),
        "mql_rate": float(conversion_rates([sums["leads"], sums["mqls"]])[0]),
        "mqls": float(sums["mqls"]),
        "customers": float(sums["customers"]),
        "revenue": float(sums["revenue"]),
        "cpl": float(total["cpl"]),
        "cost_per_mql": float(total["cost_per_mql"]),
        "cac": float(total["cac"]),
        "roi": float(total["roi"]),
        "share_of_customers": float(metrics["share_of_customers"].sum()),
    }
    plan_roi = float(channel_roi(sums["revenue"], sums["spend"]))
    return rows, totals, float(sums["spend"]), plan_roi


def _channel_mix(mix: float, plan: float) -> dict[str, Any]:
    """The Channels sheet's check: the channel mix's customers against the funnel's."""
    if plan == 0:
        return {"customers": mix, "plan": plan, "ratio": float("nan"), "message": ""}
    ratio = mix / plan
    template = MIX_OFF_PLAN if abs(ratio - 1) > MIX_TOLERANCE else MIX_ON_PLAN
    message = template.format(mix=_fixed(mix), plan=_fixed(plan), ratio=_fixed(ratio * 100))
    return {"customers": mix, "plan": plan, "ratio": ratio, "message": message}


def _fixed(value: float) -> str:
    """``FIXED(value, 1)``: one decimal, halves away from zero, thousands separated."""
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded:,.1f}"
