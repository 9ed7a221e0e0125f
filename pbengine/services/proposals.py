"""Proposals from residents, and their review by organizers."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from .. import money
from ..i18n import _
from ..models import Budget, OrganisationType, Process, Proposal, ProposalStatus
from . import audit
from .accounts import EMAIL_RE
from .errors import FieldErrors, InvalidInput, PhaseError
from .phases import accepts_proposals, can_review_proposals
from .processes import SDG_NUMBERS, ProjectData, add_project


def tracking_hash(token: str) -> str:
    return hashlib.sha256(f"proposal:{token}".encode()).hexdigest()


@dataclass
class ProposalData:
    title: str
    description: str
    estimated_cost: int
    budget_id: int | None = None
    category: str = ""
    sdgs: list[int] | None = None
    organisation_name: str = ""
    organisation_type: str | None = None
    location: str = ""
    contact_email: str = ""


def check(process: Process, data: ProposalData) -> None:
    """Every problem of ``data`` at once: one :class:`InvalidInput` naming each wrong field."""
    errors = FieldErrors()
    if not (data.title or "").strip():
        errors.add("title", _("This field is required."))
    elif len(data.title) > 200:
        errors.add("title", _("Keep it under ${n} characters.", mapping={"n": 200}))
    if not (data.description or "").strip():
        errors.add("description", _("This field is required."))
    if data.estimated_cost is None or data.estimated_cost <= 0:
        errors.add("estimated_cost", _("The cost must be a positive amount."))
    if data.budget_id is not None and data.budget_id not in {b.id for b in process.budgets}:
        errors.add("budget_id", _("Choose one of this process's budgets."))
    if any(s not in SDG_NUMBERS for s in data.sdgs or []):
        errors.add("sdgs", _("Sustainable Development Goals are numbered 1 to 17."))
    if data.organisation_type and data.organisation_type not in set(OrganisationType):
        errors.add("organisation_type", _("Unknown organisation type."))
    if data.contact_email and not EMAIL_RE.match(data.contact_email):
        errors.add("contact_email", _("Enter a valid email address."))
    errors.raise_if_any()


def submit(db, process: Process, data: ProposalData) -> tuple[Proposal, str]:
    """Store a resident's proposal; returns it and the private token of its status link."""
    if not accepts_proposals(process):
        raise PhaseError(_("This process is not accepting proposals now."))
    check(process, data)
    token = secrets.token_urlsafe(18)
    proposal = Proposal(process_id=process.id, tracking_hash=tracking_hash(token),
                        status=ProposalStatus.SUBMITTED.value, public_reason="",
                        **vars(data) | {"sdgs": data.sdgs or []})
    db.add(proposal)
    db.flush()
    audit.record(db, process, "proposal.submitted", {"proposal": proposal.id, "title": proposal.title})
    return proposal, token


def by_token(db, process: Process, token: str) -> Proposal | None:
    return db.scalars(select(Proposal).where(Proposal.process_id == process.id,
                                             Proposal.tracking_hash == tracking_hash(token or ""))).first()


def _ensure_reviewable(proposal: Proposal) -> None:
    if not can_review_proposals(proposal.process):
        raise PhaseError(_("Proposals can no longer be reviewed: voting has opened."))


def accept(db, proposal: Proposal, budget: Budget, code: str, cost: int | None = None,
           actor: str = "", reason: str = ""):
    """Put the proposal on ``budget``'s ballot as a project (with a revised cost if given)."""
    _ensure_reviewable(proposal)
    if proposal.status == ProposalStatus.ACCEPTED:
        raise InvalidInput(_("This proposal is already on a ballot."))
    if budget.process_id != proposal.process_id:
        raise InvalidInput(_("Choose one of this process's budgets."),
                           field="budget_id")
    project = add_project(db, budget, ProjectData(
        code=code, title=proposal.title, description=proposal.description,
        cost=cost if cost is not None else proposal.estimated_cost,
        categories=[proposal.category] if proposal.category else [], sdgs=list(proposal.sdgs or []),
        organisation_name=proposal.organisation_name, organisation_type=proposal.organisation_type,
        location=proposal.location), actor=actor, proposal_id=proposal.id)
    proposal.status = ProposalStatus.ACCEPTED.value
    proposal.budget_id = budget.id
    proposal.public_reason = reason.strip()
    audit.record(db, proposal.process, "proposal.accepted",
                 {"proposal": proposal.id, "project": project.code,
                  "cost": money.as_json(project.cost, proposal.process.currency)}, actor)
    return project


def _decide(db, proposal: Proposal, status: ProposalStatus, reason: str, actor: str) -> Proposal:
    _ensure_reviewable(proposal)
    if not (reason or "").strip():
        raise InvalidInput(_("Give the proposer a public reason."),
                           field="reason")
    if proposal.status == ProposalStatus.ACCEPTED:
        raise InvalidInput(_("This proposal is already on a ballot."))
    proposal.status = status.value
    proposal.public_reason = reason.strip()
    audit.record(db, proposal.process, f"proposal.{status.value}",
                 {"proposal": proposal.id, "reason": proposal.public_reason}, actor)
    return proposal


def reject(db, proposal: Proposal, reason: str, actor: str = "") -> Proposal:
    return _decide(db, proposal, ProposalStatus.REJECTED, reason, actor)


def request_changes(db, proposal: Proposal, reason: str, actor: str = "") -> Proposal:
    return _decide(db, proposal, ProposalStatus.CHANGES_REQUESTED, reason, actor)
