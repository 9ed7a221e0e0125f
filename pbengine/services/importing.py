"""Import a budget's projects from a CSV file or a pabulib ``.pb`` file, all or nothing.

The first bad line stops the import with :class:`ImportRefused`, which names the line; the
caller's transaction is then rolled back so no project of the file is kept.
"""

from __future__ import annotations

import csv
import io

from voting_rules import PabulibError, read_pb
from voting_rules.election import amount_text, parse_amount

from ..i18n import _
from ..models import Budget, Project
from ..money import minor_digits, to_minor
from .errors import DomainError, InvalidInput
from .phases import ensure_unlocked
from .processes import ProjectData, add_project

MAX_BYTES = 2_000_000
CODE_COLUMNS = ("project_id", "code")
TITLE_COLUMNS = ("name", "title")


class ImportRefused(InvalidInput):
    """A line of the file is wrong; ``line`` is its number (1 is the first line of the file)."""

    def __init__(self, line: int, problem, field: str = "file"):
        super().__init__(_("Line ${line}: ${problem}", mapping={"line": line, "problem": problem}), field=field)
        self.line = line
        self.problem = problem


def _decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("The file is too large (at most 2 MB)."), field="file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not UTF-8 text."), field="file") from None


def _sdgs(raw: str, line: int) -> list[int]:
    values = []
    for item in (raw or "").replace(";", ",").split(","):
        if item.strip():
            try:
                values.append(int(item.strip()))
            except ValueError:
                raise ImportRefused(line, _("Sustainable Development Goals are numbered 1 to 17.")) from None
    return values


def _minor(units, currency: str, line: int, raw: str) -> int:
    """Whole units read from a file to minor units; refused if finer than the currency's digits."""
    try:
        return to_minor(units, currency)
    except ValueError:
        raise ImportRefused(line, _("The cost “${cost}” has more decimals than ${currency} allows (${n}).",
                                    mapping={"cost": raw, "currency": currency,
                                             "n": minor_digits(currency)})) from None


def _cost(raw: str, line: int, currency: str) -> int:
    text = (raw or "").strip().replace(" ", "").replace("\u202f", "")
    # A negative cost is read, for the project check to refuse it with its own message.
    sign, text = (-1, text[1:]) if text.startswith("-") else (1, text)
    try:
        units = sign * parse_amount(text)
    except ValueError:
        raise ImportRefused(line, _("The cost “${cost}” is not an amount like 12500 or 12500.50.",
                                    mapping={"cost": raw})) from None
    return _minor(units, currency, line, raw)


def _pick(row: dict, names: tuple[str, ...]) -> str:
    for name in names:
        if row.get(name) not in (None, ""):
            return row[name].strip()
    return ""


def parse_csv(text: str, currency: str) -> list[tuple[int, ProjectData]]:
    """``(line number, project)`` for each data row; the delimiter (`,` or `;`) is detected."""
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not columns & set(CODE_COLUMNS) or not columns & set(TITLE_COLUMNS) or "cost" not in columns:
        raise ImportRefused(1, _("The first line must name the columns, with at least "
                                 "project_id (or code), name (or title) and cost."))
    rows = []
    for row in reader:
        row = {(key or "").strip().lower(): value or "" for key, value in row.items() if key is not None}
        line = reader.line_num
        if not any(value.strip() for value in row.values()):
            continue
        categories = [c.strip() for c in row.get("category", row.get("categories", "")).split(",") if c.strip()]
        rows.append((line, ProjectData(
            code=_pick(row, CODE_COLUMNS), title=_pick(row, TITLE_COLUMNS),
            cost=_cost(row.get("cost", ""), line, currency),
            description=row.get("description", "").strip(), categories=categories,
            sdgs=_sdgs(row.get("sdgs", ""), line))))
    return rows


def parse_pb(text: str, currency: str) -> list[tuple[int, ProjectData]]:
    """The PROJECTS section of a pabulib file (its votes are not imported)."""
    try:
        election = read_pb(text)
    except PabulibError as error:
        raise ImportRefused(error.line_no, error.message) from None
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip().upper() == "PROJECTS"), 0)

    def line_of(project_id: str) -> int:
        for index in range(start, len(lines)):
            if lines[index].split(";", 1)[0].strip() == project_id:
                return index + 1
        return start + 1

    return [(line_of(p.id), ProjectData(
        code=p.id, title=p.name or p.id, cost=_minor(p.cost, currency, line_of(p.id), amount_text(p.cost)),
        description=p.extra.get("description", ""), categories=list(p.categories)))
        for p in election.projects]


def import_projects(db, budget: Budget, filename: str, content: bytes, actor: str = "") -> list[Project]:
    """Add every project of the file to ``budget``, or raise on the first bad line."""
    ensure_unlocked(budget.process)
    text = _decode(content)
    if not text.strip():
        raise InvalidInput(_("The file is empty."), field="file")
    currency = budget.process.currency
    try:
        parsed = parse_pb(text, currency) if (filename or "").lower().endswith(".pb") else parse_csv(text, currency)
    except csv.Error:  # a field over csv.field_size_limit() (131,072 characters), a stray NUL
        raise InvalidInput(_("This CSV file cannot be read: a field is too long or holds a control character."),
                           field="file") from None
    if not parsed:
        raise InvalidInput(_("The file has no project."), field="file")
    added = []
    for line, data in parsed:
        try:
            added.append(add_project(db, budget, data, actor))
        except DomainError as error:
            raise ImportRefused(line, error.message) from None
    return added
