"""Organizer login, logout, rate limiting, and the admin's organizer and role pages."""

from __future__ import annotations

from sqlalchemy import select

from pbengine.models import Organizer, ProcessRole
from tests.console.support import form_alert, login_as, snapshot
from tests.helpers import PASSWORD, commit, make_organizer, make_process


def _try(testapp, email, password, status):
    form = testapp.get("/console/login").forms["login-form"]
    form["email"] = email
    form["password"] = password
    return form.submit(status=status)


def test_wrong_password_is_refused_with_a_message(testapp, db):
    make_organizer(db, email="owner@example.org")
    commit(db)
    page = _try(testapp, "owner@example.org", "not the password", 401)
    assert form_alert(page) == "Wrong email or password."
    assert 'value="owner@example.org"' in page.text
    testapp.get("/console", status=303)


def test_sixth_failure_in_a_minute_is_refused_as_too_many_even_with_the_right_password(testapp, db):
    make_organizer(db, email="owner@example.org")
    commit(db)
    for _attempt in range(5):
        _try(testapp, "owner@example.org", "wrong", 401)
    page = _try(testapp, "owner@example.org", PASSWORD, 429)
    assert "Too many wrong attempts" in form_alert(page)
    testapp.get("/console", status=303)


def test_login_renews_the_session_and_returns_where_the_organizer_was_going(testapp, db):
    process = make_process(db)
    make_organizer(db, email="admin@example.org", is_admin=True)
    commit(db)
    before = testapp.get_csrf_token("/console/login")
    page = testapp.get(f"/console/processes/{process.id}/audit", status=303).follow()
    form = page.forms["login-form"]
    form["email"] = "ADMIN@example.org "
    form["password"] = PASSWORD
    page = form.submit(status=303)
    assert page.location.endswith(f"/console/processes/{process.id}/audit")
    assert testapp.get_csrf_token("/console") != before


def test_login_does_not_redirect_outside_the_console(testapp, db):
    make_organizer(db, email="owner@example.org")
    commit(db)
    form = testapp.get("/console/login", {"came_from": "https://evil.example/"}).forms["login-form"]
    form["email"] = "owner@example.org"
    form["password"] = PASSWORD
    assert form.submit(status=303).location == "http://localhost/console"


def test_logout_forgets_the_organizer(testapp, db):
    login_as(testapp, db)
    page = testapp.get("/console")
    page.forms[0].submit(status=303)
    testapp.get("/console", status=303)


def test_admin_creates_an_organizer_and_gives_them_a_role(testapp, db):
    process = make_process(db, slug="town-2027")
    other = make_process(db, slug="other-2027", title="Another process")
    login_as(testapp, db, is_admin=True)
    assert "Another process" in testapp.get("/console").text

    form = testapp.get("/console/organizers").forms["organizer-form"]
    form["email"] = "mod@example.org"
    form["name"] = "Mo Derator"
    form["password"] = "a long enough password"
    form.submit(status=303)
    moderator = db.scalars(select(Organizer).where(Organizer.email == "mod@example.org")).one()

    form = testapp.get(f"/console/processes/{process.id}/roles").forms["role-form"]
    form["organizer_id"] = str(moderator.id)
    form["role"] = "moderator"
    page = form.submit().follow()
    assert "Mo Derator" in page.text
    assert db.get(ProcessRole, (moderator.id, process.id)).role == "moderator"

    testapp.reset()
    testapp.login("mod@example.org", "a long enough password")
    home = testapp.get("/console")
    assert "Town SSE budget 2027" in home.text and "Another process" not in home.text
    assert "Create a process" not in home.text
    testapp.get(f"/console/processes/{other.id}", status=403)


def test_organizer_form_refuses_a_short_password_and_writes_nothing(testapp, db):
    login_as(testapp, db, is_admin=True)
    before = snapshot(db)
    form = testapp.get("/console/organizers").forms["organizer-form"]
    form["email"] = "mod@example.org"
    form["password"] = "short"
    page = form.submit(status=422)
    assert "at least 10 characters" in page.text
    assert 'aria-invalid="true"' in page.text
    assert snapshot(db) == before
