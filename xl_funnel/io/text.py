"""Delimited text as rows of strings: encodings, byte-order marks, delimiters, quoted newlines.

What Excel, HubSpot, Salesforce and Google Sheets write is read without options:

- the encoding from the byte-order mark (UTF-8, UTF-16 LE/BE), else UTF-16 without a mark
  when every other byte of the start is NUL, else UTF-8, else Windows-1252 (Excel's "CSV" on a
  western Windows); bytes none of these can decode are refused, never guessed;
- the delimiter among ``,`` ``;`` tab ``|``: the one that splits the most rows into the same
  number (≥ 2) of fields; a first line ``sep=;`` (Excel's own hint) wins;
- quoted fields may hold delimiters, quotes (doubled) and line breaks.

>>> rows_of(b'a;b\\r\\n"x\\ny";2\\r\\n', "t.csv")
[['a', 'b'], ['x\\ny', '2']]
>>> rows_of("name\\tvalue\\nVisits\\t3\\n".encode("utf-16"), "t.csv")
[['name', 'value'], ['Visits', '3']]
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter

from xl_funnel.io.errors import TableError

__all__ = ["DELIMITERS", "decode", "delimiter_of", "rows_of"]

#: Delimiters tried, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")
#: How much of the text the delimiter is chosen from.
_SAMPLE_CHARS = 64 * 1024
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(raw: bytes, source: str) -> str:
    """The text of ``raw``: by byte-order mark, UTF-16 by its NULs, UTF-8, or Windows-1252."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _decode(raw[len(bom) :], encoding, source)
    start = raw[:4096]
    if len(start) >= 4 and start[1::2].count(0) > len(start) // 4:
        return _decode(raw, "utf-16-le", source)
    if len(start) >= 4 and start[0::2].count(0) > len(start) // 4:
        return _decode(raw, "utf-16-be", source)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(raw, "cp1252", source)


def _decode(raw: bytes, encoding: str, source: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise TableError(
            f"{source}: byte {error.start:,} (0x{raw[error.start]:02x}) cannot be read as "
            f"{_ENCODING_NAMES[encoding]}: save the file as CSV UTF-8"
        ) from None


_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "cp1252": "UTF-8 or Windows-1252 text",
}


def delimiter_of(text: str, header_first: bool = False) -> str:
    """The delimiter that splits the most rows into one common width of at least 2 fields.

    With ``header_first`` (a grid whose first line names every column), the one splitting the
    first non-blank line into the most fields, so that ``;`` inside the values of a
    one-column grid is not taken for the delimiter.

    >>> delimiter_of("a;b;c\\n1,5;2;3\\n"), delimiter_of("a,b\\n1,2\\n"), delimiter_of("a\\n1\\n")
    (';', ',', ',')
    >>> delimiter_of("StageRates\\n0.1;0.2\\n", header_first=True)
    ','
    """
    if header_first:
        first = next((line for line in text.splitlines() if line.strip()), "")
        counts = [
            (len(next(csv.reader([first], delimiter=d), [])), -i) for i, d in enumerate(DELIMITERS)
        ]
        width, index = max(counts)
        return DELIMITERS[-index] if width >= 2 else ","
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # a cut record would count as a short row
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = Counter(
                len(row)
                for row in csv.reader(io.StringIO(sample), delimiter=delimiter, strict=False)
                if any(cell.strip() for cell in row)
            )
        except csv.Error:
            continue
        common = [(count, width) for width, count in widths.items() if width >= 2]
        score = max(common, default=(0, 0))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def rows_of(raw: bytes, source: str, header_first: bool = False) -> list[list[str]]:
    """Every record of the delimited text ``raw`` as a list of strings (blank rows included)."""
    text = decode(raw, source)
    first, _newline, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter, text = first.strip()[4], rest
    else:
        delimiter = delimiter_of(text, header_first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return list(reader)
    except csv.Error as error:
        raise TableError(f"{source}: line {reader.line_num}: not valid CSV ({error})") from None
