"""Where the Tracking sheet's blocks live: the monthly inputs (contract B) and what they feed.

Every block of the sheet shares one grid of columns, so a planner reads a stage or a channel
across the year on one line and the sheet prints on one landscape page width:

    B label · C–N the twelve fiscal months · O–R Q1–Q4 · S year to date · T full year / plan

The input blocks are described once, as data (:data:`TRACKING_INPUTS`); the layout stacks
them from the top, then the computed blocks below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.layout_base import Ref

__all__ = [
    "GRID_COLUMNS",
    "MONTHS",
    "TRACKING_INPUTS",
    "InputBlock",
    "TrackingLayout",
    "tracking_layout",
]

MONTHS = 12
QUARTERS = 4


class InputBlock(NamedTuple):
    """One block of monthly inputs: its defined name, rows and how its cells are checked."""

    name: str
    #: ``"stages"`` (rows in StageNames order) or ``"channels"`` (ChannelNames order).
    rows: str
    title: str
    #: Validation kind of :data:`xl_funnel.plan.annotate.RULES`: whole counts or money.
    kind: str
    #: ``"count"`` or ``"money"``: the cell format.
    unit: str
    help: str


#: The Tracking inputs, top to bottom (contract B: the defined names other tools fill in).
TRACKING_INPUTS = (
    InputBlock(
        "ActualVolumes",
        "stages",
        "Actual volume by stage",
        "whole",
        "count",
        "Type what each stage actually generated in the month (visits, leads, MQLs, …); "
        "leave months not reported yet empty.",
    ),
    InputBlock(
        "ActualChannelSpend",
        "channels",
        "Spend by channel",
        "amount",
        "money",
        "Type what each channel cost in the month (media, fees, tools).",
    ),
    InputBlock(
        "ActualChannelVolume",
        "channels",
        "Entry-stage volume by channel",
        "whole",
        "count",
        "Type the units each channel brought at its entry stage (usually leads) in the month.",
    ),
    InputBlock(
        "ActualChannelMQLs",
        "channels",
        "MQLs by channel",
        "whole",
        "count",
        "Type the marketing-qualified leads each channel brought in the month.",
    ),
    InputBlock(
        "ActualChannelCustomers",
        "channels",
        "Customers by channel",
        "whole",
        "count",
        "Type the new customers won from each channel in the month.",
    ),
    InputBlock(
        "ActualChannelRevenue",
        "channels",
        "Revenue (bookings) by channel",
        "amount",
        "money",
        "Type the bookings (new revenue) won from each channel in the month.",
    ),
    InputBlock(
        "ActualChannelPipeline",
        "channels",
        "Pipeline created by channel",
        "amount",
        "money",
        "Type the value of the pipeline (opportunities) each channel created in the month.",
    ),
)

#: The computed columns right of the months, in order.
GRID_COLUMNS = ("Q1", "Q2", "Q3", "Q4", "Year to date", "Full year")

#: Computed blocks below the inputs, top to bottom: key → (rows: stages, steps, channels or
#: summary).
COMPUTED_BLOCKS = (
    ("plan_stages", "stages"),
    ("variance_stages", "stages"),
    ("percent_stages", "stages"),
    ("year_stages", "stages"),
    ("rates", "steps"),
    ("summary", "summary"),
    ("plan_channel_budget", "channels"),
    ("plan_channel_volume", "channels"),
    ("year_channels", "channels"),
    ("channels_ytd", "channels"),
    ("cpl", "channels"),
    ("cost_per_mql", "channels"),
    ("cac", "channels"),
    ("roi", "channels"),
)

#: The year tables (per stage; per channel the first nine): key, header.
YEAR_COLUMNS = (
    ("year_plan", "Year plan"),
    ("plan_to_date", "Plan to date"),
    ("actual_to_date", "Actual to date"),
    ("variance", "Variance"),
    ("percent_of_plan", "% of plan"),
    ("expected_share", "Expected share by now"),
    ("projected", "Projected year end (pace)"),
    ("pace", "Pace"),
    ("status", "Status"),
    ("projected_rates", "Projected year end (rates so far)"),
    ("catch_up_plan", "Still needed (plan rates)"),
    ("catch_up_actual", "Still needed (actual rates)"),
    ("per_month_plan", "Per month left (plan rates)"),
    ("per_month_actual", "Per month left (actual rates)"),
)
CHANNEL_YEAR_COLUMNS = 9

#: Conversion against plan, per step: key, header (Q1–Q4 actual rates after the plan rate).
RATE_COLUMNS = (
    ("plan", "Plan rate"),
    ("q1", "Actual Q1"),
    ("q2", "Actual Q2"),
    ("q3", "Actual Q3"),
    ("q4", "Actual Q4"),
    ("to_date", "Actual to date"),
    ("ratio", "Actual ÷ plan"),
    ("rank", "Behind plan: rank"),
    ("cost", "Customers lost by year end"),
    ("advice", "Seed 001 advice"),
    ("sentence", "Diagnosis"),
)

#: Where the year is heading: key, label.
SUMMARY_ROWS = (
    ("target", "Customers the year's plan wins"),
    ("won", "Customers won to date"),
    ("months_reported", "Months reported"),
    ("months_left", "Months left"),
    ("projected", "Projected customers (current pace)"),
    ("projected_rates", "Projected customers (current rates)"),
    ("shortfall_customers", "Shortfall in customers if nothing changes"),
    ("shortfall_revenue", "Shortfall in revenue if nothing changes"),
    ("diagnosis_1", "Furthest behind"),
    ("diagnosis_2", "Next furthest behind"),
)

#: Channels, year to date: key, header.
CHANNEL_COLUMNS = (
    ("spend", "Spend"),
    ("budget_to_date", "Budget to date"),
    ("spend_vs_budget", "Spend ÷ budget"),
    ("cpl", "Cost per lead"),
    ("cpl_plan", "Plan"),
    ("cost_per_mql", "Cost per MQL"),
    ("cost_per_mql_plan", "Plan"),
    ("cac", "CAC"),
    ("cac_plan", "Plan"),
    ("roi", "ROI"),
    ("roi_plan", "Plan"),
    ("share_of_spend", "Share of spend"),
    ("share_of_customers", "Share of customers"),
    ("efficiency_index", "Efficiency index"),
    ("hint", "Budget hint (seed 004)"),
)


@dataclass(frozen=True)
class TrackingLayout:
    """Row and column positions of the Tracking sheet (1-based)."""

    sheet: str
    stages: int
    channels: int
    #: Column of fiscal month 1; months run right from it, then the quarters, YTD, year.
    first_month_col: int
    #: Per input block name: its header row and its first data row.
    input_headers: dict[str, int]
    input_first: dict[str, int]
    #: Per computed block key: its header row (data from the next row).
    headers: dict[str, int]

    @property
    def quarter_cols(self) -> tuple[int, ...]:
        return tuple(self.first_month_col + MONTHS + q for q in range(QUARTERS))

    @property
    def ytd_col(self) -> int:
        return self.first_month_col + MONTHS + QUARTERS

    @property
    def year_col(self) -> int:
        return self.ytd_col + 1

    @property
    def last_col(self) -> int:
        return self.year_col

    def month_col(self, month: int) -> int:
        """Column of fiscal month ``month`` (0-based)."""
        return self.first_month_col + month

    def block_rows(self, name: str) -> int:
        rows = next(block.rows for block in TRACKING_INPUTS if block.name == name)
        return self.stages if rows == "stages" else self.channels

    def inputs(self, name: str) -> Ref:
        """The typed cells of one input block: rows × 12 months."""
        first = self.input_first[name]
        return Ref(
            self.sheet,
            first,
            self.first_month_col,
            first + self.block_rows(name) - 1,
            self.first_month_col + MONTHS - 1,
        )

    def first(self, key: str) -> int:
        """First data row of a computed block."""
        return self.headers[key] + 1

    def col(self, key: str) -> int:
        """Column of a year-table, rates, or channel-table column by key."""
        for columns in (YEAR_COLUMNS, RATE_COLUMNS, CHANNEL_COLUMNS):
            keys = [k for k, _ in columns]
            if key in keys:
                return self.first_month_col + keys.index(key)
        raise KeyError(key)

    def summary(self, key: str) -> Ref:
        keys = [k for k, _ in SUMMARY_ROWS]
        return Ref(self.sheet, self.first("summary") + keys.index(key), self.first_month_col)

    def names(self) -> dict[str, Ref]:
        """The defined names of the inputs (contract B)."""
        return {block.name: self.inputs(block.name) for block in TRACKING_INPUTS}


def tracking_layout(
    config: PlanConfig, sheet: str, first_row: int, first_col: int
) -> TrackingLayout:
    """The Tracking sheet's layout for `config`, blocks stacked from `first_row`."""
    stages, channels = len(config.stage_names), len(config.channels)
    row = first_row
    headers: dict[str, int] = {}
    firsts: dict[str, int] = {}
    for block in TRACKING_INPUTS:
        headers[block.name] = row
        firsts[block.name] = row + 1
        row += 1 + (stages if block.rows == "stages" else channels) + 1
    sizes = {"stages": stages, "steps": stages - 1, "channels": channels}
    sizes["summary"] = len(SUMMARY_ROWS)
    computed: dict[str, int] = {}
    for key, rows in COMPUTED_BLOCKS:
        computed[key] = row
        row += 1 + sizes[rows] + 1
    return TrackingLayout(
        sheet=sheet,
        stages=stages,
        channels=channels,
        first_month_col=first_col,
        input_headers=headers,
        input_first=firsts,
        headers=computed,
    )


#: The Dashboard's actuals data rows (under its charts): key, label. ``top`` is the top stage.
DASHBOARD_ACTUAL_ROWS = (
    ("customers_plan", "Customers, plan (cumulative)"),
    ("customers_actual", "Customers, actual (cumulative)"),
    ("top_plan", "Top of funnel, plan (cumulative)"),
    ("top_actual", "Top of funnel, actual (cumulative)"),
    ("budget", "Budget (cumulative)"),
    ("spend", "Spend (cumulative)"),
)
#: Dashboard rows a chart of the actuals takes (15 points each).
ACTUALS_CHART_ROWS = 16
#: Dashboard columns a chart of the actuals spans (two charts side by side).
ACTUALS_CHART_COLS = 6


@dataclass(frozen=True)
class DashboardActualsLayout:
    """The Dashboard's actuals block, below everything the plan part of the Dashboard holds."""

    sheet: str
    header: int
    note: Ref
    #: Chart key → the cells it covers.
    charts: dict[str, Ref]
    month_header: int
    #: Data row key → the 12 month cells.
    rows: dict[str, Ref]
    roi_header: int
    #: Channel rows: name, ROI actual to date, ROI plan.
    roi_names: Ref
    roi_actual: Ref
    roi_plan: Ref


def dashboard_actuals_layout(
    sheet: str, first_row: int, first_col: int, channels: int
) -> DashboardActualsLayout:
    """Where the Dashboard's actuals block sits, from `first_row` down."""
    header = first_row
    note = Ref(sheet, header + 1, first_col)
    top = header + 3
    second = top + ACTUALS_CHART_ROWS + 1
    right = first_col + ACTUALS_CHART_COLS

    def chart(row: int, col: int) -> Ref:
        return Ref(sheet, row, col, row + ACTUALS_CHART_ROWS - 1, col + ACTUALS_CHART_COLS - 1)

    charts = {
        "customers": chart(top, first_col),
        "top": chart(top, right),
        "spend": chart(second, first_col),
        "roi": chart(second, right),
    }
    month_header = second + ACTUALS_CHART_ROWS + 1
    rows = {
        key: Ref(sheet, month_header + 1 + i, first_col + 1, month_header + 1 + i, first_col + 12)
        for i, (key, _) in enumerate(DASHBOARD_ACTUAL_ROWS)
    }
    roi_header = month_header + len(DASHBOARD_ACTUAL_ROWS) + 2
    first = roi_header + 1
    last = first + channels - 1
    return DashboardActualsLayout(
        sheet=sheet,
        header=header,
        note=note,
        charts=charts,
        month_header=month_header,
        rows=rows,
        roi_header=roi_header,
        roi_names=Ref(sheet, first, first_col, last, first_col),
        roi_actual=Ref(sheet, first, first_col + 1, last, first_col + 1),
        roi_plan=Ref(sheet, first, first_col + 2, last, first_col + 2),
    )
