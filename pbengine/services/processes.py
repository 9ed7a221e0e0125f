"""Processes, budgets and projects: creation, editing, and the configuration that voting locks.

What each phase allows is ``services/phases.py``; moving between phases is ``services/workflow.py``; the
organizers' texts in other languages are ``services/translations.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select

from voting_rules import RULES, BallotFormat, TallyParams
from voting_rules.election import APPROVAL_KINDS, EXCLUSION_RULES, incompatible_text, parse_incompatible

from .. import money
from ..i18n import _
from ..models import AuditEvent, BallotKind, Budget, OrganisationType, Phase, Process, Project, VoterCode
from . import audit
from .errors import ConfigurationChanged, ConfigurationLocked, FieldErrors
from .phases import ensure_deletable, ensure_unlocked, is_locked

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


# ---------------------------------------------------------------- processes


@dataclass
class ProcessData:
    slug: str
    title: str
    description: str = ""
    currency: str = "EUR"
    allow_revote: bool = True
    proposals_start: dt.date | None = None
    proposals_end: dt.date | None = None
    voting_start: dt.date | None = None
    voting_end: dt.date | None = None
    max_budgets: int | None = None  # a voter code votes in at most this many budgets (None: no limit)
    auto_phases: bool = False


def check_process(db, data: ProcessData, process: Process | None = None) -> None:
    """Every problem of ``data`` at once: one :class:`InvalidInput` naming each wrong field."""
    errors = FieldErrors()
    if not SLUG_RE.match(data.slug or ""):
        errors.add("slug", _("Use 1 to 40 lowercase letters, digits and dashes."))
    if not (data.title or "").strip():
        errors.add("title", _("This field is required."))
    if not re.match(r"^[A-Z]{3}$", data.currency or ""):
        errors.add("currency", _("Use a three-letter currency code, like EUR."))
    elif (process is not None and process.budgets and data.currency != process.currency
            and money.minor_digits(data.currency) != money.minor_digits(process.currency)):
        # Amounts are stored in the currency's smallest unit: 1 JPY and 1 EUR cent are both 1.
        errors.add("currency", _("${new} has a different number of decimals than ${old}: remove the budgets "
                                 "first, or keep a currency with ${n} decimals.",
                                 mapping={"new": data.currency, "old": process.currency,
                                          "n": money.minor_digits(process.currency)}))
    if data.max_budgets is not None and data.max_budgets < 1:
        errors.add("max_budgets", _("Enter a number of at least ${n}.", mapping={"n": 1}))
    for start, end, field in ((data.proposals_start, data.proposals_end, "proposals_end"),
                              (data.voting_start, data.voting_end, "voting_end")):
        if start and end and end < start:
            errors.add(field, _("The end date is before the start date."))
    if "slug" not in errors:
        other = db.query(Process).filter(Process.slug == data.slug).first()
        if other is not None and other is not process:
            errors.add("slug", _("This address is already used by another process."))
    errors.raise_if_any()


def create_process(db, data: ProcessData, actor: str = "") -> Process:
    check_process(db, data)
    process = Process(**vars(data), phase=Phase.DRAFT.value, translations={})
    db.add(process)
    db.flush()
    audit.record(db, process, "process.created", {"slug": process.slug, "title": process.title}, actor)
    return process


def update_process(db, process: Process, data: ProcessData, actor: str = "") -> Process:
    check_process(db, data, process)
    if is_locked(process):
        _ensure_configuration_kept(process, data)
    for key, value in vars(data).items():
        setattr(process, key, value)
    audit.record(db, process, "process.updated", {"slug": process.slug}, actor)
    return process


@dataclass
class DeletedProcess:
    """What a deleted draft process held: the only record left of it (its audit log went with it)."""

    id: int
    slug: str
    budgets: int
    projects: int
    voter_codes: int
    audit_events: int
    audit_head: str


def delete_process(db, process: Process) -> DeletedProcess:
    """Delete a draft process with its budgets, projects, voter codes, roles and audit log.

    A draft was never public, so nothing outside the console refers to it. Its own audit log
    goes with it; the caller records the returned summary (the console writes a log line).
    """
    ensure_deletable(process, "process")
    last = db.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.process_id == process.id)
                      .order_by(AuditEvent.seq.desc()).limit(1)).first()
    deleted = DeletedProcess(
        id=process.id, slug=process.slug, budgets=len(process.budgets),
        projects=sum(len(b.projects) for b in process.budgets),
        voter_codes=db.scalar(select(func.count()).select_from(VoterCode)
                              .where(VoterCode.process_id == process.id)),
        audit_events=last.seq if last else 0, audit_head=last.hash if last else "")
    # budgets, projects and proposals go through the ORM's cascades; roles, code batches, codes
    # and audit events through their foreign keys' ON DELETE CASCADE
    db.delete(process)
    db.flush()
    return deleted


# ---------------------------------------------------------------- configuration lock


def configuration(process: Process, **changes) -> dict:
    """The configuration that voting locks, as plain data (also stored in the audit log).

    ``changes`` replaces process fields (``slug="new"``) to see the configuration an edit would
    give, without touching the process. Every field that changes this dict is frozen from the
    vote on: that is the lock, derived from the fingerprint itself, not from a list of fields.
    """
    def field(name):
        return changes[name] if name in changes else getattr(process, name)

    currency = field("currency")
    return {
        "process": field("slug"),
        "currency": currency,
        "allow_revote": field("allow_revote"),
        # only when set: fingerprints of processes without a limit are unchanged
        **({"max_budgets": field("max_budgets")} if field("max_budgets") is not None else {}),
        "budgets": [
            {
                "slug": b.slug,
                "amount": money.as_json(b.amount, currency),
                "ballot": ballot_format(b).to_meta(),
                "params": tally_params(b).to_json(),
                "projects": [[p.code, money.as_json(p.cost, currency)]
                             for p in sorted(b.projects, key=lambda p: p.code)],
                # only when set: fingerprints of budgets without groups are unchanged
                **({"incompatible": incompatible_text(incompatible_groups(b))} if b.incompatible else {}),
            }
            for b in process.budgets
        ],
    }


def fingerprint(process: Process) -> str:
    return hashlib.sha256(audit.canonical(configuration(process)).encode()).hexdigest()


def _ensure_configuration_kept(process: Process, data: ProcessData) -> None:
    """Refuse an edit of a locked process that would change its fingerprinted configuration."""
    locked = configuration(process)
    for name, value in vars(data).items():
        if configuration(process, **{name: value}) != locked:
            raise ConfigurationLocked(
                _("Voting has opened: this field is part of the locked configuration (its "
                  "fingerprint) and can no longer change."), field=name)


def ensure_configuration_unchanged(process: Process) -> None:
    """Computing and publishing re-check the configuration against the fingerprint voting locked."""
    if not process.config_fingerprint or fingerprint(process) != process.config_fingerprint:
        raise ConfigurationChanged(
            _("The configuration no longer matches the fingerprint recorded when voting opened: "
              "the results cannot be computed or published."))


# ---------------------------------------------------------------- budgets


def ballot_format(budget: Budget) -> BallotFormat:
    """The budget's ballot format for ``voting_rules`` (the knapsack limit in whole currency units)."""
    return BallotFormat(
        kind=budget.ballot_kind,
        min_length=budget.min_length,
        max_length=budget.max_length,
        max_sum_cost=money.to_units_or_none(budget.max_sum_cost, budget.process.currency),
        max_sum_points=budget.max_sum_points,
        max_points_per_project=budget.max_points_per_project,
        rank_length=budget.rank_length,
    )


def incompatible_groups(budget: Budget) -> tuple[frozenset[str], ...]:
    """The budget's groups of projects of which at most one is funded."""
    return parse_incompatible(budget.incompatible or "")


def tally_params(budget: Budget, rule: str | None = None) -> TallyParams:
    return TallyParams(
        rule=rule or budget.rule,
        satisfaction=budget.satisfaction,
        completion=budget.completion,
        tie_break=tuple(t.strip() for t in budget.tie_break.split(",") if t.strip()),
        threshold=budget.threshold,
    )


@dataclass
class BudgetData:
    """A budget as entered; ``amount`` and ``max_sum_cost`` in minor units (cents)."""

    slug: str
    name: str
    amount: int
    description: str = ""
    ballot_kind: str = BallotKind.APPROVAL.value
    min_length: int | None = None
    max_length: int | None = None
    max_sum_cost: int | None = None
    max_sum_points: int | None = None
    max_points_per_project: int | None = None
    rank_length: int | None = None
    rule: str = "equal-shares"
    satisfaction: str = "cost"
    completion: str = "add1-greedy"
    tie_break: str = "votes,lower-cost,id"
    threshold: int | None = None
    incompatible: str = ""


def check_budget(process: Process, data: BudgetData, budget: Budget | None = None) -> None:
    """Every problem of ``data`` at once (and ``data.incompatible`` normalised when it is right)."""
    errors = FieldErrors()
    bad = errors.add

    if not SLUG_RE.match(data.slug or ""):
        bad("slug", _("Use 1 to 40 lowercase letters, digits and dashes."))
    if any(b.slug == data.slug and b is not budget for b in process.budgets):
        bad("slug", _("Another budget of this process has this address."))
    if not (data.name or "").strip():
        bad("name", _("This field is required."))
    if data.amount is None or data.amount <= 0:
        bad("amount", _("The budget must be a positive amount."))
    if data.ballot_kind not in set(BallotKind):
        bad("ballot_kind", _("Unknown ballot format."))
    for field in ("min_length", "max_length", "max_sum_cost", "max_sum_points",
                  "max_points_per_project", "rank_length", "threshold"):
        value = getattr(data, field)
        if value is not None and value < 0:
            bad(field, _("This number cannot be negative."))
    if data.min_length is not None and data.max_length is not None and data.min_length > data.max_length:
        bad("min_length", _("The minimum is larger than the maximum."))
    if data.ballot_kind == BallotKind.CUMULATIVE and not data.max_sum_points:
        bad("max_sum_points", _("A cumulative ballot needs a total number of points."))
    if data.ballot_kind == BallotKind.RANKING and not data.rank_length:
        bad("rank_length", _("A ranking ballot needs the number of places."))
    if data.rule not in RULES:
        bad("rule", _("Unknown rule “${rule}”.", mapping={"rule": data.rule}))
    if data.rule == "phragmen" and data.ballot_kind not in APPROVAL_KINDS:
        bad("rule", _("Phragmén's method counts ticked projects only: with points or a ranking it "
                      "would throw away how many points or which place each project got. Choose "
                      "Equal Shares or greedy for this ballot format."))
    if data.rule in RULES:
        try:
            tally_params(Budget(**vars(data)))
        except ValueError as error:
            bad("tie_break", str(error))
    groups = parse_incompatible(data.incompatible or "")
    if any(len(group) < 2 for group in groups):
        bad("incompatible", _("Each group needs two project codes or more, separated by commas "
                              "(groups separated by |)."))
    codes = {p.code for p in budget.projects} if budget is not None else set()
    unknown = sorted(set().union(*groups) - codes) if groups else []
    if unknown:
        bad("incompatible", _("No project of this budget has the code ${codes}.",
                              mapping={"codes": ", ".join(unknown)}))
    if groups and data.rule not in EXCLUSION_RULES:
        bad("incompatible", _("Only the greedy rules can keep incompatible projects apart: "
                              "choose greedy, greedy-threshold or greedy-no-skip, or leave this "
                              "field empty."))
    errors.raise_if_any()
    data.incompatible = incompatible_text(groups)


def add_budget(db, process: Process, data: BudgetData, actor: str = "") -> Budget:
    ensure_unlocked(process)
    check_budget(process, data)
    budget = Budget(process=process, position=len(process.budgets), **vars(data))
    db.add(budget)
    db.flush()
    audit.record(db, process, "budget.created",
                 {"budget": budget.slug, "amount": money.as_json(budget.amount, process.currency)}, actor)
    return budget


def update_budget(db, budget: Budget, data: BudgetData, actor: str = "") -> Budget:
    ensure_unlocked(budget.process)
    check_budget(budget.process, data, budget)
    for key, value in vars(data).items():
        setattr(budget, key, value)
    audit.record(db, budget.process, "budget.updated", {"budget": budget.slug}, actor)
    return budget


def delete_budget(db, budget: Budget, actor: str = "") -> None:
    """Delete a budget of a draft process with its projects; the process's audit log records it."""
    process = budget.process
    ensure_deletable(process, "budget")
    audit.record(db, process, "budget.deleted",
                 {"budget": budget.slug, "projects": sorted(p.code for p in budget.projects)}, actor)
    process.budgets.remove(budget)  # delete-orphan: the budget and its projects go
    db.flush()


# ---------------------------------------------------------------- projects


@dataclass
class ProjectData:
    """A project as entered; ``cost`` in minor units (cents)."""

    code: str
    title: str
    cost: int
    description: str = ""
    categories: list[str] | None = None
    sdgs: list[int] | None = None
    organisation_name: str = ""
    organisation_type: str | None = None
    location: str = ""
    image_url: str = ""


SDG_NUMBERS = range(1, 18)


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


class ProjectsHolder(Protocol):
    """What :func:`check_project` reads of a budget: a :class:`Budget`, or one an import plans."""

    @property
    def amount(self) -> int: ...

    @property
    def projects(self) -> Sequence[_Coded]: ...


def check_project(budget: ProjectsHolder, data: ProjectData, project: Project | None = None) -> None:
    """Every problem of ``data`` at once: one :class:`InvalidInput` naming each wrong field."""
    errors = FieldErrors()
    if not re.match(r"^[A-Za-z0-9_.-]{1,40}$", data.code or ""):
        errors.add("code", _("Use 1 to 40 letters, digits, dots, dashes or underscores."))
    elif any(p.code == data.code and p is not project for p in budget.projects):
        errors.add("code", _("Another project of this budget has this id."))
    if not (data.title or "").strip():
        errors.add("title", _("This field is required."))
    if data.cost is None or data.cost <= 0:
        errors.add("cost", _("The cost must be a positive amount."))
    elif data.cost > budget.amount:
        errors.add("cost", _("The cost is larger than the whole budget."))
    if any(s not in SDG_NUMBERS for s in data.sdgs or []):
        errors.add("sdgs", _("Sustainable Development Goals are numbered 1 to 17."))
    if data.organisation_type and data.organisation_type not in set(OrganisationType):
        errors.add("organisation_type", _("Unknown organisation type."))
    # https only (a plain-http image would make the page insecure), or an address on this site
    if data.image_url and (not data.image_url.startswith(("https://", "/")) or data.image_url.startswith("//")):
        errors.add("image_url", _("The image address must start with https:// (or / for an image on this site)."))
    errors.raise_if_any()


def add_project(db, budget: Budget, data: ProjectData, actor: str = "", proposal_id=None) -> Project:
    ensure_unlocked(budget.process)
    check_project(budget, data)
    values = vars(data) | {"categories": data.categories or [], "sdgs": data.sdgs or []}
    project = Project(budget=budget, proposal_id=proposal_id, translations={}, **values)
    db.add(project)
    db.flush()
    audit.record(db, budget.process, "project.added",
                 {"budget": budget.slug, "project": project.code,
                  "cost": money.as_json(project.cost, budget.process.currency)}, actor)
    return project


def update_project(db, project: Project, data: ProjectData, actor: str = "") -> Project:
    ensure_unlocked(project.budget.process)
    check_project(project.budget, data, project)
    values = vars(data) | {"categories": data.categories or [], "sdgs": data.sdgs or []}
    for key, value in values.items():
        setattr(project, key, value)
    audit.record(db, project.budget.process, "project.updated",
                 {"budget": project.budget.slug, "project": project.code,
                  "cost": money.as_json(project.cost, project.budget.process.currency)}, actor)
    return project


def remove_project(db, project: Project, actor: str = "") -> None:
    budget = project.budget
    process = budget.process
    ensure_unlocked(process)
    audit.record(db, process, "project.removed", {"budget": budget.slug, "project": project.code},
                 actor)
    # a removed project leaves its incompatible groups (a group of one is no group)
    groups = [group - {project.code} for group in incompatible_groups(budget)]
    budget.incompatible = incompatible_text(group for group in groups if len(group) > 1)
    db.delete(project)
    db.flush()
