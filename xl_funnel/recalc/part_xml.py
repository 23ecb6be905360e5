"""The small XML parts a workbook is read through (relationships, the workbook, tables,
external links), parsed into a minimal element tree, refusing what Excel never writes.

The parser is expat, the one ``xml.etree`` and ``defusedxml`` wrap, set up as ``defusedxml``
sets it up and stricter: a document type declaration, an entity declaration or a reference to
an external entity stops the parse (the carriers of entity expansion and external-entity
attacks; no part Excel writes has one). Worksheets are not parsed here
(:mod:`~xl_funnel.recalc.sheet_xml` scans them).

Why not ``defusedxml.ElementTree``: importing it (with ``xml.etree``) takes 3.4 ms of every
``xl-funnel recalc``, 3.5 % of the built-in plan's whole command; ``pyexpat`` is loaded already.

>>> root = parse(b'<w xmlns="urn:x"><s name="A" id="1"/><s name="B">2</s></w>')
>>> root.tag, [element.get("name") for element in root.iter("{urn:x}s")]
('{urn:x}w', ['A', 'B'])
>>> [element.text for element in root]
[None, '2']
>>> parse(b'<!DOCTYPE w [<!ENTITY a "b">]><w>&a;</w>')
Traceback (most recent call last):
...
xl_funnel.recalc.part_xml.XmlRefusedError: a document type declaration (<!DOCTYPE)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

__all__ = ["Element", "XmlError", "XmlRefusedError", "escaped", "parse", "unescaped"]

XmlError = expat.ExpatError


class XmlRefusedError(ValueError):
    """The part declares a DTD or entities, or refers to an external entity."""


class Element:
    """An element: ``tag`` as ``{namespace}name`` (as ``xml.etree`` spells it), attributes,
    children, and the text before its first child (``None`` when there is none)."""

    __slots__ = ("attrib", "children", "tag", "text")

    def __init__(self, tag: str, attrib: dict[str, str]) -> None:
        self.tag = tag
        self.attrib = attrib
        self.children: list[Element] = []
        self.text: str | None = None

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrib.get(key, default)

    def iter(self, tag: str | None = None) -> Iterator[Element]:
        """This element and those below it, in document order (those named ``tag``)."""
        stack = [self]
        while stack:
            element = stack.pop()
            if tag is None or element.tag == tag:
                yield element
            stack.extend(reversed(element.children))

    def __iter__(self) -> Iterator[Element]:
        return iter(self.children)


def _named(name: str) -> str:
    # expat reports "namespace}local" with "}" as the separator; xml.etree's form adds "{".
    return "{" + name if "}" in name else name


def _refuse(what: str) -> Any:
    def handler(*_: object) -> None:
        raise XmlRefusedError(what)

    return handler


def parse(data: bytes) -> Element:
    """The root element of the XML document ``data``.

    Raises
    ------
    XmlError
        ``data`` is not well-formed XML.
    XmlRefusedError
        ``data`` declares a DTD or entities, or refers to an external entity.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse("a document type declaration (<!DOCTYPE)")
    parser.EntityDeclHandler = _refuse("an entity declaration (<!ENTITY)")
    parser.UnparsedEntityDeclHandler = _refuse("an entity declaration (<!ENTITY)")
    parser.ExternalEntityRefHandler = _refuse("a reference to an external entity")
    parser.buffer_text = True  # a text node in one piece
    stack: list[Element] = []
    roots: list[Element] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        element = Element(
            _named(name),
            {_named(key): value for key, value in attributes.items()} if attributes else {},
        )
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(_: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        element = stack[-1] if stack else None
        if element is not None and not element.children:
            element.text = data if element.text is None else element.text + data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.Parse(data, True)
    return roots[0]


_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&#13;": "\r"}
_CHAR_REF = re.compile(r"&#(?:([0-9]{1,7})|x([0-9A-Fa-f]{1,6}));")


def unescaped(data: bytes) -> str:
    """An element's XML text (a formula's, a defined name's) as the text it holds: the named
    entities and character references (``&#8594;``, ``&#x2192;``, as lxml writes characters
    outside ASCII in some parts), without a parser.

    >>> unescaped(b"&quot;a&quot;&amp;B1&gt;&#8594;&amp;lt;")
    '"a"&B1>→&lt;'
    """
    text = data.decode("utf-8")
    if "&" in text:
        for entity, char in _ENTITIES.items():
            text = text.replace(entity, char)
        text = _CHAR_REF.sub(_char, text)
        text = text.replace("&amp;", "&")
    return text


def _char(match: re.Match[str]) -> str:
    code = int(match[1]) if match[1] else int(match[2], 16)
    return chr(code) if 0 < code <= 0x10FFFF else match[0]


def escaped(text: str) -> bytes:
    """``text`` as an element's XML text; a carriage return stays a character reference
    (parsers turn a raw one into a line feed).

    >>> escaped('"a"&B1>1' + chr(13))
    b'"a"&amp;B1&gt;1&#13;'
    """
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        text = text.replace(char, entity)
    return text.encode("utf-8")
