"""The projects on a budget's ballot: checked, added, edited, removed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from voting_rules.election import incompatible_text

from .. import money
from ..i18n import _
from ..models import Budget, OrganisationType, Project
from . import audit
from .errors import FieldErrors
from .phases import ensure_unlocked
from .rule_inputs import incompatible_groups


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
