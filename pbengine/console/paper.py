"""Paper ballots, entered one at a time by a moderator, read and checked as online ballots are
(:func:`pbengine.ballot_form.parse`, then :func:`pbengine.services.ballots.cast`).

Each form carries its own submission key (as the voter's ballot form does): a double click on
"Record this ballot", or a resend after a timeout, records the paper ballot once.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import ballot_form
from ..i18n import _
from ..security import Permission
from ..services import ballots, phases, submissions
from ..services.errors import DomainError
from .common import BALLOT_KIND_LABELS, actor, refuse, translate

SUBMISSION_FIELD = "submission"


def _page(request, errors=None, posted=None):
    process, budget = request.context.process, request.context.budget
    return {"process": process, "budget": budget, "errors": errors or {}, "posted": posted,
            "kind": budget.ballot_kind, "kind_label": BALLOT_KIND_LABELS[budget.ballot_kind],
            "places": range(1, ballot_form.rank_places(budget) + 1),
            "voting_open": phases.voting_open(process),
            "submission": submissions.new_key(),
            "count": ballots.count_current(request.db, budget)
            if phases.voting_open(process) else None,
            "entered": ballots.paper_counts(request.db, budget)}


@view_config(route_name="console.paper_ballot", renderer="console/paper.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="GET")
def paper_form(request):
    return _page(request)


@view_config(route_name="console.paper_ballot", renderer="console/paper.jinja2",
             permission=Permission.PROCESS_MODERATE, request_method="POST")
def paper_cast(request):
    process, budget = request.context.process, request.context.budget
    try:
        submission = submissions.submission(request.POST.get(SUBMISSION_FIELD),
                                            request.registry.settings["pbengine.code_key"])
        content = ballot_form.parse(budget, request.POST)  # as the voter's ballot form is read
        cast = ballots.cast(request.db, budget, None, content, channel="paper",
                            locale=request.locale_name, submission=submission, entered_by=actor(request))
    except DomainError as error:
        return _page(request, refuse(request, error), request.POST)
    if cast.repeated:
        message = _("This paper ballot was already recorded (receipt ${receipt}). Enter the next one.",
                    mapping={"receipt": cast.receipt})
    else:
        message = _("Paper ballot recorded (receipt ${receipt}). Enter the next one.",
                    mapping={"receipt": cast.receipt})
    request.session.flash(translate(request, message))
    return HTTPSeeOther(request.route_url("console.paper_ballot", process_id=process.id, budget_id=budget.id))
