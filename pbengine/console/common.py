"""What every console view shares: the acting organizer, form errors, labels."""

# ruff: noqa: F401  (refuse and translate are re-exported for the console views)

from __future__ import annotations

from .. import labels
from ..forms import refuse, translate

# The console shows the same names as the site: one place for each label.
BALLOT_KIND_LABELS = labels.BALLOT_KIND_LABELS
ORGANISATION_TYPE_LABELS = labels.ORGANISATION_TYPES
PHASE_LABELS = labels.PHASE_LABELS
PROPOSAL_STATUS_LABELS = labels.PROPOSAL_STATUS
ROLE_LABELS = labels.ROLE_LABELS
SDG_NAMES = labels.SDG_NAMES


def actor(request) -> str:
    """Who did it, for the audit log (never shown in the public export)."""
    identity = request.identity
    return identity.email if identity is not None else ""


def label_options(request, labels: dict) -> list[tuple[str, str]]:
    return [(str(key), translate(request, text)) for key, text in labels.items()]
