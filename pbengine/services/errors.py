"""Domain errors. Services raise these; one exception view per family turns them into a response.

Each error carries a translatable message (``pbengine.i18n._``) and, where it concerns one
form field, that field's name so the form can show the message beside it.
"""

from __future__ import annotations

from translationstring import TranslationString


class DomainError(Exception):
    """Base of every business-rule refusal. ``code`` is stable (used by the JSON API)."""

    code = "invalid"
    status = 422

    def __init__(self, message: str | TranslationString, field: str | None = None):
        # The English sentence with its values filled in (for logs, the CLI and tests).
        super().__init__(message.interpolate() if isinstance(message, TranslationString) else str(message))
        self.message = message
        self.field = field


class NotFound(DomainError):
    code = "not_found"
    status = 404


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


class PhaseError(DomainError):
    """The process's phase does not allow this action."""

    code = "wrong_phase"
    status = 409


class ConfigurationLocked(PhaseError):
    code = "configuration_locked"


class ConfigurationChanged(PhaseError):
    """The locked configuration no longer matches its fingerprint (changed behind the services)."""

    code = "configuration_changed"


class VotingClosed(PhaseError):
    code = "voting_closed"


class BallotInvalid(InvalidInput):
    code = "ballot_invalid"


class CodeInvalid(DomainError):
    code = "code_invalid"
    status = 401


class CodeAlreadyUsed(DomainError):
    code = "code_already_used"
    status = 409


class NotEligible(DomainError):
    """The voter code's batch was not issued for this budget (a district's codes, another district)."""

    code = "not_eligible"
    status = 403


class BudgetLimitReached(DomainError):
    """The voter code already voted in as many budgets as the process allows."""

    code = "budget_limit_reached"
    status = 409


class SubmissionConflict(DomainError):
    """A submission key sent again with a different ballot."""

    code = "submission_conflict"
    status = 422


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429


class AuthenticationFailed(DomainError):
    code = "authentication_failed"
    status = 401


class NotEditable(DomainError):
    """The proposal cannot be edited in its present status (only while changes are requested)."""

    code = "not_editable"
    status = 409
