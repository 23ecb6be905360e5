"""Add or refresh a "Risk" sheet in an existing .xlsx, touching nothing else in the package.

openpyxl cannot do this job: loading and saving a workbook drops its charts and images, and
rewrites every part. Here the package is copied part by part, byte for byte, and only these
change:

- the new (or replaced) Risk worksheet, its drawing and its chart (new parts, or the same
  part names when the sheet is refreshed);
- ``workbook.xml`` (one ``<sheet>`` element appended to ``<sheets>``, so the sheet indices
  that defined names and print areas use do not move), its relationships and
  ``[Content_Types].xml`` (one entry appended per new part);
- ``styles.xml``: at most three cell formats (percent, whole number, date) appended to
  ``<cellXfs>``, reused when already there.

The edits are text insertions before a closing tag, so namespaces, prefixes and the
``mc:Ignorable`` attributes Excel relies on stay exactly as they were. The result is written
with :func:`xl_funnel.atomic.atomic_write_bytes`.

The sheet carries xl-funnel's mark (:mod:`xl_funnel.sheet_marks`); an existing sheet of the
same name without it is the user's and is never replaced (:class:`SheetInTheWayError`).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from xl_funnel.atomic import atomic_write_bytes
from xl_funnel.sheet_marks import add_mark, marked_sheets, sheet_reference

__all__ = [
    "SHEET_NAME",
    "RiskSheet",
    "SheetInTheWayError",
    "WorkbookEditError",
    "add_risk_sheet",
    "risk_sheet",
    "write_risk_sheet",
]

SHEET_NAME = "Risk"

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = {
    "worksheet": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "drawing": "application/vnd.openxmlformats-officedocument.drawing+xml",
    "chart": "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
}
# Built-in number formats every Excel knows: 10 is 0.00%, 3 is #,##0, 14 the short date,
# 22 date and time.
_NAVY = "FF1F3864"
_FONTS = {
    "title": f'<font><b/><sz val="14"/><color rgb="{_NAVY}"/><name val="Calibri"/></font>',
    "header": '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font>',
    "note": '<font><i/><sz val="10"/><color rgb="FF595959"/><name val="Calibri"/></font>',
    "label": '<font><b/><sz val="11"/><name val="Calibri"/></font>',
}
_HEADER_FILL = (
    f'<fill><patternFill patternType="solid"><fgColor rgb="{_NAVY}"/>'
    f'<bgColor rgb="{_NAVY}"/></patternFill></fill>'
)
#: style key → (number format id, font key or None, header fill).
_CELL_STYLES = {
    "percent": (10, None, False),
    "whole": (3, None, False),
    "date": (22, None, False),
    "title": (0, "title", False),
    "header": (0, "header", True),
    "note": (0, "note", False),
    "label": (0, "label", False),
}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# A fixed timestamp for the parts we add, so the same report gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class WorkbookEditError(Exception):
    """The package is not a workbook this module can edit safely."""


class SheetInTheWayError(WorkbookEditError):
    """A sheet of the chosen name exists and xl-funnel did not write it (it has no mark)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the sheet {name!r} was not written by xl-funnel")
        self.name = name


@dataclass(frozen=True)
class RiskSheet:
    """What the Risk sheet shows.

    ``summary`` and ``inputs`` hold (label, value, format) rows, format one of ``"percent"``,
    ``"whole"``, ``"date"`` or ``""``; ``histogram`` holds (bin label, share of trials) rows;
    ``reached[i]`` says whether bin ``i`` reaches the target (its bar is marked); ``note``
    says when the sheet was computed and that it does not follow later edits.
    """

    title: str
    summary: tuple[tuple[str, float | str | dt.date, str], ...]
    histogram: tuple[tuple[str, float], ...]
    reached: tuple[bool, ...] = ()
    inputs: tuple[tuple[str, float | str | dt.date, str], ...] = ()
    note: str = ""
    target: float | None = None


def risk_sheet(report: dict, histogram: Any, inputs: dict, now: dt.datetime) -> RiskSheet:
    """The content of the Risk sheet for ``xl-funnel risk``'s report.

    ``histogram`` is :meth:`~xl_funnel.simulation.Simulation.histogram`'s table; ``inputs``
    the plan's values the simulation used (``rates``, ``stages``, ``needed``, ``target``,
    ``top``) and the options (``history``, ``spread``); ``now`` when it was computed.
    """
    referrals = inputs["target"] != inputs["needed"]
    target = report["funnel_customers_needed"]

    def volume(name: str) -> tuple[str, float | str, str]:
        value = report["volumes"][name]
        return (
            f"{name} volume (reaches the target {name[1:]} % of the time)",
            "out of reach" if value is None else value,
            "whole",
        )

    lows, highs = list(histogram["low"]), list(histogram["high"])
    bins = tuple(
        (f"{low:,}" if low == high else f"{low:,}–{high:,}", float(share))
        for low, high, share in zip(lows, highs, histogram["probability"], strict=True)
    )
    stages = inputs.get("stages") or [f"Stage {i}" for i in range(1, len(inputs["rates"]) + 2)]
    rates = ", ".join(
        f"{a} → {b} {rate:.4g}"
        for a, b, rate in zip(stages, stages[1:], inputs["rates"], strict=False)
    )
    source = (
        f"history file {Path(inputs['history']).name}"
        if inputs.get("history")
        else f"--spread {inputs.get('spread', 0):.0%}"
    )
    return RiskSheet(
        title="Risk: the chance of hitting the plan (xl-funnel risk)",
        note=(
            f"Computed {now:%Y-%m-%d %H:%M} UTC by xl-funnel risk from this workbook's values. "
            "A snapshot: it does not follow later edits to the plan; run xl-funnel risk "
            "--write again to refresh it."
        ),
        summary=(
            (
                (
                    "Customers the funnel must bring (referrals bring the rest)",
                    target,
                    "whole",
                )
                if referrals
                else ("Customers needed", report["customers_needed"], "whole")
            ),
            ("Planned top-of-funnel volume", report["planned_volume"], "whole"),
            ("Probability of reaching the target", report["probability"], "percent"),
            volume("P50"),
            volume("P80"),
            volume("P90"),
            ("Average customers", report["mean_customers"], ""),
            ("Rate uncertainty", report["uncertainty"], ""),
            ("Trials", float(report["trials"]), "whole"),
            ("Seed", float(report["seed"]), ""),
            ("Date", now.replace(tzinfo=None), "date"),
        ),
        inputs=(
            ("Stage rates (StageRates, with StageNames)", rates, ""),
            ("Customers needed (CustomersNeeded)", inputs["needed"], "whole"),
            ("Customers from the funnel (FunnelCustomersNeeded)", inputs["target"], "whole"),
            ("Top-of-funnel volume (RequiredVolumes, first stage)", inputs["top"], "whole"),
            ("Values read", report["values"], ""),
            ("Rate uncertainty from", source, ""),
        ),
        histogram=bins,
        reached=tuple(low >= target for low in lows),
        target=target,
    )


def write_risk_sheet(path: str | Path, sheet: RiskSheet, name: str = SHEET_NAME) -> None:
    """Add or refresh the sheet ``name`` of the workbook at ``path``, atomically."""
    target = Path(path)
    atomic_write_bytes(target, add_risk_sheet(target.read_bytes(), sheet, name))


def add_risk_sheet(package: bytes, sheet: RiskSheet, name: str = SHEET_NAME) -> bytes:
    """The package with the sheet ``name`` added or refreshed; every other part unchanged.

    Raises
    ------
    SheetInTheWayError
        A sheet called ``name`` (in any case) exists without xl-funnel's mark.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise WorkbookEditError(f"not a readable .xlsx package ({error})") from None
    edit = _Edit(parts, name)
    edit.apply(sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as result:
        for info in archive.infolist():
            result.writestr(info, edit.parts[info.filename])
        for name in edit.added:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            result.writestr(info, edit.parts[name])
    return out.getvalue()


class _Edit:
    """The package's parts, and the few edits adding or refreshing the sheet."""

    def __init__(self, parts: dict[str, bytes], name: str = SHEET_NAME) -> None:
        self.name = name
        self.parts = dict(parts)
        self.added: list[str] = []
        self.workbook = self._office_document()
        self.workbook_rels = _rels_name(self.workbook)
        for required in (self.workbook, self.workbook_rels, "[Content_Types].xml"):
            if required not in self.parts:
                raise WorkbookEditError(f"the package has no {required}")

    def apply(self, sheet: RiskSheet) -> None:
        styles = self._styles()
        existing = self._existing_sheet()
        if existing is None:
            sheet_part = self._new_part("xl/worksheets/sheet{}.xml", "worksheet")
            rel_id = self._add_relationship(
                self.workbook_rels, "worksheet", _relative(self.workbook, sheet_part)
            )
            self._append_sheet(rel_id)
            drawing_part = chart_part = None
        else:
            sheet_part = existing
            drawing_part, chart_part = self._drawing_and_chart(sheet_part)
        if drawing_part is None:
            drawing_part = self._new_part("xl/drawings/drawing{}.xml", "drawing")
        if chart_part is None:
            chart_part = self._new_part("xl/charts/chart{}.xml", "chart")
        rows = len(sheet.histogram)
        self._put(sheet_part, _sheet_xml(sheet, styles))
        self._put(
            _rels_name(sheet_part), _rels_xml([("rId1", "drawing", drawing_part)], sheet_part)
        )
        self._put(drawing_part, _DRAWING_XML)
        self._put(
            _rels_name(drawing_part), _rels_xml([("rId1", "chart", chart_part)], drawing_part)
        )
        self._put(chart_part, _chart_xml(rows, self.name))

    # --- reading --------------------------------------------------------------------

    def _office_document(self) -> str:
        root = self._xml("_rels/.rels")
        for rel in root.iter(f"{{{_PKG_REL}}}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target", "").lstrip("/")
        raise WorkbookEditError("the package names no workbook part (_rels/.rels)")

    def _xml(self, name: str):  # -> Element
        if name not in self.parts:
            raise WorkbookEditError(f"the package has no {name}")
        try:
            return ElementTree.fromstring(self.parts[name])
        except ElementTree.ParseError as error:
            raise WorkbookEditError(f"{name} is not well-formed XML ({error})") from None

    def _relationships(self, rels_part: str, source: str) -> dict[str, tuple[str, str]]:
        """rId → (type suffix, resolved part name)."""
        if rels_part not in self.parts:
            return {}
        out = {}
        for rel in self._xml(rels_part).iter(f"{{{_PKG_REL}}}Relationship"):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            part = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
            )
            out[rel.get("Id", "")] = (kind, part)
        return out

    def _sheets(self) -> list[tuple[str, str, str]]:
        """(name, sheetId, r:id) of every sheet, in workbook order."""
        root = self._xml(self.workbook)
        return [
            (s.get("name", ""), s.get("sheetId", "0"), s.get(f"{{{_DOC_REL}}}id", ""))
            for s in root.iter(f"{{{_MAIN}}}sheet")
        ]

    def _existing_sheet(self) -> str | None:
        rels = self._relationships(self.workbook_rels, self.workbook)
        self._xml(self.workbook)  # well-formed, or a WorkbookEditError
        marked = marked_sheets(self.parts[self.workbook])
        for index, (name, _, rel_id) in enumerate(self._sheets()):
            if name.lower() == self.name.lower():
                if index not in marked:
                    raise SheetInTheWayError(name)
                kind, part = rels.get(rel_id, ("", ""))
                if kind != "worksheet" or part not in self.parts:
                    raise WorkbookEditError(
                        f"the sheet named {name!r} is not a worksheet this command can refresh"
                    )
                return part
        return None

    def _drawing_and_chart(self, sheet_part: str) -> tuple[str | None, str | None]:
        rels = self._relationships(_rels_name(sheet_part), sheet_part)
        drawing = next((part for kind, part in rels.values() if kind == "drawing"), None)
        if drawing is None:
            return None, None
        charts = self._relationships(_rels_name(drawing), drawing)
        chart = next((part for kind, part in charts.values() if kind == "chart"), None)
        return drawing, chart

    # --- writing --------------------------------------------------------------------

    def _put(self, name: str, data: bytes) -> None:
        if name not in self.parts:
            self.added.append(name)
            if name.endswith(".rels"):
                self._ensure_rels_default()
        self.parts[name] = data

    def _new_part(self, pattern: str, kind: str) -> str:
        number = 1
        while pattern.format(number) in self.parts or pattern.format(number) in self.added:
            number += 1
        name = pattern.format(number)
        override = f'<Override PartName="/{name}" ContentType="{_CONTENT_TYPES[kind]}"/>'
        self.parts["[Content_Types].xml"] = _insert_before(
            self.parts["[Content_Types].xml"], "</Types>", override, "[Content_Types].xml"
        )
        self.added.append(name)
        self.parts[name] = b""
        return name

    def _ensure_rels_default(self) -> None:
        types = self.parts["[Content_Types].xml"]
        if b'Extension="rels"' not in types:
            default = (
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            )
            self.parts["[Content_Types].xml"] = _insert_before(
                types, "</Types>", default, "[Content_Types].xml"
            )

    def _add_relationship(self, rels_part: str, kind: str, target: str) -> str:
        root = self._xml(rels_part)
        taken = {rel.get("Id", "") for rel in root.iter(f"{{{_PKG_REL}}}Relationship")}
        number = len(taken) + 1
        while f"rId{number}" in taken:
            number += 1
        rel_id = f"rId{number}"
        element = f'<Relationship Id="{rel_id}" Type="{_DOC_REL}/{kind}" Target="{target}"/>'
        self.parts[rels_part] = _insert_before(
            self.parts[rels_part], "</Relationships>", element, rels_part
        )
        return rel_id

    def _append_sheet(self, rel_id: str) -> None:
        sheets = self._sheets()
        next_id = max((int(sheet_id) for _, sheet_id, _ in sheets), default=0) + 1
        element = (
            f'<sheet xmlns:r="{_DOC_REL}" name="{escape(self.name, {chr(34): "&quot;"})}" '
            f'sheetId="{next_id}" r:id="{rel_id}"/>'
        )
        self.parts[self.workbook] = add_mark(
            _insert_before(self.parts[self.workbook], "</sheets>", element, self.workbook),
            len(sheets),
            self.name,
        )

    def _styles(self) -> dict[str, int]:
        """Index of each cell style the sheet uses, appending those not yet defined.

        Fonts and fills are appended to their lists like the cell formats, and reused when an
        identical one is already there, so refreshing the sheet does not grow styles.xml.
        """
        rels = self._relationships(self.workbook_rels, self.workbook)
        styles = next((part for kind, part in rels.values() if kind == "styles"), None)
        if styles is None or styles not in self.parts:
            return {}
        text = self.parts[styles].decode("utf-8")
        fonts = _StyleList(text, "fonts", "font")
        fills = _StyleList(text, "fills", "fill")
        xfs = _StyleList(text, "cellXfs", "xf")
        if not (fonts.ok and fills.ok and xfs.ok):
            return {}
        font_ids = {key: fonts.index(font) for key, font in _FONTS.items()}
        fill_id = fills.index(_HEADER_FILL)
        indices = {}
        for key, (format_id, font, fill) in _CELL_STYLES.items():
            font_id = font_ids[font] if font else 0
            fill_attributes = f' fillId="{fill_id}" applyFill="1"' if fill else ' fillId="0"'
            font_attribute = ' applyFont="1"' if font else ""
            xf = (
                f'<xf numFmtId="{format_id}" fontId="{font_id}"{fill_attributes} borderId="0" '
                f'xfId="0" applyNumberFormat="1"{font_attribute}/>'
            )
            indices[key] = xfs.index(xf)
        for block in (xfs, fills, fonts):  # from the end of the file back: offsets stay valid
            text = block.apply(text)
        self.parts[styles] = text.encode("utf-8")
        return indices


class _StyleList:
    """One list of styles.xml (``<fonts>``, ``<fills>``, ``<cellXfs>``) and what to append."""

    def __init__(self, text: str, tag: str, item: str) -> None:
        self.tag, self.item = tag, item
        self.block = re.search(rf"<{tag}\b[^>]*?(?:/>|>(.*?)</{tag}>)", text, re.DOTALL)
        self.ok = self.block is not None and self.block.group(1) is not None
        inner = self.block.group(1) if self.ok else ""
        self.existing = re.findall(rf"<{item}\b[^>]*?/>|<{item}\b.*?</{item}>", inner, re.DOTALL)
        self.added: list[str] = []

    def index(self, element: str) -> int:
        if element in self.existing:
            return self.existing.index(element)
        if element not in self.added:
            self.added.append(element)
        return len(self.existing) + self.added.index(element)

    def apply(self, text: str) -> str:
        if not self.added:
            return text
        # Find the block again: an earlier apply may have moved it.
        block = re.search(rf"<{self.tag}\b[^>]*?>(.*?)</{self.tag}>", text, re.DOTALL)
        assert block is not None
        tag = text[block.start() : block.start(1)]
        count = len(self.existing) + len(self.added)
        opening = re.sub(r'count="\d+"', f'count="{count}"', tag)
        inner = block.group(1) + "".join(self.added)
        return text[: block.start()] + opening + inner + text[block.end(1) :]


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source))


def _insert_before(data: bytes, closing: str, element: str, part: str) -> bytes:
    text = data.decode("utf-8")
    at = text.rfind(closing)
    if at < 0:
        raise WorkbookEditError(f"{part} has no {closing}: cannot add to it safely")
    return (text[:at] + element + text[at:]).encode("utf-8")


def _rels_xml(relations: list[tuple[str, str, str]], source: str) -> bytes:
    body = "".join(
        f'<Relationship Id="{rel_id}" Type="{_DOC_REL}/{kind}" '
        f'Target="{_relative(source, target)}"/>'
        for rel_id, kind, target in relations
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL}">{body}</Relationships>'
    ).encode()


# --- the sheet, its drawing and its chart -------------------------------------------------

_HISTOGRAM_COLUMN = 4  # D: bin labels, E: share of trials, F: bars reaching the target.


def _cell(ref: str, value: float | str | dt.date, style: int | None) -> str:
    s = f' s="{style}"' if style is not None else ""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"{s}><is><t>{escape(value)}</t></is></c>'
    if isinstance(value, dt.datetime):
        start = dt.datetime.combine(_EXCEL_EPOCH, dt.time())
        value = (value - start).total_seconds() / 86_400
    elif isinstance(value, dt.date):
        value = float((value - _EXCEL_EPOCH).days)
    return f'<c r="{ref}"{s}><v>{float(value)!r}</v></c>'


def _sheet_xml(sheet: RiskSheet, styles: dict[str, int]) -> bytes:
    """Title and note; summary from row 3 (A:B), then the inputs; histogram from D3 (E: share
    of trials, F: the same share on the bars that reach the target, drawn over E)."""
    rows: dict[int, list[str]] = {1: [_cell("A1", sheet.title, styles.get("title"))]}
    if sheet.note:
        rows[2] = [_cell("A2", sheet.note, styles.get("note"))]
    for offset, (label, value, kind) in enumerate(sheet.summary):
        r = 3 + offset
        rows.setdefault(r, []).append(_cell(f"A{r}", label, None))
        rows[r].append(_cell(f"B{r}", value, styles.get(kind)))
    if sheet.inputs:
        r = 4 + len(sheet.summary)
        rows.setdefault(r, []).extend(
            [
                _cell(f"A{r}", "Inputs (defined names of this workbook)", styles.get("header")),
                _cell(f"B{r}", "Value", styles.get("header")),
            ]
        )
        for offset, (label, value, kind) in enumerate(sheet.inputs, start=1):
            rows.setdefault(r + offset, []).append(_cell(f"A{r + offset}", label, None))
            rows[r + offset].append(_cell(f"B{r + offset}", value, styles.get(kind)))
    header = styles.get("header")
    rows.setdefault(3, []).extend(
        [
            _cell("D3", "Customers", header),
            _cell("E3", "Share of trials", header),
            _cell("F3", _reached_title(sheet.target), header),
        ]
    )
    for offset, (label, share) in enumerate(sheet.histogram):
        r = 4 + offset
        rows.setdefault(r, []).append(_cell(f"D{r}", label, None))
        rows[r].append(_cell(f"E{r}", share, styles.get("percent")))
        if offset < len(sheet.reached) and sheet.reached[offset]:
            rows[r].append(_cell(f"F{r}", share, styles.get("percent")))
    last = max(rows)
    body = "".join(
        f'<row r="{r}">{"".join(sorted(cells, key=_column_key))}</row>'
        for r, cells in sorted(rows.items())
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_REL}">'
        f'<dimension ref="A1:F{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        '<cols><col min="1" max="1" width="52" customWidth="1"/>'
        '<col min="2" max="2" width="22" customWidth="1"/>'
        '<col min="4" max="6" width="16" customWidth="1"/></cols>'
        f"<sheetData>{body}</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/><drawing r:id="rId1"/></worksheet>'
    ).encode()


def _reached_title(target: float | None) -> str:
    return "Reaches the target" if target is None else f"Reaches the target ({target:,.0f})"


def _column_key(cell: str) -> str:
    return re.match(r'<c r="([A-Z]+)', cell).group(1)


_DRAWING_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    "<xdr:twoCellAnchor>"
    "<xdr:from><xdr:col>6</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>2</xdr:row>"
    "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
    "<xdr:to><xdr:col>15</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>22</xdr:row>"
    "<xdr:rowOff>0</xdr:rowOff></xdr:to>"
    '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
    '<xdr:cNvPr id="2" name="Customers histogram"/><xdr:cNvGraphicFramePr/>'
    "</xdr:nvGraphicFramePr>"
    '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
    '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
    f'xmlns:r="{_DOC_REL}" r:id="rId1"/>'
    "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>"
    "</xdr:wsDr>"
).encode()


def _chart_xml(rows: int, name: str = SHEET_NAME) -> bytes:
    """A column chart of the histogram, written by openpyxl's chart serialiser."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef
    from openpyxl.xml.functions import tostring

    holder = Workbook().active
    holder.title = "Risk"  # a placeholder: the series below name the real sheet
    chart = BarChart()
    chart.title = "Customers won across the simulated years"
    chart.y_axis.title = "Share of trials"
    chart.x_axis.title = "Customers"
    chart.y_axis.number_format = "0%"
    chart.grouping = "clustered"
    chart.overlap = 100  # the target's bars (F) drawn exactly over the same bars of E
    chart.legend.position = "b"
    last = 3 + max(rows, 1)
    chart.add_data(
        Reference(
            holder,
            min_col=_HISTOGRAM_COLUMN + 1,
            max_col=_HISTOGRAM_COLUMN + 2,
            min_row=3,
            max_row=last,
        ),
        titles_from_data=True,
    )
    ref = sheet_reference(name)
    for series, column in zip(chart.series, "EF", strict=True):
        series.val.numRef.f = f"{ref}!${column}$4:${column}${last}"
        series.tx.strRef.f = f"{ref}!${column}$3"
        series.cat = AxDataSource(strRef=StrRef(f=f"{ref}!$D$4:$D${last}"))
    chart.series[0].graphicalProperties.solidFill = "A6B8D9"
    chart.series[1].graphicalProperties.solidFill = "1F3864"
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + tostring(chart._write())
