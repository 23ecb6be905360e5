"""The recalc reader's XML parser: the tree xml.etree builds, and nothing of a DTD."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree

import pytest

from xl_funnel.plan import example_config, write_plan
from xl_funnel.recalc.part_xml import XmlError, XmlRefusedError, parse


def _flat(root) -> list[tuple]:
    return [(e.tag, dict(e.attrib), e.text) for e in root.iter()]


def test_every_xml_part_of_a_plan_parses_as_xml_etree_parses_it(tmp_path):
    write_plan(example_config(), tmp_path / "plan.xlsx")
    with zipfile.ZipFile(tmp_path / "plan.xlsx") as archive:
        names = [n for n in archive.namelist() if n.endswith((".xml", ".rels", ".vml"))]
        assert len(names) > 30
        for name in names:
            data = archive.read(name)
            assert _flat(parse(data)) == _flat(ElementTree.fromstring(data)), name


def test_namespaces_attributes_and_text_are_spelled_as_xml_etree_spells_them():
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<workbook xmlns="urn:main" xmlns:r="urn:rel"><sheets>'
        b'<sheet name="Q&amp;A" r:id="rId1"/><sheet name="&#8594; &#x41;" r:id="rId2"/>'
        b"</sheets><n>a<b/>c</n><t>one &lt;two&gt;</t></workbook>"
    )
    root = parse(data)
    sheets = list(root.iter("{urn:main}sheet"))
    assert [(s.get("name"), s.get("{urn:rel}id")) for s in sheets] == [
        ("Q&A", "rId1"),
        ("→ A", "rId2"),
    ]
    assert [e.text for e in root.iter("{urn:main}n")] == ["a"]  # the text before a child
    assert [e.text for e in root.iter("{urn:main}t")] == ["one <two>"]
    assert _flat(root) == _flat(ElementTree.fromstring(data))


def test_utf16_parts_parse():
    data = '<?xml version="1.0" encoding="UTF-16"?><r a="é">ü</r>'.encode("utf-16")
    root = parse(data)
    assert (root.tag, root.get("a"), root.text) == ("r", "é", "ü")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', "document type declaration"),
        (b'<!DOCTYPE r SYSTEM "http://example.com/x.dtd"><r/>', "document type declaration"),
        (
            b'<!DOCTYPE r [<!ENTITY l0 "ha"><!ENTITY l1 "&l0;&l0;">]><r>&l1;</r>',
            "document type declaration",
        ),
    ],
)
def test_declarations_are_refused(data, reason):
    with pytest.raises(XmlRefusedError, match=reason):
        parse(data)


@pytest.mark.parametrize(
    "data",
    [b"<r>&undeclared;</r>", b"<r><a></r>", b"", b"<r/><r/>", b"not xml"],
)
def test_malformed_xml_raises_the_parser_error(data):
    with pytest.raises(XmlError):
        parse(data)
