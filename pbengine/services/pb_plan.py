"""Import a pabulib ``.pb`` file into a budget, taken at its word: a preview, then the changes.

Besides its projects (not its votes), a ``.pb`` file's META gives the currency (of the whole
process), the budget's amount and its ballot format and limits. :func:`plan_pb` says what the file
would change, checking everything and writing nothing (the console's preview); :func:`apply_pb`
makes exactly those changes, in the caller's transaction, once the organizer confirmed. The
counting rule is not taken from the file: a file without one would silently turn the budget's
rule into greedy, so the organizer chooses it on the budget form.

:func:`budget_data` and :func:`meta_minor` also serve ``services/pb_import.py`` (a whole budget
with its ballots).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from voting_rules import Election, PabulibError, params_from_meta, read_pb
from voting_rules.election import amount_text

from .. import money
from ..i18n import _
from ..models import BallotKind, Budget, Project
from .budgets import BudgetData, check_budget, update_budget
from .errors import InvalidInput
from .import_files import ImportRefused, cost_minor, decode
from .phases import ensure_unlocked
from .processes import ProcessData, check_process, update_process
from .projects import ProjectData, add_project, check_project


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
        code=p.id, title=p.name or p.id, cost=cost_minor(p.cost, currency, line_of(p.id), amount_text(p.cost)),
        description=p.extra.get("description", ""), categories=list(p.categories)))
        for p in election.projects]


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
