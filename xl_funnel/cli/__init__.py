"""The ``xl-funnel`` command line.

Sub-commands live in their own modules and are imported only when called, so ``xl-funnel
--help`` and a plain ``recalc`` do not pay for pandas or the workbook generator.
To add one: write ``xl_funnel/cli/NAME.py`` holding a click command, and list it in
:data:`COMMANDS`.
"""

from __future__ import annotations

import importlib

import click

from xl_funnel import __version__

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


class LazyGroup(click.Group):
    """A group that imports each sub-command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xl-funnel")
def cli() -> None:
    """B2B marketing-plan math for Excel: plan a year backwards from revenue to visits.

    \b
    Exit codes: 0 success; 1 computed, but the workbook holds errors (--check);
    2 bad usage or unreadable input.
    """


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="xl-funnel")
