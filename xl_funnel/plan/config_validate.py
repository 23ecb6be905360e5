"""Validate a whole plan configuration: every key checked, every problem reported at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xl_funnel.errors import FunnelError
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.config_checks import (
    _DASHBOARD_KEYS,
    _FUNNEL_KEYS,
    _MISSING,
    _PLAN_KEYS,
    _REVENUE_KEYS,
    _TOP_KEYS,
    _TRACKING_KEYS,
    GROWTH_METHODS,
    MAX_CURRENCY_LENGTH,
    MAX_SALES_CYCLE_MONTHS,
    ConfigError,
    _Checker,
    _default_lead_stage,
    _positive,
    _shown,
)
from xl_funnel.plan.config_sections import (
    _bridge,
    _budget,
    _calendar,
    _channels,
    _flywheel,
    _pipeline,
    _sales,
    _sensitivity_step,
    _stage_lags,
)
from xl_funnel.revenue import target_revenue_from_history

__all__ = ["validated"]


def validated(data: Mapping[str, Any], source: str | None) -> PlanConfig:
    """Check every key of `data`; return the config or raise one ConfigError with them all."""
    check = _Checker()
    if not isinstance(data, Mapping):
        raise ConfigError(["the configuration must be a table of tables"], source)
    check.unknown(data, _TOP_KEYS, "")
    plan = check.table(data, "plan", _PLAN_KEYS) or {}
    if "plan" not in data:
        check.add("plan", "missing table [plan]")
    company = check.text(plan, "company", "plan.company")
    year = plan.get("fiscal_year", _MISSING)
    fiscal_year = check.number(
        year,
        "plan.fiscal_year",
        lambda y: y.is_integer() and 1900 <= y <= 9999 and isinstance(year, int),
        "a whole year from 1900 to 9999",
        "fiscal_year = 2027",
    )
    month = plan.get("first_month", 1)
    first_month = check.number(
        month,
        "plan.first_month",
        lambda m: isinstance(month, int) and 1 <= m <= 12,
        "a whole month number from 1 to 12",
    )

    currency = check.text(plan, "currency", "plan.currency", "USD")
    if currency is not None and (len(currency) > MAX_CURRENCY_LENGTH or '"' in currency):
        check.add(
            "plan.currency",
            f"must be a currency code or symbol of at most {MAX_CURRENCY_LENGTH} characters "
            f"without quotes (USD, EUR, ₽), got {currency!r}",
        )
        currency = None

    revenue = check.table(data, "revenue", _REVENUE_KEYS)
    if revenue is None and "revenue" not in data:
        check.add("revenue", "missing table [revenue]")
    revenue = revenue or {}
    # Without the table its keys are not reported one by one: "missing table" says it all.
    present = bool(revenue)
    history = check.numbers(
        revenue, "history", "revenue.history", _positive(check, "history = [8e6, 9e6, 10e6]")
    )
    if "history" not in revenue and revenue:
        check.add("revenue.history", "missing (e.g. history = [8_000_000, 9_000_000, 10_000_000])")
    elif history is not None and len(history) < 2:
        check.add(
            "revenue.history", f"needs at least 2 years for a growth rate, got {len(history)}"
        )
        history = None
    method = check.text(revenue, "growth_method", "revenue.growth_method", "mean")
    if method is not None and method not in GROWTH_METHODS:
        check.add("revenue.growth_method", f"must be 'mean' or 'cagr', got {method!r}")
        method = None
    uplift = check.rate(
        revenue.get("growth_uplift", 0.05),
        "revenue.growth_uplift",
        low=-1.0,
        wanted="a fraction from above -1 to 1 (0.05 = five points)",
    )
    if history is not None and method is not None and uplift is not None:
        try:
            target_revenue_from_history(history, uplift, method)
        except FunnelError as error:
            check.add("revenue.growth_uplift", f"with this history {error}")
    share = check.rate(
        revenue.get("new_revenue_share", _MISSING if present else 0.5), "revenue.new_revenue_share"
    )
    goal = revenue.get("new_revenue_goal", None)
    if goal is not None:
        goal = _positive(check, "")(goal, "revenue.new_revenue_goal")
    deal = _positive(check, "avg_deal_size = 1_100_000")(
        revenue.get("avg_deal_size", _MISSING if present else 1.0), "revenue.avg_deal_size"
    )

    funnel = check.table(data, "funnel", _FUNNEL_KEYS)
    if funnel is None and "funnel" not in data:
        check.add("funnel", "missing table [funnel]")
    funnel = funnel or {}
    stages = funnel.get("stages", _MISSING)
    names: list[str] | None = None
    if stages is _MISSING:
        if funnel:
            check.add("funnel.stages", 'missing (e.g. stages = ["Visits", "Leads", "Customers"])')
    elif not isinstance(stages, list) or len(stages) < 2:
        check.add("funnel.stages", f"must list at least 2 stage names, got {_shown(stages)}")
    else:
        indexed = dict(enumerate(stages))
        checked = [check.text(indexed, i, f"funnel.stages[{i}]") for i in indexed]
        if all(name is not None for name in checked):
            names = checked
            seen: set[str] = set()
            for i, name in enumerate(names):
                if name.strip().lower() in seen:
                    check.add(f"funnel.stages[{i}]", f"{name!r} appears twice: names must differ")
                    names = None
                    break
                seen.add(name.strip().lower())
    rates = check.numbers(funnel, "rates", "funnel.rates", lambda v, p: check.rate(v, p))
    if "rates" not in funnel and funnel:
        check.add("funnel.rates", "missing (e.g. rates = [0.015, 0.2, 0.2, 0.4, 0.5])")
    raw_rates = funnel.get("rates")
    if names is not None and isinstance(raw_rates, list) and len(raw_rates) != len(names) - 1:
        check.add(
            "funnel.rates",
            f"has {len(raw_rates)} rates for {len(names)} stages: give one rate per step "
            f"between stages, {len(names) - 1} in all",
        )
        rates = None
    lead_stage = check.text(funnel, "lead_stage", "funnel.lead_stage", None)
    if lead_stage is not None and names is not None:
        if lead_stage not in names:
            check.add("funnel.lead_stage", f"{lead_stage!r} is not one of the stages {names}")
        elif lead_stage == names[-1]:
            check.add("funnel.lead_stage", "cannot be the last stage: channels bring leads")
    cycle = check.number(
        funnel.get("sales_cycle_months", 0.0),
        "funnel.sales_cycle_months",
        lambda s: 0 <= s <= MAX_SALES_CYCLE_MONTHS,
        f"a number of months from 0 to {MAX_SALES_CYCLE_MONTHS}",
    )
    lags = _stage_lags(check, funnel, raw_rates, rates, cycle)
    weights = check.numbers(
        funnel,
        "seasonality",
        "funnel.seasonality",
        lambda v, p: check.number(v, p, lambda w: w >= 0, "a weight of 0 or more"),
    )
    if weights is not None:
        if len(weights) != 12:
            check.add("funnel.seasonality", f"must list 12 monthly weights, got {len(weights)}")
            weights = None
        elif sum(weights) <= 0:
            check.add("funnel.seasonality", "weights sum to 0: at least one month needs weight")
            weights = None

    flywheel = _flywheel(check, data, names)

    tracking = check.table(data, "tracking", _TRACKING_KEYS) or {}
    on_track = check.rate(tracking.get("on_track_threshold", 0.9), "tracking.on_track_threshold")
    flag_ratio = check.number(
        tracking.get("spend_flag_ratio", 1.5),
        "tracking.spend_flag_ratio",
        lambda r: 1 <= r <= 100,
        "a multiple from 1 to 100",
    )

    dashboard = check.table(data, "dashboard", _DASHBOARD_KEYS) or {}
    step = _sensitivity_step(check, dashboard.get("sensitivity_step", 0.01))
    achievable = check.numbers(
        dashboard,
        "achievable_rates",
        "dashboard.achievable_rates",
        lambda v, p: check.rate(v, p),
    )
    if achievable is not None and isinstance(raw_rates, list) and len(achievable) != len(raw_rates):
        check.add(
            "dashboard.achievable_rates",
            f"has {len(achievable)} rates for {len(raw_rates)} stage rates: give one each",
        )
        achievable = None

    bridge = _bridge(check, revenue)
    sales = _sales(check, data)
    cap = _budget(check, data)
    next_growth = _calendar(check, data)
    pipeline = _pipeline(check, data, names)
    whole = plan.get("whole_units", True)
    if not isinstance(whole, bool):
        check.add("plan.whole_units", f"must be true or false, got {_shown(whole)}")
    channels = _channels(check, data, names)

    if check.problems:
        raise ConfigError(check.problems, source)
    return _build(
        company=company,
        fiscal_year=int(fiscal_year),
        first_month=int(first_month),
        revenue_history=tuple(history),
        growth_method=method,
        growth_uplift=uplift,
        new_revenue_share=share,
        new_revenue_goal=goal,
        avg_deal_size=deal,
        stage_names=tuple(names),
        stage_rates=tuple(rates),
        lead_stage=lead_stage or _default_lead_stage(tuple(names)),
        sales_cycle_months=cycle,
        seasonality=tuple(weights) if weights is not None else (1.0,) * 12,
        spend_flag_ratio=flag_ratio,
        on_track_threshold=on_track,
        stage_lags=lags,
        customer_base=flywheel["customer_base"],
        referrals_per_customer=flywheel["referrals_per_customer"],
        referral_entry_stage=flywheel["entry_stage"]
        or lead_stage
        or _default_lead_stage(tuple(names)),
        referral_close_rate=flywheel["referral_close_rate"],
        sensitivity_step=step,
        achievable_rates=None if achievable is None else tuple(achievable),
        budget_cap=cap,
        **bridge,
        pipeline_coverage=sales["pipeline_coverage"],
        ramped_reps=sales["ramped_reps"],
        rep_quota=sales["quota"],
        sales_cost=sales["sales_cost"],
        whole_units=whole,
        currency=currency,
        next_year_growth=next_growth,
        pipeline=tuple(pipeline),
        channels=tuple(channels),
        source=source,
    )


def _build(**fields: Any) -> PlanConfig:
    """Construct without re-running the checks that just passed."""
    config = object.__new__(PlanConfig)
    for name, value in fields.items():
        object.__setattr__(config, name, value)
    return config
