"""Domain errors. Services raise these; one exception view per family turns them into a response.

Each error carries a translatable message (``pbengine.i18n._``) and, where it concerns form
fields, ``errors``: each field's name and its message, so that a form shows every message
beside its field at once (``field`` is the first of them). A check collects them with
:class:`FieldErrors` and raises one :class:`InvalidInput` for all.
"""

from __future__ import annotations

from translationstring import TranslationString

from ..i18n import _


class DomainError(Exception):
    """Base of every business-rule refusal. ``code`` is stable (used by the JSON API)."""

    code = "invalid"
    status = 422

    def __init__(self, message: str | TranslationString, field: str | None = None,
                 errors: dict[str, str | TranslationString] | None = None):
        self.errors = dict(errors) if errors else ({field: message} if field else {})
        # The English sentences with their values filled in (for logs, the CLI and tests).
        if len(self.errors) > 1:
            english = "; ".join(f"{name}: {_english(text)}" for name, text in self.errors.items())
        else:
            english = _english(message)
        super().__init__(english)
        self.message = message
        self.field = field if field is not None else next(iter(self.errors), None)


def _english(message) -> str:
    """``message`` in English with its values filled in, messages nested in its values too."""
    if not isinstance(message, TranslationString):
        return str(message)
    if message.mapping:
        message = TranslationString(message, mapping={
            key: _english(value) if isinstance(value, TranslationString) else value
            for key, value in message.mapping.items()})
    return message.interpolate()


class NotFound(DomainError):
    code = "not_found"
    status = 404


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


class FieldErrors:
    """The field errors a check found, to report them all at once.

    ``add`` keeps the first message of a field (the most basic problem: a missing value before
    a duplicate); ``raise_if_any`` raises one :class:`InvalidInput` carrying them all.
    """

    def __init__(self, errors: dict | None = None):
        self.errors: dict[str, str | TranslationString] = dict(errors or {})

    def add(self, field: str, message: str | TranslationString) -> None:
        self.errors.setdefault(field, message)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise invalid_fields(self.errors)


def invalid_fields(errors: dict) -> InvalidInput:
    """One :class:`InvalidInput` for ``{field: message}`` (its message: the only one, or a count)."""
    if len(errors) == 1:
        (field, message), = errors.items()
        return InvalidInput(message, field=field)
    return InvalidInput(_("${n} fields need a correction.", mapping={"n": len(errors)}), errors=errors)


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
    """The ballot breaks its budget's format; ``reason`` is the check it fails
    (a :class:`voting_rules.BallotErrorCode`; the API returns it)."""

    code = "ballot_invalid"

    def __init__(self, message: str | TranslationString, field: str | None = None,
                 errors: dict[str, str | TranslationString] | None = None, reason: str | None = None):
        super().__init__(message, field, errors)
        self.reason = reason


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
