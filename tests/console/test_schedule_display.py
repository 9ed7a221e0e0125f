"""The console says which phase change is automatic, and when; reading the page moves nothing."""

from __future__ import annotations

import datetime as dt
import html

from pbengine.models import Process, Role
from tests.console.support import login_as, snapshot
from tests.helpers import commit, make_budget, make_process
from tests.site.voting import move


def _schedule_text(page) -> str:
    return " ".join(html.unescape(page.html.select_one("#schedule").get_text(" ", strip=True)).split())


def test_an_owner_turns_on_automatic_moves_and_the_process_page_says_when(testapp, db):
    process = make_process(db)
    make_budget(db, process)
    move(db, process, "proposals", "review")
    login_as(testapp, db, email="owner@example.org", roles=[(db.get(Process, process.id), Role.OWNER)])
    page = testapp.get(f"/console/processes/{process.id}")
    assert "Phases move only when you move them" in _schedule_text(page)

    form = testapp.get(f"/console/processes/{process.id}/edit").forms["process-form"]
    assert not form["auto_phases"].checked
    form["auto_phases"].checked = True
    form["voting_start"], form["voting_end"] = "2999-03-01", "2999-03-21"
    page = form.submit(status=303).follow()
    assert _schedule_text(page) == "Moves to “Voting open” automatically on 2999-03-01."
    db.expire_all()
    assert db.get(Process, process.id).auto_phases
    assert testapp.get(f"/console/processes/{process.id}/edit").forms["process-form"]["auto_phases"].checked


def test_an_overdue_move_that_cannot_happen_says_why_and_reading_changes_nothing(testapp, db):
    process = make_process(db, auto_phases=True, voting_start=dt.date(2000, 1, 1))
    make_budget(db, process, projects={})
    move(db, process, "proposals", "review")
    login_as(testapp, db, is_admin=True)
    before = snapshot(db)
    text = _schedule_text(testapp.get(f"/console/processes/{process.id}"))
    assert "Due to move to “Voting open” automatically since 2000-01-01" in text
    assert "It cannot move yet: Budget “Citywide” has no projects on its ballot." in text
    assert snapshot(db) == before  # a GET never moves a phase: pbengine tick does


def test_publication_and_undated_moves_stay_by_hand(testapp, db):
    closed = make_process(db, slug="closed", auto_phases=True)
    make_budget(db, closed)
    move(db, closed, "proposals", "review", "voting", "closed")
    undated = make_process(db, slug="undated", auto_phases=True)
    make_budget(db, undated)
    commit(db)
    login_as(testapp, db, is_admin=True)
    assert "the results are published by hand" in _schedule_text(testapp.get(f"/console/processes/{closed.id}"))
    assert "the move to “Proposals open” has no date" in _schedule_text(
        testapp.get(f"/console/processes/{undated.id}"))
