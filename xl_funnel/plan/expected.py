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

from xl_funnel.flywheel import flywheel_backsolve
from xl_funnel.funnel import backsolve, forward
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.expected_money import (
    bridge,
    channels,
    money,
    new_revenue_goal,
    plan_customers,
    plan_rates,
)
from xl_funnel.plan.expected_money import calendar as plan_calendar
from xl_funnel.plan.layout_plan import PERIODS
from xl_funnel.plan.sheets.channels import (
    MIX_OFF_PLAN,
    MIX_ON_PLAN,
    MIX_TOLERANCE,
)
from xl_funnel.rate_sensitivity import sensitivity
from xl_funnel.revenue import customers_needed, growth_rate, target_revenue_from_history
from xl_funnel.scheduling import lag_split, lead_months
from xl_funnel.seasonality import seasonal_split

__all__ = ["expected_values", "period_names", "plan_rates"]


def period_names(config: PlanConfig) -> tuple[str, ...]:
    """The planning periods: the four fiscal quarters (the year rolls; nothing is before it)."""
    return PERIODS


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
    >>> values["monthly"][-1]
    [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    >>> values["names"]["ReferralCustomers"], values["sensitivity"]["ranked"][0]["label"]
    (0.0, 'Leads→MQLs')
    """
    history = np.asarray(config.revenue_history, dtype=float)
    rates = plan_rates(config)
    growth = growth_rate(history, config.growth_method)
    target = target_revenue_from_history(history, config.growth_uplift, config.growth_method)
    goal = new_revenue_goal(config, float(target))
    exact = customers_needed(goal, config.avg_deal_size, round_up=False)
    needed = customers_needed(goal, config.avg_deal_size)
    stages = len(config.stage_names)
    to_customer = [float(forward(1.0, rates[i:])[-1]) for i in range(stages - 1)] + [1.0]

    shares = seasonal_split(1.0, config.seasonality)
    flywheel = _flywheel(config, seasonal_split(needed, config.seasonality), rates)
    funnel_customers = float(np.sum(flywheel["funnel"]))
    required = backsolve(funnel_customers, rates)
    calendar = plan_calendar(config, rates, flywheel["funnel"], float(growth))
    monthly = calendar["monthly"]
    names = period_names(config)
    periods = {
        name: monthly[:, 3 * q : 3 * q + 3].sum(axis=1).tolist() for q, name in enumerate(names)
    }
    start = datetime.date(config.fiscal_year, config.first_month, 1)
    month_labels = [_add_months(start, t) for t in range(12)]

    rows, totals, budget_total, plan_roi, blocks = channels(config, monthly, rates)
    budget = money(config, blocks, needed, calendar["new_pipeline"])
    for row in rows:  # a smaller budget buys the same share of every channel's units
        row["units_bought"] = row["leads"] * budget["bought"]
    totals["units_bought"] = float(sum(row["units_bought"] for row in rows))
    revenue = bridge(config, goal, rates, needed, budget_total)
    return {
        "names": {
            "HistoricalGrowth": float(growth),
            "TargetRevenue": float(target),
            "NewRevenueGoal": float(goal),
            "CustomersNeeded": float(needed),
            "ReferralCustomers": float(np.sum(flywheel["referrals"])),
            "FunnelCustomersNeeded": funnel_customers,
            "RequiredVolumes": required.tolist(),
            "StageRatesUsed": rates.tolist(),
            "GeneratedVolumes": monthly.sum(axis=1).tolist(),
            "PipelineCarriedIn": calendar["carried_in"],
            "PipelineCarriedOut": calendar["carried_out"],
            "PipelineCustomers": calendar["pipeline"],
            "NewPipelineCustomers": calendar["new_pipeline"],
            "MonthlyVolumes": monthly.tolist(),
            "QuarterlyVolumes": [list(row) for row in zip(*periods.values(), strict=True)],
            "ChannelMonthlyVolumes": blocks["units"].tolist(),
            "ChannelMonthlyBudget": blocks["budget"].tolist(),
            "ChannelQuarterlyBudget": blocks["quarters"].tolist(),
            "ChannelBudgets": blocks["budget"].sum(axis=1).tolist(),
            "TotalBudget": budget_total,
            "BudgetNeeded": budget_total,
            "BudgetGap": budget["gap"],
            "CustomersBought": budget["customers_bought"],
            "PlanROI": plan_roi,
            **({} if revenue["retained"] is None else {"RetainedRevenue": revenue["retained"]}),
            "PipelineValueNeeded": revenue["pipeline_needed"],
            "CoveragePipeline": revenue["coverage"],
            **({} if revenue["capacity"] is None else {"SalesCapacity": revenue["capacity"]}),
            "MarketingCAC": revenue["marketing_cac"],
            **({} if revenue["loaded_cac"] is None else {"FullyLoadedCAC": revenue["loaded_cac"]}),
        },
        "bridge": revenue,
        "customers_exact": float(exact),
        "to_customer": to_customer,
        "month_labels": month_labels,
        "season_shares": shares.tolist(),
        "monthly": monthly.tolist(),
        "calendar": calendar,
        "money": budget,
        "lags": _lags(config),
        "flywheel": flywheel,
        "periods": periods,
        "channels": rows,
        "channel_totals": totals,
        "channel_mix": _channel_mix(totals["customers"], plan_customers(config, blocks, rates)),
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
    """The levers: each rate alone at its achievable rate (``sensitivity(targets=…)``), and
    the older ``SensitivityStep`` points beside them."""
    names = config.stage_names
    labels = [f"{names[i]}→{names[i + 1]}" for i in range(len(rates))]
    table = sensitivity(
        required[0], rates, config.avg_deal_size, names=labels, targets=config.achievable
    )
    step = sensitivity(
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
            "step_revenue_change": float(step.loc[label, "revenue_change"]),
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
