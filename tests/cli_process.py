"""Run ``xl-funnel`` in a fresh process, as a user's shell would (exit codes, stderr, files)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def run_cli(
    *args: str,
    cwd: Path,
    timeout: float = 600,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess:
    """``xl-funnel ARGS`` in ``cwd``; text output captured, never raising on a non-zero exit.

    ``preexec_fn`` runs in the child before the command (e.g. to cap its memory)."""
    return subprocess.run(
        [sys.executable, "-c", "from xl_funnel.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=preexec_fn,
    )
