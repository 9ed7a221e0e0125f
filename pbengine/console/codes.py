"""Voter codes: generate a batch (the response is its only download), list batches, revoke a code."""

from __future__ import annotations

import base64
import csv
import io

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import view_config

from .. import forms
from ..i18n import _
from ..security import Permission
from ..services import codes as service
from ..services import phases
from ..services.errors import DomainError, InvalidInput
from . import confirm
from .common import actor, refuse, translate

ALL_BUDGETS = _("every budget")


def _page(request, errors=None, values=None):
    process = request.context.process
    totals, batches = service.summary(request.db, process, request.registry.settings["pbengine.code_key"])
    return {"process": process, "batches": batches, "totals": totals, "errors": errors or {},
            "values": values or {"size": 100, "format": "print", "budgets": []},
            "can_generate": phases.can_issue_codes(process)}


def budget_names(batch) -> list[str]:
    """The names of the budgets a batch is for (empty: every budget)."""
    return [b.name for b in batch.budgets]


@view_config(route_name="console.codes", renderer="console/codes.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def codes(request):
    return _page(request)


def voting_url(request, process) -> str:
    base = (request.registry.settings.get("pbengine.public_url") or request.application_url).rstrip("/")
    return f"{base}/p/{process.slug}/vote"


def codes_csv(rows: list[tuple[str, str]], url: str, budgets: str) -> str:
    """One row per code; ``budgets``: the names of the budgets the codes are for (in every row, for a mail merge)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["reference", "code", "url", "budgets"])
    for reference, code in rows:
        writer.writerow([reference, code, url, budgets])
    return out.getvalue()


@view_config(route_name="console.codes", renderer="console/codes.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def codes_generate(request):
    """The response is the one and only download of the plain codes: they are never stored."""
    process = request.context.process
    values = {"size": request.POST.get("size", ""), "label": request.POST.get("label", ""),
              "format": request.POST.get("format", "print"), "budgets": request.POST.getall("budgets")}
    try:
        size = forms.integer(request.POST, "size")
        budget_ids = forms.int_list(request.POST, "budgets")
        generated = service.generate(request.db, request.registry.settings["pbengine.code_key"], process,
                                     size, forms.text(request.POST, "label", 200), actor(request),
                                     budget_ids=budget_ids)
    except DomainError as error:
        return _page(request, refuse(request, error), values)
    service.mark_downloaded(request.db, generated.batch)
    url = voting_url(request, process)
    names = budget_names(generated.batch)
    text = codes_csv(generated.codes, url, ", ".join(names) if names else translate(request, ALL_BUDGETS))
    filename = f"codes-{process.slug}-{generated.batch.id}.csv"
    if values["format"] == "csv":
        response = Response(body=text.encode("utf-8"), content_type="text/csv", charset="utf-8")
        response.content_disposition = f'attachment; filename="{filename}"'
    else:
        data_url = "data:text/csv;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")
        response = render_to_response("console/codes_print.jinja2", {
            "process": process, "batch": generated.batch, "codes": generated.codes, "url": url,
            "csv_url": data_url, "filename": filename, "budget_names": names}, request=request)
    response.cache_control = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _revoke_confirmation(request, process, reference: str) -> confirm.Confirmation:
    return confirm.Confirmation(
        token=f"revoke:{reference}",
        title=_("Revoke the code ${reference}?", mapping={"reference": reference}),
        consequences=[
            _("Code ${reference} will no longer open the ballot: nobody can vote, or change a ballot, with it.",
              mapping={"reference": reference}),
            _("A ballot already cast with it stays counted. A revoked code cannot be restored."),
        ],
        button=_("Revoke the code"),
        action=request.route_url("console.code_revoke", process_id=process.id),
        cancel=request.route_url("console.codes", process_id=process.id),
        fields={"reference": reference})


@view_config(route_name="console.code_revoke", renderer="console/codes.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="GET")
def code_revoke_confirm(request):
    process = request.context.process
    reference = (request.GET.get("reference") or "").strip()
    if not reference:
        error = InvalidInput(_("This field is required."), field="reference")
        return _page(request, refuse(request, error), {"size": 100, "format": "print", "reference": ""})
    return confirm.page(request, _revoke_confirmation(request, process, reference), process)


@view_config(route_name="console.code_revoke", renderer="console/codes.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def code_revoke(request):
    process = request.context.process
    reference = request.POST.get("reference", "")
    confirmation = _revoke_confirmation(request, process, reference.strip())
    if not confirm.confirmed(request, confirmation):
        return confirm.refused(request, confirmation, process)
    try:
        service.revoke(request.db, process, reference, actor(request))
    except DomainError as error:
        return _page(request, refuse(request, error), {"size": 100, "format": "print", "budgets": [],
                                                       "reference": reference})
    request.session.flash(translate(request, _("Code ${reference} revoked: it can no longer vote.",
                                               mapping={"reference": reference.strip()})))
    return HTTPSeeOther(request.route_url("console.codes", process_id=process.id))
