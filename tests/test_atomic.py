"""xl_funnel.atomic: the target is the old file or the complete new one, never a partial one."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from xl_funnel.atomic import atomic_write, atomic_write_bytes


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
