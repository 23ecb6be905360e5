"""``xl-funnel backsolve``: the reverse funnel from the shell."""

from __future__ import annotations

import json
import math
import re

import click

from xl_funnel import seed
from xl_funnel.cli.errors import InputError
from xl_funnel.cli.rate_option import Rate
from xl_funnel.diagnosis import default_stage_names
from xl_funnel.errors import FunnelError
from xl_funnel.funnel import backsolve as solve

SEED_RATES = ",".join(f"{rate:g}" for rate in seed.SEED_RATES)
#: The core names its arguments (``rates[2] is 0: …``); the shell user typed these instead.
_OPTIONS = {"target": "TARGET", "rates": "--rates", "periods": "--periods", "buffer": "--buffer"}
_ARGUMENT = re.compile(r"^(target|rates|periods|buffer)\b")


def _in_shell_terms(message: str) -> str:
    """The core's message with its leading argument name replaced by the option's."""
    return _ARGUMENT.sub(lambda match: _OPTIONS[match.group(1)], message, count=1)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class _NumbersAreArguments(click.Command):
    """``backsolve -5``: a negative number is the TARGET (which the core then refuses with a
    clear message), not the unknown option "-5"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, list(args))
        except click.NoSuchOption:
            taking_values = {
                name
                for param in self.params
                if isinstance(param, click.Option) and not param.is_flag
                for name in param.opts
            }
            at = next(
                (
                    i
                    for i, arg in enumerate(args)
                    if arg.startswith("-")
                    and _is_number(arg)
                    and (i == 0 or args[i - 1] not in taking_values)
                ),
                None,
            )
            if at is None or "--" in args:
                raise
            return super().parse_args(ctx, [*args[:at], *args[at + 1 :], "--", args[at]])


@click.command(
    cls=_NumbersAreArguments,
    epilog="\b\nExample (seed 000, 9 customers a year, per month):\n"
    "  xl-funnel backsolve 9 --periods 12",
)
@click.argument("target", type=float)
@click.option(
    "--rates",
    default=SEED_RATES,
    show_default=True,
    help="Stage-to-stage conversion rates, top to bottom: fractions (0.2) or percentages (20%).",
)
@click.option(
    "--stages",
    help="Stage names, top to bottom (one more than rates). Default: seed 000's six names "
    f"({', '.join(seed.SEED_STAGE_NAMES)}) for five rates, else Stage 1 … Stage n.",
)
@click.option("--periods", default=1.0, show_default=True, help="Split the target over N periods.")
@click.option("--round-up", is_flag=True, help="Whole units at every stage.")
@click.option(
    "--buffer",
    type=Rate(low=-math.inf, high=None),
    default=0.0,
    show_default=True,
    help="Safety margin: 0.2 or 20% = 20 % more.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def backsolve(
    target: float,
    rates: str,
    stages: str | None,
    periods: float,
    round_up: bool,
    buffer: float,
    as_json: bool,
) -> None:
    """Volume every stage needs to reach TARGET customers (the reverse funnel)."""
    # Range checks stay with the core, whose messages explain them (a 0 % stage never converts).
    rate_list = Rate(low=-math.inf).parts(rates, "--rates")
    names = (
        [name.strip() for name in stages.split(",")]
        if stages is not None
        else list(default_stage_names(len(rate_list) + 1))
    )
    if len(names) != len(rate_list) + 1:
        raise InputError(
            f"--stages has {len(names)} names for {len(rate_list)} rates: give one name per "
            f"stage, {len(rate_list) + 1} in all"
        )
    try:
        volumes = solve(target, rate_list, periods=periods, round_up=round_up, buffer=buffer)
    except FunnelError as error:
        raise InputError(_in_shell_terms(str(error))) from None
    if as_json:
        click.echo(json.dumps(dict(zip(names, volumes.tolist(), strict=True))))
        return
    width = max(len(name) for name in names)
    for name, volume in zip(names, volumes, strict=True):
        click.echo(f"{name:<{width}}  {volume:>14,.2f}")
