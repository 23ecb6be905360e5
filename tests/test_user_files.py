"""Never lose a user's file: every writing command, run as a user would (issue 14).

Each test runs the real command line in a subprocess: the output may be no input (by any
spelling), a symlinked target updates the real file, two writers of one file never undo each
other, SIGTERM leaves nothing behind, and a config failing late writes nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.cli_process import run_cli
from tests.data.recalc.books import mini_plan
from tests.test_cli_risk import small_plan
from xl_funnel.plan import config_toml, example_config


def one_line_refusal(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def cached(path: Path, sheet: str, cell: str):
    return openpyxl.load_workbook(path, data_only=True)[sheet][cell].value


# --- the output is never an input ----------------------------------------------------------


@pytest.fixture
def scenario_folder(tmp_path) -> Path:
    mini_plan(tmp_path / "plan.xlsx")
    (tmp_path / "grid.csv").write_text("AvgDealSize\n1000000\n1200000\n")
    os.link(tmp_path / "plan.xlsx", tmp_path / "hard.xlsx")
    (tmp_path / "link.xlsx").symlink_to(tmp_path / "plan.xlsx")
    (tmp_path / "sub").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "output",
    ["plan.xlsx", "./plan.xlsx", "sub/../plan.xlsx", "ABSOLUTE", "hard.xlsx", "link.xlsx"],
)
def test_scenarios_never_writes_over_the_plan(scenario_folder, output):
    before = files(scenario_folder)
    target = str(scenario_folder / "plan.xlsx") if output == "ABSOLUTE" else output
    result = run_cli("scenarios", "plan.xlsx", "grid.csv", "-o", target, cwd=scenario_folder)
    one_line_refusal(result, "is the input", "choose another output")
    assert files(scenario_folder) == before


def test_scenarios_never_writes_over_the_grid(scenario_folder):
    before = files(scenario_folder)
    result = run_cli("scenarios", "plan.xlsx", "grid.csv", "-o", "grid.csv", cwd=scenario_folder)
    one_line_refusal(result, "grid.csv", "is the input")
    assert files(scenario_folder) == before


def test_recalc_output_by_hard_link_is_the_input(scenario_folder):
    before = files(scenario_folder)
    result = run_cli("recalc", "plan.xlsx", "-o", "hard.xlsx", cwd=scenario_folder)
    one_line_refusal(result, "is the input workbook")
    assert files(scenario_folder) == before


# --- symlinked targets: the real file is replaced, the link stays --------------------------


def _linked(tmp_path: Path, name: str) -> tuple[Path, Path]:
    real_folder = tmp_path / "real"
    real_folder.mkdir(exist_ok=True)
    return real_folder / name, tmp_path / name


def test_recalc_in_place_through_a_symlink_updates_the_real_file(tmp_path):
    real, link = _linked(tmp_path, "plan.xlsx")
    mini_plan(real)
    real.chmod(0o640)
    link.symlink_to(real)
    assert cached(real, "Funnel", "B1") is None
    result = run_cli("recalc", "plan.xlsx", "--in-place", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert cached(real, "Funnel", "B1") == 10  # ceil(10e6 / 1.1e6) customers
    assert (real.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["plan.xlsx"]


def test_risk_write_through_a_symlink_updates_the_real_file(tmp_path):
    real, link = _linked(tmp_path, "plan.xlsx")
    small_plan(real)
    link.symlink_to(real)
    result = run_cli("risk", "plan.xlsx", "--write", "--trials", "2000", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert "Risk" in openpyxl.load_workbook(real).sheetnames


def test_new_force_through_a_symlink_updates_the_real_file(tmp_path):
    real, link = _linked(tmp_path, "plan.xlsx")
    real.write_bytes(b"an old plan")
    link.symlink_to(real)
    result = run_cli("new", "plan.xlsx", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert "Assumptions" in openpyxl.load_workbook(real).sheetnames


def test_excel_setup_through_a_symlink_updates_the_real_file(tmp_path):
    real, link = _linked(tmp_path, "xlwings.conf")
    real.write_bytes(b'"SHOW CONSOLE","False"\r\n')
    link.symlink_to(real)
    result = run_cli("excel-setup", "--workbook", "plan.xlsm", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert real.read_bytes() == b'"SHOW CONSOLE","False"\r\n"UDF MODULES","xl_funnel.udfs"\r\n'


# --- nothing written before computation succeeds -------------------------------------------


def _late_failing(text: str, case: str) -> str:
    if case == "budgets of 1e308":
        return text.replace("fixed_cost = 180_000.0", "fixed_cost = 1e308").replace(
            "fixed_cost = 60_000.0", "fixed_cost = 1e308"
        )
    if case == "a deal size of 5e-324":
        return text.replace("avg_deal_size = 1_100_000.0", "avg_deal_size = 5e-324")
    stages = ", ".join(f'"S{i}"' for i in range(400))
    text = text.replace(
        'stages = ["Visits", "Leads", "MQLs", "SQLs", "Opportunities", "Customers"]',
        f"stages = [{stages}]",
    )
    text = text.replace(
        "rates = [0.015, 0.2, 0.2, 0.4, 0.5]", f"rates = [{', '.join(['0.9'] * 399)}]"
    )
    text = text.replace("achievable_rates = [0.018, 0.25, 0.22, 0.45, 0.55]", "")
    text = text.replace('"Leads"', '"S1"').replace("fixed_cost = 180_000.0", "fixed_cost = 1e308")
    return text.replace("fixed_cost = 60_000.0", "fixed_cost = 1e308").replace(
        "avg_deal_size = 1_100_000.0", "avg_deal_size = 5e-324"
    )


@pytest.mark.parametrize(
    "case", ["budgets of 1e308", "a deal size of 5e-324", "400 stages and both"]
)
def test_new_force_with_a_config_failing_late_keeps_the_old_plan(tmp_path, case):
    (tmp_path / "plan.xlsx").write_bytes(b"the planner's old plan")
    (tmp_path / "bad.toml").write_text(_late_failing(config_toml(example_config()), case))
    result = run_cli("new", "plan.xlsx", "--config", "bad.toml", "--force", cwd=tmp_path)
    one_line_refusal(result, "bad.toml", "cannot be computed", "finite")
    assert (tmp_path / "plan.xlsx").read_bytes() == b"the planner's old plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "plan.xlsx"]


# --- two writers, one file -----------------------------------------------------------------


def _spawn(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from xl_funnel.cli import main; main()", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# The real command, with the final rename held back for two seconds: a second command started
# meanwhile has read the file before this one replaced it (without a lock, one change is lost).
_SLOW_RENAME = """
import os, pathlib, sys, time
from xl_funnel.cli import main
real = os.replace
def slow(source, target):
    pathlib.Path("renaming").write_text("now")
    time.sleep(2)
    return real(source, target)
os.replace = slow
sys.argv = ["xl-funnel", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("first", ["risk", "recalc"])
def test_recalc_in_place_and_risk_write_at_once_keep_both_changes(tmp_path, first):
    plan = small_plan(tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(plan)
    book["Inputs"]["G1"] = "=Inputs!D2*2"  # a formula only recalc gives a cached value
    book.save(plan)
    commands = {
        "risk": ["risk", "plan.xlsx", "--write", "--trials", "2000"],
        "recalc": ["recalc", "plan.xlsx", "--in-place"],
    }
    second = "recalc" if first == "risk" else "risk"
    slow = subprocess.Popen(
        [sys.executable, "-c", _SLOW_RENAME, *commands[first]],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (tmp_path / "renaming").exists():
        assert slow.poll() is None, slow.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    other = _spawn(*commands[second], cwd=tmp_path)
    for process in (slow, other):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert "Risk" in openpyxl.load_workbook(plan).sheetnames
    assert cached(plan, "Inputs", "G1") == 18
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx", "renaming"]


# --- SIGTERM while writing -----------------------------------------------------------------

# Runs the real command with the zip writer slowed down, so the signal lands while the
# temporary file is being written (a large workbook, without waiting for one).
_SLOW_WRITE = """
import io, pathlib, sys, time, zipfile
from xl_funnel.cli import main
real = zipfile.ZipFile.open
def slow(self, name, mode="r", *args, **kwargs):  # each entry written (writestr opens one too)
    if mode == "w" and not isinstance(self.fp, io.BytesIO):  # the file, not the engine's copy
        pathlib.Path("writing").write_text("now")
        time.sleep(0.5)
    return real(self, name, mode, *args, **kwargs)
zipfile.ZipFile.open = slow
sys.argv = ["xl-funnel", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_recalc_in_place_leaves_the_old_file_and_no_temp_file(tmp_path, signum):
    plan = mini_plan(tmp_path / "plan.xlsx")
    old = plan.read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITE, "recalc", "plan.xlsx", "--in-place"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # Ctrl-C as in a shell
    )
    deadline = time.monotonic() + 120
    while not (tmp_path / "writing").exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert list(tmp_path.glob(".plan.xlsx.*.tmp"))  # caught in the act of writing
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert b"Traceback" not in err
    assert plan.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx", "writing"]
    with zipfile.ZipFile(plan) as archive:
        assert archive.testzip() is None
