"""What a plan is made of: the validated configuration, read from TOML or built in.

A :class:`PlanConfig` is always valid: building one (from TOML, from a dict, or directly)
checks every field and raises :class:`ConfigError` listing *all* problems at once, each with
its key path (``channels[2].budget: must be a positive number, got -5``), so a planner fixes a
file in one pass instead of one error per run.
"""

from __future__ import annotations

import difflib
import json
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xl_funnel import seed
from xl_funnel.errors import FunnelError
from xl_funnel.revenue import target_revenue_from_history
from xl_funnel.scheduling import lead_months

__all__ = [
    "Channel",
    "ConfigError",
    "PlanConfig",
    "config_toml",
    "example_config",
    "load_config",
    "parse_config",
]

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


@dataclass(frozen=True)
class Channel:
    """One marketing channel: its budget and the share of the plan's leads it brings."""

    name: str
    budget: float
    lead_share: float
    #: Rate from a lead to the next stage for this channel; None = the plan's rate.
    mql_rate: float | None = None


@dataclass(frozen=True)
class PlanConfig:
    """A validated annual-plan configuration (see ``docs/plan.md`` for every key)."""

    company: str
    fiscal_year: int
    revenue_history: tuple[float, ...]
    new_revenue_share: float
    avg_deal_size: float
    stage_names: tuple[str, ...]
    stage_rates: tuple[float, ...]
    channels: tuple[Channel, ...]
    first_month: int = 1
    growth_method: str = "mean"
    growth_uplift: float = 0.05
    new_revenue_goal: float | None = None
    lead_stage: str | None = None
    sales_cycle_months: float = 0.0
    seasonality: tuple[float, ...] = (1.0,) * 12
    spend_flag_ratio: float = 1.5
    on_track_threshold: float = 0.9
    #: Months from each stage to the next (one per rate); None = the sales-cycle shorthand.
    stage_lags: tuple[float, ...] | None = None
    #: The flywheel: customers at the start of the year and the referrals they bring.
    customer_base: float = 0.0
    referrals_per_customer: float = 0.0
    #: Stage referrals enter at; None = the lead stage.
    referral_entry_stage: str | None = None
    #: Share of referrals that become customers; None = the funnel's rates from the entry stage.
    referral_close_rate: float | None = None
    #: Improvement of each stage rate in the Dashboard's sensitivity, in rate points
    #: (0.01 = one percentage point: 20 % → 21 %).
    sensitivity_step: float = 0.01
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _validated(self.to_dict(), self.source)
        if self.lead_stage is None:
            object.__setattr__(self, "lead_stage", _default_lead_stage(self.stage_names))
        if self.referral_entry_stage is None:
            object.__setattr__(self, "referral_entry_stage", self.lead_stage)

    @property
    def lead_index(self) -> int:
        """Position of the stage the channels' lead shares split (0-based)."""
        return self.stage_names.index(self.lead_stage)

    @property
    def lags(self) -> tuple[float, ...]:
        """Months from each stage to the next: `stage_lags`, or ``(0, …, 0, sales cycle)``."""
        if self.stage_lags is not None:
            return self.stage_lags
        return (0.0,) * (len(self.stage_rates) - 1) + (float(self.sales_cycle_months),)

    @property
    def lead_months(self) -> int:
        """Months the monthly table starts before the fiscal year (Σ ⌈lag⌉, as the schedule)."""
        return lead_months(self.lags)

    @property
    def referral_entry_index(self) -> int:
        """Position of the stage referrals enter at (0-based)."""
        return self.stage_names.index(self.referral_entry_stage)

    def to_dict(self) -> dict[str, Any]:
        """The configuration as the nested tables of its TOML file."""
        revenue: dict[str, Any] = {
            "history": list(self.revenue_history),
            "growth_method": self.growth_method,
            "growth_uplift": self.growth_uplift,
            "new_revenue_share": self.new_revenue_share,
            "avg_deal_size": self.avg_deal_size,
        }
        if self.new_revenue_goal is not None:
            revenue["new_revenue_goal"] = self.new_revenue_goal
        funnel: dict[str, Any] = {
            "stages": list(self.stage_names),
            "rates": list(self.stage_rates),
            "sales_cycle_months": self.sales_cycle_months,
            "seasonality": list(self.seasonality),
        }
        if self.lead_stage is not None:
            funnel["lead_stage"] = self.lead_stage
        if self.stage_lags is not None:
            funnel["stage_lags"] = list(self.stage_lags)
        flywheel: dict[str, Any] = {
            "customer_base": self.customer_base,
            "referrals_per_customer": self.referrals_per_customer,
        }
        if self.referral_entry_stage is not None:
            flywheel["entry_stage"] = self.referral_entry_stage
        if self.referral_close_rate is not None:
            flywheel["referral_close_rate"] = self.referral_close_rate
        channels = []
        for channel in self.channels:
            row: dict[str, Any] = {
                "name": channel.name,
                "budget": channel.budget,
                "lead_share": channel.lead_share,
            }
            if channel.mql_rate is not None:
                row["mql_rate"] = channel.mql_rate
            channels.append(row)
        return {
            "plan": {
                "company": self.company,
                "fiscal_year": self.fiscal_year,
                "first_month": self.first_month,
            },
            "revenue": revenue,
            "funnel": funnel,
            "flywheel": flywheel,
            "tracking": {
                "on_track_threshold": self.on_track_threshold,
                "spend_flag_ratio": self.spend_flag_ratio,
            },
            "dashboard": {"sensitivity_step": self.sensitivity_step},
            "channels": channels,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> PlanConfig:
        """Validate nested tables (as TOML gives them) into a config; all problems at once."""
        return _validated(data, source)


def load_config(path: str | Path) -> PlanConfig:
    """Read and validate a plan configuration file (TOML).

    Raises
    ------
    ConfigError
        The file cannot be read, is not TOML, or has problems; every problem on its own line,
        prefixed with the file name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "plan.toml").write_text(config_toml(example_config()))
    >>> load_config(folder / "plan.toml") == example_config()
    True
    """
    from xl_funnel.input_files import InputFileError, read_input_text

    path = Path(path)
    try:  # a regular file only, capped; a byte-order mark (Notepad's UTF-8) is dropped
        text = read_input_text(path, MAX_CONFIG_BYTES)
    except InputFileError as error:
        raise ConfigError([f"cannot read the file: it {error}"], str(path)) from None
    return parse_config(text, str(path))


#: A plan config is a few kilobytes; 10,000 channels take about 1 MB.
MAX_CONFIG_BYTES = 16 * 1024 * 1024


def _is_control(char: str) -> bool:
    """A control character no worksheet cell can hold (XML 1.0 allows tab, LF and CR only)."""
    return ord(char) < 32 and char not in "\t\n\r"


def parse_config(text: str, source: str = "<config>") -> PlanConfig:
    """Validate the text of a TOML plan configuration.

    Examples
    --------
    >>> parse_config('[plan]\\ncompany = 5', "plan.toml")
    Traceback (most recent call last):
    ...
    xl_funnel.plan.config.ConfigError: plan.toml: plan.company: must be text, got 5
    plan.toml: plan.fiscal_year: missing (e.g. fiscal_year = 2027)
    plan.toml: revenue: missing table [revenue]
    plan.toml: funnel: missing table [funnel]
    plan.toml: channels: missing: list at least one [[channels]] table
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"not valid TOML: {error}"], source) from None
    return PlanConfig.from_dict(data, source)


def example_config() -> PlanConfig:
    """The built-in plan: seed 000's funnel and a $10M new-revenue goal from inbound.

    Last year's revenue of $16M grew on average 20 % a year (a dip, then a strong year);
    five points more gives a $20M target, half of it from new inbound customers: $10M at
    $1.1M a deal, 10 customers (9 would bring only $9.9M).

    Examples
    --------
    >>> config = example_config()
    >>> config.stage_names[0], config.stage_rates, config.avg_deal_size
    ('Visits', (0.015, 0.2, 0.2, 0.4, 0.5), 1100000.0)
    """
    return PlanConfig(
        company="Example Co",
        fiscal_year=2027,
        revenue_history=(12_500_000.0, 10_000_000.0, 16_000_000.0),
        growth_uplift=0.05,
        new_revenue_share=0.5,
        avg_deal_size=seed.SEED_AVG_DEAL_SIZE,
        stage_names=seed.SEED_STAGE_NAMES,
        stage_rates=seed.SEED_RATES,
        lead_stage="Leads",
        channels=(
            Channel("Organic search", 180_000.0, 0.30),
            Channel("Email nurture", 60_000.0, 0.15, 0.30),
            Channel("Paid social", 420_000.0, 0.20, 0.10),
            Channel("Content syndication", 240_000.0, 0.20),
            # The channels' own rates average the plan's 20 % lead → MQL rate, weighted by
            # lead share, so the channel mix brings exactly the plan's customers.
            Channel("Webinars", 150_000.0, 0.10, 0.25),
            Channel("Direct mail", 100_000.0, 0.05),
        ),
    )


# --- printing --------------------------------------------------------------------------------

_HEADER = """\
# xl-funnel annual plan configuration.
# Generate the workbook with:  xl-funnel new PLAN.xlsx --config THIS_FILE.toml
# Rates and shares are fractions (0.2 = 20 %); money is in the plan's currency.
"""


def config_toml(config: PlanConfig) -> str:
    """A commented TOML text of `config` that :func:`parse_config` reads back unchanged.

    Examples
    --------
    >>> parse_config(config_toml(example_config())) == example_config()
    True
    """
    data = config.to_dict()
    revenue, funnel, tracking = data["revenue"], data["funnel"], data["tracking"]
    flywheel = data["flywheel"]
    lines = [
        _HEADER,
        "[plan]",
        f"company = {_toml(config.company)}",
        f"fiscal_year = {config.fiscal_year}",
        "# Calendar month the fiscal year starts in (1 = January).",
        f"first_month = {config.first_month}",
        "",
        "[revenue]",
        "# Annual revenue of past years, oldest first (seed 002: look at the last 3 years).",
        f"history = {_toml(revenue['history'])}",
        '# How past growth is averaged: "mean" of year-over-year rates, or "cagr".',
        f"growth_method = {_toml(config.growth_method)}",
        "# Added to past growth: 0.05 = five percentage points more (the stretch).",
        f"growth_uplift = {_toml(config.growth_uplift)}",
        "# Share of next year's revenue target that new customers from this plan must bring.",
        f"new_revenue_share = {_toml(config.new_revenue_share)}",
    ]
    if config.new_revenue_goal is None:
        lines.append("# new_revenue_goal = 10_000_000  # set to override target × share")
    else:
        lines.append("# Overrides target revenue × new_revenue_share.")
        lines.append(f"new_revenue_goal = {_toml(config.new_revenue_goal)}")
    lines += [
        "# Average first-year revenue of a new customer.",
        f"avg_deal_size = {_toml(config.avg_deal_size)}",
        "",
        "[funnel]",
        "# Stage names, top to bottom; the last is the customer stage.",
        f"stages = {_toml(funnel['stages'])}",
        "# Conversion rate from each stage to the next: one fewer than the stages.",
        f"rates = {_toml(funnel['rates'])}",
        "# The stage the channels' lead shares split (default: the second stage).",
        f"lead_stage = {_toml(config.lead_stage)}",
        "# Months from opportunity to close: stages above customers happen this much earlier.",
        f"sales_cycle_months = {_toml(config.sales_cycle_months)}",
        "# Or per-stage lags instead (then leave sales_cycle_months at 0): average months from",
        "# each stage to the next, one per rate, fractions split between two months.",
    ]
    if config.stage_lags is None:
        example = [0.0] * (len(config.stage_rates) - 1) + [1.5]
        lines.append(f"# stage_lags = {_toml(example)}")
    else:
        lines.append(f"stage_lags = {_toml(funnel['stage_lags'])}")
    lines += [
        "# Twelve relative weights, fiscal month 1 first; normalised, so 1s mean a flat year.",
        f"seasonality = {_toml(funnel['seasonality'])}",
        "",
        "[flywheel]",
        "# Existing customers refer new ones (seed 000: funnel vs flywheel); 0 turns it off.",
        "# Customers at the start of the fiscal year; new customers join them month by month.",
        f"customer_base = {_toml(flywheel['customer_base'])}",
        "# Referrals each customer brings per month (0.02 = one every 50 months).",
        f"referrals_per_customer = {_toml(flywheel['referrals_per_customer'])}",
        "# The stage referrals enter at (default: the lead stage).",
        f"entry_stage = {_toml(config.referral_entry_stage)}",
        "# Share of referrals that become customers (default: the funnel's rates from the",
        "# entry stage down).",
    ]
    if config.referral_close_rate is None:
        lines.append("# referral_close_rate = 0.25")
    else:
        lines.append(f"referral_close_rate = {_toml(config.referral_close_rate)}")
    lines += [
        "",
        "[tracking]",
        "# A quarter is on track at this share of its target or more.",
        f"on_track_threshold = {_toml(tracking['on_track_threshold'])}",
        "# Flag a channel whose share of spend exceeds this multiple of its share of customers.",
        f"spend_flag_ratio = {_toml(tracking['spend_flag_ratio'])}",
        "",
        "[dashboard]",
        "# Sensitivity: each stage rate improved by this many rate points (0.01 = one point).",
        f"sensitivity_step = {_toml(config.sensitivity_step)}",
        "",
        "# One [[channels]] table per channel. lead_share: expected share of the plan's leads",
        "# (the shares sum to 1). mql_rate (optional): this channel's rate from lead to the next",
        "# stage, when it differs from the plan's.",
    ]
    for channel in data["channels"]:
        lines.append("[[channels]]")
        lines += [f"{key} = {_toml(value)}" for key, value in channel.items()]
        lines.append("")
    return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, str):
        # JSON string escapes are a subset of TOML basic-string escapes.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        number = int(value)
        return f"{number:_}.0" if abs(number) >= 10_000 else f"{number}.0"
    return repr(float(value))


# --- validation ------------------------------------------------------------------------------

_MISSING = object()
_TOP_KEYS = ("plan", "revenue", "funnel", "flywheel", "tracking", "dashboard", "channels")
_PLAN_KEYS = ("company", "fiscal_year", "first_month")
_REVENUE_KEYS = (
    "history",
    "growth_method",
    "growth_uplift",
    "new_revenue_share",
    "new_revenue_goal",
    "avg_deal_size",
)
_FUNNEL_KEYS = ("stages", "rates", "lead_stage", "sales_cycle_months", "stage_lags", "seasonality")
_FLYWHEEL_KEYS = ("customer_base", "referrals_per_customer", "entry_stage", "referral_close_rate")
_TRACKING_KEYS = ("on_track_threshold", "spend_flag_ratio")
_DASHBOARD_KEYS = ("sensitivity_step",)
_CHANNEL_KEYS = ("name", "budget", "lead_share", "mql_rate")


def _default_lead_stage(stages: tuple[str, ...]) -> str:
    """The first stage named like leads; else the second (visits → leads), else the first."""
    for name in stages[:-1]:
        if "lead" in name.lower():
            return name
    return stages[1] if len(stages) >= 3 else stages[0]


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

    def rate(self, value: Any, path: str, *, zero_ok: bool = False) -> float | None:
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value <= 100:
            self.add(
                path,
                f"must be a fraction between 0 and 1, got {_shown(value)} "
                f"(did you mean {value / 100:g}, i.e. {value:g} %?)",
            )
            return None
        low = "0" if zero_ok else "more than 0"
        return self.number(
            value,
            path,
            (lambda r: 0 <= r <= 1) if zero_ok else (lambda r: 0 < r <= 1),
            f"a fraction from {low} to 1",
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


def _validated(data: Mapping[str, Any], source: str | None) -> PlanConfig:
    """Check every key of `data`; return the config or raise one ConfigError with them all."""
    check = _Checker()
    if not isinstance(data, Mapping):
        raise ConfigError(["the configuration must be a table of tables"], source)
    check.unknown(data, _TOP_KEYS, "")
    plan = check.table(data, "plan", _PLAN_KEYS) or {}
    if "plan" not in data:
        check.add("plan", "missing table [plan]")
    company = check.text(plan, "company", "plan.company")
    year = plan.get("fiscal_year", _MISSING)
    fiscal_year = check.number(
        year,
        "plan.fiscal_year",
        lambda y: y.is_integer() and 1900 <= y <= 9999 and isinstance(year, int),
        "a whole year from 1900 to 9999",
        "fiscal_year = 2027",
    )
    month = plan.get("first_month", 1)
    first_month = check.number(
        month,
        "plan.first_month",
        lambda m: isinstance(month, int) and 1 <= m <= 12,
        "a whole month number from 1 to 12",
    )

    revenue = check.table(data, "revenue", _REVENUE_KEYS)
    if revenue is None and "revenue" not in data:
        check.add("revenue", "missing table [revenue]")
    revenue = revenue or {}
    # Without the table its keys are not reported one by one: "missing table" says it all.
    present = bool(revenue)
    history = check.numbers(
        revenue, "history", "revenue.history", _positive(check, "history = [8e6, 9e6, 10e6]")
    )
    if "history" not in revenue and revenue:
        check.add("revenue.history", "missing (e.g. history = [8_000_000, 9_000_000, 10_000_000])")
    elif history is not None and len(history) < 2:
        check.add(
            "revenue.history", f"needs at least 2 years for a growth rate, got {len(history)}"
        )
        history = None
    method = check.text(revenue, "growth_method", "revenue.growth_method", "mean")
    if method is not None and method not in GROWTH_METHODS:
        check.add("revenue.growth_method", f"must be 'mean' or 'cagr', got {method!r}")
        method = None
    uplift = check.number(
        revenue.get("growth_uplift", 0.05),
        "revenue.growth_uplift",
        lambda u: -1 < u <= 1,
        "a fraction from above -1 to 1 (0.05 = five points)",
    )
    if history is not None and method is not None and uplift is not None:
        try:
            target_revenue_from_history(history, uplift, method)
        except FunnelError as error:
            check.add("revenue.growth_uplift", f"with this history {error}")
    share = check.rate(
        revenue.get("new_revenue_share", _MISSING if present else 0.5), "revenue.new_revenue_share"
    )
    goal = revenue.get("new_revenue_goal", None)
    if goal is not None:
        goal = _positive(check, "")(goal, "revenue.new_revenue_goal")
    deal = _positive(check, "avg_deal_size = 1_100_000")(
        revenue.get("avg_deal_size", _MISSING if present else 1.0), "revenue.avg_deal_size"
    )

    funnel = check.table(data, "funnel", _FUNNEL_KEYS)
    if funnel is None and "funnel" not in data:
        check.add("funnel", "missing table [funnel]")
    funnel = funnel or {}
    stages = funnel.get("stages", _MISSING)
    names: list[str] | None = None
    if stages is _MISSING:
        if funnel:
            check.add("funnel.stages", 'missing (e.g. stages = ["Visits", "Leads", "Customers"])')
    elif not isinstance(stages, list) or len(stages) < 2:
        check.add("funnel.stages", f"must list at least 2 stage names, got {_shown(stages)}")
    else:
        indexed = dict(enumerate(stages))
        checked = [check.text(indexed, i, f"funnel.stages[{i}]") for i in indexed]
        if all(name is not None for name in checked):
            names = checked
            seen: set[str] = set()
            for i, name in enumerate(names):
                if name.strip().lower() in seen:
                    check.add(f"funnel.stages[{i}]", f"{name!r} appears twice: names must differ")
                    names = None
                    break
                seen.add(name.strip().lower())
    rates = check.numbers(funnel, "rates", "funnel.rates", lambda v, p: check.rate(v, p))
    if "rates" not in funnel and funnel:
        check.add("funnel.rates", "missing (e.g. rates = [0.015, 0.2, 0.2, 0.4, 0.5])")
    raw_rates = funnel.get("rates")
    if names is not None and isinstance(raw_rates, list) and len(raw_rates) != len(names) - 1:
        check.add(
            "funnel.rates",
            f"has {len(raw_rates)} rates for {len(names)} stages: give one rate per step "
            f"between stages, {len(names) - 1} in all",
        )
        rates = None
    lead_stage = check.text(funnel, "lead_stage", "funnel.lead_stage", None)
    if lead_stage is not None and names is not None:
        if lead_stage not in names:
            check.add("funnel.lead_stage", f"{lead_stage!r} is not one of the stages {names}")
        elif lead_stage == names[-1]:
            check.add("funnel.lead_stage", "cannot be the last stage: channels bring leads")
    cycle = check.number(
        funnel.get("sales_cycle_months", 0.0),
        "funnel.sales_cycle_months",
        lambda s: 0 <= s <= MAX_SALES_CYCLE_MONTHS,
        f"a number of months from 0 to {MAX_SALES_CYCLE_MONTHS}",
    )
    lags = _stage_lags(check, funnel, raw_rates, rates, cycle)
    weights = check.numbers(
        funnel,
        "seasonality",
        "funnel.seasonality",
        lambda v, p: check.number(v, p, lambda w: w >= 0, "a weight of 0 or more"),
    )
    if weights is not None:
        if len(weights) != 12:
            check.add("funnel.seasonality", f"must list 12 monthly weights, got {len(weights)}")
            weights = None
        elif sum(weights) <= 0:
            check.add("funnel.seasonality", "weights sum to 0: at least one month needs weight")
            weights = None

    flywheel = _flywheel(check, data, names)

    tracking = check.table(data, "tracking", _TRACKING_KEYS) or {}
    on_track = check.number(
        tracking.get("on_track_threshold", 0.9),
        "tracking.on_track_threshold",
        lambda t: 0 < t <= 1,
        "a fraction from more than 0 to 1",
    )
    flag_ratio = check.number(
        tracking.get("spend_flag_ratio", 1.5),
        "tracking.spend_flag_ratio",
        lambda r: 1 <= r <= 100,
        "a multiple from 1 to 100",
    )

    dashboard = check.table(data, "dashboard", _DASHBOARD_KEYS) or {}
    step = _sensitivity_step(check, dashboard.get("sensitivity_step", 0.01))

    channels = _channels(check, data)

    if check.problems:
        raise ConfigError(check.problems, source)
    return _build(
        company=company,
        fiscal_year=int(fiscal_year),
        first_month=int(first_month),
        revenue_history=tuple(history),
        growth_method=method,
        growth_uplift=uplift,
        new_revenue_share=share,
        new_revenue_goal=goal,
        avg_deal_size=deal,
        stage_names=tuple(names),
        stage_rates=tuple(rates),
        lead_stage=lead_stage or _default_lead_stage(tuple(names)),
        sales_cycle_months=cycle,
        seasonality=tuple(weights) if weights is not None else (1.0,) * 12,
        spend_flag_ratio=flag_ratio,
        on_track_threshold=on_track,
        stage_lags=lags,
        customer_base=flywheel["customer_base"],
        referrals_per_customer=flywheel["referrals_per_customer"],
        referral_entry_stage=flywheel["entry_stage"]
        or lead_stage
        or _default_lead_stage(tuple(names)),
        referral_close_rate=flywheel["referral_close_rate"],
        sensitivity_step=step,
        channels=tuple(channels),
        source=source,
    )


def _sensitivity_step(check: _Checker, value: Any) -> float | None:
    """The tornado's step in rate points, with a hint when points were typed as a number."""
    path, wanted = (
        "dashboard.sensitivity_step",
        "rate points from more than 0 to 1 (0.01 = one point)",
    )
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value <= 100:
        check.add(
            path,
            f"must be {wanted}, got {_shown(value)} "
            f"(did you mean {value / 100:g}, i.e. {value:g} points?)",
        )
        return None
    return check.number(value, path, lambda s: 0 < s <= 1, wanted)


def _stage_lags(
    check: _Checker,
    funnel: Mapping[str, Any],
    raw_rates: Any,
    rates: list[float] | None,
    cycle: float | None,
) -> tuple[float, ...] | None:
    """Per-stage lags: one per rate, each 0 to 24 months, reaching back at most 24 in all."""
    if "stage_lags" not in funnel:
        return None
    lags = check.numbers(
        funnel,
        "stage_lags",
        "funnel.stage_lags",
        lambda v, p: check.number(
            v,
            p,
            lambda m: 0 <= m <= MAX_SALES_CYCLE_MONTHS,
            f"a number of months from 0 to {MAX_SALES_CYCLE_MONTHS}",
        ),
    )
    if lags is None:
        return None
    problems = len(check.problems)
    if isinstance(raw_rates, list) and len(lags) != len(raw_rates):
        check.add(
            "funnel.stage_lags",
            f"has {len(lags)} lags for {len(raw_rates)} rates: give one lag per step between "
            "stages (0 where the next stage follows in the same month)",
        )
    if cycle:
        check.add(
            "funnel.stage_lags",
            "give either stage_lags or sales_cycle_months, not both (the cycle is the "
            "shorthand for lags of 0, …, 0, cycle)",
        )
    if rates is not None and len(lags) == len(rates) and lead_months(lags) > MAX_LEAD_MONTHS:
        check.add(
            "funnel.stage_lags",
            f"reach back {lead_months(lags)} months in all (Σ of each lag rounded up): at "
            f"most {MAX_LEAD_MONTHS}",
        )
    return tuple(lags) if len(check.problems) == problems else None


def _flywheel(check: _Checker, data: Mapping[str, Any], names: list[str] | None) -> dict[str, Any]:
    """The optional [flywheel] table; every key defaults to "no referrals"."""
    flywheel = check.table(data, "flywheel", _FLYWHEEL_KEYS) or {}
    base = check.number(
        flywheel.get("customer_base", 0.0),
        "flywheel.customer_base",
        lambda b: b >= 0,
        "a number of customers, 0 or more",
    )
    per_customer = check.number(
        flywheel.get("referrals_per_customer", 0.0),
        "flywheel.referrals_per_customer",
        lambda r: 0 <= r <= MAX_REFERRALS_PER_CUSTOMER,
        f"referrals per customer per month, from 0 to {MAX_REFERRALS_PER_CUSTOMER:g}",
    )
    entry = check.text(flywheel, "entry_stage", "flywheel.entry_stage", None)
    if entry is not None and names is not None and entry not in names:
        check.add("flywheel.entry_stage", f"{entry!r} is not one of the stages {names}")
    close = flywheel.get("referral_close_rate", None)
    if close is not None:
        close = check.rate(close, "flywheel.referral_close_rate", zero_ok=True)
    return {
        "customer_base": base,
        "referrals_per_customer": per_customer,
        "entry_stage": entry,
        "referral_close_rate": close,
    }


def _channels(check: _Checker, data: Mapping[str, Any]) -> list[Channel]:
    raw = data.get("channels", _MISSING)
    if raw is _MISSING:
        check.add("channels", "missing: list at least one [[channels]] table")
        return []
    if not isinstance(raw, list) or not raw:
        check.add("channels", "must be a list of [[channels]] tables")
        return []
    if len(raw) > MAX_CHANNELS:
        check.add("channels", f"at most {MAX_CHANNELS} channels, got {len(raw)}")
        return []
    channels: list[Channel] = []
    seen: dict[str, int] = {}
    shares: list[float] = []
    for i, item in enumerate(raw):
        path = f"channels[{i}]"
        if not isinstance(item, Mapping):
            check.add(path, f"must be a table with name, budget and lead_share, got {item!r}")
            continue
        check.unknown(item, _CHANNEL_KEYS, path)
        name = check.text(item, "name", f"{path}.name")
        if name is not None:
            key = name.strip().lower()
            if key in seen:
                check.add(f"{path}.name", f"{name!r} is also channels[{seen[key]}]: names differ")
            seen.setdefault(key, i)
        budget = _positive(check, "budget = 50_000")(item.get("budget", _MISSING), f"{path}.budget")
        share = check.rate(item.get("lead_share", _MISSING), f"{path}.lead_share", zero_ok=True)
        mql = item.get("mql_rate", None)
        mql_rate = None if mql is None else check.rate(mql, f"{path}.mql_rate")
        if share is not None:
            shares.append(share)
        if None not in (name, budget, share) and (mql is None or mql_rate is not None):
            channels.append(Channel(name, budget, share, mql_rate))
    if len(shares) == len(raw):
        total = math.fsum(shares)
        if abs(total - 1) > SHARE_SUM_TOLERANCE:
            check.add(
                "channels",
                f"lead_share values sum to {total:.4g} ({total * 100:.4g} %): they must sum "
                "to 1 (100 %)",
            )
    return channels


def _build(**fields: Any) -> PlanConfig:
    """Construct without re-running the checks that just passed."""
    config = object.__new__(PlanConfig)
    for name, value in fields.items():
        object.__setattr__(config, name, value)
    return config
