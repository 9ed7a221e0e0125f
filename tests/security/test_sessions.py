"""Sessions end on the server: a copied cookie is refused after logout, a password change, leaving the booth."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from pbengine.models import Ballot, WebSession
from tests.console.support import login_as
from tests.helpers import PASSWORD, TestApp, commit
from tests.site.voting import ballot_form, enter_code, open_vote, review, submit_review, tick


def _thief(wsgi_app, victim: TestApp) -> TestApp:
    """Another browser holding copies of the victim's cookies."""
    thief = TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": "203.0.113.66"})
    for name in ("pbsession", "pbcsrf"):
        thief.set_cookie(name, victim.cookies[name])
    return thief


def test_a_copied_organizer_cookie_is_refused_after_logout(testapp, wsgi_app, db):
    login_as(testapp, db, is_admin=True)
    thief = _thief(wsgi_app, testapp)
    assert "organizer-form" in thief.get("/console/organizers").forms  # the copy works while logged in
    testapp.get("/console").forms[0].submit(status=303)  # log out
    page = thief.get("/console/organizers", status=303)
    assert "/console/login" in page.location
    testapp.get("/console", status=303)


def _change_password(testapp, current, new, confirmation=None, status=303):
    form = testapp.get("/console/account").forms["password-form"]
    form["current_password"] = current
    form["new_password"] = new
    form["confirm_password"] = new if confirmation is None else confirmation
    return form.submit(status=status)


def test_a_password_change_ends_every_other_session_of_the_organizer(testapp, wsgi_app, db):
    login_as(testapp, db, email="owner@example.org", is_admin=True)
    laptop = TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": "198.51.100.8"})
    laptop.login("owner@example.org")
    thief = _thief(wsgi_app, testapp)
    thief.get("/console/organizers", status=200)
    page = _change_password(testapp, PASSWORD, "a brand new passphrase").follow()
    assert "Password changed. You were logged out everywhere else." in page.text
    assert "/console/login" in thief.get("/console/organizers", status=303).location
    assert "/console/login" in laptop.get("/console", status=303).location
    testapp.get("/console/organizers", status=200)  # this browser got a fresh session
    laptop.reset()
    form = laptop.get("/console/login").forms["login-form"]
    form["email"], form["password"] = "owner@example.org", PASSWORD
    form.submit(status=401)  # the old password is refused
    assert laptop.login("owner@example.org", "a brand new passphrase").request.path == "/console"


def test_a_password_change_needs_the_current_password_and_twice_the_new_one(testapp, db):
    login_as(testapp, db)
    page = _change_password(testapp, "not my password", "a brand new passphrase", status=401)
    assert "Your current password is not right." in page.text
    page = _change_password(testapp, PASSWORD, "a brand new passphrase", "a brand new passphrasf", status=422)
    assert "The two new passwords differ." in page.text
    page = _change_password(testapp, PASSWORD, "short", status=422)
    assert "at least 10 characters" in page.text
    testapp.get("/console", status=200)  # still logged in, password unchanged
    testapp.reset()
    assert testapp.login("admin@example.org").request.path == "/console"


def test_a_copied_voter_cookie_cannot_vote_after_leaving_the_booth(testapp, wsgi_app, db):
    _process, _budgets, codes = open_vote(db)
    enter_code(testapp, codes[0])
    thief = _thief(wsgi_app, testapp)
    stolen_form = ballot_form(thief)  # the copy opens the ballot while the voter is in the booth
    testapp.get("/p/town-2027/vote").forms["leave-form"].submit(status=303)
    page = thief.get("/p/town-2027/vote/citywide", status=303)
    assert page.location.endswith("/p/town-2027/vote")
    tick(stolen_form, "p1")
    assert stolen_form.submit("action", value="submit", status=303).location.endswith("/p/town-2027/vote")
    commit(db)
    assert db.scalars(select(Ballot)).all() == []


def test_neither_cookie_nor_database_holds_the_code_id_or_the_receipt(testapp, db):
    _process, _budgets, codes = open_vote(db)
    enter_code(testapp, codes[0])
    page = submit_review(review(tick(ballot_form(testapp), "p2"))).follow()
    receipt = page.html.select_one(".receipt-code code").get_text(strip=True)
    assert len(testapp.cookies["pbsession"]) == 43  # 32 random bytes, nothing else
    commit(db)
    rows = db.scalars(select(WebSession)).all()
    assert len(rows) == 1 and rows[0].organizer_id is None
    stored = rows[0].data + rows[0].id_hash.encode()
    for secret in (b"voter_code_id", b"receipt", receipt.encode(), testapp.cookies["pbsession"].encode()):
        assert secret not in stored


def test_an_expired_or_unknown_session_is_anonymous(testapp, wsgi_app, db):
    login_as(testapp, db)
    db.execute(update(WebSession).values(expires_at=dt.datetime(2000, 1, 1)))
    commit(db)
    testapp.get("/console", status=303)
    forged = TestApp(wsgi_app)
    forged.set_cookie("pbsession", "A" * 43)
    page = forged.get("/console", status=303)
    assert "pbsession=;" in page.headers.get("Set-Cookie", "").replace('""', "")


def _set_cookies(response) -> dict[str, str]:
    return {value.split("=", 1)[0]: value for name, value in response.headerlist if name == "Set-Cookie"}


def test_cookies_are_httponly_samesite_and_secure_in_production_with_hsts(make_app, db):
    from tests.helpers import make_organizer

    make_organizer(db, email="owner@example.org")
    commit(db)
    app = make_app(**{"pbengine.secure_cookies": "true", "pbengine.hsts": "max-age=31536000; includeSubDomains"})
    app.extra_environ["wsgi.url_scheme"] = "https"
    page = app.get("https://localhost/console/login")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    form = page.forms["login-form"]
    form["email"], form["password"] = "owner@example.org", PASSWORD
    cookies = _set_cookies(form.submit(status=303))
    for name in ("pbsession", "pbcsrf"):
        flags = cookies[name].lower()
        assert "httponly" in flags and "samesite=lax" in flags and "secure" in flags, cookies[name]
    development = make_app()
    assert "Strict-Transport-Security" not in development.get("/").headers


def test_use_extends_a_session_up_to_twelve_hours_and_new_sessions_clear_expired_ones(testapp, wsgi_app, db):
    from pbengine.models.meta import utcnow
    from pbengine.services.sessions import MAX_AGE

    login_as(testapp, db)
    created = utcnow() - dt.timedelta(hours=11, minutes=30)
    db.execute(update(WebSession).values(created_at=created, expires_at=utcnow() + dt.timedelta(minutes=10)))
    commit(db)
    testapp.get("/console", status=200)
    row = db.scalars(select(WebSession)).one()
    assert row.expires_at == created + MAX_AGE  # extended, but not past the maximum age
    db.execute(update(WebSession).values(expires_at=dt.datetime(2000, 1, 1)))
    commit(db)
    other = TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": "198.51.100.8"})
    other.login("admin@example.org")
    assert len(db.scalars(select(WebSession)).all()) == 1  # the expired row is gone


def test_sessions_hold_across_two_app_servers_on_one_database(testapp, settings, db):
    """Two app servers with their own engines: a logout on one ends the session on the other."""
    from pbengine import main

    own = {k: v for k, v in settings.items() if k != "dbengine"}
    second_app = main({}, **own)
    try:
        login_as(testapp, db, is_admin=True)
        second = _thief(second_app, testapp)
        second.get("/console/organizers", status=200)
        testapp.get("/console").forms[0].submit(status=303)
        assert "/console/login" in second.get("/console/organizers", status=303).location
    finally:
        second_app.registry["dbengine"].dispose()
