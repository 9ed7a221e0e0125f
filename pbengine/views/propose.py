"""Residents propose projects (proposals phase) and follow their proposal by a private link."""

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
        _proposal, token = FORM.submit(request.POST, lambda data: proposals.check(process, data),
                                       lambda data: proposals.submit(request.db, process, data),
                                       forms.Context(process.currency, request.locale_name))
    except DomainError as error:
        return _page(context, request, FORM.posted(request.POST), forms.refuse(request, error))
    request.session.flash(request.localizer.translate(_(
        "Thank you: your proposal was received. This page is your private link to follow it: "
        "bookmark it, it is not shown anywhere else.")))
    return HTTPSeeOther(request.route_url("site.proposal_status", slug=context.process.slug, token=token))


@view_config(route_name="site.proposal_status", renderer="site/proposal_status.jinja2",
             permission=Permission.VIEW, request_method="GET")
def proposal_status(context, request):
    attempt = limits.lookup_attempt(request, "lookup.proposal")  # TooManyAttempts: the 429 error page
    proposal = proposals.by_token(request.db, context.process, request.matchdict.get("token", ""))
    if proposal is None:
        raise HTTPNotFound()
    attempt.release()  # only unknown links count
    request.response.headers["Referrer-Policy"] = "no-referrer"
    request.response.headers["X-Robots-Tag"] = "noindex"
    return {"process": context.process, "proposal": proposal,
            "status_label": labels.PROPOSAL_STATUS.get(proposal.status)}
