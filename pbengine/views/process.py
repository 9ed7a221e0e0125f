"""Process home, the list of projects (filters, search) and one project's page."""

from __future__ import annotations

from markupsafe import Markup
from pyramid.renderers import render
from pyramid.view import view_config

from .. import labels, money
from ..security import Permission
from ..services.phases import accepts_proposals, is_locked, results_public, voting_open
from ..services.results import project_outcome, published_result
from . import caching


@view_config(route_name="site.process", renderer="site/process.jinja2", permission=Permission.VIEW,
             request_method="GET")
def process_home(context, request):
    process = context.process
    return {
        "process": process,
        "action": labels.PHASE_ACTIONS.get(process.phase),
        "can_propose": accepts_proposals(process),
        "can_vote": voting_open(process),
        "results": results_public(process),
        "ballot_help": labels.BALLOT_HELP,
    }


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").replace(" ", "").replace("\u202f", ""))
    except ValueError:
        return None


def _amount(value: str | None, currency: str, locale: str | None) -> int | None:
    try:
        return money.parse(value or "", currency, locale or "en") if (value or "").strip() else None
    except money.AmountError:
        return None


def filter_projects(process, params, locale: str | None) -> list:
    """The process's projects matching the GET filters: budget, category, sdg, organisation type,
    min/max cost, q."""
    budget = params.get("budget") or ""
    category = params.get("category") or ""
    organisation = params.get("organisation_type") or ""
    sdg = _int(params.get("sdg"))
    low = _amount(params.get("min_cost"), process.currency, locale)
    high = _amount(params.get("max_cost"), process.currency, locale)
    words = (params.get("q") or "").casefold().split()
    found = []
    for b in process.budgets:
        if budget and b.slug != budget:
            continue
        for p in b.projects:
            if category and category not in (p.categories or []):
                continue
            if sdg and sdg not in (p.sdgs or []):
                continue
            if organisation and (p.organisation_type or "") != organisation:
                continue
            if (low is not None and p.cost < low) or (high is not None and p.cost > high):
                continue
            names = [process.category_label(c, locale) or c for c in p.categories or []]
            haystack = " ".join((p.localized("title", locale), p.localized("description", locale),
                                 p.organisation_name or "", p.location or "", *names)).casefold()
            if any(word not in haystack for word in words):
                continue
            found.append(p)
    return found


FILTERS = ("budget", "category", "sdg", "organisation_type", "min_cost", "max_cost", "q")


def filter_options(process) -> dict[str, list]:
    """What the filters offer: only the categories, goals and organisation types projects use."""
    projects = [p for b in process.budgets for p in b.projects]
    used_types = {p.organisation_type for p in projects if p.organisation_type}
    return {
        "categories": sorted({c for p in projects for c in (p.categories or []) if c}),
        "sdgs": sorted({int(n) for p in projects for n in (p.sdgs or []) if int(n) in labels.SDG_NAMES}),
        # in the order of the labels (cooperative, association, ...), as everywhere else
        "organisation_types": [t for t in labels.ORGANISATION_TYPES if t in used_types],
    }


def _cards(request, process, filters: dict) -> tuple[Markup, dict[str, list]]:
    """The projects found, rendered, and what the filters offer."""
    html = render("site/_project_cards.jinja2", {
        "process": process, "projects": filter_projects(process, filters, request.locale_name)}, request=request)
    return Markup(html), filter_options(process)


@view_config(route_name="site.projects", renderer="site/projects.jinja2", permission=Permission.VIEW,
             request_method="GET")
def projects(context, request):
    if is_locked(context.state):
        # From the vote on the projects cannot change: the whole page is kept while the process's
        # version holds (see views.caching.kept_page).
        return caching.kept_page(request, "site/projects.jinja2", context.version,
                                 lambda: _projects_values(request, context.process), context.modified)
    return _projects_values(request, context.process)


def _projects_values(request, process) -> dict:
    filters = {key: request.GET.get(key, "") for key in FILTERS}
    if is_locked(process):
        # The list is rendered once per filter (and revision of the texts: translations may still
        # be corrected).
        key = ("site/_project_cards.jinja2", process.id, process.created_at.isoformat(), process.config_fingerprint,
               process.texts_revision, process.slug, request.locale_name or "", request.application_url,
               tuple(filters.items()))
        cards, options = caching.memo(request).get(key, lambda: _cards(request, process, filters))
    else:
        cards, options = _cards(request, process, filters)
    return {"process": process, "cards": cards, "categories": options["categories"], "sdgs": options["sdgs"],
            "organisation_type_options": options["organisation_types"], "filters": filters}


@view_config(route_name="site.project", renderer="site/project.jinja2", permission=Permission.VIEW,
             request_method="GET")
def project(context, request):
    process, project = context.process, context.project
    outcome = None
    if results_public(process):
        # The same outcome and reasons as the results page (kept with the published tally).
        result = published_result(request.db, project.budget, request.locale_name, caching.memo(request))
        outcome = project_outcome(result, project.id)
    return {"process": process, "project": project, "budget": project.budget,
            "can_vote": voting_open(process), "outcome": outcome, "published": results_public(process)}
