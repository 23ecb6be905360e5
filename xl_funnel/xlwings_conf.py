"""Edit an ``xlwings.conf`` file: set the settings xl-funnel owns, keep every other byte.

The xlwings add-in reads the file with VBA (``GetConfigFromFile`` in ``xlwings.bas``): each
line is read with ``Input #``, which takes a field in double quotes up to the next double
quote (no escape for a quote inside: VBA's ``Write #`` writes none either), and uses the
first line whose key matches, ignoring case. So:

- lines whose key xl-funnel does not own are kept **byte for byte** (whatever their quoting,
  encoding or line ending), in their order;
- the first line of an owned key is rewritten in place (its key spelt as it was), later lines
  of that key are dropped (the add-in never reads them), a missing key is appended;
- a value written must survive ``Input #`` unchanged: one holding a double quote or a line
  break cannot, and is refused (:class:`ConfError`), never written half-way.

The file is read as bytes: UTF-8 (with or without a byte-order mark) or Windows-1252, as
Notepad and VBA's ``Write #`` save it; owned values are written in the same encoding.

>>> edit_conf(b'"NOTE","a ""b"" c"\\r\\n', {"UDF MODULES": "xl_funnel.udfs"}, {"UDF MODULES"})
b'"NOTE","a ""b"" c"\\r\\n"UDF MODULES","xl_funnel.udfs"\\r\\n'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["ConfError", "conf_values", "edit_conf"]

# The key of a line: a quoted field up to the next quote, or text up to a comma.
_KEY = re.compile(rb'\s*(?:"([^"\r\n]*)"|([^,\r\n]*))')
_LINE_BREAK = re.compile(rb"\r\n|\n|\r")


class ConfError(ValueError):
    """The file or a value cannot be edited safely; the message says why."""


def _encoding(data: bytes) -> str:
    if b"\x00" in data:
        raise ConfError("not a text file; is it really an xlwings.conf?")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        raise ConfError("neither UTF-8 nor Windows-1252 text") from None
    return "cp1252"


def _lines(data: bytes) -> list[bytes]:
    """The file's lines, each with its own line ending (the last may have none)."""
    lines, at = [], 0
    for match in _LINE_BREAK.finditer(data):
        lines.append(data[at : match.end()])
        at = match.end()
    if at < len(data):
        lines.append(data[at:])
    return lines


def _fields(line: bytes) -> tuple[bytes, bytes | None]:
    """(key, value) as VBA's ``Input #`` reads a line; the value is ``None`` when absent."""
    body = line.rstrip(b"\r\n")
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    match = _KEY.match(body)
    key = match[1] if match[1] is not None else match[2].strip()
    rest = body[match.end() :].lstrip()
    if not rest.startswith(b","):
        return key, None
    value = _KEY.match(rest[1:])
    return key, value[1] if value[1] is not None else value[2].strip()


def conf_values(data: bytes) -> dict[str, str]:
    """The first value of each key (upper-cased), decoded, as the add-in reads them."""
    encoding = _encoding(data)
    values: dict[str, str] = {}
    for line in _lines(data):
        key, value = _fields(line)
        name = key.decode(encoding, "replace").strip().upper()
        if name and value is not None:
            values.setdefault(name, value.decode(encoding, "replace"))
    return values


def _checked(key: str, value: str) -> str:
    bad = next((c for c in value if c in '"\r\n' or ord(c) < 32), None)
    if bad is not None:
        raise ConfError(
            f"{key} = {value!r}: holds {bad!r}, which the xlwings add-in cannot read back "
            "from xlwings.conf (VBA's Input # has no escape for it)"
        )
    return value


def edit_conf(data: bytes, settings: Mapping[str, list[str] | str], merge: set[str]) -> bytes:
    """``data`` (an xlwings.conf) with ``settings`` set; keys in ``merge`` hold ``;``-separated
    lists, to which the given items are added (``UDF MODULES``). Keys are upper case."""
    encoding = _encoding(data) if data else "utf-8"
    lines = _lines(data)
    ending = next((_LINE_BREAK.search(line)[0] for line in lines if _LINE_BREAK.search(line)), None)
    ending = ending or b"\r\n"  # CRLF: the file is read by VBA on Windows
    out: list[bytes] = []
    done: set[str] = set()
    for line in lines:
        key, value = _fields(line)
        name = key.decode(encoding, "replace").strip().upper()
        if name not in settings:
            out.append(line)
            continue
        if name in done:
            continue  # the add-in reads the first line of a key only
        done.add(name)
        old = value.decode(encoding) if value is not None else ""
        new = _value(name, settings[name], old, name in merge)
        line_end = _LINE_BREAK.search(line)
        out.append(_line(key.decode(encoding), new, encoding) + (line_end[0] if line_end else b""))
    for name, wanted in settings.items():
        if name not in done:
            if out and not _LINE_BREAK.search(out[-1]):
                out[-1] += ending
            out.append(_line(name, _value(name, wanted, "", name in merge), encoding) + ending)
    return b"".join(out)


def _value(name: str, wanted: list[str] | str, old: str, merge: bool) -> str:
    if not merge:
        return _checked(name, wanted if isinstance(wanted, str) else ";".join(wanted))
    items = [item.strip() for item in old.split(";") if item.strip()]
    for item in [wanted] if isinstance(wanted, str) else wanted:
        if item not in items:
            items.append(item)
    return _checked(name, ";".join(items))


def _line(key: str, value: str, encoding: str) -> bytes:
    try:
        return f'"{key}","{value}"'.encode(encoding)
    except UnicodeEncodeError:
        raise ConfError(f"{key} = {value!r}: cannot be written in this Windows-1252 file") from None
