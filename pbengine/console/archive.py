"""Archiving a published process (owners): a confirmation page, then the erasure."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..i18n import _
from ..security import Permission
from ..services import archive as service
from ..services.errors import DomainError
from .common import actor, refuse, translate


def _page(request, errors=None, value=""):
    process = request.context.process
    return {"process": process, "archived": service.is_archived(request.db, process),
            "errors": errors or {}, "value": value}


@view_config(route_name="console.process_archive", renderer="console/archive.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def archive_form(request):
    return _page(request)


@view_config(route_name="console.process_archive", renderer="console/archive.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def archive(request):
    process = request.context.process
    value = request.POST.get("confirm", "")
    try:
        result = service.archive(request.db, process, value, actor(request))
    except DomainError as error:
        return _page(request, refuse(request, error), value)
    request.session.flash(translate(request, _(
        "Process archived: ${contacts} contact addresses erased, ${codes} voter code hashes dropped.",
        mapping={"contacts": result.contacts_erased, "codes": result.code_hashes_dropped})))
    return HTTPSeeOther(request.route_url("console.process", process_id=process.id))
