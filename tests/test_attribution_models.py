"""The new models by hand, and the data-driven ones on published worked examples.

Every case runs on each engine (in memory, DuckDB, Spark local mode) and must give the same
numbers; the credit always adds up to the revenue.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from tests.attribution_engines import engine, spark  # noqa: F401  (fixtures)
from xl_funnel.attribution import attribute, touch_credit
from xl_funnel.attribution.markov import removal_effects, transition_counts
from xl_funnel.attribution.shapley import coalition_worth, journey_credit, shapley_values
from xl_funnel.errors import InvalidAmountError, ShapeMismatchError


def paths(*journeys) -> pd.DataFrame:
    """Touches from (channels, revenue) pairs: journey J<i>, touches in the order given."""
    rows = [
        {"journey": f"J{i}", "order": k + 1, "channel": channel, "revenue": revenue}
        for i, (channels, revenue) in enumerate(journeys)
        for k, channel in enumerate(channels)
    ]
    return pd.DataFrame(rows)


def credit(frame, model, engine):  # noqa: F811  (the fixture's value)
    table = attribute(frame, model, engine=engine)
    assert table["revenue"].sum() == pytest.approx(
        frame.groupby("journey")["revenue"].max().sum(), rel=1e-12
    )
    return table["revenue"].to_dict()


# Ads (first touch) → SEO → Webinar (lead created) → Email → Sales (opportunity created)
FIVE = pd.DataFrame(
    {
        "journey": ["A"] * 5,
        "time": [0.0, 7.0, 14.0, 21.0, 28.0],
        "channel": ["Ads", "SEO", "Webinar", "Email", "Sales"],
        "stage": ["first touch", "", "lead created", "", "opportunity created"],
        "revenue": [10_000.0] * 5,
    }
)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # 22.5 % each to first, lead created, opportunity created and the last (deal-closed)
        # touch; Sales is both of the last two. 10 % over SEO and Email.
        ("full_path", [2_250, 500, 2_250, 500, 4_500]),
        # 20 % first, 60 % last, 20 % over the three between.
        ("j_shaped", [2_000, 2_000 / 3, 2_000 / 3, 2_000 / 3, 6_000]),
        ("inverse_j", [6_000, 2_000 / 3, 2_000 / 3, 2_000 / 3, 2_000]),
    ],
)
def test_new_position_models_by_hand(model, expected, engine):  # noqa: F811
    np.testing.assert_allclose(touch_credit(FIVE, model).to_numpy(), expected, rtol=1e-12)
    by_channel = credit(FIVE, model, engine)
    np.testing.assert_allclose([by_channel[c] for c in FIVE["channel"]], expected, rtol=1e-12)


def test_new_position_models_on_short_journeys():
    two = FIVE.iloc[[0, 4]].drop(columns="stage")
    # Nothing left for the rest: the role shares scale to 1. J: 20/60 → 25/75 %.
    np.testing.assert_allclose(touch_credit(two, "j_shaped"), [2_500, 7_500])
    np.testing.assert_allclose(touch_credit(two, "inverse_j"), [7_500, 2_500])
    # Z without markers: lead, opportunity and closed all fall on the last touch.
    four = FIVE.iloc[[0, 1, 3, 4]].drop(columns="stage")
    np.testing.assert_allclose(touch_credit(four, "z-shaped"), [2_250, 500, 500, 6_750])
    one = FIVE.iloc[[2]]
    for model in ("full_path", "j_shaped", "inverse_j"):
        assert touch_credit(one, model).tolist() == [10_000.0]


# Sergey Bryl, "Marketing Multi-Channel Attribution model with R (part 1: Markov chain
# concept)", analyzecore.com, 2016-08-03: C1 > C2 > C3 converts (worth 1,000), C1 and
# C2 > C3 do not. Removal effects 0.5, 1, 1; attribution 0.2 / 0.4 / 0.4 of the conversion,
# 200 / 400 / 400 of its value (also the test values of the markovattribution package,
# JesseCastro/markovattribution test/test.js).
BRYL = paths((["C1", "C2", "C3"], 1_000.0), (["C1"], 0.0), (["C2", "C3"], 0.0))


def test_markov_reproduces_the_published_example(engine):  # noqa: F811
    assert credit(BRYL, "markov", engine) == pytest.approx(
        {"C1": 200.0, "C2": 400.0, "C3": 400.0}, rel=1e-12
    )


def test_markov_removal_effects_and_counts_by_hand():
    # Touches sorted by journey: C1 C2 C3 | C1 | C2 C3.
    counts = transition_counts(
        np.array([0, 1, 2, 0, 1, 2]),
        np.array([0, 3, 4]),
        np.array([2, 3, 5]),
        np.array([True, False, False]),
        3,
    )
    # Rows (start), C1, C2, C3; columns C1, C2, C3, (conversion), (null).
    assert counts.tolist() == [
        [2, 1, 0, 0, 0],
        [0, 1, 0, 0, 1],
        [0, 0, 2, 0, 0],
        [0, 0, 0, 1, 1],
    ]
    np.testing.assert_allclose(removal_effects(counts), [0.5, 1.0, 1.0], rtol=1e-12)


def test_markov_by_hand_with_a_loop_back(engine):  # noqa: F811
    # A > B > A converts 300, B alone does not. Transitions: start→A 1/2, start→B 1/2;
    # A→B 1/2, A→conv 1/2; B→A 1/2, B→null 1/2. p_A = 1/2 + p_B/2, p_B = p_A/2, so
    # p_A = 2/3, p_B = 1/3 and p = (2/3 + 1/3)/2 = 1/2. Without A: 0 (effect 1); without B:
    # 1/2 · 1/2 = 1/4 (effect 1/2). Shares 2/3 and 1/3 of 300.
    frame = paths((["A", "B", "A"], 300.0), (["B"], 0.0))
    assert credit(frame, "markov", engine) == pytest.approx({"A": 200.0, "B": 100.0}, rel=1e-12)


def test_markov_repeats_of_a_channel_change_nothing():
    # A first-order chain's self-loops do not change where a walk ends.
    plain = paths((["A", "B"], 100.0), (["B", "C"], 0.0), (["A", "C"], 50.0))
    repeated = paths((["A", "A", "B"], 100.0), (["B", "C", "C", "C"], 0.0), (["A", "C"], 50.0))
    pd.testing.assert_frame_equal(attribute(plain, "markov"), attribute(repeated, "markov"))


def test_markov_without_revenue_counts_conversions(engine):  # noqa: F811
    # Every journey converts: A > B twice, B once. p = 1; without A: 1/3; without B: 0.
    frame = paths((["A", "B"], 1.0), (["A", "B"], 1.0), (["B"], 1.0)).drop(columns="revenue")
    table = attribute(frame, "markov", engine=engine)
    # Effects 2/3 and 1: shares 0.4 and 0.6 of 3 conversions.
    assert table["revenue"].to_dict() == pytest.approx({"B": 1.8, "A": 1.2}, rel=1e-12)


# The worked example of the "Data Driven Attribution using Shapley value" notebook
# (tomgorb/misc, Data Driven Attribution.ipynb, after the Towards Data Science article
# "Data-driven marketing attribution"): 100 conversions over Facebook (F), Organic (O) and
# LinkedIn (L): 20 F, 10 O, 17 L, 17 F+O, 30 F+L, 0 L+O, 6 F+L+O. Its worths are 0.2, 0.1,
# 0.17, 0.47, 0.67, 0.27 and 1.0 (as shares of the conversions) and its Shapley values
# F 0.455, O 0.205, L 0.34.
SETS = {("F",): 20, ("O",): 10, ("L",): 17, ("F", "O"): 17, ("F", "L"): 30, ("F", "L", "O"): 6}
NOTEBOOK = paths(*[(list(channels), 1.0) for channels, n in SETS.items() for _ in range(n)])


def test_shapley_reproduces_the_published_example(engine):  # noqa: F811
    assert credit(NOTEBOOK, "shapley", engine) == pytest.approx(
        {"F": 45.5, "O": 20.5, "L": 34.0}, rel=1e-12
    )


def test_shapley_worth_and_values_of_the_published_example():
    # Bits: F = 1, O = 2, L = 4.
    by_set = [0, 20, 10, 17, 17, 30, 0, 6]
    worth = coalition_worth(by_set) / 100
    np.testing.assert_allclose(worth, [0, 0.2, 0.1, 0.47, 0.17, 0.67, 0.27, 1.0], rtol=1e-12)
    np.testing.assert_allclose(shapley_values(worth), [0.455, 0.205, 0.34], rtol=1e-12)


def brute_force_shapley(worth: dict[frozenset, float], players: list[str]) -> dict[str, float]:
    """The definition: marginal contributions averaged over every order of the players."""
    totals = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        joined: frozenset = frozenset()
        for player in order:
            totals[player] += worth[joined | {player}] - worth[joined]
            joined = joined | {player}
    return {p: v / len(orders) for p, v in totals.items()}


def test_shapley_values_match_the_permutation_definition():
    rng = np.random.default_rng(5)
    players = list("ABCDE")
    masks = range(2 ** len(players))
    worth = rng.uniform(0, 100, len(masks))
    worth[0] = 0.0
    as_sets = {frozenset(p for i, p in enumerate(players) if m >> i & 1): worth[m] for m in masks}
    expected = brute_force_shapley(as_sets, players)
    np.testing.assert_allclose(shapley_values(worth), [expected[p] for p in players], rtol=1e-12)


def test_shapley_is_exact_over_fifteen_channels(engine):  # noqa: F811
    # 15 channels: the reference enumerates all 32,768 coalitions; each journey's revenue
    # split evenly over its distinct channels must come out (Zhao et al.'s simplification),
    # and DuckDB and Spark compute that form directly.
    rng = np.random.default_rng(11)
    names = [f"C{i:02d}" for i in range(15)]
    journeys = [
        (list(rng.choice(names, rng.integers(1, 8))), float(rng.integers(0, 5) * 100))
        for _ in range(300)
    ]
    frame = paths(*journeys)
    expected = dict.fromkeys(names, 0.0)
    for channels, revenue in journeys:
        for channel in set(channels):
            expected[channel] += revenue / len(set(channels))
    assert credit(frame, "shapley", engine) == pytest.approx(expected, rel=1e-9)


def test_shapley_coalitions_equal_the_closed_form_beyond_the_limit():
    rng = np.random.default_rng(2)
    channel = rng.integers(0, 12, 400)
    journey = np.sort(rng.integers(0, 80, 400))
    revenue = rng.integers(0, 10, 80) * 10.0
    exact = journey_credit(channel, journey, revenue, 12)
    # Padding to 25 channels (13 never touched) switches to the closed form.
    closed = journey_credit(channel, journey, revenue, 25)[:12]
    np.testing.assert_allclose(exact, closed, rtol=1e-12)
    assert math.isclose(exact.sum(), revenue[np.unique(journey)].sum(), rel_tol=1e-12)


def test_shapley_values_need_two_to_the_n_worths():
    with pytest.raises(ShapeMismatchError, match="worth has 3 entries"):
        shapley_values([0.0, 1.0, 2.0])


def test_revenue_from_a_conversions_table(engine):  # noqa: F811
    # The touch log carries no revenue (or a stale one, ignored); the deals table has two
    # deals for J0 (600 + 400) and none for J1 and J2, which therefore did not convert.
    touches = BRYL.assign(revenue=5.0)
    deals = pd.DataFrame({"Journey_Id": [" J0", "J0"], "Revenue": [600, 400]})
    table = attribute(touches, "markov", engine=engine, conversions=deals)
    assert table["revenue"].to_dict() == pytest.approx(
        {"C1": 200.0, "C2": 400.0, "C3": 400.0}, rel=1e-12
    )
    # Numeric journeys in the touches match their text in the deals table.
    numbered = BRYL.drop(columns="revenue").assign(
        journey=lambda f: f["journey"].str[1:].astype(int)
    )
    deals = pd.DataFrame({"journey": ["0"], "revenue": [1_000.0]})
    table = attribute(numbered, "linear", engine=engine, conversions=deals)
    assert table["revenue"].to_dict() == pytest.approx(
        {"C1": 1000 / 3, "C2": 1000 / 3, "C3": 1000 / 3}
    )


def test_conversions_table_errors():
    with pytest.raises(ShapeMismatchError, match="conversions has no 'revenue' column"):
        attribute(BRYL, "linear", conversions=pd.DataFrame({"journey": ["J0"]}))
    with pytest.raises(InvalidAmountError, match=r"conversions revenue \(row 2\) is 'x'"):
        attribute(
            BRYL, "linear", conversions=pd.DataFrame({"journey": ["J0", "J1"], "revenue": [1, "x"]})
        )
