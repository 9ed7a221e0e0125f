"""The audit export as a zip: public once results are published, and in the console for any role."""

from __future__ import annotations

import logging

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from ..security import Permission
from ..services import export
from ..services.phases import results_public

log = logging.getLogger(__name__)


def zip_response(request, process) -> Response:
    files = export.build(request.db, process)
    name = export.zip_name(process)
    response = Response(body=export.as_zip(files, name.removesuffix(".zip")), content_type="application/zip")
    response.content_disposition = f'attachment; filename="{name}"'
    return response


@view_config(route_name="site.export_zip", permission=Permission.VIEW, request_method="GET")
def export_zip(context, request):
    process = context.process
    if not results_public(process) or request.matchdict["filename"] != export.zip_name(process):
        raise HTTPNotFound()
    return zip_response(request, process)


@view_config(route_name="console.export", permission=Permission.PROCESS_VIEW, request_method="GET")
def console_export(context, request):
    """The same zip for organizers (a phase error page before publication); who downloaded is logged."""
    process = context.process
    export.ensure_exportable(process)
    log.info("audit export of process %s downloaded by organizer %s", process.id, request.identity.id)
    response = zip_response(request, process)
    response.cache_control = "no-store"
    return response
