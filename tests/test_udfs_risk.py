"""ATTRIBUTE, FUNNEL_PROBABILITY, FUNNEL_VOLUME_FOR and FUNNEL_SENSITIVITY as Excel sees them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import xl_funnel as xf
from xl_funnel import udfs
from xl_funnel.attribution import attribute
from xl_funnel.excel.functions_risk import SEED_HISTORY, SEED_TOUCHES
from xl_funnel.excel.registry import FUNCTIONS, get
from xl_funnel.rate_sensitivity import sensitivity
from xl_funnel.simulation import simulate, volume_for

NAMES = ("ATTRIBUTE", "FUNNEL_PROBABILITY", "FUNNEL_VOLUME_FOR", "FUNNEL_SENSITIVITY")


def test_registered_once_with_their_arities():
    registered = [spec.name for spec in FUNCTIONS]
    for name in NAMES:
        assert registered.count(name) == 1
    assert (get("attribute").min_args, get("attribute").max_args) == (2, 3)
    assert (get("FUNNEL_PROBABILITY").min_args, get("FUNNEL_PROBABILITY").max_args) == (3, 5)
    assert (get("FUNNEL_VOLUME_FOR").min_args, get("FUNNEL_VOLUME_FOR").max_args) == (3, 5)
    assert (get("FUNNEL_SENSITIVITY").min_args, get("FUNNEL_SENSITIVITY").max_args) == (2, 5)
    assert callable(udfs.ATTRIBUTE)


def test_attribute_spills_the_core_table_with_a_header():
    result = udfs.ATTRIBUTE(SEED_TOUCHES, [["u_shaped"]])
    assert result[0] == ["Channel", "Credited revenue", "Share"]
    frame = pd.DataFrame(SEED_TOUCHES[1:], columns=SEED_TOUCHES[0])
    core = attribute(frame, "u_shaped")
    assert [row[0] for row in result[1:]] == list(core.index)
    assert [row[1] for row in result[1:]] == core["revenue"].tolist()
    assert [row[2] for row in result[1:]] == pytest.approx([1 / 3, 1 / 3, 0.25, 1 / 12])
    assert [row[1] for row in result[1:]] == [4_000.0, 4_000.0, 3_000.0, 1_000.0]


def test_attribute_runs_the_data_driven_models_in_the_cell():
    for model in ("markov", "shapley"):
        result = udfs.ATTRIBUTE(SEED_TOUCHES, model)
        frame = pd.DataFrame(SEED_TOUCHES[1:], columns=SEED_TOUCHES[0])
        core = attribute(frame, model)
        assert [row[0] for row in result[1:]] == list(core.index)
        assert [row[1] for row in result[1:]] == pytest.approx(list(core["revenue"]))


def test_attribute_reads_dates_as_xlwings_passes_them_and_a_half_life():
    table = [
        ["journey", "time", "channel", "revenue"],
        ["J1", dt.datetime(2026, 1, 1), "Ads", 700.0],
        ["J1", dt.datetime(2026, 1, 8), "Email", None],
        ["J1", dt.datetime(2026, 1, 15), "Sales", None],
        [None, None, None, None],  # a range drawn longer than the table
    ]
    result = udfs.ATTRIBUTE(table, "time_decay")
    assert [row[0] for row in result[1:]] == ["Sales", "Email", "Ads"]
    assert [row[1:] for row in result[1:]] == [
        pytest.approx([400.0, 4 / 7]),
        pytest.approx([200.0, 2 / 7]),
        pytest.approx([100.0, 1 / 7]),
    ]
    serials = [table[0]] + [[r[0], 46023.0 + 7 * i, r[2], r[3]] for i, r in enumerate(table[1:4])]
    assert udfs.ATTRIBUTE(serials, "time_decay", 14)[1][1] == pytest.approx(
        700 * 2 / (1 + 2**0.5 + 2)
    )


@pytest.mark.parametrize(
    ("args", "value", "reason"),
    [
        ((SEED_TOUCHES, "markow"), "#VALUE!", "model is 'markow'"),
        ((SEED_TOUCHES, None), "#VALUE!", "use one of first"),
        ((SEED_TOUCHES, 3.0), "#VALUE!", "use one of"),
        ((SEED_TOUCHES[:1], "linear"), "#VALUE!", "at least one touch row"),
        (
            ([["Journey", None, "Channel"], ["A", 1.0, "x"]], "linear"),
            "#VALUE!",
            "header 1 is blank",
        ),
        (([r[:2] + r[3:] for r in SEED_TOUCHES], "linear"), "#VALUE!", "no 'channel' column"),
        ((SEED_TOUCHES, "time_decay"), "#VALUE!", "time_decay needs a 'time' column"),
        (
            ([*SEED_TOUCHES, ["C", 1.0, "Ads", "MQL", 5.0]], "linear"),
            "#VALUE!",
            "touches stage (row 6) is 'MQL': a stage marker is 'first touch'",
        ),
        (
            ([*SEED_TOUCHES, ["C", 1.0, "Ads", None, -5.0]], "linear"),
            "#NUM!",
            "revenue must be a number ≥ 0",
        ),
        (([*SEED_TOUCHES, ["C", 1.0, "#N/A", None, 5.0]], "linear"), "#N/A", "holds the error"),
        (([*SEED_TOUCHES, ["C", True, "Ads", None, 5.0]], "linear"), "#VALUE!", "TRUE/FALSE"),
        ((SEED_TOUCHES, "time_decay", -1.0), "#NUM!", "half_life_days is -1"),
    ],
)
def test_attribute_errors(args, value, reason):
    spec = get("ATTRIBUTE")
    assert spec(*args) == value
    assert reason in spec.explain(*args)


def test_funnel_probability_equals_the_core_with_seed_0():
    value = udfs.FUNNEL_PROBABILITY([[75_000.0]], SEED_HISTORY, [[9.0]])
    assert value == simulate(75_000, 9, history=SEED_HISTORY, seed=0).probability
    assert 0.5 < value < 0.56
    # Deterministic: the same cell value at every recalculation.
    assert udfs.FUNNEL_PROBABILITY(75_000.0, SEED_HISTORY, 9.0) == value
    other = udfs.FUNNEL_PROBABILITY(75_000.0, SEED_HISTORY, 9.0, 2_000.0, 5.0)
    assert other == simulate(75_000, 9, history=SEED_HISTORY, trials=2_000, seed=5).probability


def test_history_as_a_single_column_is_one_period():
    column = [[c] for c in SEED_HISTORY[0]]
    assert (
        udfs.FUNNEL_PROBABILITY(25_000.0, column, 2.0, 1_000.0)
        == simulate(25_000, 2, history=[SEED_HISTORY[0]], trials=1_000, seed=0).probability
    )


def test_funnel_volume_for_single_and_spilled():
    core = volume_for([0.5, 0.8, 0.9], 9, history=SEED_HISTORY, seed=0)
    assert udfs.FUNNEL_VOLUME_FOR([[0.9]], 9.0, SEED_HISTORY) == core[2]
    assert udfs.FUNNEL_VOLUME_FOR([[0.5, 0.8, 0.9]], 9.0, SEED_HISTORY) == [core.tolist()]
    assert udfs.FUNNEL_VOLUME_FOR([[0.5], [0.8]], 9.0, SEED_HISTORY) == [[core[0]], [core[1]]]
    assert udfs.FUNNEL_VOLUME_FOR("90%", 9.0, SEED_HISTORY) == core[2]


def test_funnel_volume_for_out_of_reach_is_num():
    # 0 customers from 1e16 visits: every trial's rate is about 1e-16, so 5 customers would
    # take more than 1e15 visits, beyond any plan: no volume reaches them.
    assert get("FUNNEL_VOLUME_FOR")(0.5, 5.0, [[1e16, 0.0]], 100.0) == "#NUM!"
    assert get("FUNNEL_PROBABILITY")(1e9, [[1e16, 0.0]], 5.0, 100.0) == 0.0


@pytest.mark.parametrize(
    ("name", "args", "value", "reason"),
    [
        ("FUNNEL_PROBABILITY", (100.0, [[10.0, 20.0]], 1.0), "#NUM!", "more than the 10"),
        (
            "FUNNEL_PROBABILITY",
            (100.0, [[10.0, None], [10.0, 5.0]], 1.0),
            "#VALUE!",
            "history_counts[0, 1] is blank",
        ),
        ("FUNNEL_PROBABILITY", (100.0, [[10.0]], 1.0), "#VALUE!", "at least two stage counts"),
        ("FUNNEL_PROBABILITY", (100.0, [[10.0, 5.0]], 1.0, 0.5), "#NUM!", "trials is 0.5"),
        ("FUNNEL_PROBABILITY", (100.0, [[10.0, 5.0]], 1.0, 10.0, -1.0), "#NUM!", "seed is -1"),
        ("FUNNEL_PROBABILITY", (-1.0, [[10.0, 5.0]], 1.0), "#NUM!", "top_volume is -1"),
        ("FUNNEL_PROBABILITY", ("#REF!", [[10.0, 5.0]], 1.0), "#REF!", "holds the error"),
        ("FUNNEL_PROBABILITY", (100.0, [[10.0, "#N/A"]], 1.0), "#N/A", "holds the error"),
        ("FUNNEL_PROBABILITY", (100.0, [[10.0, 5.0]], "many"), "#VALUE!", "not a number"),
        ("FUNNEL_VOLUME_FOR", (0.0, 1.0, [[10.0, 5.0]]), "#NUM!", "probability[0] is 0"),
        ("FUNNEL_VOLUME_FOR", (None, 1.0, [[10.0, 5.0]]), "#VALUE!", "probability is blank"),
        ("FUNNEL_SENSITIVITY", (100.0, [[0.5, 2.0]]), "#NUM!", "rates[1] is 2"),
        ("FUNNEL_SENSITIVITY", (100.0, [[0.5, None, 0.2]]), "#VALUE!", "rates[1] is blank"),
        ("FUNNEL_SENSITIVITY", (100.0, [[0.5]], 1.0, -1.0), "#NUM!", "step is -1"),
        ("FUNNEL_SENSITIVITY", (100.0, [[0.5]], 1.0, 0.1, "maybe"), "#VALUE!", "absolute is"),
        ("FUNNEL_SENSITIVITY", (100.0, [[0.5]], 1.0, 0.1, "#N/A"), "#N/A", "holds the error"),
    ],
)
def test_simulation_and_sensitivity_errors(name, args, value, reason):
    spec = get(name)
    assert spec(*args) == value
    assert reason in spec.explain(*args)


def test_funnel_sensitivity_spills_the_core_table():
    result = udfs.FUNNEL_SENSITIVITY(75_000.0, [[0.015], [0.2], [0.2], [0.4], [0.95]], 1.1e6)
    core = sensitivity(75_000, [0.015, 0.2, 0.2, 0.4, 0.95], 1.1e6)
    assert result[0] == [
        "Transition",
        "Rate",
        "Improved rate",
        "Customers",
        "Customers change",
        "Revenue change",
    ]
    assert [row[0] for row in result[1:]] == list(core.index)
    np.testing.assert_allclose([row[1:] for row in result[1:]], core.to_numpy(), rtol=0)
    # The 95 % stage, capped at 100 %, ranks last.
    assert result[-1][0] == "Opportunities→Customers"
    assert result[-1][2] == 1.0
    base = float(xf.forward(75_000, [0.015, 0.2, 0.2, 0.4, 0.95])[-1])
    assert result[1][4] == pytest.approx(base * 0.1)
    assert udfs.FUNNEL_SENSITIVITY(100.0, [[0.5]], None, 0.2)[1][2] == 0.6


def test_funnel_sensitivity_in_rate_points():
    rates = [[0.015], [0.2], [0.2], [0.4], [0.5]]
    result = udfs.FUNNEL_SENSITIVITY(75_000.0, rates, 1.1e6, 0.01, True)
    core = sensitivity(75_000, [0.015, 0.2, 0.2, 0.4, 0.5], 1.1e6, 0.01, absolute=True)
    assert [row[0] for row in result[1:]] == list(core.index)
    np.testing.assert_allclose([row[1:] for row in result[1:]], core.to_numpy(), rtol=0)
    # One point on the 1.5 % stage is two thirds more customers: 9 → 15, $6.6M.
    assert result[1][:3] == ["Visits→Leads", 0.015, 0.025]
    assert result[1][4:] == pytest.approx([6.0, 6.6e6])
    # C × 0.01 / r for the others: 0.45, 0.45, 0.225, 0.18 customers.
    assert [row[4] for row in result[2:]] == pytest.approx([0.45, 0.45, 0.225, 0.18])
    # FALSE, 0, "FALSE" and a blank all mean relative.
    relative = udfs.FUNNEL_SENSITIVITY(75_000.0, rates, 1.1e6, 0.01)
    for off in (False, 0.0, "FALSE", None):
        assert udfs.FUNNEL_SENSITIVITY(75_000.0, rates, 1.1e6, 0.01, off) == relative
    assert udfs.FUNNEL_SENSITIVITY(75_000.0, rates, 1.1e6, 0.01, "true") == result
    # A step of -1 is fine in points (every rate to 0 at most), not relatively.
    assert udfs.FUNNEL_SENSITIVITY(100.0, [[0.5]], 1.0, -1.0, True)[1][2] == 0.0


def test_every_example_computes_a_value():
    for name in NAMES:
        spec = get(name)
        for example in spec.examples:
            result = spec(*example.args)
            cells = [c for row in result for c in row] if isinstance(result, list) else [result]
            assert not any(isinstance(c, str) and c.startswith("#") for c in cells), example
