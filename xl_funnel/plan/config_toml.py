"""Print a plan configuration as commented TOML that reads back unchanged."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xl_funnel.plan.config import PlanConfig

__all__ = ["config_toml"]


_HEADER = """\
# xl-funnel annual plan configuration.
# Generate the workbook with:  xl-funnel new PLAN.xlsx --config THIS_FILE.toml
# Rates and shares are fractions (0.2 = 20 %); money is in the plan's currency.
"""


def config_toml(config: PlanConfig) -> str:
    """A commented TOML text of `config` that :func:`parse_config` reads back unchanged.

    Examples
    --------
    >>> from xl_funnel.plan.config import example_config, parse_config
    >>> parse_config(config_toml(example_config())) == example_config()
    True
    """
    data = config.to_dict()
    revenue, funnel, tracking = data["revenue"], data["funnel"], data["tracking"]
    flywheel = data["flywheel"]
    lines = [
        _HEADER,
        "[plan]",
        f"company = {_toml(config.company)}",
        f"fiscal_year = {config.fiscal_year}",
        "# Calendar month the fiscal year starts in (1 = January).",
        f"first_month = {config.first_month}",
        "# Currency code (USD, EUR, GBP, JPY, CNY, RUB, INR…) or symbol every money format shows.",
        f"currency = {_toml(config.currency)}",
        "# Monthly and quarterly targets in whole units (true), or exact fractions (false).",
        f"whole_units = {'true' if config.whole_units else 'false'}",
        "",
        "[revenue]",
        "# Annual revenue of past years, oldest first (seed 002: look at the last 3 years).",
        f"history = {_toml(revenue['history'])}",
        '# How past growth is averaged: "mean" of year-over-year rates, or "cagr".',
        f"growth_method = {_toml(config.growth_method)}",
        "# Added to past growth: 0.05 = five percentage points more (the stretch).",
        f"growth_uplift = {_toml(config.growth_uplift)}",
        "# Share of next year's revenue target that new customers from this plan must bring.",
        f"new_revenue_share = {_toml(config.new_revenue_share)}",
    ]
    if config.new_revenue_goal is None:
        lines.append("# new_revenue_goal = 10_000_000  # set to override target × share")
    else:
        lines.append("# Overrides target revenue × new_revenue_share.")
        lines.append(f"new_revenue_goal = {_toml(config.new_revenue_goal)}")
    lines += [
        "# Average first-year revenue of a new customer.",
        f"avg_deal_size = {_toml(config.avg_deal_size)}",
        "# The revenue bridge (optional): recurring revenue at the start of the year. When",
        "# given, the new-logo goal is target − start_arr × (1 − gross_churn + expansion)",
        "# instead of target × new_revenue_share.",
    ]
    if config.start_arr is None:
        lines.append("# start_arr = 10_000_000")
    else:
        lines.append(f"start_arr = {_toml(config.start_arr)}")
    lines += [
        "# Share of the starting revenue lost over the year (0.1 = 10 %).",
        f"gross_churn = {_toml(config.gross_churn)}",
        "# Share of the starting revenue existing customers add (0.05 = 5 %).",
        f"expansion = {_toml(config.expansion)}",
        "",
        "[funnel]",
        "# Stage names, top to bottom; the last is the customer stage.",
        f"stages = {_toml(funnel['stages'])}",
        "# Conversion rate from each stage to the next: one fewer than the stages.",
        f"rates = {_toml(funnel['rates'])}",
        "# The stage the channels' lead shares split (default: the second stage).",
        f"lead_stage = {_toml(config.lead_stage)}",
        "# Months from opportunity to close: stages above customers happen this much earlier.",
        f"sales_cycle_months = {_toml(config.sales_cycle_months)}",
        "# Or per-stage lags instead (then leave sales_cycle_months at 0): average months from",
        "# each stage to the next, one per rate, fractions split between two months.",
    ]
    if config.stage_lags is None:
        example = [0.0] * (len(config.stage_rates) - 1) + [1.5]
        lines.append(f"# stage_lags = {_toml(example)}")
    else:
        lines.append(f"stage_lags = {_toml(funnel['stage_lags'])}")
    lines += [
        "# Twelve relative weights, fiscal month 1 first; normalised, so 1s mean a flat year.",
        f"seasonality = {_toml(funnel['seasonality'])}",
        "",
        "[flywheel]",
        "# Existing customers refer new ones (seed 000: funnel vs flywheel); 0 turns it off.",
        "# Customers at the start of the fiscal year; new customers join them month by month.",
        f"customer_base = {_toml(flywheel['customer_base'])}",
        "# Referrals each customer brings per month (0.02 = one every 50 months).",
        f"referrals_per_customer = {_toml(flywheel['referrals_per_customer'])}",
        "# The stage referrals enter at (default: the lead stage).",
        f"entry_stage = {_toml(config.referral_entry_stage)}",
        "# Share of referrals that become customers (default: the funnel's rates from the",
        "# entry stage down).",
    ]
    if config.referral_close_rate is None:
        lines.append("# referral_close_rate = 0.25")
    else:
        lines.append(f"referral_close_rate = {_toml(config.referral_close_rate)}")
    lines += [
        "",
        "[tracking]",
        "# A quarter is on track at this share of its target or more.",
        f"on_track_threshold = {_toml(tracking['on_track_threshold'])}",
        "# Flag a channel whose share of spend exceeds this multiple of its share of customers.",
        f"spend_flag_ratio = {_toml(tracking['spend_flag_ratio'])}",
        "",
        "[dashboard]",
        "# Rate points added to each rate in the lever table's second column (0.01 = one point).",
        f"sensitivity_step = {_toml(config.sensitivity_step)}",
        "# The levers: the rate each stage could reach, one per rate (default: each rate",
        "# × 1.1, at most 1). The tornado ranks stages by the revenue reaching it brings.",
    ]
    if config.achievable_rates is None:
        lines.append(f"# achievable_rates = {_toml([round(r, 6) for r in config.achievable])}")
    else:
        lines.append(f"achievable_rates = {_toml(list(config.achievable_rates))}")
    lines += [
        "",
        "[sales]",
        "# Pipeline to hold per quarter: this multiple of the quarter's new revenue (the",
        "# sheet also shows what the win rate alone needs: new revenue ÷ win rate).",
        f"pipeline_coverage = {_toml(config.pipeline_coverage)}",
        "# Sales capacity (optional, together): ramped reps × yearly quota; the plan flags",
        "# bookings above it. sales_cost (optional): the year's sales cost, for a fully",
        "# loaded CAC beside the marketing CAC.",
    ]
    for key, value, example in (
        ("ramped_reps", config.ramped_reps, "8"),
        ("quota", config.rep_quota, "1_500_000"),
        ("sales_cost", config.sales_cost, "1_200_000"),
    ):
        lines.append(f"# {key} = {example}" if value is None else f"{key} = {_toml(value)}")
    lines += [
        "",
        "[calendar]",
        "# The year rolls into the next: its last months generate what next year's first",
        "# months need. Growth of next year's monthly customers over this year's (default:",
        "# the plan's growth, historical growth + uplift).",
    ]
    if config.next_year_growth is None:
        lines.append("# next_year_growth = 0.25")
    else:
        lines.append(f"next_year_growth = {_toml(config.next_year_growth)}")
    lines += [
        "",
        "# The pipeline the year starts with (optional, repeat per stage): open units at a",
        "# stage and the fiscal months they are expected to close in (spread evenly).",
    ]
    if not config.pipeline:
        lines += [
            "# [[pipeline]]",
            '# stage = "Opportunities"',
            "# count = 8",
            "# months = [1, 2, 3]",
        ]
    for item in config.pipeline:
        lines += [
            "[[pipeline]]",
            f"stage = {_toml(item.stage)}",
            f"count = {_toml(item.count)}",
            f"months = {_toml(list(item.months))}",
            "",
        ]
    lines += [
        "",
        "[budget]",
        "# The money the plan is given (optional): the Dashboard shows the budget the plan",
        "# needs against it, and what it buys when it is less.",
    ]
    if config.budget_cap is None:
        lines.append("# cap = 1_000_000")
    else:
        lines.append(f"cap = {_toml(config.budget_cap)}")
    lines += [
        "",
        "# One [[channels]] table per channel. lead_share: its share of the volume of the stage",
        "# it brings (the shares sum to 1). entry_stage (optional, default the lead stage): the",
        "# stage it brings, e.g. visits, leads or MQLs. mql_rate (optional): its own rate from",
        "# that stage to the next. cost_per_unit: what one unit of that stage costs (0 or",
        "# missing for organic or referral channels); fixed_cost: a yearly cost on top.",
        "# budget (older form): a fixed yearly cost, used when neither of those is given.",
    ]
    for channel in data["channels"]:
        lines.append("[[channels]]")
        lines += [f"{key} = {_toml(value)}" for key, value in channel.items()]
        lines.append("")
    return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, str):
        # JSON string escapes are a subset of TOML basic-string escapes.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        number = int(value)
        return f"{number:_}.0" if abs(number) >= 10_000 else f"{number}.0"
    return repr(float(value))
