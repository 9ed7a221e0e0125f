"""The voter code: entered once, rate-limited when wrong, never kept in the session or shown."""

import base64

from tests.helpers import commit
from tests.site.voting import ballot_form, enter_code, move, open_vote


def _session_cookie(testapp) -> str:
    return testapp.cookies.get("pbsession", "")


def test_a_valid_code_opens_the_ballot_and_the_session_holds_no_code(testapp, db):
    _process, _budgets, codes = open_vote(db)
    before = testapp.get_csrf_token("/p/town-2027/vote")
    page = enter_code(testapp, codes[0].lower().replace("-", " "))  # case, spaces and dashes do not matter
    assert page.status_int == 303 and page.location.endswith("/p/town-2027/vote/citywide")
    assert "ballot-form" in page.follow().forms
    cookie = _session_cookie(testapp)
    payload = base64.urlsafe_b64decode(cookie.strip('"') + "==")
    assert codes[0].encode() not in payload and codes[0].replace("-", "").encode() not in payload
    assert testapp.get_csrf_token("/p/town-2027/vote") != before  # renewed session and token


def test_a_wrong_code_is_refused_with_a_message(testapp, db):
    open_vote(db)
    page = enter_code(testapp, "AAAA-AAAA-AAAA")
    assert page.status_int == 401
    assert "This voter code is not valid for this vote. Check it and try again." in page.text
    assert 'aria-invalid="true"' in page.text


def test_a_code_of_the_wrong_length_is_refused_with_the_expected_form(testapp, db):
    open_vote(db)
    page = enter_code(testapp, "ABC")
    assert "A voter code has 12 letters and digits" in page.text


def test_six_wrong_codes_in_a_minute_are_rate_limited_even_the_right_one(testapp, db):
    _process, _budgets, codes = open_vote(db)
    for _attempt in range(5):
        assert enter_code(testapp, "AAAA-AAAA-AAAA").status_int == 401
    page = enter_code(testapp, "AAAA-AAAA-AAAA")
    assert page.status_int == 429
    assert "Too many wrong attempts. Wait a minute, then try again." in page.text
    assert enter_code(testapp, codes[0]).status_int == 429


def test_the_rate_limit_is_per_client(testapp, db):
    _process, _budgets, codes = open_vote(db)
    for _attempt in range(6):
        enter_code(testapp, "AAAA-AAAA-AAAA")
    testapp.extra_environ = {"REMOTE_ADDR": "203.0.113.9"}
    assert enter_code(testapp, codes[0]).status_int == 303


def test_a_revoked_code_is_refused(testapp, db):
    from pbengine.services import codes as code_service

    process, _budgets, codes = open_vote(db, n_codes=1)
    from pbengine.models import VoterCode

    code_service.revoke(db, process, db.query(VoterCode).one().reference)
    commit(db)
    assert enter_code(testapp, codes[0]).status_int == 401


def test_the_ballot_needs_a_code_first(testapp, db):
    open_vote(db)
    page = testapp.get("/p/town-2027/vote/citywide", status=303)
    assert page.location.endswith("/p/town-2027/vote")
    assert "Enter your voter code first." in page.follow().text


def test_leaving_the_booth_ends_the_voter_session(testapp, db):
    _process, _budgets, codes = open_vote(db, budgets=2)
    booth = enter_code(testapp, codes[0]).follow()
    leave = booth.forms["leave-form"]
    assert "You have left the voting booth." in leave.submit().follow().text
    testapp.get("/p/town-2027/vote/citywide", status=404)  # no such budget: pot1/pot2 here
    testapp.get("/p/town-2027/vote/pot1", status=303)


def test_no_vote_outside_the_voting_phase(testapp, db):
    from tests.helpers import make_budget, make_process

    process = make_process(db)
    make_budget(db, process)
    process.phase = "proposals"
    commit(db)
    page = testapp.get("/p/town-2027/vote")
    assert "Voting is not open for this process." in page.text
    assert "code-form" not in page.forms
    token = testapp.get_csrf_token("/p/town-2027")
    assert testapp.post("/p/town-2027/vote", {"code": "AAAA-AAAA-AAAA", "csrf_token": token},
                        status=409).text.count("Voting is not open") == 1


def test_ballot_page_when_voting_closed_says_so(testapp, db):
    process, _budgets, codes = open_vote(db)
    enter_code(testapp, codes[0])
    form = ballot_form(testapp)
    move(db, process, "closed")
    commit(db)
    page = form.submit("action", value="review", status=409)
    assert "Voting is not open for this process." in page.text
