"""The answer key's money and calendar: channel units and budgets, the rolling calendar and
the revenue bridge, each from the core (``xl_funnel.rolling``, ``channel_money``,
``revenue_bridge``, ``channels``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xl_funnel.channel_money import (
    budget_share_bought,
    channel_budget,
    channel_units,
)
from xl_funnel.channels import channel_metrics, channel_roi
from xl_funnel.funnel import conversion_rates, forward
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.sheets.channels import FLAG_TEXT
from xl_funnel.revenue_bridge import acquisition_cost, new_logo_goal, pipeline_needed
from xl_funnel.rolling import pipeline_customers, rolling_schedule
from xl_funnel.scheduling import schedule_volumes

__all__ = [
    "bridge",
    "calendar",
    "channels",
    "money",
    "new_revenue_goal",
    "plan_customers",
    "plan_rates",
]

#: Per-channel figures the Channels sheet shows, in its column order.
METRICS = ("cpl", "cost_per_mql", "cac", "roi", "share_of_customers", "efficiency_index")


def plan_rates(config: PlanConfig) -> np.ndarray:
    """The rates the plan uses: at a stage channels bring, theirs weighted by share."""
    return np.asarray(config.plan_rates)


def calendar(
    config: PlanConfig, rates: np.ndarray, funnel: list[float], growth: float
) -> dict[str, Any]:
    """The rolling calendar, as ``rolling_schedule`` computes it, and the grid around it."""
    lead = config.lead_months
    growth_used = (
        config.next_year_growth
        if config.next_year_growth is not None
        else growth + config.growth_uplift
    )
    funnel_months = np.asarray(funnel, dtype=float)
    after = np.array([funnel_months[j % 12] * (1 + growth_used) for j in range(lead)])
    delivered = pipeline_customers(config.pipeline_grid, rates)
    plan = rolling_schedule(
        funnel_months, rates, config.lags, after, delivered, round_up=config.whole_units
    )
    grid = schedule_volumes(np.concatenate([plan.net_targets, after]), rates, config.lags)
    won = np.cumsum(plan.net_targets)
    return {
        "monthly": plan.generated,
        "grid": grid.tolist(),
        "carried_in": plan.carried_in.tolist(),
        "carried_out": plan.carried_out.tolist(),
        "delivered": delivered.tolist(),
        "won": won.tolist(),
        "net": plan.net_targets.tolist(),
        "next": after.tolist(),
        "growth": float(growth_used),
        "pipeline": float(delivered.sum()),
        "new_pipeline": float(plan.net_targets.sum()),
        "pipeline_open": [float(sum(row)) for row in config.pipeline_grid] + [0.0],
    }


def money(
    config: PlanConfig, blocks: dict[str, np.ndarray], needed: float, new_pipeline: float
) -> dict[str, float]:
    """The Channels sheet's budget block: needed, given, what the budget buys."""
    total = float(blocks["budget"].sum())
    fixed = float(sum(c.fixed for c in config.channels))
    cap = total if config.budget_cap is None else float(config.budget_cap)
    bought = budget_share_bought(total, fixed, config.budget_cap)
    customers = needed - (1 - bought) * new_pipeline
    return {
        "needed": total,
        "fixed": fixed,
        "cap": cap,
        "gap": max(total - cap, 0.0),
        "bought": bought,
        "customers_bought": customers,
        "customer_gap": needed - customers,
    }


def channels(
    config: PlanConfig, monthly: np.ndarray, rates: np.ndarray
) -> tuple[list[dict[str, Any]], dict[str, float], float, float, dict[str, np.ndarray]]:
    entry = np.array([config.stage_names.index(stage) for stage in config.entry_stages])
    shares = np.array([c.lead_share for c in config.channels])
    units = channel_units(monthly, entry, shares, whole=config.whole_units)
    budget = channel_budget(
        units, [c.unit_cost for c in config.channels], [c.fixed for c in config.channels]
    )
    quarters = budget.reshape(len(config.channels), 4, 3).sum(axis=2)
    typed = np.asarray(config.stage_rates, dtype=float)
    own_rates = np.array(
        [
            typed[e] if c.mql_rate is None else c.mql_rate
            for c, e in zip(config.channels, entry, strict=True)
        ]
    )
    to_customer = np.array([float(forward(1.0, rates[i:])[-1]) for i in range(len(rates))] + [1])
    year_units = units.sum(axis=1)
    next_units = year_units * own_rates
    customers = next_units * to_customer[entry + 1]
    table = pd.DataFrame(
        {
            "spend": budget.sum(axis=1),
            "leads": year_units,
            "mqls": next_units,
            "customers": customers,
            "revenue": customers * config.avg_deal_size,
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
                "entry_position": float(entry[k] + 1),
                "budget": float(row["spend"]),
                "share_of_spend": float(share_spend),
                "leads": float(row["leads"]),
                "mql_rate": float(own_rates[k]),
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
    blocks = {"units": units, "budget": budget, "quarters": quarters, "entry": entry}
    return rows, totals, float(sums["spend"]), plan_roi, blocks


def plan_customers(config: PlanConfig, blocks: dict[str, np.ndarray], rates: np.ndarray) -> float:
    """Customers the channels' units bring at the plan's rates (the mix check's yardstick)."""
    to_customer = np.array([float(forward(1.0, rates[i:])[-1]) for i in range(len(rates))] + [1])
    return float(np.sum(blocks["units"].sum(axis=1) * to_customer[blocks["entry"]]))


def new_revenue_goal(config: PlanConfig, target: float) -> float:
    """The override, else the bridge when a starting revenue is given, else the flat share."""
    if config.new_revenue_goal is not None:
        return float(config.new_revenue_goal)
    if config.start_arr is not None:
        return float(new_logo_goal(target, config.start_arr, config.gross_churn, config.expansion))
    return target * config.new_revenue_share


def bridge(
    config: PlanConfig, goal: float, rates: np.ndarray, needed: float, budget: float
) -> dict[str, Any]:
    """The Funnel's bridge block: retained revenue, pipeline by quarter, capacity, CAC."""
    shares = np.asarray(config.seasonality, dtype=float) / sum(config.seasonality)
    quarters = goal * shares.reshape(4, 3).sum(axis=1)
    capacity = (
        config.ramped_reps * config.rep_quota
        if config.ramped_reps is not None and config.rep_quota is not None
        else None
    )
    return {
        "retained": None
        if config.start_arr is None
        else config.start_arr * (1 - config.gross_churn + config.expansion),
        "win_rate": float(rates[-1]),
        "pipeline_needed": np.asarray(pipeline_needed(quarters, rates[-1])).tolist(),
        "coverage": np.asarray(
            pipeline_needed(quarters, rates[-1], coverage=config.pipeline_coverage)
        ).tolist(),
        "capacity": capacity,
        "over_capacity": capacity is not None and goal > capacity,
        "marketing_cac": float(acquisition_cost(budget, needed)),
        "loaded_cac": None
        if config.sales_cost is None
        else float(acquisition_cost(budget, needed, config.sales_cost)),
    }
