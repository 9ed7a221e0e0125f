"""Forms shared by the site and the console: each declared once, every error reported at once.

A :class:`Form` lists its fields once (name, label, how a posted value is read and how a stored
value is shown); from that one list it reads a posted form into the service's data class, gives
the values to show again, and the labels of the error summary. :meth:`Form.submit` reads every
field, lets the service check the fields that could be read, and raises one
:class:`~pbengine.services.errors.InvalidInput` carrying every field's message; views then
re-render the bound form with each message beside its field (:func:`refuse`).

The small readers (:func:`text`, :func:`amount`, ...) are also used on their own by the forms
with a field or two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from translationstring import TranslationString

from . import money
from .i18n import _
from .services.errors import FieldErrors, InvalidInput


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

    Every field error the error carries is returned (a form shows them all at once); an error
    of no field is the form's (``_form``). Dooming the transaction makes pyramid_tm roll it back
    even though the view returns a page (with the error's 4xx status).
    """
    request.tm.doom()
    request.response.status = error.status
    errors = getattr(error, "errors", None) or {error.field or "_form": error.message}
    return {field: translate(request, message) for field, message in errors.items()}


# ---------------------------------------------------------------- declared forms


@dataclass(frozen=True)
class Context:
    """What reading and showing a field may need: the process currency and the user's locale."""

    currency: str = "EUR"
    locale: str = "en"


@dataclass(frozen=True)
class Field:
    """One field of a form: its label, and how a posted value is read and a stored value shown.

    ``kind`` is the field's type for the template (``text``, ``textarea``, ``number``, ``date``,
    ``url``, ``email``, ``checkbox``, ``select``, ``checks``); ``fallback`` is what the service's
    check sees when the posted value cannot be read (so that it still checks the other fields).
    """

    label: TranslationString
    kind: str = "text"
    required: bool = False
    max_length: int = 200
    fallback: Any = ""

    def read(self, params, name: str, context: Context):
        return text(params, name, self.max_length)

    def posted(self, params, name: str):
        return params.get(name, "")

    def shown(self, value, context: Context):
        return value


@dataclass(frozen=True)
class Upper(Field):
    """A code such as a currency: read in capitals."""

    def read(self, params, name, context):
        return text(params, name, self.max_length).upper()


@dataclass(frozen=True)
class Choice(Field):
    """A select whose empty option means none (``None``)."""

    kind: str = "select"
    fallback: Any = None

    def read(self, params, name, context):
        return text(params, name, self.max_length) or None


@dataclass(frozen=True)
class Amount(Field):
    """Money in the process currency, read in the user's locale (minor units)."""

    kind: str = "number"
    fallback: Any = None

    def read(self, params, name, context):
        return amount(params, name, context.currency, context.locale, required=self.required)

    def shown(self, value, context):
        return money.input_text(value, context.currency, context.locale)


@dataclass(frozen=True)
class Integer(Field):
    kind: str = "number"
    fallback: Any = None
    minimum: int | None = None

    def read(self, params, name, context):
        return integer(params, name, required=self.required, minimum=self.minimum)


@dataclass(frozen=True)
class Date(Field):
    kind: str = "date"
    fallback: Any = None

    def read(self, params, name, context):
        return date(params, name)


@dataclass(frozen=True)
class Checkbox(Field):
    kind: str = "checkbox"
    fallback: Any = False

    def read(self, params, name, context):
        return checkbox(params, name)

    def posted(self, params, name):
        return checkbox(params, name)


@dataclass(frozen=True)
class Numbers(Field):
    """Ticked numbers (the Sustainable Development Goals)."""

    kind: str = "checks"
    fallback: Any = None

    def read(self, params, name, context):
        return int_list(params, name)

    def posted(self, params, name):
        return [int(v) for v in params.getall(name) if v.isdigit()]

    def shown(self, value, context):
        return list(value or [])


@dataclass(frozen=True)
class Words(Field):
    """A comma-separated list of words (categories)."""

    max_length: int = 500
    fallback: Any = None

    def read(self, params, name, context):
        return [word.strip() for word in text(params, name, self.max_length).split(",") if word.strip()]

    def shown(self, value, context):
        return ", ".join(value or [])


class Form:
    """A form declared once: ``Form(ServiceData, name=Field(...), ...)`` in the order shown.

    Every field name is a field of the service's data class ``data_class``.
    """

    def __init__(self, data_class: type, **declared: Field):
        names = {f.name for f in fields(data_class)}
        unknown = set(declared) - names
        if unknown:
            raise TypeError(f"{data_class.__name__} has no field {', '.join(sorted(unknown))}")
        self.data_class = data_class
        self.fields = declared

    @property
    def labels(self) -> dict[str, TranslationString]:
        return {name: field.label for name, field in self.fields.items()}

    def read(self, params, context: Context = Context()) -> tuple[Any, dict]:
        """The posted data (fields that cannot be read hold their fallback) and ``{field: message}``."""
        values, errors = {}, {}
        for name, field in self.fields.items():
            try:
                values[name] = field.read(params, name, context)
            except InvalidInput as error:
                errors[name] = error.message
                values[name] = field.fallback
        return self.data_class(**values), errors

    def posted(self, params) -> dict:
        """The posted values as they were typed, to show the form again."""
        return {name: field.posted(params, name) for name, field in self.fields.items()}

    def values(self, obj, context: Context = Context()) -> dict:
        """A stored object's values as the form shows them for editing."""
        return {name: field.shown(getattr(obj, name), context) for name, field in self.fields.items()}

    def submit(self, params, check: Callable[[Any], None], act: Callable[[Any], Any],
               context: Context = Context()):
        """``act(data)`` when every field reads and passes ``check``; otherwise one InvalidInput for all.

        When a field cannot be read, ``check`` (the service's check, which writes nothing) still
        runs on the others, so the form reports every problem at once; a field's reading error
        comes before what the check says of its fallback.
        """
        data, errors = self.read(params, context)
        if errors:
            found = FieldErrors(errors)
            try:
                check(data)
            except InvalidInput as error:
                for name, message in error.errors.items():
                    found.add(name, message)
            found.raise_if_any()
        return act(data)
