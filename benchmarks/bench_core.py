"""Core functions on 1M rows against the raw numpy expression a user would write."""

from __future__ import annotations

import numpy as np
import pandas as pd

import xl_funnel as xf
from benchmarks.timing import fmt_seconds, median_seconds

TITLE = "Core functions, 1,000,000 rows (vs raw numpy)"
ROWS = 1_000_000


def cases() -> list[tuple[str, object, object]]:
    rng = np.random.default_rng(0)
    revenue = rng.uniform(0, 1e6, ROWS)
    leads = rng.integers(1, 5_000, ROWS).astype(float)
    cost = rng.uniform(1, 1e5, ROWS)
    history = rng.uniform(1e6, 2e6, (ROWS, 3))
    rates = rng.uniform(0.01, 1, (ROWS, 5))
    target = rng.uniform(1, 100, ROWS)
    table = pd.DataFrame(
        {
            "spend": cost,
            "leads": leads,
            "mqls": leads * 0.2,
            "customers": leads * 0.01,
            "revenue": revenue,
        }
    )

    def raw_metrics() -> dict:
        s, c = table["spend"].to_numpy(), table["customers"].to_numpy()
        share_s, share_c = s / s.sum(), c / c.sum()
        return table.assign(
            cpl=s / table["leads"],
            cost_per_mql=s / table["mqls"],
            cac=s / c,
            roi=(table["revenue"] - s) / s,
            roas=table["revenue"] / s,
            share_of_spend=share_s,
            share_of_customers=share_c,
            efficiency_index=share_c / share_s,
        )

    return [
        ("value_per_lead", lambda: xf.value_per_lead(revenue, leads), lambda: revenue / leads),
        ("channel_roi", lambda: xf.channel_roi(revenue, cost), lambda: (revenue - cost) / cost),
        (
            "target_revenue",
            lambda: xf.target_revenue(revenue, 0.1),
            lambda: revenue * 0.1 + revenue,
        ),
        (
            "target_revenue_from_history",
            lambda: xf.target_revenue_from_history(history),
            lambda: (
                history[:, -1] * (1 + (history[:, 1:] / history[:, :-1] - 1).mean(axis=1) + 0.05)
            ),
        ),
        (
            "customers_needed",
            lambda: xf.customers_needed(revenue, cost),
            lambda: np.ceil(revenue / cost),
        ),
        (
            "backsolve (5 stages)",
            lambda: xf.backsolve(target, rates),
            lambda: (
                target[:, None]
                / np.concatenate(
                    [np.cumprod(rates[:, ::-1], axis=1)[:, ::-1], np.ones((ROWS, 1))], axis=1
                )
            ),
        ),
        (
            "forward (5 stages)",
            lambda: xf.forward(target, rates),
            lambda: (
                target[:, None]
                * np.concatenate([np.ones((ROWS, 1)), np.cumprod(rates, axis=1)], axis=1)
            ),
        ),
        ("channel_metrics", lambda: xf.channel_metrics(table), raw_metrics),
    ]


def run() -> str:
    lines = [
        "Each row times the xl-funnel function (validation included) and the bare numpy or pandas",
        "expression with the same result, in the same process. Goal: within 2× of raw numpy.",
        "",
        "| function | xl-funnel | raw numpy | ratio |",
        "|---|---:|---:|---:|",
    ]
    for name, ours, raw in cases():
        mine, base = median_seconds(ours, repeat=11), median_seconds(raw, repeat=11)
        lines.append(
            f"| `{name}` | {fmt_seconds(mine)} | {fmt_seconds(base)} | {mine / base:.2f}× |"
        )
    return "\n".join(lines)
