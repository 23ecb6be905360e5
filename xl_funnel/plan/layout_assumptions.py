"""Where every input lives on the Assumptions sheet, group by group."""

from __future__ import annotations

from dataclasses import dataclass

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout_base import (
    ASSUMPTIONS,
    LABEL_COL,
    VALUE_COL,
    Ref,
    Rows,
    column_range,
    row_range,
)

__all__ = ["AssumptionsLayout", "assumptions_layout"]


@dataclass(frozen=True)
class AssumptionsLayout:
    """Every input, grouped: plan, revenue, funnel, seasonality, calendar, flywheel,
    tracking, budget, channels."""

    groups: dict[str, int]
    company: Ref
    fiscal_year_start: Ref
    history_years: Ref
    history: Ref
    history_growth: Ref
    growth_method: Ref
    historical_growth: Ref
    growth_uplift: Ref
    new_revenue_share: Ref
    new_revenue_goal_override: Ref
    avg_deal_size: Ref
    start_arr: Ref
    gross_churn: Ref
    expansion: Ref
    stage_header: int
    stage_names: Ref
    stage_rates: Ref
    stage_lags: Ref
    achievable_rates: Ref
    lead_stage: Ref
    sales_cycle_months: Ref
    season_months: Ref
    seasonality: Ref
    season_shares: Ref
    #: The rolling calendar: whole units or exact, next year's growth, the starting pipeline
    #: (stages above the customers × the 12 fiscal months they are expected to close in).
    whole_units: Ref
    next_year_growth: Ref
    pipeline_header: int
    pipeline_labels: Ref
    pipeline: Ref
    customer_base: Ref
    referrals_per_customer: Ref
    referral_entry_stage: Ref
    referral_close_rate: Ref
    on_track_threshold: Ref
    spend_flag_ratio: Ref
    sensitivity_step: Ref
    budget_cap: Ref
    pipeline_coverage: Ref
    ramped_reps: Ref
    rep_quota: Ref
    sales_cost: Ref
    channel_header: int
    channel_names: Ref
    channel_entry_stages: Ref
    channel_lead_shares: Ref
    channel_mql_rates: Ref
    channel_unit_costs: Ref
    channel_fixed_costs: Ref
    channel_totals_row: int

    @property
    def channel_share_total(self) -> Ref:
        """The cell ``=SUM(ChannelLeadShares)`` below the shares (what each is scaled by)."""
        return Ref(
            self.channel_lead_shares.sheet, self.channel_totals_row, self.channel_lead_shares.col
        )


def assumptions_layout(config: PlanConfig) -> AssumptionsLayout:
    rows, groups = Rows(), {}
    sheet = ASSUMPTIONS

    def scalar() -> Ref:
        return Ref(sheet, rows.take(), VALUE_COL)

    groups["Plan"] = rows.take()
    company, fiscal_year_start = scalar(), scalar()
    rows.gap()

    groups["Revenue target"] = rows.take()
    years = len(config.revenue_history)
    history_years = row_range(sheet, rows.take(), VALUE_COL, years)
    history = row_range(sheet, rows.take(), VALUE_COL, years)
    history_growth = row_range(sheet, rows.take(), VALUE_COL + 1, years - 1)
    growth_method, historical_growth, growth_uplift = scalar(), scalar(), scalar()
    new_revenue_share, override, avg_deal = scalar(), scalar(), scalar()
    start_arr, gross_churn, expansion = scalar(), scalar(), scalar()
    rows.gap()

    groups["Funnel"] = rows.take()
    stage_header = rows.take()
    stages = len(config.stage_names)
    first_stage = rows.take(stages)
    stage_names = column_range(sheet, first_stage, LABEL_COL, stages)
    stage_rates = column_range(sheet, first_stage, VALUE_COL, stages - 1)
    stage_lags = column_range(sheet, first_stage, VALUE_COL + 1, stages - 1)
    achievable = column_range(sheet, first_stage, VALUE_COL + 2, stages - 1)
    lead_stage, cycle = scalar(), scalar()
    rows.gap()

    groups["Seasonality"] = rows.take()
    season_months = row_range(sheet, rows.take(), VALUE_COL, 12)
    seasonality = row_range(sheet, rows.take(), VALUE_COL, 12)
    season_shares = row_range(sheet, rows.take(), VALUE_COL, 12)
    rows.gap()

    groups["Calendar and starting pipeline"] = rows.take()
    whole_units, next_year_growth = scalar(), scalar()
    pipeline_header = rows.take()
    first_pipeline = rows.take(stages - 1)
    rows.gap()

    groups["Flywheel (referrals from existing customers)"] = rows.take()
    base, per_customer, entry, close = scalar(), scalar(), scalar(), scalar()
    rows.gap()

    groups["Tracking and dashboard"] = rows.take()
    on_track, flag_ratio, step = scalar(), scalar(), scalar()
    rows.gap()

    groups["Budget"] = rows.take()
    budget_cap = scalar()
    rows.gap()

    groups["Sales"] = rows.take()
    coverage, reps, quota, sales_cost = scalar(), scalar(), scalar(), scalar()
    rows.gap()

    groups["Channels"] = rows.take()
    channel_header = rows.take()
    count = len(config.channels)
    first_channel = rows.take(count)
    totals = rows.take()

    def channel_column(offset: int) -> Ref:
        return column_range(sheet, first_channel, LABEL_COL + offset, count)

    return AssumptionsLayout(
        groups=groups,
        company=company,
        fiscal_year_start=fiscal_year_start,
        history_years=history_years,
        history=history,
        history_growth=history_growth,
        growth_method=growth_method,
        historical_growth=historical_growth,
        growth_uplift=growth_uplift,
        new_revenue_share=new_revenue_share,
        new_revenue_goal_override=override,
        avg_deal_size=avg_deal,
        start_arr=start_arr,
        gross_churn=gross_churn,
        expansion=expansion,
        stage_header=stage_header,
        stage_names=stage_names,
        stage_rates=stage_rates,
        stage_lags=stage_lags,
        achievable_rates=achievable,
        lead_stage=lead_stage,
        sales_cycle_months=cycle,
        season_months=season_months,
        seasonality=seasonality,
        season_shares=season_shares,
        whole_units=whole_units,
        next_year_growth=next_year_growth,
        pipeline_header=pipeline_header,
        pipeline_labels=column_range(sheet, first_pipeline, LABEL_COL, stages - 1),
        pipeline=Ref(sheet, first_pipeline, VALUE_COL, first_pipeline + stages - 2, VALUE_COL + 11),
        customer_base=base,
        referrals_per_customer=per_customer,
        referral_entry_stage=entry,
        referral_close_rate=close,
        on_track_threshold=on_track,
        spend_flag_ratio=flag_ratio,
        sensitivity_step=step,
        budget_cap=budget_cap,
        pipeline_coverage=coverage,
        ramped_reps=reps,
        rep_quota=quota,
        sales_cost=sales_cost,
        channel_header=channel_header,
        channel_names=channel_column(0),
        channel_entry_stages=channel_column(1),
        channel_lead_shares=channel_column(2),
        channel_mql_rates=channel_column(3),
        channel_unit_costs=channel_column(4),
        channel_fixed_costs=channel_column(5),
        channel_totals_row=totals,
    )
