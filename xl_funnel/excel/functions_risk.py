"""Excel functions for attribution, the probability of hitting the plan, and sensitivity (issue 8).

Adapters only: each reads its arguments with :mod:`xl_funnel.excel.coerce`, calls the core
(:mod:`xl_funnel.attribution`, :mod:`xl_funnel.simulation`, :mod:`xl_funnel.rate_sensitivity`) and
shapes the result.

Random numbers in a cell. ``FUNNEL_PROBABILITY`` and ``FUNNEL_VOLUME_FOR`` default to seed 0,
so a cell shows the same value at every recalculation (and in every engine that runs the
same numpy): a plan that changed each time Excel recalculated could not be reviewed. Give
another seed to see how much the answer moves between samples.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from xl_funnel import seed
from xl_funnel.attribution import MODELS, attribute
from xl_funnel.excel.coerce import cell_number, flag, grid, is_blank, labels, number, vector
from xl_funnel.excel.errors import VALUE, CellError, is_excel_error
from xl_funnel.excel.results import to_cell, to_cells
from xl_funnel.excel.spec import Arg, Example, ExcelFunction
from xl_funnel.rate_sensitivity import sensitivity
from xl_funnel.simulation import MAX_TRIALS, simulate, volume_for

__all__ = ["DEFAULT_SEED", "DEFAULT_TRIALS", "FUNCTIONS"]

#: Seed of the Excel functions when none is given: a cell is deterministic.
DEFAULT_SEED = 0
#: Trials of the Excel functions when none are given (under 0.1 s for six stages).
DEFAULT_TRIALS = 100_000

SEED_RATES = [[rate] for rate in seed.SEED_RATES]
#: Four quarters of seed 000's funnel: visits, leads, MQLs, SQLs, opportunities, customers.
SEED_HISTORY = [[25_000.0, 375.0, 75.0, 15.0, 6.0, 3.0]] * 4
SEED_TOUCHES = [
    ["Journey", "Order", "Channel", "Stage", "Revenue"],
    ["A", 1.0, "Ads", None, 10_000.0],
    ["A", 2.0, "Webinar", "lead created", 10_000.0],
    ["A", 3.0, "Email", None, 10_000.0],
    ["A", 4.0, "Sales", "opportunity created", 10_000.0],
    ["B", 1.0, "Email", None, 2_000.0],
]

_HISTORY_HELP = (
    "Past stage counts: one row per period (month, quarter), stages left to right, top to "
    "bottom of the funnel; a single column is one period."
)
_TRIALS_HELP = f"Simulated funnels, 1 to {MAX_TRIALS:,}. Default {DEFAULT_TRIALS:,}."
_SEED_HELP = "Random seed (a whole number ≥ 0); the same seed gives the same answer. Default 0."
_BAD_NUMBER = ("#VALUE!", "text that is not a number, TRUE/FALSE, a range where one cell belongs")
_PROPAGATE = ("input error", "an input cell holding an error value (#N/A, #REF!, …) returns it")


# --- shared reading ---------------------------------------------------------------------


def _trimmed(value: Any, name: str) -> list[list[Any]]:
    """A range without trailing blank rows and columns; an error value inside propagates."""
    rows = grid(value, name)
    for row in rows:
        for cell in row:
            if is_excel_error(cell):
                raise CellError(cell, f"{name} holds the error {cell}")
    while rows and all(is_blank(cell) for cell in rows[-1]):
        rows = rows[:-1]
    width = max(
        (i + 1 for row in rows for i, cell in enumerate(row) if not is_blank(cell)), default=0
    )
    if not width:
        raise CellError(VALUE, f"{name} is empty")
    return [row[:width] for row in rows]


def _history(value: Any) -> np.ndarray:
    rows = _trimmed(value, "history_counts")
    if len(rows[0]) == 1:  # one column: a single period, stages top to bottom
        rows = [[row[0] for row in rows]]
    counts = np.empty((len(rows), len(rows[0])))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            where = f"history_counts[{r}, {c}]"
            if is_blank(cell):
                raise CellError(VALUE, f"{where} is blank: every period needs every stage count")
            counts[r, c] = cell_number(cell, where)
    return counts


def _whole(value: Any, name: str, default: float, low: float, high: float) -> int:
    amount = number(value, name, default=default)
    if amount != int(amount) or not low <= amount <= high:
        raise CellError(
            "#NUM!", f"{name} is {amount:g}: give a whole number from {low:,.0f} to {high:,.0f}"
        )
    return int(amount)


def _random(trials: Any, seed: Any) -> dict[str, int]:
    return {
        "trials": _whole(trials, "trials", DEFAULT_TRIALS, 1, MAX_TRIALS),
        "seed": _whole(seed, "seed", DEFAULT_SEED, 0, 2**63 - 1),
    }


# --- ATTRIBUTE ----------------------------------------------------------------------------


def _touch_cell(cell: Any) -> Any:
    """A touch-table cell as the core reads it: blanks missing, dates and numbers kept."""
    if is_blank(cell):
        return None
    if isinstance(cell, bool):
        raise CellError(VALUE, f"touch_table holds {cell}: TRUE/FALSE is not a touch value")
    if isinstance(cell, dt.datetime | dt.date | str):
        return cell
    return cell_number(cell, "touch_table")


def _attribute(touch_table: Any, model: Any, half_life_days: Any = None) -> Any:
    import pandas as pd  # only the table functions need pandas: the UDF module loads light

    rows = _trimmed(touch_table, "touch_table")
    if len(rows) < 2:
        raise CellError(VALUE, "touch_table needs a header row and at least one touch row")
    headers = [str(cell).strip() if not is_blank(cell) else "" for cell in rows[0]]
    if "" in headers:
        raise CellError(
            VALUE, f"touch_table header {headers.index('')} is blank: every column needs a name"
        )
    columns = {
        header: [_touch_cell(row[i]) for row in rows[1:]] for i, header in enumerate(headers)
    }
    names = labels(model, "model")
    if len(names) != 1 or not isinstance(names[0], str):
        raise CellError(VALUE, f"model is {model!r}: use one of {', '.join(MODELS)}")
    table = attribute(
        pd.DataFrame(columns), names[0], number(half_life_days, "half_life_days", default=7.0)
    )
    body = [
        [channel, to_cell(revenue), to_cell(share)]
        for channel, revenue, share in zip(
            table.index, table["revenue"], table["share"], strict=True
        )
    ]
    return [["Channel", "Credited revenue", "Share"], *body]


ATTRIBUTE = ExcelFunction(
    name="ATTRIBUTE",
    summary=(
        "Revenue credited to each channel by a multi-touch attribution model (first, last, "
        "linear, u_shaped, w_shaped, full_path, j_shaped, inverse_j, time_decay, markov, "
        "shapley); spills a table."
    ),
    args=(
        Arg(
            "touch_table",
            "A header row, then one row per touch: journey, time (dates or days) or order, "
            "channel, optional stage (first touch / lead created / opportunity created), "
            "optional revenue.",
        ),
        Arg(
            "model",
            "first, last, linear, u_shaped, w_shaped, full_path, j_shaped, inverse_j, "
            "time_decay, markov or shapley.",
        ),
        Arg(
            "half_life_days",
            "time_decay only: a touch this many days before the last gets half its weight. "
            "Default 7.",
            optional=True,
        ),
    ),
    compute=_attribute,
    returns=(
        "A header (Channel, Credited revenue, Share), then one row per channel, the largest "
        "credit first."
    ),
    core="xl_funnel.attribute",
    examples=(
        Example(
            (SEED_TOUCHES, "u_shaped"),
            "40 % first touch, 40 % lead created, 20 % over the others; B's single touch "
            "gets all of B.",
        ),
        Example((SEED_TOUCHES, "w_shaped"), "30 % each to first, lead and opportunity touches."),
    ),
    errors=(
        (
            "#VALUE!",
            "no header or touch rows, a missing journey/channel/time column, an unknown "
            "model or stage marker, time_decay without a time column",
        ),
        (
            "#NUM!",
            "a blank journey or channel, a negative revenue, a journey's revenues disagreeing, "
            "half_life_days ≤ 0 with time_decay",
        ),
        _PROPAGATE,
    ),
)


# --- FUNNEL_PROBABILITY / FUNNEL_VOLUME_FOR ------------------------------------------------


def _funnel_probability(
    top_volume: Any, history_counts: Any, target: Any, trials: Any = None, seed: Any = None
) -> Any:
    result = simulate(
        number(top_volume, "top_volume"),
        number(target, "target"),
        history=_history(history_counts),
        **_random(trials, seed),
    )
    return result.probability


def _funnel_volume_for(
    probability: Any, target: Any, history_counts: Any, trials: Any = None, seed: Any = None
) -> Any:
    chances = vector(probability, "probability")
    if chances.size == 0:
        raise CellError(VALUE, "probability is blank: give a chance such as 0.9")
    volumes = volume_for(
        chances,
        number(target, "target"),
        history=_history(history_counts),
        **_random(trials, seed),
    )
    if chances.size == 1:
        return float(volumes[0])
    shape = np.shape(grid(probability, "probability"))
    # A row of probabilities spills a row of volumes; anything else a column.
    return to_cells(volumes.reshape(1, -1) if shape[0] == 1 else volumes)


FUNNEL_PROBABILITY = ExcelFunction(
    name="FUNNEL_PROBABILITY",
    summary=(
        "Chance that a top-of-funnel volume reaches a customer target, with each stage rate "
        "uncertain as its history says (Monte Carlo)."
    ),
    args=(
        Arg("top_volume", "Top-of-funnel volume planned (visits), ≥ 0."),
        Arg("history_counts", _HISTORY_HELP),
        Arg("target", "Customers needed (9.1 needs 10)."),
        Arg("trials", _TRIALS_HELP, optional=True),
        Arg("seed", _SEED_HELP, optional=True),
    ),
    compute=_funnel_probability,
    returns="One number between 0 and 1: the share of simulated funnels reaching the target.",
    core="xl_funnel.simulate",
    examples=(
        Example(
            (75_000.0, SEED_HISTORY, 9.0),
            "Seed 000: the average-rate plan for 9 customers reaches them about half the time.",
        ),
        Example((120_000.0, SEED_HISTORY, 9.0), "60 % more visits: close to a P90 plan."),
    ),
    errors=(
        ("#VALUE!", "a blank inside history_counts; fewer than two stages"),
        (
            "#NUM!",
            "a negative volume, target or count; a stage totalling more than the stage above "
            "it; trials or seed not whole or out of range",
        ),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

FUNNEL_VOLUME_FOR = ExcelFunction(
    name="FUNNEL_VOLUME_FOR",
    summary=(
        "Top-of-funnel volume that reaches a customer target with a given probability (0.9 "
        "for P90), stage rates uncertain as their history says."
    ),
    args=(
        Arg(
            "probability",
            "Wanted chance of reaching the target, above 0 and at most 1; a "
            "range (0.5, 0.8, 0.9) spills one volume each.",
        ),
        Arg("target", "Customers needed (9.1 needs 10)."),
        Arg("history_counts", _HISTORY_HELP),
        Arg("trials", _TRIALS_HELP, optional=True),
        Arg("seed", _SEED_HELP, optional=True),
    ),
    compute=_funnel_volume_for,
    returns=(
        "The smallest whole volume reaching the target in at least that share of trials; a "
        "range of probabilities spills one volume each."
    ),
    core="xl_funnel.volume_for",
    examples=(
        Example((0.9, 9.0, SEED_HISTORY), "Seed 000's P90 plan needs about 70 % more visits."),
        Example(([[0.5, 0.8, 0.9]], 9.0, SEED_HISTORY), "P50, P80 and P90 in one row."),
    ),
    errors=(
        ("#NUM!", "probability ≤ 0 or > 1; more than 1 − probability of trials never reach"),
        ("#VALUE!", "a blank inside history_counts; fewer than two stages"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)


# --- FUNNEL_SENSITIVITY ------------------------------------------------------------------


def _funnel_sensitivity(
    top_volume: Any,
    rates: Any,
    deal_size: Any = None,
    step: Any = None,
    absolute: Any = None,
) -> Any:
    table = sensitivity(
        number(top_volume, "top_volume"),
        vector(rates, "rates"),
        number(deal_size, "deal_size", default=1.0),
        number(step, "step", default=0.10),
        absolute=flag(absolute, "absolute", default=False),
    )
    header = [
        "Transition",
        "Rate",
        "Improved rate",
        "Customers",
        "Customers change",
        "Revenue change",
    ]
    body = [
        [label, *(to_cell(value) for value in row)]
        for label, row in zip(table.index, table.itertuples(index=False), strict=True)
    ]
    return [header, *body]


FUNNEL_SENSITIVITY = ExcelFunction(
    name="FUNNEL_SENSITIVITY",
    summary=(
        "Which stage rate moves revenue most: each rate improved by step (10 %) alone, the "
        "change in customers and revenue, ranked; spills a tornado-chart table."
    ),
    args=(
        Arg("top_volume", "Top-of-funnel volume (visits), ≥ 0."),
        Arg("rates", "Stage-to-stage conversion rates, top to bottom, as fractions."),
        Arg(
            "deal_size",
            "Revenue per customer. Default 1 (revenue counted in customers).",
            optional=True,
        ),
        Arg(
            "step",
            "Relative improvement: 0.1 = each rate 10 % better, capped at 100 %. "
            "Default 0.1; negative shows the cost of a worse rate.",
            optional=True,
        ),
        Arg(
            "absolute",
            "TRUE: step is in rate points (0.01 = one percentage point, r + step), which "
            "makes the lowest rates the biggest levers. Default FALSE (relative).",
            optional=True,
        ),
    ),
    compute=_funnel_sensitivity,
    returns=(
        "A header (Transition, Rate, Improved rate, Customers, Customers change, Revenue "
        "change), then one row per rate, the largest revenue change first."
    ),
    core="xl_funnel.sensitivity",
    examples=(
        Example(
            (75_000.0, SEED_RATES, 1.1e6),
            "Seed 000: every uncapped rate 10 % better adds 0.9 customers, $990,000.",
        ),
        Example(
            (10_000.0, [[0.02, 0.95, 0.5]], 100.0),
            "A stage at 95 % can only gain 5.3 %: it ranks last.",
        ),
        Example(
            (75_000.0, SEED_RATES, 1.1e6, 0.01, True),
            "Seed 000, one percentage point better at each stage: visits→leads (1.5 % → "
            "2.5 %) adds 6 customers, $6.6M; the other stages under 0.5 each.",
        ),
    ),
    errors=(
        ("#NUM!", "a rate outside 0–1, a negative volume or deal size, step ≤ −1"),
        ("#VALUE!", "no rates, or gaps in them"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

#: This module's functions, in documentation order.
FUNCTIONS: tuple[ExcelFunction, ...] = (
    ATTRIBUTE,
    FUNNEL_PROBABILITY,
    FUNNEL_VOLUME_FOR,
    FUNNEL_SENSITIVITY,
)
