"""Where everything in the plan workbook lives: the one description every sheet module reads.

:func:`plan_layout` stacks each sheet's blocks from the top, sized by the configuration
(stages, years of history, months of sales-cycle lead, channels). Sheet modules ask the layout
for a cell or a range; no cell address is written anywhere else, so adding a block (a Flywheel
group on Assumptions, a per-stage lag row) moves what follows it instead of breaking it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from openpyxl.utils import get_column_letter, quote_sheetname

from xl_funnel.plan.config import PlanConfig

if TYPE_CHECKING:  # the Tracking layout imports Ref from here
    from xl_funnel.plan.tracking_layout import TrackingLayout

__all__ = [
    "ASSUMPTIONS",
    "CHANNELS",
    "DASHBOARD",
    "FUNNEL",
    "GUIDE",
    "SHEETS",
    "TRACKING",
    "AssumptionsLayout",
    "ChannelsLayout",
    "DashboardLayout",
    "FunnelLayout",
    "Layout",
    "Ref",
    "plan_layout",
]

GUIDE = "Guide"
ASSUMPTIONS = "Assumptions"
FUNNEL = "Funnel"
CHANNELS = "Channels"
TRACKING = "Tracking"
DASHBOARD = "Dashboard"
#: Sheet order in the workbook.
SHEETS = (GUIDE, ASSUMPTIONS, FUNNEL, CHANNELS, TRACKING, DASHBOARD)

#: Every sheet: labels in column B (A is a narrow margin), values from column C.
LABEL_COL = 2
VALUE_COL = 3
TITLE_ROW = 1
SUBTITLE_ROW = 2
FIRST_BLOCK_ROW = 4


@dataclass(frozen=True)
class Ref:
    """A cell or a rectangular range on one sheet (1-based rows and columns)."""

    sheet: str
    row: int
    col: int
    last_row: int | None = None
    last_col: int | None = None

    @property
    def rows(self) -> int:
        return (self.last_row or self.row) - self.row + 1

    @property
    def cols(self) -> int:
        return (self.last_col or self.col) - self.col + 1

    @property
    def ref(self) -> str:
        """Relative A1 address on its own sheet: ``C5`` or ``C5:C9``."""
        start = f"{get_column_letter(self.col)}{self.row}"
        if self.last_row is None and self.last_col is None:
            return start
        end = f"{get_column_letter(self.last_col or self.col)}{self.last_row or self.row}"
        return f"{start}:{end}"

    @property
    def abs(self) -> str:
        """Absolute address on its own sheet: ``$C$5`` or ``$C$5:$C$9``."""
        return _absolute(self)

    @property
    def qualified(self) -> str:
        """Absolute address with its sheet: ``Assumptions!$C$5``."""
        return f"{quote_sheetname(self.sheet)}!{self.abs}"

    def cell(self, i: int = 0, j: int = 0) -> Ref:
        """The cell ``i`` rows down and ``j`` columns right of this range's top-left."""
        return Ref(self.sheet, self.row + i, self.col + j)

    def cells(self) -> list[Ref]:
        """Every cell of the range, row by row."""
        return [self.cell(i, j) for i in range(self.rows) for j in range(self.cols)]


def _absolute(ref: Ref) -> str:
    def one(row: int, col: int) -> str:
        return f"${get_column_letter(col)}${row}"

    start = one(ref.row, ref.col)
    if ref.last_row is None and ref.last_col is None:
        return start
    return f"{start}:{one(ref.last_row or ref.row, ref.last_col or ref.col)}"


def column_range(sheet: str, row: int, col: int, count: int) -> Ref:
    return Ref(sheet, row, col, row + count - 1, col)


def row_range(sheet: str, row: int, col: int, count: int) -> Ref:
    return Ref(sheet, row, col, row, col + count - 1)


class _Rows:
    """A cursor that hands out rows top to bottom, leaving a blank row between blocks."""

    def __init__(self, start: int = FIRST_BLOCK_ROW) -> None:
        self.next = start

    def take(self, count: int = 1) -> int:
        row = self.next
        self.next += count
        return row

    def gap(self, count: int = 1) -> None:
        self.next += count


@dataclass(frozen=True)
class AssumptionsLayout:
    """Every input, grouped: plan, revenue, funnel, seasonality, tracking, channels."""

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
    stage_header: int
    stage_names: Ref
    stage_rates: Ref
    stage_lags: Ref
    lead_stage: Ref
    sales_cycle_months: Ref
    season_months: Ref
    seasonality: Ref
    season_shares: Ref
    customer_base: Ref
    referrals_per_customer: Ref
    referral_entry_stage: Ref
    referral_close_rate: Ref
    on_track_threshold: Ref
    spend_flag_ratio: Ref
    sensitivity_step: Ref
    channel_header: int
    channel_names: Ref
    channel_budgets: Ref
    channel_lead_shares: Ref
    channel_mql_rates: Ref
    channel_totals_row: int


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
    lag_reach: Ref
    stage_header: int
    stage_labels: Ref
    stage_rates: Ref
    to_customer: Ref
    required: Ref
    #: One column per period (``Before FY`` when the lags need it, then Q1..Q4).
    periods: tuple[str, ...]
    period_volumes: Ref
    #: Per transition: the lag used, its whole months, its fraction, the months it reaches.
    lags: Ref
    lag_whole: Ref
    lag_fraction: Ref
    lag_months: Ref
    month_header: int
    month_labels: Ref
    month_stage_labels: Ref
    monthly: Ref
    season_share_row: Ref
    #: The flywheel, over the fiscal months only (12 columns from the first fiscal month).
    goal_row: Ref
    base_row: Ref
    referral_row: Ref
    funnel_row: Ref
    #: Month columns before the fiscal year (Σ ⌈lag⌉, as ``schedule.lead_months``).
    lead_months: int


@dataclass(frozen=True)
class ChannelsLayout:
    #: The check that the channel mix delivers the plan: its customers, the funnel's, their
    #: ratio and a sentence (flagged when they are more than 1 % apart).
    mix_customers: Ref
    plan_customers: Ref
    mix_ratio: Ref
    mix_check: Ref
    lead_volume: Ref
    lead_stage_position: Ref
    plan_lead_rate: Ref
    after_lead_to_customer: Ref
    header: int
    columns: dict[str, int]
    first: int
    count: int
    totals: int

    def column(self, key: str) -> Ref:
        """The channel rows of one column (``budget``, ``roi``, …)."""
        return column_range(CHANNELS, self.first, self.columns[key], self.count)

    def total(self, key: str) -> Ref:
        return Ref(CHANNELS, self.totals, self.columns[key])


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


def _assumptions(config: PlanConfig) -> AssumptionsLayout:
    rows, groups = _Rows(), {}
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
    rows.gap()

    groups["Funnel"] = rows.take()
    stage_header = rows.take()
    stages = len(config.stage_names)
    first_stage = rows.take(stages)
    stage_names = column_range(sheet, first_stage, LABEL_COL, stages)
    stage_rates = column_range(sheet, first_stage, VALUE_COL, stages - 1)
    stage_lags = column_range(sheet, first_stage, VALUE_COL + 1, stages - 1)
    lead_stage, cycle = scalar(), scalar()
    rows.gap()

    groups["Seasonality"] = rows.take()
    season_months = row_range(sheet, rows.take(), VALUE_COL, 12)
    seasonality = row_range(sheet, rows.take(), VALUE_COL, 12)
    season_shares = row_range(sheet, rows.take(), VALUE_COL, 12)
    rows.gap()

    groups["Flywheel (referrals from existing customers)"] = rows.take()
    base, per_customer, entry, close = scalar(), scalar(), scalar(), scalar()
    rows.gap()

    groups["Tracking and dashboard"] = rows.take()
    on_track, flag_ratio, step = scalar(), scalar(), scalar()
    rows.gap()

    groups["Channels"] = rows.take()
    channel_header = rows.take()
    count = len(config.channels)
    first_channel = rows.take(count)
    totals = rows.take()
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
        stage_header=stage_header,
        stage_names=stage_names,
        stage_rates=stage_rates,
        stage_lags=stage_lags,
        lead_stage=lead_stage,
        sales_cycle_months=cycle,
        season_months=season_months,
        seasonality=seasonality,
        season_shares=season_shares,
        customer_base=base,
        referrals_per_customer=per_customer,
        referral_entry_stage=entry,
        referral_close_rate=close,
        on_track_threshold=on_track,
        spend_flag_ratio=flag_ratio,
        sensitivity_step=step,
        channel_header=channel_header,
        channel_names=column_range(sheet, first_channel, LABEL_COL, count),
        channel_budgets=column_range(sheet, first_channel, VALUE_COL, count),
        channel_lead_shares=column_range(sheet, first_channel, VALUE_COL + 1, count),
        channel_mql_rates=column_range(sheet, first_channel, VALUE_COL + 2, count),
        channel_totals_row=totals,
    )


def _funnel(config: PlanConfig) -> FunnelLayout:
    rows, sheet = _Rows(), FUNNEL
    target, goal, exact, needed = (Ref(sheet, rows.take(), VALUE_COL) for _ in range(4))
    close, referral_yield, referrals, funnel_customers, reach = (
        Ref(sheet, rows.take(), VALUE_COL) for _ in range(5)
    )
    rows.gap()
    stages = len(config.stage_names)
    lead = config.lead_months
    periods = (("Before FY",) if lead else ()) + ("Q1", "Q2", "Q3", "Q4")
    stage_header = rows.take()
    first = rows.take(stages)
    rows.gap()
    month_header = rows.take()
    first_month = rows.take(stages)
    season_row = rows.take()
    goal_row, base_row, referral_row, funnel_row = (rows.take() for _ in range(4))
    months = lead + 12
    lag_col = VALUE_COL + 3 + len(periods)

    def lag_column(offset: int) -> Ref:
        return column_range(sheet, first, lag_col + offset, stages - 1)

    return FunnelLayout(
        target_revenue=target,
        new_revenue_goal=goal,
        customers_exact=exact,
        customers_needed=needed,
        referral_close=close,
        referral_yield=referral_yield,
        referral_customers=referrals,
        funnel_customers=funnel_customers,
        lag_reach=reach,
        stage_header=stage_header,
        stage_labels=column_range(sheet, first, LABEL_COL, stages),
        stage_rates=column_range(sheet, first, VALUE_COL, stages),
        to_customer=column_range(sheet, first, VALUE_COL + 1, stages),
        required=column_range(sheet, first, VALUE_COL + 2, stages),
        periods=periods,
        period_volumes=Ref(
            sheet, first, VALUE_COL + 3, first + stages - 1, VALUE_COL + 2 + len(periods)
        ),
        lags=lag_column(0),
        lag_whole=lag_column(1),
        lag_fraction=lag_column(2),
        lag_months=lag_column(3),
        month_header=month_header,
        month_labels=row_range(sheet, month_header, VALUE_COL, months),
        month_stage_labels=column_range(sheet, first_month, LABEL_COL, stages),
        monthly=Ref(
            sheet, first_month, VALUE_COL, first_month + stages - 1, VALUE_COL + months - 1
        ),
        season_share_row=row_range(sheet, season_row, VALUE_COL, months),
        goal_row=row_range(sheet, goal_row, VALUE_COL + lead, 12),
        base_row=row_range(sheet, base_row, VALUE_COL + lead, 12),
        referral_row=row_range(sheet, referral_row, VALUE_COL + lead, 12),
        funnel_row=row_range(sheet, funnel_row, VALUE_COL + lead, 12),
        lead_months=lead,
    )


#: Channels sheet columns, left to right (keys used by the sheet module and the tests).
CHANNEL_COLUMNS = (
    ("name", "Channel"),
    ("budget", "Budget"),
    ("share_of_spend", "Share of spend"),
    ("leads", "Leads"),
    ("mql_rate", "Rate to next stage"),
    ("mqls", "MQLs"),
    ("customers", "Customers"),
    ("revenue", "Revenue"),
    ("cpl", "Cost per lead"),
    ("cost_per_mql", "Cost per MQL"),
    ("cac", "CAC"),
    ("roi", "ROI"),
    ("share_of_customers", "Share of customers"),
    ("efficiency_index", "Efficiency index"),
    ("flag", "Spend vs results"),
)


def _channels(config: PlanConfig) -> ChannelsLayout:
    rows, sheet = _Rows(), CHANNELS
    mix = tuple(Ref(sheet, rows.take(), VALUE_COL) for _ in range(4))
    rows.gap()
    lead_volume, position, lead_rate, after = (Ref(sheet, rows.take(), VALUE_COL) for _ in range(4))
    rows.gap()
    header = rows.take()
    count = len(config.channels)
    first = rows.take(count)
    totals = rows.take()
    columns = {key: LABEL_COL + i for i, (key, _) in enumerate(CHANNEL_COLUMNS)}
    return ChannelsLayout(
        *mix, lead_volume, position, lead_rate, after, header, columns, first, count, totals
    )


#: Headline KPI tiles on the Dashboard, left to right (the sheet module gives each a formula).
DASHBOARD_KPIS = (
    "Target revenue",
    "New revenue goal",
    "Customers needed",
    "Total budget",
    "Plan ROI",
    "Blended CAC",
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
    rows = _Rows(first + stages + 1)
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
    "'Assumptions'!$C$21:$C$25"
    """
    a = _assumptions(config)
    f = _funnel(config)
    c = _channels(config)
    from xl_funnel.plan.tracking_layout import tracking_layout

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
        "ChannelNames": a.channel_names,
        "ChannelBudgets": a.channel_budgets,
        "ChannelLeadShares": a.channel_lead_shares,
        "ChannelMQLRates": a.channel_mql_rates,
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
        "TotalBudget": c.total("budget"),
        "PlanROI": c.total("roi"),
        # Tracking inputs (contract B): rows × the 12 fiscal months.
        **t.names(),
    }
    return Layout(a, f, c, t, d, names)
