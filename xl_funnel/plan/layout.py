"""Where everything in the plan workbook lives: the one description every sheet module reads.

:func:`plan_layout` stacks each sheet's blocks from the top, sized by the configuration
(stages, years of history, months of sales-cycle lead, channels). Sheet modules ask the layout
for a cell or a range; no cell address is written anywhere else, so adding a block (a Flywheel
group on Assumptions, a per-stage lag row) moves what follows it instead of breaking it.
The grid is in :mod:`~xl_funnel.plan.layout_base`, the inputs in
:mod:`~xl_funnel.plan.layout_assumptions`, the Funnel and Channels sheets in
:mod:`~xl_funnel.plan.layout_plan`, Tracking in :mod:`~xl_funnel.plan.tracking_layout`; the
Dashboard is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout_assumptions import AssumptionsLayout, assumptions_layout
from xl_funnel.plan.layout_base import (
    ASSUMPTIONS,
    CHANNELS,
    DASHBOARD,
    FIRST_BLOCK_ROW,
    FUNNEL,
    GUIDE,
    LABEL_COL,
    SHEETS,
    SUBTITLE_ROW,
    TITLE_ROW,
    TRACKING,
    VALUE_COL,
    Ref,
    Rows,
    column_range,
    row_range,
)
from xl_funnel.plan.layout_plan import (
    CHANNEL_COLUMNS,
    CHANNEL_MONEY,
    ChannelsLayout,
    FunnelLayout,
    channels_layout,
    funnel_layout,
)
from xl_funnel.plan.tracking_layout import TrackingLayout, tracking_layout

__all__ = [
    "ASSUMPTIONS",
    "CHANNELS",
    "CHANNEL_COLUMNS",
    "CHANNEL_MONEY",
    "DASHBOARD",
    "FUNNEL",
    "GUIDE",
    "LABEL_COL",
    "SHEETS",
    "SUBTITLE_ROW",
    "TITLE_ROW",
    "TRACKING",
    "VALUE_COL",
    "AssumptionsLayout",
    "ChannelsLayout",
    "DashboardLayout",
    "FunnelLayout",
    "Layout",
    "Ref",
    "column_range",
    "plan_layout",
    "row_range",
]


@dataclass(frozen=True)
class DashboardLayout:
    kpi_label_row: int
    kpi_value_row: int
    kpis: tuple[tuple[str, int], ...]
    #: Under the KPI tiles: the channel mix's customers against the plan's (Channels' check).
    kpi_note: Ref
    #: Cell ranges each chart covers (two-cell anchors: they fit the grid in every engine).
    chart_anchors: dict[str, Ref]
    data_header: int
    funnel_labels: Ref
    funnel_pad: Ref
    funnel_width: Ref
    #: Sensitivity (tornado) helper block: the plan's top volume and customers, then per
    #: transition in funnel order, then the same ranked by revenue change.
    #: The channel mix ÷ plan ratio, copied here for the note's conditional format (a format
    #: referring to another sheet needs Excel 2010's extension list).
    mix_ratio: Ref
    sensitivity_header: int
    top_volume: Ref
    base_customers: Ref
    lever_header: int
    levers: dict[str, Ref]
    ranked_header: int
    ranked: dict[str, Ref]


@dataclass(frozen=True)
class Layout:
    """The whole workbook's layout and the defined names it publishes."""

    assumptions: AssumptionsLayout
    funnel: FunnelLayout
    channels: ChannelsLayout
    tracking: TrackingLayout
    dashboard: DashboardLayout
    names: dict[str, Ref] = field(default_factory=dict)


#: Headline KPI tiles on the Dashboard, left to right (the sheet module gives each a formula).
DASHBOARD_KPIS = (
    "Target revenue",
    "New revenue goal",
    "Customers needed",
    "Budget needed",
    "Budget given",
    "Plan ROI",
)
#: Dashboard columns: each KPI tile is two columns wide; charts sit on the same grid.
DASHBOARD_TILE_WIDTH = 2
#: Rows a chart takes on the Dashboard grid (15 points each).
CHART_ROWS = 18
#: The sensitivity block per transition, in funnel order (keys used by the sheet and tests).
SENSITIVITY_COLUMNS = (
    ("label", "Lever (stage rate)"),
    ("rate", "Rate"),
    ("improved_rate", "Improved rate"),
    ("customers", "Customers"),
    ("customers_change", "Customers change"),
    ("revenue_change", "Revenue change"),
    ("rank_key", "Rank key (9 decimals)"),
    ("rank", "Rank"),
    ("step_revenue_change", "Revenue from +SensitivityStep points"),
)
#: The same levers ranked by revenue change (the tornado chart's data).
RANKED_COLUMNS = (
    ("rank", "Rank"),
    ("position", "Lever # (funnel order)"),
    ("label", "Lever"),
    ("customers_change", "Customers change"),
    ("revenue_change", "Revenue change"),
)


def _dashboard(config: PlanConfig) -> DashboardLayout:
    sheet = DASHBOARD
    label_row, value_row = FIRST_BLOCK_ROW, FIRST_BLOCK_ROW + 1
    kpis = tuple(
        (label, LABEL_COL + DASHBOARD_TILE_WIDTH * i) for i, label in enumerate(DASHBOARD_KPIS)
    )
    top = value_row + 2
    second = top + CHART_ROWS + 1
    half = 3 * DASHBOARD_TILE_WIDTH
    right = LABEL_COL + half
    end = LABEL_COL + 2 * half - 1
    anchors = {
        "funnel": Ref(sheet, top, LABEL_COL, top + CHART_ROWS - 1, right - 1),
        "monthly": Ref(sheet, top, right, top + CHART_ROWS - 1, end),
        "roi": Ref(sheet, second, LABEL_COL, second + CHART_ROWS - 1, right - 1),
        "tornado": Ref(sheet, second, right, second + CHART_ROWS - 1, end),
    }
    stages = len(config.stage_names)
    data_header = second + CHART_ROWS + 2
    first = data_header + 1
    rows = Rows(first + stages + 1)
    mix_ratio = Ref(sheet, rows.take(), LABEL_COL + 1)
    rows.gap()
    sensitivity_header = rows.take()
    top_volume, base_customers = (Ref(sheet, rows.take(), LABEL_COL + 1) for _ in range(2))
    lever_header = rows.take()
    first_lever = rows.take(stages - 1)
    rows.gap()
    ranked_header = rows.take()
    first_ranked = rows.take(stages - 1)
    levers = {
        key: column_range(sheet, first_lever, LABEL_COL + j, stages - 1)
        for j, (key, _) in enumerate(SENSITIVITY_COLUMNS)
    }
    ranked = {
        key: column_range(sheet, first_ranked, LABEL_COL + j, stages - 1)
        for j, (key, _) in enumerate(RANKED_COLUMNS)
    }
    return DashboardLayout(
        kpi_label_row=label_row,
        kpi_value_row=value_row,
        kpis=kpis,
        kpi_note=Ref(sheet, value_row + 1, LABEL_COL),
        chart_anchors=anchors,
        data_header=data_header,
        funnel_labels=column_range(sheet, first, LABEL_COL, stages),
        funnel_pad=column_range(sheet, first, LABEL_COL + 1, stages),
        funnel_width=column_range(sheet, first, LABEL_COL + 2, stages),
        mix_ratio=mix_ratio,
        sensitivity_header=sensitivity_header,
        top_volume=top_volume,
        base_customers=base_customers,
        lever_header=lever_header,
        levers=levers,
        ranked_header=ranked_header,
        ranked=ranked,
    )


def plan_layout(config: PlanConfig) -> Layout:
    """The layout of the workbook for `config`, with every defined name's range.

    Examples
    --------
    >>> from xl_funnel.plan.config import example_config
    >>> layout = plan_layout(example_config())
    >>> layout.names["StageRates"].qualified
    "'Assumptions'!$C$24:$C$28"
    """
    a = assumptions_layout(config)
    f = funnel_layout(config)
    c = channels_layout(config)
    t = tracking_layout(config, TRACKING, FIRST_BLOCK_ROW, VALUE_COL)
    d = _dashboard(config)
    names = {
        # Inputs (Assumptions).
        "CompanyName": a.company,
        "FiscalYearStart": a.fiscal_year_start,
        "RevenueHistory": a.history,
        "GrowthMethod": a.growth_method,
        "GrowthUplift": a.growth_uplift,
        "NewRevenueShare": a.new_revenue_share,
        "NewRevenueGoalOverride": a.new_revenue_goal_override,
        "AvgDealSize": a.avg_deal_size,
        "StageNames": a.stage_names,
        "StageRates": a.stage_rates,
        "StageLags": a.stage_lags,
        "LeadStage": a.lead_stage,
        "SalesCycleMonths": a.sales_cycle_months,
        "Seasonality": a.seasonality,
        "CustomerBase": a.customer_base,
        "ReferralsPerCustomer": a.referrals_per_customer,
        "ReferralEntryStage": a.referral_entry_stage,
        "ReferralCloseRate": a.referral_close_rate,
        "OnTrackThreshold": a.on_track_threshold,
        "SpendFlagRatio": a.spend_flag_ratio,
        "SensitivityStep": a.sensitivity_step,
        "AchievableRates": a.achievable_rates,
        "ChannelNames": a.channel_names,
        "ChannelEntryStages": a.channel_entry_stages,
        "ChannelLeadShares": a.channel_lead_shares,
        "ChannelMQLRates": a.channel_mql_rates,
        "ChannelUnitCosts": a.channel_unit_costs,
        "ChannelFixedCosts": a.channel_fixed_costs,
        "WholeUnits": a.whole_units,
        "NextYearGrowth": a.next_year_growth,
        "StartingPipeline": a.pipeline,
        "BudgetCap": a.budget_cap,
        "StartingARR": a.start_arr,
        "GrossChurn": a.gross_churn,
        "Expansion": a.expansion,
        "PipelineCoverage": a.pipeline_coverage,
        "RampedReps": a.ramped_reps,
        "RepQuota": a.rep_quota,
        "SalesCost": a.sales_cost,
        # Outputs.
        "HistoricalGrowth": a.historical_growth,
        "TargetRevenue": f.target_revenue,
        "NewRevenueGoal": f.new_revenue_goal,
        "CustomersNeeded": f.customers_needed,
        "ReferralCustomers": f.referral_customers,
        "FunnelCustomersNeeded": f.funnel_customers,
        "RequiredVolumes": f.required,
        "QuarterlyVolumes": f.period_volumes,
        "MonthLabels": f.month_labels,
        "MonthlyVolumes": f.monthly,
        "MonthlyReferralCustomers": f.referral_row,
        "StageLagsUsed": f.lags,
        "StageRatesUsed": f.stage_rates,
        "GeneratedVolumes": f.generated_year,
        "PipelineCarriedIn": f.carried_in,
        "PipelineCarriedOut": f.carried_out,
        "PipelineCustomers": f.pipeline_customers,
        "NewPipelineCustomers": f.new_pipeline_customers,
        "ChannelBudgets": c.column("budget"),
        "ChannelMonthlyVolumes": c.monthly_volumes,
        "ChannelMonthlyBudget": c.monthly_budget,
        "ChannelQuarterlyBudget": c.quarterly_budget,
        "TotalBudget": c.total("budget"),
        "BudgetNeeded": c.money["needed"],
        "BudgetGap": c.money["gap"],
        "CustomersBought": c.money["customers_bought"],
        "PlanROI": c.total("roi"),
        "RetainedRevenue": f.bridge["retained"],
        "PipelineValueNeeded": f.bridge["pipeline_needed"],
        "CoveragePipeline": f.bridge["coverage"],
        "SalesCapacity": f.bridge["capacity"],
        "MarketingCAC": f.bridge["marketing_cac"],
        "FullyLoadedCAC": f.bridge["loaded_cac"],
        # Tracking inputs (contract B): rows × the 12 fiscal months.
        **t.names(),
    }
    return Layout(a, f, c, t, d, names)
