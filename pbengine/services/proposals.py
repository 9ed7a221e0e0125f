"""Proposals from residents, their review by organizers, and their revision by the proposer.

A proposal goes ``submitted`` → ``changes-requested`` → (the proposer edits it through their
private link) ``submitted`` again, with one more ``revision`` → ``accepted`` or ``rejected``.
Each step may tell the proposer by mail (``services/notifications.py``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from .. import labels, money
from ..i18n import LANGUAGES, _
from ..models import Budget, OrganisationType, Process, Proposal, ProposalStatus
from ..models.meta import utcnow
from . import audit
from .accounts import EMAIL_RE
from .errors import FieldErrors, InvalidInput, NotEditable, PhaseError
from .notifications import Notifier, reachable
from .phases import accepts_proposals, can_review_proposals
from .projects import SDG_NUMBERS, ProjectData, add_project


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
    # Mail me when voting opens (kept only with a contact address).
    remind_voting: bool = False


EDITABLE_FIELDS = ("title", "description", "estimated_cost", "budget_id", "category", "sdgs",
                   "organisation_name", "organisation_type", "location", "contact_email", "remind_voting")


def _locale(locale: str | None) -> str:
    return locale if locale in LANGUAGES else "en"


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


def submit(db, process: Process, data: ProposalData, locale: str | None = "en",
           notifier: Notifier | None = None) -> tuple[Proposal, str]:
    """Store a resident's proposal; returns it and the private token of its status link.

    ``locale`` is the language the proposer used: their mails are written in it. The token is
    known only here (the database keeps its hash): the "received" mail is the only one that holds it.
    """
    if not accepts_proposals(process):
        raise PhaseError(_("This process is not accepting proposals now."))
    check(process, data)
    token = secrets.token_urlsafe(18)
    values = vars(data) | {"sdgs": data.sdgs or [],
                           "remind_voting": bool(data.remind_voting and data.contact_email)}
    proposal = Proposal(process_id=process.id, tracking_hash=tracking_hash(token),
                        status=ProposalStatus.SUBMITTED.value, public_reason="", locale=_locale(locale),
                        revision=1, **values)
    db.add(proposal)
    db.flush()
    audit.record(db, process, "proposal.submitted", {"proposal": proposal.id, "title": proposal.title})
    if notifier is not None and reachable(proposal):
        notifier.proposal_received(proposal, token)
    return proposal, token


def can_edit(proposal: Proposal) -> bool:
    """The proposer may edit their proposal only while the organizers ask for changes, before the vote."""
    return proposal.status == ProposalStatus.CHANGES_REQUESTED and can_review_proposals(proposal.process)


def revise(db, proposal: Proposal, data: ProposalData, locale: str | None = None) -> Proposal:
    """The proposer's edited proposal, resubmitted: back to "submitted", one revision more."""
    if proposal.status != ProposalStatus.CHANGES_REQUESTED:
        raise NotEditable(_(
            "This proposal can be edited only while the organizers ask for changes; its status is now "
            "“${status}”.", mapping={"status": labels.PROPOSAL_STATUS.get(proposal.status, proposal.status)}))
    if not can_review_proposals(proposal.process):
        raise PhaseError(_("Voting has opened: proposals can no longer be changed."))
    check(proposal.process, data)
    for name in EDITABLE_FIELDS:
        setattr(proposal, name, getattr(data, name))
    proposal.sdgs = list(data.sdgs or [])
    proposal.remind_voting = bool(data.remind_voting and data.contact_email)
    proposal.status = ProposalStatus.SUBMITTED.value
    proposal.revision = (proposal.revision or 1) + 1
    proposal.revised_at = utcnow()
    if locale is not None:
        proposal.locale = _locale(locale)
    audit.record(db, proposal.process, "proposal.revised",
                 {"proposal": proposal.id, "revision": proposal.revision, "title": proposal.title})
    return proposal


def by_token(db, process: Process, token: str) -> Proposal | None:
    return db.scalars(select(Proposal).where(Proposal.process_id == process.id,
                                             Proposal.tracking_hash == tracking_hash(token or ""))).first()


def _ensure_reviewable(proposal: Proposal) -> None:
    if not can_review_proposals(proposal.process):
        raise PhaseError(_("Proposals can no longer be reviewed: voting has opened."))


def accept(db, proposal: Proposal, budget: Budget, code: str, cost: int | None = None,
           actor: str = "", reason: str = "", notifier: Notifier | None = None):
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
    if notifier is not None and reachable(proposal):
        notifier.proposal_accepted(proposal, project)
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


def reject(db, proposal: Proposal, reason: str, actor: str = "", notifier: Notifier | None = None) -> Proposal:
    _decide(db, proposal, ProposalStatus.REJECTED, reason, actor)
    if notifier is not None and reachable(proposal):
        notifier.proposal_rejected(proposal)
    return proposal


def request_changes(db, proposal: Proposal, reason: str, actor: str = "",
                    notifier: Notifier | None = None) -> Proposal:
    _decide(db, proposal, ProposalStatus.CHANGES_REQUESTED, reason, actor)
    if notifier is not None and reachable(proposal):
        notifier.proposal_changes_requested(proposal)
    return proposal


def public_list(db, process: Process) -> list[Proposal]:
    """Every proposal of the process, oldest first (the public page shows no contact data)."""
    return list(db.scalars(select(Proposal).where(Proposal.process_id == process.id).order_by(Proposal.id)))
