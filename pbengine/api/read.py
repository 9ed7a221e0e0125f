"""Read-only API views: processes, budgets, projects, published results and export files."""

from __future__ import annotations

from pyramid.response import Response
from sqlalchemy import select

from ..i18n import _
from ..models import Budget, Process
from ..money import to_minor
from ..security import Permission
from ..services import export, phases
from ..services.phases import results_public
from ..services.rule_inputs import ballot_format, tally_params
from ..services.tallies import official_tally
from . import api_view
from .errors import ApiError
from .validation import document

CONTENT_TYPES = {".json": "application/json", ".jsonl": "application/x-ndjson", ".csv": "text/csv",
                 ".pb": "text/plain", ".txt": "text/plain"}


def _date(value):
    return value.isoformat() if value else None


def process_json(request, process: Process) -> dict:
    locale = request.locale_name
    return {
        "slug": process.slug,
        "title": process.localized("title", locale),
        "phase": process.phase,
        "currency": process.currency,
        "voting_start": _date(process.voting_start),
        "voting_end": _date(process.voting_end),
        "url": request.route_url("api.process", slug=process.slug),
    }


def budget_json(request, budget: Budget) -> dict:
    fmt = ballot_format(budget)
    params = tally_params(budget)
    slug = budget.process.slug
    return {
        "slug": budget.slug,
        "name": budget.localized("name", request.locale_name),
        "description": budget.localized("description", request.locale_name) or "",
        "amount": budget.amount,
        "ballot": {
            "format": budget.ballot_kind,
            "min_length": fmt.min_length,
            "max_length": fmt.max_length,
            "max_sum_cost": (budget.max_sum_cost if budget.max_sum_cost is not None else budget.amount)
            if budget.ballot_kind == "knapsack" else None,
            "max_sum_points": fmt.max_sum_points,
            "max_points_per_project": fmt.max_points_per_project,
            "rank_length": fmt.rank_length,
        },
        "rule": params.to_json(),
        "url": request.route_url("api.budget", slug=slug, budget=budget.slug),
        "projects_url": request.route_url("api.projects", slug=slug, budget=budget.slug),
        "ballots_url": request.route_url("api.ballots", slug=slug, budget=budget.slug),
    }


def project_json(request, project) -> dict:
    locale = request.locale_name
    return {
        "id": project.code,
        "title": project.localized("title", locale),
        "description": project.localized("description", locale) or "",
        "cost": project.cost,
        "categories": list(project.categories or []),
        "sdgs": list(project.sdgs or []),
        "organisation_name": project.organisation_name or "",
        "organisation_type": project.organisation_type,
        "location": project.location or "",
    }


def ensure_published(process: Process) -> None:
    if not results_public(process):
        raise ApiError(404, "not_published", _("The results of this process are not published yet."))


@api_view("api.openapi", Permission.VIEW)
def openapi(request):
    return document()


@api_view("api.processes", Permission.VIEW)
def processes(request):
    found = request.db.scalars(select(Process).where(phases.public_processes())
                               .order_by(Process.created_at.desc(), Process.id.desc())).all()
    return {"processes": [process_json(request, p) for p in found]}


@api_view("api.process", Permission.VIEW)
def process(context, request):
    process = context.process
    body = process_json(request, process)
    body["description"] = process.localized("description", request.locale_name) or ""
    body["budgets"] = [budget_json(request, b) for b in process.budgets]
    body["results_url"] = request.route_url("api.results", slug=process.slug) if results_public(process) else None
    return body


@api_view("api.budget", Permission.VIEW)
def budget(context, request):
    return budget_json(request, context.budget)


@api_view("api.projects", Permission.VIEW)
def projects(context, request):
    return {"projects": [project_json(request, p) for p in context.budget.projects]}


@api_view("api.results", Permission.VIEW)
def results(context, request):
    process = context.process
    ensure_published(process)
    budgets = []
    for b in process.budgets:
        tally = official_tally(request.db, b)
        payload = tally.result
        titles = {p.code: p.localized("title", request.locale_name) for p in b.projects}
        budgets.append({
            "slug": b.slug,
            "name": b.localized("name", request.locale_name),
            "amount": b.amount,
            "rule": payload["rule"],
            "parameters": payload["params"],
            "funded": payload["funded"],
            # The tally counts whole units (exact); the API gives every amount in minor units.
            "spent": to_minor(payload["spent"], process.currency),
            "num_voters": payload["num_voters"],
            "projects": [dict(row, title=titles.get(row["id"], ""), cost=to_minor(row["cost"], process.currency))
                         for row in payload["projects"]],
            "explanation": payload.get("explanation", {}),
            "export_file": request.route_url("api.export", slug=process.slug, filename=export.pb_name(b)),
        })
    return {"process": process.slug, "budgets": budgets,
            "export_zip": request.route_url("site.export_zip", slug=process.slug,
                                            filename=export.zip_name(process))}


@api_view("api.export", Permission.VIEW)
def export_file(context, request):
    process = context.process
    ensure_published(process)
    name = request.matchdict["filename"]
    files = export.build(request.db, process)
    if name not in files:
        raise ApiError(404, "not_found", _("The export has no file with this name."))
    suffix = "." + name.rsplit(".", 1)[1] if "." in name else ".txt"
    return Response(body=files[name], content_type=CONTENT_TYPES.get(suffix, "text/plain"), charset="utf-8")
