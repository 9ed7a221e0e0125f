"""CSV files a spreadsheet opens safely: the audit export's ``tally.csv`` and the organizer's files.

Every value goes through :func:`cell`, so a text a spreadsheet would run as a formula is quoted
and numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A CSV cell a spreadsheet will not run as a formula; numbers stay numbers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(columns: list[str], rows) -> bytes:
    """A CSV file (UTF-8, ``\\n`` line ends) of ``columns`` and ``rows``, every value through :func:`cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue().encode("utf-8")
