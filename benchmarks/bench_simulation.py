"""Monte Carlo funnel and multi-touch attribution against what a user would write by hand."""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from benchmarks.timing import fmt_seconds, median_seconds
from xl_funnel.attribution import attribute
from xl_funnel.simulation import simulate, volume_for

TITLE = "Probability of hitting the plan and attribution (vs plain numpy / pandas)"
TRIALS = 100_000
#: Four quarters of a six-stage funnel (seven stage counts): visits … customers.
HISTORY = [[100_000, 1_500, 300, 60, 24, 12, 6]] * 4
VOLUME, TARGET = 400_000, 24
TOUCHES = 1_000_000
LOOP_TRIALS = 10_000


def _counts() -> tuple[np.ndarray, np.ndarray]:
    totals = np.asarray(HISTORY, dtype=float).sum(axis=0)
    return totals[1:] + 1, totals[:-1] - totals[1:] + 1


def numpy_chain(volume: int, trials: int, seed: int) -> float:
    """The plain-numpy simulation: beta rates, then one binomial draw per stage."""
    rng = np.random.default_rng(seed)
    a, b = _counts()
    rates = rng.beta(a, b, size=(trials, len(a)))
    units = np.full(trials, volume)
    for stage in range(len(a)):
        units = rng.binomial(units, rates[:, stage])
    return float(np.mean(units >= TARGET))


def python_loop(volume: int, trials: int, seed: int) -> float:
    """The spreadsheet-macro way: one trial at a time, one stage at a time."""
    rng = np.random.default_rng(seed)
    a, b = _counts()
    hits = 0
    for _ in range(trials):
        units = volume
        for stage in range(len(a)):
            units = rng.binomial(units, rng.beta(a[stage], b[stage]))
        hits += units >= TARGET
    return hits / trials


def numpy_bisection(probability: float, seed: int) -> int:
    """Volume for a probability by bisection, re-running the numpy chain at each step."""
    low, high = 0, VOLUME * 8
    while high - low > 1:
        middle = (low + high) // 2
        if numpy_chain(middle, TRIALS, seed) >= probability:
            high = middle
        else:
            low = middle
    return high


def touches() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    journey = rng.integers(0, 200_000, TOUCHES)
    frame = pd.DataFrame(
        {
            "journey": journey,
            "time": rng.uniform(0, 90, TOUCHES),
            "channel": rng.choice(["Ads", "SEO", "Email", "Webinar", "Events", "Sales"], TOUCHES),
            "revenue": (journey % 7) * 1_000.0,
        }
    )
    frame["stage"] = np.where(rng.random(TOUCHES) < 0.1, "lead created", "")
    return frame


def plain_linear(frame: pd.DataFrame) -> pd.Series:
    share = 1 / frame.groupby("journey")["channel"].transform("size")
    return (share * frame["revenue"]).groupby(frame["channel"]).sum()


def run() -> str:
    ours = median_seconds(lambda: simulate(VOLUME, TARGET, history=HISTORY, seed=1), repeat=11)
    chain = median_seconds(lambda: numpy_chain(VOLUME, TRIALS, 1), repeat=11)
    start = time.perf_counter()
    python_loop(VOLUME, LOOP_TRIALS, 1)
    loop = (time.perf_counter() - start) * TRIALS / LOOP_TRIALS
    levels = (0.5, 0.8, 0.9)
    ours_volumes = median_seconds(
        lambda: volume_for(levels, TARGET, history=HISTORY, seed=1), repeat=5
    )
    start = time.perf_counter()
    bisected = [numpy_bisection(level, 1) for level in levels]
    bisection = time.perf_counter() - start
    exact = volume_for(levels, TARGET, history=HISTORY, seed=1)
    chance = simulate(VOLUME, TARGET, history=HISTORY, seed=1).probability

    frame = touches()
    attribution = {
        model: median_seconds(lambda m=model: attribute(frame, m), repeat=5, warmup=1)
        for model in ("linear", "w_shaped", "time_decay")
    }
    plain = median_seconds(lambda: plain_linear(frame), repeat=5, warmup=1)
    agree = np.allclose(
        attribute(frame, "linear")["revenue"].sort_index(), plain_linear(frame).sort_index()
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"Load average when the run ended: {load:.1f} (other jobs share the cores; times "
        "scale with it).",
        "",
        f"A six-stage funnel (rates from four quarters of history, beta posteriors), "
        f"{TRIALS:,} trials, {VOLUME:,} visits for {TARGET} customers "
        f"(probability {chance:.1%}).",
        "",
        "| task | xl-funnel | alternative | time | ratio |",
        "|---|---:|---|---:|---:|",
        f"| simulate, {TRIALS:,} trials | {fmt_seconds(ours)} | plain numpy, a binomial per "
        f"stage | {fmt_seconds(chain)} | {ours / chain:.2f}× |",
        f"| simulate, {TRIALS:,} trials | {fmt_seconds(ours)} | Python loop per trial "
        f"(timed on {LOOP_TRIALS:,}, scaled) | {fmt_seconds(loop)} | {ours / loop:.4f}× |",
        f"| P50/P80/P90 volumes | {fmt_seconds(ours_volumes)} | bisection re-running the "
        f"numpy simulation | {fmt_seconds(bisection)} | {ours_volumes / bisection:.3f}× |",
        f"| attribution, linear, {TOUCHES:,} touches | {fmt_seconds(attribution['linear'])} | "
        f"pandas groupby (linear only) | {fmt_seconds(plain)} | "
        f"{attribution['linear'] / plain:.2f}× |",
        f"| attribution, w_shaped, {TOUCHES:,} touches | {fmt_seconds(attribution['w_shaped'])} "
        "| — | | |",
        f"| attribution, time_decay, {TOUCHES:,} touches | "
        f"{fmt_seconds(attribution['time_decay'])} | — | | |",
        "",
        f"P50/P80/P90 volumes: xl-funnel {', '.join(f'{v:,.0f}' for v in exact)} (exact order "
        f"statistics of the needed volume); numpy bisection {', '.join(f'{v:,}' for v in bisected)}"
        " (different random numbers, so they differ by sampling error).",
        f"Linear credit equal to the pandas groupby: {agree}. The pandas one-liner covers the "
        "linear model only; the position and time-decay models need the ordered journey.",
    ]
    return "\n".join(lines)
