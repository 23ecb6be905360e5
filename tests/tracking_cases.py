"""Monthly actuals for the Tracking tests: Q1–Q2 of the built-in plan, per stage and channel.

A half year as a marketer would type it: whole counts, money in dollars, every stage and
channel reported for months 1–6 and nothing after. The visits and leads run near plan, the
MQL → SQL step behind its 20 % (seed 001: nurture), customers behind the year's ten.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.plan_cases import FLYWHEEL, LAGGED, MORE_STAGES
from xl_funnel.plan import PlanConfig, example_config, plan_layout

EXAMPLE = example_config()

#: Per stage (Visits … Customers) × months 1–6; None after.
EXAMPLE_STAGES = [
    [6_500, 6_800, 7_100, 7_000, 6_900, 7_200],
    [95, 101, 99, 104, 98, 102],
    [19, 20, 18, 21, 19, 20],
    [3, 4, 3, 4, 3, 4],
    [1, 1, 2, 1, 1, 2],
    [0, 1, 0, 1, 1, 1],
]


def _channel_rows(config: PlanConfig, stages: list[list[int]]) -> dict[str, list[list[float]]]:
    """Per-channel actuals consistent with the stage counts (whole counts, exact money)."""
    months = len(stages[0])
    channels = config.channels
    spend, volume, mqls, customers, revenue, pipeline = ([] for _ in range(6))
    lead_row = stages[config.lead_index]
    for c, channel in enumerate(channels):
        spend.append(
            [
                round((channel.budget or 100_000.0) / 12 * (0.85 + 0.05 * m + 0.02 * c))
                for m in range(months)
            ]
        )
        volume.append([round(lead_row[m] * channel.lead_share) for m in range(months)])
        rate = channel.mql_rate or config.stage_rates[config.lead_index]
        mqls.append([round(v * rate) for v in volume[-1]])
        won = [1 if (m + c) % 4 == 0 and stages[-1][m] else 0 for m in range(months)]
        customers.append(won)
        revenue.append([w * config.avg_deal_size for w in won])
        pipeline.append([float((m + c) % 3) * 250_000.0 for m in range(months)])
    return {
        "ActualChannelSpend": spend,
        "ActualChannelVolume": volume,
        "ActualChannelMQLs": mqls,
        "ActualChannelCustomers": customers,
        "ActualChannelRevenue": revenue,
        "ActualChannelPipeline": pipeline,
    }


def actuals(config: PlanConfig, stages: list[list[int]]) -> dict[str, list[list[float | None]]]:
    """Every Tracking input block: name → rows × 12 months (None = not reported)."""
    blocks = {"ActualVolumes": stages, **_channel_rows(config, stages)}
    return {
        name: [[*row, *([None] * (12 - len(row)))] for row in rows] for name, rows in blocks.items()
    }


#: LAGGED (a 2.5-month sales cycle, a July start, seasonal): four months, the MQLs of month
#: 3 not reported (a gap mid-year), customers counted from month 2.
LAGGED_STAGES = [
    [52_000, 61_000, 58_000, 60_500],
    [1_150, 1_200, 1_000, 1_300],
    [390, 300, None, 410],
    [170, 150, 160, 140],
    [80, 70, 75, 60],
    [None, 21, 24, 18],
]

#: MORE_STAGES (eight stages, an April start, a seasonal year): one quarter, every stage.
MORE_STAGES_Q1 = [
    [310_000, 390_000, 420_000],
    [3_900, 4_700, 5_100],
    [120, 150, 160],
    [45, 55, 58],
    [26, 30, 33],
    [10, 13, 12],
    [4, 6, 5],
    [1, 2, 1],
]
#: FLYWHEEL (lags, referrals): two months, SALs not reported in the second.
FLYWHEEL_M2 = [
    [30_000, 28_000],
    [600, 580],
    [150, 140],
    [140, None],
    [60, 55],
    [25, 22],
    [6, 7],
]

#: Case name → (config, actual blocks).
TRACKED = {
    "example_h1": (EXAMPLE, actuals(EXAMPLE, EXAMPLE_STAGES)),
    "lagged_m4": (LAGGED, actuals(LAGGED, LAGGED_STAGES)),
    "more_stages_q1": (MORE_STAGES, actuals(MORE_STAGES, MORE_STAGES_Q1)),
    "flywheel_m2": (FLYWHEEL, actuals(FLYWHEEL, FLYWHEEL_M2)),
}


def fill_actuals(path: Path, config: PlanConfig, blocks: dict[str, list[list]]) -> None:
    """Type the actuals into a generated workbook's Tracking inputs, as a planner would."""
    layout = plan_layout(config)
    book = load_workbook(path)
    for name, rows in blocks.items():
        ref = layout.names[name]
        sheet = book[ref.sheet]
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                sheet[ref.cell(i, j).ref] = value
    book.save(path)
