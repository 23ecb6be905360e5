"""Every workbook xl-funnel writes during the tests must open in Excel without a repair prompt.

``xl_funnel.atomic`` appends the path of each file it writes to the file named by
``XL_FUNNEL_WRITE_LOG``; this process sets that variable (subprocesses of ``run_cli`` inherit
it), and after each test every spreadsheet written since the last check is validated with
``../shared/ooxml/validate.py``. A file written by a session fixture is checked after the next
test; whatever is left at the end of the session is checked then.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.ooxml import SPREADSHEET_SUFFIXES, problems
from xl_funnel.atomic import WRITE_LOG_ENV

_log = Path(tempfile.mkstemp(prefix="xl-funnel-writes-", suffix=".log")[1])
os.environ[WRITE_LOG_ENV] = str(_log)
_checked = 0
#: Workbooks validated so far in this process (a test asserts the net catches them).
VALIDATED: list[Path] = []


def _unchecked_problems() -> list[str]:
    global _checked
    with _log.open("rb") as handle:
        handle.seek(_checked)
        new = handle.read()
    # Only whole lines: a writer in another process may be half-way through one.
    complete = new[: new.rfind(b"\n") + 1]
    _checked += len(complete)
    found = []
    for path in dict.fromkeys(Path(p) for p in complete.decode().splitlines()):
        if path.suffix.lower() in SPREADSHEET_SUFFIXES and path.is_file():
            VALIDATED.append(path)
            found += [f"{path}: {p}" for p in problems(path)]
    return found


@pytest.fixture(autouse=True)
def _written_workbooks_open_in_excel(request: pytest.FixtureRequest):
    yield
    # A test that keeps a construct Excel itself writes, which the validator does not model,
    # names that finding (and why) with @pytest.mark.ooxml_false_positive(TEXT, reason=...);
    # one whose input holds what Excel would repair (xl-funnel keeps a user's formulas as they
    # are) with @pytest.mark.ooxml_from_input(TEXT, reason=...), and asserts the input has it.
    known = [
        mark.args[0]
        for name in ("ooxml_false_positive", "ooxml_from_input")
        for mark in request.node.iter_markers(name)
    ]
    found = [p for p in _unchecked_problems() if not any(text in p for text in known)]
    if found:
        pytest.fail("a written workbook would need repair in Excel:\n" + "\n".join(found[:20]))


def pytest_sessionfinish(session: pytest.Session) -> None:
    found = _unchecked_problems()
    _log.unlink(missing_ok=True)
    if found:
        print("\na written workbook would need repair in Excel:\n" + "\n".join(found[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
