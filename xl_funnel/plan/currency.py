"""The plan's currency: one code or symbol in the config, shown by every money format.

Sheet modules format money with the ``"$"`` formats of :mod:`~xl_funnel.plan.styles`;
:func:`apply_currency` rewrites every one of them (cells and chart axes) to the plan's
symbol once the workbook is built, so no sheet needs to know the currency.
"""

from __future__ import annotations

from openpyxl import Workbook

__all__ = ["apply_currency", "currency_symbol"]

#: Symbols for common ISO 4217 codes; other codes show as the code and a space.
SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "¥",
    "RMB": "¥",
    "RUB": "₽",
    "INR": "₹",
    "KRW": "₩",
    "BRL": "R$",
    "ILS": "₪",
    "TRY": "₺",
    "UAH": "₴",
    "NGN": "₦",
    "PHP": "₱",
    "VND": "₫",
}
DOLLAR = '"$"'


def currency_symbol(currency: str) -> str:
    """What a money format shows for `currency`: a known code's symbol, an unknown code and
    a space, or the symbol itself.

    Examples
    --------
    >>> currency_symbol("RUB"), currency_symbol("cny"), currency_symbol("CHF"), currency_symbol("€")
    ('₽', '¥', 'CHF ', '€')
    """
    code = currency.strip().upper()
    if code in SYMBOLS:
        return SYMBOLS[code]
    if len(code) == 3 and code.isalpha() and code.isascii():
        return f"{code} "
    return currency.strip()


def apply_currency(book: Workbook, currency: str) -> None:
    """Rewrite every ``"$"`` money format of `book` (cells and chart axes) to `currency`."""
    symbol = currency_symbol(currency)
    if symbol == "$":
        return
    quoted = '"' + symbol + '"'
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if DOLLAR in cell.number_format:
                    cell.number_format = cell.number_format.replace(DOLLAR, quoted)
        for chart in sheet._charts:  # openpyxl keeps a sheet's charts here, unexposed
            for axis in (chart.x_axis, chart.y_axis):
                number_format = axis.number_format  # a NumFmt once set
                code = getattr(number_format, "formatCode", None)
                if code and DOLLAR in code:
                    number_format.formatCode = code.replace(DOLLAR, quoted)
