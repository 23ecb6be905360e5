"""``xl-funnel functions``: every Excel function xl-funnel provides, from the registry."""

from __future__ import annotations

import json
from typing import Any

import click

from xl_funnel.excel.registry import FUNCTIONS, ExcelFunction


def _as_dict(spec: ExcelFunction) -> dict[str, Any]:
    return {
        "name": spec.name,
        "signature": spec.signature(),
        "summary": spec.summary,
        "returns": spec.returns,
        "category": spec.category,
        "min_args": spec.min_args,
        "max_args": spec.max_args,
        "args": [
            {"name": arg.name, "help": arg.help, "optional": arg.optional} for arg in spec.args
        ],
        "errors": [{"value": value, "when": when} for value, when in spec.errors],
    }


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel functions\n"
    "  xl-funnel functions --json > functions.json\n"
    "\n"
    "Reference with examples: docs/functions.md"
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (name, arguments, help).")
def functions(as_json: bool) -> None:
    """List the Excel functions (=NAME(...)) xl-funnel adds, with their arguments."""
    if as_json:
        click.echo(json.dumps([_as_dict(spec) for spec in FUNCTIONS], indent=2, ensure_ascii=False))
        return
    for spec in FUNCTIONS:
        click.echo(spec.signature())
        click.echo(f"    {spec.summary}")
