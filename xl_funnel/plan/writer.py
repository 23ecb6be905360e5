"""Build the plan workbook and write it: deterministic bytes, atomic replacement.

openpyxl stamps the document properties with the current time and zip entries with the local
clock; both are fixed here, so the same configuration always gives the same bytes and a
committed workbook changes only when its content does.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.writer.excel import ExcelWriter

from xl_funnel import __version__
from xl_funnel.atomic import atomic_write_bytes
from xl_funnel.plan.config import PlanConfig
from xl_funnel.plan.currency import apply_currency
from xl_funnel.plan.layout import SHEETS, plan_layout
from xl_funnel.plan.sheets import (
    assumptions,
    channel_kpis,
    channels,
    dashboard,
    funnel,
    guide,
    objectives,
    tracking,
)
from xl_funnel.plan.styles import input_style

__all__ = ["FIXED_TIMESTAMP", "build_workbook", "workbook_bytes", "write_plan"]

#: Every generated file claims this creation/modification time (and zip entry time).
FIXED_TIMESTAMP = datetime.datetime(2000, 1, 1, 0, 0, 0)

BUILDERS = {
    "Guide": guide.build,
    "Assumptions": assumptions.build,
    "Funnel": funnel.build,
    "Channels": channels.build,
    "Tracking": tracking.build,
    "Dashboard": dashboard.build,
    "Channel KPIs": channel_kpis.build,
    "Objectives": objectives.build,
}


def build_workbook(config: PlanConfig) -> Workbook:
    """The annual-plan workbook for `config` (in memory; see :func:`write_plan` to save it).

    Examples
    --------
    >>> from xl_funnel.plan.config import example_config
    >>> book = build_workbook(example_config())
    >>> book.sheetnames
    ['Guide', 'Assumptions', 'Funnel', 'Channels', 'Tracking', 'Dashboard', 'Channel KPIs',
     'Objectives']
    >>> book.defined_names["CustomersNeeded"].attr_text
    "'Funnel'!$C$7"
    """
    layout = plan_layout(config)
    book = Workbook()
    book.remove(book.active)
    book.add_named_style(input_style())
    sheets = {name: book.create_sheet(name) for name in SHEETS}
    for name, ref in layout.names.items():
        book.defined_names[name] = DefinedName(name, attr_text=ref.qualified)
    for name in SHEETS:
        BUILDERS[name](sheets[name], config, layout)
    sheets["Guide"].sheet_properties.tabColor = "1F3864"
    sheets["Assumptions"].sheet_properties.tabColor = "FFC000"
    sheets["Tracking"].sheet_properties.tabColor = "FFC000"
    apply_currency(book, config.currency)
    book.active = SHEETS.index("Assumptions")
    # Ask every engine to recalculate on open: the file carries formulas, not cached values.
    book.calculation.fullCalcOnLoad = True
    props = book.properties
    props.creator = props.lastModifiedBy = f"xl-funnel {__version__}"
    props.title = f"{config.company} annual marketing plan FY{config.fiscal_year}"
    props.created = props.modified = FIXED_TIMESTAMP
    return book


def workbook_bytes(config: PlanConfig) -> bytes:
    """The .xlsx file for `config` as bytes; identical for identical configurations."""
    book = build_workbook(config)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return _normalised(raw.getvalue())


def _normalised(data: bytes) -> bytes:
    """Re-pack the archive with fixed entry times and attributes, in the order written."""
    out = io.BytesIO()
    stamp = FIXED_TIMESTAMP.timetuple()[:6]
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            target.writestr(info, source.read(entry.filename), compresslevel=6)
    return out.getvalue()


def write_plan(config: PlanConfig, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write the plan workbook to `path` atomically; return the path.

    The bytes go to a temporary file in the target directory, are flushed to disk (fsync),
    then renamed over `path` (:func:`xl_funnel.atomic.atomic_write`): a crash leaves either
    the old file or the complete new one.
    With ``overwrite=False`` the file is linked into place only if `path` does not exist yet
    (no check-then-write race); :class:`FileExistsError` otherwise.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from xl_funnel.plan.config import example_config
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "plan.xlsx"
    >>> write_plan(example_config(), target).stat().st_size > 10_000
    True
    """
    target = Path(path)
    atomic_write_bytes(target, workbook_bytes(config), overwrite=overwrite)
    return target
