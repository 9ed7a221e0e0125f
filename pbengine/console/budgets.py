"""Budgets: their amount, ballot format, rule and tie-breaking; the budget page lists its projects."""

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
from .common import (
    BALLOT_KIND_LABELS,
    BUDGET_TRANSLATED_FIELDS,
    ORGANISATION_TYPE_LABELS,
    SDG_NAMES,
    actor,
    apply_translations,
    label_options,
    refuse,
    translate,
    translation_values,
)

AMOUNTS = ("amount", "max_sum_cost")
NUMBERS = ("min_length", "max_length", "max_sum_points", "max_points_per_project", "rank_length", "threshold")
TEXTS = ("slug", "name", "description", "ballot_kind", "rule", "satisfaction", "completion", "tie_break",
         "incompatible")


def _values(request, budget) -> dict:
    currency = budget.process.currency
    amounts = {key: money.input_text(getattr(budget, key), currency, request.locale_name) for key in AMOUNTS}
    values = {key: getattr(budget, key) for key in NUMBERS + TEXTS} | amounts
    return values | translation_values(budget, BUDGET_TRANSLATED_FIELDS)


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
        apply_translations(request, budget, BUDGET_TRANSLATED_FIELDS)
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
        if request.POST.get("action") == "translations":
            # the only change a locked budget takes: its name and description in French and Spanish
            apply_translations(request, budget, BUDGET_TRANSLATED_FIELDS)
            message = _("Translations of “${name}” saved.", mapping={"name": budget.name})
        else:
            service.update_budget(request.db, budget, _data(request, request.POST), actor(request))
            apply_translations(request, budget, BUDGET_TRANSLATED_FIELDS)
            message = _("Budget “${name}” saved.", mapping={"name": budget.name})
    except DomainError as error:
        return _form(request, budget, dict(request.POST), refuse(request, error))
    request.session.flash(translate(request, message))
    return HTTPSeeOther(request.route_url("console.budget", process_id=budget.process_id, budget_id=budget.id))


@view_config(route_name="console.budget", renderer="console/budget.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def budget_view(request):
    process, budget = request.context.process, request.context.budget
    return {
        "process": process, "budget": budget, "locked": phases.is_locked(process),
        "kind_labels": BALLOT_KIND_LABELS, "sdg_names": SDG_NAMES, "organisation_types": ORGANISATION_TYPE_LABELS,
        "total_cost": sum(p.cost for p in budget.projects),
        "can_manage": request.has_permission(Permission.PROCESS_MANAGE),
        "can_moderate": request.has_permission(Permission.PROCESS_MODERATE),
    }
