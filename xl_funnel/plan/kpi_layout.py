"""Where the "Channel KPIs" and "Objectives" sheets put things (one description, read by the
sheet modules and the tests)."""

from __future__ import annotations

from dataclasses import dataclass

from xl_funnel.kpis import CHANNEL_KINDS
from xl_funnel.plan.layout_base import (
    CHANNEL_KPIS,
    FIRST_BLOCK_ROW,
    LABEL_COL,
    OBJECTIVES,
    VALUE_COL,
    Ref,
)

__all__ = [
    "CHANNEL_KPIS",
    "KPI_COLUMNS",
    "OBJECTIVES",
    "OBJECTIVE_COLUMNS",
    "KpiLayout",
    "ObjectivesLayout",
    "kpi_layout",
    "objectives_layout",
]

#: Channel KPIs columns right of the label: key, header.
KPI_COLUMNS = (
    ("value", "Value"),
    ("aim", "Aim"),
    ("status", "Status"),
    ("note", "Source of the aim"),
)


@dataclass(frozen=True)
class KpiLayout:
    """Per channel type: its header row, the typed counts and the metric rows."""

    headers: dict[str, int]
    counts: dict[str, dict[str, Ref]]
    metrics: dict[str, dict[str, Ref]]

    def col(self, key: str) -> int:
        return VALUE_COL + [k for k, _ in KPI_COLUMNS].index(key)


def kpi_layout() -> KpiLayout:
    row = FIRST_BLOCK_ROW
    headers: dict[str, int] = {}
    counts: dict[str, dict[str, Ref]] = {}
    metrics: dict[str, dict[str, Ref]] = {}
    for key, kind in CHANNEL_KINDS.items():
        headers[key] = row
        row += 1
        counts[key] = {}
        for name, _ in kind.counts:
            counts[key][name] = Ref(CHANNEL_KPIS, row, VALUE_COL)
            row += 1
        metrics[key] = {}
        for metric in kind.metrics:
            metrics[key][metric.name] = Ref(CHANNEL_KPIS, row, VALUE_COL)
            row += 1
        row += 1
    return KpiLayout(headers, counts, metrics)


#: Objectives columns from the label column: key, header.
OBJECTIVE_COLUMNS = (
    ("objective", "Objective"),
    ("metric", "Metric"),
    ("owner", "Owner"),
    ("baseline", "Baseline"),
    ("target", "Target"),
    ("start", "Start"),
    ("deadline", "Deadline"),
    ("current", "Current value"),
    ("progress", "Progress"),
    ("expected", "Expected by today"),
    ("status", "Status"),
)


@dataclass(frozen=True)
class ObjectivesLayout:
    today: Ref
    header: int
    first: int
    rows: int

    def col(self, key: str) -> int:
        return LABEL_COL + [k for k, _ in OBJECTIVE_COLUMNS].index(key)

    def cell(self, i: int, key: str) -> Ref:
        return Ref(OBJECTIVES, self.first + i, self.col(key))


def objectives_layout(rows: int) -> ObjectivesLayout:
    today = Ref(OBJECTIVES, FIRST_BLOCK_ROW, VALUE_COL)
    header = FIRST_BLOCK_ROW + 2
    return ObjectivesLayout(today=today, header=header, first=header + 1, rows=rows)
