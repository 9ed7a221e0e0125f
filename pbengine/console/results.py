"""Turnout while voting (never a tally), then computing and comparing the results before publishing."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..i18n import _
from ..models import Phase
from ..security import Permission
from ..services import ballots, phases, tallies
from ..services import turnout as turnout_service
from ..services.errors import DomainError, InvalidInput
from ..services.results import percent
from .common import PHASE_LABELS, actor, refuse, translate


@view_config(route_name="console.turnout", renderer="console/turnout.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def turnout(request):
    process = request.context.process
    rows = [{"budget": budget, "days": ballots.turnout(request.db, budget)} for budget in process.budgets]
    for row in rows:
        row["total"] = sum(n for _day, n in row["days"])
    figures = turnout_service.turnout(request.db, process, request.registry.settings["pbengine.code_key"])
    return {"process": process, "rows": rows, "turnout": figures, "percent": percent}


def _funded_rows(budget, result: dict) -> list[dict]:
    titles = {p.code: p.title for p in budget.projects}
    by_id = {row["id"]: row for row in result.get("projects", [])}
    return [{"id": pid, "title": titles.get(pid, pid), "cost": by_id.get(pid, {}).get("cost"),
             "votes": by_id.get(pid, {}).get("votes")} for pid in result.get("funded", [])]


def _page(request, errors=None):
    process = request.context.process
    phase = Phase(process.phase)
    budgets = []
    if phases.vote_over(process):
        for budget in process.budgets:
            tally = tallies.official_tally(request.db, budget)
            entry = {"budget": budget, "tally": tally, "funded": [], "comparison": []}
            if tally is not None:
                entry["funded"] = _funded_rows(budget, tally.result)
            if phases.can_compute(process) and tally is not None:
                entry["comparison"] = tallies.comparison(request.db, budget)
            budgets.append(entry)
    return {
        "process": process, "budgets": budgets, "errors": errors or {},
        "phase_label": translate(request, PHASE_LABELS[phase]),
        "can_compute": phases.can_compute(process) and request.has_permission(Permission.PROCESS_MANAGE),
        "all_computed": bool(budgets) and all(b["tally"] is not None for b in budgets),
        "titles": {b.id: {p.code: p.title for p in b.projects} for b in process.budgets},
    }


@view_config(route_name="console.results", renderer="console/results.jinja2",
             permission=Permission.PROCESS_VIEW, request_method="GET")
def results(request):
    return _page(request)


@view_config(route_name="console.results", renderer="console/results.jinja2",
             permission=Permission.PROCESS_MANAGE, request_method="POST")
def results_compute(request):
    process = request.context.process
    try:
        try:
            tallies.compute_all(request.db, process, actor(request))
        except ValueError as error:  # a configuration the rule cannot run (voting_rules' message)
            raise InvalidInput(_("The results could not be computed: ${problem}",
                                 mapping={"problem": str(error)})) from None
    except DomainError as error:
        return _page(request, refuse(request, error))
    request.session.flash(translate(request, _("Results computed. Compare the rules, then publish.")))
    return HTTPSeeOther(request.route_url("console.results", process_id=process.id))
