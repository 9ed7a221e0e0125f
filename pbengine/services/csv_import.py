"""Import a budget's projects from a CSV file, all or nothing, naming every bad line and column.

The delimiter (``,`` or ``;``) is detected; the first line names the columns (:data:`COLUMNS`).
Every row is checked before anything is kept: :class:`FileRefused` names each problem (at most
:data:`MAX_PROBLEMS`), and the caller's transaction is then rolled back so no project of the file
is kept. :func:`import_projects` takes a ``.pb`` file too, without a preview
(``services/pb_plan.py``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from voting_rules.election import parse_amount

from ..i18n import LANGUAGES, _
from ..models import Budget, OrganisationType, Project
from .errors import InvalidInput
from .import_files import ImportRefused, cost_minor, decode, is_pb
from .pb_plan import apply_pb, plan_pb
from .phases import ensure_unlocked
from .projects import ProjectData, add_project, check_project
from .translations import set_translation

CODE_COLUMNS = ("project_id", "code")
TITLE_COLUMNS = ("name", "title")


def _sdgs(raw: str, line: int) -> list[int]:
    values = []
    for item in (raw or "").replace(";", ",").split(","):
        if item.strip():
            try:
                values.append(int(item.strip()))
            except ValueError:
                raise ImportRefused(line, _("Sustainable Development Goals are numbered 1 to 17.")) from None
    return values


def _cost(raw: str, line: int, currency: str) -> int:
    text = (raw or "").strip().replace(" ", "").replace("\u202f", "")
    # A negative cost is read, for the project check to refuse it with its own message.
    sign, text = (-1, text[1:]) if text.startswith("-") else (1, text)
    try:
        units = sign * parse_amount(text)
    except ValueError:
        raise ImportRefused(line, _("The cost “${cost}” is not an amount like 12500 or 12500.50.",
                                    mapping={"cost": raw})) from None
    return cost_minor(units, currency, line, raw)


# A project field -> the CSV columns that may hold it (the first one found is read).
COLUMNS = {
    "code": CODE_COLUMNS,
    "title": TITLE_COLUMNS,
    "cost": ("cost",),
    "description": ("description",),
    "categories": ("category", "categories"),
    "sdgs": ("sdgs",),
    "organisation_name": ("organisation_name", "organisation"),
    "organisation_type": ("organisation_type",),
    "location": ("location",),
    "image_url": ("image_url", "image"),
}
TEXT_LIMITS = {"title": 200, "organisation_name": 200, "location": 200, "image_url": 500, "description": 10_000}
# The title and description in the other languages: columns title_fr, description_es...
TRANSLATION_COLUMNS = {f"{name}_{locale}": (locale, name)
                       for locale in LANGUAGES if locale != "en" for name in ("title", "description")}
MAX_PROBLEMS = 20


@dataclass
class CsvRow:
    line: int
    data: ProjectData
    translations: dict[tuple[str, str], str]
    columns: dict[str, str]  # project field -> the column of the file that holds it
    problems: dict[str, object]  # project field -> what is wrong in its column


class FileRefused(InvalidInput):
    """Lines of the file are wrong; ``problems`` names each one (line, column, what is wrong)."""

    def __init__(self, problems: list):
        message = problems[0] if len(problems) == 1 else _(
            "${n} problems in the file; nothing was imported.", mapping={"n": len(problems)})
        super().__init__(message, field="file")
        self.problems = problems


def _problem(line: int, column: str | None, message):
    if column is None:
        return _("Line ${line}: ${problem}", mapping={"line": line, "problem": message})
    return _("Line ${line}, column ${column}: ${problem}", mapping={"line": line, "column": column,
                                                                    "problem": message})


def _csv_row(row: dict, line: int, currency: str) -> CsvRow:
    columns = {field: next((name for name in names if row.get(name, "").strip()), names[0])
               for field, names in COLUMNS.items()}
    problems: dict[str, object] = {}

    def cell(field: str) -> str:
        value = row.get(columns[field], "").strip()
        if len(value) > TEXT_LIMITS.get(field, 10_000):
            problems[field] = _("Keep it under ${n} characters.", mapping={"n": TEXT_LIMITS[field]})
            return ""
        return value

    def read(field: str, reader, fallback):
        try:
            return reader(cell(field))
        except ImportRefused as error:
            problems[field] = error.problem
            return fallback

    organisation_type = cell("organisation_type").lower() or None
    if organisation_type and organisation_type not in set(OrganisationType):
        problems["organisation_type"] = _("Unknown organisation type “${value}”: use one of ${known}.", mapping={
            "value": organisation_type, "known": ", ".join(OrganisationType)})
    data = ProjectData(
        code=cell("code"), title=cell("title"), cost=read("cost", lambda raw: _cost(raw, line, currency), None),
        description=cell("description"),
        categories=[c.strip() for c in cell("categories").split(",") if c.strip()],
        sdgs=read("sdgs", lambda raw: _sdgs(raw, line), None),
        organisation_name=cell("organisation_name"), organisation_type=organisation_type,
        location=cell("location"), image_url=cell("image_url"))
    translations = {}
    for column, key in TRANSLATION_COLUMNS.items():
        value = row.get(column, "").strip()
        if len(value) > TEXT_LIMITS[key[1]]:
            columns[column] = column
            problems[column] = _("Keep it under ${n} characters.", mapping={"n": TEXT_LIMITS[key[1]]})
        elif value:
            translations[key] = value
    return CsvRow(line, data, translations, columns, problems)


def parse_csv(text: str, currency: str) -> list[CsvRow]:
    """Each data row of the file; the delimiter (`,` or `;`) is detected."""
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
        if any(value.strip() for value in row.values()):
            rows.append(_csv_row(row, reader.line_num, currency))
    return rows


def import_projects(db, budget: Budget, filename: str, content: bytes, actor: str = "") -> list[Project]:
    """Add every project of the file to ``budget``, or raise naming every bad line and column.

    A ``.pb`` file also sets what its META says (:func:`apply_pb`, without a preview).
    """
    ensure_unlocked(budget.process)
    if is_pb(filename):
        return apply_pb(db, budget, content, plan_pb(db, budget, content).digest, actor).added
    text = decode(content)
    if not text.strip():
        raise InvalidInput(_("The file is empty."), field="file")
    try:
        rows = parse_csv(text, budget.process.currency)
    except csv.Error:  # a field over csv.field_size_limit() (131,072 characters), a stray NUL
        raise InvalidInput(_("This CSV file cannot be read: a field is too long or holds a control character."),
                           field="file") from None
    if not rows:
        raise InvalidInput(_("The file has no project."), field="file")
    added, problems = [], []
    for row in rows:
        found = dict(row.problems)
        try:
            if found:
                check_project(budget, row.data)  # the row's other columns, to name them all at once
            else:
                project = add_project(db, budget, row.data, actor)
                for (locale, name), value in row.translations.items():
                    set_translation(project, locale, name, value)
                added.append(project)
        except InvalidInput as error:
            found = {field: message for field, message in error.errors.items() if field not in found} | found
        problems += [_problem(row.line, row.columns.get(field), message)
                     for field, message in sorted(found.items(), key=lambda item: _order(item[0]))]
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise FileRefused(problems[:MAX_PROBLEMS])  # the caller's transaction is rolled back
    return added


def _order(field: str) -> int:
    names = list(COLUMNS) + list(TRANSLATION_COLUMNS)
    return names.index(field) if field in names else len(names)
