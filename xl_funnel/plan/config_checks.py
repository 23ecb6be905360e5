"""Reading a plan configuration one key at a time: the checker, its limits and key lists.

:class:`_Checker` records a problem (with its key path) instead of stopping at the first, so
:class:`ConfigError` can list every problem of a file at once.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from typing import Any

from xl_funnel.errors import FunnelError, InvalidRateError
from xl_funnel.io.rates import parse_rate

#: Sales cycles longer than this are refused: the monthly table would dwarf the year.
MAX_SALES_CYCLE_MONTHS = 24
#: Per-stage lags may reach back at most this many months in all (Σ ⌈lag⌉), like the cycle.
MAX_LEAD_MONTHS = MAX_SALES_CYCLE_MONTHS
#: Referrals per customer per month above this are surely a typo (one a month each).
MAX_REFERRALS_PER_CUSTOMER = 1.0
#: Lead shares may be typed as rounded percentages (3 × 0.333); they are normalised to 1.
SHARE_SUM_TOLERANCE = 0.005
MAX_TEXT_LENGTH = 100
MAX_CHANNELS = 5000
GROWTH_METHODS = ("mean", "cagr")


class ConfigError(FunnelError):
    """A plan configuration with problems; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + problem for problem in self.problems))


_MISSING = object()
_TOP_KEYS = (
    "plan",
    "revenue",
    "funnel",
    "flywheel",
    "tracking",
    "dashboard",
    "sales",
    "budget",
    "calendar",
    "pipeline",
    "channels",
)
_PLAN_KEYS = ("company", "fiscal_year", "first_month", "whole_units", "currency")
#: Longest currency code or symbol a money format shows ("USD", "€", "CHF", "R$").
MAX_CURRENCY_LENGTH = 8
_REVENUE_KEYS = (
    "history",
    "growth_method",
    "growth_uplift",
    "new_revenue_share",
    "new_revenue_goal",
    "avg_deal_size",
    "start_arr",
    "gross_churn",
    "expansion",
)
_FUNNEL_KEYS = ("stages", "rates", "lead_stage", "sales_cycle_months", "stage_lags", "seasonality")
_FLYWHEEL_KEYS = ("customer_base", "referrals_per_customer", "entry_stage", "referral_close_rate")
_TRACKING_KEYS = ("on_track_threshold", "spend_flag_ratio")
_DASHBOARD_KEYS = ("sensitivity_step", "achievable_rates")
_CHANNEL_KEYS = (
    "name",
    "lead_share",
    "entry_stage",
    "mql_rate",
    "cost_per_unit",
    "fixed_cost",
    "budget",
)
_BUDGET_KEYS = ("cap",)
_SALES_KEYS = ("pipeline_coverage", "ramped_reps", "quota", "sales_cost")
_CALENDAR_KEYS = ("next_year_growth",)
_PIPELINE_KEYS = ("stage", "count", "months")
#: Open pipeline items at most (a starting pipeline is a few rows, not a CRM export).
MAX_PIPELINE_ITEMS = 1000


def _default_lead_stage(stages: tuple[str, ...]) -> str:
    """The first stage named like leads; else the second (visits → leads), else the first."""
    for name in stages[:-1]:
        if "lead" in name.lower():
            return name
    return stages[1] if len(stages) >= 3 else stages[0]


def _is_control(char: str) -> bool:
    """A control character no worksheet cell can hold (XML 1.0 allows tab, LF and CR only)."""
    return ord(char) < 32 and char not in "\t\n\r"


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


class _Checker:
    """Reads one key at a time, recording a problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def table(self, data: Mapping[str, Any], key: str, keys: tuple[str, ...]) -> dict | None:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, Mapping):
            self.add(key, f"must be a table [{key}], got {_shown(value)}")
            return None
        self.unknown(value, keys, key)
        return dict(value)

    def unknown(self, data: Mapping[str, Any], keys: tuple[str, ...], path: str) -> None:
        for key in data:
            if key not in keys:
                near = difflib.get_close_matches(str(key), keys, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else f"; known: {', '.join(keys)}"
                self.add(f"{path}.{key}" if path else str(key), f"unknown key{hint}")

    def text(self, data: Mapping, key: str, path: str, default: Any = _MISSING) -> str | None:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.add(path, "missing")
            return default if default is not _MISSING else None
        if not isinstance(value, str):
            self.add(path, f"must be text, got {_shown(value)}")
            return None
        if not value.strip():
            self.add(path, "must not be empty")
            return None
        if len(value) > MAX_TEXT_LENGTH:
            self.add(path, f"must be at most {MAX_TEXT_LENGTH} characters, got {len(value)}")
            return None
        # A cell cannot hold most control characters (XML 1.0 forbids them): refuse them here.
        control = next((i for i, c in enumerate(value) if _is_control(c)), None)
        if control is not None:
            self.add(
                path,
                f"must not hold control characters, got {value[control]!r} at character "
                f"{control + 1} of {value!r}",
            )
            return None
        return value

    def number(
        self,
        value: Any,
        path: str,
        rule: Callable[[float], bool],
        wanted: str,
        example: str | None = None,
    ) -> float | None:
        if value is _MISSING:
            self.add(path, f"missing (e.g. {example})" if example else "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, f"must be {wanted}, got {_shown(value)}")
            return None
        number = float(value)
        if not math.isfinite(number) or not rule(number):
            self.add(path, f"must be {wanted}, got {_shown(value)}")
            return None
        return number

    def rate(
        self,
        value: Any,
        path: str,
        *,
        zero_ok: bool = False,
        low: float = 0.0,
        wanted: str | None = None,
    ) -> float | None:
        # The one percent rule (xl_funnel.io.rates): "20%" is 0.2, a bare 20 gets a hint.
        if isinstance(value, str) or (
            isinstance(value, int | float) and not isinstance(value, bool)
        ):
            try:
                value = parse_rate(value, path, low=-math.inf)
            except InvalidRateError as error:
                self.add(path, str(error).removeprefix(f"{path} "))
                return None
        bound = "" if zero_ok else "more than "
        return self.number(
            value,
            path,
            (lambda r: low <= r <= 1) if zero_ok else (lambda r: low < r <= 1),
            wanted or f"a fraction from {bound}{_shown(float(low))} to 1",
        )

    def numbers(
        self, data: Mapping, key: str, path: str, rule: Callable[[Any, str], float | None]
    ) -> list[float] | None:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.add(path, f"must be a list, got {_shown(value)}")
            return None
        checked = [rule(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return None if any(item is None for item in checked) else checked


def _positive(checker: _Checker, example: str) -> Callable[[Any, str], float | None]:
    def rule(value: Any, path: str) -> float | None:
        return checker.number(value, path, lambda x: x > 0, "a positive number", example)

    return rule
