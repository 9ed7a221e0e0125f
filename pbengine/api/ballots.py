"""Casting a ballot through the API, and checking a receipt.

The same rules as the website: the voter code is entered by ``services.codes.enter``'s rules under the
same rate limits (``limits.voter_code_buckets``), the ballot cast by ``services.ballots.cast_with_code``
(the entry and the cast's locks in one statement), with the budget's rules as the app server keeps
them while voting (``services.ballot_rules``; the cast's statement checks them).
"""

from __future__ import annotations

from .. import limits
from ..i18n import _
from ..models import BallotKind
from ..security import Permission
from ..services import ballots, receipts, submissions
from ..services.errors import CodeInvalid
from ..services.export import pb_name
from . import api_view
from .errors import ApiError, error_body

CONTENT_KEYS = {BallotKind.APPROVAL: "approvals", BallotKind.KNAPSACK: "approvals",
                BallotKind.CUMULATIVE: "points", BallotKind.RANKING: "ranking"}


def ballot_content(kind: BallotKind, body: dict) -> tuple[str, dict]:
    """The voter code and the ballot content of a body the OpenAPI document accepted: what the
    document cannot say is which ballot field a budget's format (``kind``) uses (422 otherwise)."""
    key = CONTENT_KEYS[kind]
    errors = {name: _("This budget's ballot does not use this field.")
              for name in sorted(set(body) - {"voter_code", key})}
    if key not in body:
        errors[key] = _("This field is required.")
    if errors:
        raise ApiError(422, "invalid_input", _("Some fields are missing or have the wrong type."), errors)
    return body["voter_code"], {key: body[key]}


@api_view("api.ballots", Permission.VOTE, request_method="POST")
def cast_ballot(context, request):
    submission = submissions.submission(request.headers.get("Idempotency-Key"),
                                        request.registry.settings["pbengine.code_key"], field="Idempotency-Key")
    try:
        try:
            cast = _cast(context, request, submission)
        except ballots.TargetOutOfDate:
            context.resolve()  # the budget as the database has it now (the app server's copy was out of date)
            cast = _cast(context, request, submission)
    except CodeInvalid as error:
        # Answered, not raised: the request commits, with the failure counted (pbengine.limits).
        return error_body(request, error.status, error.code, error.message, {"voter_code": error.message})
    receipt_url = request.route_url("api.receipt", receipt=cast.receipt)
    request.response.status = 201
    request.response.headers["Cache-Control"] = "no-store"
    request.response.headers["Location"] = receipt_url
    if cast.repeated:
        request.response.headers["Idempotent-Replayed"] = "true"
    return {"receipt": cast.receipt, "receipt_hash": cast.receipt_hash, "process": context.process_slug,
            "budget": context.budget_slug, "replaced_previous": cast.replaced, "receipt_url": receipt_url}


def _cast(context, request, submission):
    """The cast, by the rules of ``context.target`` (the ballot's fields too)."""
    target = context.target
    try:
        code, content = ballot_content(target.rules.kind, request.openapi_validated.body)
    except ApiError:
        if not target.kept:
            raise
        raise ballots.TargetOutOfDate() from None  # refused only by rules read just now
    # The code's entry (services.codes.enter's rules) and the cast's locks in one statement.
    return ballots.cast_with_code(request.db, target, code, content, limits.voter_code_buckets(request, code),
                                  request.registry["dbsession_factory"], channel="api", locale=request.locale_name,
                                  submission=submission, key=request.registry.settings["pbengine.code_key"])


@api_view("api.receipt", Permission.VIEW)
def receipt(request):
    # Only unknown receipts count; 429 in the API's shape when over.
    status = receipts.check_receipt(request.db, request.matchdict["receipt"],
                                    limits.lookup_buckets(request, "lookup.receipt"),
                                    request.registry["dbsession_factory"])
    request.response.headers["Cache-Control"] = "no-store"
    if not status.found:
        raise ApiError(404, "receipt_not_found", _("No ballot has this receipt. Check it and try again."))
    budget = status.budget
    process = budget.process
    export_file = None
    if status.published:
        export_file = request.route_url("api.export", slug=process.slug, filename=pb_name(budget))
    return {"receipt_hash": status.receipt_hash, "counted": status.counted, "replaced": status.replaced,
            "process": process.slug, "budget": budget.slug, "published": status.published,
            "export_file": export_file}
