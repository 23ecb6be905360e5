"""Excel functions for the annual plan's calendar and money (issue 11).

Adapters only: each reads its arguments with :mod:`xl_funnel.excel.coerce`, calls the core
(:mod:`xl_funnel.rolling`, :mod:`xl_funnel.revenue`) and shapes the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xl_funnel import seed
from xl_funnel.diagnosis import default_stage_names
from xl_funnel.excel.coerce import flag, grid, is_blank, number, vector
from xl_funnel.excel.results import to_cells
from xl_funnel.excel.spec import Arg, Example, ExcelFunction
from xl_funnel.rolling import rolling_schedule

__all__ = ["FUNCTIONS"]

SEED_RATES = [[rate] for rate in seed.SEED_RATES]


def _omitted(value: Any) -> bool:
    block = grid(value, "argument")
    return all(is_blank(cell) for row in block for cell in row)


def _rolling_schedule(
    monthly_targets: Any,
    rates: Any,
    lags: Any,
    next_targets: Any,
    delivered: Any = None,
    whole_units: Any = None,
) -> Any:
    targets = vector(monthly_targets, "monthly_targets")
    conv = vector(rates, "rates")
    block = grid(lags, "lags")
    months = (
        number(lags, "lags") if len(block) == 1 and len(block[0]) == 1 else vector(lags, "lags")
    )
    after = np.zeros(0) if _omitted(next_targets) else vector(next_targets, "next_targets")
    done = None if delivered is None or _omitted(delivered) else vector(delivered, "delivered")
    plan = rolling_schedule(
        targets,
        conv,
        months,
        after,
        done,
        round_up=flag(whole_units, "whole_units", default=False),
    )
    names = default_stage_names(len(conv) + 1)
    header = ["Stage", *(f"M{m + 1}" for m in range(len(targets))), "Carried in", "Carried out"]
    body = to_cells(
        np.column_stack([plan.generated, plan.carried_in, plan.carried_out]),
    )
    return [header, *([name, *row] for name, row in zip(names, body, strict=True))]


FUNNEL_ROLLING_SCHEDULE = ExcelFunction(
    name="FUNNEL_ROLLING_SCHEDULE",
    summary=(
        "What each funnel stage must generate in each month of a year that rolls into the "
        "next: net of the starting pipeline, plus next year's first months through the lags."
    ),
    args=(
        Arg("monthly_targets", "Customers to win in each month of the year, in order."),
        Arg(
            "rates",
            "Stage-to-stage conversion rates, top to bottom, as fractions (20 % is 0.2).",
        ),
        Arg(
            "lags",
            "Average months from each stage to the next, one per rate; one cell S is a sales "
            "cycle (every stage above customers S months earlier).",
        ),
        Arg(
            "next_targets",
            "Customers to win in the months after the year (next year's run-rate), in order; "
            "as many months as the lags reach back matter.",
        ),
        Arg(
            "delivered",
            "Optional: customers the pipeline the year starts with closes in each month.",
            True,
        ),
        Arg(
            "whole_units",
            "TRUE: whole units, the running total rounded up. Default FALSE (exact).",
            True,
        ),
    ),
    compute=_rolling_schedule,
    returns=(
        "A table: a header row (`Stage`, `M1` … one per month, `Carried in`, `Carried out`), "
        "then one row per stage, top → bottom: what it must generate in each month of the "
        "year, the volume this year needs before the year starts, and the volume the year "
        "generates for next year."
    ),
    core="xl_funnel.rolling.rolling_schedule",
    examples=(
        Example(
            ([[1.0] * 12], [[0.5]], 3.0, [[1.25] * 3]),
            "One 50 % step and a 3-month sales cycle: the first nine months generate 2 "
            "opportunities each for this year's deals, the last three 2.5 each for next "
            "year's; the year starts needing 6 open opportunities.",
        ),
        Example(
            (
                [[10 / 12] * 12],
                SEED_RATES,
                [[0], [0], [0], [0], [3]],
                [[1.25 * 10 / 12] * 3],
                None,
                True,
            ),
            "Seed 000's 10 customers a year, a 3-month sales cycle and 25 % growth next year, "
            "in whole units: no month's visits are 0.",
        ),
    ),
    errors=(
        ("#NUM!", "a rate ≤ 0 or > 1; a negative target, lag or delivered count"),
        ("#VALUE!", "not one lag per rate; text where a number belongs"),
    ),
)

FUNCTIONS = (FUNNEL_ROLLING_SCHEDULE,)
