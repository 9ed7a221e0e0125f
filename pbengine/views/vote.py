"""Entering the voting booth with a voter code, choosing a budget, and leaving.

The session holds only the voter code's id and the process id, never the code itself.
"""

from __future__ import annotations

from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import forms, limits
from ..i18n import _
from ..models import VoterCode
from ..security import Permission
from ..services import eligibility
from ..services.errors import CodeInvalid, TooManyAttempts, VotingClosed
from ..services.phases import voting_open
from . import my_receipts

VOTER_CODE_KEY = "voter_code_id"
VOTER_PROCESS_KEY = "voter_process_id"


def current_voter(request, process) -> VoterCode | None:
    """The voter code this session entered for ``process``, if it is still valid."""
    if request.session.get(VOTER_PROCESS_KEY) != process.id:
        return None
    code_id = request.session.get(VOTER_CODE_KEY)
    voter_code = request.db.get(VoterCode, code_id) if code_id is not None else None
    if voter_code is None or voter_code.process_id != process.id or voter_code.revoked_at is not None:
        return None
    return voter_code


def booth(request, process, voter_code) -> eligibility.Booth:
    """The budgets of the process, each with whether this voter has a ballot in it, and whether
    (and if not, why not) the voter code may vote there."""
    return eligibility.booth(request.db, process, voter_code, request.registry.settings["pbengine.code_key"])


def _login_page(context, request, errors=None):
    process = context.process
    voter_code = current_voter(request, process) if voting_open(process) else None
    return {"process": process, "open": voting_open(process), "errors": errors or {},
            "budgets": booth(request, process, voter_code) if voter_code else None,
            "kept": len(my_receipts.read(request, process)) if voter_code else 0}


@view_config(route_name="site.vote_login", renderer="site/vote_login.jinja2", permission=Permission.VOTE,
             request_method="GET")
def vote_login_form(context, request):
    return _login_page(context, request)


@view_config(route_name="site.vote_login", renderer="site/vote_login.jinja2", permission=Permission.VOTE,
             request_method="POST")
def vote_login(context, request):
    process = context.process
    try:
        voter_code = limits.find_voter_code(request, process, request.POST.get("code", ""))
    except VotingClosed as error:
        request.response.status = error.status
        return _login_page(context, request)
    except TooManyAttempts as error:
        request.response.status = error.status
        return _login_page(context, request, {"code": forms.translate(request, error.message)})
    except CodeInvalid as error:
        # Not forms.refuse: the request commits, with the failure counted (pbengine.limits).
        request.response.status = error.status
        return _login_page(context, request, {error.field or "code": forms.translate(request, error.message)})
    # A new voter gets a new session (no fixation) and a new CSRF token.
    request.session.invalidate()
    request.session[VOTER_CODE_KEY] = voter_code.id
    request.session[VOTER_PROCESS_KEY] = process.id
    new_csrf_token(request)
    if len(process.budgets) == 1:
        target = request.route_url("site.ballot", slug=process.slug, budget=process.budgets[0].slug)
    else:
        target = request.route_url("site.vote_login", slug=process.slug)
    response = HTTPSeeOther(target)
    my_receipts.forget(request, response, process)  # another voter's receipts stay theirs
    return response


@view_config(route_name="site.vote_logout", permission=Permission.VOTE, request_method="POST")
def vote_logout(context, request):
    request.session.invalidate()
    request.session.flash(request.localizer.translate(_("You have left the voting booth.")))
    response = HTTPSeeOther(request.route_url("site.process", slug=context.process.slug))
    my_receipts.forget(request, response, context.process)
    return response


def require_voter(context, request):
    """The session's voter code, or a redirect to the voter-code page."""
    voter_code = current_voter(request, context.process)
    if voter_code is None:
        request.session.flash(request.localizer.translate(_("Enter your voter code first.")))
        return None, HTTPSeeOther(request.route_url("site.vote_login", slug=context.process.slug))
    return voter_code, None
