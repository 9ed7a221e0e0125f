"""Projects on a budget's ballot: add, edit, remove (after a confirmation), import from CSV or pabulib."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import forms
from ..i18n import _
from ..security import Permission
from ..services import csv_import, import_files, pb_plan, phases
from ..services import projects as service
from ..services.errors import DomainError, InvalidInput
from . import confirm
from .common import (
    BALLOT_KIND_LABELS,
    ORGANISATION_TYPE_LABELS,
    SDG_NAMES,
    actor,
    apply_translations,
    label_options,
    posted_translations,
    refuse,
    translate,
    translation_values,
)

FORM = forms.Form(
    service.ProjectData,
    code=forms.Field(_("Project id"), required=True, max_length=40),
    title=forms.Field(_("Title"), required=True),
    description=forms.Field(_("Description"), kind="textarea", max_length=10_000),
    cost=forms.Amount(_("Cost"), required=True),
    categories=forms.Words(_("Categories")),
    sdgs=forms.Numbers(_("Sustainable Development Goals")),
    organisation_name=forms.Field(_("Organisation")),
    organisation_type=forms.Choice(_("Organisation type")),
    location=forms.Field(_("Location")),
    image_url=forms.Field(_("Image address"), kind="url", max_length=500),
)


def _context(request) -> forms.Context:
    return forms.Context(request.context.process.currency, request.locale_name)


def _submit(request, project, act):
    budget = request.context.budget
    return FORM.submit(request.POST, lambda data: service.check_project(budget, data, project), act,
                       _context(request))


def _posted(params) -> dict:
    return FORM.posted(params) | posted_translations(params)


def _form(request, project, values, errors=None):
    context = request.context
    return {
        "process": context.process, "budget": context.budget, "project": project,
        "form": FORM, "values": values, "errors": errors or {}, "locked": phases.is_locked(context.process),
        "sdg_names": SDG_NAMES,
        "organisation_options": [("", translate(request, _("None or unknown")))]
        + label_options(request, ORGANISATION_TYPE_LABELS),
    }


def _back(request):
    context = request.context
    return HTTPSeeOther(request.route_url("console.budget", process_id=context.process.id,
                                          budget_id=context.budget.id))


@view_config(route_name="console.project_new", renderer="console/project_form.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="GET")
def project_new(request):
    return _form(request, None, {"sdgs": []})


@view_config(route_name="console.project_new", renderer="console/project_form.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="POST")
def project_create(request):
    try:
        project = _submit(request, None, lambda data: service.add_project(request.db, request.context.budget, data,
                                                                           actor(request)))
        apply_translations(request, project)
    except DomainError as error:
        return _form(request, None, _posted(request.POST), refuse(request, error))
    request.session.flash(translate(request, _("Project “${title}” added.", mapping={"title": project.title})))
    return _back(request)


def _stored(request, project) -> dict:
    """The project as its edit form shows it."""
    return FORM.values(project, _context(request)) | translation_values(project)


@view_config(route_name="console.project_edit", renderer="console/project_form.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="GET")
def project_edit(request):
    project = request.context.project
    return _form(request, project, _stored(request, project))


@view_config(route_name="console.project_edit", renderer="console/project_form.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="POST")
def project_update(request):
    project = request.context.project
    try:
        if request.POST.get("action") == "translations":
            # the only change a locked project takes: its texts in French and Spanish
            apply_translations(request, project)
            request.session.flash(translate(request, _("Translations of “${title}” saved.",
                                                       mapping={"title": project.title})))
            return _back(request)
        if request.POST.get("action") == "remove":  # removing asks first: console.project_delete
            phases.ensure_unlocked(request.context.process)
            return confirm.refused(request, _remove_confirmation(request, project), request.context.process)
        _submit(request, project, lambda data: service.update_project(request.db, project, data, actor(request)))
        apply_translations(request, project)
    except DomainError as error:
        return _form(request, project, _posted(request.POST), refuse(request, error))
    request.session.flash(translate(request, _("Project “${title}” saved.", mapping={"title": project.title})))
    return _back(request)


def _remove_confirmation(request, project) -> confirm.Confirmation:
    context = request.context
    ids = {"process_id": context.process.id, "budget_id": context.budget.id, "project_id": project.id}
    return confirm.Confirmation(
        token=f"project-delete:{project.id}",
        title=_("Remove the project “${title}”?", mapping={"title": project.title}),
        consequences=[
            _("The project “${title}” (id ${code}) leaves the ballot of “${budget}” and is deleted.",
              mapping={"title": project.title, "code": project.code, "budget": context.budget.name}),
            _("The process's audit log records the removal."),
        ],
        button=_("Remove the project"),
        action=request.route_url("console.project_delete", **ids),
        cancel=request.route_url("console.project_edit", **ids))


@view_config(route_name="console.project_delete", renderer="console/project_form.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="GET")
def project_delete_confirm(request):
    project = request.context.project
    try:
        phases.ensure_unlocked(request.context.process)
    except DomainError as error:
        return _form(request, project, _stored(request, project), refuse(request, error))
    return confirm.page(request, _remove_confirmation(request, project), request.context.process)


@view_config(route_name="console.project_delete", renderer="console/project_form.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="POST")
def project_delete(request):
    project = request.context.project
    try:
        phases.ensure_unlocked(request.context.process)
        confirmation = _remove_confirmation(request, project)
        if not confirm.confirmed(request, confirmation):
            return confirm.refused(request, confirmation, request.context.process)
        title = project.title
        service.remove_project(request.db, project, actor(request))
    except DomainError as error:
        return _form(request, project, _stored(request, project), refuse(request, error))
    request.session.flash(translate(request, _("Project “${title}” removed.", mapping={"title": title})))
    return _back(request)


def _import_form(request, errors=None, problems=()):
    context = request.context
    return {"process": context.process, "budget": context.budget, "errors": errors or {},
            "problems": [translate(request, problem) for problem in problems],
            "locked": phases.is_locked(context.process)}


def _preview(request, filename: str, text: str, plan, errors=None):
    """What the ``.pb`` file will change, and the form that confirms it (the file goes along, hidden)."""
    request.override_renderer = "console/project_import_preview.jinja2"
    context = request.context
    return {"process": context.process, "budget": context.budget, "plan": plan, "filename": filename,
            "content": text, "kind_labels": BALLOT_KIND_LABELS, "errors": errors or {}}


@view_config(route_name="console.project_import", renderer="console/project_import.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="GET")
def project_import_form(request):
    return _import_form(request)


@view_config(route_name="console.project_import", renderer="console/project_import.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="POST", request_param="action=confirm")
def project_import_confirm(request):
    """Apply a previewed ``.pb`` file: all its changes, or none if the budget changed since the preview."""
    budget = request.context.budget
    filename, text = forms.text(request.POST, "filename", 200), request.POST.get("content", "")
    try:
        plan = pb_plan.apply_pb(request.db, budget, text, request.POST.get("digest", ""), actor(request))
    except pb_plan.PlanChanged as error:
        errors = refuse(request, error)
        return _preview(request, filename, text, pb_plan.plan_pb(request.db, budget, text), errors)
    except DomainError as error:
        return _import_form(request, refuse(request, error))
    request.session.flash(translate(request, _(
        "${n} projects imported; ${changes} settings changed as the file says.",
        mapping={"n": len(plan.projects), "changes": len(plan.changes)})))
    return _back(request)


@view_config(route_name="console.project_import", renderer="console/project_import.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="POST")
def project_import(request):
    """A CSV file is imported at once; a ``.pb`` file first shows what it will change."""
    upload = request.POST.get("file")
    budget = request.context.budget
    try:
        if not hasattr(upload, "file"):
            raise InvalidInput(_("Choose a CSV or .pb file."), field="file")
        filename, content = upload.filename or "", upload.file.read(import_files.MAX_BYTES + 1)
        if import_files.is_pb(filename):
            plan = pb_plan.plan_pb(request.db, budget, content)
            return _preview(request, filename.rsplit("/", 1)[-1][:200], import_files.decode(content), plan)
        added = csv_import.import_projects(request.db, budget, filename, content, actor(request))
    except DomainError as error:
        return _import_form(request, refuse(request, error), getattr(error, "problems", ()))
    request.session.flash(translate(request, _("${n} projects imported.", mapping={"n": len(added)})))
    return _back(request)
