"""Bottleneck diagnosis (seed 001): which transition falls short, and the advice for it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xl_funnel as xf
from xl_funnel.diagnosis import (
    NO_DATA_MESSAGE,
    ON_PLAN_MESSAGE,
    comparable_ratio,
    default_stage_names,
    transition_message,
)
from xl_funnel.errors import ShapeMismatchError

PLAN = [0.015, 0.2, 0.2, 0.4, 0.5]


def test_gap_values():
    gap = xf.funnel_gap([10_000, 100, 30, 6, 3, 1], PLAN)
    np.testing.assert_allclose(gap.actual, [0.01, 0.3, 0.2, 0.5, 1 / 3])
    np.testing.assert_allclose(gap.plan, PLAN)
    np.testing.assert_allclose(gap.ratio, [2 / 3, 1.5, 1.0, 1.25, 2 / 3])


def test_float_noise_neither_breaks_ties_nor_misses_plan():
    # 1/0.015 and 1/0.5 differ in the 16th digit: still a tie, the top-most wins.
    assert xf.bottleneck([10_000, 100, 30, 6, 3, 1], PLAN) == 0


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (
            [10_000, 100, 20, 4, 1.6, 0.8],
            "Visits→Leads is furthest behind: work on conversion-rate optimisation: calls to "
            "action, landing pages and forms.",
        ),
        (
            [6000, 90, 12, 3, 1.2, 0.6],
            "Leads→MQLs is furthest behind: review form qualification questions and lead sources.",
        ),
        (
            [6000, 90, 18, 2, 0.8, 0.4],
            "MQLs→SQLs is furthest behind: nurture MQLs with email and lead scoring.",
        ),
        (
            [6000, 90, 18, 3.6, 1, 0.5],
            "SQLs→Opportunities is furthest behind: remove friction in the hand-off to sales "
            "and sharpen the offer.",
        ),
        (
            [6000, 90, 18, 3.6, 1.44, 0.5],
            "Opportunities→Customers is furthest behind: review proposals, pricing and sales "
            "follow-up.",
        ),
        ([6000, 90, 18, 3.6, 1.44, 0.72], ON_PLAN_MESSAGE),
        ([0, 0, 0, 0, 0, 0], NO_DATA_MESSAGE),
    ],
)
def test_seed_001_advice_for_each_stage(counts, expected):
    assert xf.bottleneck_message(counts, PLAN) == expected


def test_undefined_transitions_are_skipped():
    # No SQLs yet: SQL→opportunity is undefined, not the bottleneck.
    assert xf.bottleneck([6000, 90, 18, 0, 0, 0], PLAN) == 2
    assert xf.bottleneck([0, 0, 0], [0.5, 0.5]) == -1


def test_custom_stage_names_and_fallback_advice():
    message = xf.bottleneck_message([100, 10, 1], [0.5, 0.5], ["Trials", "Activated", "Paid"])
    assert message == "Trials→Activated is furthest behind: look at what moves Trials to Activated."
    assert default_stage_names(4) == ("Stage 1", "Stage 2", "Stage 3", "Stage 4")


def test_mismatched_lengths():
    with pytest.raises(ShapeMismatchError, match="plan_rates has 2 rates for 4 stages"):
        xf.funnel_gap([1, 2, 3, 4], [0.5, 0.5])
    with pytest.raises(ShapeMismatchError, match="stage_names has 2 names for 3 stages"):
        xf.bottleneck_message([100, 10, 1], [0.5, 0.5], ["a", "b"])


def test_vectorised_over_quarters():
    quarters = np.array([[6000, 90, 12, 3, 1.2, 0.6], [10_000, 100, 20, 4, 1.6, 0.8]])
    np.testing.assert_array_equal(xf.bottleneck(quarters, PLAN), [1, 0])


@given(st.lists(st.floats(1, 1e6), min_size=3, max_size=7))
def test_message_names_the_lowest_ratio(counts):
    plan = [0.5] * (len(counts) - 1)
    ratio = comparable_ratio(xf.funnel_gap(counts, plan).ratio)
    index = xf.bottleneck(counts, plan)
    assert ratio[index] == ratio.min()
    assert np.all(ratio[:index] > ratio[index])
    names = default_stage_names(len(counts))
    message = xf.bottleneck_message(counts, plan)
    if ratio.min() < 1:
        assert message == transition_message(names[index], names[index + 1])
    else:
        assert message == ON_PLAN_MESSAGE


@pytest.mark.parametrize(
    ("to_stage", "expected"),
    [
        ("Leads", "work on conversion-rate optimisation: calls to action, landing pages and forms"),
        ("Marketing Qualified Leads", "review form qualification questions and lead sources"),
        ("Qualified leads", "review form qualification questions and lead sources"),
        ("Sales Qualified Leads", "nurture MQLs with email and lead scoring"),
        ("Sales accepted leads", "nurture MQLs with email and lead scoring"),
        ("Demos", "remove friction in the hand-off to sales and sharpen the offer"),
        ("Closed-won deals", "review proposals, pricing and sales follow-up"),
    ],
)
def test_specific_stage_names_win_over_the_word_lead(to_stage, expected):
    assert xf.advice("Previous stage", to_stage) == expected
