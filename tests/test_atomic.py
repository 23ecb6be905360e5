"""xl_funnel.atomic: the target is the old file or the complete new one, never a partial one."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xl_funnel.atomic import (
    FileBusyError,
    OutputIsInputError,
    atomic_write,
    atomic_write_bytes,
    check_not_input,
    locked,
)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_the_new_content_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "plan.bin"
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert leftovers(tmp_path) == []


def test_an_exception_keeps_the_old_file_and_removes_the_temp_file(tmp_path):
    target = tmp_path / "plan.bin"
    target.write_bytes(b"old")

    def interrupted_write():
        with atomic_write(target) as handle:
            handle.write(b"half of the new")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        interrupted_write()
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_the_existing_files_permissions_are_kept(tmp_path):
    target = tmp_path / "plan.bin"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_umask_mode_not_mkstemps_0600(tmp_path):
    umask = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "new.csv", b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644


def test_the_data_is_fsynced_before_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1]
    )
    atomic_write_bytes(tmp_path / "out.bin", b"data")
    # file fsync, then the rename, then the directory fsync
    assert calls == ["fsync", "replace", "fsync"]


def test_a_full_disk_during_fsync_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "plan.bin"
    target.write_bytes(b"old")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_bytes(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_without_overwrite_an_existing_file_is_refused_and_kept(tmp_path):
    target = tmp_path / "plan.bin"
    target.write_bytes(b"the planner's own file")
    with pytest.raises(FileExistsError):
        atomic_write_bytes(target, b"new", overwrite=False)
    assert target.read_bytes() == b"the planner's own file"
    assert leftovers(tmp_path) == []


def test_without_overwrite_a_new_file_is_written_whole(tmp_path):
    umask = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "new.bin", b"new", overwrite=False)
    finally:
        os.umask(umask)
    assert (tmp_path / "new.bin").read_bytes() == b"new"
    assert stat.S_IMODE((tmp_path / "new.bin").stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.bin"]


# --- symlinks, inputs, the lock, signals (issue 14) ------------------------------------------


def test_a_symlinked_target_updates_the_real_file_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "plan.bin"
    real.parent.mkdir()
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "plan.bin"
    link.symlink_to(real)
    atomic_write_bytes(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.bin", "real"]
    assert sorted(p.name for p in real.parent.iterdir()) == ["plan.bin"]


@pytest.mark.parametrize("spelling", ["same", "dot", "absolute", "hardlink", "symlink"])
def test_the_output_may_be_no_input_by_any_spelling(tmp_path, monkeypatch, spelling):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "plan.bin"
    source.write_bytes(b"the plan")
    output = {
        "same": Path("plan.bin"),
        "dot": Path("./sub/../plan.bin"),
        "absolute": source.resolve(),
        "hardlink": tmp_path / "hard.bin",
        "symlink": tmp_path / "soft.bin",
    }[spelling]
    (tmp_path / "sub").mkdir()
    os.link(source, tmp_path / "hard.bin")
    (tmp_path / "soft.bin").symlink_to(source)
    with pytest.raises(OutputIsInputError, match="is the input"):
        check_not_input(output, [Path("grid.csv"), Path("plan.bin")])
    with pytest.raises(OutputIsInputError):
        atomic_write_bytes(output, b"results", inputs=[Path("plan.bin")])
    assert source.read_bytes() == b"the plan"


def test_a_new_or_other_file_is_not_an_input(tmp_path):
    (tmp_path / "plan.bin").write_bytes(b"a")
    (tmp_path / "copy.bin").write_bytes(b"a")
    check_not_input(tmp_path / "copy.bin", [tmp_path / "plan.bin", None])
    check_not_input(tmp_path / "new.bin", [tmp_path / "plan.bin"])


_HOLD_LOCK = """
import sys, time, pathlib
from xl_funnel.atomic import locked
with locked(sys.argv[1]):
    pathlib.Path(sys.argv[2]).write_text("held")
    time.sleep(float(sys.argv[3]))
"""


def _holder(target, marker, seconds):
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(target), str(marker), seconds]
    )
    while not marker.exists():
        assert process.poll() is None
        time.sleep(0.01)
    return process


def test_a_second_writer_fails_with_one_line_while_another_process_holds_the_lock(tmp_path):
    target = tmp_path / "plan.bin"
    target.write_bytes(b"old")
    holder = _holder(target, tmp_path / "held", "30")
    try:
        with pytest.raises(FileBusyError) as caught, locked(target, wait=0.3):
            pass
        assert "another xl-funnel command is writing it" in caught.value.strerror
        assert target.read_bytes() == b"old"
    finally:
        holder.kill()
        holder.wait()


def test_a_second_writer_waits_for_the_first_and_then_writes(tmp_path):
    target = tmp_path / "plan.bin"
    target.write_bytes(b"old")
    holder = _holder(target, tmp_path / "held", "0.5")
    atomic_write_bytes(target, b"second")  # waits until the holder is done
    assert holder.wait() == 0
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["held", "plan.bin"]  # no lock file


def test_the_lock_follows_the_symlink_to_the_real_file(tmp_path):
    real = tmp_path / "plan.bin"
    real.write_bytes(b"old")
    (tmp_path / "link.bin").symlink_to(real)
    holder = _holder(real, tmp_path / "held", "30")
    try:
        with pytest.raises(FileBusyError), locked(tmp_path / "link.bin", wait=0.2):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_locking_again_inside_the_same_process_does_not_wait_for_itself(tmp_path):
    target = tmp_path / "plan.bin"
    with locked(target, wait=0.1) as real:
        atomic_write_bytes(target, b"inside")
    assert real == target.resolve()
    assert target.read_bytes() == b"inside"


_WRITE_SLOWLY = """
import pathlib, sys, time
from xl_funnel.atomic import atomic_write
with atomic_write(sys.argv[1]) as handle:
    handle.write(b"half")
    pathlib.Path(sys.argv[2]).write_text("writing")
    time.sleep(30)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_while_writing_remove_the_temp_file(tmp_path, signum):
    target = tmp_path / "plan.bin"
    target.write_bytes(b"old")
    marker = tmp_path / "writing"
    process = subprocess.Popen(
        [sys.executable, "-c", _WRITE_SLOWLY, str(target), str(marker)],
        stderr=subprocess.PIPE,
        # Ctrl-C as in a terminal, even from a background job (which starts with SIGINT
        # ignored, and Python then never raises KeyboardInterrupt).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    while not marker.exists():
        assert process.poll() is None
        time.sleep(0.01)
    assert leftovers(tmp_path)  # the temporary file exists while writing
    process.send_signal(signum)
    process.wait(timeout=30)
    assert process.returncode != 0
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.bin", "writing"]


def test_a_read_only_file_is_never_replaced(tmp_path):
    target = tmp_path / "plan.bin"
    target.write_bytes(b"protected")
    target.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"protected"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.bin"]
