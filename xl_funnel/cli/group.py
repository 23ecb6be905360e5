"""The ``xl-funnel`` click group: sub-commands listed in :data:`~xl_funnel.cli.COMMANDS`,
each imported on first use."""

from __future__ import annotations

import importlib

import click

from xl_funnel import __version__
from xl_funnel.cli import COMMANDS

__all__ = ["LazyGroup", "cli"]


class LazyGroup(click.Group):
    """A group that imports each sub-command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module), attribute)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click suggests a near option name but not a near command name: say it here too.
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=1)
            if close:
                ctx.fail(f"No such command {name!r}. Did you mean {close[0]!r}?")
        return super().resolve_command(ctx, args)

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
