"""``xl-funnel recalc BOOK [-o OUT]`` without click: the common call, started lean.

Importing click costs a plain ``recalc`` of the built-in plan about a fifth of its time. This
module reads the arguments itself when they are the simple kind (one book, ``-o``/``--output``
with a separate value, the flags ``--in-place``, ``--json``, ``--check``, ``--freeze``, each at
most once) and runs the book as the click command does. Anything else, or anything that would
print other than the plain summary (an error, ``--json``, a failed ``--check``, a terminal
that cannot show the summary's arrow), goes through the click command's own code, so the
messages and exit codes are the same either way (``tests/test_recalc_plain.py``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["failures", "parse_plain", "run_plain"]

_FLAGS = {"--in-place": "in_place", "--json": "as_json", "--check": "check", "--freeze": "freeze"}
_OUTPUT = ("-o", "--output")


def failures(result: Any) -> str | None:
    """What makes ``--check`` fail for one computed book, or ``None``."""
    problems = []
    if result.errors:
        first = result.errors[0]
        count = len(result.errors)
        holds = (
            "1 cell holds an error value" if count == 1 else f"{count:,} cells hold error values"
        )
        problems.append(f"{holds} (first: {first.address} {first.error})")
    if result.missing:
        count = len(result.missing)
        problems.append(
            "1 cell was not computed" if count == 1 else f"{count:,} cells were not computed"
        )
    if result.unsupported:
        labels = ", ".join(result.unsupported)
        problems.append(f"formulas the engine does not support ({labels})")
    return "; ".join(problems) or None


def _readable(path: str) -> bool:
    # click.Path refuses an existing path it cannot read: leave that message to click.
    try:
        os.stat(path)
    except OSError:
        return True
    return os.access(path, os.R_OK)


def parse_plain(args: list[str]) -> dict[str, Any] | None:
    """The options of a plain ``recalc`` call (``args`` after the word ``recalc``), or
    ``None`` when click must read them (help, ``--jobs``, several books, ``--opt=value``, a
    repeated option, a value starting with ``-``, …)."""
    options: dict[str, Any] = dict.fromkeys(_FLAGS.values(), False)
    options["output"] = options["book"] = None
    words = iter(args)
    for word in words:
        if word in _FLAGS and not options[_FLAGS[word]]:
            options[_FLAGS[word]] = True
        elif word in _OUTPUT and options["output"] is None:
            value = next(words, None)
            if not value or value.startswith("-") or not _readable(value):
                return None
            options["output"] = Path(value)
        elif word and not word.startswith("-") and options["book"] is None and _readable(word):
            options["book"] = Path(word)
        else:
            return None
    if options["book"] is None or (options["freeze"] and options["in_place"]):
        return None
    return options


def _utf8(stream: Any) -> bool:
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


def run_plain(args: list[str]) -> None:
    """Run a plain ``recalc`` and exit with its code; return (having done nothing) when the
    arguments are for click (:func:`parse_plain`)."""
    if os.environ.get("_XL_FUNNEL_COMPLETE"):  # click's shell completion
        return
    if os.name == "nt":  # click expands wildcards (plans\*.xlsx) in the arguments there
        return
    options = parse_plain(args)
    if options is None:
        return
    from xl_funnel.recalc.batch import TargetError, run_books, targets

    book = options["book"]
    try:
        chosen = targets([book], options["output"], options["in_place"])
    except TargetError:
        return  # click gives the message (nothing was computed)
    try:
        outcome = run_books([book], chosen, freeze=options["freeze"])[0]
        simple = outcome.error is None and not options["as_json"] and _utf8(sys.stdout)
        if simple and not (options["check"] and failures(outcome.result)):
            from xl_funnel.recalc.report import summary

            sys.stdout.write(summary(book, outcome.result, options["freeze"]) + "\n")
            sys.stdout.flush()
            sys.exit(0)
        _report_with_click((book,), [outcome], options)
    except (EOFError, KeyboardInterrupt):
        # as click ends an interrupted command: a blank line closing the terminal's ^C echo
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    except BrokenPipeError:
        # click exits 1, its output streams no longer flushed (the reader is gone)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


def _report_with_click(books: tuple[Path, ...], outcomes: list, options: dict[str, Any]) -> None:
    """The end of the click command for an outcome computed here, with click's handling of
    the exceptions it raises (the messages and exit codes click's ``main`` gives)."""
    import click

    from xl_funnel.cli.recalc import report_outcomes

    try:
        report_outcomes(books, outcomes, options["as_json"], options["check"], options["freeze"])
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    sys.exit(0)
