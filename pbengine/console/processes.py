"""Processes: create, edit, move through the phases, read the audit log."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import forms
from ..i18n import _
from ..models import Phase
from ..security import Permission
from ..services import audit, phases, workflow
from ..services import processes as service
from ..services.errors import DomainError
from .common import (
    BALLOT_KIND_LABELS,
    PHASE_LABELS,
    actor,
    apply_category_translations,
    apply_translations,
    category_rows,
    posted_translations,
    refuse,
    translate,
    translation_values,
)


def _values(process) -> dict:
    values = {key: getattr(process, key) for key in (
        "slug", "title", "description", "currency", "allow_revote",
        "proposals_start", "proposals_end", "voting_start", "voting_end")}
    return values | translation_values(process)


def _posted(params) -> dict:
    values = {key: params.get(key, "") for key in (
        "slug", "title", "description", "currency",
        "proposals_start", "proposals_end", "voting_start", "voting_end")}
    values["allow_revote"] = forms.checkbox(params, "allow_revote")
    return values | posted_translations(params)


def _data(params) -> service.ProcessData:
    return service.ProcessData(
        slug=forms.text(params, "slug", 40), title=forms.text(params, "title", 200),
        description=forms.text(params, "description"), currency=forms.text(params, "currency", 8).upper(),
        allow_revote=forms.checkbox(params, "allow_revote"),
        proposals_start=forms.date(params, "proposals_start"), proposals_end=forms.date(params, "proposals_end"),
        voting_start=forms.date(params, "voting_start"), voting_end=forms.date(params, "voting_end"))


def _form(request, process, values, errors=None, posted=None):
    """The process form; an existing process's form also names its categories per language."""
    categories = category_rows(process, posted) if process is not None else []
    return {"process": process, "values": values, "errors": errors or {}, "categories": categories}


@view_config(route_name="console.process_new", renderer="console/process_form.jinja2",
             permission=Permission.ADMIN, request_method="GET")
def process_new(request):
    return _form(request, None, {"currency": "EUR", "allow_revote": True})


@view_config(route_name="console.process_new", renderer="console/process_form.jinja2",
             permission=Permission.ADMIN, request_method="POST")
def process_create(request):
    try:
        process = service.create_process(request.db, _data(request.POST), actor(request))
        apply_translations(request, process)
    except DomainError as error:
        return _form(request, None, _posted(request.POST), refuse(request, error))
    request.session.flash(translate(request, _("Process created. Add its budgets next.")))
    return HTTPSeeOther(request.route_url("console.process", process_id=process.id))


@view_config(route_name="console.process_edit", renderer="console/process_form.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def process_edit(request):
    process = request.context.process
    return _form(request, process, _values(process))


@view_config(route_name="console.process_edit", renderer="console/process_form.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def process_update(request):
    process = request.context.process
    try:
        service.update_process(request.db, process, _data(request.POST), actor(request))
        apply_translations(request, process)
        apply_category_translations(request, process)
    except DomainError as error:
        return _form(request, process, _posted(request.POST), refuse(request, error), posted=request.POST)
    request.session.flash(translate(request, _("Process saved.")))
    return HTTPSeeOther(request.route_url("console.process", process_id=process.id))


def _process_page(request, errors=None):
    process = request.context.process
    following = phases.next_phase(process)
    return {
        "process": process,
        "phase_label": translate(request, PHASE_LABELS[process.phase]),
        "next_phase": following,
        "next_label": translate(request, PHASE_LABELS[following]) if following else "",
        "phases": [(p, translate(request, PHASE_LABELS[p])) for p in PHASE_LABELS],
        "locked": phases.is_locked(process),
        "kind_labels": BALLOT_KIND_LABELS,
        "can_manage": request.has_permission(Permission.PROCESS_MANAGE),
        "can_moderate": request.has_permission(Permission.PROCESS_MODERATE),
        "is_admin": request.has_permission(Permission.ADMIN),
        "errors": errors or {},
    }


@view_config(route_name="console.process", renderer="console/process.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def process_view(request):
    return _process_page(request)


@view_config(route_name="console.process_phase", renderer="console/process.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def process_phase(request):
    process = request.context.process
    try:
        workflow.move_to(request.db, process, request.POST.get("phase", ""), actor(request),
                        code_key=request.registry.settings["pbengine.code_key"])
    except DomainError as error:
        return _process_page(request, refuse(request, error))
    request.session.flash(translate(request, _("The process is now in the phase “${phase}”.",
                                               mapping={"phase": PHASE_LABELS[Phase(process.phase)]})))
    return HTTPSeeOther(request.route_url("console.process", process_id=process.id))


@view_config(route_name="console.process_audit", renderer="console/audit.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def process_audit(request):
    process = request.context.process
    events = audit.events(request.db, process)
    return {"process": process, "events": events,
            "problems": audit.verify_chain([audit.as_line(e) for e in events]),
            "canonical": audit.canonical}
