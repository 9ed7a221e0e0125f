"""Proposals from residents: list with filters, read, accept onto a budget, ask for changes, reject.

A proposal the proposer edited after a request for changes is back to "submitted" with a higher
revision: the list and the page say it was revised, and when. Each decision mails the proposer
(``request.notifier``) when they left an address.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import or_, select

from .. import forms, money
from ..i18n import LANGUAGES, _
from ..models import Budget, Proposal
from ..security import Permission
from ..services import phases
from ..services import proposals as service
from ..services.errors import DomainError, InvalidInput
from .common import ORGANISATION_TYPE_LABELS, PROPOSAL_STATUS_LABELS, SDG_NAMES, actor, label_options, refuse, translate


@view_config(route_name="console.proposals", renderer="console/proposals.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def proposals(request):
    process = request.context.process
    status = request.GET.get("status", "")
    budget_id = request.GET.get("budget", "")
    query = (request.GET.get("q") or "").strip()
    statement = select(Proposal).where(Proposal.process_id == process.id)
    if status in PROPOSAL_STATUS_LABELS:
        statement = statement.where(Proposal.status == status)
    if budget_id.isdigit():
        statement = statement.where(Proposal.budget_id == int(budget_id))
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(or_(Proposal.title.ilike(pattern), Proposal.description.ilike(pattern),
                                        Proposal.organisation_name.ilike(pattern)))
    found = request.db.scalars(statement.order_by(Proposal.id)).all()
    budgets = {b.id: b for b in process.budgets}
    return {
        "process": process, "proposals": found, "budgets": budgets,
        "status_labels": PROPOSAL_STATUS_LABELS,
        "filters": {"status": status, "budget": budget_id, "q": query},
        "status_options": [("", translate(request, _("Any status")))] + label_options(request, PROPOSAL_STATUS_LABELS),
        "budget_options": [("", translate(request, _("Any budget")))]
        + [(str(b.id), b.name) for b in process.budgets],
    }


def _page(request, errors=None, values=None):
    process, proposal = request.context.process, request.context.proposal
    return {
        "process": process, "proposal": proposal, "errors": errors or {},
        "values": values or {"code": f"P{proposal.id}",
                             "cost": money.input_text(proposal.estimated_cost, process.currency, request.locale_name),
                             "budget_id": proposal.budget_id or ""},
        "status_labels": PROPOSAL_STATUS_LABELS, "sdg_names": SDG_NAMES,
        "organisation_types": ORGANISATION_TYPE_LABELS,
        "budget": request.db.get(Budget, proposal.budget_id) if proposal.budget_id else None,
        "budget_options": [(str(b.id), b.name) for b in process.budgets],
        "reviewable": phases.can_review_proposals(process) and proposal.status != "accepted",
        "can_moderate": request.has_permission(Permission.PROCESS_MODERATE),
        "language": LANGUAGES.get(proposal.locale, proposal.locale),
    }


@view_config(route_name="console.proposal", renderer="console/proposal.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def proposal(request):
    return _page(request)


@view_config(route_name="console.proposal", renderer="console/proposal.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="POST")
def proposal_decide(request):
    process, proposal = request.context.process, request.context.proposal
    action = request.POST.get("action")
    values = {key: request.POST.get(key, "") for key in ("code", "cost", "budget_id", "reason")}
    try:
        if action == "accept":
            budget = request.db.get(Budget, forms.integer(request.POST, "budget_id") or 0)
            if budget is None or budget.process_id != process.id:
                raise InvalidInput(_("Choose one of this process's budgets."), field="budget_id")
            cost = forms.amount(request.POST, "cost", process.currency, request.locale_name, required=False)
            service.accept(request.db, proposal, budget, forms.text(request.POST, "code", 40), cost,
                           actor(request), forms.text(request.POST, "reason"), notifier=request.notifier)
            message = _("Proposal accepted onto the ballot of “${budget}”.", mapping={"budget": budget.name})
        elif action == "changes":
            service.request_changes(request.db, proposal, forms.text(request.POST, "reason"), actor(request),
                                    notifier=request.notifier)
            message = _("The proposer was asked for changes.")
        elif action == "reject":
            service.reject(request.db, proposal, forms.text(request.POST, "reason"), actor(request),
                           notifier=request.notifier)
            message = _("Proposal rejected.")
        else:
            raise InvalidInput(_("Choose what to do with the proposal."))
    except DomainError as error:
        return _page(request, refuse(request, error), values)
    request.session.flash(translate(request, message))
    return HTTPSeeOther(request.route_url("console.proposal", process_id=process.id, proposal_id=proposal.id))
