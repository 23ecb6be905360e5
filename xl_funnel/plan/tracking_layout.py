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
from xl_funnel.plan.layout import Ref

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
    return TrackingLayout(
        sheet=sheet,
        stages=stages,
        channels=channels,
        first_month_col=first_col,
        input_headers=headers,
        input_first=firsts,
    )
