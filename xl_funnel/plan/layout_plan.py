"""Where the plan's outputs live: the Funnel sheet (year, quarters, months) and Channels."""

from __future__ import annotations

from dataclasses import dataclass

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout_base import (
    CHANNELS,
    FUNNEL,
    LABEL_COL,
    VALUE_COL,
    Ref,
    Rows,
    column_range,
    row_range,
)

__all__ = [
    "BRIDGE_ROWS",
    "CHANNEL_COLUMNS",
    "CHANNEL_MONEY",
    "PERIODS",
    "ChannelsLayout",
    "FunnelLayout",
    "channels_layout",
    "funnel_layout",
]

#: The planning periods: the four fiscal quarters (what the year generates in each).
PERIODS = ("Q1", "Q2", "Q3", "Q4")
#: The revenue bridge block under the Funnel headline (keys used by the sheet and tests).
BRIDGE_ROWS = (
    ("retained", "Recurring revenue kept (start × (1 − churn + expansion))"),
    ("win_rate", "Win rate (last stage)"),
    ("pipeline_needed", "Pipeline value needed by quarter (new revenue ÷ win rate)"),
    ("coverage", "Pipeline to hold by quarter (coverage rule)"),
    ("capacity", "Sales capacity (ramped reps × quota)"),
    ("capacity_check", "Sales capacity check"),
    ("marketing_cac", "Marketing CAC (budget needed ÷ customers)"),
    ("loaded_cac", "Fully loaded CAC ((budget + sales cost) ÷ customers)"),
)


@dataclass(frozen=True)
class FunnelLayout:
    target_revenue: Ref
    new_revenue_goal: Ref
    customers_exact: Ref
    customers_needed: Ref
    referral_close: Ref
    referral_yield: Ref
    referral_customers: Ref
    funnel_customers: Ref
    pipeline_customers: Ref
    new_pipeline_customers: Ref
    next_year_growth: Ref
    lag_reach: Ref
    stage_header: int
    stage_labels: Ref
    #: The rates the plan uses (``StageRatesUsed``): at a stage channels bring, the channels'
    #: own rates weighted by share; elsewhere the Assumptions rate.
    stage_rates: Ref
    to_customer: Ref
    required: Ref
    generated_year: Ref
    periods: tuple[str, ...]
    period_volumes: Ref
    carried_in: Ref
    pipeline_open: Ref
    carried_out: Ref
    #: Per transition: the lag used, its whole months, its fraction, the months it reaches.
    lags: Ref
    lag_whole: Ref
    lag_fraction: Ref
    lag_months: Ref
    #: The schedule: ``L`` months before the year, its 12 months, ``L`` months after.
    grid_header: int
    grid_labels: Ref
    grid_stage_labels: Ref
    grid: Ref
    #: Customer rows over the fiscal months (12 columns under the grid's fiscal months).
    season_share_row: Ref
    goal_row: Ref
    base_row: Ref
    referral_row: Ref
    funnel_row: Ref
    pipeline_row: Ref
    won_row: Ref
    net_row: Ref
    #: Next year's customers, under the grid's months after the year (``L`` columns).
    next_row: Ref | None
    #: What each stage must generate in each fiscal month (``MonthlyVolumes``).
    month_header: int
    month_labels: Ref
    month_stage_labels: Ref
    monthly: Ref
    #: Grid months before (and after) the fiscal year: Σ ⌈lag⌉, as ``lead_months``.
    lead_months: int
    #: The revenue bridge and sales: retained revenue, win rate, pipeline per quarter (by
    #: win rate; by the coverage rule), capacity and its check, marketing and loaded CAC.
    bridge: dict[str, Ref]


def funnel_layout(config: PlanConfig) -> FunnelLayout:
    rows, sheet = Rows(), FUNNEL
    headline = [Ref(sheet, rows.take(), VALUE_COL) for _ in range(12)]
    rows.gap()
    bridge_rows = {key: rows.take() for key, _ in BRIDGE_ROWS}
    bridge = {
        key: row_range(sheet, row, VALUE_COL, 4)
        if key in ("pipeline_needed", "coverage")
        else Ref(sheet, row, VALUE_COL)
        for key, row in bridge_rows.items()
    }
    rows.gap()
    stages = len(config.stage_names)
    lead = config.lead_months
    stage_header = rows.take()
    first = rows.take(stages)
    rows.gap()
    grid_header = rows.take()
    first_grid = rows.take(stages)
    customer_rows = [rows.take() for _ in range(9)]
    rows.gap()
    month_header = rows.take()
    first_month = rows.take(stages)
    width = 2 * lead + 12
    fiscal = VALUE_COL + lead

    def stage_column(offset: int, count: int = stages) -> Ref:
        return column_range(sheet, first, VALUE_COL + offset, count)

    after = 5 + len(PERIODS)
    fiscal_rows = [row_range(sheet, row, fiscal, 12) for row in customer_rows[:8]]
    return FunnelLayout(
        *headline,
        stage_header=stage_header,
        stage_labels=column_range(sheet, first, LABEL_COL, stages),
        stage_rates=stage_column(0, stages - 1),
        to_customer=stage_column(1),
        required=stage_column(2),
        generated_year=stage_column(3),
        periods=PERIODS,
        period_volumes=Ref(sheet, first, VALUE_COL + 4, first + stages - 1, VALUE_COL + after - 2),
        carried_in=stage_column(after - 1),
        pipeline_open=stage_column(after),
        carried_out=stage_column(after + 1),
        lags=stage_column(after + 2, stages - 1),
        lag_whole=stage_column(after + 3, stages - 1),
        lag_fraction=stage_column(after + 4, stages - 1),
        lag_months=stage_column(after + 5, stages - 1),
        grid_header=grid_header,
        grid_labels=row_range(sheet, grid_header, VALUE_COL, width),
        grid_stage_labels=column_range(sheet, first_grid, LABEL_COL, stages),
        grid=Ref(sheet, first_grid, VALUE_COL, first_grid + stages - 1, VALUE_COL + width - 1),
        season_share_row=fiscal_rows[0],
        goal_row=fiscal_rows[1],
        base_row=fiscal_rows[2],
        referral_row=fiscal_rows[3],
        funnel_row=fiscal_rows[4],
        pipeline_row=fiscal_rows[5],
        won_row=fiscal_rows[6],
        net_row=fiscal_rows[7],
        next_row=row_range(sheet, customer_rows[8], fiscal + 12, lead) if lead else None,
        month_header=month_header,
        month_labels=row_range(sheet, month_header, fiscal, 12),
        month_stage_labels=column_range(sheet, first_month, LABEL_COL, stages),
        monthly=Ref(sheet, first_month, fiscal, first_month + stages - 1, fiscal + 11),
        lead_months=lead,
        bridge=bridge,
    )


#: Channels sheet columns, left to right (keys used by the sheet module and the tests).
CHANNEL_COLUMNS = (
    ("name", "Channel"),
    ("entry_stage", "Stage it brings"),
    ("entry_position", "Stage #"),
    ("budget", "Budget needed"),
    ("share_of_spend", "Share of spend"),
    ("leads", "Units it brings"),
    ("units_bought", "Units the budget buys"),
    ("mql_rate", "Rate to next stage"),
    ("mqls", "Next-stage units"),
    ("customers", "Customers"),
    ("revenue", "Revenue"),
    ("cpl", "Cost per unit"),
    ("cost_per_mql", "Cost per next-stage unit"),
    ("cac", "Marketing CAC"),
    ("roi", "ROI"),
    ("share_of_customers", "Share of customers"),
    ("efficiency_index", "Efficiency index"),
    ("flag", "Spend vs results"),
)
#: The budget block above the table: what the plan needs against what it is given.
CHANNEL_MONEY = (
    ("needed", "Budget needed for the plan"),
    ("fixed", "of which fixed costs"),
    ("cap", "Budget given (cap)"),
    ("gap", "Budget gap (needed − given)"),
    ("bought", "Share of the plan's variable volume the budget buys"),
    ("customers_bought", "Customers the budget buys"),
    ("customer_gap", "Customers short of the goal"),
)


@dataclass(frozen=True)
class ChannelsLayout:
    #: The check that the channel mix delivers the plan: its customers, the funnel's, their
    #: ratio and a sentence (flagged when they are more than 1 % apart).
    mix_customers: Ref
    plan_customers: Ref
    mix_ratio: Ref
    mix_check: Ref
    money: dict[str, Ref]
    header: int
    columns: dict[str, int]
    first: int
    count: int
    totals: int
    #: Channels × fiscal months: entry-stage units, then budget needed (with quarters, year).
    volume_header: int
    monthly_volumes: Ref
    budget_header: int
    monthly_budget: Ref
    quarterly_budget: Ref
    budget_month_totals: Ref
    budget_quarter_totals: Ref

    def column(self, key: str) -> Ref:
        """The channel rows of one column (``budget``, ``roi``, …)."""
        return column_range(CHANNELS, self.first, self.columns[key], self.count)

    def total(self, key: str) -> Ref:
        return Ref(CHANNELS, self.totals, self.columns[key])


def channels_layout(config: PlanConfig) -> ChannelsLayout:
    rows, sheet = Rows(), CHANNELS
    mix = tuple(Ref(sheet, rows.take(), VALUE_COL) for _ in range(4))
    rows.gap()
    money = {key: Ref(sheet, rows.take(), VALUE_COL) for key, _ in CHANNEL_MONEY}
    rows.gap()
    header = rows.take()
    count = len(config.channels)
    first = rows.take(count)
    totals = rows.take()
    rows.gap()
    volume_header = rows.take()
    first_volume = rows.take(count)
    rows.gap()
    budget_header = rows.take()
    first_budget = rows.take(count)
    budget_totals = rows.take()
    columns = {key: LABEL_COL + i for i, (key, _) in enumerate(CHANNEL_COLUMNS)}

    def block(row: int, col: int, height: int, width: int) -> Ref:
        return Ref(sheet, row, col, row + height - 1, col + width - 1)

    return ChannelsLayout(
        *mix,
        money=money,
        header=header,
        columns=columns,
        first=first,
        count=count,
        totals=totals,
        volume_header=volume_header,
        monthly_volumes=block(first_volume, VALUE_COL, count, 12),
        budget_header=budget_header,
        monthly_budget=block(first_budget, VALUE_COL, count, 12),
        quarterly_budget=block(first_budget, VALUE_COL + 12, count, 4),
        budget_month_totals=block(budget_totals, VALUE_COL, 1, 12),
        budget_quarter_totals=block(budget_totals, VALUE_COL + 12, 1, 4),
    )
