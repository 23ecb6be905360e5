"""The ``xl-funnel`` command line.

Sub-commands live in their own modules and are imported only when called, so ``xl-funnel
--help`` and a plain ``recalc`` do not pay for pandas or the workbook generator.
To add one: write ``xl_funnel/cli/NAME.py`` holding a click command, and list it in
:data:`COMMANDS`.

A plain ``xl-funnel recalc BOOK [-o OUT]`` does not even import click (about 20 ms of its
start-up): :mod:`~xl_funnel.cli.recalc_plain` reads those arguments itself and hands anything
else to the click group (:mod:`~xl_funnel.cli.group`).
"""

from __future__ import annotations

import sys
from typing import Any

#: command name → (module, attribute, one-line help shown by ``xl-funnel --help``).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "recalc": ("xl_funnel.cli.recalc", "recalc", "Compute a workbook without Excel; save values."),
    "scenarios": ("xl_funnel.cli.scenarios", "scenarios", "Sweep a plan over a grid of inputs."),
    "backsolve": (
        "xl_funnel.cli.backsolve",
        "backsolve",
        "Solve the funnel backwards from a customer target.",
    ),
    "new": ("xl_funnel.cli.new", "new", "Generate the annual-plan workbook (.xlsx)."),
    "update": (
        "xl_funnel.cli.update",
        "update",
        "Rebuild a plan for a new config, keeping typed inputs and actuals.",
    ),
    "attribute": ("xl_funnel.cli.attribute", "attribute", "Credit revenue to channels by touch."),
    "risk": ("xl_funnel.cli.risk", "risk", "Chance of hitting a plan; P50/P80/P90 volumes."),
    "actuals": (
        "xl_funnel.cli.actuals",
        "actuals",
        "Type a CRM export's monthly actuals into a plan.",
    ),
    "functions": (
        "xl_funnel.cli.functions",
        "functions",
        "List the Excel functions xl-funnel adds.",
    ),
    "excel-setup": (
        "xl_funnel.cli.excel_setup",
        "excel_setup",
        "Point the xlwings Excel add-in at xl-funnel's functions.",
    ),
}


def main() -> None:
    """Console-script entry point."""
    args = sys.argv[1:]
    if args[:1] == ["recalc"]:
        from xl_funnel.cli.recalc_plain import run_plain

        run_plain(args[1:])  # exits when it ran the command; returns when click must
    from xl_funnel.cli.group import cli

    cli(prog_name="xl-funnel")


def __getattr__(name: str) -> Any:
    # ``from xl_funnel.cli import cli`` keeps working; the group loads click on first use.
    if name in ("cli", "LazyGroup"):
        from xl_funnel.cli import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
