"""Projects on a budget's ballot: add, edit, remove, import from CSV or pabulib."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import forms, money
from ..i18n import _
from ..security import Permission
from ..services import importing, phases
from ..services import processes as service
from ..services.errors import DomainError, InvalidInput
from .common import (
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

TEXTS = ("code", "title", "description", "organisation_name", "location", "image_url")


def _values(request, project) -> dict:
    values = {key: getattr(project, key) for key in TEXTS + ("organisation_type",)}
    values["cost"] = money.input_text(project.cost, request.context.process.currency, request.locale_name)
    values["categories"] = ", ".join(project.categories or [])
    values["sdgs"] = list(project.sdgs or [])
    return values | translation_values(project)


def _posted(params) -> dict:
    values = {key: params.get(key, "") for key in TEXTS + ("cost", "organisation_type", "categories")}
    values["sdgs"] = [int(s) for s in params.getall("sdgs") if s.isdigit()]
    return values | posted_translations(params)


def _data(request, params) -> service.ProjectData:
    categories = [c.strip() for c in forms.text(params, "categories", 500).split(",") if c.strip()]
    return service.ProjectData(
        code=forms.text(params, "code", 40), title=forms.text(params, "title", 200),
        cost=forms.amount(params, "cost", request.context.process.currency, request.locale_name),
        description=forms.text(params, "description"),
        categories=categories, sdgs=forms.int_list(params, "sdgs"),
        organisation_name=forms.text(params, "organisation_name", 200),
        organisation_type=params.get("organisation_type") or None,
        location=forms.text(params, "location", 200), image_url=forms.text(params, "image_url", 500))


def _form(request, project, values, errors=None):
    context = request.context
    return {
        "process": context.process, "budget": context.budget, "project": project,
        "values": values, "errors": errors or {}, "locked": phases.is_locked(context.process),
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
        project = service.add_project(request.db, request.context.budget, _data(request, request.POST), actor(request))
        apply_translations(request, project)
    except DomainError as error:
        return _form(request, None, _posted(request.POST), refuse(request, error))
    request.session.flash(translate(request, _("Project “${title}” added.", mapping={"title": project.title})))
    return _back(request)


@view_config(route_name="console.project_edit", renderer="console/project_form.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="GET")
def project_edit(request):
    return _form(request, request.context.project, _values(request, request.context.project))


@view_config(route_name="console.project_edit", renderer="console/project_form.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="POST")
def project_update(request):
    project = request.context.project
    try:
        if request.POST.get("action") == "translations":
            # the only change a locked project takes: its texts in French and Spanish
            apply_translations(request, project)
            message = _("Translations of “${title}” saved.", mapping={"title": project.title})
        elif request.POST.get("action") == "remove":
            title = project.title
            service.remove_project(request.db, project, actor(request))
            message = _("Project “${title}” removed.", mapping={"title": title})
        else:
            service.update_project(request.db, project, _data(request, request.POST), actor(request))
            apply_translations(request, project)
            message = _("Project “${title}” saved.", mapping={"title": project.title})
    except DomainError as error:
        return _form(request, project, _posted(request.POST), refuse(request, error))
    request.session.flash(translate(request, message))
    return _back(request)


def _import_form(request, errors=None):
    context = request.context
    return {"process": context.process, "budget": context.budget, "errors": errors or {},
            "locked": phases.is_locked(context.process)}


@view_config(route_name="console.project_import", renderer="console/project_import.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="GET")
def project_import_form(request):
    return _import_form(request)


@view_config(route_name="console.project_import", renderer="console/project_import.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="POST")
def project_import(request):
    upload = request.POST.get("file")
    try:
        if not hasattr(upload, "file"):
            raise InvalidInput(_("Choose a CSV or .pb file."), field="file")
        added = importing.import_projects(request.db, request.context.budget, upload.filename or "",
                                          upload.file.read(importing.MAX_BYTES + 1), actor(request))
    except DomainError as error:
        return _import_form(request, refuse(request, error))
    request.session.flash(translate(request, _("${n} projects imported.", mapping={"n": len(added)})))
    return _back(request)
