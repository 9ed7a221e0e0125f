"""Published results: funded projects, money spent, a chart, the rule in plain words, and why."""

from __future__ import annotations

from pyramid.renderers import render
from pyramid.response import Response
from pyramid.view import view_config

from .. import labels
from ..security import Permission
from ..services.processes import results_public
from ..services.results import budget_result, percent

BAR_HEIGHT, GAP, CHART_WIDTH = 28, 10, 420


def chart_rows(result) -> dict:
    """Geometry of a horizontal bar chart of votes per project (funded projects in a solid colour)."""
    top = max((o.votes for o in result.outcomes), default=0) or 1
    rows = []
    for index, outcome in enumerate(result.outcomes):
        y = index * (BAR_HEIGHT * 2 + GAP)
        rows.append({"outcome": outcome, "y": y, "width": round((CHART_WIDTH - 90) * outcome.votes / top)})
    return {"rows": rows, "width": CHART_WIDTH, "height": max(len(rows), 1) * (BAR_HEIGHT * 2 + GAP),
            "bar": BAR_HEIGHT}


def _results_page(context, request):
    process = context.process
    budgets = []
    for budget in process.budgets:
        result = budget_result(request.db, budget, request.locale_name)
        budgets.append({"budget": budget, "result": result, "chart": chart_rows(result) if result else None})
    return {"process": process, "published": results_public(process), "budgets": budgets,
            "rule_texts": labels.RULE_TEXTS, "percent": percent,
            "export_name": f"{process.slug}-export.zip"}


@view_config(route_name="site.results", renderer="site/results.jinja2", permission=Permission.VIEW,
             request_method="GET")
def results(context, request):
    if not results_public(context.process):
        request.response.status = 404
        return {"process": context.process, "published": False, "budgets": []}
    return _results_page(context, request)


@view_config(route_name="site.results_chart", permission=Permission.VIEW, request_method="GET")
def results_chart(context, request):
    """The same chart as a standalone SVG image (for reuse in articles and slides)."""
    result = budget_result(request.db, context.budget, request.locale_name) if results_public(context.process) else None
    if result is None:
        from pyramid.httpexceptions import HTTPNotFound

        raise HTTPNotFound()
    body = render("site/chart.jinja2", {"process": context.process, "budget": context.budget,
                                        "chart": chart_rows(result), "standalone": True}, request=request)
    return Response(body, content_type="image/svg+xml", charset="utf-8")
