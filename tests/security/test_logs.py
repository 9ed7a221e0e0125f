"""Logs hold no secret and no personal data, even at DEBUG, through a representative run."""

from __future__ import annotations

import json
import logging
import re

from sqlalchemy import select

from pbengine.models import Ballot, VoterCode, WebSession
from pbengine.services import codes as code_service
from tests.console.support import login_as
from tests.helpers import PASSWORD, commit, make_budget, make_process
from tests.site.voting import ballot_form, enter_code, move, open_vote, review, submit_review, tick

PROPOSER_EMAIL = "proposer.private@example.org"
NEW_PASSWORD = "another secret passphrase"
CLIENT_IP = "198.51.100.7"


def _propose(testapp) -> str:
    form = testapp.get("/p/ideas-2027/propose").forms["propose-form"]
    for name, value in {"title": "Repair café", "description": "A repair café in the library.",
                        "estimated_cost": "9000", "contact_email": PROPOSER_EMAIL}.items():
        form[name] = value
    page = form.submit(status=303)
    return page.location.rsplit("/", 1)[1]


def _run(testapp, wsgi_app, codes) -> dict:
    """Requests of every kind, with failures; returns the secrets the responses revealed."""
    seen = {}
    seen["proposal_token"] = _propose(testapp)
    testapp.get(f"/p/ideas-2027/proposal/{seen['proposal_token']}")
    testapp.get("/p/ideas-2027/proposal/not-the-token", status=404)
    # A voter on the website: a wrong code, then a ballot and its receipt.
    enter_code(testapp, "AAAA-AAAA-AAAA")
    enter_code(testapp, codes[0])
    seen["session"] = testapp.cookies["pbsession"]
    page = submit_review(review(tick(ballot_form(testapp), "p1", "p3"))).follow()
    seen["web_receipt"] = page.html.select_one(".receipt-code code").get_text(strip=True)
    form = testapp.get("/receipt").forms["receipt-form"]
    form["receipt"] = seen["web_receipt"]
    form.submit()
    testapp.get("/p/town-2027/vote").forms["leave-form"].submit()
    # A voter through the API: a bad ballot, a wrong code, a ballot, its receipt.
    url = "/api/v1/processes/town-2027/budgets/citywide/ballots"
    testapp.post_json(url, {"voter_code": codes[1], "approvals": ["nope"]}, status=422)
    testapp.post_json(url, {"voter_code": "CCCC-CCCC-CCCC", "approvals": ["p2"]}, status=401)
    body = testapp.post_json(url, {"voter_code": codes[1], "approvals": ["p2", "p3"]}, status=201).json
    seen["api_receipt"] = body["receipt"]
    testapp.get(body["receipt_url"])
    # An organizer: a wrong password, a login, a password change, a logout.
    form = testapp.get("/console/login").forms["login-form"]
    form["email"], form["password"] = "owner@example.org", "wrong password, sorry"
    form.submit(status=401)
    testapp.login("owner@example.org")
    form = testapp.get("/console/account").forms["password-form"]
    form["current_password"], form["new_password"], form["confirm_password"] = PASSWORD, NEW_PASSWORD, NEW_PASSWORD
    form.submit(status=303)
    seen["organizer_session"] = testapp.cookies["pbsession"]
    seen["csrf"] = testapp.cookies["pbcsrf"]
    testapp.get("/console").forms[0].submit()
    return seen


def test_a_representative_run_logged_at_debug_holds_no_seeded_secret(testapp, wsgi_app, db, caplog):
    _process, _budgets, codes = open_vote(db)
    ideas = make_process(db, slug="ideas-2027", title="Ideas 2027")
    make_budget(db, ideas)
    move(db, ideas, "proposals")
    login_as(testapp, db, email="owner@example.org")
    testapp.reset()
    commit(db)

    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "sqlalchemy.engine", "pbengine", "pyramid", "waitress", "psycopg", "transaction"):
        caplog.set_level(logging.DEBUG, logger=name)
    seen = _run(testapp, wsgi_app, codes)
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    caplog.set_level(logging.WARNING)

    statements = [r for r in caplog.records if r.name.startswith("sqlalchemy.engine")]
    assert len(statements) > 100, "SQL statements were not captured: the test would prove nothing"
    assert "[SQL parameters hidden due to hide_parameters=True]" in logged

    commit(db)
    secrets = {PROPOSER_EMAIL, "owner@example.org", PASSWORD, NEW_PASSWORD, "wrong password, sorry", CLIENT_IP,
               "AAAA-AAAA-AAAA", "CCCC-CCCC-CCCC", *seen.values()}
    for code in codes:
        secrets |= {code, code_service.normalise(code)}
    secrets |= set(db.scalars(select(VoterCode.code_hash)))
    secrets |= set(db.scalars(select(Ballot.receipt_hash)))
    secrets |= set(db.scalars(select(Ballot.slot).where(Ballot.slot.is_not(None))))
    secrets |= set(db.scalars(select(WebSession.id_hash)))
    for content in db.scalars(select(Ballot.content)):
        secrets |= {json.dumps(content), repr(content), json.dumps(content["approvals"])}
    assert len(secrets) > 25
    leaked = sorted(s for s in secrets if s.lower() in logged.lower())
    assert leaked == [], f"secrets in the logs: {leaked}"
    code_ids = [str(i) for i in db.scalars(select(VoterCode.id))]
    ids = "|".join(code_ids)
    assert not re.search(rf"voter_code_id\W{{1,4}}({ids})\b", logged)
    assert not re.search(r"^sqlalchemy\S* (Row|Col) ", logged, flags=re.M)
