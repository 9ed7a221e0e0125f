"""What each phase allows: decided here, and only here.

This module depends on nothing but the phase names (``models.Phase``), the error it raises and
the translation marker, so every service, view and template can ask it without an import
cycle. Moving a process from one phase to the next (and the work each move does: fingerprint,
seal, freeze) is ``services/workflow.py``, above the services it calls.
"""

from __future__ import annotations

from typing import Protocol

from ..i18n import _
from ..models import PHASE_ORDER, Phase, Process
from .errors import ConfigurationLocked, PhaseError


class Phased(Protocol):
    """A process, or any row with its ``phase`` column (a kept page's version: resources.PublicPageContext)."""

    phase: str


LOCKED_PHASES = frozenset({Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED})


def phase_of(process: Phased) -> Phase:
    return Phase(process.phase)


def next_phase(process: Process) -> Phase | None:
    index = PHASE_ORDER.index(phase_of(process))
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


def is_locked(process: Phased) -> bool:
    """From voting on, every fingerprinted field (see ``config_lock.configuration``) is frozen."""
    return phase_of(process) in LOCKED_PHASES


def ensure_unlocked(process: Process) -> None:
    if is_locked(process):
        raise ConfigurationLocked(
            _("Voting has opened: the budgets, projects, costs, ballot formats "
              "and rules are locked and can no longer change.")
        )


def accepts_proposals(process: Process) -> bool:
    return phase_of(process) is Phase.PROPOSALS


def voting_open(process: Process) -> bool:
    return phase_of(process) is Phase.VOTING


def can_compute(process: Process) -> bool:
    return phase_of(process) is Phase.CLOSED


def results_public(process: Phased) -> bool:
    return phase_of(process) is Phase.PUBLISHED


def can_review_proposals(process: Process) -> bool:
    return phase_of(process) in (Phase.PROPOSALS, Phase.REVIEW, Phase.DRAFT)


def is_public(process: Phased) -> bool:
    """The public may see a process from its proposals on: a draft is the organizers' only."""
    return phase_of(process) is not Phase.DRAFT


def public_processes(phase=None):
    """:func:`is_public` as an SQL condition on ``Process`` (or on ``phase``, the process table's column
    in a statement built on the tables)."""
    return (Process.phase if phase is None else phase) != Phase.DRAFT.value


def vote_over(process: Process) -> bool:
    """The vote is closed: ballots are counted (or published) and no new voter code is issued."""
    return phase_of(process) in (Phase.CLOSED, Phase.PUBLISHED)


def can_issue_codes(process: Process) -> bool:
    return not vote_over(process)


def can_delete(process: Process) -> bool:
    """A process, or one of its budgets, can be deleted while it is a draft: nobody outside saw it."""
    return phase_of(process) is Phase.DRAFT


def ensure_deletable(process: Process, what: str) -> None:
    if not can_delete(process):
        if what == "budget":
            raise PhaseError(_("A budget can be deleted only while the process is in preparation: "
                               "residents may have proposed projects for it since."))
        raise PhaseError(_("A process can be deleted only while it is in preparation: once proposals "
                           "open it is public, and its audit log must stay."))


def can_archive(process: Process) -> bool:
    return results_public(process)


def vote_opened(process: Process) -> bool:
    """Voting has opened (it may be over): ballots exist and receipts can be checked."""
    return phase_of(process) in (Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED)
