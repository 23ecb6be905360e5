"""Assert that a workbook opens in Excel without repair (see :mod:`tests.ooxml`).

Every workbook written through ``xl_funnel.atomic`` is validated after its test anyway
(``tests/conftest.py``); tests call this to check a specific file at a specific point.
"""

from __future__ import annotations

from pathlib import Path

from tests.ooxml import problems


def assert_valid(path: str | Path) -> None:
    """Fail (never skip) when the validator is missing or finds an error in ``path``."""
    found = problems(path)
    assert found == [], "\n".join(found)


def assert_opens_in_excel(*paths: str | Path) -> None:
    """:func:`assert_valid` for each of ``paths``."""
    for path in paths:
        assert_valid(path)
