"""Write a workbook package: every part copied unchanged except the worksheets rewritten.

Entries keep their order, names, timestamps, attributes and compression method, so a part that
was not rewritten inflates to the very same bytes (``vbaProject.bin`` included). The file is
written atomically (:func:`xl_funnel.atomic.atomic_write`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection, Mapping
from pathlib import Path

from xl_funnel.atomic import atomic_write
from xl_funnel.recalc.package import Package

__all__ = ["package_bytes", "write_package"]

# Deflate level 1 is several times faster than the default 6 on worksheet XML and the file
# grows only a little; Excel reads any level.
_LEVEL = 1


def _entry(original: zipfile.ZipInfo) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(original.filename, original.date_time)
    info.compress_type = original.compress_type
    info.external_attr = original.external_attr
    info.create_system = original.create_system
    info.comment = original.comment
    return info


def write_package(
    package: Package,
    replaced: Mapping[str, bytes],
    target: str | Path,
    removed: Collection[str] = (),
) -> None:
    """Write ``package`` to ``target`` with the parts in ``replaced`` swapped in and those in
    ``removed`` left out.

    Raises
    ------
    OSError
        The target cannot be written; it is left as it was.
    """
    with atomic_write(target) as handle, zipfile.ZipFile(handle, "w") as archive:
        for original in package.entries:
            if original.filename in removed:
                continue
            data = replaced.get(original.filename, package.parts[original.filename])
            archive.writestr(_entry(original), data, compresslevel=_LEVEL)


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
