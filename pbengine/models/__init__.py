"""SQLAlchemy 2 typed models and the per-request session (no Pyramid here but `includeme`)."""

from .accounts import Organizer, ProcessRole, Role
from .meta import Base
from .process import (
    PHASE_ORDER,
    BallotKind,
    Budget,
    OrganisationType,
    Phase,
    Process,
    Project,
    Proposal,
    ProposalStatus,
)
from .security import RateCounter, RateKey, WebSession
from .session import get_engine, get_session_factory, get_tm_session
from .voting import AuditEvent, Ballot, CodeBatch, ReplacedBallot, Tally, VoterCode

__all__ = [
    "PHASE_ORDER",
    "AuditEvent",
    "Ballot",
    "BallotKind",
    "Base",
    "Budget",
    "CodeBatch",
    "OrganisationType",
    "Organizer",
    "Phase",
    "Process",
    "ProcessRole",
    "Project",
    "Proposal",
    "ProposalStatus",
    "RateCounter",
    "RateKey",
    "ReplacedBallot",
    "Role",
    "Tally",
    "VoterCode",
    "WebSession",
    "get_engine",
    "get_session_factory",
    "get_tm_session",
]


def includeme(config):
    """Bind one SQLAlchemy session per request to the request's transaction (request.db)."""
    from .session import includeme as _includeme

    _includeme(config)
