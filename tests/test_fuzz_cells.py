"""Hostile cells (issue 6): every Excel function fed Excel-shaped garbage never breaks.

Property: calling a registered function with any arguments Excel (or a careless Python
caller) can produce raises nothing, and returns a finite number, a text (an Excel error value,
or text the function is documented to return), or a rectangular 2-D list of finite numbers
and texts. Never NaN or ±inf, never a traceback.

Budget: FIXED_SEED_CASES cases in a derandomized run (the same every time, so CI failures
reproduce) plus RANDOM_SEED_CASES in a random run (new cases every run; hypothesis prints the
seed of a failure), split evenly over the registered functions, so the total stays above
10,000 whatever the number of functions. Plus one 100,000-cell range per argument of each
function.
"""

from __future__ import annotations

import contextlib
import math
import random
import signal
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_funnel.excel.errors import EXCEL_ERRORS
from xl_funnel.excel.registry import FUNCTIONS
from xl_funnel.excel.spec import ExcelFunction

FIXED_SEED_CASES = 8_000
RANDOM_SEED_CASES = 3_000
BIG_RANGE_CELLS = 100_000
#: Longest a single call may take before the harness calls it hung (a cell must not freeze
#: Excel); generous, since CI machines are slow and shared.
CALL_SECONDS = 10

SPECIAL_FLOATS = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.2,
    12.0,
    5e-324,
    2.2250738585072014e-308,
    1e-300,
    1e300,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    math.inf,
    -math.inf,
    math.nan,
]
TEXTS = [
    "20%",
    "1,500",
    "$10",
    " 0.5 ",
    "1e6",
    "1e999",
    "nan",
    "inf",
    "-0",
    "TRUE",
    "FALSE",
    "mean",
    "cagr",
    "Visits",
    "spend",
    "leads",
    "mqls",
    "customers",
    "revenue",
    "Channel",
    "=1+1",
    "",
    " ",
]

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1),
    st.sampled_from(SPECIAL_FLOATS),
    st.integers(min_value=-(10**12), max_value=10**12).map(float),
)
# What a Python caller passes from numpy or pandas (issue 14): numpy counts timedelta64 as an
# integer, so a careless float() of it raised; pandas' NA refuses to be a truth value.
NUMPY_SCALARS = [
    np.timedelta64(5, "D"),
    np.timedelta64("NaT"),
    np.datetime64("2027-01-01"),
    np.datetime64("NaT"),
    np.bool_(True),
    np.bool_(False),
    np.int8(-3),
    np.uint8(200),
    np.int16(7),
    np.uint64(2**64 - 1),
    np.float16(0.25),
    np.float16("inf"),
    np.float32("nan"),
    np.longdouble("1e4000"),
    np.complex64(1 + 0j),
    np.complex128(1 + 2j),
    np.str_("0.2"),
    np.str_("#N/A"),
    pd.NA,
    pd.NaT,
    pd.Timestamp("2027-01-01"),
    pd.Timedelta(days=1),
]
numpy_scalars = st.sampled_from(NUMPY_SCALARS)
cells = st.one_of(
    floats,
    numpy_scalars,
    st.sampled_from(TEXTS),
    st.text(max_size=6),
    st.booleans(),
    st.sampled_from(sorted(EXCEL_ERRORS)),
    st.none(),
    st.integers(min_value=-(10**400), max_value=10**400),  # Python ints beyond a float
)
row = st.lists(cells, min_size=1, max_size=8)
rates_column = st.lists(st.floats(min_value=1e-3, max_value=1), min_size=1, max_size=6)
arguments = st.one_of(
    cells,  # a bare single cell
    cells.map(lambda value: [[value]]),  # 1×1
    row.map(lambda values: [values]),  # 1×N
    row.map(lambda values: [[value] for value in values]),  # N×1
    st.integers(min_value=1, max_value=6).flatmap(  # N×M
        lambda width: st.lists(
            st.lists(cells, min_size=width, max_size=width), min_size=1, max_size=6
        )
    ),
    st.lists(st.lists(cells, max_size=4), max_size=4),  # ragged, empty rows, empty range
    st.lists(cells, max_size=6),  # a flat Python list
    rates_column.map(lambda values: [[value] for value in values]),  # plausible rates
)


def mutated_example(spec: ExcelFunction) -> st.SearchStrategy[tuple[Any, ...]]:
    """A documented example with one argument swapped for garbage: reaches deep code paths."""

    def mutate(example_index: int, position: int, garbage: Any) -> tuple[Any, ...]:
        args = list(spec.examples[example_index].args)
        args[position % len(args)] = garbage
        return tuple(args)

    return st.builds(
        mutate,
        st.integers(min_value=0, max_value=len(spec.examples) - 1),
        st.integers(min_value=0, max_value=spec.max_args - 1),
        arguments,
    )


def random_arguments(spec: ExcelFunction) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.integers(min_value=spec.min_args, max_value=spec.max_args).flatmap(
        lambda count: st.tuples(*[arguments] * count)
    )


def returns_text(spec: ExcelFunction) -> bool:
    """Whether the function's own examples show it returning text as its whole result."""
    return any(isinstance(spec(*example.args), str) for example in spec.examples)


class CallTooSlowError(Exception):
    """A function kept computing past :data:`CALL_SECONDS` (raised by the alarm)."""


@contextlib.contextmanager
def time_limit(spec: ExcelFunction, args: tuple[Any, ...]) -> Iterator[None]:
    """Turn a call that hangs into a failing test naming the function (main thread only:
    that is where pytest and its xdist workers run tests; elsewhere no limit applies)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise CallTooSlowError(f"{spec.name} took over {CALL_SECONDS} s on {args!r:.300}")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call(spec: ExcelFunction, args: tuple[Any, ...]) -> Any:
    with time_limit(spec, args):
        return spec(*args)


def assert_cell_value(value: Any, *, whole: bool, text_ok: bool) -> None:
    if isinstance(value, str):
        assert text_ok or not whole or value in EXCEL_ERRORS, value
        return
    assert type(value) is float, repr(value)
    assert math.isfinite(value), value


def assert_result(spec: ExcelFunction, result: Any, text_ok: bool) -> None:
    if isinstance(result, list):
        assert result, "an empty spill"
        width = len(result[0])
        assert width > 0
        for line in result:
            assert isinstance(line, list)
            assert len(line) == width, "a ragged spill"
            for value in line:
                assert_cell_value(value, whole=False, text_ok=True)
    else:
        assert_cell_value(result, whole=True, text_ok=text_ok)


def run_fuzz(spec: ExcelFunction, cases: int, derandomize: bool) -> int:
    calls = []
    text_ok = returns_text(spec)

    @settings(
        max_examples=cases,
        derandomize=derandomize,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.one_of(random_arguments(spec), mutated_example(spec)))
    def property_(args: tuple[Any, ...]) -> None:
        calls.append(1)
        assert_result(spec, call(spec, args), text_ok)

    property_()
    return len(calls)


@pytest.mark.slow
@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_fixed_seed_garbage_never_escapes(spec):
    budget = math.ceil(FIXED_SEED_CASES / len(FUNCTIONS))
    assert run_fuzz(spec, budget, derandomize=True) >= budget


@pytest.mark.slow
@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_random_seed_garbage_never_escapes(spec):
    budget = math.ceil(RANDOM_SEED_CASES / len(FUNCTIONS))
    assert run_fuzz(spec, budget, derandomize=False) >= budget


def test_the_budget_is_at_least_ten_thousand_cases():
    per_function = math.ceil(FIXED_SEED_CASES / len(FUNCTIONS)) + math.ceil(
        RANDOM_SEED_CASES / len(FUNCTIONS)
    )
    assert per_function * len(FUNCTIONS) >= 10_000


def big_range(seed: int) -> list[list[Any]]:
    """100,000 cells (10,000 × 10): mostly plausible numbers, sprinkled with garbage."""
    rng = random.Random(seed)
    garbage = [None, "", "x", "#N/A", True, math.nan, -1.0, "20%", 1e308]
    return [
        [rng.choice(garbage) if rng.random() < 0.001 else rng.uniform(0.01, 1.0) for _ in range(10)]
        for _ in range(BIG_RANGE_CELLS // 10)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_a_100k_cell_range_in_every_argument(spec):
    text_ok = returns_text(spec)
    block = big_range(seed=len(spec.name))
    clean = [[0.5] * 10 for _ in range(BIG_RANGE_CELLS // 10)]
    example = spec.examples[0].args
    for position in range(len(example)):
        for huge in (block, clean):
            args = list(example)
            args[position] = huge
            assert_result(spec, call(spec, tuple(args)), text_ok)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_every_numpy_and_pandas_scalar_in_every_argument(spec):
    """Each scalar of :data:`NUMPY_SCALARS` alone, in a 1×1 range and inside a 2×2 range, in
    every argument of a documented example: an Excel value out, never an exception."""
    args = list(spec.examples[0].args)
    shapes = (lambda v: v, lambda v: [[v]], lambda v: [[v, 0.5], [0.2, v]])
    for position in range(len(args)):
        for scalar in NUMPY_SCALARS:
            for shape in shapes:
                changed = [*args[:position], shape(scalar), *args[position + 1 :]]
                assert_result(spec, call(spec, tuple(changed)), returns_text(spec))
