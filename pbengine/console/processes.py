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
    apply_translations,
    posted_translations,
    refuse,
    translate,
    translation_values,
)

FORM = forms.Form(
    service.ProcessData,
    slug=forms.Field(_("Address"), required=True, max_length=40),
    title=forms.Field(_("Title"), required=True),
    description=forms.Field(_("Description"), kind="textarea", max_length=10_000),
    currency=forms.Upper(_("Currency"), required=True, max_length=8),
    allow_revote=forms.Checkbox(_("A voter may change their ballot until the vote closes")),
    proposals_start=forms.Date(_("Proposals open on")),
    proposals_end=forms.Date(_("Proposals close on")),
    voting_start=forms.Date(_("Voting opens on")),
    voting_end=forms.Date(_("Voting closes on")),
)


def _form(request, process, values, errors=None):
    return {"process": process, "form": FORM, "values": values, "errors": errors or {}}


def _refused(request, process, error):
    return _form(request, process, FORM.posted(request.POST) | posted_translations(request.POST),
                 refuse(request, error))


@view_config(route_name="console.process_new", renderer="console/process_form.jinja2",
             permission=Permission.ADMIN, request_method="GET")
def process_new(request):
    return _form(request, None, {"currency": "EUR", "allow_revote": True})


@view_config(route_name="console.process_new", renderer="console/process_form.jinja2",
             permission=Permission.ADMIN, request_method="POST")
def process_create(request):
    try:
        process = FORM.submit(request.POST, lambda data: service.check_process(request.db, data),
                              lambda data: service.create_process(request.db, data, actor(request)))
        apply_translations(process, request.POST)
    except DomainError as error:
        return _refused(request, None, error)
    request.session.flash(translate(request, _("Process created. Add its budgets next.")))
    return HTTPSeeOther(request.route_url("console.process", process_id=process.id))


@view_config(route_name="console.process_edit", renderer="console/process_form.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def process_edit(request):
    process = request.context.process
    return _form(request, process, FORM.values(process) | translation_values(process))


@view_config(route_name="console.process_edit", renderer="console/process_form.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def process_update(request):
    process = request.context.process
    try:
        FORM.submit(request.POST, lambda data: service.check_process(request.db, data, process),
                    lambda data: service.update_process(request.db, process, data, actor(request)))
        apply_translations(process, request.POST)
    except DomainError as error:
        return _refused(request, process, error)
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
