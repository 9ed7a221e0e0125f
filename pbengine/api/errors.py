"""One JSON error shape for the API: ``{"code": "<stable code>", "message": "...", "errors": {...}?,
"reason": "..."?}``; ``reason`` says which check of its budget's format a refused ballot fails
(``ballot_invalid``: a ``voting_rules.BallotErrorCode``).

These exception views answer only under ``/api/`` (a ``path_info`` predicate, so Pyramid
prefers them there to the HTML error views of :mod:`pbengine.views.errors`).
"""

from __future__ import annotations

import logging

from pyramid.exceptions import PredicateMismatch
from pyramid.httpexceptions import HTTPClientError, HTTPException, HTTPForbidden, HTTPNotFound
from pyramid.view import exception_view_config

from ..i18n import _
from ..services.errors import DomainError
from . import API_PATH

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An API refusal that is not a business rule: bad JSON, too large, wrong type, not published."""

    def __init__(self, status: int, code: str, message, errors: dict | None = None):
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors


def error_body(request, status: int, code: str, message, errors: dict | None = None,
               reason: str | None = None) -> dict:
    request.response.status = status
    request.response.headers["Cache-Control"] = "no-store"
    t = request.localizer.translate
    body = {"code": code, "message": t(message)}
    if errors:
        body["errors"] = {field: t(text) for field, text in errors.items()}
    if reason:
        body["reason"] = reason
    return body


def api_exception_view(context, **settings):
    return exception_view_config(context, path_info=API_PATH, renderer="json", **settings)


@api_exception_view(ApiError)
def api_error(exc, request):
    return error_body(request, exc.status, exc.code, exc.message, exc.errors)


@api_exception_view(DomainError)
def domain_error(exc, request):
    return error_body(request, exc.status, exc.code, exc.message, exc.errors or None,  # every field's message
                      getattr(exc, "reason", None))


@api_exception_view(HTTPNotFound)
def not_found(exc, request):
    if isinstance(exc, PredicateMismatch):
        request.response.headers["Allow"] = "GET, POST" if request.path.endswith("/ballots") else "GET"
        return error_body(request, 405, "method_not_allowed", _("This method is not allowed here."))
    return error_body(request, 404, "not_found", _("There is nothing at this address."))


@api_exception_view(HTTPForbidden)
def forbidden(exc, request):
    return error_body(request, 403, "forbidden", _("You are not allowed to do this."))


HTTP_CODES = {400: "bad_request", 413: "body_too_large"}


@api_exception_view(HTTPClientError)  # before the HTML view of pbengine.views.errors for 4xx
@api_exception_view(HTTPException)
def http_error(exc, request):
    code = exc.code if 400 <= exc.code < 600 else 400
    return error_body(request, code, HTTP_CODES.get(code, "http_error"),
                      getattr(exc, "message", None) or _("This request cannot be answered."))


# Not for a retryable error (a conflict, a closed connection) before the last attempt: pyramid_retry runs
# the request again instead.
@api_exception_view(Exception, retryable_error=False)
@api_exception_view(Exception, last_retry_attempt=True)
def unexpected(exc, request):
    log.exception("API error on %s %s", request.method, request.path)
    return error_body(request, 500, "internal_error", _("Something went wrong on our side. Try again later."))
