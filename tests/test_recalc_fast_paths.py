"""The shortcuts large workbooks take give what the general code gives."""

from __future__ import annotations

import math

import pytest

from xl_funnel.recalc import engine_copy
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


@pytest.mark.parametrize(
    ("text", "skipped"),
    [
        ("'Funnel'!$C$27:$C$31", True),
        ("Sheet1!A1:B2", True),
        ("'It''s'!$A$1:$N$46", True),
        ("'Jan:Mar'!$A$1:$B$2", True),
        ("Sheet1!$A:$A", False),  # a whole column: clipped
        ("Sheet1!$A$1:$XFD$1048576", False),  # sheet-sized: clipped
        ("Sheet1!$C$5:$A$1", False),
        ("'[1]Book'!$A$1:$B$2", False),  # another workbook
        ("Sheet1!A1:B2,Sheet1!C1:C2", False),
        ("OFFSET(Sheet1!A1:B2,1,1)", False),
    ],
)
def test_a_name_for_one_area_is_not_tokenized_as_rewriting_keeps_it(text, skipped):
    from xl_funnel.recalc.engine_copy import _one_area
    from xl_funnel.recalc.engine_forms import BookForms, Position, rewrite

    assert _one_area(text.encode()) is skipped
    book = BookForms(["Funnel", "Sheet1", "It's", "Jan", "Mar"], [], lambda sheet: (50, 20))
    rewritten = rewrite(text, Position("Funnel", 0, 0), book)
    if skipped:
        assert rewritten == text
    elif ":$" in text and text.count("$") < 4:
        assert rewritten == "Sheet1!$A$1:$A$50"  # why these must not be skipped


def test_the_temporary_file_is_made_as_mkstemp_makes_it(tmp_path):
    import os
    import stat
    import tempfile

    from xl_funnel.atomic import _TEMP_FLAGS, _temp_file

    ours = [_temp_file(tmp_path, ".plan.xlsx.") for _ in range(2)]
    theirs = tempfile.mkstemp(dir=tmp_path, prefix=".plan.xlsx.", suffix=".tmp")
    for fd, name in [*ours, theirs]:
        assert os.path.isabs(name)
        assert os.path.dirname(name) == str(tmp_path)
        assert os.path.basename(name).startswith(".plan.xlsx.")
        assert name.endswith(".tmp")
        assert stat.S_IMODE(os.fstat(fd).st_mode) == 0o600
        assert not os.get_inheritable(fd)
        os.write(fd, b"x")
        os.close(fd)
    assert ours[0][1] != ours[1][1]
    (tmp_path / "link.tmp").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(FileExistsError):  # never opened through an existing name or symlink
        os.open(tmp_path / "link.tmp", _TEMP_FLAGS)


_PART = (
    b'<x:worksheet><x:cols><x:col min="1" max="2"/></x:cols><x:sheetData><x:row r="1">'
    b'<x:c r="A1" s="1"><x:v>3</x:v></x:c>'
    b'<x:c r="B1"><x:f>SUM(A:A)</x:f><x:v>3</x:v></x:c>'
    b'<x:c r="C1" t="str"><x:f>T[Col]&amp;"[x]"</x:f><x:v>a</x:v></x:c>'
    b'<x:c r="D1"><x:f>1+1</x:f><x:v>[2]</x:v></x:c>'
    b'<x:c r="E1" t="[odd]"><x:f>A1:A2*2</x:f></x:c>'
    b"</x:row></x:sheetData>"
    b'<x:conditionalFormatting sqref="A1:B2"><x:cfRule type="expression">'
    b"<x:formula>A1:A2</x:formula></x:cfRule></x:conditionalFormatting></x:worksheet>"
)


def test_the_cells_a_search_hit_are_those_a_full_scan_finds():
    from xl_funnel.recalc.engine_copy import _cells_hit, rewrite_hits
    from xl_funnel.recalc.sheet_xml import SheetXml

    pattern = SheetXml(_PART).formula_pattern
    hits = rewrite_hits(_PART, b"x:")
    # every position of the part, one at a time and all together
    for chosen in [*([position] for position in range(len(_PART))), hits]:
        scanned = [
            match.span()
            for match in pattern.finditer(_PART)
            if any(match.start(4) <= hit < match.end(4) for hit in chosen)
        ]
        found = [match.span() for match in _cells_hit(_PART, pattern, chosen, b"<x:c")]
        assert found == scanned
    assert len(list(_cells_hit(_PART, pattern, hits, b"<x:c"))) == 3


@pytest.mark.parametrize(
    ("formula", "hit"),
    [
        ("ROUND(1.5,B1:B5)", True),
        ("_xlfn.DATE(2020,B1:B5,1)", True),
        ("COUNTIF(A:A,A1:A5)", True),  # a criterion
        ("ROUND(1,'My sheet'!B1:B5)", True),
        ('MID("a,b(",B1:B5,2)', True),  # the string's comma and parenthesis skipped
        ('SUMIF(C5:N5,"&lt;&gt;",C6:N6)', False),  # a sum range takes the whole range
        ("IF(X,SUM(A1,B1:B2),1)", False),  # inside SUM: its arguments take ranges
        ("SUMPRODUCT({1,2},A1:A2)", False),  # an array constant's comma
        ("(A1,B1:B2)", False),  # a union, not a call
        ("ROUND(1.5,2)", False),
    ],
)
def test_ranges_in_later_single_value_arguments_are_found(formula, hit):
    data = f"<c><f>{formula}</f></c>".encode()
    assert bool(list(engine_copy._scalar_later(data))) is hit
    if hit:
        assert engine_copy.needs_rewrite(data)


# Formulas each search finds, with digits where folding them could hide a hit: a function or
# defined name holding digits, a namespace prefix holding one, row numbers of every length.
_FOLDED_CASES = [
    ("Table1[Col]*2", True),
    ("SUM(Sheet1:Sheet3!A1)", True),
    ("SUM(A1:A10)*C2", False),
    ("A1:A2*2", True),
    ("$B$1048576:$B$1048570", True),
    ("RANK(A1,(B1,B2,B3))", True),
    ("LOG10(A1:A9)", True),
    ("ROUND(1.5,B10:B50)", True),
    ("Rate2024*2", True),
    ("Rate2024", True),
    ("ROUND(Rate2024,2)", False),
    ('"Total: "&amp;SUM(A1:A9)', True),
    ("SUM(A1:A9)", False),
]


@pytest.mark.parametrize("prefix", [b"", b"ns0:"])
@pytest.mark.parametrize(("formula", "hit"), _FOLDED_CASES)
def test_searching_folded_shapes_first_finds_every_hit_a_full_scan_finds(prefix, formula, hit):
    from xl_funnel.recalc.engine_copy import rewrite_hits
    from xl_funnel.recalc.sheet_xml import SheetXml

    p = prefix.decode()
    cells = "".join(
        f'<{p}c r="B{row}"><{p}f>{formula.replace("1", str(row))}</{p}f><{p}v>1</{p}v></{p}c>'
        f'<{p}c r="C{row}"><{p}f>{formula}</{p}f></{p}c>'
        for row in (1, 7, 12, 480, 9999)
    )
    data = f"<{p}worksheet><{p}sheetData><{p}row>{cells}</{p}row></{p}sheetData></{p}worksheet>"
    data = data.encode()
    names = frozenset({"Rate2024"})
    sheet = SheetXml(data)
    shapes = sheet.formula_shapes
    assert len(shapes) <= 4  # ten formulas folded into few shapes
    full = rewrite_hits(data, prefix, names)
    assert rewrite_hits(data, prefix, names, shapes) == full
    assert bool(full) is hit
    # Located from the scan's pieces: the same cells, or more where folding makes two
    # formulas one shape ("LOG70(A7:A9)", no function, folds as LOG10(A1:A9) does).
    located = rewrite_hits(data, prefix, names, shapes, sheet.formulas_shaped)
    tag = b"<" + prefix + b"c"
    cells = {m.span() for m in engine_copy._cells_hit(data, sheet.formula_pattern, full, tag)}
    found = {m.span() for m in engine_copy._cells_hit(data, sheet.formula_pattern, located, tag)}
    assert found == cells if "LOG" not in formula else found > cells


def test_formula_shapes_fold_the_digits_of_a_filled_block():
    from xl_funnel.recalc.sheet_xml import SheetXml

    rows = "".join(
        f'<row r="{r}"><c r="B{r}"><f>C{r}*$D$2+LOG10(E{r})</f><v>1</v></c></row>'
        for r in range(10, 100)
    )
    sheet = SheetXml(f"<worksheet><sheetData>{rows}</sheetData></worksheet>".encode())
    assert sheet.formula_shapes == (b"<f>C11*$D$1+LOG11(E11)</f>",)
    assert sheet.formulas_shaped({b"<f>C11*$D$1+LOG11(E11)</f>"}) == [
        sheet.data.find(f"<f>C{row}*".encode()) for row in range(10, 100)
    ]
    assert sheet.formulas_shaped({b"<f>A1</f>"}) == []


def _three_ways(tmp_path, monkeypatch, source):
    """``source`` computed with its rewritten formulas handed to the engine after it computed
    the file as written, handed to it before it computes, and in a rebuilt package (past the
    cap): the three files written, which must be the same."""
    from xl_funnel.recalc import engine_load, workflow

    results = [workflow.recalculate(source, tmp_path / "later.xlsx")]
    monkeypatch.setattr(engine_load, "_REWRITE_WHILE_COMPUTING", False)
    results.append(workflow.recalculate(source, tmp_path / "before.xlsx"))
    monkeypatch.setattr(engine_load, "_EDITS_CAP", 0)
    results.append(workflow.recalculate(source, tmp_path / "package.xlsx"))
    written = [(tmp_path / f"{name}.xlsx").read_bytes() for name in ("later", "before", "package")]
    assert written[0] == written[1] == written[2]
    assert results[0].errors == results[1].errors == results[2].errors
    assert results[0].unsupported == results[1].unsupported == results[2].unsupported
    return results[0]


def test_formulas_handed_to_the_engine_compute_as_a_rebuilt_package_does(tmp_path, monkeypatch):
    """The rewritten formulas of a workbook whose copy changes nothing else are set in the
    engine one by one, after it computed the file as written or before; a rebuilt package
    (past the cap) gives the same file."""
    import openpyxl
    from openpyxl.worksheet.table import Table

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Rate", "Leads"])
    for row in range(2, 6):
        sheet.append([row / 10, row * 100])
    sheet.add_table(Table(displayName="Rates", ref="A1:B5"))
    sheet["D1"] = '="Total: "&SUM(Rates[Leads])&" leads"'
    sheet["D2"] = "=SUM(Rates[Rate])*2"
    sheet["D3"] = '="x"&1/3'
    sheet["E2"] = "=B2:B5*2"  # implicit intersection: row 2
    book.save(tmp_path / "in.xlsx")
    result = _three_ways(tmp_path, monkeypatch, tmp_path / "in.xlsx")
    assert result.errors == []
    values = openpyxl.load_workbook(tmp_path / "later.xlsx", data_only=True).active
    assert values["D1"].value == "Total: 1400 leads"
    assert values["D2"].value == pytest.approx(2.8)
    assert values["D3"].value == "x0.333333333333333"
    assert values["E2"].value == 400


def test_formulas_computed_as_written_first_leave_no_trace(tmp_path, monkeypatch):
    """Formulas the engine computes wrongly as written, then rewritten while it computes: a
    range that spilled into empty cells read by another formula, a name intersected with the
    row, references the engine cannot parse (3-D, union), joined numbers. Nothing of the
    first computation is left: the file is the one computed from the rewritten copy."""
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    book = openpyxl.Workbook()
    first = book.active
    first.title = "First"
    second = book.create_sheet("Second")
    for row in range(1, 6):
        first.cell(row, 1, row * 10)
        second.cell(row, 1, row)
    book.defined_names["Prices"] = DefinedName("Prices", attr_text="First!$A$1:$A$5")
    first["B1"] = "=A1:A5*2"  # spills as written; Excel: the row's value
    first["C1"] = "=B3+1"  # reads a cell the spill filled
    first["D3"] = "=Prices*3"  # the name intersected with row 3
    first["E1"] = "=SUM(First:Second!A1)"  # 3-D
    first["E2"] = "=SUM((A1,A3,A5))"  # union
    first["F1"] = '="rate "&1/7&" of "&A2'
    book.save(tmp_path / "in.xlsx")
    result = _three_ways(tmp_path, monkeypatch, tmp_path / "in.xlsx")
    assert result.errors == []
    values = openpyxl.load_workbook(tmp_path / "later.xlsx", data_only=True)["First"]
    assert [values[ref].value for ref in ("B1", "C1", "D3", "E1", "E2")] == [20, 1, 90, 11, 90]
    assert values["F1"].value == "rate 0.142857142857143 of 20"


def test_a_file_the_engine_cannot_compute_as_written_is_computed_rewritten(tmp_path, monkeypatch):
    """A reference to an external book in a file that links none (``[1]Sheet1!A1``) stops
    the engine; while it computed the file as written, the copy was rewritten, and that copy
    is computed instead."""
    import openpyxl

    from tests.data.recalc.raw_books import cells, raw_book

    body = cells(
        {
            1: '<c r="A1"><f>[1]Sheet1!A1*2</f></c><c r="B1"><f>1/8&amp;"x"</f></c>'
            '<c r="C1"><f>SUMPRODUCT(LEN(B1:B2))</f></c>'
        }
    )
    source = raw_book(tmp_path / "in.xlsx", sheets={"S": body})
    result = _three_ways(tmp_path, monkeypatch, source)
    assert [error.address for error in result.errors] == ["S!A1"]
    # counted once, though the copy was rewritten again for the engine to load
    assert result.unsupported == {"LEN over a range in an array formula or SUMPRODUCT": 1}
    sheet = openpyxl.load_workbook(tmp_path / "later.xlsx", data_only=True)["S"]
    assert [sheet[ref].value for ref in ("A1", "B1")] == ["#REF!", "0.125x"]


def _numbers_and(formulas: dict[str, str]):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    for row in range(1, 9):
        sheet.cell(row, 1, row * 10)
    for ref, formula in formulas.items():
        sheet[ref] = formula
    return book


@pytest.mark.parametrize(
    "formulas",
    [
        {"B3": '="Total "&B3/3'},  # a join naming its own cell
        {"B1": '="x"&C1/3', "C1": "=LEN(B1)"},  # a cycle through a join
        # INDIRECT reads a spilled cell: computed twice, the order could differ
        {"B2": '=INDIRECT("D8")', "B8": "=TRANSPOSE(A1:A3)", "F1": '="n "&A1/3'},
        {"D7": "=OFFSET(D6,1,0)", "F7": '="n "&A1/3'},
    ],
)
def test_joins_rewritten_later_give_what_rewritten_first_gives(tmp_path, monkeypatch, formulas):
    """Circular references through a join (which formualizer accepts before a computation
    and refuses after one), and workbooks whose references the engine resolves as it
    computes: the file and summary are those of the copy rewritten first."""
    _numbers_and(formulas).save(tmp_path / "in.xlsx")
    result = _three_ways(tmp_path, monkeypatch, tmp_path / "in.xlsx")
    assert result.formula_cells == len(formulas)


def test_what_is_left_for_later(tmp_path):
    """Joins are left for later; other rewrites too while, computed as written, they cannot
    cost much (a range in a plain formula spills whole: 8,000 rows of a range of 8,000 would
    compute 64 million cells); nothing when a formula to rewrite stands for several cells."""
    from tests.data.recalc.raw_books import cells, raw_book
    from xl_funnel.recalc import engine_load
    from xl_funnel.recalc.package import read_package
    from xl_funnel.recalc.sheet_xml import SheetXml

    def split(rows: dict[int, str], names: str = "") -> list[list[bytes]]:
        source = raw_book(tmp_path / "in.xlsx", sheets={"S": cells(rows)}, names=names)
        package = read_package(source)
        xml = SheetXml(package.parts[package.sheets[0].part])
        named = engine_load.range_names(package.parts[package.workbook])
        shapes = xml.formula_shapes
        structural, joins = engine_load.shapes_hit(shapes, len(xml.data), xml.prefix, named)
        part = engine_load._Part("S", "p", xml.data, xml, shapes, structural, joins, set())
        found = engine_load._split([part], package.parts[package.workbook])
        if not found:
            return []
        formula = xml.formula_pattern
        return [
            [formula.match(xml.data, xml.data.rfind(b"<c ", 0, at))[4] for at in where]
            for where in found["p"]
        ]

    join = '<c r="C1"><f>"n "&amp;A1/3</f></c>'
    small = {1: '<c r="B1"><f>$A$1:$A$5*2</f></c>' + join}
    assert split(small) == [[], [b"<f>$A$1:$A$5*2</f>", b'<f>"n "&amp;A1/3</f>']]
    large = {row: f'<c r="B{row}"><f>$A$1:$A$400*2</f></c>' for row in range(1, 301)}
    large[1] += join  # 300 formulas of 400 cells each: 120,000 cells as written
    now, later = split(large)
    assert (len(now), later) == (300, [b'<f>"n "&amp;A1/3</f>'])
    names = '<definedName name="Prices">S!$A$1:$A$60000</definedName>'
    named = {1: '<c r="B1"><f>Prices*2</f></c><c r="B2"><f>Prices*3</f></c>' + join}
    assert [len(found) for found in split(named, names)] == [2, 1]
    table = {1: '<c r="B1"><f>Rates[Rate]*2</f></c>' + join}
    assert [len(found) for found in split(table)] == [1, 1]
    shared = {1: '<c r="B1"><f t="shared" ref="B1:B2" si="0">$A$1:$A$5*2</f></c>' + join}
    assert split(shared) == []
    assert split({1: '<c r="B1"><f>SUM(A:A)&amp;"x"</f></c>'}) == []


def test_a_part_xl_funnel_cannot_read_is_refused_with_joins_left_for_later(tmp_path):
    """A formula cell without an r= reference is refused while the engine computes; the
    refusal is not taken for the engine's, which would compute the rewritten copy instead."""
    from tests.data.recalc.raw_books import cells, raw_book
    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.workflow import named_values

    body = cells({1: '<c r="A1"><v>5</v></c><c r="B1"><f>1/8&amp;"x"</f></c><c><f>A1*2</f></c>'})
    names = '<definedName name="Out">S!$A$1</definedName>'
    source = raw_book(tmp_path / "in.xlsx", sheets={"S": body}, names=names)
    with pytest.raises(WorkbookError, match="formula cells xl-funnel cannot read"):
        named_values(source, ["Out"])


def test_a_defined_name_joining_text_is_not_tokenized_for_nothing():
    """Names are not join-wrapped (rewrite_names changes their references only): a name
    joining a number to text needs no rewrite, a name over a whole column does."""
    from xl_funnel.recalc.engine_copy import names_need_rewrite

    joined = b'<definedName name="T">"FY"&amp;Sheet1!$A$1/3</definedName>'
    whole = b'<definedName name="C">Sheet1!$A:$A</definedName>'
    assert (names_need_rewrite(joined), names_need_rewrite(whole)) == (False, True)
