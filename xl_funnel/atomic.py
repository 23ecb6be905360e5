"""Write a file so that readers see the old file or the complete new one, never a partial one.

The bytes go to a temporary file in the target's own directory (so the final rename never
crosses a file system), are flushed and ``fsync``-ed, and the temporary file is renamed over the
target with :func:`os.replace`, which POSIX makes atomic. The directory is ``fsync``-ed too, so
the rename itself survives a power cut. If anything fails before the rename (an exception, a
full disk, a killed process) the target is untouched; the temporary file is removed on an
exception, and one orphaned by ``SIGKILL`` is a hidden ``.NAME.*.tmp`` file beside the target.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_write(folder / "plan.csv") as handle:
...     _ = handle.write(b"a,b\\n")
>>> (folder / "plan.csv").read_bytes()
b'a,b\\n'
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["WRITE_LOG_ENV", "atomic_write", "atomic_write_bytes"]

#: When this environment variable names a file, the path of every file written here is
#: appended to it, one a line. The test suite sets it and checks each workbook xl-funnel wrote
#: against Excel's load rules (``tests/conftest.py``); users may set it to audit writes.
WRITE_LOG_ENV = "XL_FUNNEL_WRITE_LOG"


def _new_file_mode(target: Path) -> int:
    """Permissions for the result: the target's own if it exists, else what ``open`` gives."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    # Not every platform lets a directory be opened (Windows); the rename is durable there anyway.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[BinaryIO]:
    """Open a binary file that replaces ``path`` only when the ``with`` block succeeds.

    Parameters
    ----------
    path : path-like
        The file to create or replace. Its directory must exist.
    overwrite : bool
        Replace an existing ``path`` (the default). When false, the file is linked into place
        only if ``path`` does not exist at that moment (no check-then-write race), and
        :class:`FileExistsError` is raised otherwise.

    Yields
    ------
    BinaryIO
        A file open for writing; write the whole new content to it.

    Raises
    ------
    OSError
        The directory cannot be written, or the disk is full; the target is unchanged and no
        temporary file is left.
    FileExistsError
        ``overwrite`` is false and ``path`` exists (it is unchanged).

    Notes
    -----
    temp = mkstemp(dir=dirname(path)); write; flush; fsync(temp); rename(temp, path) (or
    link(temp, path); unlink(temp) without overwrite); fsync(dirname(path)). An existing
    target's permission bits are kept.

    References
    ----------
    POSIX ``rename(2)``: "If newpath already exists, it will be atomically replaced".
    """
    target = Path(path)
    directory = target.parent
    mode = _new_file_mode(target)
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        if overwrite:
            os.replace(temp_name, target)
        else:
            os.link(temp_name, target)  # fails if the target exists, atomically
            os.unlink(temp_name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(directory)
    _log_write(target)


def _log_write(target: Path) -> None:
    log = os.environ.get(WRITE_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.path.abspath(target)}\n")


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, overwrite: bool = True
) -> None:
    """Replace ``path`` with ``data`` atomically (see :func:`atomic_write`).

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.bin"
    >>> atomic_write_bytes(target, b"xl")
    >>> target.read_bytes()
    b'xl'
    """
    with atomic_write(path, overwrite=overwrite) as handle:
        handle.write(data)
