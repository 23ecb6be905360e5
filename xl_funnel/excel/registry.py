"""Every xl-funnel Excel function, in documentation order.

Functions are declared in topic modules (``functions_funnel``, ``functions_time``, …), each
holding a ``FUNCTIONS`` tuple of :class:`ExcelFunction`. To add a topic, write its module and add
**one line** to :data:`SPEC_MODULES`: the xlwings module (:mod:`xl_funnel.udfs`), the headless
engine, ``xl-funnel functions`` and ``docs/functions.md`` all read :data:`FUNCTIONS`. The one
other place a new function goes is :data:`xl_funnel.recalc.function_names.ARITY`, the names
the headless engine knows without importing numpy; a test fails, printing the table to paste,
when it differs from this registry.

Topic modules import :class:`Arg`, :class:`Example` and :class:`ExcelFunction` from
:mod:`xl_funnel.excel.spec` (not from here), so importing a topic module on its own never
re-enters this module half-initialised.

>>> from xl_funnel.excel.registry import get
>>> spec = get("funnel_backsolve")
>>> spec.name, spec.min_args, spec.max_args
('FUNNEL_BACKSOLVE', 2, 6)
>>> spec(9, [0.015, 0.2, 0.2, 0.4, 0.5], 12)
[[6250.0], [93.75], [18.75], [3.75], [1.5], [0.75]]
"""

from __future__ import annotations

import importlib

from xl_funnel.excel.spec import Arg, Example, ExcelFunction

__all__ = ["FUNCTIONS", "SPEC_MODULES", "Arg", "Example", "ExcelFunction", "get"]

#: Topic modules declaring functions, in documentation order: one line per module.
SPEC_MODULES: tuple[str, ...] = (
    "xl_funnel.excel.functions_funnel",  # funnel, revenue target, lead value, channels
    "xl_funnel.excel.functions_time",  # lags by month, flywheel, pacing, bottleneck diagnosis
    "xl_funnel.excel.functions_risk",  # attribution, probability of hitting the plan, sensitivity
    "xl_funnel.excel.functions_plan",  # the plan's rolling calendar
    "xl_funnel.excel.functions_tracking",  # plan vs actual, catch-up, diagnosis, budget, KPIs
)


def _collect(modules: tuple[str, ...]) -> tuple[ExcelFunction, ...]:
    functions: list[ExcelFunction] = []
    seen: dict[str, str] = {}
    for module_name in modules:
        module = importlib.import_module(module_name)
        for spec in module.FUNCTIONS:
            if spec.name in seen:
                raise RuntimeError(
                    f"Excel function {spec.name} is declared twice: in {seen[spec.name]} "
                    f"and {module_name}"
                )
            seen[spec.name] = module_name
            functions.append(spec)
    return tuple(functions)


#: Every Excel function, in documentation order.
FUNCTIONS: tuple[ExcelFunction, ...] = _collect(SPEC_MODULES)

_BY_NAME = {spec.name: spec for spec in FUNCTIONS}


def get(name: str) -> ExcelFunction:
    """The function called ``name`` (case-insensitive, as Excel reads names).

    Raises
    ------
    KeyError
        No xl-funnel function has that name; the message lists the ones that exist.
    """
    try:
        return _BY_NAME[name.strip().upper()]
    except KeyError:
        raise KeyError(f"no xl-funnel function {name!r}; known: {', '.join(_BY_NAME)}") from None
