"""What every console view shares: the acting organizer, form errors, labels."""

from __future__ import annotations

from translationstring import TranslationString

from ..i18n import _
from ..models import Phase

PHASE_LABELS = {
    Phase.DRAFT: _("Draft"),
    Phase.PROPOSALS: _("Proposals open"),
    Phase.REVIEW: _("Review of proposals"),
    Phase.VOTING: _("Voting open"),
    Phase.CLOSED: _("Voting closed"),
    Phase.PUBLISHED: _("Results published"),
}

BALLOT_KIND_LABELS = {
    "approval": _("Approval: tick projects"),
    "knapsack": _("Knapsack: tick projects within a total cost"),
    "cumulative": _("Cumulative: spread points"),
    "ranking": _("Ranking: order projects"),
}

ROLE_LABELS = {
    "owner": _("Owner"),
    "moderator": _("Moderator"),
    "viewer": _("Viewer"),
}

ORGANISATION_TYPE_LABELS = {
    "cooperative": _("Cooperative"),
    "association": _("Association"),
    "mutual": _("Mutual"),
    "foundation": _("Foundation"),
    "social-enterprise": _("Social enterprise"),
    "informal-group": _("Informal group"),
}

PROPOSAL_STATUS_LABELS = {
    "submitted": _("Submitted"),
    "changes-requested": _("Changes requested"),
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
}

# The United Nations Sustainable Development Goals, by number.
SDG_NAMES = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}


def actor(request) -> str:
    """Who did it, for the audit log (never shown in the public export)."""
    identity = request.identity
    return identity.email if identity is not None else ""


def translate(request, message) -> str:
    """Translate ``message``, translating TranslationStrings nested in its mapping first."""
    if message is None:
        return ""
    if isinstance(message, TranslationString) and message.mapping:
        mapping = {key: translate(request, value) if isinstance(value, TranslationString) else value
                   for key, value in message.mapping.items()}
        message = TranslationString(message, mapping=mapping)
    return request.localizer.translate(message)


def refuse(request, error) -> dict[str, str]:
    """A refused form: nothing this request wrote is kept; the errors to show beside the fields.

    Dooming the transaction makes pyramid_tm roll it back even though the view returns a page.
    """
    request.tm.doom()
    request.response.status = error.status
    return {error.field or "_form": translate(request, error.message)}


def label_options(request, labels: dict) -> list[tuple[str, str]]:
    return [(str(key), translate(request, text)) for key, text in labels.items()]
