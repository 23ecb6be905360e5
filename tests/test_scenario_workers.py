"""``scenarios --jobs N``: the worker processes end with their parent (issue 14)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.data.recalc.books import mini_plan


def children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc, Linux)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Fields after the command name in parentheses: state, ppid, ...
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_workers_end_with_their_parent(tmp_path, signum):
    mini_plan(tmp_path / "plan.xlsx")
    rows = "".join(f"{900_000 + i}\n" for i in range(200_000))
    (tmp_path / "grid.csv").write_text("AvgDealSize\n" + rows)
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from xl_funnel.cli import main; main()",
            "scenarios",
            "plan.xlsx",
            "grid.csv",
            "-o",
            "out.csv",
            "--jobs",
            "4",
        ],
        cwd=tmp_path,
        # Files, not pipes: a worker still starting holds inherited pipes open, and reading
        # them to their end would time the parent's exit by the slowest worker's.
        stdout=(tmp_path / "stdout").open("wb"),
        stderr=(tmp_path / "stderr").open("wb"),
        # Ctrl-C as in a terminal, even when this test runs from a background job (which
        # starts with SIGINT ignored, and Python then never raises KeyboardInterrupt).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Four workers (plus multiprocessing's resource tracker) once the grid is parsed.
    wait_until(lambda: len(children(parent.pid)) >= 4 or parent.poll() is not None, 120)
    assert parent.poll() is None, (tmp_path / "stderr").read_text()
    workers = children(parent.pid)
    parent.send_signal(signum)
    parent.wait(timeout=60)
    err = (tmp_path / "stderr").read_bytes()
    assert parent.returncode != 0
    assert b"Traceback" not in err
    wait_until(lambda: not any(alive(pid) for pid in workers))
    assert not (tmp_path / "out.csv").exists()
    assert not list(tmp_path.glob(".out.csv.*"))
