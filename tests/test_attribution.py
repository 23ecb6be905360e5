"""Multi-touch attribution: hand-computed journeys for every model, and credit conservation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_funnel.attribution import DATA_DRIVEN, MODELS, attribute, touch_credit
from xl_funnel.channels import channel_metrics
from xl_funnel.errors import InvalidAmountError, InvalidChoiceError, ShapeMismatchError


def journey(channels, stages=None, revenue=10_000.0, name="A", times=None):
    """One journey's touches in time order (days 0, 7, 14, … unless given)."""
    count = len(channels)
    frame = pd.DataFrame(
        {
            "journey": [name] * count,
            "time": times if times is not None else [7.0 * i for i in range(count)],
            "channel": channels,
            "revenue": [revenue] * count,
        }
    )
    if stages is not None:
        frame["stage"] = stages
    return frame


# Ads (first touch) → SEO → Webinar (lead created) → Email → Sales (opportunity created)
FIVE = journey(
    ["Ads", "SEO", "Webinar", "Email", "Sales"],
    ["first touch", "", "lead created", "", "opportunity created"],
)


#: The rule-based models: they credit every touch (the data-driven ones credit channels).
RULES = tuple(model for model in MODELS if model not in DATA_DRIVEN)


def credit_of(frame, model, **kwargs):
    return touch_credit(frame, model, **kwargs).to_numpy()


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("first", [10_000, 0, 0, 0, 0]),
        ("last", [0, 0, 0, 0, 10_000]),
        ("linear", [2_000] * 5),
        # 40 % first, 40 % lead created, 20 % over the three others.
        ("u_shaped", [4_000, 2_000 / 3, 4_000, 2_000 / 3, 2_000 / 3]),
        # 30 % each to first, lead created, opportunity created; 10 % over the two others.
        ("w_shaped", [3_000, 500, 3_000, 500, 3_000]),
        # Weekly touches, half-life 7 days: weights 1/16, 1/8, 1/4, 1/2, 1 (sum 31/16).
        ("time_decay", [10_000 / 31 * w for w in (1, 2, 4, 8, 16)]),
    ],
)
def test_five_touch_journey_by_hand(model, expected):
    np.testing.assert_allclose(credit_of(FIVE, model), expected, rtol=1e-12)


def test_channel_table_sums_journeys_and_ranks_by_credit():
    other = journey(["Email", "Sales"], ["lead created", "opportunity created"], 2_000.0, "B")
    table = attribute(pd.concat([FIVE, other], ignore_index=True), "w_shaped")
    # B: Email is first touch and lead created (60 %), Sales opportunity created (30 %);
    # no touch is left for the 10 %, so the shares scale to 2/3 and 1/3.
    assert table["revenue"].to_dict() == pytest.approx(
        {
            "Sales": 3_000 + 2_000 / 3,
            "Ads": 3_000,
            "Webinar": 3_000,
            "Email": 500 + 4_000 / 3,
            "SEO": 500,
        }
    )
    assert list(table.index) == ["Sales", "Ads", "Webinar", "Email", "SEO"]
    assert table.index.name == "channel"
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["share"]["Ads"] == pytest.approx(3_000 / 12_000)


@pytest.mark.parametrize("model", RULES)
def test_one_touch_journey_gets_everything(model):
    np.testing.assert_array_equal(credit_of(journey(["Ads"], revenue=500.0), model), [500.0])


def test_two_touches_split_evenly_in_u_and_w_shaped():
    two = journey(["Ads", "Email"])
    np.testing.assert_allclose(credit_of(two, "u_shaped"), [5_000, 5_000])
    # W-shaped without markers: lead and opportunity created both fall on the last touch.
    np.testing.assert_allclose(credit_of(two, "w_shaped"), [10_000 / 3, 20_000 / 3])
    marked = journey(["Ads", "Email"], ["lead created", "opportunity created"])
    np.testing.assert_allclose(credit_of(marked, "w_shaped"), [20_000 / 3, 10_000 / 3])


def test_three_touches_with_every_w_role_get_a_third_each():
    three = journey(["Ads", "Webinar", "Sales"], ["", "lead created", "opportunity created"])
    np.testing.assert_allclose(credit_of(three, "w_shaped"), [10_000 / 3] * 3)


def test_lead_created_on_the_first_touch_holds_both_shares():
    # 40 + 40 % on the first touch, the 20 % over the other two.
    three = journey(["Ads", "Email", "Sales"], ["lead created", "", ""])
    np.testing.assert_allclose(credit_of(three, "u_shaped"), [8_000, 1_000, 1_000])


def test_without_stage_markers_u_is_position_based_and_w_puts_both_late_roles_last():
    three = journey(["Ads", "Email", "Sales"])
    np.testing.assert_allclose(credit_of(three, "u_shaped"), [4_000, 2_000, 4_000])
    four = journey(["Ads", "SEO", "Email", "Sales"])
    np.testing.assert_allclose(credit_of(four, "w_shaped"), [3_000, 500, 500, 6_000])


def test_first_touch_marker_overrides_the_earliest_touch():
    frame = journey(["Retargeting", "Ads", "Sales"], ["", "first touch", ""])
    np.testing.assert_allclose(credit_of(frame, "first"), [0, 10_000, 0])


def test_repeated_marker_uses_the_earliest_marked_touch():
    frame = journey(["Ads", "Webinar", "Email", "Sales"], ["", "lead", "lead", ""])
    np.testing.assert_allclose(credit_of(frame, "u_shaped"), [4_000, 4_000, 1_000, 1_000])


def test_rows_in_any_order_give_the_same_credit():
    other = journey(["SEO", "Email", "Sales"], ["", "lead created", ""], 3_000.0, "B")
    frame = pd.concat([FIVE, other], ignore_index=True)
    shuffled = frame.sample(frac=1.0, random_state=3)
    for model in RULES:
        expected = touch_credit(frame, model)
        got = touch_credit(shuffled, model)
        pd.testing.assert_series_equal(got.sort_index(), expected, rtol=1e-12)


def test_equal_times_keep_table_order():
    frame = journey(["Ads", "Email", "Sales"], times=[3.0, 3.0, 3.0])
    np.testing.assert_array_equal(credit_of(frame, "first"), [10_000, 0, 0])
    np.testing.assert_array_equal(credit_of(frame, "last"), [0, 0, 10_000])


def test_order_column_instead_of_time():
    frame = FIVE.drop(columns=["time", "stage"]).assign(order=[5, 4, 3, 2, 1])
    np.testing.assert_array_equal(credit_of(frame, "first"), [0, 0, 0, 0, 10_000])


def test_dates_and_date_strings_are_read_as_days():
    dates = pd.to_datetime(["2026-01-01", "2026-01-08", "2026-01-15"])
    frame = journey(["Ads", "Email", "Sales"], revenue=700.0, times=dates)
    np.testing.assert_allclose(credit_of(frame, "time_decay"), [100, 200, 400])
    as_text = frame.assign(time=["2026-01-01", "2026-01-08", "2026-01-15"])
    np.testing.assert_allclose(credit_of(as_text, "time_decay"), [100, 200, 400])
    np.testing.assert_allclose(
        credit_of(frame, "time_decay", half_life_days=14),
        700 * np.array([1, 2**0.5, 2]) / (1 + 2**0.5 + 2),
    )


def test_columns_match_case_insensitively_and_model_names_loosely():
    frame = FIVE.rename(columns=str.upper).rename(columns={"TIME": " Time "})
    np.testing.assert_allclose(credit_of(frame, "W-Shaped"), credit_of(FIVE, "w_shaped"))
    np.testing.assert_allclose(credit_of(frame, "time decay"), credit_of(FIVE, "time_decay"))


def test_revenue_on_one_row_and_missing_revenue_column():
    frame = FIVE.assign(revenue=[None, None, None, None, 10_000.0])
    np.testing.assert_allclose(credit_of(frame, "linear"), [2_000] * 5)
    counts = attribute(FIVE.drop(columns="revenue"), "linear")
    assert counts["revenue"].sum() == pytest.approx(1.0)
    lost = journey(["Ads", "Email"], revenue=None, name="lost")
    table = attribute(pd.concat([FIVE, lost], ignore_index=True), "first")
    assert table.loc["Ads", "revenue"] == 10_000.0


def test_empty_table_gives_an_empty_table():
    table = attribute(FIVE.iloc[:0], "linear")
    assert table.empty
    assert list(table.columns) == ["revenue", "share"]


def test_no_revenue_at_all_gives_undefined_shares():
    table = attribute(FIVE.assign(revenue=0.0), "linear")
    assert table["revenue"].tolist() == [0.0] * 5
    assert table["share"].isna().all()


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda f: f.drop(columns="channel"), ShapeMismatchError, "no 'channel' column"),
        (lambda f: f.drop(columns="journey"), ShapeMismatchError, "no 'journey' column"),
        (lambda f: f.drop(columns="time"), ShapeMismatchError, "no 'time' or 'order'"),
        (
            lambda f: f.assign(channel=["Ads", " ", "W", "E", "S"]),
            InvalidAmountError,
            r"channel \(row 2\) is blank",
        ),
        (
            lambda f: f.assign(journey=["A", None, "A", "A", "A"]),
            InvalidAmountError,
            r"journey \(row 2\) is blank",
        ),
        (
            lambda f: f.assign(stage=["", "MQL", "", "", ""]),
            InvalidChoiceError,
            r"stage \(row 2\) is 'MQL'",
        ),
        (
            lambda f: f.assign(revenue=[1.0, 1.0, -1.0, 1.0, 1.0]),
            InvalidAmountError,
            r"revenue \(row 3\) is -1: revenue must be a number ≥ 0",
        ),
        (
            lambda f: f.assign(revenue=["1", "1", "x", "1", "1"]),
            InvalidAmountError,
            r"revenue \(row 3\) is 'x'",
        ),
        (
            lambda f: f.assign(revenue=[1.0, 1.0, 2.0, 1.0, 1.0]),
            InvalidAmountError,
            "revenue of journey 'A' differs between its touches \\(1 and 2\\)",
        ),
        (
            lambda f: f.assign(time=[0.0, np.nan, 1.0, 2.0, 3.0]),
            InvalidAmountError,
            r"time \(row 2\) is nan",
        ),
        (
            lambda f: f.assign(time=["monday", "x", "y", "z", "w"]),
            InvalidAmountError,
            "time must hold dates or numbers",
        ),
    ],
)
def test_bad_tables_are_named(change, error, message):
    with pytest.raises(error, match=message):
        attribute(change(FIVE), "linear")


def test_bad_model_and_half_life():
    with pytest.raises(InvalidChoiceError, match="model is 'markow': choose one of first"):
        attribute(FIVE, "markow")
    with pytest.raises(InvalidChoiceError, match=r"markov credits channels .* not single touches"):
        touch_credit(FIVE, "markov")
    with pytest.raises(InvalidAmountError, match="half_life_days is 0: a half-life must be"):
        attribute(FIVE, "time_decay", half_life_days=0)
    with pytest.raises(ShapeMismatchError, match="time_decay needs a 'time' column"):
        attribute(FIVE.drop(columns="time").assign(order=range(5)), "time_decay")


# --- an independent, loop-per-journey reference ------------------------------------------


def reference_credit(frame: pd.DataFrame, model: str, half_life: float = 7.0) -> pd.Series:
    """The models written out the slow, obvious way, one journey at a time."""
    out = pd.Series(0.0, index=frame.index)
    for _, touches in frame.groupby("journey", sort=False):
        touches = touches.sort_values("time", kind="stable")
        index = list(touches.index)
        revenue = touches["revenue"].max()
        stages = list(touches.get("stage", pd.Series("", index=touches.index)))
        weights = dict.fromkeys(index, 0.0)

        def holder(marker, default, index=index, stages=stages):
            marked = [i for i, s in zip(index, stages, strict=True) if s == marker]
            return marked[0] if marked else default

        if model == "linear":
            weights = dict.fromkeys(index, 1 / len(index))
        elif model == "time_decay":
            end = touches["time"].iloc[-1]
            weights = {i: 2 ** (-(end - t) / half_life) for i, t in touches["time"].items()}
        elif model == "last":
            weights[index[-1]] = 1.0
        else:
            # "last" is never marked: the holder is always the last touch.
            shares = {
                "first": {"first touch": 1.0},
                "u_shaped": {"first touch": 0.4, "lead created": 0.4},
                "w_shaped": {"first touch": 0.3, "lead created": 0.3, "opportunity created": 0.3},
                "full_path": {
                    "first touch": 0.225,
                    "lead created": 0.225,
                    "opportunity created": 0.225,
                    "last": 0.225,
                },
                "j_shaped": {"first touch": 0.2, "last": 0.6},
                "inverse_j": {"first touch": 0.6, "last": 0.2},
            }[model]
            rest_share = {
                "first": 0.0,
                "u_shaped": 0.2,
                "w_shaped": 0.1,
                "full_path": 0.1,
                "j_shaped": 0.2,
                "inverse_j": 0.2,
            }[model]
            holders = set()
            for marker, share in shares.items():
                who = holder(marker, index[0] if marker == "first touch" else index[-1])
                weights[who] += share
                holders.add(who)
            rest = [i for i in index if i not in holders]
            for i in rest:
                weights[i] += rest_share / len(rest)
        total = sum(weights.values())
        for i, w in weights.items():
            out[i] = revenue * w / total
    return out


journeys_st = st.lists(
    st.tuples(
        st.lists(
            st.tuples(
                st.sampled_from(["Ads", "SEO", "Email", "Webinar", "Sales"]),
                st.sampled_from(["", "", "", "first touch", "lead created", "opportunity created"]),
                st.integers(0, 60),
            ),
            min_size=1,
            max_size=7,
        ),
        st.floats(0, 1e9, allow_nan=False, allow_infinity=False, allow_subnormal=False),
    ),
    min_size=1,
    max_size=6,
)


def frame_of(journeys) -> pd.DataFrame:
    rows = [
        {"journey": f"J{j}", "time": float(day), "channel": ch, "stage": stage, "revenue": rev}
        for j, (touches, rev) in enumerate(journeys)
        for ch, stage, day in touches
    ]
    return pd.DataFrame(rows)


@settings(max_examples=150, deadline=None)
@given(journeys=journeys_st, model=st.sampled_from(RULES), half_life=st.floats(0.5, 60))
def test_credit_is_conserved_and_matches_the_reference(journeys, model, half_life):
    frame = frame_of(journeys)
    credit = touch_credit(frame, model, half_life_days=half_life)
    assert (credit >= 0).all()
    per_journey = credit.groupby(frame["journey"]).sum()
    revenue = frame.groupby("journey")["revenue"].max()
    np.testing.assert_allclose(per_journey, revenue, rtol=1e-9, atol=1e-300)
    table = attribute(frame, model, half_life_days=half_life)
    assert table["revenue"].sum() == pytest.approx(revenue.sum(), rel=1e-9, abs=1e-300)
    np.testing.assert_allclose(
        credit, reference_credit(frame, model, half_life), rtol=1e-9, atol=1e-6
    )


def test_large_linear_equals_plain_pandas_groupby():
    rng = np.random.default_rng(1)
    n = 20_000
    frame = pd.DataFrame(
        {
            "journey": rng.integers(0, 3_000, n),
            "time": rng.uniform(0, 90, n),
            "channel": rng.choice(["Ads", "SEO", "Email", "Events"], n),
        }
    )
    frame["revenue"] = (frame["journey"] % 5) * 1_000.0
    share = 1 / frame.groupby("journey")["channel"].transform("size")
    plain = (share * frame["revenue"]).groupby(frame["channel"]).sum()
    ours = attribute(frame, "linear")["revenue"]
    pd.testing.assert_series_equal(
        ours.sort_index(), plain.sort_index(), check_names=False, rtol=1e-12
    )


# --- channel_metrics with attributed revenue ---------------------------------------------


def test_channel_metrics_takes_attributed_revenue():
    spend = pd.DataFrame(
        {
            "Channel": ["Ads", "SEO", "Webinar", "Email", "Sales"],
            "Spend": [2_000.0, 500.0, 1_000.0, 100.0, 0.0],
            "Leads": [10, 5, 4, 2, 0],
            "MQLs": [3, 2, 2, 1, 0],
            "Customers": [1, 0, 1, 0, 1],
            "Revenue": [99.0, 99.0, 99.0, 99.0, 99.0],
        }
    )
    credited = attribute(FIVE, "w_shaped")["revenue"]
    result = channel_metrics(spend, revenue=credited)
    assert result["Revenue"].tolist() == [3_000.0, 500.0, 3_000.0, 500.0, 3_000.0]
    assert result["roi"].tolist()[:4] == pytest.approx([0.5, 0.0, 2.0, 4.0])
    assert np.isnan(result["roi"].iloc[4])
    # Without a revenue column, by index, channels the mapping omits get 0.
    by_index = spend.drop(columns=["Revenue", "Channel"]).set_axis(spend["Channel"])
    result = channel_metrics(by_index, revenue={"Ads": 4_000, "Webinar": 6_000})
    assert result["revenue"].tolist() == [4_000.0, 0.0, 6_000.0, 0.0, 0.0]
    assert result["roas"].tolist()[:2] == [2.0, 0.0]


def test_channel_metrics_rejects_unknown_or_duplicate_channels():
    table = pd.DataFrame(
        {"spend": [1.0, 1.0], "leads": [1, 1], "mqls": [1, 1], "customers": [1, 1]},
        index=["Ads", "SEO"],
    )
    with pytest.raises(ShapeMismatchError, match="credits channel 'Events', which the table"):
        channel_metrics(table, revenue={"Events": 5.0})
    with pytest.raises(ShapeMismatchError, match="lists channel 'Ads' twice"):
        channel_metrics(table.set_axis(["Ads", "Ads"]), revenue={"Ads": 5.0})
    with pytest.raises(InvalidAmountError, match="revenue"):
        channel_metrics(table, revenue={"Ads": -5.0})
    with pytest.raises(ShapeMismatchError, match="no column 'revenue'"):
        channel_metrics(table)
