"""The one way xl-funnel writes a user's file: never half-written, never an input, one writer.

Every command that writes (``new``, ``recalc``, ``scenarios -o``, ``risk --write``,
``excel-setup``) goes through this module:

- **Atomic.** The bytes go to a temporary file in the target's own directory (so the final
  rename never crosses a file system), are flushed and ``fsync``-ed, and the temporary file is
  renamed over the target with :func:`os.replace`, which POSIX makes atomic; the directory is
  ``fsync``-ed too. If anything fails before the rename the target is untouched and the
  temporary file removed. ``SIGTERM`` (like ``SIGINT``) becomes an exception while a file is
  being written, so it removes the temporary file too; only ``SIGKILL`` can orphan a hidden
  ``.NAME.*.tmp`` beside the target, never damage it.
- **Through symlinks.** A symlinked target is followed: the real file behind the link is
  replaced (its permission bits kept) and the link stays a link.
- **Never an input.** :func:`check_not_input` compares ``os.stat`` identities (device and
  inode), so the same file under another spelling, a hard link or a symlink is caught.
- **One writer at a time.** :func:`locked` takes an advisory ``fcntl.flock`` on a hidden lock
  file ``.NAME.lock`` beside the real target for the whole read-compute-write, so a second
  xl-funnel command writing the same file waits (up to :data:`LOCK_WAIT_SECONDS`) and then
  fails with one line instead of silently losing the first one's change. The lock file is
  removed when the lock is released.

Callers compute everything first and open the target last, so nothing is written before
validation and computation have succeeded.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_write(folder / "plan.csv") as handle:
...     _ = handle.write(b"a,b\\n")
>>> (folder / "plan.csv").read_bytes()
b'a,b\\n'
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "LOCK_WAIT_SECONDS",
    "WRITE_LOG_ENV",
    "FileBusyError",
    "OutputIsInputError",
    "atomic_write",
    "atomic_write_bytes",
    "check_not_input",
    "locked",
    "real_target",
    "terminate_as_exit",
]

#: When this environment variable names a file, the path of every file written here is
#: appended to it, one a line. The test suite sets it and checks each workbook xl-funnel wrote
#: against Excel's load rules (``tests/conftest.py``); users may set it to audit writes.
WRITE_LOG_ENV = "XL_FUNNEL_WRITE_LOG"

#: How long a second writer waits for the first before giving up.
LOCK_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.05


class OutputIsInputError(ValueError):
    """The output would replace one of the command's inputs."""


class FileBusyError(OSError):
    """Another xl-funnel command holds the target's lock."""


def real_target(path: str | os.PathLike[str]) -> Path:
    """The file a write to ``path`` must replace: ``path`` with every symlink followed."""
    return Path(os.path.realpath(path))


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def check_not_input(
    target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None]
) -> None:
    """Raise :class:`OutputIsInputError` when ``target`` is the same file as any input.

    Same file means the same device and inode after following symlinks, so ``./plan.xlsx``,
    an absolute path, a hard link and a symlink to the input are all caught.
    """
    mine = _identity(target)
    if mine is None:
        return  # a file that does not exist yet cannot be an input
    for source in inputs:
        if source is not None and _identity(source) == mine:
            raise OutputIsInputError(
                f"{target}: is the input {source} (the same file): choose another output"
            )


# --- signals --------------------------------------------------------------------------------


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def terminate_as_exit() -> Iterator[None]:
    """While inside, ``SIGTERM`` raises :class:`SystemExit` (exit code 143), so ``finally``
    blocks and ``except BaseException`` clean-ups run as they do for Ctrl-C. Only the main
    thread can set signal handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is _exit_on_sigterm:
        yield
        return
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- the lock -------------------------------------------------------------------------------

# Real paths this process has locked: a nested ``locked`` (a command that locks, then writes
# with atomic_write, which locks too) must not wait for itself.
_HELD: dict[Path, int] = {}


def _lock_name(real: Path) -> Path:
    return real.with_name(f".{real.name}.lock")


def _acquire(lock_path: Path, wait: float) -> int | None:
    """A descriptor holding an exclusive flock on ``lock_path``; ``None`` when no lock file
    can be made (a read-only folder: the write itself will fail with the real reason)."""
    import fcntl

    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise FileBusyError(
                    errno.EBUSY,
                    f"another xl-funnel command is writing it (waited {wait:g} s); "
                    "run again when it has finished",
                ) from None
            time.sleep(_POLL_SECONDS)
            continue
        except BaseException:
            os.close(fd)
            raise
        # The holder before us removes the lock file when it is done; a lock on a removed
        # file locks nothing, so take it again on the current one.
        if _same_fd(fd, lock_path):
            return fd
        os.close(fd)


def _same_fd(fd: int, path: Path) -> bool:
    opened = os.fstat(fd)
    return _identity(path) == (opened.st_dev, opened.st_ino)


@contextlib.contextmanager
def locked(path: str | os.PathLike[str], wait: float = LOCK_WAIT_SECONDS) -> Iterator[Path]:
    """Hold the advisory write lock of ``path`` (its real file); yield that real path.

    Take it before reading a file that will be rewritten (``recalc --in-place``, ``risk
    --write``), so two commands editing one file run one after the other instead of one
    silently undoing the other. ``SIGTERM`` inside raises :class:`SystemExit`.

    Raises
    ------
    FileBusyError
        Another process held the lock for ``wait`` seconds.
    """
    real = real_target(path)
    with terminate_as_exit():
        if real in _HELD:
            yield real
            return
        lock_path = _lock_name(real)
        fd = _acquire(lock_path, wait)
        if fd is None:
            yield real
            return
        _HELD[real] = fd
        try:
            yield real
        finally:
            del _HELD[real]
            # Removed while still locked: a process waiting on this file then sees it gone
            # and retries on a fresh one (see _acquire).
            with contextlib.suppress(OSError):
                os.unlink(lock_path)
            os.close(fd)


# --- writing --------------------------------------------------------------------------------


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
def atomic_write(
    path: str | os.PathLike[str],
    *,
    overwrite: bool = True,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Iterator[BinaryIO]:
    """Open a binary file that replaces ``path`` only when the ``with`` block succeeds.

    Parameters
    ----------
    path : path-like
        The file to create or replace (a symlink: the file it points to). Its directory must
        exist.
    overwrite : bool
        Replace an existing ``path`` (the default). When false, the file is linked into place
        only if ``path`` does not exist at that moment (no check-then-write race), and
        :class:`FileExistsError` is raised otherwise.
    inputs : iterable of path-like
        The command's input files; ``path`` may be none of them.

    Yields
    ------
    BinaryIO
        A file open for writing; write the whole new content to it.

    Raises
    ------
    OSError
        The directory cannot be written, the disk is full, or the target is read-only (no
        write permission bit at all); the target is unchanged and no temporary file is left.
    FileExistsError
        ``overwrite`` is false and ``path`` exists (it is unchanged).
    FileBusyError
        Another xl-funnel command is writing ``path``.
    OutputIsInputError
        ``path`` is one of ``inputs``.

    Notes
    -----
    real = realpath(path); lock(.real.lock); temp = mkstemp(dir=dirname(real)); write; flush;
    fsync(temp); chmod(temp, mode(real)); rename(temp, real) (or link(temp, real);
    unlink(temp) without overwrite); fsync(dirname(real)); unlock.

    References
    ----------
    POSIX ``rename(2)``: "If newpath already exists, it will be atomically replaced".
    """
    check_not_input(path, inputs)
    with locked(path) as target:
        directory = target.parent
        mode = _new_file_mode(target)
        if overwrite and target.exists() and not mode & 0o222:
            # The owner made it read-only: a rename would replace it all the same.
            raise PermissionError(errno.EACCES, "the file is read-only; make it writable first")
        fd, temp_name = _temp_file(directory, f".{target.name}.")
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


# Flags of tempfile.mkstemp: a new file only, never through a symlink.
_TEMP_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_TEMP_FLAGS |= getattr(os, "O_BINARY", 0)


def _temp_file(directory: Path, prefix: str) -> tuple[int, str]:
    """``PREFIX<random>.tmp`` in ``directory``, created as ``tempfile.mkstemp`` creates it
    (readable and writable by the owner only, not inherited by child processes). Importing
    tempfile (with shutil and random) would cost every ``recalc`` a few milliseconds."""
    for _ in range(100):
        name = os.path.abspath(os.path.join(directory, f"{prefix}{os.urandom(6).hex()}.tmp"))
        try:
            return os.open(name, _TEMP_FLAGS, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(directory))


def _log_write(target: Path) -> None:
    log = os.environ.get(WRITE_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.path.abspath(target)}\n")


def atomic_write_bytes(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    overwrite: bool = True,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Replace ``path`` with ``data`` atomically (see :func:`atomic_write`).

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.bin"
    >>> atomic_write_bytes(target, b"xl")
    >>> target.read_bytes()
    b'xl'
    """
    with atomic_write(path, overwrite=overwrite, inputs=inputs) as handle:
        handle.write(data)
