"""Budgets: their amount, ballot format, rule and tie-breaking; the budget page lists its projects;
a draft's budget can be deleted (after a confirmation)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from voting_rules import COMPLETIONS, RULES, SATISFACTIONS

from .. import forms, money
from ..i18n import _
from ..security import Permission
from ..services import phases
from ..services import processes as service
from ..services.errors import DomainError
from . import confirm
from .common import BALLOT_KIND_LABELS, ORGANISATION_TYPE_LABELS, SDG_NAMES, actor, label_options, refuse, translate

AMOUNTS = ("amount", "max_sum_cost")
NUMBERS = ("min_length", "max_length", "max_sum_points", "max_points_per_project", "rank_length", "threshold")
TEXTS = ("slug", "name", "description", "ballot_kind", "rule", "satisfaction", "completion", "tie_break",
         "incompatible")


def _values(request, budget) -> dict:
    currency = budget.process.currency
    amounts = {key: money.input_text(getattr(budget, key), currency, request.locale_name) for key in AMOUNTS}
    return {key: getattr(budget, key) for key in NUMBERS + TEXTS} | amounts


def _data(request, params) -> service.BudgetData:
    currency = request.context.process.currency
    amounts = {key: forms.amount(params, key, currency, request.locale_name, required=(key == "amount"))
               for key in AMOUNTS}
    numbers = {key: forms.integer(params, key, required=False) for key in NUMBERS}
    texts = {key: forms.text(params, key, {"description": 10_000, "incompatible": 2000}.get(key, 200))
             for key in TEXTS}
    return service.BudgetData(**texts, **numbers, **amounts)


def _form(request, budget, values, errors=None):
    process = request.context.process
    return {
        "process": process, "budget": budget, "values": values, "errors": errors or {},
        "locked": phases.is_locked(process),
        "kind_options": label_options(request, BALLOT_KIND_LABELS),
        "rule_options": [(name, name) for name in RULES],
        "satisfaction_options": [(name, name) for name in SATISFACTIONS],
        "completion_options": [(name, name) for name in COMPLETIONS],
    }


DEFAULTS = {"ballot_kind": "approval", "rule": "equal-shares", "satisfaction": "cost",
            "completion": "add1-greedy", "tie_break": "votes,lower-cost,id"}


@view_config(route_name="console.budget_new", renderer="console/budget_form.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def budget_new(request):
    return _form(request, None, dict(DEFAULTS))


@view_config(route_name="console.budget_new", renderer="console/budget_form.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def budget_create(request):
    process = request.context.process
    try:
        budget = service.add_budget(request.db, process, _data(request, request.POST), actor(request))
    except DomainError as error:
        return _form(request, None, dict(request.POST), refuse(request, error))
    request.session.flash(translate(request, _("Budget “${name}” added.", mapping={"name": budget.name})))
    return HTTPSeeOther(request.route_url("console.budget", process_id=process.id, budget_id=budget.id))


@view_config(route_name="console.budget_edit", renderer="console/budget_form.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def budget_edit(request):
    return _form(request, request.context.budget, _values(request, request.context.budget))


@view_config(route_name="console.budget_edit", renderer="console/budget_form.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def budget_update(request):
    budget = request.context.budget
    try:
        service.update_budget(request.db, budget, _data(request, request.POST), actor(request))
    except DomainError as error:
        return _form(request, budget, dict(request.POST), refuse(request, error))
    request.session.flash(translate(request, _("Budget “${name}” saved.", mapping={"name": budget.name})))
    return HTTPSeeOther(request.route_url("console.budget", process_id=budget.process_id, budget_id=budget.id))


@view_config(route_name="console.budget", renderer="console/budget.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def budget_view(request):
    return _page(request)


def _page(request, errors=None):
    process, budget = request.context.process, request.context.budget
    return {
        "process": process, "budget": budget, "locked": phases.is_locked(process),
        "kind_labels": BALLOT_KIND_LABELS, "sdg_names": SDG_NAMES, "organisation_types": ORGANISATION_TYPE_LABELS,
        "total_cost": sum(p.cost for p in budget.projects),
        "can_manage": request.has_permission(Permission.PROCESS_MANAGE),
        "can_moderate": request.has_permission(Permission.PROCESS_MODERATE),
        "errors": errors or {},
    }


def _delete_confirmation(request, budget) -> confirm.Confirmation:
    process = budget.process
    return confirm.Confirmation(
        token=f"budget-delete:{budget.id}",
        title=_("Delete the budget “${name}”?", mapping={"name": budget.name}),
        consequences=[
            _("The budget “${name}” is deleted, with the projects on its ballot (${projects}).",
              mapping={"name": budget.name, "projects": len(budget.projects)}),
            _("The process's audit log records the deletion."),
        ],
        button=_("Delete the budget"),
        action=request.route_url("console.budget_delete", process_id=process.id, budget_id=budget.id),
        cancel=request.route_url("console.budget", process_id=process.id, budget_id=budget.id))


@view_config(route_name="console.budget_delete", renderer="console/budget.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def budget_delete_confirm(request):
    budget = request.context.budget
    try:
        phases.ensure_deletable(budget.process, "budget")
    except DomainError as error:
        return _page(request, refuse(request, error))
    return confirm.page(request, _delete_confirmation(request, budget), budget.process)


@view_config(route_name="console.budget_delete", renderer="console/budget.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def budget_delete(request):
    process, budget = request.context.process, request.context.budget
    try:
        phases.ensure_deletable(process, "budget")
        confirmation = _delete_confirmation(request, budget)
        if not confirm.confirmed(request, confirmation):
            return confirm.refused(request, confirmation, process)
        name = budget.name
        service.delete_budget(request.db, budget, actor(request))
    except DomainError as error:
        return _page(request, refuse(request, error))
    request.session.flash(translate(request, _("Budget “${name}” deleted.", mapping={"name": name})))
    return HTTPSeeOther(request.route_url("console.process", process_id=process.id))
