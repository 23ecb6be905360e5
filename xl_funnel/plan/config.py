"""What a plan is made of: the validated configuration, read from TOML or built in.

A :class:`PlanConfig` is always valid: building one (from TOML, from a dict, or directly)
checks every field and raises :class:`ConfigError` listing *all* problems at once, each with
its key path (``channels[2].lead_share: must be a fraction from 0 to 1, got 5``), so a planner
fixes a file in one pass instead of one error per run. The checks live in
:mod:`~xl_funnel.plan.config_validate` (one function per section in
:mod:`~xl_funnel.plan.config_sections`), the TOML printer in :mod:`~xl_funnel.plan.config_toml`.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xl_funnel import seed
from xl_funnel.channel_money import channel_plan_rates
from xl_funnel.plan.config_checks import (
    SHARE_SUM_TOLERANCE,
    ConfigError,
    _default_lead_stage,
)
from xl_funnel.plan.config_toml import config_toml
from xl_funnel.scheduling import lead_months

#: Default achievable rate: the plan's rate, ten percent better.
ACHIEVABLE_UPLIFT = 1.1

__all__ = [
    "ACHIEVABLE_UPLIFT",
    "SHARE_SUM_TOLERANCE",
    "Channel",
    "ConfigError",
    "PipelineItem",
    "PlanConfig",
    "config_toml",
    "example_config",
    "load_config",
    "parse_config",
]


@dataclass(frozen=True)
class Channel:
    """One marketing channel: the share of the plan's volume it brings, and what that costs.

    A channel brings ``lead_share`` of the volume of its entry stage (``entry_stage``; None =
    the plan's lead stage) and pays ``cost_per_unit`` for each unit of it, plus
    ``fixed_cost`` a year. ``budget`` is the older form, a fixed yearly cost: it is the
    channel's fixed cost when neither of the other two is given.
    """

    name: str
    budget: float | None
    lead_share: float
    #: Rate from the entry stage to the next for this channel; None = the plan's rate.
    mql_rate: float | None = None
    entry_stage: str | None = None
    cost_per_unit: float | None = None
    fixed_cost: float | None = None

    @property
    def unit_cost(self) -> float:
        """Cost of one unit at the entry stage (0 when not given)."""
        return float(self.cost_per_unit or 0.0)

    @property
    def fixed(self) -> float:
        """Fixed yearly cost: ``fixed_cost``, else the older ``budget``, else 0."""
        if self.fixed_cost is not None:
            return float(self.fixed_cost)
        if self.cost_per_unit is None and self.budget is not None:
            return float(self.budget)
        return 0.0


@dataclass(frozen=True)
class PipelineItem:
    """Open units at one stage when the year starts, and the fiscal months they close in.

    ``count`` units of ``stage`` are expected to become customers (at the plan's rates from
    that stage down) spread evenly over ``months`` (fiscal months, 1 = the first).
    """

    stage: str
    count: float
    months: tuple[int, ...] = (1,)


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
    #: Rate each stage could reach (the Dashboard's levers); None = each plan rate × 1.1
    #: (at most 100 %).
    achievable_rates: tuple[float, ...] | None = None
    #: The budget the plan is given (None = not capped): the Dashboard's "budget given".
    budget_cap: float | None = None
    #: Monthly and quarterly targets in whole units (rounded up cumulatively), or exact.
    whole_units: bool = True
    #: Currency code (USD, EUR, …) or symbol ($, ₽, …) every money format shows.
    currency: str = "USD"
    #: Growth of next year's monthly customers over this year's (None = the plan's growth:
    #: historical growth + uplift): what the year's last months prepare for.
    next_year_growth: float | None = None
    #: The pipeline the year starts with.
    pipeline: tuple[PipelineItem, ...] = ()
    #: The revenue bridge: recurring revenue at the start of the year (None = the flat
    #: new_revenue_share model), its gross churn and expansion over the year.
    start_arr: float | None = None
    gross_churn: float = 0.0
    expansion: float = 0.0
    #: Sales: the pipeline coverage rule (× the quarter's new revenue), ramped reps and the
    #: yearly quota of one (None = no capacity check), the sales cost (fully loaded CAC).
    pipeline_coverage: float = 3.0
    ramped_reps: float | None = None
    rep_quota: float | None = None
    sales_cost: float | None = None
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        from xl_funnel.plan.config_validate import validated  # it builds PlanConfigs

        validated(self.to_dict(), self.source)
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
    def entry_stages(self) -> tuple[str, ...]:
        """The stage each channel brings (its own ``entry_stage``, else the lead stage)."""
        return tuple(c.entry_stage or self.lead_stage for c in self.channels)

    @property
    def plan_rates(self) -> tuple[float, ...]:
        """The rates the plan uses: at a stage channels bring, theirs weighted by share."""
        entry = [self.stage_names.index(stage) for stage in self.entry_stages]
        own = [math.nan if c.mql_rate is None else c.mql_rate for c in self.channels]
        shares = [c.lead_share for c in self.channels]
        rates = channel_plan_rates(self.stage_rates, entry, shares, own)
        return tuple(float(rate) for rate in rates)

    @property
    def achievable(self) -> tuple[float, ...]:
        """Achievable rate per stage: ``achievable_rates``, else each plan rate × 1.1
        (at most 100 %)."""
        if self.achievable_rates is not None:
            return self.achievable_rates
        return tuple(min(1.0, rate * ACHIEVABLE_UPLIFT) for rate in self.plan_rates)

    @property
    def pipeline_grid(self) -> list[list[float]]:
        """Open counts: one row per stage above the customers × the 12 fiscal months."""
        grid = [[0.0] * 12 for _ in self.stage_rates]
        for item in self.pipeline:
            for month in item.months:
                grid[self.stage_names.index(item.stage)][month - 1] += item.count / len(item.months)
        return grid

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
        if self.start_arr is not None:
            revenue["start_arr"] = self.start_arr
        revenue["gross_churn"] = self.gross_churn
        revenue["expansion"] = self.expansion
        sales: dict[str, Any] = {"pipeline_coverage": self.pipeline_coverage}
        for key, value in (
            ("ramped_reps", self.ramped_reps),
            ("quota", self.rep_quota),
            ("sales_cost", self.sales_cost),
        ):
            if value is not None:
                sales[key] = value
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
            row: dict[str, Any] = {"name": channel.name, "lead_share": channel.lead_share}
            for key in ("entry_stage", "mql_rate", "cost_per_unit", "fixed_cost", "budget"):
                if getattr(channel, key) is not None:
                    row[key] = getattr(channel, key)
            channels.append(row)
        return {
            "plan": {
                "company": self.company,
                "fiscal_year": self.fiscal_year,
                "first_month": self.first_month,
                "whole_units": self.whole_units,
                "currency": self.currency,
            },
            "revenue": revenue,
            "funnel": funnel,
            "flywheel": flywheel,
            "tracking": {
                "on_track_threshold": self.on_track_threshold,
                "spend_flag_ratio": self.spend_flag_ratio,
            },
            "dashboard": {
                "sensitivity_step": self.sensitivity_step,
                **(
                    {"achievable_rates": list(self.achievable_rates)}
                    if self.achievable_rates is not None
                    else {}
                ),
            },
            "sales": sales,
            **({"budget": {"cap": self.budget_cap}} if self.budget_cap is not None else {}),
            **(
                {"calendar": {"next_year_growth": self.next_year_growth}}
                if self.next_year_growth is not None
                else {}
            ),
            **(
                {
                    "pipeline": [
                        {"stage": p.stage, "count": p.count, "months": list(p.months)}
                        for p in self.pipeline
                    ]
                }
                if self.pipeline
                else {}
            ),
            "channels": channels,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> PlanConfig:
        """Validate nested tables (as TOML gives them) into a config; all problems at once."""
        from xl_funnel.plan.config_validate import validated

        return validated(data, source)


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


def parse_config(text: str, source: str = "<config>") -> PlanConfig:
    """Validate the text of a TOML plan configuration.

    Examples
    --------
    >>> parse_config('[plan]\\ncompany = 5', "plan.toml")
    Traceback (most recent call last):
    ...
    xl_funnel.plan.config_checks.ConfigError: plan.toml: plan.company: must be text, got 5
    plan.toml: plan.fiscal_year: missing (e.g. fiscal_year = 2027)
    plan.toml: revenue: missing table [revenue]
    plan.toml: funnel: missing table [funnel]
    plan.toml: channels: missing: list at least one [[channels]] table
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = _ERROR_LINE.search(str(error))
        at = [int(line[1])] if line else None
        raise ConfigError(
            [f"not valid TOML: {error}", *_decimal_commas(text, at)], source
        ) from None
    try:
        return PlanConfig.from_dict(data, source)
    except ConfigError as error:
        if hints := _decimal_commas(text):
            raise ConfigError([*error.problems, *hints], source) from None
        raise


_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)")
# Digits, a comma and digits with no space between (0,2 or 1,200,000): a decimal comma as
# European spreadsheets write it, or thousands separated by commas; TOML reads several numbers
# (or refuses "015"). Not after "-" or ":" (a date or a time goes on).
_COMMA_NUMBER = re.compile(r"(?<![\w.:-])[0-9]+(?:,[0-9]+)+(?![\w.:-])")
_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")
# TOML's strings: multi-line ones first (basic and literal), then one-line ones.
_QUOTED = re.compile(r'"""[\s\S]*?"""' r"|'{3}[\s\S]*?'{3}" r'|"(?:[^"\\\n]|\\.)*"' r"|'[^'\n]*'")


def _decimal_commas(text: str, lines: list[int] | None = None) -> list[str]:
    """A hint for each number written with a comma on a line (of ``lines``, 1-based, or all)
    outside strings and comments: at a line TOML refused, any; elsewhere only in a list that
    also separates its items by a comma and a space (``[0,25, 0,1]``; ``[0,0,1]`` is a list
    of whole numbers). Lines are counted as TOML counts them, at line feeds."""
    # Each string becomes an empty one of as many lines, so the lines keep their numbers.
    code = _QUOTED.sub(lambda match: '""' + "\n" * match[0].count("\n"), text)
    hints = []
    for number, line in enumerate(code.split("\n"), 1):
        if lines is not None and number not in lines:
            continue
        line = line.partition("#")[0]
        if lines is None and ", " not in line:
            continue
        for found in dict.fromkeys(_COMMA_NUMBER.findall(line)):  # each once
            decimal = found.replace(",", ".") if found.count(",") == 1 else None
            if _THOUSANDS.fullmatch(found):
                advice = f"write {found.replace(',', '_')} for thousands"
                advice += f", {decimal} for a decimal" if decimal else ""
            elif decimal is not None:
                advice = f"write {decimal} for a decimal"
            else:
                continue
            hints.append(f"line {number}: {found!r} reads as several numbers in TOML: {advice}")
    return hints


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
            # Organic search and email cost a team, not a price per lead: fixed costs only.
            Channel("Organic search", None, 0.30, fixed_cost=180_000.0),
            Channel("Email nurture", None, 0.15, 0.30, fixed_cost=60_000.0),
            Channel("Paid social", None, 0.20, 0.10, cost_per_unit=1_680.0),
            Channel("Content syndication", None, 0.20, cost_per_unit=960.0),
            # The channels' own rates average the plan's 20 % lead → MQL rate, weighted by
            # lead share, so the channel mix brings exactly the plan's customers.
            Channel("Webinars", None, 0.10, 0.25, cost_per_unit=800.0, fixed_cost=50_000.0),
            # A campaign priced as a whole, not per lead.
            Channel("Direct mail", None, 0.05, fixed_cost=100_000.0),
        ),
        # What the team believes each stage can reach: a better landing page (1.5 % → 1.8 %),
        # tighter lead scoring (20 % → 25 %), the rest about ten percent.
        achievable_rates=(0.018, 0.25, 0.22, 0.45, 0.55),
        budget_cap=1_200_000.0,
    )
