"""DuckDB and Spark give the in-memory reference's credit: 100,000 touches, every model.

Also: files read where they live (Parquet, CSV), the same error messages on every engine, and
credit conserved exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.attribution_engines import engine, generated_touches, spark  # noqa: F401
from tests.test_attribution import frame_of, journeys_st
from xl_funnel.attribution import MODELS, attribute
from xl_funnel.errors import InvalidAmountError, InvalidChoiceError, ShapeMismatchError


@pytest.fixture(scope="module")
def touches():
    return generated_touches(100_000, seed=1)


@pytest.fixture(scope="module")
def parquet(touches, tmp_path_factory):
    path = tmp_path_factory.mktemp("touches") / "touches.parquet"
    touches.to_parquet(path)
    return path


@pytest.fixture(scope="module")
def reference(touches):
    return {model: attribute(touches, model, half_life_days=10.0) for model in MODELS}


def assert_same_credit(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert sorted(got.index) == sorted(expected.index)
    np.testing.assert_allclose(
        got["revenue"].reindex(expected.index), expected["revenue"], rtol=1e-9, atol=0
    )
    np.testing.assert_allclose(got["share"].reindex(expected.index), expected["share"], rtol=1e-9)


@pytest.mark.parametrize("model", MODELS)
def test_duckdb_and_spark_equal_the_reference_on_100k_touches(
    model,
    engine,  # noqa: F811
    touches,
    parquet,
    reference,
):
    expected = reference[model]
    assert len(expected) == 8
    assert expected["revenue"].sum() == pytest.approx(
        touches.groupby("journey")["revenue"].max().sum(), rel=1e-12
    )
    if engine == "pandas":
        got = attribute(parquet, model, half_life_days=10.0, engine="pandas")
    else:
        # The file read where it lives by the engine.
        got = attribute(parquet, model, half_life_days=10.0, engine=engine)
    assert_same_credit(got, expected)


def test_duckdb_reads_a_dataframe_and_csv_alike(touches, tmp_path, reference):
    small = touches.iloc[:5_000]
    path = tmp_path / "touches.csv"
    small.to_csv(path, index=False)
    for model in ("w_shaped", "time_decay", "markov", "shapley"):
        expected = attribute(small, model, half_life_days=10.0)
        assert_same_credit(attribute(small, model, half_life_days=10.0, engine="duckdb"), expected)
        assert_same_credit(attribute(path, model, half_life_days=10.0, engine="duckdb"), expected)
        assert_same_credit(attribute(path, model, half_life_days=10.0), expected)  # duckdb


def test_spark_reads_csv_and_a_dataframe(touches, tmp_path, spark):  # noqa: F811
    small = touches.iloc[:2_000]
    path = tmp_path / "touches.csv"
    small.to_csv(path, index=False)
    expected = attribute(small, "u_shaped")
    assert_same_credit(attribute(path, "u_shaped", engine="spark"), expected)
    assert_same_credit(attribute(small, "u_shaped", engine="spark"), expected)


def test_credit_adds_up_to_the_revenue_on_every_engine(engine):  # noqa: F811
    # Revenues that do not split evenly in binary: thirds, sevenths.
    frame = generated_touches(3_000, seed=4).assign(
        revenue=lambda f: (f["journey"] % 7 + 1) * 1_000.0 / 3.0
    )
    total = frame.groupby("journey")["revenue"].max().sum()
    for model in ("linear", "u_shaped", "time_decay", "markov", "shapley"):
        table = attribute(frame, model, engine=engine)
        assert table["revenue"].sum() == pytest.approx(total, rel=1e-14)
        assert (table["revenue"] >= 0).all()


FIVE = pd.DataFrame(
    {
        "Journey": ["A", "A", "A", "A", "A"],
        "Time": pd.to_datetime(
            ["2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22", "2026-02-01"]
        ),
        "Channel": ["Ads", "SEO", "Webinar", "Email", "Sales"],
        "Stage": ["first touch", None, "lead created", None, "opportunity created"],
        "Revenue": [10_000.0] * 5,
    }
)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda f: f.drop(columns="Channel"), ShapeMismatchError, "no 'channel' column"),
        (lambda f: f.drop(columns="Time"), ShapeMismatchError, "no 'time' or 'order'"),
        (
            lambda f: f.assign(Channel=["Ads", " ", "W", "E", "S"]),
            InvalidAmountError,
            r"channel \(row 2\) is blank",
        ),
        (
            lambda f: f.assign(Journey=["A", None, "A", "A", "A"]),
            InvalidAmountError,
            r"journey \(row 2\) is blank",
        ),
        (
            lambda f: f.assign(Stage=[None, "MQL", None, None, None]),
            InvalidChoiceError,
            r"stage \(row 2\) is 'MQL'",
        ),
        (
            lambda f: f.assign(Revenue=[1.0, 1.0, -1.0, 1.0, 1.0]),
            InvalidAmountError,
            r"revenue \(row 3\) is -1: revenue must be a number ≥ 0",
        ),
        (
            lambda f: f.assign(Revenue=["1", "1", "x", "1", "1"]),
            InvalidAmountError,
            r"revenue \(row 3\) is 'x'",
        ),
        (
            lambda f: f.assign(Revenue=[1.0, 1.0, 2.0, 1.0, 1.0]),
            InvalidAmountError,
            "revenue of journey 'A' differs between its touches \\(1 and 2\\)",
        ),
        (
            lambda f: f.assign(Time=["2026-01-01", "monday", "2026-01-02", "2026-01-03", "x"]),
            InvalidAmountError,
            r"time \(row 2\) is 'monday': time must hold dates or numbers",
        ),
    ],
)
def test_bad_tables_are_named_alike_on_every_engine(change, error, message, engine):  # noqa: F811
    with pytest.raises(error, match=message):
        attribute(change(FIVE), "linear", engine=engine)


def test_time_decay_checks_and_empty_tables(engine):  # noqa: F811
    with pytest.raises(InvalidAmountError, match="half_life_days is 0"):
        attribute(FIVE, "time_decay", half_life_days=0, engine=engine)
    with pytest.raises(ShapeMismatchError, match="time_decay needs a 'time' column"):
        attribute(FIVE.drop(columns="Time").assign(Order=range(5)), "time_decay", engine=engine)
    empty = attribute(FIVE.iloc[:0], "markov", engine=engine)
    assert empty.empty
    assert list(empty.columns) == ["revenue", "share"]


def test_unknown_engine_is_named():
    with pytest.raises(InvalidChoiceError, match="engine is 'sqlite': choose one of duckdb"):
        attribute(FIVE, "linear", engine="sqlite")


def test_names_with_spaces_quotes_and_backslashes(engine):  # noqa: F811
    frame = pd.DataFrame(
        {
            "journey": ["it's", "it's", "it's", "B"],
            "order": [1, 2, 3, 1],
            "channel": [" Ads ", "O'Brien \\ Co", "Ads", "O'Brien \\ Co"],
            "stage": [" Lead_Created ", None, "OPPORTUNITY-created", ""],
            "revenue": [900.0, 900.0, 900.0, 100.0],
        }
    )
    # W-shaped: Ads (first touch) 30 % + Ads (opportunity created, last) 30 %; the lead was
    # created at the first touch too (30 %); O'Brien holds no role: the 10 %.
    table = attribute(frame, "w_shaped", engine=engine)
    assert table["revenue"].to_dict() == pytest.approx({"Ads": 810.0, "O'Brien \\ Co": 190.0})


@settings(max_examples=40, deadline=None)
@given(journeys=journeys_st, model=st.sampled_from(MODELS), half_life=st.floats(0.5, 60))
def test_duckdb_equals_the_reference_on_random_journeys(journeys, model, half_life):
    # Few touches, equal times, several markers, zero revenues: the corners of the role rules.
    frame = frame_of(journeys)
    expected = attribute(frame, model, half_life_days=half_life)
    got = attribute(frame, model, half_life_days=half_life, engine="duckdb")
    assert sorted(got.index) == sorted(expected.index)
    np.testing.assert_allclose(
        got["revenue"].reindex(expected.index), expected["revenue"], rtol=1e-9, atol=1e-6
    )


def test_without_duckdb_files_default_to_memory_and_duckdb_is_named(monkeypatch, tmp_path):
    # xlwings Lite and minimal installs have no DuckDB (it is the `attribution` extra).
    import importlib.util

    from xl_funnel.attribution import default_engine

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "duckdb" else real(name, *a)
    )
    assert default_engine() == "pandas"
    path = tmp_path / "touches.csv"
    FIVE.to_csv(path, index=False)
    assert attribute(path, "linear")["revenue"].sum() == pytest.approx(10_000.0)
    with pytest.raises(InvalidChoiceError, match=r"pip install 'xl-funnel\[attribution\]'"):
        attribute(path, "linear", engine="duckdb")
