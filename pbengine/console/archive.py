"""Archiving a published process (owners): a confirmation page (the short name typed), then the erasure."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..i18n import _
from ..security import Permission
from ..services import archive as service
from ..services.errors import DomainError
from . import confirm
from .common import actor, refuse, translate


def _confirmation(request, process) -> confirm.Confirmation:
    return confirm.Confirmation(
        token=process.slug, typed=True, title=_("Archive the process"),
        consequences=[
            _("the proposers' contact e-mail addresses are erased;"),
            _("the voter codes' hashes are dropped: no code opens anything again, and no ballot can be "
              "linked to a code;"),
            _("ballots, results, the audit log and the public export stay as they are, and the export "
              "still verifies."),
        ],
        button=_("Archive the process"),
        action=request.route_url("console.process_archive", process_id=process.id),
        cancel=request.route_url("console.process", process_id=process.id))


def _page(request, errors=None, value=""):
    process = request.context.process
    return {"archived": service.is_archived(request.db, process)} | confirm.values(
        request, _confirmation(request, process), process, errors, value)


@view_config(route_name="console.process_archive", renderer="console/archive.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def archive_form(request):
    return _page(request)


@view_config(route_name="console.process_archive", renderer="console/archive.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def archive(request):
    process = request.context.process
    value = request.POST.get(confirm.FIELD, "")
    confirmation = _confirmation(request, process)
    try:
        if not confirm.confirmed(request, confirmation):
            request.response.status = 422
            return _page(request, confirm.refusal(request, confirmation), value)
        result = service.archive(request.db, process, value, actor(request))
    except DomainError as error:
        return _page(request, refuse(request, error), value)
    request.session.flash(translate(request, _(
        "Process archived: ${contacts} contact addresses erased, ${codes} voter code hashes dropped.",
        mapping={"contacts": result.contacts_erased, "codes": result.code_hashes_dropped})))
    return HTTPSeeOther(request.route_url("console.process", process_id=process.id))
