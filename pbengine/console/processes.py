"""Processes: create, edit, move through the phases (after a confirmation), delete a draft, read the audit log."""

from __future__ import annotations

import logging

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import forms
from ..i18n import _
from ..models import Phase
from ..security import Permission
from ..services import audit, phases, schedule, workflow
from ..services import processes as service
from ..services.errors import DomainError
from . import confirm
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

log = logging.getLogger(__name__)

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
    max_budgets=forms.Integer(_("A voter code votes in at most this many budgets"), minimum=1),
    auto_phases=forms.Checkbox(_("Move to the next phase automatically at these dates")),
)


def _form(request, process, values, errors=None, posted=None):
    """The process form; an existing process's form also names its categories per language."""
    categories = category_rows(process, posted) if process is not None else []
    return {"process": process, "form": FORM, "values": values, "errors": errors or {}, "categories": categories}


def _refused(request, process, error):
    return _form(request, process, FORM.posted(request.POST) | posted_translations(request.POST),
                 refuse(request, error), posted=request.POST)


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
        apply_translations(request, process)
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
        apply_translations(request, process)
        apply_category_translations(request, process)
    except DomainError as error:
        return _refused(request, process, error)
    request.session.flash(translate(request, _("Process saved.")))
    return HTTPSeeOther(request.route_url("console.process", process_id=process.id))


def _schedule(request, process) -> dict:
    """The automatic moves, as the console shows them (read only: ``pbengine tick`` makes them)."""
    following = phases.next_phase(process)
    planned = schedule.next_automatic(process)
    today = schedule.today_in(request.registry.settings.get("pbengine.timezone") or "UTC")
    overdue = planned is not None and planned.on <= today
    blocked = schedule.blocked_by(request.db, process) if overdue else None
    return {"on": process.auto_phases, "planned": planned, "overdue": overdue,
            "target_label": translate(request, PHASE_LABELS[planned.target]) if planned else "",
            "by_hand": following is not None and following not in schedule.DATES,
            "blocked": translate(request, blocked.message) if blocked is not None else ""}


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
        "schedule": _schedule(request, process),
        "can_manage": request.has_permission(Permission.PROCESS_MANAGE),
        "can_moderate": request.has_permission(Permission.PROCESS_MODERATE),
        "is_admin": request.has_permission(Permission.ADMIN),
        "errors": errors or {},
    }


@view_config(route_name="console.process", renderer="console/process.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def process_view(request):
    return _process_page(request)


# What each move locks or ends, in the words its confirmation page uses.
PHASE_CONSEQUENCES = {
    Phase.PROPOSALS: [
        _("Opening proposals makes the process public: its page appears on the site and residents can "
          "propose projects."),
        _("The process never goes back to preparation: it, and its budgets, can no longer be deleted."),
    ],
    Phase.REVIEW: [
        _("Closing proposals ends submissions: residents can no longer propose a project."),
        _("You keep reviewing, pricing and accepting the proposals already received."),
    ],
    Phase.VOTING: [
        _("Opening voting freezes the budgets, rules and projects: nothing on a ballot can be added, "
          "edited or removed any more, and the configuration's fingerprint is recorded in the audit log."),
        _("Ballots can then be cast with the voter codes."),
    ],
    Phase.CLOSED: [
        _("Closing the vote ends voting: no ballot can be cast or changed any more, and no voter code "
          "can be issued."),
        _("The ballots are sealed, and the link between each ballot and its voter code is erased for good."),
    ],
    Phase.PUBLISHED: [
        _("Publishing freezes the results: they can no longer be computed again."),
        _("They become public, with the audit export anyone can recount."),
    ],
}


def _phase_confirmation(request, process, target: Phase) -> confirm.Confirmation:
    label = translate(request, PHASE_LABELS[target])  # a mapping's values are not translated for us
    back = "console.results" if target is Phase.PUBLISHED else "console.process"
    return confirm.Confirmation(
        token=f"phase:{target.value}",
        title=_("Move to “${phase}”?", mapping={"phase": label}),
        consequences=PHASE_CONSEQUENCES[target],
        button=_("Yes, move to “${phase}”", mapping={"phase": label}),
        action=request.route_url("console.process_phase", process_id=process.id),
        cancel=request.route_url(back, process_id=process.id),
        fields={"phase": target.value})


@view_config(route_name="console.process_phase", renderer="console/process.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def process_phase_confirm(request):
    """The confirmation page of a move (or, if the move would be refused, the process page saying why)."""
    process = request.context.process
    try:
        target = workflow.check(request.db, process, request.GET.get("phase", ""))
    except DomainError as error:
        return _process_page(request, refuse(request, error))
    return confirm.page(request, _phase_confirmation(request, process, target), process)


@view_config(route_name="console.process_phase", renderer="console/process.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def process_phase(request):
    process = request.context.process
    try:
        target = workflow.check(request.db, process, request.POST.get("phase", ""))
        confirmation = _phase_confirmation(request, process, target)
        if not confirm.confirmed(request, confirmation):
            return confirm.refused(request, confirmation, process)
        workflow.move_to(request.db, process, target, actor(request),
                         code_key=request.registry.settings["pbengine.code_key"], notifier=request.notifier)
    except DomainError as error:
        return _process_page(request, refuse(request, error))
    request.session.flash(translate(request, _("The process is now in the phase “${phase}”.",
                                               mapping={"phase": translate(request, PHASE_LABELS[process.phase])})))
    return HTTPSeeOther(request.route_url("console.process", process_id=process.id))


def _delete_confirmation(request, process) -> confirm.Confirmation:
    return confirm.Confirmation(
        token=process.slug, typed=True,
        title=_("Delete the process “${title}”?", mapping={"title": process.title}),
        consequences=[
            _("The process is deleted for good, with everything in it: its budgets (${budgets}), their "
              "projects (${projects}), its voter codes and its audit log.",
              mapping={"budgets": len(process.budgets),
                       "projects": sum(len(b.projects) for b in process.budgets)}),
            _("It is still in preparation, so nobody outside the console has seen it. The server's log "
              "records the deletion, without personal data."),
        ],
        button=_("Delete the process"),
        action=request.route_url("console.process_delete", process_id=process.id),
        cancel=request.route_url("console.process", process_id=process.id))


@view_config(route_name="console.process_delete", renderer="console/process.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def process_delete_confirm(request):
    process = request.context.process
    try:
        phases.ensure_deletable(process, "process")
    except DomainError as error:
        return _process_page(request, refuse(request, error))
    return confirm.page(request, _delete_confirmation(request, process), process)


@view_config(route_name="console.process_delete", renderer="console/process.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def process_delete(request):
    process = request.context.process
    try:
        phases.ensure_deletable(process, "process")
        confirmation = _delete_confirmation(request, process)
        if not confirm.confirmed(request, confirmation):
            return confirm.refused(request, confirmation, process)
        title = process.title
        deleted = service.delete_process(request.db, process)
    except DomainError as error:
        return _process_page(request, refuse(request, error))
    # The process's audit log went with it: this line is the record (ids, counts, the log's last hash).
    log.info("draft process %s (%s) deleted by organizer %s: %s budgets, %s projects, %s voter codes, "
             "audit log of %s events ending with %s", deleted.id, deleted.slug, request.identity.id,
             deleted.budgets, deleted.projects, deleted.voter_codes, deleted.audit_events,
             deleted.audit_head or "-")
    request.session.flash(translate(request, _("Process “${title}” deleted.", mapping={"title": title})))
    return HTTPSeeOther(request.route_url("console.home"))


@view_config(route_name="console.process_audit", renderer="console/audit.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def process_audit(request):
    process = request.context.process
    events = audit.events(request.db, process)
    return {"process": process, "events": events,
            "problems": audit.verify_chain([audit.as_line(e) for e in events]),
            "canonical": audit.canonical}
