"""Every console page checks the organizer's role on its own process."""

from __future__ import annotations

import re

from pbengine.models import Role
from pbengine.services import proposals
from tests.console.support import login_as, snapshot
from tests.helpers import commit, make_budget, make_process


def console_views(wsgi_app) -> dict[str, tuple[str, set[str]]]:
    """``{route name: (pattern, request methods of its views)}`` for every console route with a view."""
    introspector = wsgi_app.registry.introspector
    patterns = {intr["name"]: intr["pattern"] for intr in
                (entry["introspectable"] for entry in introspector.get_category("routes"))}
    found: dict[str, tuple[str, set[str]]] = {}
    for entry in introspector.get_category("views"):
        intr = entry["introspectable"]
        name = intr["route_name"]
        if not name or not name.startswith("console."):
            continue
        methods = intr["request_methods"]
        methods = {methods} if isinstance(methods, str) else set(methods or ("GET", "POST"))
        found.setdefault(name, (patterns[name], set()))[1].update(methods)
    return found


def _two_processes(db):
    a = make_process(db, slug="process-a", title="Process A")
    b = make_process(db, slug="process-b", title="Process B")
    make_budget(db, a, slug="a-pot")
    budget_b = make_budget(db, b, slug="b-pot")
    b.phase = "proposals"
    db.flush()
    proposal_b, _token = proposals.submit(db, b, proposals.ProposalData(
        title="B's proposal", description="Only B's organizers may read it.", estimated_cost=1_000))
    return a, b, budget_b, proposal_b


def _url(pattern: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: str(ids[m.group(1)]), pattern)


def test_moderator_of_one_process_gets_403_on_every_console_url_of_another(testapp, wsgi_app, db):
    a, b, budget_b, proposal_b = _two_processes(db)
    login_as(testapp, db, email="mod@example.org", roles=[(a, Role.MODERATOR)])
    ids = {"process_id": b.id, "budget_id": budget_b.id, "project_id": budget_b.projects[0].id,
           "proposal_id": proposal_b.id}
    views = console_views(wsgi_app)
    assert {"console.process", "console.codes", "console.results", "console.paper_ballot",
            "console.proposal", "console.project_edit"} <= set(views)
    token = testapp.get_csrf_token("/console")
    before = snapshot(db)
    walked = []
    for name, (pattern, methods) in sorted(views.items()):
        if "{process_id}" not in pattern:
            continue
        url = _url(pattern, ids)
        if "GET" in methods:
            page = testapp.get(url, status=403)
            assert "You do not have permission" in page.text, url
            walked.append(f"GET {name}")
        if "POST" in methods:
            testapp.post(url, {"csrf_token": token, "phase": "review", "action": "reject", "reason": "no",
                               "size": "3", "label": "x", "reference": "1-1"}, status=403)
            walked.append(f"POST {name}")
    assert "POST console.process_phase" in walked and "GET console.turnout" in walked
    assert snapshot(db) == before
    # The same organizer does see their own process.
    assert "Process A" in testapp.get(f"/console/processes/{a.id}").text
    assert "Process B" not in testapp.get("/console").text


def test_moderator_cannot_manage_their_process_nor_reach_admin_pages(testapp, wsgi_app, db):
    a, *_ = _two_processes(db)
    login_as(testapp, db, email="mod@example.org", roles=[(a, Role.MODERATOR)])
    token = testapp.get_csrf_token("/console")
    testapp.get(f"/console/processes/{a.id}/edit", status=403)
    testapp.get(f"/console/processes/{a.id}/codes", status=403)
    testapp.post(f"/console/processes/{a.id}/phase", {"csrf_token": token, "phase": "proposals"}, status=403)
    testapp.get(f"/console/processes/{a.id}/roles", status=403)
    testapp.get("/console/organizers", status=403)
    testapp.get("/console/processes/new", status=403)
    # ...but may moderate: the project form opens.
    assert "project-form" in testapp.get(f"/console/processes/{a.id}/budgets/{a.budgets[0].id}/projects/new").text


def test_viewer_reads_but_cannot_change_anything(testapp, db):
    a, *_ = _two_processes(db)
    login_as(testapp, db, email="viewer@example.org", roles=[(a, Role.VIEWER)])
    budget = a.budgets[0]
    assert "a-pot".title() in testapp.get(f"/console/processes/{a.id}/budgets/{budget.id}").text
    token = testapp.get_csrf_token("/console")
    testapp.post(f"/console/processes/{a.id}/budgets/{budget.id}/projects/new",
                 {"csrf_token": token, "code": "X", "title": "X", "cost": "10"}, status=403)


def test_unauthenticated_console_url_redirects_to_login(testapp, db):
    a, *_ = _two_processes(db)
    commit(db)
    page = testapp.get(f"/console/processes/{a.id}/codes", status=303)
    assert page.location.startswith("http://localhost/console/login?came_from=")
    form = page.follow().forms["login-form"]
    assert form["came_from"].value == f"/console/processes/{a.id}/codes"
