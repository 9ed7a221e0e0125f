"""What every file imported into a budget shares: its size and encoding, and the error naming its line.

A CSV file of projects is ``services/csv_import.py``; a ``.pb`` file taken at its word (projects and
settings, with a preview) is ``services/pb_plan.py``; a whole budget with its ballots from a
``.pb`` file is ``services/pb_import.py``.
"""

from __future__ import annotations

from ..i18n import _
from ..money import minor_digits, to_minor
from .errors import InvalidInput

MAX_BYTES = 2_000_000


class ImportRefused(InvalidInput):
    """A line of the file is wrong; ``line`` is its number (1 is the first line of the file)."""

    def __init__(self, line: int, problem, field: str = "file"):
        super().__init__(_("Line ${line}: ${problem}", mapping={"line": line, "problem": problem}), field=field)
        self.line = line
        self.problem = problem


def decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("The file is too large (at most 2 MB)."), field="file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not UTF-8 text."), field="file") from None


def is_pb(filename: str) -> bool:
    return (filename or "").lower().endswith(".pb")


def cost_minor(units, currency: str, line: int, raw: str) -> int:
    """Whole units read from a file to minor units; refused if finer than the currency's digits."""
    try:
        return to_minor(units, currency)
    except ValueError:
        raise ImportRefused(line, _("The cost “${cost}” has more decimals than ${currency} allows (${n}).",
                                    mapping={"cost": raw, "currency": currency,
                                             "n": minor_digits(currency)})) from None
