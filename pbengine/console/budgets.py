"""Budgets: their amount, ballot format, rule and tie-breaking; the budget page lists its projects;
a draft's budget can be deleted (after a confirmation)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from voting_rules import COMPLETIONS, RULES, SATISFACTIONS

from .. import forms
from ..i18n import _
from ..security import Permission
from ..services import budgets as service
from ..services import phases
from ..services.errors import DomainError
from . import confirm
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

FORM = forms.Form(
    service.BudgetData,
    name=forms.Field(_("Name"), required=True),
    slug=forms.Field(_("Address"), required=True),
    description=forms.Field(_("Description"), kind="textarea", max_length=10_000),
    amount=forms.Amount(_("Amount"), required=True),
    ballot_kind=forms.Field(_("Ballot format"), kind="select"),
    min_length=forms.Integer(_("Fewest projects a voter must choose")),
    max_length=forms.Integer(_("Most projects a voter may choose")),
    max_sum_cost=forms.Amount(_("Most total cost a voter may choose")),
    max_sum_points=forms.Integer(_("Points each voter spreads")),
    max_points_per_project=forms.Integer(_("Most points for one project")),
    rank_length=forms.Integer(_("Number of places to rank")),
    rule=forms.Field(_("Rule"), kind="select"),
    satisfaction=forms.Field(_("Satisfaction measure"), kind="select"),
    completion=forms.Field(_("Completion (Method of Equal Shares)"), kind="select"),
    tie_break=forms.Field(_("Tie-breaking"), required=True),
    threshold=forms.Integer(_("Minimum score to be funded")),
    incompatible=forms.Field(_("Projects that cannot all be carried out"), max_length=2000),
)


def _context(request) -> forms.Context:
    return forms.Context(request.context.process.currency, request.locale_name)


def _submit(request, budget, act):
    process = request.context.process
    return FORM.submit(request.POST, lambda data: service.check_budget(process, data, budget), act,
                       _context(request))


def _form(request, budget, values, errors=None):
    process = request.context.process
    return {
        "process": process, "budget": budget, "form": FORM, "values": values, "errors": errors or {},
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
        budget = _submit(request, None, lambda data: service.add_budget(request.db, process, data, actor(request)))
        apply_translations(request, budget, BUDGET_TRANSLATED_FIELDS)
    except DomainError as error:
        return _form(request, None, dict(request.POST) | FORM.posted(request.POST), refuse(request, error))
    request.session.flash(translate(request, _("Budget “${name}” added.", mapping={"name": budget.name})))
    return HTTPSeeOther(request.route_url("console.budget", process_id=process.id, budget_id=budget.id))


@view_config(route_name="console.budget_edit", renderer="console/budget_form.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def budget_edit(request):
    budget = request.context.budget
    return _form(request, budget, FORM.values(budget, _context(request))
                 | translation_values(budget, BUDGET_TRANSLATED_FIELDS))


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
            _submit(request, budget, lambda data: service.update_budget(request.db, budget, data, actor(request)))
            apply_translations(request, budget, BUDGET_TRANSLATED_FIELDS)
            message = _("Budget “${name}” saved.", mapping={"name": budget.name})
    except DomainError as error:
        return _form(request, budget, dict(request.POST) | FORM.posted(request.POST), refuse(request, error))
    request.session.flash(translate(request, message))
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
