"""CSV cells that spreadsheets show as text, never run as formulas (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula, so a recipient named ``=HYPERLINK("https://…")`` would
become a live link (or worse) in the issuer's reminder mail merge. Such cells get a leading
apostrophe, which spreadsheets show as nothing and treat as "this is text".
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as CSV cell text that no spreadsheet evaluates (None -> '')."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: list[object]) -> list[str]:
    """Every cell of a row through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]
