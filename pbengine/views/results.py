"""Published results: funded projects, money spent, a chart, the rule in plain words, and why.

A published result never changes: each budget's section (and its SVG chart) is rendered once
per tally, language and site address and kept in the app's memo (``services.memo``); the page
around it (navigation, language form with the visitor's CSRF token) is rendered per request.
Responses carry an ETag, so a browser that has the page revalidates it with a 304.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup
from pyramid.httpexceptions import HTTPNotFound
from pyramid.renderers import render
from pyramid.response import Response
from pyramid.view import view_config

from .. import labels
from ..security import Permission
from ..services.chart import Bar, bars
from ..services.chart import chart as chart_rows
from ..services.phases import results_public
from ..services.results import percent, published_result, published_results
from ..services.turnout import published_turnout
from . import caching


def process_texts(request) -> int:
    """The revision of the organizer texts (translations may be corrected after publication)."""
    return request.context.process.texts_revision or 0


def _rendered(request, key: tuple, result, template: str, values: Callable[[], dict]) -> str:
    """``template`` rendered with ``values()``; kept in the memo when ``result`` is published (the
    values, a chart's wrapped labels among them, are then worked out once too)."""
    def make():
        return render(template, values(), request=request)

    if result is None or not result.frozen:
        return make()
    return caching.memo(request).get((template, *key, result.tally_key, process_texts(request),
                                      request.locale_name or "", request.application_url), make)


def _fairness_chart(request, result):
    """The bars of "money spent on the projects I supported" (labels translated for the wrapping)."""
    if result is None or result.fairness is None:
        return None
    translate = request.localizer.translate
    return bars([Bar(title=translate(b.label), votes=b.voters, item=b) for b in result.fairness.bins])


def _section(request, process, budget, result) -> Markup:
    def values():
        return {"process": process, "budget": budget, "result": result, "rule_texts": labels.RULE_TEXTS,
                "completion_texts": labels.COMPLETION_TEXTS,
                "percent": percent, "chart": chart_rows(result.outcomes) if result else None,
                "fairness_chart": _fairness_chart(request, result)}

    return Markup(_rendered(request, (process.slug, budget.slug), result, "site/_budget_result.jinja2", values))


@view_config(route_name="site.results", renderer="site/results.jinja2", permission=Permission.VIEW,
             request_method="GET")
def results(context, request):
    if not results_public(context.state):
        request.response.status = 404
        return {"process": context.process, "published": False, "budgets": []}
    # The whole page is kept while the process's version holds (a tally published again, a text
    # corrected or a code revoked appends to its audit log): see views.caching.kept_page.
    return caching.kept_page(request, "site/results.jinja2", context.version,
                             lambda: _results_values(request, context.process), context.modified)


def _results_values(request, process) -> dict:
    caching.revalidate(request)
    budgets = process.budgets
    return {"process": process, "published": True,
            "budgets": [{"html": _section(request, process, budget, result)} for budget, result in
                        zip(budgets, published_results(request.db, budgets, request.locale_name,
                                                       caching.memo(request)), strict=True)],
            "export_name": f"{process.slug}-export.zip",
            "turnout": published_turnout(request.db, process, caching.memo(request)), "percent": percent}


@view_config(route_name="site.results_chart", permission=Permission.VIEW, request_method="GET")
def results_chart(context, request):
    """The same chart as a standalone SVG image (for reuse in articles and slides)."""
    process, budget = context.process, context.budget
    result = (published_result(request.db, budget, request.locale_name, caching.memo(request))
              if results_public(process) else None)
    if result is None:
        raise HTTPNotFound()
    body = _rendered(request, (process.slug, budget.slug), result, "site/chart.jinja2",
                     lambda: {"process": process, "budget": budget, "chart": chart_rows(result.outcomes),
                              "standalone": True})
    response = Response(body, content_type="image/svg+xml", charset="utf-8")
    caching.public(response, request)  # the same image for everyone: shared caches may keep it
    return response
