"""``xl-funnel recalc``: compute workbooks without Excel and write the values back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from xl_funnel.cli.errors import ComputedWithErrors, InputError
from xl_funnel.cli.recalc_plain import failures

if TYPE_CHECKING:
    from xl_funnel.recalc.batch import Outcome


@click.command(
    epilog="\b\nExamples:\n"
    "  xl-funnel recalc plan.xlsx                       # writes plan.recalc.xlsx\n"
    "  xl-funnel recalc plan.xlsx --in-place --check    # CI: exit 1 if any cell errs\n"
    "  xl-funnel recalc plan.xlsx -o out.xlsx --json    # the summary for programs\n"
    "  xl-funnel recalc plan.xlsx --freeze -o shared.xlsx   # for colleagues without Python\n"
    "  xl-funnel recalc plans/*.xlsx -o computed/ --jobs 2  # many books, one line each"
)
@click.argument("books", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write: a file with BOOK's suffix, or an existing folder (required for several "
    "books) [default: BOOK.recalc.xlsx beside each book].",
)
@click.option("--in-place", is_flag=True, help="Replace each BOOK itself (atomically).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the summary as JSON (a list for several books)."
)
@click.option(
    "--check", is_flag=True, help="Exit 1 when any formula cell holds an error or was not computed."
)
@click.option(
    "--freeze",
    is_flag=True,
    help="Replace each cell calling an xl-funnel function "
    "by its value (other formulas kept), for colleagues without the add-in.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Workbooks computed at once, one process each.",
)
def recalc(
    books: tuple[Path, ...],
    output: Path | None,
    in_place: bool,
    as_json: bool,
    check: bool,
    freeze: bool,
    jobs: int,
) -> None:
    """Compute every formula in each BOOK (Excel's functions and xl-funnel's) and save the
    values.

    Formulas, styles, number formats, names, validation, conditional formats, charts,
    comments, widths and VBA are kept as they are; only the cached values of formula cells
    change, so pandas, openpyxl (data_only=True) and viewers see the numbers. No Excel or
    LibreOffice needed. A book that cannot be read is reported and skipped; the exit code is
    then 2.
    """
    from xl_funnel.recalc.batch import TargetError, run_books, targets

    if freeze and in_place:
        # the xl-funnel formulas of the user's own file would be gone for good
        raise InputError(
            "--freeze writes a copy without xl-funnel formulas: give -o, not --in-place"
        )
    if len(books) > 1:
        # ~$plan.xlsx is the lock file Excel keeps beside a workbook open in it: a glob over
        # a folder of plans picks it up, and it is no workbook.
        locks = [book for book in books if book.name.startswith("~$")]
        for lock in locks:
            click.echo(f"skipped {lock}: Excel's lock file of a workbook open in Excel", err=True)
        books = tuple(book for book in books if book not in locks) or books
    try:
        chosen = targets(books, output, in_place)
    except TargetError as error:
        raise InputError(str(error)) from None
    many = len(books) > 1
    if not many:
        outcomes = run_books(books, chosen, freeze=freeze)
    else:
        import sys

        if sys.stderr.isatty():
            with click.progressbar(length=len(books), label="recalc", file=sys.stderr) as bar:
                outcomes = run_books(books, chosen, jobs, freeze, done=lambda _: bar.update(1))
        else:  # a log or a pipe: no bar (click would leave its label as a stray line)
            outcomes = run_books(books, chosen, jobs, freeze)
    report_outcomes(books, outcomes, as_json, check, freeze)


def report_outcomes(
    books: tuple[Path, ...],
    outcomes: list[Outcome],
    as_json: bool,
    check: bool,
    freeze: bool = False,
) -> None:
    """Print what each book's run gave; raise the exit code it calls for (also the end of a
    plain run, :mod:`~xl_funnel.cli.recalc_plain`, that did not simply succeed)."""
    from xl_funnel.recalc import report

    many = len(books) > 1
    if not many and outcomes[0].error:
        raise InputError(outcomes[0].error)
    failed = [outcome for outcome in outcomes if outcome.error]
    for outcome in failed:
        click.echo(f"Error: {outcome.error}", err=True)
    computed = [outcome for outcome in outcomes if outcome.result is not None]
    if as_json:
        import json  # only for --json: start-up stays lean without it

        records = [report.as_record(o.book, o.result) for o in computed]
        records += [{"input": str(o.book), "failed": o.error} for o in failed] if many else []
        click.echo(json.dumps(records if many else records[0], indent=2))
    else:
        for outcome in computed:
            shown = report.one_line if many else report.summary
            click.echo(shown(outcome.book, outcome.result, freeze))
    if failed:
        raise click.exceptions.Exit(InputError.exit_code)
    problems = [(o.book, failures(o.result)) for o in computed]
    problems = [(book, problem) for book, problem in problems if problem]
    if check and problems:
        raise ComputedWithErrors("; ".join(f"{book}: {problem}" for book, problem in problems))
