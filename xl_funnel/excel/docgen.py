"""Write ``docs/functions.md``, the Excel function reference, from the registry.

Every example's result in the reference is computed by calling the function itself, so the
document cannot drift from the code; a test fails when the committed file is stale.
Regenerate with::

    python -m xl_funnel.excel.docgen            # writes docs/functions.md
    python -m xl_funnel.excel.docgen --check    # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xl_funnel.atomic import atomic_write_bytes
from xl_funnel.excel import coerce
from xl_funnel.excel.errors import is_excel_error
from xl_funnel.excel.registry import FUNCTIONS
from xl_funnel.excel.spec import Example, ExcelFunction

__all__ = ["DEFAULT_PATH", "excel_literal", "formula", "main", "render"]

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "functions.md"
REGENERATE = "python -m xl_funnel.excel.docgen"


def excel_literal(value: Any) -> str:
    """An argument as Excel formula text: numbers, "text", TRUE/FALSE, array constants.

    >>> excel_literal(0.2), excel_literal("cagr"), excel_literal(False)
    ('0.2', '"cagr"', 'FALSE')
    >>> excel_literal([[0.015], [0.2]]), excel_literal([[1.0, 2.0], [3.0, 4.0]])
    ('{0.015;0.2}', '{1,2;3,4}')
    >>> excel_literal([[0.2, None, "#N/A"]])
    '{0.2,"",#N/A}'

    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value if is_excel_error(value) else '"' + value.replace('"', '""') + '"'
    if isinstance(value, list):
        # An array constant cannot hold a blank; "" reads as one (coerce's rule 2).
        rows = [["" if cell is None else cell for cell in row] for row in coerce.grid(value, "x")]
        return "{" + ";".join(",".join(excel_literal(cell) for cell in row) for row in rows) + "}"
    return _number(float(value))


def _number(value: float) -> str:
    return f"{value:.15g}"


def formula(spec: ExcelFunction, example: Example) -> str:
    """The example as one self-contained formula (ranges as array constants).

    >>> from xl_funnel.excel.registry import get
    >>> spec = get("FUNNEL_BACKSOLVE")
    >>> formula(spec, spec.examples[1])[:40]
    '=FUNNEL_BACKSOLVE(9, {0.015;0.2;0.2;0.4;'
    """
    text = ", ".join(excel_literal(value) for value in example.args)
    while text.endswith(", "):  # trailing omitted arguments are simply left out
        text = text[:-2]
    return f"={spec.name}({text})"


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return value.replace("|", "\\|")
    return f"{value:,.10g}" if abs(value) >= 1000 else f"{value:.10g}"


def _result(value: Any) -> list[str]:
    if not isinstance(value, list):
        return [f"Result: `{_cell(value)}`", ""]
    lines = ["Result (spills):", ""]
    width = len(value[0])
    lines.append("| " + " | ".join(" " for _ in range(width)) + " |")
    lines.append("|" + "---:|" * width)
    lines.extend("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in value)
    lines.append("")
    return lines


def _function(spec: ExcelFunction) -> list[str]:
    lines = [f"## {spec.name}", "", f"`{spec.signature()}`", "", spec.summary, ""]
    lines += ["| argument | | description |", "|---|---|---|"]
    for arg in spec.args:
        kind = "optional" if arg.optional else "required"
        lines.append(f"| `{arg.name}` | {kind} | {arg.help} |")
    lines += ["", f"**Returns** {spec.returns}", ""]
    if spec.core:
        core = ", ".join(f"`{name.strip()}`" for name in spec.core.split(","))
        lines += [f"**Computed by** {core} (its docstring has the formula).", ""]
    for number, example in enumerate(spec.examples, start=1):
        lines += [f"**Example {number}.** {example.description}", "", "```", formula(spec, example)]
        lines += ["```", ""]
        lines += _result(spec(*example.args))
    lines += ["**Bad input**", "", "| answer | when |", "|---|---|"]
    lines += [f"| `{value}` | {when} |" for value, when in spec.errors]
    lines.append("")
    if spec.bad_examples:
        lines += ["| formula | answer | why (`explain`) |", "|---|---|---|"]
        for example in spec.bad_examples:
            answer = spec(*example.args)
            reason = _cell(spec.explain(*example.args) or example.description)
            lines.append(f"| `{formula(spec, example)}` | `{answer}` | {reason} |")
        lines.append("")
    return lines


def _rules() -> list[str]:
    """The argument-reading rules, cut from :mod:`xl_funnel.excel.coerce`'s docstring."""
    doc = coerce.__doc__ or ""
    start = doc.index("1. **Errors")
    body = doc[start:].rstrip()
    return [*body.splitlines(), ""]


def render() -> str:
    """The whole reference as Markdown."""
    lines = [
        "# Excel function reference",
        "",
        f"<!-- Generated from xl_funnel/excel/registry.py by `{REGENERATE}`. Do not edit. -->",
        "",
        "Every xl-funnel worksheet function, in xlwings (classic add-in and xlwings Lite) and in",
        "`xl-funnel recalc`. Set-up: [excel.md](excel.md). Percentages are fractions, as Excel",
        "stores them (20 % is 0.2). Examples write ranges as array constants (`{0.015;0.2}` is a",
        "column, `{1,2}` a row); in a workbook you would point at cells instead",
        "(`workbooks/udf_examples.xlsx` does).",
        "",
        "| function | what it gives |",
        "|---|---|",
    ]
    lines += [f"| [{spec.name}](#{spec.name.lower()}) | {spec.summary} |" for spec in FUNCTIONS]
    lines += [
        "",
        "## How arguments are read",
        "",
        *_rules(),
        "## Error values",
        "",
        "A function never shows a traceback. xlwings Lite turns these texts into real error",
        "values; classic xlwings shows them as text (`=ISERROR()` is then FALSE: test with",
        '`=LEFT(A1)="#"`). Call the function from Python as `get("NAME").explain(...)` to read',
        "the reason in words.",
        "",
        "| value | meaning |",
        "|---|---|",
        "| `#VALUE!` | wrong type or shape: text that is not a number, ranges that do not fit, "
        "a word that is not one of the choices (a method, a model) |",
        "| `#NUM!` | an impossible number: a rate ≤ 0 or > 1, a negative cost, an overflow |",
        "| `#DIV/0!` | an undefined ratio: its denominator is 0 |",
        "| `#N/A`, `#REF!`, … | an input cell holds that error: it is passed on, as Excel does |",
        "",
    ]
    for spec in FUNCTIONS:
        lines += _function(spec)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the reference, or with ``--check`` report whether the file is stale."""
    parser = argparse.ArgumentParser(description="Generate docs/functions.md from the registry.")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    options = parser.parse_args(argv)
    text = render()
    if options.check:
        current = options.path.read_text(encoding="utf-8") if options.path.exists() else ""
        if current != text:
            sys.stderr.write(f"{options.path} is stale: run {REGENERATE}\n")
            return 1
        return 0
    atomic_write_bytes(options.path, text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
