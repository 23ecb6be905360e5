"""What the Tracking sheet must show for given actuals, computed by the core (the answer key).

Every figure comes from :mod:`xl_funnel.tracking`, :mod:`xl_funnel.tracking_diagnosis` and
:func:`xl_funnel.channels.channel_metrics`, never from a re-derivation of the sheet's
formulas; the tests recalculate the workbook in LibreOffice and ``xl-funnel recalc`` and
compare cell by cell. NaN stands for a cell that must look empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from xl_funnel._checks import divide
from xl_funnel.channels import channel_metrics
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.expected import expected_values, plan_rates
from xl_funnel.plan.tracking_layout import TRACKING_INPUTS
from xl_funnel.tracking import (
    catch_up,
    months_reported,
    plan_vs_actual,
    projected_at_rates,
    shortfall,
    tracking_status,
)
from xl_funnel.tracking_diagnosis import diagnosis_sentences, reallocation_hint, weakest_steps

__all__ = ["expected_tracking"]

MONTHS = 12
#: The channel metrics the monthly/quarterly grids show: key → (numerator, denominator).
RATIO_KEYS = {
    "cpl": ("ActualChannelSpend", "ActualChannelVolume"),
    "cost_per_mql": ("ActualChannelSpend", "ActualChannelMQLs"),
    "cac": ("ActualChannelSpend", "ActualChannelCustomers"),
    "roi": ("ActualChannelRevenue", "ActualChannelSpend"),
}


def _blocks(config: PlanConfig, typed: Mapping[str, Sequence[Sequence[Any]]]) -> dict:
    blocks = {}
    for block in TRACKING_INPUTS:
        rows = len(config.stage_names) if block.rows == "stages" else len(config.channels)
        given = typed.get(block.name, [[None] * MONTHS] * rows)
        blocks[block.name] = np.array(
            [[np.nan if v is None else float(v) for v in row] for row in given]
        )
    return blocks


def _grid_sums(actual: np.ndarray) -> np.ndarray:
    """Months, Q1–Q4, year to date, full year of each row (NaN where nothing is reported)."""
    quarters = actual.reshape(*actual.shape[:-1], 4, 3)
    q = np.where(np.isnan(quarters).all(-1), np.nan, np.nansum(quarters, -1))
    ytd = np.where(np.isnan(actual).all(-1), np.nan, np.nansum(actual, -1))
    year = np.where(np.isnan(actual).any(-1), np.nan, ytd)
    return np.concatenate([actual, q, ytd[..., None], year[..., None]], -1)


def _rate(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """A step's actual rate: lower / upper where both are reported and upper > 0."""
    rate = divide(np.nan_to_num(lower), np.nan_to_num(upper))
    return np.where(np.isnan(upper) | np.isnan(lower), np.nan, rate)


def _versus(actual: np.ndarray, plan: np.ndarray) -> dict[str, np.ndarray]:
    """Plan, variance and % of plan per month, quarter (months reported), to date, year."""
    monthly = plan_vs_actual(actual[..., None], plan[..., None])
    quarterly = plan_vs_actual(actual.reshape(-1, 4, 3), plan.reshape(-1, 4, 3))
    to_date = plan_vs_actual(actual, plan)
    full = ~np.isnan(actual).any(-1)
    year = plan.sum(-1)

    def row(field: str) -> np.ndarray:
        year_value = np.where(full, getattr(to_date, field), np.nan)
        return np.concatenate(
            [
                getattr(monthly, field),
                getattr(quarterly, field),
                np.asarray(getattr(to_date, field))[:, None],
                year_value[:, None],
            ],
            -1,
        )

    plan_grid = np.concatenate(
        [plan, plan.reshape(-1, 4, 3).sum(-1), to_date.plan[:, None], year[:, None]], -1
    )
    return {
        "plan": plan_grid,
        "variance": row("variance"),
        "percent": row("percent_of_plan"),
        "year": to_date,
    }


def _year(result: Any, threshold: float) -> dict[str, list]:
    return {
        "plan_to_date": result.plan.tolist(),
        "actual_to_date": result.actual.tolist(),
        "variance": result.variance.tolist(),
        "percent_of_plan": result.percent_of_plan.tolist(),
        "expected_share": result.expected_share.tolist(),
        "projected": result.projected.tolist(),
        "pace": result.attainment.tolist(),
        "status": list(tracking_status(result.attainment, threshold)),
    }


def expected_tracking(
    config: PlanConfig, typed: Mapping[str, Sequence[Sequence[Any]]] | None = None
) -> dict[str, Any]:
    """Every figure of the Tracking sheet for `config` and the actuals `typed`.

    Parameters
    ----------
    config : PlanConfig
        The plan.
    typed : mapping of input name → rows × 12 months, optional
        The actuals typed into the contract B blocks (``None`` for a blank cell); blocks not
        given are empty.

    Returns
    -------
    dict
        Grids (rows × 18 columns: 12 months, Q1–Q4, year to date, full year) under
        ``inputs`` (each input block's sums), ``plan_stages``, ``variance_stages``,
        ``percent_stages``, ``plan_channel_budget``, ``plan_channel_volume`` and the channel
        ratio grids (``cpl``, ``cost_per_mql``, ``cac``, ``roi``: 17 columns and the plan);
        tables ``year_stages``, ``year_channels``, ``rates``, ``channels_ytd`` (column key →
        one value per row) and ``summary`` (key → value).

    Examples
    --------
    >>> from xl_funnel.plan.config import example_config
    >>> empty = expected_tracking(example_config())
    >>> empty["summary"]["target"], empty["summary"]["diagnosis_1"]
    (10.0, 'No stage has actuals yet.')
    >>> empty["year_stages"]["catch_up_plan"][0]
    83334.0
    """
    values = expected_values(config)
    names = values["names"]
    plan = np.asarray(names["MonthlyVolumes"], dtype=float)
    blocks = _blocks(config, typed or {})
    actual = blocks["ActualVolumes"]
    rates = plan_rates(config)
    stages = _versus(actual, plan)
    sums = {name: _grid_sums(block) for name, block in blocks.items()}

    year = _year(stages["year"], config.on_track_threshold)
    year["year_plan"] = plan.sum(-1).tolist()
    target = float(plan[-1].sum())
    ytd = sums["ActualVolumes"][:, 16]
    reported = months_reported(actual)
    left = MONTHS - reported
    year["projected_rates"] = projected_at_rates(actual, plan, rates).tolist()
    actual_rates = _rate(ytd[:-1], ytd[1:])
    for name, use in (("plan", rates), ("actual", actual_rates)):
        result = catch_up(target, ytd[-1], use, left)
        year[f"catch_up_{name}"] = result.volumes.tolist()
        year[f"per_month_{name}"] = result.per_month.tolist()

    ratio = np.round(actual_rates / rates, 9)
    order = weakest_steps(ratio, count=len(rates))
    rank = np.full(len(rates), np.nan)
    for position, step in enumerate(order.tolist()):
        if step >= 0:
            rank[step] = position + 1
    quarter_rates = [
        _rate(sums["ActualVolumes"][:-1, 12 + q], sums["ActualVolumes"][1:, 12 + q])
        for q in range(4)
    ]
    sentences = diagnosis_sentences(ytd, rates, target, config.stage_names)
    projected = stages["year"].projected[-1]
    short = shortfall(target, projected, config.avg_deal_size)
    summary = {
        "target": target,
        "won": float(ytd[-1]),
        "months_reported": float(reported),
        "months_left": float(left),
        "projected": float(projected),
        "projected_rates": year["projected_rates"][-1],
        "shortfall_customers": float(short.customers),
        "shortfall_revenue": float(short.revenue),
        "diagnosis_1": sentences[0],
        "diagnosis_2": sentences[1],
    }

    budgets = np.asarray(names["ChannelMonthlyBudget"], dtype=float).reshape(-1, MONTHS)
    volumes = np.asarray(names["ChannelMonthlyVolumes"], dtype=float).reshape(-1, MONTHS)
    channel_volume = _versus(blocks["ActualChannelVolume"], volumes)
    channel_budget = _versus(blocks["ActualChannelSpend"], budgets)
    year_channels = _year(channel_volume["year"], config.on_track_threshold)
    year_channels["year_plan"] = volumes.sum(-1).tolist()
    return {
        "inputs": sums,
        "plan_stages": stages["plan"],
        "variance_stages": stages["variance"],
        "percent_stages": stages["percent"],
        "year_stages": year,
        "rates": {
            "plan": rates.tolist(),
            **{f"q{q + 1}": quarter_rates[q].tolist() for q in range(4)},
            "to_date": actual_rates.tolist(),
            "ratio": ratio.tolist(),
            "rank": rank.tolist(),
            "cost": np.where(np.isnan(ratio), np.nan, target * np.maximum(0, 1 - ratio)).tolist(),
        },
        "summary": summary,
        "plan_channel_budget": channel_budget["plan"],
        "plan_channel_volume": channel_volume["plan"],
        "year_channels": year_channels,
        "channels_ytd": _channels_ytd(config, sums, channel_budget["plan"][:, 16], values),
        **_ratio_grids(config, sums, values),
    }


def _metrics(sums: dict[str, np.ndarray], column: int | slice) -> pd.DataFrame:
    """channel_metrics of the input sums at `column` (every channel × period flattened)."""
    pick = {name: np.asarray(block[:, column]).reshape(-1) for name, block in sums.items()}
    table = pd.DataFrame(
        {
            "spend": np.nan_to_num(pick["ActualChannelSpend"]),
            "leads": np.nan_to_num(pick["ActualChannelVolume"]),
            "mqls": np.nan_to_num(pick["ActualChannelMQLs"]),
            "customers": np.nan_to_num(pick["ActualChannelCustomers"]),
            "revenue": np.nan_to_num(pick["ActualChannelRevenue"]),
        }
    )
    metrics = channel_metrics(table)
    for key, (top, bottom) in RATIO_KEYS.items():
        missing = np.isnan(pick[top]) | np.isnan(pick[bottom])
        metrics.loc[missing, key] = np.nan
    return metrics


def _ratio_grids(config: PlanConfig, sums: dict, values: dict) -> dict[str, np.ndarray]:
    channels = len(config.channels)
    # Every cell a row of its own: channel_metrics' shares are meaningless here, ratios exact.
    cells = {name: block[:, :17].reshape(-1, 1) for name, block in sums.items()}
    metrics = _metrics(cells, 0)
    grids = {}
    for key in RATIO_KEYS:
        grid = metrics[key].to_numpy().reshape(channels, 17)
        plan = np.array([row[key] for row in values["channels"]])[:, None]
        grids[key] = np.concatenate([grid, plan], -1)
    return grids


def _channels_ytd(config: PlanConfig, sums: dict, budget: np.ndarray, values: dict) -> dict:
    metrics = _metrics(sums, 16)
    spend = sums["ActualChannelSpend"][:, 16]
    index, hint = reallocation_hint(
        np.nan_to_num(spend), np.nan_to_num(sums["ActualChannelCustomers"][:, 16])
    )
    result = {
        "spend": spend.tolist(),
        "budget_to_date": np.where(np.isnan(spend), np.nan, budget).tolist(),
        "spend_vs_budget": np.where(
            np.isnan(spend), np.nan, divide(np.nan_to_num(spend), np.nan_to_num(budget))
        ).tolist(),
        "share_of_spend": metrics["share_of_spend"].tolist(),
        "share_of_customers": metrics["share_of_customers"].tolist(),
        "efficiency_index": index.tolist(),
        "hint": list(hint),
    }
    for key in RATIO_KEYS:
        result[key] = metrics[key].tolist()
        result[f"{key}_plan"] = [row[key] for row in values["channels"]]
    return result
