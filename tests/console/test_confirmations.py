"""Every irreversible action asks first: without its confirmation a POST changes nothing and says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from pbengine.models import AuditEvent, Budget, Process, Project, Role, VoterCode
from pbengine.services import ballots, codes, tallies
from tests.console.support import form_alert, login_as, snapshot
from tests.console.test_permissions import console_views
from tests.helpers import commit, make_budget, make_process
from tests.site.voting import move

KEY = "test-code-key"
NOT_CONFIRMED = "Nothing was changed: this action needs your confirmation."


@dataclass
class Action:
    """An irreversible action: the page whose button starts it, its form there, what its page says."""

    name: str
    start: Callable  # (db, ids) -> the page (URL) holding the action's button
    form: str  # that form's id on the page
    says: str  # a sentence of the confirmation page
    done: Callable  # (db, ids) -> True once the action happened
    fill: dict | None = None  # fields to fill on the starting form
    typed: str | None = None  # the text to type on the confirmation page


def _phase_is(phase):
    return lambda db, ids: db.get(Process, ids[phase]).phase == phase


def _setup(db) -> dict:
    """A process at each step the walk needs; ids by name (the factories' objects detach on commit)."""
    owner_roles = []
    draft = make_process(db, slug="draft-one", title="Draft one")
    make_budget(db, draft, slug="spare")
    steps = {}
    for phase in ("proposals", "review", "voting", "closed", "published"):
        process = make_process(db, slug=f"to-{phase}", title=f"To {phase}")
        make_budget(db, process)
        before = {"proposals": [], "review": ["proposals"], "voting": ["proposals", "review"],
                  "closed": ["proposals", "review", "voting"],
                  "published": ["proposals", "review", "voting", "closed"]}[phase]
        move(db, process, *before)
        steps[phase] = process.id
        owner_roles.append(process)
    published = db.get(Process, steps["published"])
    tallies.compute_all(db, published)
    coded = make_process(db, slug="coded", title="Coded")
    make_budget(db, coded)
    reference = codes.generate(db, KEY, coded, 2, "desk").codes[0][0]
    archived = make_process(db, slug="to-archive", title="To archive")
    make_budget(db, archived)
    move(db, archived, "proposals", "review", "voting", "closed")
    tallies.compute_all(db, db.get(Process, archived.id))
    move(db, archived, "published")
    commit(db)
    ids = {"draft": draft.id, "spare": draft.budgets[0].id, "coded": coded.id, "reference": reference,
           "archived": archived.id, **steps}
    review = db.get(Process, steps["review"])
    ids["review_budget"] = review.budgets[0].id
    ids["project"] = review.budgets[0].projects[0].id
    return ids


def _actions() -> list[Action]:
    pr = "/console/processes/{}"
    actions = [
        Action(f"move to {phase}", lambda db, ids, phase=phase: pr.format(ids[phase]), "phase-form", says,
               _phase_is(phase))
        for phase, says in (
            ("proposals", "Opening proposals makes the process public"),
            ("review", "Closing proposals ends submissions"),
            ("voting", "Opening voting freezes the budgets, rules and projects"),
            ("closed", "Closing the vote ends voting"),
        )
    ]
    actions += [
        Action("publish", lambda db, ids: pr.format(ids["published"]) + "/results", "publish-form",
               "Publishing freezes the results", _phase_is("published")),
        Action("revoke a code", lambda db, ids: pr.format(ids["coded"]) + "/codes", "revoke-form",
               "will no longer open the ballot",
               lambda db, ids: db.scalars(select(VoterCode.revoked_at).where(
                   VoterCode.reference == ids["reference"])).one() is not None,
               fill={"reference": "{reference}"}),
        Action("remove a project",
               lambda db, ids: pr.format(ids["review"]) + f"/budgets/{ids['review_budget']}/projects/"
               f"{ids['project']}/edit", "remove-form", "leaves the ballot of",
               lambda db, ids: db.get(Project, ids["project"]) is None),
        Action("delete a budget", lambda db, ids: pr.format(ids["draft"]) + f"/budgets/{ids['spare']}",
               "delete-budget", "is deleted, with the projects on its ballot",
               lambda db, ids: db.get(Budget, ids["spare"]) is None),
        Action("delete a process", lambda db, ids: pr.format(ids["draft"]), "delete-process",
               "is deleted for good, with everything in it",
               lambda db, ids: db.get(Process, ids["draft"]) is None, typed="draft-one"),
        Action("archive", lambda db, ids: pr.format(ids["archived"]), "archive-process",
               "no code opens anything again",
               lambda db, ids: db.scalars(select(AuditEvent).where(
                   AuditEvent.kind == "process.archived")).first() is not None, typed="to-archive"),
    ]
    return actions


def _confirmation_page(testapp, url, form_id, fill, ids):
    page = testapp.get(url)
    if form_id in page.forms:
        form = page.forms[form_id]
        for name, value in (fill or {}).items():
            form[name] = value.format(**ids)
        return form.submit()
    link = page.html.select_one(f"#{form_id}")  # a link, not a form
    assert link is not None, f"no {form_id} on {url}"
    return testapp.get(link["href"])


def test_every_irreversible_action_needs_its_confirmation(testapp, wsgi_app, db):
    ids = _setup(db)
    login_as(testapp, db, is_admin=True)
    posted_to = set()
    for action in _actions():
        page = _confirmation_page(testapp, action.start(db, ids), action.form, action.fill, ids)
        assert page.status_int == 200, action.name
        assert action.says in page.text, action.name
        assert "This cannot be undone." in page.text, action.name
        form = page.forms["confirm-form"]
        posted_to.add(urlparse(form.action).path)

        # Without the confirmation field: refused, nothing written, and the page says so.
        before = snapshot(db)
        fields = {name: found[0].value for name, found in form.fields.items() if name and name != "confirm"}
        refused = testapp.post(form.action, fields, status=422)
        assert snapshot(db) == before, action.name
        assert "Nothing was changed" in refused.text, action.name
        assert action.says in refused.text, action.name  # the same page, to confirm from
        db.expire_all()
        assert not action.done(db, ids), action.name

        # A wrong confirmation (another action's, or a mistyped name) is no confirmation either.
        refused = testapp.post(form.action, dict(fields, confirm="phase:something-else"), status=422)
        db.expire_all()
        assert snapshot(db) == before and not action.done(db, ids), action.name

        # Confirmed: done.
        if action.typed:
            form["confirm"] = action.typed
        form.submit(status=303)
        db.expire_all()
        assert action.done(db, ids), action.name

    # The walk went through every route that confirms (a new one must join it).
    views = console_views(wsgi_app)
    for name in CONFIRMED_ROUTES:
        pattern = re.sub(r"\{\w+(:[^}]*)?\}", "[^/]+", views[name][0])
        assert any(re.fullmatch(pattern, path) for path in posted_to), name


CONFIRMED_ROUTES = {"console.process_phase", "console.code_revoke", "console.project_delete",
                    "console.budget_delete", "console.process_delete", "console.process_archive"}


def test_every_confirmed_route_shows_its_page_on_get_and_acts_on_post(wsgi_app):
    views = console_views(wsgi_app)
    for name in CONFIRMED_ROUTES:
        assert views[name][1] == {"GET", "POST"}, name  # GET: the confirmation page; POST: the action


def test_a_confirmation_without_the_csrf_token_is_refused(testapp, db):
    process = make_process(db)
    make_budget(db, process)
    login_as(testapp, db, is_admin=True)
    before = snapshot(db)
    testapp.post(f"/console/processes/{process.id}/phase", {"phase": "proposals", "confirm": "phase:proposals"},
                 status=400)
    assert snapshot(db) == before


def test_the_old_one_click_removal_asks_for_the_confirmation_and_removes_nothing(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    project_id = budget.projects[0].id
    login_as(testapp, db, is_admin=True)
    token = testapp.get_csrf_token("/console")
    before = snapshot(db)
    page = testapp.post(f"/console/processes/{process.id}/budgets/{budget.id}/projects/{project_id}/edit",
                        {"csrf_token": token, "action": "remove"}, status=422)
    assert NOT_CONFIRMED in form_alert(page)
    assert snapshot(db) == before
    page.forms["confirm-form"].submit(status=303)
    assert db.get(Project, project_id) is None


def test_a_move_the_process_is_not_ready_for_says_why_instead_of_asking(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process, projects={})
    move(db, process, "proposals", "review")
    login_as(testapp, db, is_admin=True)
    page = testapp.get(f"/console/processes/{process.id}").forms["phase-form"].submit(status=409)
    assert f"Budget “{budget.name}” has no projects on its ballot." in form_alert(page)
    assert "confirm-form" not in page.forms


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.VIEWER])
def test_only_owners_confirm_a_move(testapp, db, role):
    process = make_process(db)
    make_budget(db, process)
    login_as(testapp, db, email="someone@example.org", roles=[(process, role)])
    testapp.get(f"/console/processes/{process.id}/phase", {"phase": "proposals"}, status=403)
    assert "phase-form" not in testapp.get(f"/console/processes/{process.id}").forms


def test_a_revoked_code_cannot_vote_after_the_confirmed_revocation(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    generated = codes.generate(db, KEY, process, 1, "desk")
    (reference, plain), = generated.codes
    move(db, process, "proposals", "review", "voting")
    commit(db)
    login_as(testapp, db, is_admin=True)
    form = testapp.get(f"/console/processes/{process.id}/codes").forms["revoke-form"]
    form["reference"] = reference
    page = form.submit()
    assert f"Revoke the code {reference}?" in page.text
    assert "A ballot already cast with it stays counted." in page.text
    page.forms["confirm-form"].submit().follow()
    from pbengine.services.errors import CodeInvalid

    with pytest.raises(CodeInvalid):
        ballots.cast(db, db.get(Budget, budget.id), codes.find(db, KEY, db.get(Process, process.id), plain),
                     {"approvals": ["p1"]}, key=KEY)


def test_the_confirmation_page_speaks_the_organizers_language(testapp, db):
    process = make_process(db)
    make_budget(db, process)
    move(db, process, "proposals", "review")
    login_as(testapp, db, is_admin=True)
    url = f"/console/processes/{process.id}/phase"
    page = testapp.get(url, {"phase": "voting"}, headers={"Accept-Language": "fr"})
    assert "Passer à « Vote ouvert » ?" in page.text
    assert "Ouvrir le vote fige les budgets, les règles et les projets" in page.text
    page = testapp.get(url, {"phase": "voting"}, headers={"Accept-Language": "es"})
    assert "¿Pasar a «Votación abierta»?" in page.text
    token = testapp.get_csrf_token("/console")
    refused = testapp.post(url, {"csrf_token": token, "phase": "voting"}, headers={"Accept-Language": "es"},
                           status=422)
    assert "No se ha cambiado nada: esta acción necesita su confirmación." in refused.text
