"""Workbooks written part by part, for XML that openpyxl never writes but Excel does (shared
and array formulas with ``ca="1"``, tables, 1904 dates, Strict namespaces, pretty-printed or
prefixed sheet XML), and copies of a workbook with one part edited (hostile inputs)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

_STYLES = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles '
    'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def cells(rows: dict[int, str]) -> str:
    """``<sheetData>`` from ``{row: "<c …>…</c>…"}``."""
    body = "".join(f'<row r="{row}">{text}</row>' for row, text in sorted(rows.items()))
    return f"<sheetData>{body}</sheetData>"


def raw_book(
    path: Path,
    sheets: dict[str, str],
    *,
    names: str = "",
    workbook_pr: str = "",
    tables: dict[str, list[str]] | None = None,
    strict: bool = False,
    prefix: str = "",
    external: str = "",
) -> Path:
    """Write an .xlsx whose worksheets hold ``sheets`` (name → the XML inside
    ``<worksheet>``: ``<sheetData>…`` and what follows it).

    ``names`` is the ``<definedName>`` elements; ``workbook_pr`` the attributes of
    ``<workbookPr>`` (``date1904="1"``); ``tables`` maps a sheet name to the ``<table>`` parts
    it carries; ``strict`` uses the Strict OOXML namespaces; ``prefix`` writes the worksheets
    with that namespace prefix (``x``).
    """
    main, rel = (STRICT_MAIN, STRICT_REL) if strict else (MAIN, REL)
    doc = (
        f"{rel}/officeDocument"
        if not strict
        else "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
    )

    def kind(name: str) -> str:
        return f"{rel}/{name}"

    tables = tables or {}
    overrides = [
        ("/xl/workbook.xml", f"{_CT}.sheet.main+xml"),
        ("/xl/styles.xml", f"{_CT}.styles+xml"),
    ]
    files: dict[str, str] = {}
    sheet_list, workbook_rels = [], []
    table_number = 0
    for index, (name, body) in enumerate(sheets.items(), start=1):
        part = f"xl/worksheets/sheet{index}.xml"
        overrides.append((f"/{part}", f"{_CT}.worksheet+xml"))
        sheet_list.append(f'<sheet name="{name}" sheetId="{index}" r:id="rId{index}"/>')
        workbook_rels.append(
            f'<Relationship Id="rId{index}" Type="{kind("worksheet")}" '
            f'Target="worksheets/sheet{index}.xml"/>'
        )
        parts = []
        sheet_rels = []
        for table in tables.get(name, []):
            table_number += 1
            files[f"xl/tables/table{table_number}.xml"] = table
            overrides.append((f"/xl/tables/table{table_number}.xml", f"{_CT}.table+xml"))
            sheet_rels.append(
                f'<Relationship Id="rT{table_number}" Type="{kind("table")}" '
                f'Target="../tables/table{table_number}.xml"/>'
            )
            parts.append(f'<tablePart r:id="rT{table_number}"/>')
        if parts:
            body += f'<tableParts count="{len(parts)}">{"".join(parts)}</tableParts>'
            files[f"xl/worksheets/_rels/sheet{index}.xml.rels"] = (
                f'<Relationships xmlns="{PKG_REL}">{"".join(sheet_rels)}</Relationships>'
            )
        if prefix:
            body = re.sub(r"<(/?)([A-Za-z]+)(?=[\s>/])", rf"<\1{prefix}:\2", body)
            files[part] = (
                f'<{prefix}:worksheet xmlns:{prefix}="{main}" xmlns:r="{rel}">{body}'
                f"</{prefix}:worksheet>"
            )
        else:
            files[part] = f'<worksheet xmlns="{main}" xmlns:r="{rel}">{body}</worksheet>'
    n = len(sheets)
    workbook_rels.append(
        f'<Relationship Id="rId{n + 1}" Type="{kind("styles")}" Target="styles.xml"/>'
    )
    references = ""
    if external:
        references = (
            f'<externalReferences><externalReference r:id="rId{n + 2}"/></externalReferences>'
        )
        workbook_rels.append(
            f'<Relationship Id="rId{n + 2}" Type="{kind("externalLink")}" '
            'Target="externalLinks/externalLink1.xml"/>'
        )
        files["xl/externalLinks/externalLink1.xml"] = (
            f'<externalLink xmlns="{main}" xmlns:r="{rel}"><externalBook r:id="rId1">'
            f"{external}</externalBook></externalLink>"
        )
        files["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{kind("externalLinkPath")}" Target="regions.xlsx" TargetMode="External"/>'
            "</Relationships>"
        )
        overrides.append(("/xl/externalLinks/externalLink1.xml", f"{_CT}.externalLink+xml"))
    defined = f"<definedNames>{names}</definedNames>" if names else ""
    pr = f"<workbookPr {workbook_pr}/>" if workbook_pr else ""
    files["xl/workbook.xml"] = (
        f'<workbook xmlns="{main}" xmlns:r="{rel}">{pr}<sheets>{"".join(sheet_list)}</sheets>'
        f"{references}{defined}</workbook>"
    )
    files["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{PKG_REL}">{"".join(workbook_rels)}</Relationships>'
    )
    files["xl/styles.xml"] = _STYLES.replace(MAIN, main)
    files["_rels/.rels"] = (
        f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{doc}" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    content = "".join(f'<Override PartName="{part}" ContentType="{ct}"/>' for part, ct in overrides)
    files["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f"{content}</Types>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", files.pop("[Content_Types].xml"))
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def table_xml(
    ref: str, name: str, columns: list[str], totals: bool = False, table_id: int = 1
) -> str:
    """A ``<table>`` part over ``ref`` (header row first; a totals row last when ``totals``)."""
    cols = "".join(
        f'<tableColumn id="{i}" name="{column}"/>' for i, column in enumerate(columns, 1)
    )
    total = ' totalsRowCount="1"' if totals else ""
    return (
        f'<table xmlns="{MAIN}" id="{table_id}" name="{name}" displayName="{name}" '
        f'ref="{ref}"{total}>'
        f'<autoFilter ref="{ref}"/><tableColumns count="{len(columns)}">{cols}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    )


#: A merged range over the whole sheet: a reader that expands it takes gigabytes (issue 14).
WHOLE_SHEET_MERGE = b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'


def edited(base: Path, target: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    """``base`` copied to ``target`` with the bytes of ``part`` passed through ``edit``."""
    with zipfile.ZipFile(base) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, edit(data) if info.filename == part else data)
    return target


def with_whole_sheet_merge(base: Path, target: Path) -> Path:
    """``base`` with :data:`WHOLE_SHEET_MERGE` on its second sheet."""
    return edited(
        base,
        target,
        "xl/worksheets/sheet2.xml",
        lambda d: d.replace(b"</sheetData>", b"</sheetData>" + WHOLE_SHEET_MERGE, 1),
    )
