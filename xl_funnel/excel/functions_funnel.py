"""Excel functions for the funnel, revenue targets, lead value and channels (issue 3).

Adapters only: each reads its arguments with :mod:`xl_funnel.excel.coerce`, calls the core and
shapes the result (a column that spills top → bottom; with stage names, two columns). The
math is the core's (:mod:`xl_funnel.funnel`, :mod:`xl_funnel.revenue`,
:mod:`xl_funnel.lead_value`, :mod:`xl_funnel.channels`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from xl_funnel import seed
from xl_funnel.channels import CHANNEL_COLUMNS, channel_metrics, channel_roi
from xl_funnel.errors import FunnelError
from xl_funnel.excel.coerce import (
    cell_number,
    choice,
    flag,
    grid,
    is_blank,
    labels,
    number,
    numbers_grid,
    vector,
)
from xl_funnel.excel.errors import VALUE, CellError, error_for, is_excel_error
from xl_funnel.excel.results import to_cell, to_cells
from xl_funnel.excel.spec import Arg, Example, ExcelFunction
from xl_funnel.funnel import backsolve, conversion_rates, forward
from xl_funnel.lead_value import value_per_lead, value_per_visit, visits_per_lead
from xl_funnel.revenue import customers_needed, target_revenue, target_revenue_from_history

__all__ = ["FUNCTIONS"]

# Seed 000's funnel as Excel passes a column range: one row per cell.
SEED_RATES = [[rate] for rate in seed.SEED_RATES]
SEED_STAGES = [[name] for name in seed.SEED_STAGE_NAMES]

_RATES_HELP = (
    "Stage-to-stage conversion rates, top to bottom, as fractions (20 % is 0.2): a row, a "
    "column or a block read row by row."
)
_NAMES_HELP = "Optional labels, one per stage (one more than rates): adds a name column."


# --- shared shaping ---------------------------------------------------------------------


def _omitted(value: Any) -> bool:
    """An optional range argument left out or entirely blank."""
    if is_blank(value):
        return True
    block = grid(value, "argument")
    return all(is_blank(cell) for row in block for cell in row)


def _stages(volumes: np.ndarray, stage_names: Any) -> Any:
    """A funnel as a column, or as (name, volume) rows when stage names are given."""
    if _omitted(stage_names):
        return to_cells(volumes)
    names = labels(stage_names, "stage_names")
    if len(names) != len(volumes):
        raise CellError(
            VALUE,
            f"stage_names has {len(names)} labels for {len(volumes)} stages: give one label "
            "per stage, one more than the rates",
        )
    return [[name, value] for name, (value,) in zip(names, to_cells(volumes), strict=True)]


def _elementwise(
    core: Callable[[Any, Any], Any], first: Any, second: Any, names: tuple[str, str]
) -> Any:
    """Apply a two-argument core ratio cell by cell, as ``=B2:B5/C2:C5`` would.

    Shapes broadcast as in Excel (a single cell, or a row against a column); each cell's bad
    input gives that cell an error value without spoiling its neighbours.
    """
    x, x_errors = numbers_grid(first, names[0])
    y, y_errors = numbers_grid(second, names[1])
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise CellError(
            VALUE,
            f"{names[0]} is {x.shape[0]}×{x.shape[1]} and {names[1]} is "
            f"{y.shape[0]}×{y.shape[1]}: give ranges of the same size (or a single cell)",
        ) from None
    if shape == (1, 1):  # one cell: its error is the whole answer, with its reason
        problem = x_errors[0][0] or y_errors[0][0]
        if problem is not None:
            raise problem
        return core(float(x[0, 0]), float(y[0, 0]))
    x_flat = np.broadcast_to(x, shape).ravel()
    y_flat = np.broadcast_to(y, shape).ravel()
    x_err = np.broadcast_to(np.array(x_errors, dtype=object), shape).ravel()
    y_err = np.broadcast_to(np.array(y_errors, dtype=object), shape).ravel()
    values = np.empty(x_flat.size)
    problems: dict[int, Exception] = {}
    _bisect(core, x_flat, y_flat, 0, x_flat.size, values, problems)
    # A cell's own input error comes first (the numerator's before the denominator's, as
    # Excel evaluates left to right); its placeholder 0 never made the core raise.
    for index in np.flatnonzero((x_err != None) | (y_err != None)):  # noqa: E711
        problems[int(index)] = x_err[index] or y_err[index]
    cells = to_cells(values.reshape(shape))
    for index, problem in problems.items():
        r, c = divmod(index, shape[1])
        cells[r][c] = error_for(problem)
    return cells


def _bisect(
    core: Callable[[Any, Any], Any],
    x: np.ndarray,
    y: np.ndarray,
    lo: int,
    hi: int,
    values: np.ndarray,
    problems: dict[int, Exception],
) -> None:
    """Fill ``values[lo:hi]`` from the core, halving a slice whose input it rejects until
    the rejected cells stand alone: k bad cells of n cost O(k log n) calls, not n."""
    try:
        values[lo:hi] = np.asarray(core(x[lo:hi], y[lo:hi]), dtype=float)
    except FunnelError as problem:
        if hi - lo == 1:
            values[lo] = 0.0
            problems[lo] = problem
            return
        middle = (lo + hi) // 2
        _bisect(core, x, y, lo, middle, values, problems)
        _bisect(core, x, y, middle, hi, values, problems)


# --- TARGET_REVENUE, CUSTOMERS_NEEDED ---------------------------------------------------


def _target_revenue(history_or_last: Any, growth_or_uplift: Any = None, method: Any = None) -> Any:
    block = grid(history_or_last, "history_or_last")
    if len(block) == 1 and len(block[0]) == 1:
        years = np.array([number(block, "history_or_last")])
    else:
        years = vector(block, "history_or_last")
    if len(years) == 0:
        raise CellError(VALUE, "history_or_last is blank: give last year's revenue or a history")
    if len(years) >= 2:
        uplift = number(growth_or_uplift, "uplift", default=0.05)
        how = choice(method, "method", ("mean", "cagr"), "mean")
        return target_revenue_from_history(years, uplift, how)
    if _omitted(growth_or_uplift):
        raise CellError(
            VALUE,
            "growth_or_uplift is needed with a single last-year revenue: give the growth "
            "rate, e.g. 0.25 for 25 %",
        )
    growth = number(growth_or_uplift, "growth")
    if not _omitted(method):
        raise CellError(VALUE, "method applies to a revenue history (a range of ≥ 2 years)")
    return target_revenue(years[0], growth)


def _customers_needed(new_revenue: Any, avg_deal_size: Any, round_up: Any = None) -> Any:
    return customers_needed(
        number(new_revenue, "new_revenue"),
        number(avg_deal_size, "avg_deal_size"),
        flag(round_up, "round_up", default=True),
    )


# --- the funnel -------------------------------------------------------------------------


def _funnel_backsolve(
    target: Any,
    rates: Any,
    periods: Any = None,
    round_up: Any = None,
    buffer: Any = None,
    stage_names: Any = None,
) -> Any:
    goal = number(target, "target")
    conv = vector(rates, "rates")
    volumes = backsolve(
        goal,
        conv,
        periods=number(periods, "periods", default=1.0),
        round_up=flag(round_up, "round_up", default=False),
        buffer=number(buffer, "buffer", default=0.0),
    )
    return _stages(volumes, stage_names)


def _funnel_forward(top: Any, rates: Any, stage_names: Any = None) -> Any:
    start = number(top, "top")
    return _stages(forward(start, vector(rates, "rates")), stage_names)


def _funnel_rates(counts: Any) -> Any:
    return to_cells(conversion_rates(vector(counts, "counts")))


# --- lead value and ROI, element-wise ---------------------------------------------------


def _value_per_lead(revenue: Any, leads: Any) -> Any:
    return _elementwise(value_per_lead, revenue, leads, ("revenue", "leads"))


def _value_per_visit(revenue: Any, visits: Any) -> Any:
    return _elementwise(value_per_visit, revenue, visits, ("revenue", "visits"))


def _visits_per_lead(visits: Any, leads: Any) -> Any:
    return _elementwise(visits_per_lead, visits, leads, ("visits", "leads"))


def _channel_roi(revenue: Any, cost: Any) -> Any:
    return _elementwise(channel_roi, revenue, cost, ("revenue", "cost"))


# --- CHANNEL_METRICS --------------------------------------------------------------------


def _trim(block: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing blank rows and columns: the range may be drawn larger than the table."""
    rows = list(block)
    while rows and all(is_blank(cell) for cell in rows[-1]):
        rows.pop()
    width = max(
        (index + 1 for row in rows for index, cell in enumerate(row) if not is_blank(cell)),
        default=0,
    )
    return [row[:width] for row in rows]


def _header(cell: Any, column: int) -> str:
    if isinstance(cell, str) and cell.strip():
        return cell.strip()
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return f"{cell_number(cell, f'table header {column}'):g}"
    raise CellError(VALUE, f"table header {column} is {cell!r}: every column needs a name")


def _extra(cell: Any) -> float | str:
    """A cell of a column the metrics do not use: kept as it is, as far as a cell allows."""
    if is_blank(cell):
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, str):
        return cell
    if isinstance(cell, int | float | np.integer | np.floating):
        return float(cell)
    return str(cell)


def _attributed_revenue(value: Any) -> dict[str, float]:
    """Channel → revenue from rows of (channel, revenue, …): ATTRIBUTE's spill, say. A first
    row whose revenue cell is text is its header; columns after the second are ignored."""
    rows = [row for row in _trim(grid(value, "attributed_revenue")) if row]
    for row in rows:
        for cell in row[:2]:
            if is_excel_error(cell):
                raise CellError(cell, f"attributed_revenue holds the error {cell}")
    if rows and len(rows[0]) >= 2 and isinstance(rows[0][1], str):
        try:
            cell_number(rows[0][1], "attributed_revenue")
        except CellError:
            rows = rows[1:]  # a header such as "Credited revenue"
    if not rows or len(rows[0]) < 2:
        raise CellError(
            VALUE,
            "attributed_revenue needs two columns, channel and revenue (ATTRIBUTE's spill "
            "will do), and at least one row",
        )
    credit: dict[str, float] = {}
    for index, row in enumerate(rows):
        channel, amount = row[0], row[1]
        if is_blank(channel):
            raise CellError(VALUE, f"attributed_revenue channel[{index}] is blank")
        name = str(channel).strip()
        if name in credit:
            raise CellError(VALUE, f"attributed_revenue lists channel {name!r} twice")
        credit[name] = (
            0.0 if is_blank(amount) else cell_number(amount, f"attributed_revenue revenue[{index}]")
        )
    return credit


def _channel_metrics(table: Any, attributed_revenue: Any = None) -> Any:
    import pandas as pd  # only this function needs pandas: keep the UDF module light to load

    block = _trim(grid(table, "table"))
    for row in block:
        for cell in row:
            if is_excel_error(cell):
                raise CellError(cell, f"table holds the error {cell}")
    if len(block) < 2:
        raise CellError(
            VALUE,
            f"table needs a header row and at least one channel row with "
            f"{', '.join(CHANNEL_COLUMNS)}",
        )
    headers = [_header(cell, column) for column, cell in enumerate(block[0])]
    keys = [header.lower() for header in headers]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise CellError(VALUE, f"table has two columns named {duplicated[0]!r}")
    credit = None if _omitted(attributed_revenue) else _attributed_revenue(attributed_revenue)
    # Attributed revenue replaces the table's revenue column, which may then be left out.
    needed = CHANNEL_COLUMNS if credit is None else CHANNEL_COLUMNS[:-1]
    missing = [name for name in needed if name not in keys]
    if missing:
        raise CellError(
            VALUE,
            f"table has no column {', '.join(map(repr, missing))}: CHANNEL_METRICS needs "
            f"{', '.join(needed)} (any case, any order)",
        )
    if credit is not None and "channel" not in keys:
        raise CellError(
            VALUE,
            "table has no 'channel' column: attributed_revenue is matched to the table's rows "
            "by channel name",
        )
    columns: dict[str, list[Any]] = {}
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        cells = [row[index] for row in block[1:]]
        if key in needed:
            columns[header] = [
                0.0 if is_blank(cell) else cell_number(cell, f"table {key}[{row}]")
                for row, cell in enumerate(cells)
            ]
        else:
            columns[header] = [_extra(cell) for cell in cells]
    result = channel_metrics(pd.DataFrame(columns), revenue=credit)
    body = [[to_cell(value) for value in row] for row in result.itertuples(index=False)]
    return [list(result.columns), *body]


# --- the specs --------------------------------------------------------------------------

_BAD_NUMBER = ("#VALUE!", "text that is not a number, TRUE/FALSE, a range where one cell belongs")
_PROPAGATE = ("input error", "an input cell holding an error value (#N/A, #REF!, …) returns it")

TARGET_REVENUE = ExcelFunction(
    name="TARGET_REVENUE",
    summary=(
        "Next year's revenue target: last year × (1 + growth), or from a revenue history "
        "(average growth + uplift)."
    ),
    args=(
        Arg(
            "history_or_last",
            "Last year's revenue (one cell), or annual revenues oldest → newest (a row or "
            "column of ≥ 2 years).",
        ),
        Arg(
            "growth_or_uplift",
            "With one revenue: the growth rate (0.25 = 25 %), required. With a history: "
            "points added to its growth, default 0.05.",
            optional=True,
        ),
        Arg(
            "method",
            'With a history: "mean" (average year-over-year growth, default) or "cagr".',
            optional=True,
        ),
    ),
    compute=_target_revenue,
    returns="One number: the revenue target.",
    core="xl_funnel.target_revenue, xl_funnel.target_revenue_from_history",
    examples=(
        Example((8e6, 0.25), "$8M last year and 25 % growth."),
        Example(
            ([[5e6], [6e6], [7.2e6]],),
            "Seed 002: three years grew 20 % a year; five points more gives 25 %.",
        ),
        Example(([[100.0, 150.0, 150.0]], 0.0, "cagr"), "Compound growth of a flat last year."),
    ),
    bad_examples=(
        Example((8e6,), "One revenue needs a growth rate."),
        Example(([[5e6], [None], [7.2e6]],), "A gap in the history."),
        Example((8e6, -1.5), "Growth below -100 %."),
    ),
    errors=(
        ("#NUM!", "negative last revenue, a year of the history ≤ 0, growth ≤ -100 %"),
        ("#VALUE!", "one revenue without a growth rate; method with one revenue; gaps"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

CUSTOMERS_NEEDED = ExcelFunction(
    name="CUSTOMERS_NEEDED",
    summary="New customers needed to bring a new-revenue goal at an average deal size.",
    args=(
        Arg("new_revenue", "Revenue the new customers must bring (≥ 0)."),
        Arg("avg_deal_size", "Average first-year revenue of a new customer (> 0)."),
        Arg(
            "round_up",
            "TRUE (default): whole customers, rounded up so the goal is met. FALSE: exact.",
            optional=True,
        ),
    ),
    compute=_customers_needed,
    returns="One number.",
    core="xl_funnel.customers_needed",
    examples=(
        Example((10e6, 1.1e6), "Seed 000: $10M at $1.1M a deal needs 10 customers, not 9."),
        Example((10e6, 1.1e6, False), "The exact ratio."),
    ),
    bad_examples=(
        Example((10e6, 0.0), "A deal size of 0."),
        Example(("1,000,000", 1.1e6), "A number typed with thousands separators."),
    ),
    errors=(
        ("#NUM!", "new_revenue < 0, avg_deal_size ≤ 0"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

FUNNEL_BACKSOLVE = ExcelFunction(
    name="FUNNEL_BACKSOLVE",
    summary=(
        "Volume every funnel stage needs to reach a target (the reverse funnel), top to "
        "bottom; spills down."
    ),
    args=(
        Arg("target", "Volume of the bottom stage (usually customers) for the whole horizon."),
        Arg("rates", _RATES_HELP),
        Arg("periods", "Split the target over N periods (12 = per month). Default 1.", True),
        Arg("round_up", "TRUE: whole units at every stage, rounded up. Default FALSE.", True),
        Arg("buffer", "Safety margin: 0.2 plans 20 % more at every stage. Default 0.", True),
        Arg("stage_names", _NAMES_HELP, True),
    ),
    compute=_funnel_backsolve,
    returns=(
        "A column of len(rates) + 1 volumes, top → bottom; with `stage_names`, two columns "
        "(name, volume)."
    ),
    core="xl_funnel.backsolve",
    examples=(
        Example(
            (9.0, SEED_RATES, 12.0),
            "Seed 000: 9 customers a year, per month; exact, unlike the article's rounded table.",
        ),
        Example(
            (9.0, SEED_RATES, 12.0, None, None, SEED_STAGES),
            "The same with stage names (blank optional arguments take their defaults).",
        ),
        Example((10.0, SEED_RATES, 12.0, True), "Whole units for 10 customers a year."),
    ),
    bad_examples=(
        Example((9.0, [[0.015], [0.0], [0.2]]), "A 0 % stage."),
        Example((9.0, [[0.015], [20.0]]), "20 typed for 20 %."),
        Example((9.0, SEED_RATES, 12.0, None, None, [["Visits"], ["Leads"]]), "Two names."),
        Example((9.0, [[0.015], ["#N/A"]]), "An error in the rates range."),
    ),
    errors=(
        ("#NUM!", "a rate ≤ 0 or > 1; target or buffer < 0; periods ≤ 0; a volume too large"),
        ("#VALUE!", "no rates; a blank inside rates; stage_names not one more than rates"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

FUNNEL_FORWARD = ExcelFunction(
    name="FUNNEL_FORWARD",
    summary="Volume reaching every funnel stage from a top-of-funnel volume; spills down.",
    args=(
        Arg("top", "Volume entering the top stage (usually website visits), ≥ 0."),
        Arg("rates", _RATES_HELP + " 0 is allowed."),
        Arg("stage_names", _NAMES_HELP, True),
    ),
    compute=_funnel_forward,
    returns="A column of len(rates) + 1 volumes; with `stage_names`, two columns.",
    core="xl_funnel.forward",
    examples=(
        Example((6000.0, SEED_RATES), "Seed 000's table: 6,000 visits bring 0.72 customers."),
        Example((6000.0, [[0.015, 0.2, 0.2, 0.4, 0.5]], SEED_STAGES), "Rates as a row, named."),
    ),
    bad_examples=(
        Example((-100.0, SEED_RATES), "A negative top volume."),
        Example((6000.0, [[0.2], [None], [0.5]]), "A gap in the rates."),
    ),
    errors=(
        ("#NUM!", "a rate < 0 or > 1; top < 0"),
        ("#VALUE!", "no rates; a blank inside rates; stage_names not one more than rates"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

FUNNEL_RATES = ExcelFunction(
    name="FUNNEL_RATES",
    summary="Stage-to-stage conversion rates from observed stage counts; spills down.",
    args=(Arg("counts", "Observed count of each stage, top to bottom (≥ 2 stages), each ≥ 0."),),
    compute=_funnel_rates,
    returns="A column with one rate fewer than counts; #DIV/0! out of a stage counted 0.",
    core="xl_funnel.conversion_rates",
    examples=(
        Example(
            ([[6250.0], [93.75], [18.75], [3.75], [1.5], [0.75]],),
            "Seed 000's exact monthly funnel gives back its rates.",
        ),
        Example(([[10000.0, 9900.0, 0.0, 0.0]],), "Seed 004: 99 % delivered; nothing after."),
    ),
    bad_examples=(
        Example(([[100.0]],), "One stage has no rate."),
        Example(([[100.0], [-5.0]],), "A negative count."),
    ),
    errors=(
        ("#DIV/0!", "in the cell of a rate out of a stage counted 0"),
        ("#NUM!", "a count < 0"),
        ("#VALUE!", "fewer than 2 counts; a blank inside the counts"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

_ELEMENTWISE_ERRORS = (
    ("#DIV/0!", "in each cell whose denominator is 0 or blank"),
    ("#NUM!", "in each cell with a negative input"),
    ("#VALUE!", "ranges of different sizes (whole result); text or TRUE/FALSE (that cell)"),
    ("input error", "a cell holding an error value gives that error in its result cell"),
)
_ELEMENTWISE_RETURNS = (
    "A number for single cells; for ranges of the same shape (or a range and a cell), an "
    "array of that shape, cell by cell."
)

VALUE_PER_LEAD = ExcelFunction(
    name="VALUE_PER_LEAD",
    summary="Lead-attributed revenue per lead (revenue / leads), cell by cell.",
    args=(
        Arg("revenue", "Revenue attributed to the leads of the period (≥ 0); a cell or range."),
        Arg("leads", "Leads of the same period (≥ 0); a cell or a range of the same shape."),
    ),
    compute=_value_per_lead,
    returns=_ELEMENTWISE_RETURNS,
    core="xl_funnel.value_per_lead",
    examples=(
        Example((1.5e6, 2500.0), "Seed 002: $1.5M from 2,500 leads in a quarter."),
        Example(
            ([[1.5e6, 1.8e6, 0.0]], [[2500.0, 3000.0, 0.0]]),
            "Quarter by quarter; a quarter without leads has no defined value.",
        ),
    ),
    bad_examples=(
        Example(([[1e6, 2e6]], [[1000.0, 2000.0, 3000.0]]), "Ranges of different sizes."),
        Example((1e6, "n/a"), "Text for the leads."),
    ),
    errors=_ELEMENTWISE_ERRORS,
)

VALUE_PER_VISIT = ExcelFunction(
    name="VALUE_PER_VISIT",
    summary="Lead-attributed revenue per website visit (revenue / visits), cell by cell.",
    args=(
        Arg("revenue", "Lead-attributed revenue of the period (≥ 0); a cell or range."),
        Arg("visits", "Website visits of the same period (≥ 0); a cell or a range."),
    ),
    compute=_value_per_visit,
    returns=_ELEMENTWISE_RETURNS,
    core="xl_funnel.value_per_visit",
    examples=(Example((1.5e6, 150000.0), "Seed 002: $1.5M from 150,000 visits."),),
    bad_examples=(Example((1e6, -10.0), "Negative visits."),),
    errors=_ELEMENTWISE_ERRORS,
)

VISITS_PER_LEAD = ExcelFunction(
    name="VISITS_PER_LEAD",
    summary="Website visits it takes to get one lead (visits / leads), cell by cell.",
    args=(
        Arg("visits", "Website visits of the period (≥ 0); a cell or range."),
        Arg("leads", "Leads of the same period (≥ 0); a cell or a range."),
    ),
    compute=_visits_per_lead,
    returns=_ELEMENTWISE_RETURNS,
    core="xl_funnel.visits_per_lead",
    examples=(
        Example((6250.0, 93.75), "Seed 000: a 1.5 % visit→lead rate is about 67 visits a lead."),
    ),
    bad_examples=(Example((6250.0, 0.0), "No leads: visits per lead is undefined."),),
    errors=_ELEMENTWISE_ERRORS,
)

CHANNEL_ROI = ExcelFunction(
    name="CHANNEL_ROI",
    summary="Return on investment of a channel, (revenue − cost) / cost, cell by cell.",
    args=(
        Arg("revenue", "Revenue credited to the channel (≥ 0); a cell or range."),
        Arg("cost", "What the channel cost (≥ 0); a cell or a range of the same shape."),
    ),
    compute=_channel_roi,
    returns=_ELEMENTWISE_RETURNS + " 1.5 = 150 %.",
    core="xl_funnel.channel_roi",
    examples=(
        Example((250000.0, 100000.0), "Seed 004: $250k back on $100k is 150 %."),
        Example(
            ([[250000.0], [50000.0], [1000.0]], [[100000.0], [100000.0], [0.0]]),
            "Three channels; a free channel has no ROI.",
        ),
    ),
    bad_examples=(
        Example((1000.0, -50.0), "A negative cost."),
        Example((1000.0, 0.0), "A free channel."),
    ),
    errors=_ELEMENTWISE_ERRORS,
)

CHANNEL_METRICS = ExcelFunction(
    name="CHANNEL_METRICS",
    summary=(
        "Per-channel CPL, cost per MQL, CAC, ROI, ROAS, shares and efficiency index from a "
        "channel table with a header row; spills."
    ),
    args=(
        Arg(
            "table",
            "A header row, then one row per channel, with columns spend, leads, mqls, "
            "customers, revenue (any case, any order; other columns kept).",
        ),
        Arg(
            "attributed_revenue",
            "Rows of channel and revenue (ATTRIBUTE's spill, header row allowed) that replace "
            "the table's revenue column; matched by the table's channel column, a channel "
            "not listed gets 0.",
            optional=True,
        ),
    ),
    compute=_channel_metrics,
    returns=(
        "The table with its header, followed by the columns cpl, cost_per_mql, cac, roi, "
        "roas, share_of_spend, share_of_customers, efficiency_index."
    ),
    core="xl_funnel.channel_metrics",
    examples=(
        Example(
            (
                [
                    ["Channel", "Spend", "Leads", "MQLs", "Customers", "Revenue"],
                    ["Paid social", 30000.0, 300.0, 60.0, 3.0, 330000.0],
                    ["Content syndication", 10000.0, 200.0, 80.0, 3.0, 330000.0],
                ],
            ),
            "Seed 004: paid social costs three times as much for the same customers.",
        ),
        Example(
            (
                [
                    ["Channel", "Spend", "Leads", "MQLs", "Customers"],
                    ["Paid social", 30000.0, 300.0, 60.0, 3.0],
                    ["Content syndication", 10000.0, 200.0, 80.0, 3.0],
                ],
                [
                    ["Channel", "Credited revenue", "Share"],
                    ["Paid social", 420000.0, 0.636],
                    ["Content syndication", 240000.0, 0.364],
                ],
            ),
            "The revenue a W-shaped ATTRIBUTE credits instead of a revenue column: paid "
            "social's ROI 13, syndication's 23.",
        ),
    ),
    bad_examples=(
        Example(([["Channel", "Spend"], ["Email", 100.0]],), "Required columns missing."),
    ),
    errors=(
        (
            "#VALUE!",
            "a required column missing; a blank or duplicated header; no channel rows; "
            "attributed_revenue crediting a channel the table lacks, or listing one twice",
        ),
        ("#NUM!", "a negative or non-finite spend, leads, mqls, customers or revenue"),
        ("#DIV/0!", "in the cell of a ratio whose denominator is 0 (e.g. CAC with 0 customers)"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

#: This module's functions, in documentation order.
FUNCTIONS: tuple[ExcelFunction, ...] = (
    TARGET_REVENUE,
    CUSTOMERS_NEEDED,
    FUNNEL_BACKSOLVE,
    FUNNEL_FORWARD,
    FUNNEL_RATES,
    VALUE_PER_LEAD,
    VALUE_PER_VISIT,
    VISITS_PER_LEAD,
    CHANNEL_ROI,
    CHANNEL_METRICS,
)
