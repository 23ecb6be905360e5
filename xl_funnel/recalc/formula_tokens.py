"""A formula read with formualizer's tokenizer, and edits made at the tokens' places.

Every rewrite of the engine's copy (:mod:`~xl_funnel.recalc.engine_forms`,
:mod:`~xl_funnel.recalc.omitted_args`, :mod:`~xl_funnel.recalc.joined_text`) reads formulas
this way, never with patterns, so text literals, array constants and nested calls keep their
meaning.

>>> text, tokens = tokenize('"é"&A1')
>>> [t.value for t in tokens], apply_edits(text, [(tokens[2].start, tokens[2].end, "B2")])
(['"é"', '&', 'A1'], '"é"&B2')
"""

from __future__ import annotations

from typing import Any

from xl_funnel.recalc.engine import load_formualizer

__all__ = ["apply_edits", "tokenize"]


def tokenize(formula: str) -> tuple[str, list[Any]] | None:
    """``"=" + formula`` and its tokens, or ``None`` when the tokenizer cannot read it (the
    formula is then left as it is, and the engine reports it)."""
    fz = load_formualizer()
    text = "=" + formula
    try:
        return text, fz.Tokenizer(text).tokens()
    except fz.TokenizerError:
        return None


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` (as :func:`tokenize` gave it) with each ``(start, end, new)`` made, in order of
    place, and without its ``=``. Places are the tokenizer's UTF-8 byte offsets; an edit that
    overlaps an earlier one is dropped (the first wins); ``start == end`` inserts."""
    raw = text.encode()
    out, position = [], 0
    for start, end, new in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        if start < position:
            continue
        out += [raw[position:start], new.encode()]
        position = end
    out.append(raw[position:])
    return b"".join(out).decode()[1:]
