"""The annual-plan workbook generator (``xl-funnel new``).

>>> from xl_funnel.plan import example_config, expected_values
>>> expected_values(example_config())["names"]["NewRevenueGoal"]
10000000.0

Public API: :class:`PlanConfig` (always validated), :class:`Channel`, :class:`PipelineItem`,
:class:`ConfigError`, :func:`load_config`, :func:`parse_config`, :func:`example_config`,
:func:`config_toml`,
:func:`build_workbook`, :func:`workbook_bytes`, :func:`write_plan`, :func:`expected_values`,
:func:`plan_layout` (where every cell lives) and :data:`DEFINED_NAMES`.
"""

from xl_funnel.plan.config import (
    Channel,
    ConfigError,
    PipelineItem,
    PlanConfig,
    config_toml,
    example_config,
    load_config,
    parse_config,
)
from xl_funnel.plan.expected import expected_values
from xl_funnel.plan.layout import Layout, plan_layout
from xl_funnel.plan.writer import build_workbook, workbook_bytes, write_plan
from xl_funnel.plan_names import DEFINED_NAMES  # the names scripts rely on

__all__ = [
    "DEFINED_NAMES",
    "Channel",
    "ConfigError",
    "Layout",
    "PipelineItem",
    "PlanConfig",
    "build_workbook",
    "config_toml",
    "example_config",
    "expected_values",
    "load_config",
    "parse_config",
    "plan_layout",
    "workbook_bytes",
    "write_plan",
]
