"""The size caps a workbook must fit before anything is inflated or computed.

Every figure is checked against the zip's central directory first, so a zip bomb or a sheet far
larger than memory allows is refused before a single byte is inflated. Python's ``zipfile`` never
inflates past the size an entry declares (a lying entry fails its CRC check instead), so the
declared sizes bound the memory used. The same caps are handed to the engine's own loader.
``docs/security.md`` lists them with the reasoning.
"""

from __future__ import annotations

from typing import NamedTuple

from xl_funnel.recalc.lazy_pattern import LazyPattern

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "Limits",
    "array_formula_cells",
    "name_too_large",
]

MiB = 1024 * 1024
#: The size of an Excel worksheet (XFD1048576).
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384


class Limits(NamedTuple):
    """Caps on a workbook package (a named tuple: immutable, ``limits._replace(max_cells=…)``
    gives a changed copy; a dataclass would cost every ``recalc`` its import of ``inspect``).

    Parameters
    ----------
    max_file_bytes : int
        The .xlsx file itself, compressed.
    max_entries : int
        Number of parts (files) in the zip.
    max_part_bytes : int
        One part, inflated (a worksheet's XML is the largest part of a real workbook).
    max_total_bytes : int
        All parts together, inflated.
    max_cells : int
        Cells stored in all worksheets together (counted in the XML before the engine loads it).
    max_ratio : int
        Inflated / compressed size of one part larger than 1 MiB; real XML stays under 100.
    max_name_cells : int
        Cells of one defined name xl-funnel reads (a plan output, a scenario input or output):
        one whole column. A name covering the whole sheet (17 billion cells) is refused, not
        read.
    max_validations : int
        Data validations in all worksheets (Excel's own limit is 65,534 per sheet).
    max_validation_ranges : int
        Ranges (``sqref`` parts) of all data validations together.
    max_table_rows : int
        Rows of a scenario grid or a history file.
    max_result_cells : int
        Output cells of a scenario sweep (scenarios × output cells): the results table is held
        in memory before it is written.
    max_table_bytes : int
        Size of a scenario grid, history or config file.
    """

    max_file_bytes: int = 128 * MiB
    max_entries: int = 10_000
    max_part_bytes: int = 256 * MiB
    max_total_bytes: int = 512 * MiB
    max_cells: int = 5_000_000
    max_ratio: int = 1_000
    max_name_cells: int = MAX_ROWS
    max_validations: int = 65_534
    max_validation_ranges: int = 100_000
    max_result_cells: int = 20_000_000
    max_table_rows: int = 1_000_000
    max_table_bytes: int = 64 * MiB

    def engine_load_limits(self) -> dict[str, int]:
        """The same caps in the form formualizer's loader takes (``load_limits=``)."""
        return {
            "max_input_bytes": self.max_file_bytes,
            "max_entries": self.max_entries,
            "max_expanded_bytes": self.max_total_bytes,
            "max_part_bytes": self.max_part_bytes,
        }


#: The caps ``xl-funnel recalc`` and ``xl-funnel scenarios`` apply.
DEFAULT_LIMITS = Limits()


def name_too_large(name: str, size: int, limits: Limits) -> str:
    """The message refusing to read a defined name past :attr:`Limits.max_name_cells`."""
    return (
        f"the defined name {name!r} covers {size:,} cells; xl-funnel reads names of up to "
        f"{limits.max_name_cells:,} cells (one whole column)"
    )


# <f ...> start tags of a worksheet (any prefix) and the attributes of an array formula.
_F_START = LazyPattern(rb"<(?:\w{1,32}:)?f\s[^>]{0,4096}>")
_ARRAY_TYPE = LazyPattern(rb"""\st\s*=\s*["']array["']""")
_REF = LazyPattern(
    rb"""\sref\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]{1,7}):\$?([A-Z]{1,3})\$?([0-9]{1,7})["']"""
)


def array_formula_cells(part: bytes) -> int:
    """Cells that the multi-cell array formulas of a worksheet part fill beyond their first
    cell (counted from their ``ref``, so ten small tags spanning a million cells each count
    ten million before anything is allocated).

    >>> array_formula_cells(b'<c r="A1"><f t="array" ref="A1:B3">1</f></c>')
    5
    """
    if b"array" not in part:
        return 0
    total = 0
    for tag in _F_START.finditer(part):
        head = tag[0]
        if not _ARRAY_TYPE.search(head):
            continue
        ref = _REF.search(head)
        if ref is None:
            continue
        rows = abs(int(ref[4]) - int(ref[2])) + 1
        cols = abs(_column(ref[3]) - _column(ref[1])) + 1
        total += rows * cols - 1
    return total


def _column(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number
