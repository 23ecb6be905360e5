"""Excel functions for the funnel over time: lags, the flywheel, pacing, diagnosis (issue 7).

Adapters only: each reads its arguments with :mod:`xl_funnel.excel.coerce`, calls the core
(:mod:`xl_funnel.scheduling`, :mod:`xl_funnel.flywheel`, :mod:`xl_funnel.pacing`,
:mod:`xl_funnel.diagnosis`) and shapes the result.

Month labels. A spilled result cannot carry a number format, so a date returned into a header
would show as a serial number (46388) in classic Excel and LibreOffice. Headers are therefore
text: ``"Jan 2027"`` when the first month is given, else ``"M1"`` for the first target month
and ``"M0"``, ``"M-1"``, … for the months before it (the schedule's lead-in).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from xl_funnel import seed
from xl_funnel.diagnosis import (
    bottleneck,
    bottleneck_message,
    comparable_ratio,
    default_stage_names,
    funnel_gap,
)
from xl_funnel.errors import FunnelError
from xl_funnel.excel.coerce import (
    cell_number,
    flag,
    grid,
    is_blank,
    labels,
    number,
    vector,
)
from xl_funnel.excel.errors import VALUE, CellError, is_excel_error
from xl_funnel.excel.results import to_cell, to_cells
from xl_funnel.excel.spec import Arg, Example, ExcelFunction
from xl_funnel.flywheel import flywheel_backsolve
from xl_funnel.pacing import pace
from xl_funnel.scheduling import month_labels, parse_month, schedule

__all__ = ["FUNCTIONS"]

# Seed 000's funnel as Excel passes a column range: one row per cell.
SEED_RATES = [[rate] for rate in seed.SEED_RATES]
SEED_STAGES = [[name] for name in seed.SEED_STAGE_NAMES]
#: Excel's day 0 in the 1900 date system (serial 1 is 1900-01-01; Excel's phantom 29 Feb 1900
#: only shifts dates before March 1900, which no plan uses).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
#: Serial number of 31 Dec 9999, the last date Excel knows.
LAST_SERIAL = 2_958_465

_RATES_HELP = (
    "Stage-to-stage conversion rates, top to bottom, as fractions (20 % is 0.2): a row, a "
    "column or a block read row by row."
)
_NAMES_HELP = (
    "Optional labels, one per stage (one more than rates). Default Visits … Customers for "
    "six stages, else Stage 1 … Stage n."
)
_REFERRAL_ROW = "Referral customers"
_BOTTLENECK_MARK = "bottleneck"


# --- shared reading -----------------------------------------------------------------------


def _omitted(value: Any) -> bool:
    """An optional argument left out, or a range that is entirely blank."""
    if is_blank(value):
        return True
    return all(is_blank(cell) for row in grid(value, "argument") for cell in row)


def _single_cell(value: Any) -> bool:
    block = grid(value, "argument")
    return len(block) == 1 and len(block[0]) == 1


def _names(stage_names: Any, stages: int) -> list[str]:
    """Stage names as text, defaulting to the core's; a count that does not fit is #VALUE!."""
    if _omitted(stage_names):
        return list(default_stage_names(stages))
    names = [
        name if isinstance(name, str) else f"{name:g}"
        for name in labels(stage_names, "stage_names")
    ]
    if len(names) != stages:
        raise CellError(
            VALUE,
            f"stage_names has {len(names)} labels for {stages} stages: give one label per "
            "stage, one more than the rates",
        )
    return names


def _first_month(value: Any) -> Any:
    """The month of the first target: a date, an Excel serial date or a text like 2027-01."""
    import pandas as pd  # only the calendar needs pandas: keep the UDF module light to load

    if _omitted(value):
        return None
    if not _single_cell(value):
        raise CellError(VALUE, "first_month is a range: give a single cell holding a date")
    cell = grid(value, "first_month")[0][0]
    if is_excel_error(cell):
        raise CellError(cell, f"first_month holds the error {cell}")
    if isinstance(cell, dt.date):
        return pd.Period(cell, freq="M")
    if isinstance(cell, str) and not cell.strip().replace(".", "", 1).isdigit():
        try:
            return parse_month(cell.strip())
        except FunnelError:
            raise CellError(
                VALUE, f"first_month is {cell!r}: give a date or a month such as 2027-01"
            ) from None
    serial = cell_number(cell, "first_month")
    if not 1 <= serial <= LAST_SERIAL:
        raise CellError(VALUE, f"first_month is {serial:g}: not an Excel date")
    return pd.Period(EXCEL_EPOCH + dt.timedelta(days=serial), freq="M")


def _relative_labels(months: list[int]) -> list[str]:
    return [f"M{month}" for month in months]


# --- FUNNEL_SCHEDULE ------------------------------------------------------------------------


def _funnel_schedule(
    monthly_targets: Any,
    rates: Any,
    lags: Any,
    round_up: Any = None,
    stage_names: Any = None,
    first_month: Any = None,
) -> Any:
    targets = vector(monthly_targets, "monthly_targets")
    conv = vector(rates, "rates")
    months = number(lags, "lags") if _single_cell(lags) else vector(lags, "lags")
    names = _names(stage_names, len(conv) + 1)
    start = _first_month(first_month)
    plan = schedule(
        targets,
        conv,
        months,
        round_up=flag(round_up, "round_up", default=False),
        start=start,
        stage_names=names,
    )
    header = month_labels(plan.columns)
    if start is None:
        header = _relative_labels(header)
    body = to_cells(plan.to_numpy())
    return [["Stage", *header], *([name, *row] for name, row in zip(names, body, strict=True))]


# --- FLYWHEEL_BACKSOLVE ---------------------------------------------------------------------


def _entry_stage(value: Any) -> int | str:
    """A stage name, or a stage number counted from 1 at the top, as Excel counts."""
    if _omitted(value):
        return 0
    if not _single_cell(value):
        raise CellError(VALUE, "entry_stage is a range: give a stage name or number")
    cell = grid(value, "entry_stage")[0][0]
    if is_excel_error(cell):
        raise CellError(cell, f"entry_stage holds the error {cell}")
    if isinstance(cell, str):
        try:
            position = cell_number(cell, "entry_stage")
        except CellError:
            return cell
    else:
        position = cell_number(cell, "entry_stage")
    if not position.is_integer() or position < 1:
        raise CellError(
            VALUE, f"entry_stage is {position:g}: count stages from 1 at the top, or use a name"
        )
    return int(position) - 1


def _flywheel_backsolve(
    target: Any,
    rates: Any,
    customer_base: Any,
    referrals_per_customer: Any,
    entry_stage: Any = None,
    referral_close_rate: Any = None,
    periods: Any = None,
    stage_names: Any = None,
) -> Any:
    conv = vector(rates, "rates")
    names = _names(stage_names, len(conv) + 1)
    close = (
        None
        if _omitted(referral_close_rate)
        else number(referral_close_rate, "referral_close_rate")
    )
    entry = _entry_stage(entry_stage)
    if isinstance(entry, int) and entry > len(conv):
        raise CellError(
            VALUE,
            f"entry_stage is {entry + 1}: this funnel has {len(conv) + 1} stages, numbered "
            "from 1 at the top",
        )
    plan = flywheel_backsolve(
        number(target, "target"),
        conv,
        number(customer_base, "customer_base"),
        number(referrals_per_customer, "referrals_per_customer"),
        entry_stage=entry,
        referral_close_rate=close,
        periods=number(periods, "periods", default=12.0),
        stage_names=names,
    )
    header = ["Stage", *_relative_labels(list(range(1, plan.shape[-1] + 1))), "Total"]
    table = to_cells(np.concatenate([plan, plan.sum(axis=-1, keepdims=True)], axis=-1))
    rows = [*names, _REFERRAL_ROW]
    return [header, *([name, *row] for name, row in zip(rows, table, strict=True))]


# --- PACE -----------------------------------------------------------------------------------


def _pace(
    actual_to_date: Any, annual_target: Any, elapsed: Any = None, seasonality: Any = None
) -> Any:
    weights = None if _omitted(seasonality) else vector(seasonality, "seasonality")
    target = number(annual_target, "annual_target")
    if _single_cell(actual_to_date):
        actual: Any = number(actual_to_date, "actual_to_date")
    else:
        actual = vector(actual_to_date, "actual_to_date")
        if len(actual) == 0:
            raise CellError(VALUE, "actual_to_date is blank: give the result so far")
    if _omitted(elapsed):
        when = None
    else:
        when = number(elapsed, "elapsed")
        # Monthly actuals with an explicit elapsed (mid-month): their total is the to-date.
        actual = float(np.sum(actual))
    result = pace(actual, target, when, weights)
    return [[to_cell(result.projected), to_cell(result.attainment)]]


# --- FUNNEL_GAP, FUNNEL_BOTTLENECK ----------------------------------------------------------


def _status(ratio: float, weakest: bool) -> str:
    """How a transition reads next to its plan rate."""
    if np.isnan(ratio):
        return "no data"
    # The same 9-decimal comparison as the core's bottleneck, so the two never disagree.
    if comparable_ratio(ratio) >= 1:
        return "on plan"
    return _BOTTLENECK_MARK if weakest else "behind"


def _funnel_gap(actual_counts: Any, plan_rates: Any, stage_names: Any = None) -> Any:
    counts = vector(actual_counts, "actual_counts")
    plan = vector(plan_rates, "plan_rates")
    gap = funnel_gap(counts, plan)
    names = _names(stage_names, len(counts))
    weakest = bottleneck(counts, plan)
    header = ["Transition", "Actual rate", "Plan rate", "Actual / plan", "Status"]
    cells = to_cells(np.stack([gap.actual, gap.plan, gap.ratio], axis=-1))
    return [
        header,
        *(
            [
                f"{names[index]}→{names[index + 1]}",
                *values,
                _status(float(gap.ratio[index]), index == weakest),
            ]
            for index, values in enumerate(cells)
        ),
    ]


def _funnel_bottleneck(actual_counts: Any, plan_rates: Any, stage_names: Any = None) -> Any:
    counts = vector(actual_counts, "actual_counts")
    plan = vector(plan_rates, "plan_rates")
    return bottleneck_message(counts, plan, _names(stage_names, len(counts)))


# --- the specs ------------------------------------------------------------------------------

_BAD_NUMBER = ("#VALUE!", "text that is not a number, TRUE/FALSE, a range where one cell belongs")
_PROPAGATE = ("input error", "an input cell holding an error value (#N/A, #REF!, …) returns it")

FUNNEL_SCHEDULE = ExcelFunction(
    name="FUNNEL_SCHEDULE",
    summary=(
        "Month-by-month volume of every funnel stage for monthly customer targets, earlier by "
        "each stage's lag; spills a table with a header row of months."
    ),
    args=(
        Arg("monthly_targets", "Customers to win in each month, in order (a row or a column)."),
        Arg("rates", _RATES_HELP),
        Arg(
            "lags",
            "Average months from each stage to the next, one per rate (0.5 = half a month). "
            "One cell S is a sales cycle: every stage above customers S months earlier.",
        ),
        Arg("round_up", "TRUE: whole units in every month, rounded up. Default FALSE.", True),
        Arg("stage_names", _NAMES_HELP, True),
        Arg(
            "first_month",
            "Optional date (or text like 2027-01) of the first target month: the header then "
            'reads "Jan 2027". Default: M1 = first target month, M0, M-1 … before it.',
            True,
        ),
    ),
    compute=_funnel_schedule,
    returns=(
        "A table: a header row (`Stage`, then one text label per month), then one row per "
        "stage, top → bottom: its name, then its volume in each month. The months start as "
        "many months before the first target month as the lags reach (the sum of each lag "
        "rounded up) and end with the last target month. Each stage's total equals "
        "FUNNEL_BACKSOLVE's for the total target."
    ),
    core="xl_funnel.schedule",
    examples=(
        Example(
            ([[1.0, 1.0, 1.0]], [[0.5]], 1.5, None, [["Opportunities"], ["Customers"]]),
            "A fractional lag splits volume across months: each month's customer needs 2 "
            "opportunities 1.5 months earlier, so 1 one month before and 1 two months before.",
        ),
        Example(
            (
                [[0.75, 0.75, 0.75]],
                SEED_RATES,
                [[0], [0.5], [0], [0], [2]],
                False,
                SEED_STAGES,
                "2027-01",
            ),
            "Seed 000's 0.75 customers a month for Q1 2027, a two-month sales cycle "
            "(opportunity → customer) and leads becoming MQLs half a month later on average: "
            "the work starts in October 2026, and leads and visits split between months.",
        ),
        Example(
            ([[0.75, 0.75, 0.75]], SEED_RATES, 2.0, True, SEED_STAGES, 46388.0),
            "The sales-cycle shorthand (one cell: 2 months) in whole units; the first month "
            "as an Excel date serial (46388 = 1 Jan 2027).",
        ),
    ),
    errors=(
        ("#NUM!", "a rate ≤ 0 or > 1; a negative target or lag"),
        (
            "#VALUE!",
            "not one lag per rate; a blank inside a list; stage_names not one more than rates; "
            "first_month not a date",
        ),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

FLYWHEEL_BACKSOLVE = ExcelFunction(
    name="FLYWHEEL_BACKSOLVE",
    summary=(
        "The reverse funnel month by month, net of the customers that referrals from a "
        "growing customer base bring; spills stages × months plus a referral row."
    ),
    args=(
        Arg("target", "New customers to win over the horizon (split evenly over periods)."),
        Arg("rates", _RATES_HELP),
        Arg("customer_base", "Customers at the start of the horizon (≥ 0)."),
        Arg(
            "referrals_per_customer",
            "Referrals each customer brings per month (per period), ≥ 0: 0.02 is one "
            "referral per customer every 50 months.",
        ),
        Arg(
            "entry_stage",
            "Stage referrals enter at: a stage name, or its number from 1 at the top. Default 1 "
            "(the top).",
            True,
        ),
        Arg(
            "referral_close_rate",
            "Share of referrals that become customers (0-1). Default: the funnel's rates from "
            "entry_stage down, multiplied.",
            True,
        ),
        Arg("periods", "Number of periods (months), a whole number. Default 12.", True),
        Arg("stage_names", _NAMES_HELP, True),
    ),
    compute=_flywheel_backsolve,
    returns=(
        "A table: a header row (`Stage`, `M1` … one per period, `Total`), one row per stage "
        "with what the funnel itself must bring each month (as FUNNEL_BACKSOLVE lays out a "
        "period), then `Referral customers`: the customers the loop brings each month. "
        "New customers join the base every month, so referrals grow through the year."
    ),
    core="xl_funnel.flywheel_backsolve",
    examples=(
        Example(
            (72.0, SEED_RATES, 167.0, 0.02, "Opportunities"),
            "Referrals cover a third of the target: 167 customers each bring 0.02 referrals "
            "a month that enter as opportunities and close at 50 %; as the base grows by 6 a "
            "month, referral customers grow from 1.67 to 2.33 a month, 24 of the 72 in all.",
        ),
        Example(
            (9.0, SEED_RATES, 50.0, 0.01, 4.0, 0.5, 4.0),
            "Seed 000's 9 customers over 4 quarters; referrals enter as SQLs (stage 4) and "
            "close at 50 %, far better than the funnel's 20 % from SQL.",
        ),
        Example(
            (9.0, SEED_RATES, 100.0, 0.0, "Leads", 0.1, 2.0),
            "No referrals: every period is FUNNEL_BACKSOLVE(9, rates, 2), whatever the entry "
            "stage and close rate.",
        ),
    ),
    errors=(
        (
            "#NUM!",
            "a rate ≤ 0 or > 1; a close rate outside 0-1; negative amounts; periods not a "
            "whole number ≥ 1",
        ),
        (
            "#VALUE!",
            "entry_stage not a stage name or number of this funnel; stage_names not one more "
            "than rates",
        ),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

PACE = ExcelFunction(
    name="PACE",
    summary=(
        "Projected year-end result and share of the annual target at the pace so far, evenly "
        "or by seasonality weights; spills one row of two cells."
    ),
    args=(
        Arg(
            "actual_to_date",
            "The result so far (one cell), or the actuals month by month (a range; blanks "
            "after the last month are ignored).",
        ),
        Arg("annual_target", "The year's target (≥ 0)."),
        Arg(
            "elapsed",
            "Without seasonality: fraction of the year elapsed (0.25 after Q1). With it: "
            "periods elapsed (2.5 = two months and a half). Default: the months of actuals.",
            True,
        ),
        Arg(
            "seasonality",
            "Optional relative weight of each period of the year (12 months, 4 quarters …); "
            "default an even year.",
            True,
        ),
    ),
    compute=_pace,
    returns=(
        "One row: the projected year-end, then the projected share of the target (1 = on "
        "track, 0.8 = heading for 80 %). `#DIV/0!` where nothing was expected yet or the "
        "target is 0."
    ),
    core="xl_funnel.pace",
    examples=(
        Example(
            (2000.0, 10000.0, 0.25),
            "Seed 002's leads: 2,000 after Q1 of a 10,000 year heads for 8,000, 80 % of target.",
        ),
        Example(
            (2000.0, 10000.0, 1.0, [[20.0, 25.0, 25.0, 30.0]]),
            "The same 2,000 are on track when the plan expected only 20 % in Q1.",
        ),
        Example(
            ([[700.0, 650.0, 650.0, None, None, None]], 10000.0),
            "Monthly actuals in a row drawn longer than the months so far: 3 months elapsed.",
        ),
    ),
    errors=(
        ("#NUM!", "negative amounts; elapsed ≤ 0 or beyond the year; negative weights"),
        ("#VALUE!", "elapsed omitted with a single actual; more monthly actuals than the year"),
        ("#DIV/0!", "in a cell whose denominator is 0 (nothing expected yet, target 0)"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

FUNNEL_GAP = ExcelFunction(
    name="FUNNEL_GAP",
    summary=(
        "Actual against plan conversion for every stage transition, with the bottleneck "
        "marked; spills a table with a header row."
    ),
    args=(
        Arg("actual_counts", "Observed count of each stage this period, top to bottom."),
        Arg("plan_rates", "The plan's stage-to-stage rates, one fewer than the counts."),
        Arg("stage_names", _NAMES_HELP, True),
    ),
    compute=_funnel_gap,
    returns=(
        "A table: header `Transition`, `Actual rate`, `Plan rate`, `Actual / plan`, `Status`; "
        "one row per transition (`Leads→MQLs`, …). Status is `on plan` (actual / plan ≥ 1), "
        "`behind`, or `bottleneck` for the transition furthest below its plan rate (lowest "
        "actual / plan, ties to the top); `no data` with `#DIV/0!` rates out of a stage "
        "counted 0."
    ),
    core="xl_funnel.diagnosis.funnel_gap, xl_funnel.diagnosis.bottleneck",
    examples=(
        Example(
            ([[6000.0], [90.0], [12.0], [3.0], [1.2], [0.6]], SEED_RATES),
            "Seed 001: enough leads but too few MQLs; Leads→MQLs converts at two thirds of plan.",
        ),
        Example(
            (
                [[500.0, 100.0, 0.0, 0.0]],
                [[0.1, 0.5, 0.9]],
                [["Signups", "Trials", "Paid", "Renewed"]],
            ),
            "Own stage names; no paid accounts yet, and a stage counted 0 has no rate out of it.",
        ),
    ),
    errors=(
        ("#NUM!", "a plan rate ≤ 0 or > 1; a negative count"),
        ("#VALUE!", "plan_rates not one fewer than counts; stage_names not one per count"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

FUNNEL_BOTTLENECK = ExcelFunction(
    name="FUNNEL_BOTTLENECK",
    summary=(
        "One sentence naming the stage transition furthest behind plan and seed 001's advice "
        "for it."
    ),
    args=FUNNEL_GAP.args,
    compute=_funnel_bottleneck,
    returns=(
        'Text: "Leads→MQLs is furthest behind: review form qualification questions and lead '
        'sources." — or "Every stage converts at or above its plan rate." / "No stage has '
        'actuals yet."'
    ),
    core="xl_funnel.diagnosis.bottleneck_message",
    examples=(
        Example(
            ([[6000.0], [90.0], [12.0], [3.0], [1.2], [0.6]], SEED_RATES),
            "Seed 001: enough contacts but too few MQLs.",
        ),
        Example(
            ([[6000.0], [90.0], [18.0], [3.0], [1.5], [0.75]], SEED_RATES),
            "MQL→SQL converts at 83 % of plan: nurture.",
        ),
        Example(
            ([[500.0, 40.0, 10.0]], [[0.1, 0.5]], [["Signups", "Trials", "Paid"]]),
            "Own stage names without a keyword: the advice names them.",
        ),
    ),
    errors=FUNNEL_GAP.errors,
)

#: This module's functions, in documentation order.
FUNCTIONS: tuple[ExcelFunction, ...] = (
    FUNNEL_SCHEDULE,
    FLYWHEEL_BACKSOLVE,
    PACE,
    FUNNEL_GAP,
    FUNNEL_BOTTLENECK,
)
