"""Archiving a published process: what identifies people is erased, what proves the result stays.

Erased: proposers' contact e-mails; the voter codes' keyed hashes (replaced by a marker no code
can hash to, so no code opens anything again and a leaked code key proves nothing); the link
from a ballot to its voter code (its slot: the close erased it already). Kept: ballots (by
receipt hash), tallies, the audit log, the codes' references and counts (turnout), so the
export is unchanged and still verifies. The archive is itself an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, func, literal, select, update

from ..i18n import _
from ..models import AuditEvent, Ballot, Budget, Process, Proposal, VoterCode
from . import audit
from .errors import InvalidInput, PhaseError
from .phases import can_archive

ARCHIVED = "process.archived"
DROPPED_PREFIX = "archived:"  # a voter code hash is 64 hex digits: this can never equal one


@dataclass
class ArchiveResult:
    contacts_erased: int
    code_hashes_dropped: int
    ballots_unlinked: int


def is_archived(db, process: Process) -> bool:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.process_id == process.id, AuditEvent.kind == ARCHIVED)) > 0


def archive(db, process: Process, confirmation: str, actor: str = "") -> ArchiveResult:
    """Archive ``process`` once it is published; ``confirmation`` must repeat its short name."""
    if not can_archive(process):
        raise PhaseError(_("Only a published process can be archived."))
    if is_archived(db, process):
        raise PhaseError(_("This process is already archived."))
    if (confirmation or "").strip() != process.slug:
        raise InvalidInput(_("Type the short name of the process (${slug}) to confirm.",
                             mapping={"slug": process.slug}), field="confirm")
    contacts = db.execute(update(Proposal).where(Proposal.process_id == process.id, Proposal.contact_email != "")
                          .values(contact_email="")).rowcount
    budgets = select(Budget.id).where(Budget.process_id == process.id).scalar_subquery()
    # The close erased the slots already; a process closed before that rule lost them here.
    unlinked = db.execute(update(Ballot).where(Ballot.budget_id.in_(budgets), Ballot.slot.is_not(None))
                          .values(slot=None)).rowcount
    dropped = db.execute(update(VoterCode).where(VoterCode.process_id == process.id,
                                                 ~VoterCode.code_hash.startswith(DROPPED_PREFIX))
                         .values(code_hash=literal(DROPPED_PREFIX) + cast(VoterCode.id, String))).rowcount
    result = ArchiveResult(contacts, dropped, unlinked)
    audit.record(db, process, ARCHIVED, {"contacts_erased": contacts, "code_hashes_dropped": dropped,
                                         "ballots_unlinked": unlinked}, actor)
    return result
