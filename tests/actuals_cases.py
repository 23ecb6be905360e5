"""The example plan the ``xl-funnel actuals`` tests import CRM exports into: its channels, a
fresh copy of it per test, and how to run the command and read back what it wrote.

The fixtures carry ``name=`` so that a test module imports ``blank_plan_fixture`` and
``plan_fixture`` and its tests still ask for ``plan`` (an imported ``plan`` shadowed by every
test's argument would be ruff's F811).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xl_funnel.cli import cli
from xl_funnel.plan import example_config, write_plan

#: The example plan's channels, in the order of its per-channel blocks.
CHANNELS = [
    "Organic search",
    "Email nurture",
    "Paid social",
    "Content syndication",
    "Webinars",
    "Direct mail",
]


@pytest.fixture(scope="module", name="blank_plan")
def blank_plan_fixture(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("actuals") / "plan.xlsx"
    write_plan(example_config(), path)
    return path.read_bytes()


@pytest.fixture(name="plan")
def plan_fixture(tmp_path, blank_plan) -> Path:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(blank_plan)
    return path


def run(plan: Path, export: Path, *args: str):
    return CliRunner().invoke(cli, ["actuals", str(plan), str(export), *args])


def block(book, name: str) -> list[list]:
    """A defined name's cells as rows of values."""
    destinations = list(book.defined_names[name].destinations)
    sheet, ref = destinations[0]
    return [[cell.value for cell in row] for row in book[sheet][ref.replace("$", "")]]


def channel_rows(book, name: str) -> dict[str, list]:
    """A per-channel block's rows by channel name."""
    return dict(zip(CHANNELS, block(book, name), strict=True))
