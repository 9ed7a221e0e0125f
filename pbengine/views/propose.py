"""Residents propose projects (proposals phase), follow their proposal by a private link, edit it
there while the organizers ask for changes, and read every proposal on a public page."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from .. import forms, labels, limits
from ..i18n import _
from ..security import Permission
from ..services import proposals
from ..services.errors import DomainError
from ..services.phases import accepts_proposals

FORM = forms.Form(
    proposals.ProposalData,
    title=forms.Field(_("Title of the project"), required=True),
    description=forms.Field(_("What is it, who benefits, and why?"), kind="textarea", required=True,
                            max_length=10_000),
    estimated_cost=forms.Amount(_("Estimated cost"), kind="text", required=True),
    budget_id=forms.Integer(_("Budget"), kind="select"),
    category=forms.Field(_("Category"), max_length=80),
    sdgs=forms.Numbers(_("Sustainable Development Goals this project serves")),
    organisation_type=forms.Choice(_("Type of organisation"), max_length=24),
    organisation_name=forms.Field(_("Name of the organisation")),
    location=forms.Field(_("Where in the area?")),
    contact_email=forms.Field(_("Your email (optional)"), kind="email", max_length=254),
    remind_voting=forms.Checkbox(_("Mail me when voting opens")),
)


def _page(context, request, values=None, errors=None):
    values = values or {}
    return {"process": context.process, "form": FORM, "values": values,
            "sdgs_checked": {str(n) for n in values.get("sdgs", [])},
            "errors": errors or {}, "open": accepts_proposals(context.process),
            "proposal_statuses": labels.PROPOSAL_STATUS}


@view_config(route_name="site.propose", renderer="site/propose.jinja2", permission=Permission.VIEW,
             request_method="GET")
def propose_form(context, request):
    return _page(context, request)


@view_config(route_name="site.propose", renderer="site/propose.jinja2", permission=Permission.VIEW,
             request_method="POST")
def propose(context, request):
    process = context.process
    try:
        _proposal, token = FORM.submit(
            request.POST, lambda data: proposals.check(process, data),
            lambda data: proposals.submit(request.db, process, data, locale=request.locale_name,
                                          notifier=request.notifier),
            forms.Context(process.currency, request.locale_name))
    except DomainError as error:
        return _page(context, request, FORM.posted(request.POST), forms.refuse(request, error))
    request.session.flash(request.localizer.translate(_(
        "Thank you: your proposal was received. This page is your private link to follow it: "
        "bookmark it, it is not shown anywhere else.")))
    return HTTPSeeOther(request.route_url("site.proposal_status", slug=context.process.slug, token=token))


def _stored_values(request, proposal) -> dict:
    """The proposal as its edit form shows it."""
    values = FORM.values(proposal, forms.Context(proposal.process.currency, request.locale_name or "en"))
    values["budget_id"] = str(proposal.budget_id or "")
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
            "editable": editable, "values": values, "sdgs_checked": {str(n) for n in values.get("sdgs") or []},
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
    process = context.process
    values = FORM.posted(request.POST)
    try:
        FORM.submit(request.POST, lambda data: proposals.check(process, data),
                    lambda data: proposals.revise(request.db, proposal, data, locale=request.locale_name),
                    forms.Context(process.currency, request.locale_name))
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
