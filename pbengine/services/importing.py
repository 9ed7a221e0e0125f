"""Import a budget's projects from a CSV file or a pabulib ``.pb`` file, all or nothing.

The first bad line stops the import with :class:`ImportRefused`, which names the line; the
caller's transaction is then rolled back so no project of the file is kept.

A ``.pb`` file is taken at its word: its META also gives the currency (of the whole process),
the budget's amount and its ballot format and limits. :func:`plan_pb` says what the file would
change, checking everything and writing nothing (the console's preview); :func:`apply_pb`
makes exactly those changes, in the caller's transaction, once the organizer confirmed. The
counting rule is not taken from the file: a file without one would silently turn the
budget's rule into greedy, so the organizer chooses it on the budget form.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from dataclasses import dataclass

from voting_rules import Election, PabulibError, params_from_meta, read_pb
from voting_rules.election import amount_text, parse_amount

from .. import money
from ..i18n import LANGUAGES, _
from ..models import BallotKind, Budget, OrganisationType, Project
from ..money import minor_digits, to_minor
from .errors import InvalidInput
from .phases import ensure_unlocked
from .processes import (
    BudgetData,
    ProcessData,
    ProjectData,
    add_project,
    check_budget,
    check_process,
    check_project,
    update_budget,
    update_process,
)
from .translations import set_translation

MAX_BYTES = 2_000_000
CODE_COLUMNS = ("project_id", "code")
TITLE_COLUMNS = ("name", "title")


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


def is_pb(filename: str) -> bool:
    return (filename or "").lower().endswith(".pb")


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


# ---------------------------------------------------------------- a .pb file taken at its word


def meta_minor(value, currency: str, what: str) -> int:
    try:
        return money.to_minor(value, currency)
    except ValueError:
        raise InvalidInput(_("${what} has more decimals than ${currency} allows (${n}).",
                             mapping={"what": what, "currency": currency,
                                      "n": money.minor_digits(currency)}), field="file") from None


def budget_data(election: Election, slug: str, name: str, currency: str) -> BudgetData:
    """The budget a file describes, amounts in the process currency's minor units."""
    fmt = election.ballot_format
    if fmt.kind not in set(BallotKind):
        raise InvalidInput(_("Ballots of type “${kind}” cannot be imported: budgets here use approval, "
                             "knapsack, cumulative or ranking ballots.", mapping={"kind": fmt.kind}), field="file")
    params = params_from_meta(election.meta)
    return BudgetData(
        slug=slug, name=name, amount=meta_minor(election.budget, currency, "META budget"),
        description=election.meta.get("comment", "")[:2000], ballot_kind=fmt.kind,
        min_length=fmt.min_length, max_length=fmt.max_length if fmt.kind != "ranking" else None,
        max_sum_cost=None if fmt.max_sum_cost is None else meta_minor(fmt.max_sum_cost, currency, "META max_sum_cost"),
        max_sum_points=fmt.max_sum_points, max_points_per_project=fmt.max_points_per_project,
        rank_length=fmt.rank_length, rule=params.rule, satisfaction=params.satisfaction,
        completion=params.completion, tie_break=",".join(params.tie_break), threshold=params.threshold)


# The budget settings a file's META gives, in the order the preview lists them.
PB_SETTINGS = {
    "amount": _("Budget"),
    "ballot_kind": _("Ballot format"),
    "min_length": _("Fewest projects a voter must choose"),
    "max_length": _("Most projects a voter may choose"),
    "max_sum_cost": _("Most total cost a voter may choose"),
    "max_sum_points": _("Points each voter spreads"),
    "max_points_per_project": _("Most points for one project"),
    "rank_length": _("Number of places to rank"),
}
MONEY_SETTINGS = ("amount", "max_sum_cost")


@dataclass(frozen=True)
class Change:
    """One setting the file changes: ``old`` and ``new`` as stored (amounts in minor units).

    ``money`` says the values are amounts, ``old`` in ``old_currency`` and ``new`` in ``currency``.
    """

    field: str
    label: object
    old: object
    new: object
    money: bool = False
    old_currency: str = ""
    currency: str = ""


@dataclass
class PbPlan:
    """What importing a ``.pb`` file into a budget would do; nothing is written to make it."""

    currency: str
    changes: list[Change]
    projects: list[ProjectData]
    other_budgets: int  # budgets of the process whose amounts the currency change also concerns
    warnings: list[str]
    new_budget: BudgetData  # the budget as the file leaves it
    added: list[Project] = dataclasses.field(default_factory=list)  # once applied

    @property
    def digest(self) -> str:
        """Names this exact plan: the confirmation is refused if the plan changed since the preview."""
        plain = {"currency": self.currency, "budget": dataclasses.asdict(self.new_budget),
                 "changes": [[c.field, c.old, c.new] for c in self.changes],
                 "projects": [dataclasses.asdict(p) for p in self.projects]}
        return hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class _Planned:
    """The budget as the plan leaves it, for the project checks (its amount, its projects so far)."""

    amount: int
    projects: list[Project | ProjectData]


def _read(content: bytes | str) -> tuple[str, Election]:
    text = content if isinstance(content, str) else decode(content)
    if not text.strip():
        raise InvalidInput(_("The file is empty."), field="file")
    try:
        return text, read_pb(text)
    except PabulibError as error:
        raise ImportRefused(error.line_no, error.message) from None


def plan_pb(db, budget: Budget, content: bytes | str) -> PbPlan:
    """Everything the file would change in ``budget`` (and its process), checked; or the first problem."""
    process = budget.process
    ensure_unlocked(process)
    text, election = _read(content)
    declared = (election.meta.get("currency") or "").strip().upper()
    currency = declared or process.currency
    if currency != process.currency:
        try:
            check_process(db, _process_data(process, currency), process)
        except InvalidInput as error:
            raise InvalidInput(error.errors.get("currency", error.message), field="file") from None
    try:
        read = budget_data(election, budget.slug, budget.name, currency)
    except InvalidInput as error:
        raise InvalidInput(error.message, field="file") from None
    data = BudgetData(**{field.name: getattr(budget, field.name) for field in dataclasses.fields(BudgetData)})
    for name in PB_SETTINGS:
        setattr(data, name, getattr(read, name))
    try:
        check_budget(process, data, budget)
    except InvalidInput as error:
        name, problem = next(iter(error.errors.items()))
        raise InvalidInput(_("${setting}: ${problem}", mapping={"setting": PB_SETTINGS.get(name, name),
                                                                "problem": problem}), field="file") from None
    parsed = parse_pb(text, currency)
    if not parsed:
        raise InvalidInput(_("The file has no project."), field="file")
    planned = _Planned(data.amount, list(budget.projects))
    for line, project in parsed:
        try:
            check_project(planned, project)
        except InvalidInput as error:
            raise ImportRefused(line, next(iter(error.errors.values()), error.message)) from None
        planned.projects.append(project)
    changes = []
    if currency != process.currency:
        changes.append(Change("currency", _("Currency"), process.currency, currency))
    for name, label in PB_SETTINGS.items():
        old, new = getattr(budget, name), getattr(data, name)
        if name in MONEY_SETTINGS:
            changed = old != new or (currency != process.currency and new is not None)
        else:
            changed = old != new
        if changed:
            changes.append(Change(name, label, old, new, name in MONEY_SETTINGS, process.currency, currency))
    return PbPlan(currency=currency, changes=changes, projects=[project for _line, project in parsed],
                  other_budgets=len([b for b in process.budgets if b is not budget]),
                  warnings=list(election.warnings), new_budget=data)


def _process_data(process, currency: str) -> ProcessData:
    values = {field.name: getattr(process, field.name) for field in dataclasses.fields(ProcessData)}
    return ProcessData(**values | {"currency": currency})


class PlanChanged(InvalidInput):
    """The budget changed between the preview and the confirmation."""

    status = 409


def apply_pb(db, budget: Budget, content: bytes | str, digest: str, actor: str = "") -> PbPlan:
    """Make the changes :func:`plan_pb` lists, all of them or (on any problem) none.

    ``digest`` is the previewed plan's: if the budget or the process changed since, nothing is
    done and :class:`PlanChanged` asks for a new preview.
    """
    plan = plan_pb(db, budget, content)
    if plan.digest != digest:
        raise PlanChanged(_("The budget changed since the preview: check the new preview and confirm again."),
                          field="file")
    process = budget.process
    if plan.currency != process.currency:
        update_process(db, process, _process_data(process, plan.currency), actor)
    update_budget(db, budget, plan.new_budget, actor)
    plan.added = [add_project(db, budget, project, actor) for project in plan.projects]
    return plan
