"""Write a workbook package: every part copied unchanged except the worksheets rewritten.

Entries keep their order, names, timestamps, attributes and compression method, so a part that
was not rewritten inflates to the very same bytes (``vbaProject.bin`` included). The file is
written atomically (:func:`xl_funnel.atomic.atomic_write`).

A rewritten part may be handed over as the pieces it is made of, produced as they are written:
another thread compresses each piece while the next is produced (zlib holds no Python lock
while it works), and the whole part never sits in memory at once.
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
import zipfile
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from xl_funnel.atomic import atomic_write
from xl_funnel.recalc.package import Package

__all__ = ["package_bytes", "write_package"]

# Deflate level 1 is several times faster than the default 6 on worksheet XML and the file
# grows only a little; Excel reads any level.
_LEVEL = 1


# Parts (inflated) past which a second thread compresses while the pieces are made.
_THREADED_BYTES = 8 * 1024 * 1024
# A streamed part is given this many pieces ahead of the compressing thread at most.
_AHEAD = 4
_END = object()


def _entry(original: zipfile.ZipInfo) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(original.filename, original.date_time)
    info.compress_type = original.compress_type
    info.external_attr = original.external_attr
    info.create_system = original.create_system
    info.comment = original.comment
    # The level ZipFile.open(info, "w") compresses at (writestr sets the same attribute).
    info._compresslevel = _LEVEL
    return info


class _Compressing:
    """Entries written to ``archive`` by another thread, in the order they are given."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._queue: queue.Queue[Any] = queue.Queue(_AHEAD)
        self._failed: list[BaseException] = []
        self._stopping = False
        # Set when the thread is done. Not Thread.join/is_alive: Python 3.11 marks a thread
        # stopped when a join of it is interrupted (Ctrl-C), while it still runs.
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xl-funnel zip", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._write_entries()
        finally:
            self._done.set()

    def _write_entries(self) -> None:
        stream = None
        while (item := self._queue.get()) is not None:
            if self._failed or self._stopping:
                continue  # drained until the writer stops: its error is the one raised
            try:
                if isinstance(item, zipfile.ZipInfo):
                    stream = self._archive.open(item, "w")
                elif item is _END:
                    stream, closing = None, stream
                    closing.close()
                else:
                    stream.write(item)
            except BaseException as error:  # raised in the writing thread
                self._failed.append(error)
        if stream is not None:  # stopped mid-entry: the file is being discarded
            with contextlib.suppress(Exception):  # the writer's own error is the one reported
                stream.close()

    def _put(self, item: Any) -> None:
        self._queue.put(item)
        if self._failed:
            raise self._failed[0]

    def write(self, info: zipfile.ZipInfo, pieces: Iterable[bytes]) -> None:
        """Write the entry ``info`` made of ``pieces``."""
        self._put(info)
        for piece in pieces:
            self._put(piece)
        self._put(_END)

    def close(self) -> None:
        """Wait for every entry to be written; raise the error writing one gave."""
        self._queue.put(None)
        self._done.wait()
        if self._failed:
            raise self._failed[0]

    def abort(self) -> None:
        """Stop after the piece being compressed (the rest is dropped, the open entry closed),
        so that the archive can be closed and the file discarded; another error is on its
        way. A second interrupt does not cut this short: it lasts one piece."""
        self._stopping = True
        while not self._done.is_set():
            try:
                self._queue.put(None, timeout=0.1)
                self._done.wait()
            except (KeyboardInterrupt, queue.Full):
                continue


def write_package(
    package: Package,
    replaced: Mapping[str, bytes | Iterable[bytes]],
    target: str | Path,
    removed: Collection[str] = (),
) -> None:
    """Write ``package`` to ``target`` with the parts in ``replaced`` swapped in and those in
    ``removed`` left out. A part in ``replaced`` is its bytes, or the pieces it is made of
    (produced while the parts before them are compressed).

    Raises
    ------
    OSError
        The target cannot be written; it is left as it was.
    """
    with atomic_write(target) as handle, zipfile.ZipFile(handle, "w") as archive:
        if sum(map(len, package.parts.values())) < _THREADED_BYTES:
            # A small package is written in this thread: a second one would cost more to
            # start and feed than it saves (built-in plan: 5 ms against 8 ms).
            replaced = {
                name: data if isinstance(data, bytes) else b"".join(data)
                for name, data in replaced.items()
            }
        entries = (
            (_entry(original), replaced.get(original.filename, package.parts[original.filename]))
            for original in package.entries
            if original.filename not in removed
        )
        if all(isinstance(data, bytes) for data in replaced.values()):
            for info, data in entries:
                archive.writestr(info, data, compresslevel=_LEVEL)
            return
        writer = _Compressing(archive)
        try:
            for info, data in entries:
                writer.write(info, (data,) if isinstance(data, bytes) else data)
            writer.close()
        except BaseException:  # an error, Ctrl-C, SIGTERM: the entry open is closed first
            writer.abort()
            raise


def package_bytes(
    package: Package, replaced: Mapping[str, bytes], compressed: bool = False
) -> bytes:
    """The package with ``replaced`` swapped in, in memory (for the engine); stored without
    compression unless ``compressed``, which is slower but keeps it under a file-size cap."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method, compresslevel=_LEVEL) as archive:
        for original in package.entries:
            name = original.filename
            archive.writestr(name, replaced.get(name, package.parts[name]))
    return buffer.getvalue()
