"""The safety net itself: written workbooks are validated, and a broken one is caught."""

from __future__ import annotations

import zipfile

from tests import conftest
from tests.ooxml import problems
from xl_funnel.atomic import atomic_write_bytes
from xl_funnel.plan import example_config, write_plan


def test_a_written_plan_is_logged_and_validated(tmp_path):
    target = tmp_path / "plan.xlsx"
    write_plan(example_config(), target)
    assert conftest._unchecked_problems() == []
    assert conftest.VALIDATED[-1] == target


def test_the_validator_finds_a_broken_workbook(tmp_path):
    good = tmp_path / "good.xlsx"
    write_plan(example_config(), good)
    assert problems(good) == []
    conftest._unchecked_problems()  # checked here; the broken copy below must not fail the test
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"<sheets>", b"<sheets><bogus/>")
            dst.writestr(item, data)
    found = problems(broken)
    assert found
    assert any("workbook.xml" in p for p in found)


def test_only_spreadsheets_are_validated(tmp_path):
    before = len(conftest.VALIDATED)
    atomic_write_bytes(tmp_path / "out.csv", b"a,b\n1,2\n")
    assert conftest._unchecked_problems() == []
    assert len(conftest.VALIDATED) == before
