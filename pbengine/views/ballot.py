"""Filling a ballot, reviewing it, submitting it, and the receipt shown once."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import ballot_form, forms, labels
from ..money import minor_digits
from ..security import Permission
from ..services import ballots, eligibility, submissions
from ..services.errors import DomainError
from ..services.phases import voting_open
from . import my_receipts
from .vote import booth, current_voter, require_voter

RECEIPT_KEY = "receipt"
SUBMISSION_FIELD = "submission"


def _projects_by_code(budget):
    return {p.code: p for p in budget.projects}


def _not_offered(context, request, voter_code) -> DomainError | None:
    """Why this voter code may not vote in this budget (another district's, or N budgets voted), if so."""
    try:
        eligibility.ensure_may_vote(request.db, context.budget, voter_code,
                                    request.registry.settings["pbengine.code_key"])
    except DomainError as error:
        return error
    return None


def _ballot_page(context, request, voter_code, values=None, errors=None):
    budget = context.budget
    existing = ballots.current_ballot(request.db, budget, voter_code, request.registry.settings["pbengine.code_key"])
    refusal = _not_offered(context, request, voter_code) if existing is None else None
    if values is None:
        # Never the earlier ballot's choices: on a shared computer the next person would see the vote.
        values = ballot_form.state_of_content(budget, {})
    return {
        "process": context.process, "budget": budget, "values": values, "errors": errors or {},
        "already_voted": existing is not None, "open": voting_open(context.process),
        "can_change": (existing is None or context.process.allow_revote) and refusal is None,
        "not_offered": forms.translate(request, refusal.message) if refusal is not None else "",
        "help": labels.BALLOT_HELP.get(budget.ballot_kind), "places": ballot_form.rank_places(budget),
        "knapsack_limit": budget.max_sum_cost if budget.max_sum_cost is not None else budget.amount,
        "currency_digits": minor_digits(budget.process.currency),
    }


def _closed(context, request):
    request.response.status = 409
    request.override_renderer = "site/vote_login.jinja2"
    return {"process": context.process, "open": False, "errors": {}, "budgets": None}


def _enter(context, request):
    """The voter at this budget's booth, or the response that keeps them out (closed, no code yet)."""
    if not voting_open(context.process):
        return None, _closed(context, request)
    return require_voter(context, request)


@view_config(route_name="site.ballot", renderer="site/ballot.jinja2", permission=Permission.VOTE,
             request_method="GET")
def ballot(context, request):
    voter_code, refusal = _enter(context, request)
    if refusal is not None:
        return refusal
    page = _ballot_page(context, request, voter_code)
    if page["not_offered"]:
        request.response.status = _not_offered(context, request, voter_code).status
    return page


def _refused(context, request, voter_code, error, values):
    request.response.status = error.status
    request.override_renderer = "site/ballot.jinja2"
    return _ballot_page(context, request, voter_code, values, forms.refuse(request, error))


@view_config(route_name="site.ballot_review", renderer="site/ballot_review.jinja2", permission=Permission.VOTE,
             request_method="POST")
def review(context, request):
    """From the ballot form: show a summary. From the summary: change it, or submit it."""
    voter_code, refusal = _enter(context, request)
    if refusal is not None:
        return refusal
    budget = context.budget
    values = ballot_form.state(budget, request.POST)
    action = request.POST.get("action", "review")
    not_offered = _not_offered(context, request, voter_code)
    if not_offered is not None:  # another district's budget, or N budgets voted in already
        return _refused(context, request, voter_code, not_offered, values)
    if action == "change":
        request.override_renderer = "site/ballot.jinja2"
        return _ballot_page(context, request, voter_code, values)
    try:
        content = ballots.validate(budget, ballot_form.parse(budget, request.POST), request.locale_name)
    except DomainError as error:
        return _refused(context, request, voter_code, error, values)
    if action == "submit":
        try:
            submission = submissions.submission(request.POST.get(SUBMISSION_FIELD),
                                                request.registry.settings["pbengine.code_key"])
            cast = ballots.cast(request.db, budget, voter_code, content, locale=request.locale_name,
                                submission=submission, key=request.registry.settings["pbengine.code_key"])
        except DomainError as error:
            return _refused(context, request, voter_code, error, values)
        request.session[RECEIPT_KEY] = {"budget": budget.slug, "receipt": cast.receipt,
                                        "replaced": cast.replaced}
        response = HTTPSeeOther(request.route_url("site.receipt", slug=context.process.slug, budget=budget.slug))
        my_receipts.remember(request, response, context.process, budget, cast.receipt, cast.replaced)
        return response
    projects = _projects_by_code(budget)
    return {
        "process": context.process, "budget": budget, "content": content,
        "values": ballot_form.state_of_content(budget, content), "projects": projects,
        "places": ballot_form.rank_places(budget),
        "total_cost": sum(projects[c].cost for c in content.get("approvals", [])),
        "total_points": sum((content.get("points") or {}).values()),
        "replaces": ballots.current_ballot(request.db, budget, voter_code,
                                           request.registry.settings["pbengine.code_key"]) is not None,
        # This summary's submission key: a double click or a resend of it gives back the same receipt.
        "submission": submissions.new_key(),
    }


@view_config(route_name="site.receipt", renderer="site/receipt.jinja2", permission=Permission.VOTE,
             request_method="GET")
def receipt(context, request):
    """The receipt, shown once: it leaves the session as it is displayed."""
    data = request.session.get(RECEIPT_KEY)
    if data and data.get("budget") == context.budget.slug:
        del request.session[RECEIPT_KEY]
    else:
        data = None
    voter_code = current_voter(request, context.process)
    # the other budgets this code may still vote in (or change its ballot in)
    others = [place for place in booth(request, context.process, voter_code).offered
              if place.budget.id != context.budget.id] if voter_code else []
    request.response.headers["Cache-Control"] = "no-store"
    return {"process": context.process, "budget": context.budget, "receipt": data, "others": others,
            "kept": len(my_receipts.read(request, context.process))}
