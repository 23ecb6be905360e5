"""How the command line reports a problem: one line on stderr per problem, exit code 2."""

from __future__ import annotations

import click


class InputError(click.ClickException):
    """Bad usage or unreadable input: ``Error: <file or argument>: <what is wrong>``, exit 2;
    several problems found at once, one such line each."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        for line in self.format_message().splitlines() or [""]:
            click.echo(f"Error: {line}", err=file is None, file=file)


class ComputedWithErrors(click.ClickException):
    """The workbook computed, but some cells hold error values (``--check``): exit 1. Its line
    says the check failed, not that the command did: the output was written."""

    exit_code = 1

    def show(self, file: object = None) -> None:
        click.echo(f"Check failed: {self.format_message()}", err=file is None, file=file)
