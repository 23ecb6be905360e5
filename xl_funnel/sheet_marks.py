"""The mark on a sheet xl-funnel added to a user's workbook, so that only such a sheet is replaced.

A sheet added to an existing workbook (``xl-funnel risk --write``'s Risk sheet) carries a
hidden, sheet-scoped defined name ``_xlfunnel_sheet`` (``<definedName name="_xlfunnel_sheet"
localSheetId="N" hidden="1">'Risk'!$A$1</definedName>``). Excel keeps hidden names, moves
``localSheetId`` when sheets are reordered and follows a renamed sheet, and the name shows in
no dialog a planner uses. A sheet without the mark, such as a planner's own risk register that
happens to be called "Risk", is never replaced: the command stops and says which sheet is in
the way.

>>> book = b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
>>> book += b'<sheets><sheet name="Plan"/><sheet name="Risk"/></sheets></workbook>'
>>> marked_sheets(book)
set()
>>> marked_sheets(add_mark(book, 1, "Risk"))
{1}
"""

from __future__ import annotations

import re

from defusedxml import ElementTree

__all__ = ["MARK_NAME", "add_mark", "marked_sheets", "sheet_reference"]

#: The defined name marking a sheet as xl-funnel's own.
MARK_NAME = "_xlfunnel_sheet"

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# Elements that follow <definedNames> in CT_Workbook (ECMA-376 Part 1, 18.2.27): a new
# <definedNames> goes before the first of them that the workbook has.
_AFTER_DEFINED_NAMES = (
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)


def sheet_reference(name: str) -> str:
    """``Risk`` → ``'Risk'`` (quotes doubled inside), as a formula names a sheet."""
    return "'" + name.replace("'", "''") + "'"


def marked_sheets(workbook_xml: bytes) -> set[int]:
    """Indices (0-based, in ``<sheets>`` order) of the sheets carrying xl-funnel's mark."""
    root = ElementTree.fromstring(workbook_xml)
    marked = set()
    for element in root.iter(f"{_MAIN}definedName"):
        if element.get("name", "").lower() != MARK_NAME:
            continue
        scope = element.get("localSheetId")
        if scope is not None and scope.isdigit():
            marked.add(int(scope))
    return marked


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def add_mark(workbook_xml: bytes, index: int, sheet_name: str) -> bytes:
    """``workbook.xml`` with the mark of the sheet at ``index`` added (a text insertion, so
    every other byte, namespace and prefix stays as it was)."""
    text = workbook_xml.decode("utf-8")
    prefix = _main_prefix(text)
    name = f"{prefix}definedName"
    element = (
        f'<{name} name="{MARK_NAME}" localSheetId="{index}" hidden="1">'
        f"{_escape(sheet_reference(sheet_name))}!$A$1</{name}>"
    )
    closing = f"</{prefix}definedNames>"
    at = text.rfind(closing)
    if at >= 0:
        return (text[:at] + element + text[at:]).encode("utf-8")
    empty = re.search(rf"<{re.escape(prefix)}definedNames\s*/>", text)
    block = f"<{prefix}definedNames>{element}</{prefix}definedNames>"
    if empty:
        return (text[: empty.start()] + block + text[empty.end() :]).encode("utf-8")
    following = [
        found.start()
        for tag in _AFTER_DEFINED_NAMES
        if (found := re.search(rf"<{re.escape(prefix)}{tag}[\s/>]", text))
    ]
    at = min(following) if following else text.rfind(f"</{prefix}workbook>")
    if at < 0:
        raise ValueError("workbook.xml has no </workbook>")
    return (text[:at] + block + text[at:]).encode("utf-8")


def _main_prefix(text: str) -> str:
    """``"x:"`` when the workbook part writes its elements as ``<x:workbook>``, else ``""``."""
    found = re.search(r"<(\w+:)?workbook[\s>]", text)
    return (found.group(1) or "") if found else ""
