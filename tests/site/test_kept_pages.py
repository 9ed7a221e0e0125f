"""Whole public pages kept in the app (views.caching.kept_page): the project list of a locked
process, the results of a published one and the receipt form. Each visitor still gets their own
CSRF token and flash messages; a page changes as soon as what it shows changes, and per language."""

from __future__ import annotations

import re

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from pbengine.models import Budget, Process, Tally, VoterCode, WebSession
from pbengine.services import codes, processes, tallies
from pbengine.services.ballots import receipt_hash
from pbengine.services.processes import ProcessData
from tests.helpers import TestApp, commit
from tests.site.test_results import _published
from tests.site.voting import move, open_vote, tick, vote

RESULTS = "/p/town-2027/results"
PROJECTS = "/p/town-2027/projects"


def _token(page) -> str:
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page.text))
    assert len(tokens) == 1
    return tokens.pop()


def _other_visitor(testapp) -> TestApp:
    return TestApp(testapp.app, extra_environ={"REMOTE_ADDR": "203.0.113.9"})


def _kept_pages(testapp) -> int:
    from pbengine.views.caching import PAGES

    return len(testapp.app.registry[PAGES])


def test_each_visitor_gets_their_own_csrf_token_in_a_kept_page(testapp, db):
    _published(testapp, db)
    testapp.reset()
    other = _other_visitor(testapp)
    for path in (RESULTS, PROJECTS, "/receipt"):
        mine, theirs = testapp.get(path), other.get(path)
        assert _token(mine) != _token(theirs)
        assert _token(mine) == testapp.cookies["pbcsrf"] and _token(theirs) == other.cookies["pbcsrf"]
        # the same page around the token, and the visitor's token works in its form
        assert mine.text.replace(_token(mine), "") == theirs.text.replace(_token(theirs), "")
        assert _token(testapp.get(path)) == _token(mine)
        assert mine.headers["ETag"] != theirs.headers["ETag"]
        assert mine.headers["Cache-Control"] in ("private, no-cache", "no-store")  # the visitor's token
    changed = testapp.get(RESULTS).forms[0]
    changed["language"] = "fr"
    assert "Résultats" in changed.submit().follow().text


def test_a_kept_page_answers_a_revalidation_with_a_304_and_another_token_with_the_page(testapp, db):
    page = _published(testapp, db)
    assert page.headers["Last-Modified"]
    assert testapp.get(RESULTS, headers={"If-None-Match": page.headers["ETag"]}, status=304).body == b""
    other = _other_visitor(testapp)  # another browser holding the first one's ETag has another token
    assert "Results" in other.get(RESULTS, headers={"If-None-Match": page.headers["ETag"]}, status=200).text
    new = _other_visitor(testapp)  # a browser without the CSRF cookie is not told to keep a page by its date
    first = new.get(RESULTS)
    new.reset()
    assert "Last-Modified" not in first.headers
    new.get(RESULTS, headers={"If-Modified-Since": page.headers["Last-Modified"]}, status=200)


def test_a_kept_results_page_changes_when_its_publication_changes(testapp, db):
    page = _published(testapp, db)
    assert "2 projects funded" in page.text
    # a new official tally (the process's newest) shows at once, without an audit event
    old = db.scalars(select(Tally).where(Tally.official.is_(True))).one()
    old.official = False
    db.add(Tally(budget_id=old.budget_id, rule=old.rule, params=old.params, pabutools_version=old.pabutools_version,
                 input_digest=old.input_digest, result=dict(old.result, funded=old.result["funded"][:1]),
                 official=True, frozen=True))
    commit(db)
    assert "1 project funded" in testapp.get(RESULTS).text
    # a code revoked after publication (an audit event) changes the turnout on the page at once
    before = testapp.get(RESULTS)
    process = db.scalars(select(Process)).one()
    valid = re.search(r"of the (\d+) valid voter codes", before.text).group(1)
    codes.revoke(db, process, db.scalars(select(VoterCode.reference).where(VoterCode.process_id == process.id)
                                         .order_by(VoterCode.id).limit(1)).one())
    commit(db)
    after = testapp.get(RESULTS, headers={"If-None-Match": before.headers["ETag"]}, status=200)
    assert f"of the {int(valid) - 1} valid voter codes" in after.text
    # the organizer renames the process (the service, with its audit event)
    process = db.scalars(select(Process)).one()
    processes.update_process(db, process, ProcessData(slug=process.slug, title="Town budget, renamed",
                                                      currency=process.currency))
    commit(db)
    assert "Town budget, renamed" in testapp.get(RESULTS).text
    assert "Town budget, renamed" in testapp.get(PROJECTS).text


def test_a_kept_page_differs_per_language_and_is_kept_once_per_language(testapp, db):
    _published(testapp, db)
    pages = {}
    for language, word in (("en", "Results"), ("fr", "Résultats"), ("es", "Resultados")):
        page = testapp.get(RESULTS, headers={"Accept-Language": language})
        assert f'<html lang="{language}">' in page.text and f"<h1>{word}</h1>" in page.text
        pages[language] = page.text.replace(_token(page), "")
    assert len(set(pages.values())) == 3
    kept = _kept_pages(testapp)
    for language in pages:
        again = testapp.get(RESULTS, headers={"Accept-Language": language})
        assert again.text.replace(_token(again), "") == pages[language]
    assert _kept_pages(testapp) == kept  # served from the kept pages, none rendered again
    projects = testapp.get(PROJECTS, headers={"Accept-Language": "es"})
    assert "proyectos" in projects.text


def test_a_kept_page_costs_one_light_query(testapp, db):
    _published(testapp, db)
    testapp.reset()  # a visitor without a session (a voter's session is read: a flash may wait in it)
    testapp.get(PROJECTS)
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        testapp.get(RESULTS)
        testapp.get(PROJECTS)
        form = testapp.get("/receipt")
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2 and all("audit_event" in s for s in selects)  # the receipt form: none
    assert "pbsession" not in form.headers.get("Set-Cookie", "")


def test_a_flash_message_is_shown_to_its_visitor_only_and_the_kept_page_to_others(testapp, db):
    open_vote(db)  # voting: the project list is kept
    other = _other_visitor(testapp)
    kept = other.get(PROJECTS).text
    testapp.get("/p/town-2027/vote/citywide", status=303)  # no voter code: "Enter your voter code first."
    with_flash = testapp.get(PROJECTS)
    assert "Enter your voter code first." in with_flash.text
    assert "Enter your voter code first." not in other.get(PROJECTS).text
    assert "Enter your voter code first." not in testapp.get(PROJECTS).text  # shown once
    assert other.get(PROJECTS).text == kept


def test_a_receipt_check_reads_one_statement_and_the_form_writes_no_session(testapp, db):
    process, _budgets, voter_codes = open_vote(db, n_codes=1)
    receipt = re.search(r'data-receipt="([A-Z0-9-]+)"',
                        vote(testapp, voter_codes[0], lambda form: tick(form, "p1")).text).group(1)
    testapp.reset()
    sessions = db.scalar(select(func.count()).select_from(WebSession))
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT") and "rate_key" not in statement:
            statements.append(statement)

    form = testapp.get("/receipt").forms["receipt-form"]
    form["receipt"] = receipt
    testapp.post("/receipt", {"csrf_token": form["csrf_token"].value, "receipt": receipt})  # the minute's key
    event.listen(Engine, "before_cursor_execute", seen)
    try:
        assert "state-counted" in form.submit().text
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    # the receipt, its budget and process, and the lookup limit's counters: one statement
    assert len(statements) == 1 and "receipt_hash" in statements[0] and "rate_counter" in statements[0]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(WebSession)) == sessions
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    commit(db)
    form = testapp.get("/receipt").forms["receipt-form"]
    form["receipt"] = receipt
    assert "See the results" in form.submit().text


def test_each_receipt_check_gets_its_own_answer_in_the_kept_frame(testapp, db):
    from tests.site.test_receipts import _receipt_of, check

    _process, _budgets, voter_codes = open_vote(db, allow_revote=True)
    first = _receipt_of(vote(testapp, voter_codes[0], lambda form: tick(form, "p1")))
    second = _receipt_of(vote(testapp, None, lambda form: tick(form, "p2")))
    testapp.reset()
    for _ in range(2):  # the second round is answered from the kept frame
        replaced, counted = check(testapp, first), check(testapp, second)
        assert "state-replaced" in replaced.text and "state-counted" not in replaced.text
        assert f'value="{first}"' in replaced.text and f'value="{second}"' in counted.text
        assert "state-counted" in counted.text and "state-replaced" not in counted.text
        typed = check(testapp, '"><b>ACDE</b>')  # what was typed is escaped, as the template escapes it
        assert 'value="&#34;&gt;&lt;b&gt;ACDE&lt;/b&gt;"' in typed.text and "<b>ACDE" not in typed.text
        assert "state-unknown" in typed.text
        french = check(testapp.__class__(testapp.app, extra_environ={"HTTP_ACCEPT_LANGUAGE": "fr"}), second)
        assert '<html lang="fr">' in french.text and "Compté" in french.text
        assert _token(counted) == testapp.cookies["pbcsrf"]


def test_a_kept_receipt_answer_shows_each_receipt_its_own_id_and_its_budget_as_it_is_now(testapp, db):
    from tests.site.test_receipts import _receipt_of, check

    process, budgets, voter_codes = open_vote(db, n_codes=2)
    mine = _receipt_of(vote(testapp, voter_codes[0], lambda form: tick(form, "p1")))
    testapp.reset()
    theirs = _receipt_of(vote(testapp, voter_codes[1], lambda form: tick(form, "p2")))
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    commit(db)
    testapp.reset()
    for _ in range(2):  # the second round is answered from the kept section
        first, second = check(testapp, mine), check(testapp, theirs)
        assert receipt_hash(mine) in first.text and receipt_hash(theirs) not in first.text
        assert receipt_hash(theirs) in second.text and receipt_hash(mine) not in second.text
    # what the answer shows is read with each check: a change shows at once, in each language
    budget = db.get(Budget, budgets[0].id)
    budget.name, budget.translations = "Citywide, renamed", {"fr": {"name": "Toute la ville"}}
    commit(db)
    assert "Citywide, renamed" in check(testapp, mine).text
    french = check(TestApp(testapp.app, extra_environ={"HTTP_ACCEPT_LANGUAGE": "fr"}), mine)
    assert "Toute la ville" in french.text and receipt_hash(mine) in french.text


def test_the_one_statement_reads_connections_go_back_to_the_pool_as_they_came(testapp, db):
    from tests.site.test_receipts import _receipt_of, check

    _process, _budgets, voter_codes = open_vote(db, n_codes=1)
    receipt = _receipt_of(vote(testapp, voter_codes[0], lambda form: tick(form, "p1")))
    for _ in range(3):
        assert "state-counted" in check(testapp, receipt).text
        assert "p1" in testapp.get(PROJECTS).text  # a kept page's version: read the same way
    engine = testapp.app.registry["dbengine"]
    pooled = [engine.connect() for _ in range(max(engine.pool.checkedin(), 1))]
    try:
        # the check reads in autocommit on PostgreSQL; every later request still gets transactions
        for connection in pooled:
            connection.execute(select(1))
            raw = connection.connection.dbapi_connection
            info = getattr(raw, "info", None)  # psycopg's; sqlite3 says in_transaction
            assert (raw.in_transaction if info is None else info.transaction_status != 0)  # 0: idle, autocommit
    finally:
        for connection in pooled:
            connection.close()
