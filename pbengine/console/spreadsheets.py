"""CSV downloads for the organizer's spreadsheet: projects, proposals (no contact data), turnout."""

from __future__ import annotations

import logging

from pyramid.response import Response
from pyramid.view import view_config

from ..security import Permission
from ..services import spreadsheets

log = logging.getLogger(__name__)


def _csv(request, body: bytes, what: str) -> Response:
    process = request.context.process
    log.info("%s CSV of process %s downloaded by organizer %s", what, process.id, request.identity.id)
    response = Response(body=body, content_type="text/csv", charset="utf-8")
    response.content_disposition = f'attachment; filename="{what}-{process.slug}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@view_config(route_name="console.projects_csv", permission=Permission.PROCESS_VIEW, request_method="GET")
def projects_csv(request):
    return _csv(request, spreadsheets.projects_csv(request.context.process), "projects")


@view_config(route_name="console.proposals_csv", permission=Permission.PROCESS_VIEW, request_method="GET")
def proposals_csv(request):
    return _csv(request, spreadsheets.proposals_csv(request.context.process), "proposals")


@view_config(route_name="console.turnout_csv", permission=Permission.PROCESS_VIEW, request_method="GET")
def turnout_csv(request):
    key = request.registry.settings["pbengine.code_key"]
    return _csv(request, spreadsheets.turnout_csv(request.db, request.context.process, key), "turnout")
