"""Every API request is checked against the OpenAPI document (``openapi.yaml``) by pyramid_openapi3.

The document is the one description of the API: pyramid_openapi3 validates each request to a
view declared with :func:`pbengine.api.api_view` (path, headers, body) before the view runs,
and, where ``pyramid_openapi3.enable_response_validation`` is on (development and the tests),
each response. A request that does not match is answered in the API's own error shape, in the
request's language, with a message per field: 415 for a body that is not JSON by its type, 400
for one that does not parse, 422 for fields missing or of the wrong type. What the document
cannot say — which of ``approvals``, ``points`` and ``ranking`` a budget's ballot uses — the
views check (:func:`pbengine.api.ballots.ballot_content`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import yaml
from openapi_core.deserializing.exceptions import DeserializeError
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.validation.request.exceptions import (
    InvalidParameter,
    InvalidRequestBody,
    MissingParameter,
    MissingRequestBody,
    MissingRequiredParameter,
    MissingRequiredRequestBody,
)
from pyramid_openapi3.exceptions import RequestValidationError

from ..i18n import _
from . import compiled
from .errors import ApiError, api_exception_view, error_body

MAX_BODY = 64 * 1024
DOCUMENT_PATH = Path(__file__).with_name("openapi.yaml")

#: The message a field gets when its value has the wrong type or shape.
FIELD_MESSAGES = {
    "voter_code": _("A voter code is required, as a string."),
    "points": _("Give an object of project ids to whole numbers of points."),
    "approvals": _("Give a list of project ids (strings)."),
    "ranking": _("Give a list of project ids (strings)."),
    "Idempotency-Key": _("The submission key must be 16 to 128 letters, digits or - _ . : characters."),
}
REQUIRED = _("This field is required.")
UNKNOWN = _("This budget's ballot does not use this field.")


@functools.cache
def document() -> dict:
    """The OpenAPI document, as served at ``/api/v1/openapi.json``."""
    return yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))


def json_loads(value: bytes | str):
    """The JSON deserializer the document's ``application/json`` bodies go through: at most
    :data:`MAX_BODY` bytes (413), nesting too deep to parse is invalid JSON, no NUL in any string
    (PostgreSQL text cannot hold one)."""
    if len(value) > MAX_BODY:
        raise ApiError(413, "body_too_large", _("The request body is larger than ${n} bytes.",
                                                 mapping={"n": MAX_BODY}))
    try:
        body = json.loads(value)
    except RecursionError:
        raise ValueError("nested too deep") from None
    if _may_hold_nul(value) and "\\u0000" in json.dumps(body):
        raise ApiError(400, "invalid_input", _("A field holds a NUL character, which no field accepts."))
    return body


def _may_hold_nul(value: bytes | str) -> bool:
    """False when a parsed body surely holds no NUL: the parser refuses a raw one in a string, so it
    can only be written as the escape ``\\u0000``; a body in UTF-16 or UTF-32 (zero bytes) is looked at."""
    if isinstance(value, str):
        return "\\u0000" in value
    return b"\\u0000" in value or b"\x00" in value


def _cause(error: Exception) -> Exception | None:
    return error.__cause__ or error.__context__


def _schema_errors(error: Exception) -> list:
    cause = _cause(error)
    return list(getattr(cause, "schema_errors", None) or [])


def _body_fields(schema_error) -> dict:
    """Field → message for one JSON Schema error on the body."""
    instance = schema_error.instance
    if not schema_error.path:
        if schema_error.validator == "required" and isinstance(instance, dict):
            return {name: REQUIRED for name in schema_error.validator_value if name not in instance}
        if schema_error.validator == "additionalProperties" and isinstance(instance, dict):
            known = set(schema_error.schema.get("properties", {}))
            return {name: UNKNOWN for name in instance if name not in known}
        return {}
    field = str(schema_error.path[0])
    return {field: FIELD_MESSAGES.get(field, _("This field has the wrong type."))}


def refusal(errors: list[Exception]) -> tuple[int, str, object, dict]:
    """Status, code, message and per-field messages for pyramid_openapi3's request errors."""
    fields: dict = {}
    for error in errors:
        if isinstance(error, MediaTypeNotFound) or isinstance(_cause(error), MediaTypeNotFound):
            return 415, "unsupported_media_type", _("Send the body as JSON (Content-Type: application/json)."), {}
        if isinstance(error, DeserializeError) or isinstance(_cause(error), DeserializeError):
            return 400, "invalid_json", _("The request body is not valid JSON."), {}
        if isinstance(error, (MissingRequestBody, MissingRequiredRequestBody)):
            return 400, "invalid_json", _("The request body is not valid JSON."), {}
        if isinstance(error, InvalidRequestBody):
            schema_errors = _schema_errors(error)
            if not schema_errors or any(not e.path and e.validator == "type" for e in schema_errors):
                return 422, "invalid_input", _("The request body must be a JSON object."), {}
            for schema_error in schema_errors:
                fields.update(_body_fields(schema_error))
        elif isinstance(error, (InvalidParameter, MissingParameter, MissingRequiredParameter)):
            name = getattr(error, "name", "")
            fields[name] = FIELD_MESSAGES.get(name, _("This field has the wrong type."))
    return 422, "invalid_input", _("Some fields are missing or have the wrong type."), fields


@api_exception_view(RequestValidationError)
def request_refused(exc, request):
    status, code, message, fields = refusal(exc.errors)
    return error_body(request, status, code, message, fields or None)


def includeme(config):
    settings = config.registry.settings
    # Response validation checks every answer against the document: on in development and the
    # tests, off in production unless asked for (it costs a validation per response).
    settings.setdefault("pyramid_openapi3.enable_response_validation", "false")
    config.include("pyramid_openapi3")
    config.pyramid_openapi3_add_deserializer("application/json", json_loads)
    config.pyramid_openapi3_spec(str(DOCUMENT_PATH), route="/api/v1/openapi.yaml", route_name="api.openapi.yaml")
    # Each operation's checks built once, after pyramid_openapi3 has read the document (pbengine.api.compiled).
    config.action(("pbengine.api.compiled",), lambda: compiled.install(config.registry.settings))
