"""``xl-funnel new``: generate the annual-plan workbook."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click

from xl_funnel.cli.errors import InputError

if TYPE_CHECKING:  # the generator loads openpyxl and pandas: import it only when running
    from xl_funnel.plan import PlanConfig


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel new plan.xlsx                      # the built-in example (seed 000)\n"
    "  xl-funnel new --print-config > plan.toml     # a commented config to start from\n"
    "  xl-funnel new plan.xlsx --config plan.toml --force"
)
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Plan configuration (TOML); default: the built-in example.",
)
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.option(
    "--print-config",
    is_flag=True,
    help="Print the configuration (the example, or --config's) as commented TOML and exit.",
)
def new(path: Path | None, config_path: Path | None, force: bool, print_config: bool) -> None:
    """Generate an annual marketing-plan workbook at PATH (.xlsx).

    The workbook computes by itself with native formulas (Excel, LibreOffice, Google Sheets):
    revenue target → customers → every funnel stage by month, channels, monthly tracking
    and a dashboard. Nothing is written when the configuration has problems; all of them are
    listed, one per line.
    """
    from xl_funnel.plan import ConfigError, config_toml, example_config, load_config

    try:
        config = load_config(config_path) if config_path is not None else example_config()
    except ConfigError as error:
        for line in str(error).splitlines():
            click.echo(f"Error: {line}", err=True)
        raise SystemExit(InputError.exit_code) from None
    if print_config:
        if path is not None:
            raise click.UsageError("--print-config prints to stdout: drop PATH")
        click.echo(config_toml(config), nl=False)
        return
    if path is None:
        raise click.UsageError("give the workbook to create, e.g. xl-funnel new plan.xlsx")
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"{path}: the plan workbook must be an .xlsx file")
    if path.exists() and not force:
        raise InputError(f"{path}: already exists; add --force to replace it")
    if not path.parent.is_dir():
        raise InputError(f"{path}: folder {path.parent} does not exist")
    _write(config, path, force, config_path)


def _write(config: PlanConfig, path: Path, force: bool, config_path: Path | None) -> None:
    from xl_funnel.atomic import FileBusyError, OutputIsInputError, atomic_write_bytes
    from xl_funnel.plan import expected_values
    from xl_funnel.plan.currency import currency_symbol
    from xl_funnel.plan.writer import workbook_bytes

    # Everything is computed before the file is opened: a config that passes validation but
    # cannot be computed (budgets of 1e308 summing to inf) leaves the old plan untouched.
    try:
        with warnings.catch_warnings():  # numpy's overflow warnings: the error below says it
            warnings.simplefilter("ignore", RuntimeWarning)
            names = expected_values(config)["names"]
            data = workbook_bytes(config)
    except (ValueError, ArithmeticError) as error:
        source = config_path or "the example configuration"
        raise InputError(f"{source}: the plan cannot be computed: {error}") from None
    try:
        atomic_write_bytes(path, data, overwrite=force, inputs=[config_path])
    except FileExistsError:
        raise InputError(f"{path}: already exists; add --force to replace it") from None
    except OutputIsInputError as error:
        raise InputError(str(error)) from None
    except FileBusyError as error:
        raise InputError(f"{path}: {error.strerror}") from None
    except OSError as error:
        raise InputError(f"{path}: cannot write: {error.strerror or error}") from None
    referrals = names["ReferralCustomers"]
    flywheel = (
        f" (referrals bring {referrals:,.1f}, the funnel {names['FunnelCustomersNeeded']:,.1f})"
        if referrals > 0
        else ""
    )
    money = currency_symbol(config.currency)
    click.echo(
        f"Wrote {path}: {len(config.stage_names)} stages, {len(config.channels)} channels. "
        f"Target revenue {money}{names['TargetRevenue']:,.0f}; new revenue goal "
        f"{money}{names['NewRevenueGoal']:,.0f}; customers needed "
        f"{names['CustomersNeeded']:,.0f}{flywheel}; total budget "
        f"{money}{names['TotalBudget']:,.0f}."
    )
