"""Open a user's input file safely: only a regular file, never blocking, never past a size cap.

A FIFO given as a workbook, grid or history file would block ``open`` or ``read`` forever, a
device (``/dev/zero``) would never end, and a directory cannot be read. Each is refused at
once: the file is opened with ``O_NONBLOCK`` (so opening a FIFO without a writer returns at
once) and ``fstat``-ed before a byte is read; the size is checked on the open descriptor, so
the checked file is the file read.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> fifo = os.path.join(folder, "grid.csv")
>>> os.mkfifo(fifo)
>>> read_input_bytes(fifo, 1024)
Traceback (most recent call last):
...
xl_funnel.input_files.InputFileError: is a FIFO (named pipe), not a regular file
"""

from __future__ import annotations

import os
import stat

__all__ = [
    "InputFileError",
    "kind_problem",
    "read_csv_rows",
    "read_input_bytes",
    "read_input_text",
]

_KINDS = (
    (stat.S_ISDIR, "is a directory, not a file"),
    (stat.S_ISFIFO, "is a FIFO (named pipe), not a regular file"),
    (stat.S_ISCHR, "is a device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


class InputFileError(ValueError):
    """An input path that is not a readable regular file; the message leaves out the path
    (the caller names the file, or the option it came from)."""


def kind_problem(mode: int) -> str | None:
    """What is wrong with a file of this ``st_mode`` as an input (None: a regular file)."""
    for test, problem in _KINDS:
        if test(mode):
            return problem
    return None if stat.S_ISREG(mode) else "is not a regular file"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def read_input_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The whole content of the regular file ``path``, at most ``limit`` bytes.

    Raises
    ------
    InputFileError
        ``path`` is missing, unreadable, not a regular file (a directory, FIFO, device or
        socket: refused without blocking), or larger than ``limit``.
    """
    try:
        kind = kind_problem(os.stat(path).st_mode)  # before open: a FIFO is never opened
        if kind is not None:
            raise InputFileError(kind)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputFileError("does not exist") from None
    except PermissionError:
        raise InputFileError("cannot be read: permission denied") from None
    except OSError as error:
        raise InputFileError(f"cannot be read: {error.strerror or error}") from None
    try:
        opened = os.fstat(fd)
        kind = kind_problem(opened.st_mode)  # swapped for a FIFO between stat and open
        if kind is not None:
            raise InputFileError(kind)
        if opened.st_size > limit:
            raise InputFileError(
                f"is {_megabytes(opened.st_size)}; xl-funnel reads such files up to "
                f"{_megabytes(limit)}"
            )
        data = _read_all(fd, limit + 1)
    except OSError as error:
        raise InputFileError(f"cannot be read: {error.strerror or error}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while being read
        raise InputFileError(f"is over {_megabytes(limit)}, the most xl-funnel reads")
    return data


def _read_all(fd: int, most: int) -> bytes:
    chunks, size = [], 0
    while size < most and (chunk := os.read(fd, min(most - size, 1 << 20))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_input_text(path: str | os.PathLike[str], limit: int, encoding: str = "utf-8-sig") -> str:
    """:func:`read_input_bytes` decoded (``utf-8-sig`` drops a byte-order mark).

    Raises
    ------
    InputFileError
        As :func:`read_input_bytes`, or the bytes are not text in ``encoding``.
    """
    data = read_input_bytes(path, limit)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"is not {encoding.removesuffix('-sig').upper()} text (byte {error.start + 1:,} is "
            f"0x{data[error.start]:02X})"
        ) from None


def read_csv_rows(path: str | os.PathLike[str], max_bytes: int, max_rows: int) -> list[list[str]]:
    """The rows of the UTF-8 CSV file ``path`` (a byte-order mark dropped), refusing more than
    ``max_rows`` rows before keeping them all.

    Raises
    ------
    InputFileError
        As :func:`read_input_text`, or the CSV is malformed or has too many rows.
    """
    import csv
    import io

    text = read_input_text(path, max_bytes)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
            if len(rows) > max_rows:
                raise InputFileError(f"has over {max_rows:,} rows, the most xl-funnel reads")
    except csv.Error as error:
        raise InputFileError(f"is not valid CSV (line {len(rows) + 1}: {error})") from None
    return rows
