"""Recalculate many workbooks in one command: where each result goes, and running them (in
parallel processes with ``jobs``), a bad book reported and skipped without stopping the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from xl_funnel.atomic import FileBusyError, OutputIsInputError, check_not_input, locked

__all__ = ["Outcome", "TargetError", "default_output", "run_books", "targets"]


class TargetError(ValueError):
    """The outputs asked for cannot be written as asked (bad usage: nothing is computed)."""


class Outcome(NamedTuple):
    """One book's run: its result, or why it failed (the message names the file). (A named
    tuple: a dataclass would cost every ``recalc`` half a millisecond of start-up.)"""

    book: Path
    target: Path
    result: Any = None
    error: str | None = None


def default_output(book: Path) -> Path:
    """``plan.xlsx`` → ``plan.recalc.xlsx`` (the suffix kept, so .xlsm stays .xlsm)."""
    return book.with_name(f"{book.stem}.recalc{book.suffix}")


def _checked(book: Path, target: Path, books: Sequence[Path]) -> Path:
    if book.is_dir():
        return target  # not a workbook: reading it says so (and skips it among several)
    if target.suffix.lower() != book.suffix.lower():
        # The output is the same package as the input: an .xlsm renamed .xlsx (or a .csv)
        # is a file Excel refuses to open.
        folder = "" if target.suffix else ", or be an existing folder"
        raise TargetError(
            f"{target}: must end in {book.suffix} like {book.name}{folder}: recalc writes the "
            "same kind of workbook it reads"
        )
    try:  # any spelling, a hard link or a symlink of an input book
        check_not_input(target, [book])
    except OutputIsInputError:
        raise TargetError(
            f"{target}: is the input workbook; pass --in-place to overwrite it"
        ) from None
    try:
        check_not_input(target, books)
    except OutputIsInputError:
        raise TargetError(f"{target}: is another of the input books; write elsewhere") from None
    if not target.parent.is_dir():
        raise TargetError(f"{target}: folder {target.parent} does not exist")
    return target


def targets(books: Sequence[Path], output: Path | None, in_place: bool) -> list[Path]:
    """Where each book's result goes: the book itself (``in_place``), ``output`` (a file for
    one book, or a folder), or ``BOOK.recalc.xlsx`` beside it.

    Raises
    ------
    TargetError
        The options contradict each other, or two books would be written to one file.
    """
    if in_place and output is not None:
        raise TargetError("--in-place and -o/--output exclude each other: give one")
    if in_place:
        return list(books)
    if output is not None and (output.is_dir() or len(books) > 1):
        if not output.is_dir():
            raise TargetError(
                f"{output}: with several books, -o must be an existing folder (create it first)"
            )
        chosen = [_checked(book, output / book.name, books) for book in books]
    elif output is not None:
        chosen = [_checked(books[0], output, books)]
    else:
        # A folder is reported when read (and skipped among several); "." has no name to
        # derive an output from.
        chosen = [
            book if book.is_dir() else _checked(book, default_output(book), books) for book in books
        ]
    seen: dict[Path, Path] = {}
    for book, target in zip(books, chosen, strict=True):
        key = target.resolve()
        if key in seen:
            raise TargetError(f"{target}: both {seen[key]} and {book} would be written there")
        seen[key] = book
    return chosen


def _one(book: Path, target: Path, freeze: bool) -> Outcome:
    from xl_funnel.recalc.errors import WorkbookError
    from xl_funnel.recalc.workflow import recalculate

    try:
        # Locked from before BOOK is read until the result is renamed into place, so a second
        # xl-funnel command editing the same file waits instead of undoing this one.
        with locked(target):
            return Outcome(book, target, recalculate(book, target, freeze=freeze))
    except WorkbookError as error:
        return Outcome(book, target, error=f"{book}: {error}")
    except FileBusyError as error:
        return Outcome(book, target, error=f"{target}: {error.strerror}")
    except OSError as error:
        return Outcome(
            book, target, error=f"{target}: cannot be written: {error.strerror or error}"
        )


def run_books(
    books: Sequence[Path],
    chosen: Sequence[Path],
    jobs: int = 1,
    freeze: bool = False,
    done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Recalculate each book into its target, in order; ``jobs`` processes at once. A book
    that fails is reported in its :class:`Outcome`; the others run all the same."""
    outcomes = []
    for outcome in _outcomes(books, chosen, jobs, freeze):
        outcomes.append(outcome)
        if done is not None:
            done(outcome)
    return outcomes


def _outcomes(
    books: Sequence[Path], chosen: Sequence[Path], jobs: int, freeze: bool
) -> Iterator[Outcome]:
    if jobs <= 1 or len(books) <= 1:
        yield from (_one(book, target, freeze) for book, target in zip(books, chosen, strict=True))
        return
    from concurrent.futures import ProcessPoolExecutor  # only for --jobs: lean start-up

    with ProcessPoolExecutor(max_workers=min(jobs, len(books))) as pool:
        yield from pool.map(_one, books, chosen, [freeze] * len(books))
