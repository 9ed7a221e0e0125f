"""Small form helpers shared by the site and the console: parse posted values, collect errors.

Views parse with these, call a service, and on :class:`~pbengine.services.errors.DomainError`
re-render the bound form with the message beside ``error.field``.
"""

from __future__ import annotations

import datetime as dt

from translationstring import TranslationString

from . import money
from .i18n import _
from .services.errors import InvalidInput


def text(params, name: str, max_length: int = 10_000) -> str:
    value = (params.get(name) or "").strip()
    if len(value) > max_length:
        raise InvalidInput(_("Keep it under ${n} characters.",
                             mapping={"n": max_length}), field=name)
    return value


def integer(params, name: str, required: bool = True, minimum: int | None = None) -> int | None:
    raw = (params.get(name) or "").strip().replace("\u202f", "").replace(" ", "")
    if not raw:
        if required:
            raise InvalidInput(_("This field is required."), field=name)
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(_("Enter a whole number, like 12500."),
                           field=name) from None
    if abs(value) >= 2**63:
        raise InvalidInput(_("Enter a smaller number."), field=name)
    if minimum is not None and value < minimum:
        raise InvalidInput(_("Enter a number of at least ${n}.",
                             mapping={"n": minimum}), field=name)
    return value


def amount(params, name: str, currency: str, locale: str | None, required: bool = True) -> int | None:
    """A posted amount of money in minor units (see :func:`pbengine.money.parse`)."""
    raw = (params.get(name) or "").strip()
    if not raw:
        if required:
            raise InvalidInput(_("This field is required."), field=name)
        return None
    try:
        value = money.parse(raw, currency, locale or "en")
    except money.AmountError as error:
        if error.kind == "digits" and error.digits == 0:
            message = _("Amounts in ${currency} have no decimals: enter a whole amount, like ${example}.",
                        mapping={"currency": currency, "example": error.example})
        elif error.kind == "digits":
            message = _("Amounts in ${currency} have at most ${n} decimals, like ${example}.",
                        mapping={"currency": currency, "n": error.digits, "example": error.example})
        else:
            message = _("Enter an amount like ${example}.", mapping={"example": error.example})
        raise InvalidInput(message, field=name) from None
    if abs(value) >= 2**63:  # what the database's integers hold
        raise InvalidInput(_("Enter a smaller number."), field=name)
    return value


def date(params, name: str) -> dt.date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("Enter a date as YYYY-MM-DD."), field=name) from None


def checkbox(params, name: str) -> bool:
    return params.get(name) in ("on", "1", "true", "yes")


def int_list(params, name: str) -> list[int]:
    values = []
    for raw in params.getall(name) if hasattr(params, "getall") else params.get(name, []):
        try:
            values.append(int(raw))
            if abs(values[-1]) >= 2**63:
                raise ValueError(raw)
        except ValueError:
            raise InvalidInput(_("Enter a whole number, like 12500."),
                               field=name) from None
    return values


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
    """A refused form: nothing this request wrote is kept; ``{field: message}`` to show beside the fields.

    Dooming the transaction makes pyramid_tm roll it back even though the view returns a page
    (with the error's 4xx status).
    """
    request.tm.doom()
    request.response.status = error.status
    return {error.field or "_form": translate(request, error.message)}
