"""Run ``xl-funnel`` in a fresh process, as a user's shell would (exit codes, stderr, files)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """``xl-funnel ARGS`` in ``cwd``; text output captured, never raising on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-c", "from xl_funnel.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
