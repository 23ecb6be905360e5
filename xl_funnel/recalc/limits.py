"""The size caps a workbook must fit before anything is inflated or computed.

Every figure is checked against the zip's central directory first, so a zip bomb or a sheet far
larger than memory allows is refused before a single byte is inflated. Python's ``zipfile`` never
inflates past the size an entry declares (a lying entry fails its CRC check instead), so the
declared sizes bound the memory used. The same caps are handed to the engine's own loader.
``docs/security.md`` lists them with the reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps on a workbook package.

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
    """

    max_file_bytes: int = 128 * MiB
    max_entries: int = 10_000
    max_part_bytes: int = 256 * MiB
    max_total_bytes: int = 512 * MiB
    max_cells: int = 5_000_000
    max_ratio: int = 1_000

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
