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
    )


@view_config(route_name="site.propose", renderer="site/propose.jinja2", permission=Permission.VIEW,
             request_method="POST")
def propose(context, request):
    values = {name: request.POST.get(name, "") for name in FIELDS}
    values["sdgs"] = [v for v in request.POST.getall("sdgs")]
    try:
        _proposal, token = proposals.submit(request.db, context.process, _data(request, request.POST))
    except DomainError as error:
        request.response.status = error.status
        return _page(context, request, values, forms.refuse(request, error))
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
