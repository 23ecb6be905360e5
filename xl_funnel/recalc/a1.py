"""A1 cell references: ``"AB12"`` ↔ ``(12, 28)`` (row, column; 1-based, as Excel counts)."""

from __future__ import annotations

__all__ = ["a1", "column_letters", "column_number", "parse_a1"]


def column_number(letters: str | bytes) -> int:
    """``"A"`` → 1, ``"AB"`` → 28.

    >>> column_number("XFD")
    16384
    """
    number = 0
    for char in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(char) - 64
    return number


def column_letters(number: int) -> str:
    """``28`` → ``"AB"``.

    >>> column_letters(16384)
    'XFD'
    """
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(row: int, col: int) -> str:
    """``(12, 28)`` → ``"AB12"``."""
    return f"{column_letters(col)}{row}"


def parse_a1(ref: str) -> tuple[int, int]:
    """``"$AB$12"`` → ``(12, 28)``.

    >>> parse_a1("$AB$12")
    (12, 28)
    """
    ref = ref.replace("$", "")
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters) :]), column_number(letters)


def area(first: str | bytes, last: str | bytes) -> int:
    """How many cells the range from ``first`` to ``last`` holds (either corner first).

    >>> area("$C$27", "C31"), area(b"B5", b"A1")
    (5, 10)
    """
    first, last = (ref.decode() if isinstance(ref, bytes) else ref for ref in (first, last))
    (top, left), (bottom, right) = parse_a1(first), parse_a1(last)
    return (abs(bottom - top) + 1) * (abs(right - left) + 1)
