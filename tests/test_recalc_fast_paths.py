"""The shortcuts large workbooks take give what the general code gives."""

from __future__ import annotations

import math

import pytest

from xl_funnel.recalc.function_names import ARITY
from xl_funnel.recalc.omitted_args import called_in_lowered
from xl_funnel.recalc.sheet_xml import SheetXml


def _sheet(count: int) -> SheetXml:
    cells = b"".join(
        b'<row r="%d"><c r="A%d" s="1" t="str"><f>A%d</f><v>old</v></c></row>' % (row, row, row + 1)
        for row in range(1, count + 1)
    )
    return SheetXml(b"<worksheet><sheetData>" + cells + b"</sheetData></worksheet>")


_VALUES = [0.0, -0.0, 1.5, "a&b<c", "", 1e300, 2.0, 1.5, "", math.inf, "x\ny", 0.1 + 0.2]


def test_numbers_and_text_are_written_as_the_general_loop_writes_them():
    # The same cells, once with numbers and text only (the fast lookup) and once with a
    # boolean in one more cell (the general loop): every other cell is written alike.
    fast = _sheet(len(_VALUES) + 1).rewrite([*_VALUES, 1.0])
    general = _sheet(len(_VALUES) + 1).rewrite([*_VALUES, True])
    last = fast.index(b'<row r="%d">' % (len(_VALUES) + 1))
    assert fast[:last] == general[:last]
    assert fast[last:] != general[last:]
    assert b'<c r="A1" s="1"><f>A2</f><v>0</v></c>' in fast
    assert b'<c r="A4" s="1" t="str"><f>A5</f><v>a&amp;b&lt;c</v></c>' in fast


@pytest.mark.parametrize(
    "part",
    [
        b"<f>PACE(1,2)</f>",
        b"<f>pace(1,2)+Funnel_Rates(A1)</f>",
        b"<f>SUM(A1)</f><v>no_underscore_call</v>",
        b"<f>FUNNEL_BACKSOLVE(A1)</f>",
        b"<f>attribute(A1)&amp;shortfall(B2)</f>",
        b"<f>SUM(A1:A5)</f>",
    ],
)
def test_calls_are_found_with_or_without_an_underscore_in_the_part(part):
    lowered = part.lower()
    every = {name for name in ARITY if name.lower().encode() + b"(" in lowered}
    assert called_in_lowered([lowered]) == every
