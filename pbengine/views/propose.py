"""Residents propose projects (proposals phase), follow their proposal by a private link, edit it
there while the organizers ask for changes, and read every proposal on a public page."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from .. import forms, labels, limits, money
from ..i18n import _
from ..security import Permission
from ..services import proposals
from ..services.errors import DomainError
from ..services.phases import accepts_proposals

FIELDS = ("title", "description", "estimated_cost", "budget_id", "category", "organisation_type",
          "organisation_name", "location", "contact_email")


def _page(context, request, values=None, errors=None):
    return {"process": context.process, "values": values or {}, "sdgs_checked": set((values or {}).get("sdgs", [])),
            "errors": errors or {}, "open": accepts_proposals(context.process),
            "proposal_statuses": labels.PROPOSAL_STATUS}


@view_config(route_name="site.propose", renderer="site/propose.jinja2", permission=Permission.VIEW,
             request_method="GET")
def propose_form(context, request):
    return _page(context, request)


def _data(request, params) -> proposals.ProposalData:
    return proposals.ProposalData(
        title=forms.text(params, "title", 200),
        description=forms.text(params, "description"),
        estimated_cost=forms.amount(params, "estimated_cost", request.context.process.currency, request.locale_name),
        budget_id=forms.integer(params, "budget_id", required=False),
        category=forms.text(params, "category", 80),
        sdgs=forms.int_list(params, "sdgs"),
        organisation_type=forms.text(params, "organisation_type", 24) or None,
        organisation_name=forms.text(params, "organisation_name", 200),
        location=forms.text(params, "location", 200),
        contact_email=forms.text(params, "contact_email", 254),
        remind_voting=forms.checkbox(params, "remind_voting"),
    )


def _posted(request) -> dict:
    values = {name: request.POST.get(name, "") for name in FIELDS}
    values["sdgs"] = [v for v in request.POST.getall("sdgs")]
    values["remind_voting"] = forms.checkbox(request.POST, "remind_voting")
    return values


@view_config(route_name="site.propose", renderer="site/propose.jinja2", permission=Permission.VIEW,
             request_method="POST")
def propose(context, request):
    values = _posted(request)
    try:
        _proposal, token = proposals.submit(request.db, context.process, _data(request, request.POST),
                                            locale=request.locale_name, notifier=request.notifier)
    except DomainError as error:
        request.response.status = error.status
        return _page(context, request, values, forms.refuse(request, error))
    request.session.flash(request.localizer.translate(_(
        "Thank you: your proposal was received. This page is your private link to follow it: "
        "bookmark it, it is not shown anywhere else.")))
    return HTTPSeeOther(request.route_url("site.proposal_status", slug=context.process.slug, token=token))


def _stored_values(request, proposal) -> dict:
    """The proposal as its edit form shows it."""
    values = {name: getattr(proposal, name) or "" for name in FIELDS}
    values["estimated_cost"] = money.input_text(proposal.estimated_cost, proposal.process.currency,
                                                request.locale_name or "en")
    values["budget_id"] = str(proposal.budget_id or "")
    values["sdgs"] = [str(n) for n in proposal.sdgs or []]
    values["remind_voting"] = proposal.remind_voting
    return values


def _tracked(context, request):
    """The proposal of the private link in the URL (404 for an unknown one, counted against guessing)."""
    attempt = limits.lookup_attempt(request, "lookup.proposal")  # TooManyAttempts: the 429 error page
    proposal = proposals.by_token(request.db, context.process, request.matchdict.get("token", ""))
    if proposal is None:
        raise HTTPNotFound()
    attempt.release()  # only unknown links count
    request.response.headers["Referrer-Policy"] = "no-referrer"
    request.response.headers["X-Robots-Tag"] = "noindex"
    return proposal


def _status_page(context, request, proposal, values=None, errors=None):
    editable = proposals.can_edit(proposal)
    if values is None:
        values = _stored_values(request, proposal) if editable else {}
    return {"process": context.process, "proposal": proposal,
            "status_label": labels.PROPOSAL_STATUS.get(proposal.status),
            "editable": editable, "values": values, "sdgs_checked": set(values.get("sdgs", [])),
            "errors": errors or {}}


@view_config(route_name="site.proposal_status", renderer="site/proposal_status.jinja2",
             permission=Permission.VIEW, request_method="GET")
def proposal_status(context, request):
    return _status_page(context, request, _tracked(context, request))


@view_config(route_name="site.proposal_status", renderer="site/proposal_status.jinja2",
             permission=Permission.VIEW, request_method="POST")
def proposal_revise(context, request):
    """The proposer sends their edited proposal again (only while changes are requested)."""
    proposal = _tracked(context, request)
    values = _posted(request)
    try:
        proposals.revise(request.db, proposal, _data(request, request.POST), locale=request.locale_name)
    except DomainError as error:
        errors = forms.refuse(request, error)
        # Refused because of its status or phase: the page shows the proposal as it is, without a form.
        return _status_page(context, request, proposal, values if proposals.can_edit(proposal) else {}, errors)
    request.session.flash(request.localizer.translate(_(
        "Your proposal was sent again. The organizers will review it again.")))
    return HTTPSeeOther(request.current_route_url())


@view_config(route_name="site.proposals", renderer="site/proposals.jinja2", permission=Permission.VIEW,
             request_method="GET")
def public_proposals(context, request):
    """Every proposal of the process, its status and the organizers' public reason; no contact data."""
    process = context.process
    projects = {p.proposal_id: p for b in process.budgets for p in b.projects if p.proposal_id}
    return {"process": process, "proposals": proposals.public_list(request.db, process),
            "projects": projects, "budgets": {b.id: b for b in process.budgets},
            "status_labels": labels.PROPOSAL_STATUS}
