"""Plan configurations the plan tests share: the built-in example and three harder ones."""

from __future__ import annotations

import dataclasses

from xl_funnel.plan import Channel, PlanConfig, example_config

#: Eight stages, a seasonal year starting in April, CAGR growth, an explicit new-revenue goal.
MORE_STAGES = PlanConfig(
    company="Nordwind Analytics GmbH",
    fiscal_year=2028,
    first_month=4,
    revenue_history=(3_100_000.0, 3_900_000.0, 4_300_000.0, 5_600_000.0),
    growth_method="cagr",
    growth_uplift=0.03,
    new_revenue_share=0.35,
    new_revenue_goal=2_750_000.0,
    avg_deal_size=42_500.0,
    stage_names=(
        "Impressions",
        "Visits",
        "Leads",
        "MQLs",
        "SALs",
        "SQLs",
        "Opportunities",
        "Customers",
    ),
    stage_rates=(0.012, 0.031, 0.37, 0.62, 0.55, 0.41, 0.27),
    lead_stage="Leads",
    seasonality=(0.8, 1.0, 1.1, 0.9, 0.6, 1.2, 1.3, 1.1, 0.7, 1.0, 1.2, 1.6),
    channels=(
        Channel("Paid search", 210_000.0, 0.34),
        Channel("LinkedIn ads", 260_000.0, 0.21, 0.22),
        Channel("Partner referrals", 45_000.0, 0.15, 0.6),
        Channel("Trade shows", 180_000.0, 0.12),
        Channel("SEO content", 90_000.0, 0.18),
    ),
    on_track_threshold=0.95,
    spend_flag_ratio=2.0,
)

#: A 2.5-month sales cycle (fractional: split between two months), a July start, seasonality,
#: custom stage names and a channel with no share of leads (its ratios are n/a).
LAGGED = PlanConfig(
    company="Blue Harbor Software",
    fiscal_year=2027,
    first_month=7,
    revenue_history=(900_000.0, 1_250_000.0, 1_700_000.0),
    growth_uplift=0.05,
    new_revenue_share=0.6,
    avg_deal_size=18_000.0,
    stage_names=("Website visits", "Sign-ups", "MQLs", "SQLs", "Opportunities", "Closed won"),
    stage_rates=(0.021, 0.35, 0.3, 0.45, 0.33),
    sales_cycle_months=2.5,
    seasonality=(1, 1, 1.2, 1.3, 1.1, 0.6, 0.8, 1, 1.2, 1.1, 1, 0.9),
    channels=(
        Channel("Google Ads", 95_000.0, 0.45, 0.25),
        Channel("Newsletter", 12_000.0, 0.25),
        Channel("Webinars", 30_000.0, 0.3, 0.45),
        Channel("Podcast sponsorship", 20_000.0, 0.0),
    ),
)

#: Fractional per-stage lags (reaching back six months), a seasonal year, the flywheel
#: (167 customers bringing 0.02 referrals a month each, entering as opportunities and
#: closing at 50 %: about a third of 72 new customers) and a 93 % stage in the middle, whose
#: ten-point improvement is capped at 100 %, so the sensitivity ranks it last.
FLYWHEEL = PlanConfig(
    company="Loop Labs",
    fiscal_year=2027,
    first_month=1,
    revenue_history=(2_600_000.0, 3_000_000.0, 3_500_000.0),
    growth_uplift=0.05,
    new_revenue_share=0.5,
    new_revenue_goal=1_800_000.0,
    avg_deal_size=25_000.0,
    stage_names=("Visits", "Leads", "MQLs", "SALs", "SQLs", "Opportunities", "Customers"),
    stage_rates=(0.02, 0.25, 0.93, 0.3, 0.45, 0.4),
    lead_stage="Leads",
    stage_lags=(0.0, 0.5, 0.25, 0.5, 1.0, 1.5),
    seasonality=(0.8, 0.9, 1.1, 1.0, 1.0, 0.9, 0.7, 0.8, 1.1, 1.2, 1.2, 1.3),
    customer_base=167.0,
    referrals_per_customer=0.02,
    referral_entry_stage="Opportunities",
    referral_close_rate=0.5,
    sensitivity_step=0.1,
    channels=(
        Channel("Paid search", 120_000.0, 0.5),
        Channel("Partner webinars", 40_000.0, 0.3, 0.35),
        Channel("Content", 30_000.0, 0.2),
    ),
)

#: Referrals alone exceed the goal every month: the funnel must bring nothing at all, and
#: every ratio over its volumes is n/a (never an error value).
SATURATED = dataclasses.replace(FLYWHEEL, customer_base=5_000.0, referrals_per_customer=0.05)

#: $1,000,000,000.50 at $1M a deal is 1,000.0000005 customers: the core's ``ceil_whole``
#: (1e-9 absolute) needs 1,001; a 1e-9 relative tolerance would have said 1,000.
ROUNDING = dataclasses.replace(
    example_config(), new_revenue_goal=1_000_000_000.5, avg_deal_size=1_000_000.0
)

CASES = {
    "example": example_config(),
    "more_stages": MORE_STAGES,
    "lagged": LAGGED,
    "flywheel": FLYWHEEL,
}

#: A config whose free text looks like formulas (spreadsheet formula injection).
HOSTILE = dataclasses.replace(
    example_config(),
    company="=cmd|' /C calc'!A0",
    channels=(
        Channel("+SUM(1)", 100_000.0, 0.5),
        Channel('@HYPERLINK("http://x")', 50_000.0, 0.3),
        Channel("-2+3", 20_000.0, 0.2),
    ),
    stage_names=("=1+1", "Leads", "MQLs", "SQLs", "Opportunities", "Customers"),
)
