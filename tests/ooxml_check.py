"""Run the shared OOXML validator (does a written .xlsx open in Excel without repair?)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: ``XL_FUNNEL_OOXML_VALIDATE`` points at validate.py; else the team's shared copy beside the tree.
VALIDATOR = Path(
    os.environ.get(
        "XL_FUNNEL_OOXML_VALIDATE",
        Path(__file__).resolve().parents[2] / "shared" / "ooxml" / "validate.py",
    )
)


def assert_opens_in_excel(*paths: Path) -> None:
    """Fail (never skip) when the validator is missing or finds an error in any file."""
    if not VALIDATOR.is_file():
        pytest.fail(f"the OOXML validator is missing: {VALIDATOR} (set XL_FUNNEL_OOXML_VALIDATE)")
    result = subprocess.run(
        [sys.executable, str(VALIDATOR), "--quiet", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
