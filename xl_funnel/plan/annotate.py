"""Help attached to input cells: comments and data validations (with their input messages)."""

from __future__ import annotations

from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xl_funnel.plan.layout import Ref

__all__ = ["comment", "validate"]

AUTHOR = "xl-funnel"

#: Validation kinds: (openpyxl type, operator, formula1, formula2, error message).
RULES = {
    "rate": ("decimal", "between", "0", "1", "Enter a rate from 0 % to 100 % (e.g. 20 %)."),
    "positive_rate": (
        "decimal",
        "between",
        "0.000001",
        "1",
        "Enter a rate above 0 % and at most 100 %: a 0 % stage can never reach the target.",
    ),
    "money": ("decimal", "greaterThan", "0", None, "Enter a positive amount of money."),
    "amount": (
        "decimal",
        "greaterThanOrEqual",
        "0",
        None,
        "Enter an amount of money, 0 or more.",
    ),
    "count": ("decimal", "greaterThanOrEqual", "0", None, "Enter a count of 0 or more."),
    "whole": (
        "whole",
        "greaterThanOrEqual",
        "0",
        None,
        "Enter a whole number of 0 or more (people and deals are counted whole).",
    ),
    "weight": ("decimal", "greaterThanOrEqual", "0", None, "Enter a weight of 0 or more."),
    "uplift": ("decimal", "between", "-0.99", "1", "Enter growth points from -99 % to 100 %."),
    "months": (
        "decimal",
        "between",
        "0",
        "24",
        "Enter months from 0 up to the room the monthly plan has (regenerate for more).",
    ),
    "multiple": ("decimal", "between", "1", "100", "Enter a multiple from 1 to 100."),
    "coverage": ("decimal", "between", "0.01", "100", "Enter a multiple from 0.01 to 100."),
    "referrals": (
        "decimal",
        "between",
        "0",
        "1",
        "Enter referrals per customer per month, from 0 to 1 (0.02 = one every 50 months).",
    ),
    "date": ("date", "between", "1", "2958465", "Enter a date (the first day of the year)."),
}


def comment(sheet: Worksheet, ref: Ref, text: str) -> None:
    """A cell comment explaining an input, sized to its text."""
    note = Comment(text, AUTHOR)
    note.width = 260
    note.height = max(60, 18 * (len(text) // 40 + 2))
    sheet[ref.ref].comment = note


def validate(
    sheet: Worksheet,
    refs: list[Ref],
    kind: str,
    prompt: str,
    *,
    upper: str | None = None,
) -> DataValidation:
    """One data validation of `kind` over `refs`, with an input message shown on selection.

    `upper` replaces the rule's upper bound (the sales cycle is capped by the table's room).
    """
    type_, operator, low, high, error = RULES[kind]
    rule = DataValidation(
        type=type_,
        operator=operator,
        formula1=low,
        formula2=upper or high,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="xl-funnel",
        error=error,
        promptTitle=prompt[:32],
        prompt=error,
    )
    for ref in refs:
        rule.add(ref.ref)
    sheet.add_data_validation(rule)
    return rule


def validate_list(sheet: Worksheet, refs: list[Ref], source: str, prompt: str) -> DataValidation:
    """A drop-down of allowed values (`source`: ``"mean,cagr"`` in quotes, or a formula)."""
    rule = DataValidation(
        type="list",
        formula1=source,
        allow_blank=False,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="xl-funnel",
        error="Pick a value from the list.",
        promptTitle=prompt[:32],
        prompt="Pick a value from the list.",
    )
    for ref in refs:
        rule.add(ref.ref)
    sheet.add_data_validation(rule)
    return rule
