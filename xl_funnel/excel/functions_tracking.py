"""Excel functions for tracking the year: plan against actual, catch-up, diagnosis, budget.

Adapters only: each reads its arguments with :mod:`xl_funnel.excel.coerce`, calls the core
(:mod:`xl_funnel.tracking`, :mod:`xl_funnel.tracking_diagnosis`) and shapes the result. A month
not reported yet is a blank cell; a figure that cannot be known yet (nothing reported) is
returned as an empty text, never as a misleading 0 or an error value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xl_funnel import seed
from xl_funnel.excel.coerce import cell_number, choice, grid, is_blank, labels, number, vector
from xl_funnel.excel.errors import VALUE, CellError, is_excel_error
from xl_funnel.excel.results import to_cell
from xl_funnel.excel.spec import Arg, Example, ExcelFunction
from xl_funnel.kpis import CHANNEL_KINDS, channel_kpis, kind_key, kpi_status
from xl_funnel.tracking import catch_up, plan_vs_actual, projected_at_rates, shortfall
from xl_funnel.tracking_diagnosis import diagnosis_sentences, reallocation_hint

__all__ = ["FUNCTIONS", "months_block"]

SEED_RATES = [[rate] for rate in seed.SEED_RATES]
_BAD_NUMBER = ("#VALUE!", "text that is not a number, TRUE/FALSE, a range where one cell belongs")
_PROPAGATE = ("input error", "an input cell holding an error value (#N/A, #REF!, …) returns it")
_NEGATIVE = ("#NUM!", "a negative count, amount or plan figure")

#: Columns TRACKING_VS_PLAN spills, after its header.
VS_PLAN_HEADER = [
    "Actual to date",
    "Plan to date",
    "Variance",
    "% of plan",
    "Expected share",
    "Projected (pace)",
    "Pace",
]


def months_block(value: Any, name: str) -> np.ndarray:
    """A block of monthly figures as floats, a blank cell (month not reported) as NaN.

    >>> months_block([[1.0, None], ["2", ""]], "actual").tolist()
    [[1.0, nan], [2.0, nan]]
    """
    rows = grid(value, name)
    block = np.full((len(rows), len(rows[0])), np.nan)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if is_excel_error(cell):
                raise CellError(cell, f"{name} holds the error {cell}")
            if not is_blank(cell):
                block[r, c] = cell_number(cell, f"{name} row {r + 1}, month {c + 1}")
    return block


def _known(value: float, reported: bool) -> float | str:
    """A figure, or "" when nothing is reported yet (not an error: the year just started)."""
    return to_cell(value) if reported else ""


def _vs_plan(actual: Any, plan: Any) -> Any:
    got, want = months_block(actual, "actual"), months_block(plan, "plan")
    if np.isnan(want).any():
        raise CellError(VALUE, "plan has a blank month: give the plan of every month")
    if got.shape != want.shape:
        raise CellError(
            VALUE,
            f"actual is {got.shape[0]}×{got.shape[1]} but plan is "
            f"{want.shape[0]}×{want.shape[1]}: give the plan of the same months",
        )
    result = plan_vs_actual(got, want)
    rows = [VS_PLAN_HEADER]
    for i in range(got.shape[0]):
        reported = not np.isnan(result.actual[i])
        rows.append([_known(float(np.asarray(field)[i]), reported) for field in result])
    return rows


def _at_rates(actual: Any, plan: Any, plan_rates: Any) -> Any:
    got, want = months_block(actual, "actual"), months_block(plan, "plan")
    projected = projected_at_rates(got, want, vector(plan_rates, "plan_rates"))
    return [[_known(float(value), not np.isnan(value))] for value in projected]


def _catch_up(target: Any, customers_to_date: Any, rates: Any, months_left: Any) -> Any:
    result = catch_up(
        number(target, "target"),
        number(customers_to_date, "customers_to_date"),
        vector(rates, "rates"),
        number(months_left, "months_left"),
    )
    return [
        ["Volume needed", "Per month"],
        *([to_cell(v), to_cell(m)] for v, m in zip(result.volumes, result.per_month, strict=True)),
    ]


def _shortfall(target: Any, projected: Any, deal_size: Any) -> Any:
    result = shortfall(
        number(target, "target"), number(projected, "projected"), number(deal_size, "deal_size")
    )
    return [[to_cell(result.customers), to_cell(result.revenue)]]


def _diagnosis(
    counts_to_date: Any, plan_rates: Any, year_customers: Any, stage_names: Any = None
) -> Any:
    counts = months_block(counts_to_date, "counts_to_date").reshape(-1)
    rates = vector(plan_rates, "plan_rates")
    names = None
    if stage_names is not None and not is_blank(stage_names):
        names = [str(name) for name in labels(stage_names, "stage_names")]
    sentences = diagnosis_sentences(counts, rates, number(year_customers, "year_customers"), names)
    return [[sentence] for sentence in sentences]


def _budget_hint(spend: Any, conversions: Any) -> Any:
    index, hint = reallocation_hint(vector(spend, "spend"), vector(conversions, "conversions"))
    return [
        ["Efficiency index", "Hint"],
        *([_known(float(i), not np.isnan(i)), h] for i, h in zip(index, hint, strict=True)),
    ]


#: The status of a metric the seeds set no threshold for.
NO_AIM = "no aim set"


def _channel_kpis(kind: Any, counts: Any) -> Any:
    key = kind_key(choice(kind, "kind", tuple(CHANNEL_KINDS), "email"))
    spec = CHANNEL_KINDS[key]
    values = vector(counts, "counts")
    if len(values) != len(spec.counts):
        raise CellError(
            VALUE,
            f"counts has {len(values)} numbers; {key} takes {len(spec.counts)}: "
            + ", ".join(name for name, _ in spec.counts),
        )
    kpis = channel_kpis(key, dict(zip((n for n, _ in spec.counts), values, strict=True)))
    return [
        ["Metric", "Value", "Status"],
        *(
            [m.label, to_cell(kpis[m.name]), kpi_status(key, m.name, kpis[m.name]) or NO_AIM]
            for m in spec.metrics
        ),
    ]


_KIND_COUNTS = "; ".join(
    f"{key}: {', '.join(name for name, _ in kind.counts)}" for key, kind in CHANNEL_KINDS.items()
)

H1_ACTUAL = [
    [6500.0, 6800.0, 7100.0, 7000.0, 6900.0, 7200.0, None, None, None, None, None, None],
    [95.0, 101.0, 99.0, 104.0, 98.0, 102.0, None, None, None, None, None, None],
]
H1_PLAN = [[6944.0] * 12, [104.0] * 12]

TRACKING_VS_PLAN = ExcelFunction(
    name="TRACKING_VS_PLAN",
    summary=(
        "Monthly actuals against the plan: actual and plan to date, variance, % of plan, the "
        "share of the year expected by now (seasonality), projected year end and pace."
    ),
    args=(
        Arg(
            "actual",
            "Actuals, one row per stage or channel, one column per month; blank = "
            "not reported yet.",
        ),
        Arg("plan", "The plan's figures for the same rows and months."),
    ),
    compute=_vs_plan,
    returns=(
        "A header row, then one row per row of months: actual to date, plan to date, "
        "variance, % of plan, expected share, projected year end at the current pace, pace "
        "(projected ÷ year plan). Empty cells for a row with nothing reported."
    ),
    core="xl_funnel.tracking.plan_vs_actual",
    examples=(Example((H1_ACTUAL, H1_PLAN), "Visits and leads for H1 against a flat plan."),),
    errors=(
        _NEGATIVE,
        ("#VALUE!", "actual and plan of different sizes; a blank plan month"),
        _BAD_NUMBER,
        _PROPAGATE,
    ),
)

TRACKING_AT_RATES = ExcelFunction(
    name="TRACKING_AT_RATES",
    summary=(
        "Year end of every stage if the top of the funnel keeps to plan and each step converts "
        "as it has so far; spills one column."
    ),
    args=(
        Arg("actual", "Actuals, one row per stage (top to bottom), one column per month."),
        Arg("plan", "The plan's volumes for the same stages and months."),
        Arg("plan_rates", "The plan's stage-to-stage rates, one fewer than the stages."),
    ),
    compute=_at_rates,
    returns="One cell per stage: actual to date + the rest of the plan × the steps' actual ÷ "
    "plan rates above it. Empty where not measurable yet.",
    core="xl_funnel.tracking.projected_at_rates",
    examples=(
        Example(
            (H1_ACTUAL, H1_PLAN, [[0.015]]),
            "Leads convert from visits at 1.47 % against a 1.5 % plan.",
        ),
    ),
    errors=(_NEGATIVE, ("#VALUE!", "plan_rates not one fewer than the stages"), _PROPAGATE),
)

CATCH_UP = ExcelFunction(
    name="CATCH_UP",
    summary=(
        "Volume every stage must still generate in the remaining months for the year to reach "
        "its customer target, rounded up so it is never short."
    ),
    args=(
        Arg("target", "Customers the year must win."),
        Arg("customers_to_date", "Customers won so far."),
        Arg("rates", "Stage-to-stage rates to plan with: the plan's or the actual ones so far."),
        Arg("months_left", "Months of the year still to come."),
    ),
    compute=_catch_up,
    returns="A header, then one row per stage: the whole volume needed over the months left "
    "and the volume per month. `#DIV/0!` above a rate of 0 (it can never catch up).",
    core="xl_funnel.tracking.catch_up",
    examples=(
        Example(
            (10.0, 3.0, SEED_RATES, 6.0),
            "Ten customers a year, three won by June, seed 000's rates: what H2 needs.",
        ),
    ),
    errors=(_NEGATIVE, _BAD_NUMBER, _PROPAGATE),
)

SHORTFALL = ExcelFunction(
    name="SHORTFALL",
    summary="Customers and revenue a projected year end falls short of the target (0 if none).",
    args=(
        Arg("target", "Customers the year must win."),
        Arg("projected", "Projected customers at year end."),
        Arg("deal_size", "Average revenue per customer."),
    ),
    compute=_shortfall,
    returns="One row: customers short, revenue short.",
    core="xl_funnel.tracking.shortfall",
    examples=(Example((10.0, 7.5, 1_100_000.0), "2.5 customers short of ten: $2.75M."),),
    errors=(_NEGATIVE, _BAD_NUMBER, _PROPAGATE),
)

TRACKING_DIAGNOSIS = ExcelFunction(
    name="TRACKING_DIAGNOSIS",
    summary=(
        "The two funnel steps furthest behind plan, each sized in customers lost by year end, "
        "with seed 001's advice; spills two cells."
    ),
    args=(
        Arg("counts_to_date", "Each stage's actual so far this year, top to bottom."),
        Arg("plan_rates", "The plan's stage-to-stage rates, one fewer than the stages."),
        Arg("year_customers", "Customers the year's plan wins."),
        Arg("stage_names", "Optional stage names, one per count.", True),
    ),
    compute=_diagnosis,
    returns="Two cells: the weakest step's sentence, then the next (empty when only one step is "
    "behind); `No stage has actuals yet.` or `Every stage converts at or above its plan rate.`",
    core="xl_funnel.tracking_diagnosis.diagnosis_sentences",
    examples=(
        Example(
            ([[6000.0], [90.0], [16.0], [3.0], [1.2], [0.6]], SEED_RATES, 10.0),
            "Leads→MQLs and MQLs→SQLs both behind plan.",
        ),
    ),
    errors=(_NEGATIVE, ("#VALUE!", "plan_rates not one fewer than the counts"), _PROPAGATE),
)

BUDGET_HINT = ExcelFunction(
    name="BUDGET_HINT",
    summary=(
        "Seed 004's budget check: each channel's share of conversions against its share of "
        "spend, and whether it deserves more budget or less."
    ),
    args=(
        Arg("spend", "Spend per channel so far."),
        Arg("conversions", "Conversions (customers) per channel so far."),
    ),
    compute=_budget_hint,
    returns="A header, then per channel: the efficiency index (share of conversions ÷ share "
    "of spend) and a hint: more budget above 1, less below, in line at 1.",
    core="xl_funnel.tracking_diagnosis.reallocation_hint",
    examples=(
        Example(
            ([[30000.0], [10000.0]], [[3.0], [3.0]]),
            "Paid social costs three times content syndication and brings the same.",
        ),
    ),
    errors=(_NEGATIVE, _BAD_NUMBER, _PROPAGATE),
)

CHANNEL_KPIS = ExcelFunction(
    name="CHANNEL_KPIS",
    summary=(
        "Seed 004's KPIs of one channel type (email, webinar, direct mail, paid social or "
        "search, content syndication, events) from its counts, with the seed's thresholds."
    ),
    args=(
        Arg(
            "kind",
            "The channel type: email, webinar, direct_mail, paid_social, paid_search, "
            "content_syndication or events.",
        ),
        Arg("counts", "The type's counts in its order (see the function reference)."),
    ),
    compute=_channel_kpis,
    returns=(
        "A header, then one row per metric: its label, value and status (`Good` at the seed's "
        "threshold or above, `Below aim` under it, `no aim set` where the seed sets none). "
        f"Counts by kind: {_KIND_COUNTS}."
    ),
    core="xl_funnel.kpis.channel_kpis",
    examples=(
        Example(
            ("email", [[10000.0], [9900.0], [2475.0], [495.0], [20.0], [99.0]]),
            "Seed 004: 9,900 of 10,000 delivered is 99 %, above the 95 % worry line.",
        ),
        Example(
            ("webinar", [[400.0], [180.0], [90.0]]),
            "45 % attendance, under seed 004's 50 % standard.",
        ),
    ),
    errors=(
        ("#VALUE!", "an unknown kind; not as many counts as the kind takes"),
        ("#NUM!", "a negative count"),
        _PROPAGATE,
    ),
)

FUNCTIONS: tuple[ExcelFunction, ...] = (
    TRACKING_VS_PLAN,
    TRACKING_AT_RATES,
    CATCH_UP,
    SHORTFALL,
    TRACKING_DIAGNOSIS,
    BUDGET_HINT,
    CHANNEL_KPIS,
)
